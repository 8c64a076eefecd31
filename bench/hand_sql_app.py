"""The dashboard's baseline served: the best hand-written SQL for a summary behind one endpoint.

`GET /hand/{name}` with a view's query parameters (`year`, or `from`/`to`; `substance`,
`exporting_country`, `importing_country`) runs the statements of `hand_sql.HAND_SQL[name]`
and answers their rows as JSON. No authentication, no checks of the filters, no names of
countries or substances, no folding into figures: what any FastAPI endpoint serving those
statements pays. Served by uvicorn with `pentrack serve`'s options (one worker, a thread-pool
endpoint, a pooled connection with `jit = off` as pentrack's have), so that the ratio of a
summary endpoint to this one measures pentrack's work, the HTTP request being in both.
"""

import os
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from hand_sql import HAND_SQL, bounds, sql_filters
from sqlalchemy import create_engine, event


def create_app() -> FastAPI:
    url = os.environ["BENCH_DATABASE_URL"]
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()

    app = FastAPI(title="hand-written SQL, served")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/hand/{name}")
    def hand(name: str, request: Request) -> Response:
        statements = HAND_SQL.get(name)
        if statements is None:
            raise HTTPException(404)
        params: dict[str, Any] = dict(request.query_params)
        if "year" in params:
            params["year"] = int(params["year"])
        filters, values = sql_filters(params), bounds(params)
        with engine.connect() as connection:
            answers = [
                [list(row) for row in connection.exec_driver_sql(s.format(**filters), values)]
                for s in statements
            ]
        return Response(orjson.dumps(answers, default=str), media_type="application/json")

    return app
