"""INCB-style summaries under /api/v1/summaries (JSON, CSV, XLSX)."""

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.db import SessionDep
from app.core.problems import problem_responses
from app.dashboard import exports, summaries
from app.dashboard.deps import Filters, FiltersDep, SummaryReader
from app.dashboard.form_d import form_d
from app.dashboard.pages import render
from app.dashboard.regions import regions
from app.dashboard.report import annual_report
from app.dashboard.schemas import (
    BacktrackingSummary,
    FlagSummary,
    IncidentSummary,
    Overview,
    PenSummary,
    RegionFlowSummary,
    RegionInfo,
    ReplySummary,
    RequirementSummary,
    ShipmentSummary,
)
from app.i18n.web import LanguageDep

T = TypeVar("T")

router = APIRouter(
    prefix="/summaries",
    tags=["summaries"],
    responses=problem_responses(401, 403, 422),
)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class FormDFormat(StrEnum):
    XLSX = "xlsx"
    JSON = "json"


class ReportFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"
    HTML = "html"


SummaryName = StrEnum("SummaryName", {k.replace("-", "_"): k for k in summaries.KINDS})  # type: ignore[misc]


@router.get("/regions", response_model=list[RegionInfo], summary="Regions for the region filter")
def list_regions(_: SummaryReader) -> list[RegionInfo]:
    """`concern` (Afghanistan and neighbours) and the UN M49 regions, with their countries."""
    return [
        RegionInfo(code=r.code, name=r.name, level=r.level, countries=sorted(r.countries))
        for r in regions().values()
    ]


@router.get("/overview", response_model=Overview, summary="Headline figures")
async def overview(session: SessionDep, filters: FiltersDep) -> Overview:
    """The dashboard's headline figures, each equal to a total of the detailed summaries."""
    return await run_in_threadpool(_read, summaries.overview, session, filters)


@router.get("/pens", response_model=PenSummary, summary="PENs sent and received")
async def pens(session: SessionDep, filters: FiltersDep) -> PenSummary:
    """PENs sent (by `sent_at`) by exporting country, received by importing country, and the
    exporting → importing matrix, with quantities in kg and, for liquids, litres."""
    return await _computed(session, "pens", filters)  # type: ignore[return-value]


@router.get("/replies", response_model=ReplySummary, summary="Replies to PENs")
async def replies(session: SessionDep, filters: FiltersDep) -> ReplySummary:
    """Per importing country: no objection, objection, information requested, unanswered after
    `reply_by`, the objection rate, the share unanswered, and median and 90th-percentile reply
    times (whole days from sending to the latest decision)."""
    return await _computed(session, "replies", filters)  # type: ignore[return-value]


@router.get("/shipments", response_model=ShipmentSummary, summary="Shipments, stops and seizures")
async def shipments(session: SessionDep, filters: FiltersDep) -> ShipmentSummary:
    """Shipments declared in the period by status; stopped and seized shipments by country,
    substance and origin; observed against notified quantities."""
    return await _computed(session, "shipments", filters)  # type: ignore[return-value]


@router.get("/flags", response_model=FlagSummary, summary="Suspicious-transaction flags")
async def flags(session: SessionDep, filters: FiltersDep) -> FlagSummary:
    """Flags raised in the period by rule and severity, how their triage ended, time to triage."""
    return await _computed(session, "flags", filters)  # type: ignore[return-value]


@router.get("/incidents", response_model=IncidentSummary, summary="Incidents and seizures")
async def incidents(session: SessionDep, filters: FiltersDep) -> IncidentSummary:
    """Incidents that occurred in the period by kind; seizures by substance, recording country
    and origin (`exporting_country`/`importing_country` filter the origin and destination);
    methods of concealment and diversion."""
    return await _computed(session, "incidents", filters)  # type: ignore[return-value]


@router.get("/backtracking", response_model=BacktrackingSummary, summary="Backtracking requests")
async def backtracking(session: SessionDep, filters: FiltersDep) -> BacktrackingSummary:
    """Backtracking requests sent in the period: answered, open, overdue, the response rate and
    the median and 90th-percentile days to answer, by addressed country."""
    return await _computed(session, "backtracking", filters)  # type: ignore[return-value]


@router.get(
    "/form-d",
    summary="Form D-style report of seizures and methods of diversion for one year",
    responses={200: {"content": {"application/json": {}, exports.XLSX_MEDIA_TYPE: {}}}},
)
def form_d_report(
    session: SessionDep,
    filters: FiltersDep,
    format: Annotated[FormDFormat, Query(description="xlsx or json")] = FormDFormat.XLSX,
) -> Response:
    """Like INCB Form D (Article 12(12)): seizures of Table I and II substances with their
    origins, unscheduled chemicals seized, and methods of diversion and concealment."""
    built = form_d(session, filters.checked(session))
    if format == FormDFormat.XLSX:
        stem = f"pentrack-form-d-{_period_slug(filters)}"
        body = exports.to_xlsx(built.sections, preface=[[built.title], [built.subtitle]])
        return _download(body, exports.XLSX_MEDIA_TYPE, f"{stem}.xlsx")
    return Response(content=_report_json(built), media_type="application/json")


@router.get(
    "/pen-requirements",
    response_model=RequirementSummary,
    summary="Governments requiring PENs; no-licit-need declarations",
)
async def pen_requirements(session: SessionDep, filters: FiltersDep) -> RequirementSummary:
    """Article 12(10)(a) invocations in force by the end of the period, and the governments that
    declared no licit need (filtered by substance, importing country or region)."""
    return await _computed(session, "pen-requirements", filters)  # type: ignore[return-value]


@router.get(
    "/region-flows", response_model=RegionFlowSummary, summary="Flows towards the region of concern"
)
async def region_flows(session: SessionDep, filters: FiltersDep) -> RegionFlowSummary:
    """PENs and shipments bound for `region` (default `concern`: Afghanistan and its neighbours),
    by month and by route (exporting → transit → importing country)."""
    return await _computed(session, "region-flows", filters)  # type: ignore[return-value]


@router.get(
    "/annual-report",
    summary="Annual report for one year and substance",
    responses={
        200: {
            "content": {
                "application/json": {},
                exports.XLSX_MEDIA_TYPE: {},
                "text/html": {},
            }
        }
    },
)
def report(
    request: Request,
    session: SessionDep,
    filters: FiltersDep,
    language: LanguageDep,
    format: Annotated[ReportFormat, Query(description="json, xlsx or html (printable)")] = (
        ReportFormat.XLSX
    ),
) -> Response:
    """The tables of INCB's annual precursors report for one year and substance (default acetic
    anhydride), as a workbook, a printable page, or JSON."""
    checked = filters.checked(session)
    built = annual_report(session, checked, language)
    stem = f"pentrack-annual-report-{_period_slug(filters)}"
    if format == ReportFormat.XLSX:
        _ = language.gettext
        # Every sheet says which filters made it: a filtered report must not look global.
        preface = [[f"{label}: {value}" for label, value in built.filters], [built.subtitle]]
        headline = exports.Table(
            _("Summary"),
            [_("Figure"), _("Value")],
            [[label, value] for label, value, _kind in built.headline],
            ["text", "quantity"],
        )
        body = exports.to_xlsx([headline, *built.sections], preface=preface)
        return _download(body, exports.XLSX_MEDIA_TYPE, f"{stem}.xlsx")
    if format == ReportFormat.HTML:
        return render(request, "annual_report.html", {"report": built, "lang": language})
    return Response(content=_report_json(built), media_type="application/json")


@router.get(
    "/{summary}/export",
    summary="Export one table of a summary",
    responses={200: {"content": {"text/csv": {}, exports.XLSX_MEDIA_TYPE: {}}}},
)
def export_table(
    session: SessionDep,
    filters: FiltersDep,
    language: LanguageDep,
    summary: SummaryName,
    table: Annotated[str, Query(max_length=40, description="e.g. by_exporting_country")],
    format: Annotated[ExportFormat, Query()] = ExportFormat.CSV,
) -> Response:
    """One table of a summary, with the same filters, as CSV (UTF-8) or XLSX."""
    kind = summaries.KINDS[summary.value]
    if table not in kind.tables:
        from fastapi.exceptions import RequestValidationError

        allowed = ", ".join(kind.tables)
        raise RequestValidationError(
            [{"loc": ("query", "table"), "msg": f"One of: {allowed}.", "type": "enum"}]
        )
    computed = summaries.compute(session, kind.name, filters)
    found = exports.tables_of(computed, {table: kind.tables[table]}, language.gettext)[table]
    stem = f"pentrack-{kind.name}-{table}-{_period_slug(filters)}"
    if format == ExportFormat.XLSX:
        return _download(exports.to_xlsx([found]), exports.XLSX_MEDIA_TYPE, f"{stem}.xlsx")
    return _download(exports.to_csv(found), exports.CSV_MEDIA_TYPE, f"{stem}.csv")


async def _computed(session: Session, name: str, filters: Filters) -> BaseModel:
    """Summary `name` in one worker-thread call: the filters' lookups, the statements, the
    folding, and the end of the read transaction. The endpoints calling it are async, so FastAPI
    validates their answer on the event loop, and the session dependency, finding no transaction
    left, closes the session there: a summary request crosses to a thread twice (the caller's
    token, this call) instead of five times."""
    return await run_in_threadpool(_read, summaries.compute, session, name, filters)


def _read(compute: Callable[..., T], session: Session, *args: Any) -> T:
    """`compute(session, *args)`, then the end of its read transaction (a summary writes
    nothing)."""
    try:
        return compute(session, *args)
    finally:
        session.rollback()


def _period_slug(filters: Filters) -> str:
    if filters.year is not None:
        return str(filters.year)
    return f"{filters.period.start.isoformat()}_{filters.period.end.isoformat()}"


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _report_json(built: object) -> str:
    import json
    from dataclasses import asdict

    return json.dumps(asdict(built), default=str)  # type: ignore[call-overload]
