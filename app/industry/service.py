"""Industry reports: filed by a company's industry user, read by that company and triaged by
the regulator of its country. Nobody else reads them (summaries aside)."""

from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from statistics import mean, median
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.auth.roles import Role
from app.core.fields import CAS_PATTERN
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import Forbidden
from app.core.types import utcnow
from app.incidents.schemas import IncidentCreate, SubstanceFound
from app.industry.exceptions import (
    EscalationNeedsQuantity,
    EscalationRequired,
    IndustryReportNotFound,
    NotTheReportsRegulator,
    TriageNotAllowed,
)
from app.industry.models import IndustryReport, IndustryReportIndicator
from app.industry.schemas import (
    Count,
    CustomerPublic,
    FlagEscalation,
    IncidentEscalation,
    IndustryReportCreate,
    IndustryReportPublic,
    IndustrySummary,
    IndustryTriage,
)
from app.industry.states import ReportStatus, TriageStatus, may_move
from app.notifications.service import take_number
from app.operators.models import Operator
from app.reference.models import Substance
from app.reference.quantities import DensityRequired, to_kg
from app.reference.service import reference, require_countries
from app.rules.schemas import FlagCreate

SCHEDULED_KINDS = frozenset({"table_i", "table_ii"})


def _known_substance(session: Session, text: str) -> Substance | None:
    """The listed substance `text` names, by CAS number, name or synonym (any case)."""
    substances = reference(session).substances
    if text in substances:
        return substances[text]
    wanted = text.casefold()
    for substance in substances.values():
        if substance.name.casefold() == wanted or wanted in (
            s.casefold() for s in substance.synonyms
        ):
            return substance
    return None


def file_report(
    session: Session, principal: Principal, data: IndustryReportCreate
) -> IndustryReport:
    """File a report for the caller's operator; its country's regulator triages it."""
    operator = session.get(Operator, principal.operator_id) if principal.operator_id else None
    if operator is None:
        raise Forbidden("Industry reports are filed by an operator's industry user.")
    require_countries(session, [data.customer.country], "customer.country")
    require_countries(session, data.requested_route, "requested_route")
    substance = _known_substance(session, data.substance)
    now = utcnow()
    series = f"IR-{operator.country}-{now.year}"
    report = IndustryReport(
        id=new_id(),
        reference=f"{series}-{take_number(session, series):06d}",
        operator_id=operator.id,
        country=operator.country,
        sector=operator.kind or "unspecified",
        kind=data.kind.value,
        customer_name=data.customer.name,
        customer_country=data.customer.country,
        customer_address=data.customer.address,
        **_substance_fields(substance, data),
        requested_route=list(data.requested_route),
        means_of_payment=data.means_of_payment.value if data.means_of_payment else None,
        narrative=data.narrative,
        status=ReportStatus.SUBMITTED.value,
        reported_by_user_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    session.add_all(
        IndustryReportIndicator(report_id=report.id, indicator=i) for i in data.indicators
    )
    audit.record(
        session,
        principal,
        "industry_report.filed",
        "industry_report",
        report.id,
        after={"reference": report.reference, "indicators": data.indicators},
    )
    return report


def _substance_fields(substance: Substance | None, data: IndustryReportCreate) -> dict[str, Any]:
    """A listed substance by its CAS number and name; any other chemical as the reporter
    named it (its CAS number kept when it gave one)."""
    unlisted_cas = data.substance if CAS_PATTERN.match(data.substance) else None
    return {
        "cas_number": substance.cas_number if substance else unlisted_cas,
        "substance_name": substance.name if substance else data.substance,
        "scheduled": substance is not None and substance.kind in SCHEDULED_KINDS,
        "quantity": data.quantity,
        "unit": data.unit.value if data.unit else None,
        "quantity_kg": _in_kg(substance, data),
    }


def _in_kg(substance: Substance | None, data: IndustryReportCreate) -> Decimal | None:
    """The quantity in kg; None when none is given, or for a volume of a chemical whose
    density we do not know (a report is never refused for that)."""
    if data.quantity is None or data.unit is None:
        return None
    density = substance.density_kg_per_l if substance is not None else None
    try:
        return to_kg(data.quantity, data.unit, density)
    except DensityRequired:
        return None


def visible_to(principal: Principal) -> Any:
    if principal.role == Role.INDUSTRY and principal.operator_id:
        return IndustryReport.operator_id == principal.operator_id
    if principal.role == Role.REGULATOR and principal.country:
        return IndustryReport.country == principal.country
    return false()


def _may_read(principal: Principal, report: IndustryReport) -> bool:
    if principal.role == Role.INDUSTRY:
        return report.operator_id == principal.operator_id
    return principal.role == Role.REGULATOR and report.country == principal.country


def get_report_or_raise(
    session: Session, principal: Principal, report_id: str, *, for_update: bool = False
) -> IndustryReport:
    report = session.get(IndustryReport, report_id, with_for_update=True if for_update else None)
    if report is None or not _may_read(principal, report):
        raise IndustryReportNotFound(f"No industry report with id {report_id!r}.")
    return report


def list_reports(
    session: Session,
    principal: Principal,
    *,
    status: ReportStatus | None,
    limit: int,
    cursor: str | None,
) -> Page[IndustryReport]:
    query = select(IndustryReport).where(visible_to(principal))
    if status is not None:
        query = query.where(IndustryReport.status == status.value)
    return paginate(session, query, col(IndustryReport.id), limit=limit, cursor=cursor)


def check_triage(principal: Principal, report: IndustryReport, data: IndustryTriage) -> None:
    """Refuse a triage before anything is escalated: wrong caller (403), wrong status (409),
    an escalation without its target (400)."""
    if principal.role != Role.REGULATOR or principal.country != report.country:
        raise NotTheReportsRegulator(f"The regulator of {report.country} triages this report.")
    if not may_move(ReportStatus(report.status), data.status):
        raise TriageNotAllowed(
            f"A {report.status} report cannot be moved to {data.status.value}.",
            current_status=report.status,
        )
    if data.status == TriageStatus.ESCALATED and data.escalation is None:
        raise EscalationRequired("escalation: name a flag's subject or ask for an incident.")


def flag_for(report: IndustryReport, escalation: FlagEscalation) -> FlagCreate:
    """The flag an escalation raises: the report's indicators and narrative as its explanation."""
    return FlagCreate(
        subject_type=escalation.subject_type,
        subject_id=escalation.subject_id,
        severity=escalation.severity,
        explanation=f"Industry report {report.reference}: {report.narrative}"[:2000],
        evidence={"industry_report": report.reference, "sector": report.sector},
    )


def incident_for(
    session: Session, report: IndustryReport, escalation: IncidentEscalation
) -> IncidentCreate:
    """The incident an escalation opens in the regulator's country."""
    if report.quantity is None or report.unit is None:
        raise EscalationNeedsQuantity("The report gives no quantity; escalate to a flag instead.")
    route = [c for c in report.requested_route if c != report.country]
    return IncidentCreate(
        kind=escalation.kind,
        country=report.country,
        occurred_on=report.created_at.date(),
        substances=[
            SubstanceFound(
                cas_number=report.cas_number if report.scheduled else None,
                name=report.substance_name,
                quantity=report.quantity,
                unit=report.unit,
            )
        ],
        method=f"suspicious {report.kind} reported by industry",
        description=f"Industry report {report.reference}: {report.narrative}"[:4000],
        destination_country=route[-1] if route else report.customer_country,
        transit_countries=route[:-1],
        scope=escalation.scope,
    )


def triage(
    session: Session,
    principal: Principal,
    report: IndustryReport,
    data: IndustryTriage,
    *,
    flag_id: str | None = None,
    incident_id: str | None = None,
) -> IndustryReport:
    """Move the report, keep the feedback the reporter reads, and what escalation produced."""
    before = {"status": report.status, "feedback": report.feedback}
    now = utcnow()
    report.status = data.status.value
    if data.feedback is not None:
        report.feedback = data.feedback
        report.first_feedback_at = report.first_feedback_at or now
    report.flag_id = flag_id or report.flag_id
    report.incident_id = incident_id or report.incident_id
    report.triaged_at = now
    report.triaged_by_authority_id = principal.authority_id
    report.updated_at = now
    session.add(report)
    session.flush()
    audit.record(
        session,
        principal,
        f"industry_report.{data.status.value}",
        "industry_report",
        report.id,
        before=before,
        after={
            "status": report.status,
            "feedback": report.feedback,
            "flag_id": report.flag_id,
            "incident_id": report.incident_id,
        },
    )
    return report


def indicators_of(session: Session, report_ids: list[str]) -> dict[str, list[str]]:
    rows = session.exec(
        select(IndustryReportIndicator).where(
            col(IndustryReportIndicator.report_id).in_(report_ids)
        )
    )
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found[row.report_id].append(row.indicator)
    return found


def to_public(report: IndustryReport, indicators: list[str]) -> IndustryReportPublic:
    return IndustryReportPublic(
        **report.model_dump(exclude={"customer_name", "customer_country", "customer_address"}),
        customer=CustomerPublic(
            name=report.customer_name,
            country=report.customer_country,
            address=report.customer_address,
        ),
        indicators=sorted(indicators),
    )


def to_public_many(session: Session, reports: list[IndustryReport]) -> list[IndustryReportPublic]:
    found = indicators_of(session, [r.id for r in reports])
    return [to_public(r, found.get(r.id, [])) for r in reports]


def _period(query: Any, date_from: date | None, date_to: date | None) -> Any:
    if date_from is not None:
        query = query.where(IndustryReport.created_at >= datetime.combine(date_from, time.min, UTC))
    if date_to is not None:
        query = query.where(IndustryReport.created_at <= datetime.combine(date_to, time.max, UTC))
    return query


def summary(
    session: Session,
    principal: Principal,
    *,
    country: str | None,
    date_from: date | None,
    date_to: date | None,
) -> IndustrySummary:
    """Reports by sector, indicator and status; hours from filing to first feedback; the share
    escalated. A regulator reads its own country's; analysts and admins every country's."""
    base = select(IndustryReport)
    if not principal.is_global_reader:
        base = base.where(IndustryReport.country == principal.country)
    if country is not None:
        base = base.where(IndustryReport.country == country)
    reports = list(session.exec(_period(base, date_from, date_to)))
    indicator_counts: dict[str, int] = defaultdict(int)
    for values in indicators_of(session, [r.id for r in reports]).values():
        for value in values:
            indicator_counts[value] += 1
    hours = [
        (r.first_feedback_at - r.created_at).total_seconds() / 3600
        for r in reports
        if r.first_feedback_at is not None
    ]
    escalated = sum(1 for r in reports if r.flag_id or r.incident_id or r.status == "escalated")
    return IndustrySummary(
        reports=len(reports),
        scheduled=sum(1 for r in reports if r.scheduled),
        non_scheduled=sum(1 for r in reports if not r.scheduled),
        by_sector=_counts(r.sector for r in reports),
        by_indicator=[Count(key=k, reports=v) for k, v in sorted(indicator_counts.items())],
        by_status=_counts(r.status for r in reports),
        with_feedback=len(hours),
        median_hours_to_feedback=round(median(hours), 2) if hours else None,
        mean_hours_to_feedback=round(mean(hours), 2) if hours else None,
        escalated=escalated,
        share_escalated=round(escalated / len(reports), 4) if reports else None,
    )


def _counts(values: Any) -> list[Count]:
    counted: dict[str, int] = defaultdict(int)
    for value in values:
        counted[value] += 1
    return [Count(key=k, reports=v) for k, v in sorted(counted.items())]
