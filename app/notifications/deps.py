"""Path ids loaded into notifications (404 when invisible to the caller)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.notifications.models import PreExportNotification
from app.notifications.service import get_notification_or_raise


def load_notification(
    notification_id: str, session: SessionDep, principal: CurrentUser
) -> PreExportNotification:
    return get_notification_or_raise(session, principal, notification_id)


def lock_notification(
    notification_id: str, session: SessionDep, principal: CurrentUser
) -> PreExportNotification:
    # Row lock: two concurrent replies to one PEN serialise, and the second sees the first's status.
    return get_notification_or_raise(session, principal, notification_id, for_update=True)


NotificationDep = Annotated[PreExportNotification, Depends(load_notification)]
LockedNotificationDep = Annotated[PreExportNotification, Depends(lock_notification)]
