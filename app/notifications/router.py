"""Pre-export notifications (Article 12(10)(a))."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import flows
from app.auth.deps import CurrentUser, RegulatorUser
from app.core.db import SessionDep, SettingsDep
from app.core.fields import CasNumber, CountryCode
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.notifications import service
from app.notifications.deps import LockedNotificationDep, NotificationDep
from app.notifications.schemas import (
    AnswerRequest,
    ConfirmArrivalRequest,
    NotificationCreate,
    NotificationDetail,
    NotificationPublic,
    RespondRequest,
    WithdrawRequest,
)
from app.notifications.states import Action, PenStatus

router = APIRouter(
    prefix="/pre-export-notifications",
    tags=["pre-export notifications"],
    responses=problem_responses(401),
)
TRANSITION_ERRORS = problem_responses(403, 404, 409, 422)


@router.post(
    "",
    response_model=NotificationDetail,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="Draft a notification",
)
def create_notification(
    data: NotificationCreate,
    session: SessionDep,
    regulator: RegulatorUser,
    request: Request,
    response: Response,
) -> NotificationDetail:
    """Draft a PEN as the exporting country's regulator; it stays private until sent."""
    pen = flows.create_notification(session, regulator, data)
    locate(response, request, "get_notification", notification_id=pen.id)
    return service.to_detail(session, pen)


@router.get("", response_model=ListResponse[NotificationPublic], summary="List notifications")
def list_notifications(
    session: SessionDep,
    principal: CurrentUser,
    status: PenStatus | None = None,
    exporting_country: CountryCode | None = None,
    importing_country: CountryCode | None = None,
    substance: CasNumber | None = None,
    reference: Annotated[str | None, Query(max_length=32)] = None,
    reply_overdue: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """The notifications the caller may read, newest first."""
    page = service.list_notifications(
        session,
        principal,
        status=status,
        exporting_country=exporting_country,
        importing_country=importing_country,
        substance=substance,
        reference=reference,
        reply_overdue=reply_overdue,
        limit=limit,
        cursor=cursor,
    )
    return service.to_public_page(session, page)


@router.get(
    "/{notification_id}",
    response_model=NotificationDetail,
    responses=problem_responses(404),
    summary="Get a notification",
)
def get_notification(pen: NotificationDep, session: SessionDep) -> NotificationDetail:
    """One notification with its history of messages."""
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/send",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Send a draft",
)
def send(
    pen: LockedNotificationDep, session: SessionDep, principal: CurrentUser, settings: SettingsDep
) -> NotificationDetail:
    """Send the draft to the importing authority; sets `sent_at` and `reply_by`."""
    pen = flows.transition_notification(session, settings, principal, pen, Action.SEND)
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/acknowledge",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Acknowledge receipt",
)
def acknowledge(
    pen: LockedNotificationDep,
    session: SessionDep,
    principal: CurrentUser,
    settings: SettingsDep,
) -> NotificationDetail:
    """Acknowledge receipt as the importing country's regulator."""
    pen = flows.transition_notification(session, settings, principal, pen, Action.ACKNOWLEDGE)
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/respond",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Reply to a notification",
)
def respond(
    data: RespondRequest,
    pen: LockedNotificationDep,
    session: SessionDep,
    principal: CurrentUser,
    settings: SettingsDep,
) -> NotificationDetail:
    """No objection, objection (with reason) or a request for information (with reason)."""
    pen = flows.transition_notification(
        session,
        settings,
        principal,
        pen,
        Action.RESPOND,
        decision=data.decision,
        text=data.reason,
    )
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/answer",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Answer a request for information",
)
def answer(
    data: AnswerRequest,
    pen: LockedNotificationDep,
    session: SessionDep,
    principal: CurrentUser,
    settings: SettingsDep,
) -> NotificationDetail:
    """Answer the importing authority's questions; the notification is pending again."""
    pen = flows.transition_notification(
        session, settings, principal, pen, Action.ANSWER, text=data.message
    )
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/withdraw",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Withdraw a notification",
)
def withdraw(
    data: WithdrawRequest,
    pen: LockedNotificationDep,
    session: SessionDep,
    principal: CurrentUser,
    settings: SettingsDep,
) -> NotificationDetail:
    """Withdraw the notification (the export will not take place as notified)."""
    pen = flows.transition_notification(
        session, settings, principal, pen, Action.WITHDRAW, text=data.reason
    )
    return service.to_detail(session, pen)


@router.post(
    "/{notification_id}/confirm-arrival",
    response_model=NotificationDetail,
    responses=TRANSITION_ERRORS,
    summary="Confirm arrival",
)
def confirm_arrival(
    data: ConfirmArrivalRequest,
    pen: LockedNotificationDep,
    session: SessionDep,
    principal: CurrentUser,
) -> NotificationDetail:
    """Record receipt as the importing country's regulator; a quantity more than 5 % off the
    notified one raises a flag."""
    return service.to_detail(session, flows.confirm_arrival(session, principal, pen, data))
