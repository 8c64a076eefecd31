"""Operators: the companies named on notifications and shipments."""

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import NotFound, UnknownReference
from app.operators.models import Operator
from app.operators.schemas import OperatorCreate, OperatorPublic
from app.reference.service import require_countries


class OperatorNotFound(NotFound):
    type = "operator-not-found"
    title = "Operator not found"


class UnknownOperator(UnknownReference):
    type = "unknown-operator"
    title = "Unknown operator"


def create_operator(session: Session, actor: Principal, data: OperatorCreate) -> Operator:
    """Register a company (an exporting regulator may register the foreign importer it names)."""
    require_countries(session, [data.country])
    operator = Operator(
        id=new_id(),
        **data.model_dump(exclude={"kind"}),
        kind=data.kind.value if data.kind else None,
        created_by_authority_id=actor.authority_id,
    )
    session.add(operator)
    session.flush()
    audit.record(
        session,
        actor,
        "operator.created",
        "operator",
        operator.id,
        after=OperatorPublic.model_validate(operator).model_dump(mode="json"),
    )
    return operator


def get_operator_or_raise(session: Session, operator_id: str) -> Operator:
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise OperatorNotFound(f"No operator with id {operator_id!r}.")
    return operator


def require_operators(session: Session, **ids: str | None) -> dict[str, Operator]:
    """Load the operators named by field (`exporter_id=…`), or name the field that is unknown."""
    wanted = {field: value for field, value in ids.items() if value}
    found = {
        op.id: op
        for op in session.exec(select(Operator).where(col(Operator.id).in_(set(wanted.values()))))
    }
    for field, value in wanted.items():
        if value not in found:
            raise UnknownOperator(f"{field}: no operator with id {value!r}.")
    return {field: found[value] for field, value in wanted.items()}


def list_operators(
    session: Session, *, country: str | None, name: str | None, limit: int, cursor: str | None
) -> Page[Operator]:
    query = select(Operator)
    if country:
        query = query.where(Operator.country == country)
    if name:
        query = query.where(col(Operator.name).ilike(f"%{name}%"))
    return paginate(session, query, col(Operator.id), limit=limit, cursor=cursor)
