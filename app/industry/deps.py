"""Path ids loaded into industry reports (404 when invisible to the caller)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.industry.models import IndustryReport
from app.industry.service import get_report_or_raise


def load_report(report_id: str, session: SessionDep, principal: CurrentUser) -> IndustryReport:
    return get_report_or_raise(session, principal, report_id)


def lock_report(report_id: str, session: SessionDep, principal: CurrentUser) -> IndustryReport:
    return get_report_or_raise(session, principal, report_id, for_update=True)


IndustryReportDep = Annotated[IndustryReport, Depends(load_report)]
LockedIndustryReportDep = Annotated[IndustryReport, Depends(lock_report)]
