"""`pentrack health …`: checks for container healthchecks and deployment scripts (exit 0 when
healthy, 1 with one line saying why otherwise)."""

import socket
from datetime import timedelta
from typing import Annotated

import typer

from app.core.config import get_settings
from app.core.db import build_engine

health_cli = typer.Typer(help="Health checks (for container healthchecks).", no_args_is_help=True)


@health_cli.command("schema")
def schema() -> None:
    """Exit 0 when the database schema is at the code's latest migration."""
    from app.core.migrations import head_revision, stored_revision

    engine = build_engine(get_settings())
    try:
        current = stored_revision(engine)
    finally:
        engine.dispose()
    if current != head_revision():
        typer.echo(f"schema at {current}, code at {head_revision()}", err=True)
        raise typer.Exit(1)
    typer.echo(f"schema at {current}")


@health_cli.command("worker")
def worker(
    max_age: Annotated[
        float, typer.Option(help="Seconds since the last heartbeat that still count as alive.")
    ] = 60.0,
    any_host: Annotated[
        bool, typer.Option(help="Any worker, not only one on this host (container).")
    ] = False,
) -> None:
    """Exit 0 when a worker on this host (the container) sent a heartbeat recently."""
    from sqlmodel import col, select

    from app.core.db import open_session
    from app.core.types import utcnow
    from app.delivery.models import WorkerHeartbeat

    engine = build_engine(get_settings())
    query = select(WorkerHeartbeat).where(
        col(WorkerHeartbeat.seen_at) >= utcnow() - timedelta(seconds=max_age)
    )
    if not any_host:
        # Worker names start with the host name (app/worker/runner.py).
        query = query.where(col(WorkerHeartbeat.name).startswith(socket.gethostname()[:40] + ":"))
    try:
        with open_session(engine) as session:
            alive = session.exec(query).all()
    finally:
        engine.dispose()
    if not alive:
        typer.echo(f"no worker heartbeat in the last {max_age:g} s", err=True)
        raise typer.Exit(1)
    typer.echo(", ".join(w.name for w in alive))
