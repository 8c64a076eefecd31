"""The `pentrack` command."""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from app.auth.roles import Role
from app.auth.service import DEFAULT_TOKEN_DAYS
from app.core.config import get_settings
from app.core.db import build_engine, open_session
from app.health_cli import health_cli
from app.imports.readers import ImportFormat
from app.imports.schemas import ImportKind

cli = typer.Typer(
    help="pentrack: pre-export notifications and precursor alerts.",
    no_args_is_help=True,
    # Failures are one line (main); `--debug` shows the traceback.
    pretty_exceptions_enable=False,
)
token_cli = typer.Typer(help="Manage bearer tokens.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")
audit_cli = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
node_cli = typer.Typer(help="This node among pentrack nodes.", no_args_is_help=True)
cli.add_typer(node_cli, name="node")
cli.add_typer(health_cli, name="health")
entities_cli = typer.Typer(help="Resolve operators into entities.", no_args_is_help=True)
cli.add_typer(entities_cli, name="entities")


@cli.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """pentrack: pre-export notifications and precursor alerts."""
    # Read by main(): without it a failure is one line on stderr.


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

    from app.core.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        # pentrack's own format for uvicorn's lines too (app/core/logs.py).
        log_config=None,
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

    from app.core.http import build_http_client
    from app.core.logs import configure_logging
    from app.worker.runner import Worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
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
    role: Annotated[
        Role,
        typer.Option(help="admin, regulator, customs, law_enforcement, analyst or industry."),
    ],
    authority: Annotated[
        str | None,
        typer.Option(help="Authority id (required for regulator, customs, law_enforcement)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name for the user.")] = None,
    operator: Annotated[
        str | None, typer.Option(help="Operator id (required for industry, and only for it).")
    ] = None,
    expires_in_days: Annotated[
        int, typer.Option(help="Days until the token is refused (1 to 3650).")
    ] = DEFAULT_TOKEN_DAYS,
) -> None:
    """Create a user and print its bearer token, alone on the last line."""
    from app.auth.service import create_user
    from app.core.problems import Problem

    engine = build_engine(get_settings())
    with open_session(engine, write=True) as session:
        try:
            user, token = create_user(
                session,
                role=role,
                authority_id=authority,
                name=name,
                expires_in_days=expires_in_days,
                operator_id=operator,
            )
        except Problem as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(2) from exc
        session.commit()
    engine.dispose()
    expires = user.expires_at.date().isoformat() if user.expires_at else "never"
    typer.echo(f"created {user.role} user {user.name} ({user.id}), expires {expires}")
    typer.echo(token)


@token_cli.command("list")
def token_list() -> None:
    """Every token: id, name, role, authority, created, last used, expires, status (never the
    secret)."""
    from sqlmodel import col, select

    from app.auth.models import User
    from app.auth.service import token_status

    def day(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    engine = build_engine(get_settings())
    with open_session(engine) as session:
        users = session.exec(select(User).order_by(col(User.created_at), col(User.id))).all()
        rows = [
            (
                u.id,
                u.name,
                u.role,
                u.authority_id or "-",
                day(u.created_at),
                day(u.last_used_at),
                day(u.expires_at),
                token_status(u),
            )
            for u in users
        ]
    engine.dispose()
    header = ("id", "name", "role", "authority", "created", "last used", "expires", "status")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@token_cli.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (token list).")],
) -> None:
    """Refuse a token from now on (its user's browser sessions end too)."""
    from app.auth.service import TokenNotFound, get_user_or_raise, revoke_user

    engine = build_engine(get_settings())
    with open_session(engine, write=True) as session:
        try:
            user = revoke_user(session, None, get_user_or_raise(session, token_id))
        except TokenNotFound as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(2) from exc
        session.commit()
    engine.dispose()
    typer.echo(f"revoked {user.id} ({user.name})")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the audit hash chain; exit 1 naming the first row changed, removed or inserted out
    of band."""
    from app.audit.chain import verify

    engine = build_engine(get_settings())
    with engine.connect() as connection:
        checked, broken = verify(connection)
    engine.dispose()
    if broken is not None:
        typer.echo(
            f"audit chain broken at row {broken.audit_id}: {broken.reason} "
            f"({checked} rows before it are intact)",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {checked} rows")


@entities_cli.command("resolve")
def entities_resolve() -> None:
    """Resolve every operator into entities again, from scratch (investigators' decisions
    kept); new operators are otherwise resolved as entities are read and the rules judge."""
    from time import perf_counter

    from app.investigations.entities import resolve_all

    engine = build_engine(get_settings())
    started = perf_counter()
    with open_session(engine, write=True) as session:
        count = resolve_all(session)
        session.commit()
    engine.dispose()
    typer.echo(f"{count} entities in {perf_counter() - started:.1f} s")


@node_cli.command("keygen")
def node_keygen() -> None:
    """Print a new ed25519 key pair for node messages: the private key as the setting to put in
    this node's environment, and the public key to give the peers' admins."""
    from app.delivery.signing import generate_signing_key

    private, public = generate_signing_key()
    typer.echo(f"PENTRACK_NODE_SIGNING_KEY={private}")
    typer.echo(f"public_key={public}")


@cli.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A .csv, .xlsx or .ndjson file.", dir_okay=False)],
    kind: Annotated[ImportKind, typer.Option(help="operators, shipments or events.")],
    authority: Annotated[str, typer.Option(help="The authority recording the rows (its id).")],
    dry_run: Annotated[bool, typer.Option(help="Check every row; write nothing.")] = False,
    partial: Annotated[
        bool, typer.Option(help="Keep the good rows when some are invalid.")
    ] = False,
    format: Annotated[
        ImportFormat | None, typer.Option(help="csv, xlsx or ndjson (default: from the name).")
    ] = None,
    json_report: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import operators, shipments or border events as an authority would record them: every
    row checked as the single endpoint checks it; all or nothing unless --partial; a row
    already recorded (same natural key) is skipped. Exit 1 when rows are invalid."""
    from app.imports.cli import run_file_import

    code = run_file_import(
        file, kind, authority, dry_run=dry_run, partial=partial, fmt=format, as_json=json_report
    )
    if code:
        raise typer.Exit(code)


def main() -> None:
    from app.core.errors import one_line

    debug = "--debug" in sys.argv[1:]
    try:
        cli(standalone_mode=True)
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"error: {one_line(exc)} (run with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
