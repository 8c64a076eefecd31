"""Databases, the `pentrack` command and uvicorn servers for the benchmarks."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file in `workdir`, or a PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    server = os.environ.get("PENTRACK_BENCH_POSTGRES_URL", POSTGRES_SERVER)
    name = f"pentrack_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pentrack(database_url: str, workdir: Path, *args: str) -> str:
    """Run the `pentrack` command against `database_url`; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        cwd=workdir,
        env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pentrack {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def create_token(database_url: str, workdir: Path, role: str, authority: str | None = None) -> str:
    args = ["token", "create", "--role", role]
    if authority:
        args += ["--authority", authority]
    return pentrack(database_url, workdir, *args).strip().splitlines()[-1]


class Server:
    """A uvicorn process (1 worker, 127.0.0.1, a free port), stopped by its pid."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=log.parent,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the server has used so far (Linux), or None."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base_url + path, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def serve_pentrack(
    database_url: str, workdir: Path, factory: str | None = None, **env: str
) -> Server:
    """`pentrack serve` as a user would start it (or `factory` served the same way)."""
    port = free_port()
    if factory is None:
        command = [sys.executable, "-c", "from app.cli import main; main()", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    else:
        # pentrack writes its own access log line (`pentrack serve` turns uvicorn's off).
        command = [*uvicorn_command(factory, port), "--no-access-log"]
    env = {**os.environ, **env, "PENTRACK_DATABASE_URL": database_url}
    server = Server(command, env, workdir / f"pentrack-serve-{port}.log", port)
    server.wait_ready("/readyz")
    return server


def uvicorn_command(factory: str, port: int) -> list[str]:
    """uvicorn with the options `pentrack serve` passes (1 worker, its log level)."""
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--proxy-headers"]
    command += ["--log-level", os.environ.get("PENTRACK_LOG_LEVEL", "info")]
    return [*command, "--app-dir", str(Path(__file__).resolve().parent)]


def serve_baseline(factory: str, database_url: str, workdir: Path, **env: str) -> Server:
    """A baseline app of bench/ (`module:create_app`), served by uvicorn with the same options
    as `pentrack serve`, on `database_url` (as $BENCH_DATABASE_URL)."""
    port = free_port()
    environment = {**os.environ, **env, "BENCH_DATABASE_URL": database_url}
    log = workdir / f"{factory.split(':')[0]}-serve.log"
    server = Server(uvicorn_command(factory, port), environment, log, port)
    server.wait_ready("/healthz")
    return server


def serve_minimal(database_url: str, workdir: Path, kind: str = "core") -> Server:
    """The write path's baseline (minimal_app.py); `kind` is how its endpoint inserts."""
    return serve_baseline("minimal_app:create_app", database_url, workdir, BENCH_MINIMAL=kind)


def temp_workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="pentrack-bench-")
