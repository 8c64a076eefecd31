"""Rules (admin writes) and flags (officers of the countries concerned)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import flows
from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep
from app.core.headers import IfMatch, check_if_match, locate, tag
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.rules import flags, service
from app.rules.deps import FlagDep, LockedFlagDep
from app.rules.facts import FACTS
from app.rules.models import Rule
from app.rules.schemas import (
    DryRunRequest,
    DryRunResult,
    FactPublic,
    FlagCreate,
    FlagDetail,
    FlagPublic,
    RuleCreate,
    RuleDefinitionIn,
    RuleDetail,
    RulePublic,
    RuleUpdate,
    SubjectType,
    TriageRequest,
)
from app.rules.states import FlagStatus, Severity

rules_router = APIRouter(prefix="/rules", tags=["rules"], responses=problem_responses(401))
flags_router = APIRouter(prefix="/flags", tags=["flags"], responses=problem_responses(401))


@rules_router.get("", response_model=ListResponse[RulePublic], summary="List rules")
def list_rules(
    session: SessionDep,
    _: CurrentUser,
    subject_type: SubjectType | None = None,
) -> dict:
    """The current version of every rule."""
    return {"items": service.current_rules(session, subject_type), "next_cursor": None}


@rules_router.get("/facts", response_model=ListResponse[FactPublic], summary="Facts rules may read")
def list_facts(_: CurrentUser) -> dict:
    """The facts a rule condition or explanation may name, and for which subjects."""
    items = [
        FactPublic(
            name=name, type=spec.type, description=spec.description, subjects=sorted(spec.subjects)
        )
        for name, spec in FACTS.items()
    ]
    return {"items": items, "next_cursor": None}


@rules_router.post(
    "",
    response_model=RulePublic,
    status_code=201,
    responses=problem_responses(403, 409, 422),
    summary="Create a rule",
)
def create_rule(
    data: RuleCreate, session: SessionDep, admin: AdminUser, request: Request, response: Response
) -> Rule:
    """Add a rule; unknown facts or malformed conditions are refused here (422)."""
    rule = service.create_rule(session, admin, data)
    locate(response, request, "get_rule", code=rule.code)
    return rule


@rules_router.post(
    "/dry-run",
    response_model=DryRunResult,
    responses=problem_responses(403, 404, 422),
    summary="Dry-run a rule against history",
)
def dry_run(data: DryRunRequest, session: SessionDep, _: AdminUser) -> DryRunResult:
    """Which stored PENs or shipments (newest first, up to `limit`) the rule would flag."""
    return service.dry_run(session, data)


@rules_router.get(
    "/{code}", response_model=RuleDetail, responses=problem_responses(404), summary="Get a rule"
)
def get_rule(code: str, session: SessionDep, _: CurrentUser, response: Response) -> RuleDetail:
    """A rule's current version and all its versions."""
    detail = _detail(session, code)
    tag(response, detail)
    return detail


def _detail(session: SessionDep, code: str) -> RuleDetail:
    rule = service.get_rule_or_raise(session, code)
    return RuleDetail(
        **RulePublic.model_validate(rule).model_dump(),
        versions=[RulePublic.model_validate(v) for v in service.versions_of(session, code)],
    )


@rules_router.post(
    "/{code}/versions",
    response_model=RulePublic,
    status_code=201,
    responses=problem_responses(403, 404, 422),
    summary="Edit a rule (new version)",
)
def add_version(
    code: str,
    data: RuleDefinitionIn,
    session: SessionDep,
    admin: AdminUser,
    request: Request,
    response: Response,
) -> Rule:
    """The new definition becomes current; flags keep naming the version that raised them."""
    rule = service.add_version(session, admin, code, data)
    locate(response, request, "get_rule", code=rule.code)
    return rule


@rules_router.patch(
    "/{code}",
    response_model=RulePublic,
    responses=problem_responses(403, 404, 412, 422),
    summary="Enable or disable a rule",
)
def update_rule(
    code: str,
    data: RuleUpdate,
    session: SessionDep,
    admin: AdminUser,
    response: Response,
    if_match: IfMatch = None,
) -> Rule:
    """Enable or disable the current version."""
    if if_match is not None:
        check_if_match(if_match, _detail(session, code))
    rule = service.set_enabled(session, admin, code, data.enabled)
    tag(response, _detail(session, code))
    return rule


@flags_router.get("", response_model=ListResponse[FlagPublic], summary="List flags")
def list_flags(
    session: SessionDep,
    principal: CurrentUser,
    status: FlagStatus | None = None,
    severity: Severity | None = None,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    subject_id: Annotated[str | None, Query(max_length=32)] = None,
    subject_type: SubjectType | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """Flags on PENs and shipments the caller may see, newest first."""
    page = flags.list_flags(
        session,
        principal,
        status=status,
        severity=severity.value if severity else None,
        rule=rule,
        subject_id=subject_id,
        subject_type=subject_type,
        limit=limit,
        cursor=cursor,
    )
    return flags.to_public_page(session, page)


@flags_router.post(
    "",
    response_model=FlagDetail,
    status_code=201,
    responses=problem_responses(403, 404, 422),
    summary="Raise a manual flag",
)
def raise_flag(
    data: FlagCreate,
    session: SessionDep,
    principal: CurrentUser,
    request: Request,
    response: Response,
) -> FlagDetail:
    """An officer's own suspicion about a PEN or shipment their country is party to."""
    flag = flows.raise_manual_flag(session, principal, data)
    locate(response, request, "get_flag", flag_id=flag.id)
    return flags.to_detail(session, flag)


@flags_router.get(
    "/{flag_id}", response_model=FlagDetail, responses=problem_responses(404), summary="Get a flag"
)
def get_flag(flag: FlagDep, session: SessionDep) -> FlagDetail:
    """One flag with its triage history."""
    return flags.to_detail(session, flag)


@flags_router.post(
    "/{flag_id}/triage",
    response_model=FlagDetail,
    responses=problem_responses(403, 404, 409, 422),
    summary="Triage a flag",
)
def triage_flag(
    data: TriageRequest, flag: LockedFlagDep, session: SessionDep, principal: CurrentUser
) -> FlagDetail:
    """open → under_review → confirmed | dismissed, with a note."""
    return flags.to_detail(session, flows.triage_flag(session, principal, flag, data))
