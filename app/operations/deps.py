"""Path ids loaded into operations (404 when the caller's country does not take part)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.operations.models import Operation
from app.operations.service import get_operation_or_raise


def load_operation(operation_id: str, session: SessionDep, principal: CurrentUser) -> Operation:
    return get_operation_or_raise(session, principal, operation_id)


OperationDep = Annotated[Operation, Depends(load_operation)]
