"""The application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.api import api_router
from app.auth.service import authenticate
from app.core.admission import Turns, size_thread_pool
from app.core.config import Settings, get_settings
from app.core.db import build_engine
from app.core.middleware import IdempotencyMiddleware, RequestContextMiddleware
from app.core.migrations import current_revision, head_revision
from app.core.nul_guard import NulGuardMiddleware
from app.core.problems import install_problem_handlers
from app.dashboard.pages import router as dashboard_router
from app.dashboard.pages import static_files as dashboard_static

DESCRIPTION = """
pentrack: pre-export notifications (1988 Convention, Article 12(10)(a)), shipment tracking and
suspicious-transaction alerts for precursor chemicals.

Authenticate with `Authorization: Bearer <token>` (`pentrack token create`). Errors are
RFC 9457 `application/problem+json`. `Idempotency-Key` is honoured on every POST.
"""

# Every line with its time: the access log (app/core/middleware.py) is one of them.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        size_thread_pool(app.state.turns)
        yield
        if engine is None:
            app.state.engine.dispose()

    app = FastAPI(title="pentrack", version="1.0.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine or build_engine(settings)
    app.state.turns = Turns(settings, app.state.engine)
    install_problem_handlers(app)
    app.add_middleware(
        IdempotencyMiddleware,
        ttl_hours=settings.idempotency_ttl_hours,
        authenticated=lambda session, token: authenticate(session, token, touch=False) is not None,
    )
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        path_limits={"/api/v1/imports": settings.max_import_bytes},
    )
    app.include_router(api_router)
    app.include_router(dashboard_router)
    app.mount("/dashboard/static", dashboard_static, name="dashboard-static")

    # HEAD too (load balancers probe with it), kept out of the OpenAPI as GET's twin.
    @app.head("/healthz", include_in_schema=False)
    @app.get("/healthz", tags=["health"], summary="Process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.head("/readyz", include_in_schema=False)
    @app.get("/readyz", tags=["health"], summary="Database reachable and schema current")
    def readyz() -> JSONResponse:
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = current_revision(app.state.engine)
        except Exception:  # any failure to reach the database means "not ready"
            # The reason goes to the log, never to an anonymous caller (it may name hosts).
            logging.getLogger("pentrack").warning("not ready", exc_info=True)
            return JSONResponse(
                {"status": "unavailable", "detail": "The database cannot be reached."},
                status_code=503,
            )
        head = head_revision()
        if current != head:
            return JSONResponse(
                {"status": "migrations pending", "current": current, "head": head}, status_code=503
            )
        return JSONResponse({"status": "ready", "revision": current})

    return app
