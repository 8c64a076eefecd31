"""Industry reports in the workspace: a company's users file reports and read their own (and
their regulator's feedback); the regulator of the company's country reads the queue of its
country's reports and triages them. Each action calls the API's own flow (app/flows.py)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import flows
from app.auth.principal import Principal
from app.auth.roles import Role
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.core.fields import MeansOfPayment, Unit
from app.i18n import N_, Language
from app.i18n.web import LanguageDep
from app.incidents.schemas import IncidentKind
from app.incidents.scopes import IncidentScope
from app.industry import service
from app.industry.indicators import INDICATORS
from app.industry.models import IndustryReport
from app.industry.schemas import IndustryReportCreate, IndustryTriage, ReportKind
from app.industry.states import ALLOWED, ReportStatus, TriageStatus
from app.workspace.access import NotForYourRole, ReportUser, posted_form
from app.workspace.forms import NOT_SAVED, as_list, checked, submitted
from app.workspace.pages import page
from app.workspace.pen_pages import labelled

router = APIRouter(prefix="/workspace/reports", include_in_schema=False)


def _industry(principal: Principal) -> Principal:
    if principal.role != Role.INDUSTRY:
        raise NotForYourRole(N_("Industry reports are filed by a company's users."))
    return principal


@router.get("")
def report_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ReportUser,
    status: ReportStatus | None = None,
) -> Response:
    """A company's own reports; for a regulator, the queue of its country's reports."""
    found = service.list_reports(session, principal, status=status, limit=200, cursor=None)
    reports = sorted(
        service.to_public_many(session, found.items), key=lambda r: r.created_at, reverse=True
    )
    context = {
        "reports": reports,
        "status": status.value if status else "",
        "statuses": [s.value for s in ReportStatus],
        "company": principal.role == Role.INDUSTRY,
    }
    return page(request, settings, principal, "reports.html", context)


def _new(
    request: Request,
    settings: Settings,
    principal: Principal,
    language: Language,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "kinds": labelled([k.value for k in ReportKind], language),
        "units": labelled([u.value for u in Unit], language),
        "payments": labelled([m.value for m in MeansOfPayment], language),
        "indicators": labelled(list(INDICATORS), language),
        "form": form or {"kind": ReportKind.ORDER.value},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "report_new.html", context, status=status)


@router.get("/new")
def new_report(
    request: Request, settings: SettingsDep, principal: ReportUser, language: LanguageDep
) -> Response:
    """The form a company's user files a report with."""
    return _new(request, settings, _industry(principal), language)


def _report_data(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the API's body (the customer nested, the indicators ticked)."""
    customer = {
        key: form.get(f"customer_{key}", "")
        for key in ("name", "country", "address")
        if form.get(f"customer_{key}")
    }
    if "country" in customer:
        customer["country"] = customer["country"].upper()
    data: dict[str, Any] = {
        key: form.get(key, "")
        for key in ("kind", "substance", "quantity", "unit", "means_of_payment", "narrative")
    }
    data["customer"] = customer
    data["requested_route"] = as_list(form.get("requested_route"))
    data["indicators"] = [code for code in INDICATORS if form.get(f"indicator-{code}")]
    return data


@router.post("")
async def file_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ReportUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/industry-reports (flows.file_industry_report)."""
    _industry(principal)
    form = await posted_form(request, settings)
    result = checked(IndustryReportCreate, _report_data(form), language)
    general = submitted(
        session,
        result,
        lambda data: (
            f"/workspace/reports/{flows.file_industry_report(session, principal, data).id}"
        ),
    )
    if isinstance(general, RedirectResponse):
        return general
    return _new(
        request,
        settings,
        principal,
        language,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )


def _show(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    report: IndustryReport,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    moves = ALLOWED[ReportStatus(report.status)]
    may_triage = principal.role == Role.REGULATOR and principal.country == report.country
    context = {
        "report": service.to_public_many(session, [report])[0],
        "moves": labelled([m.value for m in TriageStatus if m in moves], language),
        "may_triage": may_triage and bool(moves),
        "incident_kinds": labelled([k.value for k in IncidentKind], language),
        "scopes": labelled([s.value for s in IncidentScope], language),
        "form": form or {},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "report.html", context, status=status)


@router.get("/{report_id}")
def show_report(
    report_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ReportUser,
    language: LanguageDep,
) -> Response:
    """One report with its status and feedback; the triage form for its regulator."""
    report = service.get_report_or_raise(session, principal, report_id)
    return _show(request, session, settings, principal, language, report)


def _triage_data(form: dict[str, str]) -> dict[str, Any]:
    """Escalating opens an incident in the regulator's country (kind and scope as chosen)."""
    data: dict[str, Any] = {"status": form.get("status", ""), "feedback": form.get("feedback")}
    if data["status"] == TriageStatus.ESCALATED.value:
        escalation = {"to": "incident", "kind": form.get("kind"), "scope": form.get("scope")}
        data["escalation"] = {key: value for key, value in escalation.items() if value}
    return data


@router.post("/{report_id}/triage")
async def triage_report(
    report_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ReportUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/industry-reports/{id}/triage (flows.triage_industry_report)."""
    form = await posted_form(request, settings)
    report = service.get_report_or_raise(session, principal, report_id, for_update=True)
    result = checked(IndustryTriage, _triage_data(form), language)

    def act(data: IndustryTriage) -> str:
        flows.triage_industry_report(session, principal, report, data)
        return f"/workspace/reports/{report_id}"

    general = submitted(session, result, act)
    if isinstance(general, RedirectResponse):
        return general
    # The form again, beside the report as it stands (after the rollback of a refusal).
    report = service.get_report_or_raise(session, principal, report_id)
    return _show(
        request,
        session,
        settings,
        principal,
        language,
        report,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )
