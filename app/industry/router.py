"""Industry reports (INCB voluntary code of practice): companies file, their regulator triages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app import flows
from app.auth.deps import CurrentUser, IndustryUser, require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.core.db import SessionDep
from app.core.fields import CountryCode, PlausibleDate
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.industry import service
from app.industry.deps import IndustryReportDep, LockedIndustryReportDep
from app.industry.indicators import INDICATORS
from app.industry.schemas import (
    IndicatorInfo,
    IndustryReportCreate,
    IndustryReportPublic,
    IndustrySummary,
    IndustryTriage,
)
from app.industry.states import ReportStatus

router = APIRouter(
    prefix="/industry-reports", tags=["industry-reports"], responses=problem_responses(401)
)
ReportReader = Annotated[Principal, Depends(require_roles(Role.INDUSTRY, Role.REGULATOR))]
SummaryReader = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.ANALYST, Role.REGULATOR))
]


@router.post(
    "",
    response_model=IndustryReportPublic,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="File an industry report",
)
def file_report(
    data: IndustryReportCreate,
    session: SessionDep,
    reporter: IndustryUser,
    request: Request,
    response: Response,
) -> IndustryReportPublic:
    """Tell the national authority about a suspicious order or enquiry (scheduled or not),
    with the code of practice's indicators that raised the suspicion."""
    report = flows.file_industry_report(session, reporter, data)
    locate(response, request, "get_industry_report", report_id=report.id)
    return service.to_public_many(session, [report])[0]


@router.get("", response_model=ListResponse[IndustryReportPublic], summary="List industry reports")
def list_reports(
    session: SessionDep,
    reader: ReportReader,
    status: ReportStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """The caller's company's reports (industry), or those of the caller's country (regulator)."""
    page = service.list_reports(session, reader, status=status, limit=limit, cursor=cursor)
    return {"items": service.to_public_many(session, page.items), "next_cursor": page.next_cursor}


@router.get(
    "/indicators", response_model=list[IndicatorInfo], summary="The indicators a report may name"
)
def list_indicators(_: CurrentUser) -> list[IndicatorInfo]:
    """The code of practice's indicators of a suspicious order or enquiry."""
    return [IndicatorInfo(code=k, description=v) for k, v in INDICATORS.items()]


@router.get(
    "/summary",
    response_model=IndustrySummary,
    responses=problem_responses(403),
    summary="Industry reports in figures",
)
def summarise(
    session: SessionDep,
    reader: SummaryReader,
    country: CountryCode | None = None,
    date_from: Annotated[PlausibleDate | None, Query(alias="from")] = None,
    date_to: Annotated[PlausibleDate | None, Query(alias="to")] = None,
) -> IndustrySummary:
    """Reports by sector and indicator, time to feedback and the share escalated (a regulator
    reads its own country's)."""
    return service.summary(session, reader, country=country, date_from=date_from, date_to=date_to)


@router.get(
    "/{report_id}",
    response_model=IndustryReportPublic,
    responses=problem_responses(404),
    summary="Get an industry report",
)
def get_industry_report(report: IndustryReportDep, session: SessionDep) -> IndustryReportPublic:
    """One report, with its status and the regulator's feedback."""
    return service.to_public_many(session, [report])[0]


@router.post(
    "/{report_id}/triage",
    response_model=IndustryReportPublic,
    responses=problem_responses(400, 403, 404, 409, 422),
    summary="Triage an industry report",
)
def triage_report(
    data: IndustryTriage,
    report: LockedIndustryReportDep,
    session: SessionDep,
    regulator: CurrentUser,
) -> IndustryReportPublic:
    """Acknowledge, escalate (raise a flag on a PEN or shipment, or open an incident) or close
    a report, with feedback for the reporter."""
    report = flows.triage_industry_report(session, regulator, report, data)
    return service.to_public_many(session, [report])[0]
