"""Reference data: lookups used by every domain, and the PEN requirement list."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core import cache
from app.core.conflicts import unique_or_conflict
from app.core.fields import Unit
from app.core.ids import new_id
from app.core.types import utcnow
from app.reference.exceptions import (
    DuplicateLegitimateRequirement,
    DuplicatePenRequirement,
    DuplicateSubstance,
    LegitimateRequirementNotFound,
    PenRequirementNotFound,
    RiskListNotFound,
    UnitNotApplicable,
    UnknownCountry,
    UnknownSubstance,
)
from app.reference.models import (
    Country,
    LegitimateRequirement,
    PenRequirement,
    RiskList,
    Substance,
    scope_key_of,
)
from app.reference.quantities import DensityRequired, to_kg
from app.reference.schemas import (
    LegitimateRequirementCreate,
    LegitimateRequirementPublic,
    PenRequirementCreate,
    PenRequirementPublic,
    RiskListPublic,
    RiskListUpdate,
    SubstanceCreate,
    SubstancePublic,
)


def list_countries(session: Session) -> list[Country]:
    return list(session.exec(select(Country).order_by(Country.iso2)).all())


def list_substances(
    session: Session, table: str | None = None, kind: str | None = None
) -> list[Substance]:
    query = select(Substance).order_by(Substance.convention_table, Substance.name)
    if table:
        query = query.where(Substance.convention_table == table)
    if kind:
        query = query.where(Substance.kind == kind)
    return list(session.exec(query).all())


def create_substance(session: Session, actor: Principal, data: SubstanceCreate) -> Substance:
    """Add a special-surveillance or national-list chemical (Tables I and II come from the seed)."""
    if data.list_country:
        require_countries(session, [data.list_country], "list_country")
    if session.get(Substance, data.cas_number) is not None:
        raise DuplicateSubstance(f"{data.cas_number} is already in the reference data.")
    substance = Substance(**data.model_dump(), convention_table="")
    taken = DuplicateSubstance(f"{data.cas_number} was added by a concurrent request.")
    with unique_or_conflict(session, taken):
        session.add(substance)
    audit.record(
        session,
        actor,
        "substance.created",
        "substance",
        substance.cas_number,
        after=SubstancePublic.model_validate(substance).model_dump(mode="json"),
    )
    return substance


class Reference(NamedTuple):
    """The reference tables as one process-wide snapshot (app/core/cache.py): read-only
    mappings of transient copies of the rows; read them, never change or add them."""

    country_names: Mapping[str, str]
    substances: Mapping[str, Substance]
    requirements: tuple[PenRequirement, ...]
    # (country, CAS number) → annual legitimate requirement in kg.
    legitimate_kg: Mapping[tuple[str, str], Decimal]
    # Risk list code → its entries.
    risk_lists: Mapping[str, tuple[str, ...]]
    # Each substance's requirements (by CAS number or by table): the rules read them for every
    # subject they judge.
    requirements_of: Mapping[str, tuple[PenRequirement, ...]]


def _covers(requirement: PenRequirement, substance: Substance) -> bool:
    return requirement.cas_number == substance.cas_number or (
        requirement.cas_number is None and requirement.table == substance.convention_table
    )


def _load_reference(session: Session) -> Reference:
    substances = {
        s.cas_number: Substance(**s.model_dump()) for s in session.exec(select(Substance))
    }
    requirements = tuple(
        PenRequirement(**r.model_dump()) for r in session.exec(select(PenRequirement))
    )
    return Reference(
        country_names=MappingProxyType(
            dict(session.exec(select(Country.iso2, Country.name)).all())
        ),
        substances=MappingProxyType(substances),
        requirements=requirements,
        requirements_of=MappingProxyType(
            {
                cas: tuple(r for r in requirements if _covers(r, substance))
                for cas, substance in substances.items()
            }
        ),
        legitimate_kg=MappingProxyType(
            {
                (r.country, r.cas_number): r.quantity_kg
                for r in session.exec(select(LegitimateRequirement))
            }
        ),
        risk_lists=MappingProxyType(
            {r.code: tuple(r.entries) for r in session.exec(select(RiskList))}
        ),
    )


def reference(session: Session) -> Reference:
    """Countries, substances and PEN requirements as the caller's transaction sees them."""
    return cache.cached(session, cache.REFERENCE, "reference", _load_reference)


def country_name(session: Session, iso2: str | None) -> str | None:
    """The country's English short name (ISO 3166), the code itself if unknown, None for None."""
    if not iso2:
        return None
    return reference(session).country_names.get(iso2, iso2)


def require_countries(session: Session, codes: Iterable[str], field: str = "country") -> None:
    """Raise UnknownCountry naming the first code that is not an ISO 3166-1 country we hold."""
    names = reference(session).country_names
    missing = sorted({code for code in codes if code not in names})
    if missing:
        raise UnknownCountry(f"{field}: {missing[0]!r} is not an ISO 3166-1 alpha-2 country code.")


def find_substance(session: Session, cas_number: str) -> Substance | None:
    """The substance (a read-only copy), or None."""
    return reference(session).substances.get(cas_number)


def require_substance(session: Session, cas_number: str) -> Substance:
    substance = find_substance(session, cas_number)
    if substance is None:
        raise UnknownSubstance(
            f"substance: {cas_number} is not a substance of Table I or II in pentrack's list."
        )
    return substance


def quantity_in_kg(substance: Substance, quantity: Decimal, unit: Unit) -> Decimal:
    try:
        return to_kg(quantity, unit, substance.density_kg_per_l)
    except DensityRequired as exc:
        raise UnitNotApplicable(
            f"unit: {substance.name} is not a liquid with a known density; give a mass (kg, g, t)."
        ) from exc


def list_pen_requirements(session: Session, country: str | None) -> list[PenRequirement]:
    query = select(PenRequirement).order_by(PenRequirement.country, PenRequirement.id)
    if country:
        query = query.where(PenRequirement.country == country.upper())
    return list(session.exec(query).all())


def requirements_for(
    session: Session, substance: Substance, country: str | None = None
) -> list[PenRequirement]:
    """The requirements (of `country`, or of every country) that cover `substance`, by its CAS
    number or by its table (read-only copies)."""
    known = reference(session).requirements_of.get(substance.cas_number)
    if known is None:  # a substance not in the snapshot (not yet committed, say)
        known = tuple(r for r in reference(session).requirements if _covers(r, substance))
    return [r for r in known if country is None or r.country == country]


def create_pen_requirement(
    session: Session, actor: Principal, data: PenRequirementCreate
) -> PenRequirement:
    """Record an Article 12(10)(a) invocation or a no-licit-need declaration."""
    require_countries(session, [data.country])
    if data.cas_number:
        require_substance(session, data.cas_number)
    scope_key = scope_key_of(data.cas_number, data.table)
    existing = session.exec(
        select(PenRequirement.id).where(
            PenRequirement.country == data.country, PenRequirement.scope_key == scope_key
        )
    ).first()
    requirement = PenRequirement(id=new_id(), **data.model_dump())
    if existing is None:
        try:
            # A savepoint: a concurrent twin that commits first fails the unique index here,
            # and the caller's transaction stays usable for the 409.
            with session.begin_nested():
                session.add(requirement)
        except IntegrityError:
            existing = "added by a concurrent request"
    if existing is not None:
        raise DuplicatePenRequirement(
            f"{data.country} already has a requirement for this substance or table ({existing})."
        )
    audit.record(
        session,
        actor,
        "pen_requirement.created",
        "pen_requirement",
        requirement.id,
        after=PenRequirementPublic.model_validate(requirement).model_dump(mode="json"),
    )
    return requirement


def delete_pen_requirement(session: Session, actor: Principal, requirement_id: str) -> None:
    """Remove a requirement (an invocation withdrawn)."""
    requirement = session.get(PenRequirement, requirement_id)
    if requirement is None:
        raise PenRequirementNotFound(f"No PEN requirement with id {requirement_id!r}.")
    before = PenRequirementPublic.model_validate(requirement).model_dump(mode="json")
    session.delete(requirement)
    audit.record(
        session, actor, "pen_requirement.deleted", "pen_requirement", requirement_id, before=before
    )


# --- annual legitimate requirements (ALR) ---------------------------------------------------


def legitimate_requirement_kg(
    session: Session, country: str, substance: Substance
) -> Decimal | None:
    """The country's ALR for the substance (a salt counts against its base's), or None."""
    cas = substance.base_cas_number or substance.cas_number
    return reference(session).legitimate_kg.get((country, cas))


def list_legitimate_requirements(
    session: Session, country: str | None, cas_number: str | None
) -> list[LegitimateRequirement]:
    query = select(LegitimateRequirement)
    if country:
        query = query.where(LegitimateRequirement.country == country)
    if cas_number:
        query = query.where(LegitimateRequirement.cas_number == cas_number)
    return list(session.exec(query).all())


def create_legitimate_requirement(
    session: Session, actor: Principal, data: LegitimateRequirementCreate
) -> LegitimateRequirement:
    """Record a country's annual legitimate requirement for a substance."""
    require_countries(session, [data.country])
    require_substance(session, data.cas_number)
    requirement = LegitimateRequirement(id=new_id(), **data.model_dump())
    taken = DuplicateLegitimateRequirement(
        f"{data.country} already has a legitimate requirement for {data.cas_number}; "
        "remove it first to record a new one."
    )
    with unique_or_conflict(session, taken):
        session.add(requirement)
    audit.record(
        session,
        actor,
        "legitimate_requirement.created",
        "legitimate_requirement",
        requirement.id,
        after=LegitimateRequirementPublic.model_validate(requirement).model_dump(mode="json"),
    )
    return requirement


def delete_legitimate_requirement(session: Session, actor: Principal, requirement_id: str) -> None:
    """Remove a legitimate requirement that no longer applies."""
    requirement = session.get(LegitimateRequirement, requirement_id)
    if requirement is None:
        raise LegitimateRequirementNotFound(
            f"No legitimate requirement with id {requirement_id!r}."
        )
    before = LegitimateRequirementPublic.model_validate(requirement).model_dump(mode="json")
    session.delete(requirement)
    audit.record(
        session,
        actor,
        "legitimate_requirement.deleted",
        "legitimate_requirement",
        requirement_id,
        before=before,
    )


# --- risk lists ------------------------------------------------------------------------------

COUNTRY_LISTS = frozenset({"countries-of-concern"})


def list_risk_lists(session: Session) -> list[RiskList]:
    return list(session.exec(select(RiskList).order_by(RiskList.code)).all())


def get_risk_list_or_raise(session: Session, code: str) -> RiskList:
    risk_list = session.get(RiskList, code)
    if risk_list is None:
        raise RiskListNotFound(f"No risk list {code!r}.")
    return risk_list


def update_risk_list(
    session: Session, actor: Principal, code: str, data: RiskListUpdate
) -> RiskList:
    """Replace a risk list's entries (countries are checked against ISO 3166-1)."""
    risk_list = get_risk_list_or_raise(session, code)
    entries = list(dict.fromkeys(data.entries))
    if code in COUNTRY_LISTS:
        entries = [entry.upper() for entry in entries]
        require_countries(session, entries, "entries")
    before = RiskListPublic.model_validate(risk_list).model_dump(mode="json")
    risk_list.entries = entries
    risk_list.source = data.source
    risk_list.updated_at = utcnow()
    session.add(risk_list)
    session.flush()
    audit.record(
        session,
        actor,
        "risk_list.updated",
        "risk_list",
        code,
        before=before,
        after=RiskListPublic.model_validate(risk_list).model_dump(mode="json"),
    )
    return risk_list
