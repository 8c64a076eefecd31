"""Path ids loaded into rules and flags."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.rules.flags import get_flag_or_raise
from app.rules.models import Flag


def load_flag(flag_id: str, session: SessionDep, principal: CurrentUser) -> Flag:
    return get_flag_or_raise(session, principal, flag_id)


def lock_flag(flag_id: str, session: SessionDep, principal: CurrentUser) -> Flag:
    return get_flag_or_raise(session, principal, flag_id, for_update=True)


FlagDep = Annotated[Flag, Depends(load_flag)]
LockedFlagDep = Annotated[Flag, Depends(lock_flag)]
