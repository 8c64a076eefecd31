"""An import: rows read in batches, each row checked as its single endpoint checks it, the good
ones recorded through the same flows (set-based for shipments), all in the caller's one
transaction. The entry points (router, CLI) commit it unless `finish` rolled it back.

Natural keys (a row whose key is already recorded, or appears earlier in the file, is a
duplicate and skipped): a shipment's customs reference within the recording country (the unique
key of `shipment`); an operator's registration number within its country, or its name within
its country when it has none; a border event's shipment, type and time.
"""

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from threading import Lock
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app import flows
from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.db import KEEP, release_loaded
from app.core.problems import Forbidden, Problem
from app.core.types import utcnow
from app.imports.readers import Row, Unreadable
from app.imports.schemas import ImportKind, ImportReport, RowError
from app.operators import service as operators
from app.operators.models import Operator
from app.operators.schemas import OperatorCreate
from app.shipments import bulk as shipments_bulk
from app.shipments import service as shipments
from app.shipments.checks import load_known, new_shipment
from app.shipments.exceptions import ShipmentNotFound
from app.shipments.models import Shipment, ShipmentEvent
from app.shipments.schemas import EventCreate, ShipmentCreate

BATCH_SIZE = 1000
MAX_LISTED_ERRORS = 1000
ALLOWED_ROLES = {
    ImportKind.OPERATORS: (Role.ADMIN, Role.REGULATOR, Role.CUSTOMS),
    ImportKind.SHIPMENTS: (Role.CUSTOMS,),
    ImportKind.EVENTS: (Role.CUSTOMS,),
}
# The columns of an events file that name the shipment (the rest is the endpoint's body).
SHIPMENT_COLUMNS = ("shipment_id", "customs_reference", "recorded_country")
SCHEMAS: dict[ImportKind, type[BaseModel]] = {
    ImportKind.OPERATORS: OperatorCreate,
    ImportKind.SHIPMENTS: ShipmentCreate,
    ImportKind.EVENTS: EventCreate,
}


def check_allowed(principal: Principal, kind: ImportKind) -> None:
    """The roles that may create one such record may import them (403 for the others)."""
    roles = ALLOWED_ROLES[kind]
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"Importing {kind.value} needs one of the roles: {allowed}.")


class Run:
    """One import's counts and errors."""

    def __init__(self, kind: ImportKind, *, dry_run: bool, partial: bool) -> None:
        self.kind, self.dry_run, self.partial = kind, dry_run, partial
        self.rows = self.created = self.skipped = self.invalid = 0
        self.errors: list[RowError] = []
        self.columns = set(SCHEMAS[kind].model_fields) | (
            set(SHIPMENT_COLUMNS) if kind == ImportKind.EVENTS else set()
        )

    def refuse(self, row: int, problems: list[tuple[str | None, str]]) -> None:
        self.invalid += 1
        for field, problem in problems:
            if len(self.errors) < MAX_LISTED_ERRORS + 1:
                self.errors.append(RowError(row=row, field=field, problem=problem))

    def refuse_problem(self, row: int, exc: Problem) -> None:
        self.refuse(row, [(self.field_of(exc.detail), exc.detail)])

    def field_of(self, message: str) -> str | None:
        """The column a message names first ("exporter_id: no operator …")."""
        head = message.removeprefix("Value error, ").split(" ", 1)[0].rstrip(":,")
        return head if head in self.columns else None

    def validate(self, row: int, data: dict[str, Any] | Unreadable, schema: type[Any]) -> Any:
        """The row as the endpoint's body, or None (its errors recorded)."""
        if isinstance(data, Unreadable):
            self.refuse(row, [(None, str(data))])
            return None
        try:
            return schema.model_validate(data)
        except ValidationError as exc:
            self.refuse(row, [self._pydantic(e) for e in exc.errors(include_url=False)])
            return None

    def _pydantic(self, error: Any) -> tuple[str | None, str]:
        loc = error.get("loc") or ()
        message = str(error["msg"])
        field = str(loc[0]) if loc else self.field_of(message)
        if error.get("type") == "extra_forbidden":
            message = "unknown column"
        return field, message

    def report(self, written: bool) -> ImportReport:
        return ImportReport(
            kind=self.kind,
            dry_run=self.dry_run,
            partial=self.partial,
            rows=self.rows,
            created=self.created if written or self.dry_run else 0,
            skipped_duplicates=self.skipped,
            invalid=self.invalid,
            written=written,
            errors=sorted(self.errors, key=lambda e: e.row)[:MAX_LISTED_ERRORS],
            errors_truncated=len(self.errors) > MAX_LISTED_ERRORS,
        )


def run_import(
    session: Session,
    principal: Principal,
    kind: ImportKind,
    rows: Iterable[Row],
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import `rows` as `principal` in the session's transaction; roll it back when nothing may
    be written (a dry run, or invalid rows without `partial`). The report says which."""
    check_allowed(principal, kind)
    # Rows a batch loads stay in the session until the batch is done (a request's session keeps
    # them anyway): the operators and PENs the checks read are then found by the rules.
    session.info.setdefault(KEEP, [])
    run = Run(kind, dry_run=dry_run, partial=partial)
    importer = {
        ImportKind.OPERATORS: _operators,
        ImportKind.SHIPMENTS: _shipments,
        ImportKind.EVENTS: _events,
    }[kind]
    with collecting_between_batches():
        for batch in _batches(iter(rows), batch_size):
            run.rows += len(batch)
            importer(session, principal, run, batch)
            session.flush()
            # What the batch loaded is not needed by the next one: memory stays bounded.
            release_loaded(session)
            gc.collect(1)
            if progress is not None:
                progress(len(batch))
    written = not dry_run and (partial or run.invalid == 0)
    if written:
        audit.record(
            session,
            principal,
            "import.completed",
            "import",
            kind.value,
            after={"rows": run.rows, "created": run.created, "skipped_duplicates": run.skipped,
                   "invalid": run.invalid},
        )  # fmt: skip
    else:
        session.rollback()
    return run.report(written)


_paused = 0
_paused_lock = Lock()
_was_enabled = False


@contextmanager
def collecting_between_batches() -> Iterator[None]:
    """The cyclic garbage collector paused while imports run, the import collecting the young
    generations itself after each batch (`gc.collect(1)`). A batch holds some 10^5 live
    objects, which each automatic collection walked again: a fifth of an import's CPU time.
    The collector is the process's: other requests meanwhile have their young garbage
    collected by the imports' collections, and the full collections resume when the last
    import ends."""
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


# --- shipments (set-based) ---------------------------------------------------------------


class _Clock:
    """Creation times that strictly increase along the file: each shipment is judged against
    the ones before it (`created_at <`), as if they had been recorded one by one."""

    def __init__(self) -> None:
        self.last: datetime | None = None

    def __call__(self) -> datetime:
        now = utcnow()
        if self.last is not None and now <= self.last:
            now = self.last + timedelta(microseconds=1)
        self.last = now
        return now


def _shipments(session: Session, principal: Principal, run: Run, batch: list[Row]) -> None:
    declared: list[tuple[int, ShipmentCreate]] = []
    for number, data in batch:
        body = run.validate(number, data, ShipmentCreate)
        if body is not None:
            declared.append((number, body))
    recorded = shipments_bulk.recorded_references(
        session, principal.country or "", (d.customs_reference for _, d in declared)
    )
    known = load_known(session, principal, (d for _, d in declared))
    clock = session.info.setdefault("pentrack.import_clock", _Clock())
    new = []
    for number, body in declared:
        if body.customs_reference in recorded:
            run.skipped += 1
            continue
        try:
            checked = new_shipment(session, principal, body, known, clock())
        except Problem as exc:
            run.refuse_problem(number, exc)
            continue
        recorded.add(body.customs_reference)  # a later row with the same key is a duplicate
        new.append(checked)
    if new:
        flows.record_shipments(session, principal, new)
        run.created += len(new)


# --- operators ---------------------------------------------------------------------------


def _operator_key(body: OperatorCreate) -> tuple[str, str, str]:
    if body.registration_number:
        return (body.country, "registration_number", body.registration_number)
    return (body.country, "name", body.name)


def _recorded_operators(session: Session, bodies: list[OperatorCreate]) -> set[tuple[str, ...]]:
    countries = {b.country for b in bodies}
    numbers = {b.registration_number for b in bodies if b.registration_number}
    names = {b.name for b in bodies if not b.registration_number}
    found: set[tuple[str, ...]] = set()
    if numbers:
        query = select(Operator.country, Operator.registration_number).where(
            col(Operator.country).in_(countries), col(Operator.registration_number).in_(numbers)
        )
        found |= {(c, "registration_number", n) for c, n in session.exec(query) if n}
    if names:
        query = select(Operator.country, Operator.name).where(
            col(Operator.country).in_(countries), col(Operator.name).in_(names)
        )
        found |= {(c, "name", n) for c, n in session.exec(query)}
    return found


def _operators(session: Session, principal: Principal, run: Run, batch: list[Row]) -> None:
    bodies = [(n, b) for n, data in batch if (b := run.validate(n, data, OperatorCreate))]
    recorded = _recorded_operators(session, [b for _, b in bodies])
    for number, body in bodies:
        key = _operator_key(body)
        if key in recorded:
            run.skipped += 1
            continue
        try:
            operators.create_operator(session, principal, body)
        except Problem as exc:
            run.refuse_problem(number, exc)
            continue
        recorded.add(key)
        run.created += 1


# --- border events -----------------------------------------------------------------------


def _events(session: Session, principal: Principal, run: Run, batch: list[Row]) -> None:
    for number, data in batch:
        names: dict[str, Any] = {}
        if isinstance(data, dict):
            data = dict(data)
            names = {c: data.pop(c) for c in SHIPMENT_COLUMNS if c in data}
        body = run.validate(number, data, EventCreate)
        if body is None:
            continue
        try:
            shipment = _event_shipment(session, principal, names)
            if _event_recorded(session, shipment.id, body):
                run.skipped += 1
                continue
            flows.record_shipment_event(session, principal, shipment, body)
        except Problem as exc:
            run.refuse_problem(number, exc)
            continue
        run.created += 1


def _event_shipment(session: Session, principal: Principal, names: dict[str, Any]) -> Shipment:
    """The shipment a row names, by `shipment_id`, or by `customs_reference` within
    `recorded_country` (default: the importer's country), locked as the single endpoint locks
    it; 404's problem when the caller may not see it."""
    if names.get("shipment_id"):
        shipment_id = str(names["shipment_id"])
        try:
            return shipments.get_shipment_or_raise(session, principal, shipment_id, for_update=True)
        except ShipmentNotFound as exc:
            raise ShipmentNotFound(f"shipment_id: no shipment with id {shipment_id!r}.") from exc
    reference = names.get("customs_reference")
    if not reference:
        raise ShipmentNotFound("shipment_id: give shipment_id or customs_reference.")
    country = str(names.get("recorded_country") or principal.country or "").upper()
    found = session.exec(
        select(Shipment.id).where(
            Shipment.recorded_country == country, Shipment.customs_reference == str(reference)
        )
    ).first()
    missing = ShipmentNotFound(
        f"customs_reference: no shipment {reference!r} recorded in {country}."
    )
    if found is None:
        raise missing
    try:
        return shipments.get_shipment_or_raise(session, principal, found, for_update=True)
    except ShipmentNotFound as exc:
        raise missing from exc  # one answer whether it is missing or not the caller's to see


def _event_recorded(session: Session, shipment_id: str, body: EventCreate) -> bool:
    return (
        session.exec(
            select(ShipmentEvent.id).where(
                ShipmentEvent.shipment_id == shipment_id,
                ShipmentEvent.type == body.type.value,
                ShipmentEvent.occurred_at == body.occurred_at,
            )
        ).first()
        is not None
    )
