"""Who may read summaries, and the filters every summary takes."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.auth.roles import Role
from app.auth.service import Principal, authenticate
from app.core.db import SessionDep, SettingsDep
from app.core.fields import SUBSTANCE_KEY_PATTERN, PlausibleDate, is_substance_key
from app.core.problems import Forbidden, Unauthorized
from app.core.types import utcnow
from app.dashboard.cookies import session_principal
from app.dashboard.figures import Period, Scope
from app.dashboard.regions import Region, get_region
from app.dashboard.schemas import Applied
from app.reference.service import find_substance, reference

_bearer = HTTPBearer(auto_error=False, description="A token from `pentrack token create`.")
READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.REGULATOR, Role.LAW_ENFORCEMENT})


def optional_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller by bearer token or, for the dashboard's own reads, by session cookie."""
    if credentials is not None:
        principal = authenticate(session, credentials.credentials)
        if principal is None:
            raise Unauthorized("The bearer token is not valid.")
        return principal
    return session_principal(request, session, settings)


async def summary_reader(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """Analysts and admins read every country's figures; a regulator or law-enforcement
    authority its own country's rows.

    Customs officers get 403: summaries are oversight figures, and a customs authority reads
    shipments one by one through the shipments API."""
    if principal is None:
        raise Unauthorized("Send `Authorization: Bearer <token>` or sign in at /dashboard.")
    if principal.role not in READERS:
        raise Forbidden("Summaries are for analysts, admins, regulators and law enforcement.")
    return principal


SummaryReader = Annotated[Principal, Depends(summary_reader)]


@dataclass(frozen=True)
class Summarised:
    scope: Scope
    applied: Applied


def _invalid(field: str, message: str, kind: str = "value_error") -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", field), "msg": message, "type": kind}])


CountryQuery = Annotated[
    str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")
]


@dataclass(frozen=True)
class Filters:
    """The filters as asked, their form, period and region checked, and the caller's scope.

    Checking the countries and the substance reads reference data (a statement): `checked` does
    it in the endpoint's own worker-thread call, so that the filters cost no crossing of their
    own (bench/README.md, "Dashboard summaries")."""

    period: Period
    year: int | None
    substance: str | None
    countries: dict[str, str | None]
    region: Region | None
    party: str | None
    today: date

    def checked(self, session: Session) -> Summarised:
        """The filters with their countries and substance looked up (422 for unknown ones)."""
        _check_countries(session, self.countries)
        substance = _substance(session, self.substance)
        scope = Scope(
            period=self.period,
            substance=substance,
            exporting_country=self.countries["exporting_country"],
            importing_country=self.countries["importing_country"],
            transit_country=self.countries["transit_country"],
            region=self.region.countries if self.region else None,
            party_country=self.party,
        )
        applied = Applied(
            date_from=self.period.start,
            date_to=self.period.end,
            year=self.year,
            substance=substance,
            region=self.region.code if self.region else None,
            scope_country=self.party,
            as_of=self.today,
            **self.countries,
        )
        return Summarised(scope, applied)


async def summary_filters(
    principal: SummaryReader,
    year: Annotated[
        int | None, Query(ge=1900, le=2200, description="A calendar year (default: this year).")
    ] = None,
    date_from: Annotated[
        PlausibleDate | None,
        Query(alias="from", description="First day (YYYY-MM-DD); with `to`."),
    ] = None,
    date_to: Annotated[
        PlausibleDate | None, Query(alias="to", description="Last day, included.")
    ] = None,
    substance: Annotated[
        str | None,
        Query(
            max_length=14,
            description="CAS number (acetic anhydride: 108-24-7).",
            json_schema_extra={"pattern": SUBSTANCE_KEY_PATTERN},
        ),
    ] = None,
    exporting_country: CountryQuery = None,
    importing_country: CountryQuery = None,
    transit_country: CountryQuery = None,
    region: Annotated[
        str | None,
        Query(
            max_length=20,
            description="`concern` (Afghanistan and neighbours) or a UN M49 region code, e.g. "
            "`142` (Asia), `034` (Southern Asia); see /api/v1/summaries/regions.",
        ),
    ] = None,
) -> Filters:
    """The period, substance, route and region filters, and the caller's scope. Async: nothing
    here reads the database (see `Filters`)."""
    today = utcnow().date()
    period = _period(year, date_from, date_to, today)
    found_region = None
    if region is not None:
        found_region = get_region(region)
        if found_region is None:
            raise _invalid("region", f"{region!r} is not a region; see /api/v1/summaries/regions.")
    return Filters(
        period=period,
        year=year if year is not None else (None if date_from or date_to else today.year),
        substance=substance,
        countries={
            "exporting_country": exporting_country.upper() if exporting_country else None,
            "importing_country": importing_country.upper() if importing_country else None,
            "transit_country": transit_country.upper() if transit_country else None,
        },
        region=found_region,
        party=None if principal.is_global_reader else principal.country,
        today=today,
    )


def _period(year: int | None, date_from: date | None, date_to: date | None, today: date) -> Period:
    """A calendar year, or `from`/`to` (either may be left out), or this year."""
    if year is not None and (date_from or date_to):
        raise _invalid("year", "Give either `year` or `from`/`to`, not both.")
    if year is not None:
        return Period(date(year, 1, 1), date(year, 12, 31))
    if date_from or date_to:
        start = date_from or date(today.year, 1, 1)
        end = date_to or today
        if start > end:
            raise _invalid("from", f"`from` ({start}) is after `to` ({end}).")
        return Period(start, end)
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def _check_countries(session: Session, countries: dict[str, str | None]) -> None:
    """Each route filter given is a known country."""
    if any(countries.values()):
        known = reference(session).country_names
        for field, code in countries.items():
            if code and code not in known:
                raise _invalid(field, f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


def _substance(session: Session, substance: str | None) -> str | None:
    """A well-formed CAS number of a known substance, or None."""
    if substance is None:
        return None
    substance = substance.strip()
    if not is_substance_key(substance):
        raise _invalid("substance", f"{substance!r} is not a valid CAS number.")
    if find_substance(session, substance) is None:
        raise _invalid("substance", f"{substance} is not a substance of Table I or II.")
    return substance


FiltersDep = Annotated[Filters, Depends(summary_filters)]


def query_string(applied: Applied) -> dict[str, Any]:
    """The filters as query parameters (links from one view to its exports)."""
    params: dict[str, Any] = {}
    if applied.year is not None:
        params["year"] = applied.year
    else:
        params["from"], params["to"] = applied.date_from.isoformat(), applied.date_to.isoformat()
    for name in (
        "substance",
        "exporting_country",
        "importing_country",
        "transit_country",
        "region",
    ):
        value = getattr(applied, name)
        if value:
            params[name] = value
    return params
