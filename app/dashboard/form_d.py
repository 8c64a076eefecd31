"""A Form D-style report for a year (Article 12(12) of the 1988 Convention): seizures of Table
I and II substances with their origins, unscheduled chemicals seized, methods of diversion and
concealment, and incidents by kind. Composed from the incident summary (one definition per
figure: app/dashboard/figures.py)."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from app.dashboard.deps import Summarised
from app.dashboard.exports import Table
from app.dashboard.figures import INCIDENT, INCIDENT_SUBSTANCE, incidents_occurred, is_seizure
from app.dashboard.incident_summaries import UNKNOWN, incident_summary
from app.dashboard.names import dialect_of, names
from app.dashboard.tally import as_decimal, rounded
from app.reference.quantities import kg_to_litres


@dataclass(frozen=True)
class FormD:
    title: str
    subtitle: str
    sections: list[Table]


def form_d(session: Session, filters: Summarised) -> FormD:
    """Every part of the report, with the summaries' filters."""
    scope, applied = filters.scope, filters.applied
    summary = incident_summary(session, scope, applied)
    lookup = names(session)
    origins = _origins(session, filters)
    scheduled, unscheduled = [], []
    for row in summary.seizures_by_substance:
        if row.table is not None and row.cas_number is not None:
            litres = kg_to_litres(as_decimal(row.quantity_kg), lookup.densities.get(row.cas_number))
            scheduled.append(
                [
                    row.substance,
                    row.cas_number,
                    row.table,
                    row.seizures,
                    row.quantity_kg,
                    rounded(litres),
                    ", ".join(sorted(origins.get(row.cas_number, set()))),
                ]
            )
        else:
            unscheduled.append([row.substance, row.cas_number, row.seizures, row.quantity_kg])
    period = (
        str(applied.year)
        if applied.year is not None
        else f"{applied.date_from} to {applied.date_to}"
    )
    scope_note = f"; incidents {applied.scope_country} is named in" if applied.scope_country else ""
    return FormD(
        title=f"Form D: seizures and methods of diversion, {period}",
        subtitle=f"Incidents that occurred from {applied.date_from} to {applied.date_to}{scope_note}.",
        sections=[
            Table(
                "Part 1. Seizures of substances in Tables I and II",
                [
                    "Substance",
                    "CAS number",
                    "Table",
                    "Seizures",
                    "Quantity (kg)",
                    "Quantity (l)",
                    "Countries of origin",
                ],
                scheduled,
            ),
            Table(
                "Part 2. Seizures of substances not in Tables I and II",
                ["Substance", "CAS number", "Seizures", "Quantity (kg)"],
                unscheduled,
            ),
            Table(
                "Part 3. Methods of diversion and concealment",
                ["Method", "Incidents", "Seizures"],
                [[m.method, m.incidents, m.seizures] for m in summary.by_method],
            ),
            Table(
                "Part 4. Incidents by kind",
                ["Kind", "Incidents", "Quantity (kg)"],
                [[k.kind, k.incidents, k.quantity_kg] for k in summary.by_kind],
            ),
        ],
    )


def _origins(session: Session, filters: Summarised) -> dict[str, set[str]]:
    """CAS number → the countries of origin of its seizures (`unknown` when not recorded)."""
    s, i = INCIDENT_SUBSTANCE.c, INCIDENT.c
    rows = session.execute(
        select(s.cas_number, i.origin_country, func.count())
        .join(INCIDENT, i.id == s.incident_id)
        .where(
            is_seizure(),
            s.cas_number.is_not(None),
            *incidents_occurred(dialect_of(session), filters.scope),
        )
        .group_by(s.cas_number, i.origin_country)
    ).all()
    found: dict[str, set[str]] = defaultdict(set)
    for cas, origin, _ in rows:
        found[cas].add(origin or UNKNOWN)
    return found
