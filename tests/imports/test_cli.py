"""`pentrack import` as a clerk runs it: a progress bar, a report naming row and column, one-line
errors, exit codes."""

import json
from pathlib import Path

from sqlalchemy import text

from tests.factories import Api, lane
from tests.imports.conftest import csv_bytes
from tests.test_cli import run


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


class TestImportCommand:
    def test_imports_shipments_as_the_authority(
        self, api: Api, database_url: str, tmp_path: Path
    ) -> None:
        trade = lane(api)
        authority = api.authority("DE", "customs")
        rows = [trade.shipment_body(customs_reference=f"CLI-{i}") for i in range(3)]
        path = _file(tmp_path, "declarations.csv", csv_bytes(rows))
        args = ["import", str(path), "--kind", "shipments", "--authority", authority]
        result = run([*args, "--json"], database_url)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert (report["created"], report["written"]) == (3, True)
        again = run(args, database_url)
        assert again.returncode == 0
        assert "0 created, 3 duplicates skipped" in again.stdout
        with api.engine.connect() as connection:
            recorded = connection.execute(
                text("SELECT count(*) FROM shipment WHERE recorded_country = 'DE'")
            ).scalar_one()
        assert recorded == 3
        verified = run(["audit", "verify"], database_url)
        assert verified.returncode == 0, verified.stderr
        assert "audit chain intact" in verified.stdout

    def test_invalid_rows_are_listed_and_nothing_is_written(
        self, api: Api, database_url: str, tmp_path: Path
    ) -> None:
        trade = lane(api)
        rows = [trade.shipment_body(customs_reference=f"CLI-{i}") for i in range(2)]
        rows[1]["importer_id"] = "nobody"
        path = _file(tmp_path, "declarations.csv", csv_bytes(rows))
        authority = api.authority("DE", "customs")
        result = run(
            ["import", str(path), "--kind", "shipments", "--authority", authority], database_url
        )
        assert result.returncode == 1
        assert "row 2, importer_id: importer_id: no operator with id 'nobody'" in result.stdout
        assert "nothing was written" in result.stdout
        with api.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM shipment")).scalar_one() == 0

    def test_a_dry_run_reports_what_it_would_import(
        self, api: Api, database_url: str, tmp_path: Path
    ) -> None:
        rows = [{"name": "Acme", "country": "DE", "address": "1 Main St"}]
        path = _file(tmp_path, "operators.csv", csv_bytes(rows))
        authority = api.authority("DE", "regulator")
        result = run(
            ["import", str(path), "--kind", "operators", "--authority", authority, "--dry-run"],
            database_url,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("would import operators: 1 rows, 1 created")
        with api.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM operator")).scalar_one() == 0

    def test_errors_are_one_line(self, api: Api, database_url: str, tmp_path: Path) -> None:
        path = _file(tmp_path, "rows.txt", b"a\n1\n")
        authority = api.authority("DE", "customs")
        unknown_format = run(
            ["import", str(path), "--kind", "shipments", "--authority", authority], database_url
        )
        no_authority = run(
            ["import", str(path), "--kind", "shipments", "--authority", "nope", "--format", "csv"],
            database_url,
        )
        for result in (unknown_format, no_authority):
            assert result.returncode == 2
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert result.stderr.startswith("error: ")
