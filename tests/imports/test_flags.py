"""Imported shipments raise exactly the flags the single endpoint raises: the demo's shipments
declared again, imported in one file into one demo database and posted one by one into a twin
(the demo is deterministic for a day and a scale)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.core.config import Settings
from app.main import create_app
from tests.imports.conftest import csv_bytes
from tests.seed.conftest import fresh_database, pentrack

COUNT = 150
FLAGS = """
SELECT s.customs_reference, f.rule, f.rule_version, f.severity, f.explanation, f.evidence
FROM flag f JOIN shipment s ON s.id = f.subject_id
WHERE f.subject_type = 'shipment' AND s.customs_reference LIKE 'AGAIN-%'
"""


def _demo(folder: Path) -> Iterator[str]:
    with fresh_database(folder) as url:
        for args in (["migrate"], ["seed"], ["seed", "--demo"]):
            result = pentrack(args, url)
            assert result.returncode == 0, result.stderr
        yield url


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = list(connection.execute(text(sql)).mappings())
    engine.dispose()
    return rows


def _declarations(url: str) -> tuple[str, list[dict[str, Any]]]:
    """The busiest exporting country's demo shipments, declared again by its customs."""
    country = _rows(
        url,
        "SELECT exporting_country AS c FROM shipment GROUP BY exporting_country "
        "ORDER BY count(*) DESC, exporting_country LIMIT 1",
    )[0]["c"]
    shipments = _rows(
        url,
        f"SELECT * FROM shipment WHERE exporting_country = '{country}' ORDER BY id LIMIT {COUNT}",
    )
    bodies = []
    for s in shipments:
        listed = {k: json.loads(v) if isinstance(v, str) else v for k, v in s.items()
                  if k in ("transit_countries", "container_ids")}  # fmt: skip
        bodies.append({
            "customs_reference": f"AGAIN-{s['customs_reference']}",
            "pen_reference": s["pen_reference"], "exporting_country": s["exporting_country"],
            "importing_country": s["importing_country"], **listed,
            "exporter_id": s["exporter_id"], "importer_id": s["importer_id"],
            "consignee_id": s["consignee_id"], "substance": s["cas_number"],
            "declared_hs_code": s["declared_hs_code"],
            "declared_description": s["declared_description"], "quantity": str(s["quantity"]),
            "unit": s["unit"], "mode_of_transport": s["mode_of_transport"],
            "means_of_payment": s["means_of_payment"], "carrier": s["carrier"],
        })  # fmt: skip
    return f"{country.lower()}-customs", bodies


def _flags(url: str) -> set[tuple[Any, ...]]:
    return {
        (r["customs_reference"], r["rule"], r["rule_version"], r["severity"], r["explanation"],
         json.dumps(r["evidence"] if not isinstance(r["evidence"], str)
                    else json.loads(r["evidence"]), sort_keys=True))
        for r in _rows(url, FLAGS)
    }  # fmt: skip


@pytest.mark.slow
def test_importing_the_demo_shipments_raises_the_flags_of_posting_them_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    imported_db = _demo(tmp_path_factory.mktemp("imported"))
    posted_db = _demo(tmp_path_factory.mktemp("posted"))
    imported_url, posted_url = next(imported_db), next(posted_db)
    try:
        authority, bodies = _declarations(imported_url)
        path = tmp_path_factory.mktemp("file") / "again.csv"
        path.write_bytes(csv_bytes(bodies))
        result = pentrack(
            ["import", str(path), "--kind", "shipments", "--authority", authority, "--partial",
             "--json"],
            imported_url,
        )  # fmt: skip
        assert result.returncode in (0, 1), result.stderr
        report = json.loads(result.stdout)
        refused_by_import = {bodies[e["row"] - 1]["customs_reference"] for e in report["errors"]}

        created = pentrack(["token", "create", "--role", "customs", "--authority", authority],
                           posted_url)  # fmt: skip
        token = created.stdout.strip().splitlines()[-1]
        refused_one_by_one = set()
        with TestClient(create_app(Settings(database_url=posted_url))) as client:
            for body in bodies:
                sent = {k: v for k, v in body.items() if v not in (None, [])}
                response = client.post(
                    "/api/v1/shipments", json=sent, headers={"Authorization": f"Bearer {token}"}
                )
                if response.status_code != 201:
                    refused_one_by_one.add(body["customs_reference"])

        assert report["created"] + len(refused_by_import) == len(bodies)
        assert refused_by_import == refused_one_by_one
        imported, posted = _flags(imported_url), _flags(posted_url)
        assert posted, "the demo's shipments raise flags"
        assert imported == posted
    finally:
        for generator in (imported_db, posted_db):
            generator.close()
