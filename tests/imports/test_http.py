"""POST /api/v1/imports: files a clerk sends, good, bad and duplicate rows."""

from typing import Any

import pytest

from app.core.config import Settings
from app.main import create_app
from tests.factories import AUDIT, SHIPMENTS, Actor, Api, Lane, event_body, lane, walk
from tests.imports.conftest import IMPORTS, csv_bytes, ndjson_bytes, xlsx_bytes


def post_csv(actor: Actor, kind: str, rows: list[dict[str, Any]], **params: Any) -> Any:
    files = {"file": ("rows.csv", csv_bytes(rows), "text/csv")}
    return actor.post(IMPORTS, params={"kind": kind, **params}, files=files)


def shipment_rows(trade: Lane, count: int, prefix: str = "DE-") -> list[dict[str, Any]]:
    return [trade.shipment_body(customs_reference=f"{prefix}{i}") for i in range(count)]


def references(actor: Actor) -> set[str]:
    return {s["customs_reference"] for s in walk(actor, SHIPMENTS)}


class TestShipments:
    def test_a_csv_file_records_every_row(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        response = post_csv(customs, "shipments", shipment_rows(trade, 3))
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["rows"], report["created"], report["skipped_duplicates"]) == (3, 3, 0)
        assert report["errors"] == [] and report["written"] is True
        assert references(customs) == {"DE-0", "DE-1", "DE-2"}

    def test_a_reimported_file_is_all_duplicates(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 3)
        assert post_csv(customs, "shipments", rows).status_code == 200
        again = post_csv(customs, "shipments", [*rows, *shipment_rows(trade, 1, "NEW-")]).json()
        assert (again["created"], again["skipped_duplicates"]) == (1, 3)
        assert len(references(customs)) == 4

    def test_a_duplicate_within_the_file_is_skipped(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 2)
        report = post_csv(customs, "shipments", [*rows, rows[0]]).json()
        assert (report["rows"], report["created"], report["skipped_duplicates"]) == (3, 2, 1)

    def test_invalid_rows_reject_the_whole_file_naming_row_and_column(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 4)
        rows[1]["exporter_id"] = "no-such-operator"
        rows[3]["quantity"] = "-5"
        response = post_csv(customs, "shipments", rows)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["type"].endswith("import-rejected")
        assert body["created"] == 0 and body["written"] is False
        assert [(e["row"], e["field"]) for e in body["errors"]] == [
            (2, "exporter_id"),
            (4, "quantity"),
        ]
        assert "no-such-operator" in body["errors"][0]["problem"]
        assert references(customs) == set()

    def test_partial_keeps_the_good_rows(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 3)
        rows[0]["substance"] = "50-00-0"  # formaldehyde: a valid CAS number, not a precursor
        report = post_csv(customs, "shipments", rows, partial="true").json()
        assert (report["created"], report["invalid"], report["written"]) == (2, 1, True)
        assert report["errors"][0]["row"] == 1 and report["errors"][0]["field"] == "substance"
        assert references(customs) == {"DE-1", "DE-2"}

    def test_a_dry_run_writes_nothing(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        report = post_csv(customs, "shipments", shipment_rows(trade, 2), dry_run="true").json()
        assert (report["created"], report["dry_run"], report["written"]) == (2, True, False)
        assert references(customs) == set()
        assert walk(api.admin, AUDIT, subject_id="DE-0") == []

    def test_a_row_off_the_callers_route_is_refused(self, api: Api) -> None:
        trade, french = lane(api), api.customs("FR")
        body = post_csv(french, "shipments", shipment_rows(trade, 1)).json()
        assert body["status"] == 422
        assert "not on this route" in body["errors"][0]["problem"]

    def test_ndjson_lines_are_the_single_endpoints_bodies(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        response = customs.post(
            IMPORTS,
            params={"kind": "shipments"},
            content=ndjson_bytes(shipment_rows(trade, 2)) + b"\n{not json\n",
            headers={"Content-Type": "application/x-ndjson"},
        )
        body = response.json()
        assert response.status_code == 422
        assert body["rows"] == 3 and body["errors"][0]["row"] == 3
        assert body["errors"][0]["field"] is None

    def test_a_large_body_under_an_idempotency_key_arrives_whole_and_replays(
        self, api: Api
    ) -> None:
        # Over the middleware's 1 MiB spool: kept in a temporary file, handed on in chunks.
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 1500)
        for i, row in enumerate(rows):
            row["declared_description"] = f"Acetic anhydride, lot {i} " + "x" * 450
        content = ndjson_bytes(rows)
        assert len(content) > 1 << 20

        def post() -> Any:
            return customs.post(
                IMPORTS,
                params={"kind": "shipments"},
                content=content,
                headers={"Content-Type": "application/x-ndjson", "Idempotency-Key": "big-1"},
            )

        first = post()
        assert first.status_code == 200, first.text
        assert (first.json()["rows"], first.json()["created"]) == (1500, 1500)
        again = post()
        assert again.status_code == 200 and again.json() == first.json()
        assert len(references(customs)) == 1500

    def test_a_nul_character_is_a_row_error_not_a_500(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 2)
        rows[1]["carrier"] = "Maersk\u0000"
        response = customs.post(
            IMPORTS,
            params={"kind": "shipments"},
            content=ndjson_bytes(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["row"] == 2
        assert "NUL" in response.json()["errors"][0]["problem"]

    def test_an_xlsx_workbook_is_read(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        rows = shipment_rows(trade, 2)
        rows[0]["departure_date"] = "2026-11-30"
        files = {"file": ("rows.xlsx", xlsx_bytes(rows), "application/octet-stream")}
        response = customs.post(IMPORTS, params={"kind": "shipments"}, files=files)
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 2
        shipment = next(s for s in walk(customs, SHIPMENTS) if s["customs_reference"] == "DE-0")
        assert shipment["transit_countries"] == ["AE"]
        assert shipment["container_ids"] == ["MSKU1234565"]

    def test_each_created_shipment_is_audited_with_one_row_for_the_import(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        post_csv(customs, "shipments", shipment_rows(trade, 2))
        created = walk(api.admin, AUDIT, action="shipment.created")
        assert len(created) == 2
        assert {e["actor_user_id"] for e in created} == {created[0]["actor_user_id"]}
        completed = walk(api.admin, AUDIT, action="import.completed")
        assert completed[0]["after"]["created"] == 2


class TestOperators:
    def test_registration_number_and_country_are_the_natural_key(self, api: Api) -> None:
        regulator = api.regulator("DE")
        rows = [
            {"name": "Acme", "country": "DE", "address": "1 Main St", "registration_number": "R1"},
            {
                "name": "Acme AG",
                "country": "DE",
                "address": "2 Main St",
                "registration_number": "R1",
            },
            {"name": "Beta", "country": "DE", "address": "3 Main St", "kind": "trader"},
        ]
        first = post_csv(regulator, "operators", rows).json()
        assert (first["created"], first["skipped_duplicates"]) == (2, 1)
        again = post_csv(regulator, "operators", rows).json()
        assert (again["created"], again["skipped_duplicates"]) == (0, 3)

    def test_a_bad_kind_of_operator_names_the_column(self, api: Api) -> None:
        rows = [{"name": "Acme", "country": "DE", "address": "1 Main St", "kind": "pirate"}]
        body = post_csv(api.admin, "operators", rows).json()
        assert body["errors"][0]["field"] == "kind"


class TestEvents:
    def test_events_by_customs_reference_move_the_shipment(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        post_csv(customs, "shipments", shipment_rows(trade, 1))
        rows = [
            {"customs_reference": "DE-0", **event_body("export_cleared", "DE")},
            {"customs_reference": "DE-0", **event_body("departed", "DE")},
            {"customs_reference": "DE-9", **event_body("departed", "DE")},
        ]
        response = customs.post(
            IMPORTS,
            params={"kind": "events", "partial": "true"},
            content=ndjson_bytes(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        report = response.json()
        assert (report["created"], report["invalid"]) == (2, 1), report
        assert report["errors"][0]["field"] == "customs_reference"
        shipment = walk(customs, SHIPMENTS)[0]
        assert shipment["status"] == "in_transit"
        again = customs.post(
            IMPORTS,
            params={"kind": "events"},
            content=ndjson_bytes(rows[:2]),
            headers={"Content-Type": "application/x-ndjson"},
        ).json()
        assert (again["created"], again["skipped_duplicates"]) == (0, 2)

    def test_an_event_the_state_machine_refuses_is_reported(self, api: Api) -> None:
        trade, customs = lane(api), api.customs("DE")
        post_csv(customs, "shipments", shipment_rows(trade, 1))
        rows = [{"customs_reference": "DE-0", **event_body("arrived", "DE")}]
        body = post_csv(customs, "events", rows).json()
        assert body["status"] == 422 and body["errors"][0]["row"] == 1


class TestBadFiles:
    def test_an_unknown_kind_is_422(self, api: Api) -> None:
        response = post_csv(api.admin, "pens", [{"a": 1}])
        assert response.status_code == 422

    def test_an_unreadable_workbook_is_400(self, api: Api) -> None:
        files = {"file": ("rows.xlsx", b"not a zip", "application/octet-stream")}
        response = api.customs("DE").post(IMPORTS, params={"kind": "shipments"}, files=files)
        assert response.status_code == 400
        assert response.json()["type"].endswith("unreadable-import-file")

    def test_a_file_of_unknown_format_is_415(self, api: Api) -> None:
        files = {"file": ("rows.txt", b"a,b\n1,2\n", "text/plain")}
        response = api.customs("DE").post(IMPORTS, params={"kind": "shipments"}, files=files)
        assert response.status_code == 415

    def test_a_file_over_the_limit_is_413(self, api: Api, settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
        from fastapi.testclient import TestClient

        small = create_app(settings.model_copy(update={"max_import_bytes": 2048}), engine=engine)
        token = api.customs("DE").token
        with TestClient(small, raise_server_exceptions=False) as client:
            response = client.post(
                IMPORTS,
                params={"kind": "shipments"},
                content=b"{}\n" * 2000,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/x-ndjson",
                },
            )
        assert response.status_code == 413

    @pytest.mark.parametrize("kind", ["shipments", "events"])
    def test_regulators_may_not_import_customs_records(self, api: Api, kind: str) -> None:
        response = post_csv(api.regulator("DE"), kind, [{"a": "1"}])
        assert response.status_code == 403
