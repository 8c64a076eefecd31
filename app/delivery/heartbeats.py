"""Worker heartbeats: each worker process records that it is alive (`/metrics`,
`pentrack health worker`) and removes its row when it stops cleanly."""

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.core.db import open_session
from app.core.types import utcnow
from app.delivery.models import WorkerHeartbeat
from app.delivery.service import relax_commit


def beat(engine: Engine, worker: str, started_at: datetime) -> None:
    """Record that `worker` is alive now (`/metrics` shows each worker's last heartbeat)."""
    now = utcnow()
    with open_session(engine, write=True) as session:
        relax_commit(session.connection())
        moved = session.execute(
            update(WorkerHeartbeat).where(col(WorkerHeartbeat.name) == worker).values(seen_at=now)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            session.add(WorkerHeartbeat(name=worker, started_at=started_at, seen_at=now))
            # A new worker clears the rows of workers killed more than a day ago.
            session.execute(
                delete(WorkerHeartbeat).where(
                    col(WorkerHeartbeat.seen_at) < now - timedelta(days=1)
                )
            )
        session.commit()


def forget_worker(engine: Engine, worker: str) -> None:
    """A worker that stops cleanly leaves no heartbeat behind (a killed one's grows old)."""
    with open_session(engine, write=True) as session:
        session.execute(delete(WorkerHeartbeat).where(col(WorkerHeartbeat.name) == worker))
        session.commit()
