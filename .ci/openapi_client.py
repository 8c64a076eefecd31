"""CI: call a live pentrack through a client generated from its /openapi.json
(openapi-python-client), so the document stays one a client can be built from.

usage: python openapi_client.py PACKAGE_PARENT BASE_URL TOKEN
"""

import sys

sys.path.insert(0, sys.argv[1])

from pentrack_client import AuthenticatedClient
from pentrack_client.api.reference import (
    reference_get_country,
    reference_list_countries,
)
from pentrack_client.models import CountryPublicList, Problem

client = AuthenticatedClient(base_url=sys.argv[2], token=sys.argv[3])
with client:
    page = reference_list_countries.sync(client=client, limit=5)
    assert isinstance(page, CountryPublicList), page
    assert len(page.items) == 5 and page.next_cursor, page
    missing = reference_get_country.sync_detailed(client=client, iso2="QQ")
    assert missing.status_code == 404 and isinstance(missing.parsed, Problem), missing
    print(
        f"generated client: {[c.iso2 for c in page.items]}; unknown country -> {missing.parsed.type_}"
    )
