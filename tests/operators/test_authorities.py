"""Competent authorities (admin writes; the directory is read by every user).

Kept beside the operators' tests: both are the directory of who takes part in the trade.
"""

import base64
from typing import Any

import pytest

from tests.factories import AUDIT, Api, walk

PROBLEM = "https://pentrack.org/problems/"
AUTHORITIES = "/api/v1/authorities"
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def _authority(**fields: Any) -> dict[str, Any]:
    return {"country": "PK", "name": "Anti-Narcotics Force", "kind": "law_enforcement", **fields}


class TestWebhookSecret:
    def test_generated_secret_is_returned_once(self, api: Api) -> None:
        response = api.admin.post(
            AUTHORITIES, json=_authority(webhook_url="https://anf.example/hook")
        )
        assert response.status_code == 201, response.text
        created = response.json()
        secret = created["webhook_secret"]
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
        fetched = api.analyst().get(f"{AUTHORITIES}/{created['id']}").json()
        assert "webhook_secret" not in fetched
        listed = walk(api.admin, AUTHORITIES, country="PK")
        assert all("webhook_secret" not in a for a in listed)
        assert secret not in str(walk(api.admin, AUDIT, subject_id=created["id"]))

    def test_only_admins_see_where_an_authority_s_alerts_go(self, api: Api) -> None:
        url = "https://user:pass@anf.example/hook?key=s3cret"
        created = api.admin.post(AUTHORITIES, json=_authority(webhook_url=url)).json()
        assert api.admin.get(f"{AUTHORITIES}/{created['id']}").json()["webhook_url"] == url
        for reader in (api.analyst(), api.customs("AE"), api.regulator("PK")):
            one = reader.get(f"{AUTHORITIES}/{created['id']}")
            assert one.status_code == 200 and one.json()["webhook_url"] is None
            listed = walk(reader, AUTHORITIES, country="PK")
            assert listed and all(a["webhook_url"] is None for a in listed)
            assert "s3cret" not in one.text + str(listed)

    def test_a_secret_given_by_the_caller_is_not_echoed(self, api: Api) -> None:
        response = api.admin.post(
            AUTHORITIES,
            json=_authority(webhook_url="https://anf.example/hook", webhook_secret=SECRET),
        )
        assert response.status_code == 201, response.text
        assert response.json()["webhook_secret"] is None

    def test_no_webhook_no_secret(self, api: Api) -> None:
        assert api.admin.post(AUTHORITIES, json=_authority()).json()["webhook_secret"] is None

    @pytest.mark.parametrize(
        "secret",
        ["not-whsec", "whsec_!!!notbase64", "whsec_" + base64.b64encode(b"short").decode()],
        ids=["no-prefix", "not-base64", "too-short"],
    )
    def test_secret_not_in_standard_webhooks_form_is_422(self, api: Api, secret: str) -> None:
        response = api.admin.post(
            AUTHORITIES,
            json=_authority(webhook_url="https://anf.example/hook", webhook_secret=secret),
        )
        assert response.status_code == 422, response.text


class TestRegister:
    def test_admin_registers_an_authority_readable_by_all(self, api: Api) -> None:
        created = api.admin.post(AUTHORITIES, json=_authority(email="ops@anf.example")).json()
        customs = api.customs("AE")
        assert (
            customs.get(f"{AUTHORITIES}/{created['id']}").json()["name"] == "Anti-Narcotics Force"
        )
        kinds = [a["kind"] for a in walk(customs, AUTHORITIES, kind="law_enforcement")]
        assert kinds == ["law_enforcement"]
        [event] = walk(api.admin, AUDIT, subject_id=created["id"])
        assert (event["action"], event["actor_role"]) == ("authority.created", "admin")

    @pytest.mark.parametrize(
        ("fields", "status"),
        [
            ({"country": "XX"}, 400),
            ({"kind": "army"}, 422),
            ({"email": "not-an-email"}, 422),
            ({"webhook_url": "ftp://anf.example"}, 422),
            ({"token": "x"}, 422),
        ],
        ids=str,
    )
    def test_bad_authority_is_refused_and_writes_nothing(
        self, api: Api, fields: dict[str, Any], status: int
    ) -> None:
        before = walk(api.admin, AUTHORITIES)
        response = api.admin.post(AUTHORITIES, json=_authority(**fields))
        assert response.status_code == status, response.text
        assert walk(api.admin, AUTHORITIES) == before

    def test_unknown_authority_is_404(self, api: Api) -> None:
        response = api.admin.get(f"{AUTHORITIES}/nobody")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "authority-not-found"
