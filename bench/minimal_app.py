"""The baseline: validate a PEN-like body with pydantic and insert one row, nothing else.

No authentication, no audit, no lookups, no middleware: what any FastAPI endpoint writing one
row pays. The database gets the same server settings as pentrack (SQLite: WAL,
synchronous=NORMAL, a busy timeout; both: the same pool size), so the ratio measures the
application's work, not a different database setup.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import Engine
from sqlmodel import Field as SQLModelField
from sqlmodel import Session, SQLModel

Country = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")
]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Unit(StrEnum):
    KG = "kg"
    G = "g"
    T = "t"
    L = "l"
    ML = "ml"


class PenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exporting_country: Country
    importing_country: Country
    transit_countries: list[Country] = Field(default_factory=list, max_length=20)
    exporter_id: Text200
    importer_id: Text200
    consignee_id: Text200 | None = None
    substance: Annotated[str, Field(max_length=14, pattern=r"^\d{2,7}-\d{2}-\d$")]
    quantity: Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), decimal_places=3)]
    unit: Unit
    expected_dispatch_date: date
    expected_point_of_entry: Text200
    mode_of_transport: Text200
    means_of_payment: Text200
    intended_use: Annotated[str, StringConstraints(max_length=2000)] | None = None
    reply_by: date | None = None


class PenOut(PenIn):
    id: str
    status: str
    created_at: datetime


def build_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


class BenchPen(SQLModel, table=True):
    """The row both endpoints write: the PEN columns a draft needs."""

    __tablename__ = "bench_pen"

    id: str = SQLModelField(primary_key=True, max_length=32)
    status: str = SQLModelField(max_length=24)
    exporting_country: str = SQLModelField(max_length=2)
    importing_country: str = SQLModelField(max_length=2)
    transit_countries: list[str] = SQLModelField(sa_column=Column(JSON, nullable=False))
    exporter_id: str = SQLModelField(max_length=32)
    importer_id: str = SQLModelField(max_length=32)
    consignee_id: str | None = SQLModelField(default=None, max_length=32)
    cas_number: str = SQLModelField(max_length=12)
    quantity: Decimal = SQLModelField(max_digits=15, decimal_places=3)
    unit: str = SQLModelField(max_length=3)
    expected_dispatch_date: date
    expected_point_of_entry: str = SQLModelField(max_length=200)
    mode_of_transport: str = SQLModelField(max_length=20)
    means_of_payment: str = SQLModelField(max_length=40)
    intended_use: str | None = SQLModelField(default=None, max_length=500)
    reply_by: date | None = None
    created_at: datetime = SQLModelField(sa_column=Column(DateTime(timezone=True), nullable=False))


def _row(data: PenIn) -> dict[str, Any]:
    return {
        **data.model_dump(exclude={"substance", "unit"}),
        "id": uuid.uuid4().hex,
        "status": "draft",
        "cas_number": data.substance,
        "unit": data.unit.value,
        "created_at": datetime.now(UTC),
    }


def create_app() -> FastAPI:
    engine = build_engine(os.environ["BENCH_DATABASE_URL"])
    SQLModel.metadata.create_all(engine)
    app = FastAPI(title="minimal write")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if os.environ.get("BENCH_MINIMAL", "core") == "sqlmodel":
        add_sqlmodel_endpoint(app, engine)
        return app

    @app.post("/pens", status_code=201, response_model=PenOut)
    def create_pen(data: PenIn) -> PenOut:
        row = _row(data)
        with engine.begin() as connection:
            connection.execute(insert(BenchPen.__table__), row)  # type: ignore[attr-defined]
        return PenOut(
            **data.model_dump(), id=row["id"], status="draft", created_at=row["created_at"]
        )

    return app


def add_sqlmodel_endpoint(app: FastAPI, engine: Engine) -> None:
    """`POST /pens` as the SQLModel tutorial writes it: a session dependency, a table model
    validated from the body, add, commit, refresh."""

    def get_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    SessionDep = Annotated[Session, Depends(get_session)]

    @app.post("/pens", status_code=201, response_model=PenOut)
    def create_pen(data: PenIn, session: SessionDep) -> PenOut:
        pen = BenchPen.model_validate(_row(data))
        session.add(pen)
        session.commit()
        session.refresh(pen)
        return PenOut(**data.model_dump(), id=pen.id, status=pen.status, created_at=pen.created_at)
