"""The application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine

from app.api import include_api
from app.auth.service import authenticate
from app.core.admission import Turns, lengthen_switch_interval, size_thread_pool
from app.core.collector import freeze_startup_objects, watch_pauses
from app.core.config import Settings, get_settings
from app.core.db import build_engine
from app.core.docs import install_docs
from app.core.logs import configure_logging
from app.core.middleware import IdempotencyMiddleware, RequestContextMiddleware
from app.core.migrations import head_revision, stored_revision
from app.core.nul_guard import NulGuardMiddleware
from app.core.openapi import install_openapi, operation_id
from app.core.problems import Problem, install_problem_handlers
from app.dashboard.pages import home_router
from app.dashboard.pages import router as dashboard_router
from app.dashboard.pages import static_files as dashboard_static
from app.metrics import Metrics
from app.metrics import router as metrics_router
from app.workspace.access import NotForYourRole, SignInRequired, sign_in_redirect
from app.workspace.case_pages import router as workspace_cases_router
from app.workspace.incident_pages import router as workspace_incidents_router
from app.workspace.pages import problem_page, refusal_page
from app.workspace.pages import static_files as workspace_static
from app.workspace.pen_pages import router as workspace_pens_router
from app.workspace.report_pages import router as workspace_reports_router
from app.workspace.router import router as workspace_router
from app.workspace.shipment_pages import router as workspace_shipments_router

DESCRIPTION = """
pentrack: pre-export notifications (1988 Convention, Article 12(10)(a)), shipment tracking and
suspicious-transaction alerts for precursor chemicals.

Authenticate with `Authorization: Bearer <token>` (`pentrack token create`). Errors are
RFC 9457 `application/problem+json`. `Idempotency-Key` is honoured on every POST.
"""

log = logging.getLogger("pentrack")


def create_served_app(settings: Settings | None = None) -> FastAPI:
    """The app `pentrack serve` runs: `create_app()`'s, with the objects of its start-up frozen
    out of the garbage collector's full collections and every collection's pause in `/metrics`
    (app/core/collector.py), and a longer thread switch interval (app/core/admission.py). Not in
    `create_app`, which tests call hundreds of times in one process."""
    app = create_app(settings)
    watch_pauses()
    freeze_startup_objects()
    lengthen_switch_interval()
    return app


def install_probes(app: FastAPI) -> None:
    """/healthz and /readyz, routed before everything else: a probe arrives every few seconds,
    and each route tried before the matching one costs about a microsecond."""

    # HEAD too (load balancers probe with it), kept out of the OpenAPI as GET's twin.
    @app.head("/healthz", include_in_schema=False)
    @app.get("/healthz", tags=["health"], summary="Process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.head("/readyz", include_in_schema=False)
    @app.get("/readyz", tags=["health"], summary="Database reachable and schema current")
    def readyz() -> JSONResponse:
        """200 `ready`, or 503 `not ready` with one word of reason: `database` (unreachable)
        or `migrations` (schema behind the code). Logs only when not ready."""
        try:
            current = stored_revision(app.state.engine)
        except Exception:  # any failure to reach the database means "not ready"
            # The reason goes to the log, never to an anonymous caller (it may name hosts).
            log.warning("not ready: database", exc_info=True)
            return JSONResponse({"status": "not ready", "reason": "database"}, status_code=503)
        if current != head_revision():
            log.warning(
                "not ready: migrations (schema at %s, code at %s)", current, head_revision()
            )
            return JSONResponse({"status": "not ready", "reason": "migrations"}, status_code=503)
        return JSONResponse({"status": "ready", "revision": current})


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        size_thread_pool(app.state.turns)
        yield
        if engine is None:
            app.state.engine.dispose()

    app = FastAPI(
        title="pentrack",
        version="1.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # One schema per model (not `Invoice-Input` and `Invoice-Output`).
        separate_input_output_schemas=False,
        # Served by install_docs with local assets (no CDN).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or build_engine(settings)
    app.state.turns = Turns(settings, app.state.engine)
    app.state.metrics = Metrics(app.state.engine, settings)
    install_problem_handlers(app)
    install_openapi(app)
    install_docs(app)
    install_probes(app)
    app.add_middleware(
        IdempotencyMiddleware,
        ttl_hours=settings.idempotency_ttl_hours,
        authenticated=lambda session, token: authenticate(session, token, touch=False) is not None,
    )
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        observe=app.state.metrics.observe,
        path_limits={"/api/v1/imports": settings.max_import_bytes},
    )
    include_api(app)
    app.include_router(metrics_router)
    app.include_router(dashboard_router)
    app.include_router(home_router)
    for router in (
        workspace_router,
        workspace_pens_router,
        workspace_shipments_router,
        workspace_incidents_router,
        workspace_cases_router,
        workspace_reports_router,
    ):
        app.include_router(router)
    app.add_exception_handler(SignInRequired, sign_in_redirect)
    app.add_exception_handler(NotForYourRole, refusal_page)
    app.add_exception_handler(Problem, problem_page)
    app.add_exception_handler(RequestValidationError, problem_page)
    app.mount("/dashboard/static", dashboard_static, name="dashboard-static")
    app.mount("/workspace/static", workspace_static, name="workspace-static")

    return app
