"""Path ids loaded into notifications (404 when invisible to the caller)."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from app.auth.deps import CurrentUser
from app.auth.service import Principal
from app.core.db import SessionDep
from app.notifications.models import PreExportNotification
from app.notifications.service import get_notification_or_raise


def load_notification(
    notification_id: str, session: SessionDep, principal: CurrentUser
) -> PreExportNotification:
    return get_notification_or_raise(session, principal, notification_id)


def lock_notification(
    notification_id: str, session: Session, principal: Principal
) -> PreExportNotification:
    """The PEN, locked for update (404 when invisible to the caller): two concurrent replies to
    one PEN serialise, and the second sees the first's status. Called in the endpoint's body
    (`one_thread`), not as a dependency, so that the lock costs no thread-pool call of its own."""
    return get_notification_or_raise(session, principal, notification_id, for_update=True)


NotificationDep = Annotated[PreExportNotification, Depends(load_notification)]
