"""The `pentrack` command."""

from typing import Annotated

import typer

from app.auth.roles import Role
from app.core.config import get_settings
from app.core.db import build_engine, open_session

cli = typer.Typer(
    help="pentrack: pre-export notifications and precursor alerts.", no_args_is_help=True
)
token_cli = typer.Typer(help="Manage bearer tokens.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")


@cli.command()
def migrate() -> None:
    """Bring the database schema to the latest migration (safe to run twice)."""
    from app.core import migrations

    url = get_settings().database_url
    migrations.upgrade(url)
    typer.echo(f"schema at {migrations.head_revision()}")


@cli.command()
def seed(
    demo: Annotated[bool, typer.Option(help="Also add a demo year of activity.")] = False,
    scale: Annotated[int, typer.Option(min=1, max=10_000, help="Multiply the demo data set.")] = 1,
) -> None:
    """Load reference data (countries, substances, PEN requirements), built-in rules and
    default routing; idempotent."""
    from app.alerts.defaults import seed_default_routing
    from app.rules.service import seed_builtin_rules
    from seed.loader import seed_reference

    engine = build_engine(get_settings())
    counts = seed_reference(engine)
    with open_session(engine, write=True) as session:
        counts.update(seed_builtin_rules(session))
        counts["routing rules added"] = seed_default_routing(session)
        session.commit()
    typer.echo("reference data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if demo:
        from seed.demo import seed_demo

        seed_demo(engine, scale=scale, echo=typer.echo)
    engine.dispose()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API, /docs and the dashboard."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=get_settings().log_level,
        proxy_headers=True,
        # pentrack writes the access log itself, one line per request with its X-Request-ID.
        access_log=False,
    )


@cli.command()
def worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then exit.")] = False,
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=64, help="Parallel sends (default from settings).")
    ] = None,
) -> None:
    """Deliver pending alerts (webhooks and peer nodes) until SIGTERM/SIGINT."""
    import signal
    import threading

    from app.alerts.worker import Worker
    from app.core.http import build_http_client

    settings = get_settings()
    if concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})
    engine = build_engine(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with build_http_client(settings, concurrency=settings.worker_concurrency) as client:
        sender = Worker(engine, settings, client)
        typer.echo(f"worker {sender.name} started", err=True)
        try:
            sent = sender.run_once() if once else sender.run(stop)
        finally:
            sender.close()
    engine.dispose()
    typer.echo(f"worker {sender.name} stopped after {sent} attempts", err=True)


@token_cli.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="admin, regulator, customs or analyst.")],
    authority: Annotated[
        str | None, typer.Option(help="Authority id (required for regulator and customs).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name for the user.")] = None,
) -> None:
    """Create a user and print its bearer token, alone on the last line."""
    from app.auth.service import create_user
    from app.core.problems import Problem

    engine = build_engine(get_settings())
    with open_session(engine, write=True) as session:
        try:
            user, token = create_user(session, role=role, authority_id=authority, name=name)
        except Problem as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(2) from exc
        session.commit()
    engine.dispose()
    typer.echo(f"created {user.role} user {user.name} ({user.id})")
    typer.echo(token)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
