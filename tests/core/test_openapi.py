"""The OpenAPI document a client is generated from, the headers it promises (checked on real
answers), and the documentation pages served without a CDN."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import SHIPMENTS, Api, event_body, lane

PROBLEM = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]


class TestNames:
    def test_operation_ids_are_tag_then_name_and_unique(self, spec: dict[str, Any]) -> None:
        ids = [op["operationId"] for _, _, op in operations(spec)]
        assert len(ids) == len(set(ids))
        for operation_id in ids:
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", operation_id), operation_id
        assert "authorities-update-authority" in ids
        assert "reference-list-countries" in ids

    def test_schema_names_are_readable(self, spec: dict[str, Any]) -> None:
        names = set(spec["components"]["schemas"])
        assert "AlertPublicList" in names and "Problem" in names
        for name in names:
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name

    def test_framework_validation_schemas_the_server_never_sends_are_gone(
        self, spec: dict[str, Any]
    ) -> None:
        text = str(spec)
        assert "HTTPValidationError" not in text
        assert "#/components/schemas/ValidationError'" not in text


class TestErrors:
    def test_every_documented_error_is_a_problem(self, spec: dict[str, Any]) -> None:
        for path, method, op in operations(spec):
            for status, response in op["responses"].items():
                if status[0] in "45":
                    assert response["content"] == {
                        "application/problem+json": {"schema": PROBLEM}
                    }, (path, method, status)

    def test_422_is_documented_where_input_is_validated(self, spec: dict[str, Any]) -> None:
        create = spec["paths"]["/api/v1/authorities"]["post"]["responses"]
        assert create["422"]["content"]["application/problem+json"]["schema"] == PROBLEM

    def test_a_real_422_has_the_documented_shape(self, api: Api) -> None:
        response = api.admin.post("/api/v1/authorities", json={"country": "DE"})
        assert response.status_code == 422
        body = response.json()
        assert {"type", "title", "status", "detail", "errors"} <= set(body)
        assert all({"loc", "msg", "type"} == set(e) for e in body["errors"])


class TestEveryAnswerDocumented:
    """What a generated client is told an operation may answer includes what the middleware
    and the framework answer before the route runs (found by schemathesis' status-code check)."""

    def test_problems_any_operation_of_a_kind_can_answer(self, spec: dict[str, Any]) -> None:
        for path, method, op in operations(spec):
            statuses = set(op["responses"])
            where = (method, path)
            if path.startswith("/api/"):
                assert {"422", "503"} <= statuses, where
            if "401" in statuses:
                assert "403" in statuses, where
            if "requestBody" in op:
                assert {"400", "413"} <= statuses, where
            if any(p["name"] == "cursor" for p in op.get("parameters", [])):
                assert "400" in statuses, where
            if method == "post":
                assert {"400", "409"} <= statuses, where

    def test_real_answers_are_among_the_documented_ones(
        self, api: Api, spec: dict[str, Any]
    ) -> None:
        regulator, industry = api.regulator("DE"), api.industry("DE")
        answers = {
            ("get", "/api/v1/alerts"): regulator.get("/api/v1/alerts", params={"cursor": "zz"}),
            ("post", "/api/v1/cases"): regulator.post(
                "/api/v1/cases",
                content=b"W\xca\x97\x11y\xff",
                headers={"Content-Type": "application/json"},
            ),
            ("post", "/api/v1/operators"): regulator.post(
                "/api/v1/operators",
                json={"name": "Acme", "country": "DE", "address": "1 Main St"},
                headers={"Idempotency-Key": "k" * 300},
            ),
            ("get", "/api/v1/shipments"): industry.get("/api/v1/shipments"),
        }
        for (method, path), response in answers.items():
            assert response.status_code in (400, 403), (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert str(response.status_code) in spec["paths"][path][method]["responses"], path

    def test_a_405_allows_exactly_the_documented_methods(
        self, client: TestClient, spec: dict[str, Any]
    ) -> None:
        # As OpenAPI matches a URL: a concrete path (`/rules/facts`, GET) before a templated
        # one (`/rules/{code}`, GET and PATCH).
        checked = 0
        for path, item in spec["paths"].items():
            documented = sorted(m.upper() for m in item if m in METHODS)
            unused = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in documented)
            url = re.sub(r"\{[^}]+\}", "x-1", path)
            response = client.request(unused, url)
            if response.status_code != 405:
                continue  # a templated path routes this method for this concrete URL
            assert response.headers["allow"].split(", ") == documented, path
            checked += 1
        assert checked >= 80


class TestFieldsDocumented:
    def test_substance_keys_document_their_pattern(self, spec: dict[str, Any]) -> None:
        create = spec["components"]["schemas"]["NotificationCreate"]["properties"]["substance"]
        pattern = re.compile(create["pattern"])
        assert pattern.match("108-24-7") and pattern.match("G-PMK-PR")
        assert not pattern.match("108-24") and not pattern.match("acetic anhydride")
        query = next(
            p
            for p in spec["paths"]["/api/v1/shipments"]["get"]["parameters"]
            if p["name"] == "substance"
        )
        assert create["pattern"] in [s.get("pattern") for s in query["schema"]["anyOf"]]
        summary = next(
            p
            for p in spec["paths"]["/api/v1/summaries/overview"]["get"]["parameters"]
            if p["name"] == "substance"
        )
        assert summary["schema"]["pattern"] == create["pattern"]

    def test_a_key_matching_the_pattern_may_still_fail_its_check_digit(self, api: Api) -> None:
        # The pattern is what a client can check; the check digit only the server checks.
        response = api.regulator("DE").get("/api/v1/shipments", params={"substance": "108-24-8"})
        assert response.status_code == 422
        assert "check digit" in response.json()["detail"]


class TestHeadersDocumented:
    def test_every_post_takes_an_idempotency_key(self, spec: dict[str, Any]) -> None:
        for path, method, op in operations(spec):
            if method == "post":
                names = [p["name"] for p in op.get("parameters", [])]
                assert "Idempotency-Key" in names, path

    def test_every_201_documents_location(self, spec: dict[str, Any]) -> None:
        created = [(p, op) for p, m, op in operations(spec) if "201" in op["responses"]]
        assert len(created) >= 10
        for path, op in created:
            assert "Location" in op["responses"]["201"].get("headers", {}), path

    def test_patch_takes_if_match_and_documents_412_and_etag(self, spec: dict[str, Any]) -> None:
        item = spec["paths"]["/api/v1/authorities/{authority_id}"]
        names = [p["name"] for p in item["patch"]["parameters"]]
        assert "If-Match" in names
        assert "412" in item["patch"]["responses"]
        assert "ETag" in item["get"]["responses"]["200"]["headers"]
        assert "ETag" in item["patch"]["responses"]["200"]["headers"]

    def test_503_documents_retry_after(self, spec: dict[str, Any]) -> None:
        busy = spec["paths"]["/api/v1/shipments"]["post"]["responses"]["503"]
        assert "Retry-After" in busy["headers"]


class TestLocation:
    def test_each_create_answers_where_the_new_resource_is(self, api: Api) -> None:
        world = lane(api)
        admin = api.admin
        pen = world.exporting.post("/api/v1/pre-export-notifications", json=world.draft_body())
        customs = api.customs("AE")
        shipment = customs.post(SHIPMENTS, json=world.shipment_body())
        event = customs.post(
            f"{SHIPMENTS}/{shipment.json()['id']}/events", json=event_body("stopped", "AE")
        )
        flag = world.exporting.post(
            "/api/v1/flags",
            json={
                "subject_type": "pre_export_notification",
                "subject_id": pen.json()["id"],
                "severity": "low",
                "explanation": "Unusual route",
            },
        )
        created = {
            "pen": (world.exporting, pen),
            "shipment": (customs, shipment),
            "event": (customs, event),
            "flag": (world.exporting, flag),
            "authority": (
                admin,
                admin.post(
                    "/api/v1/authorities",
                    json={"country": "IT", "name": "Ministero", "kind": "regulator"},
                ),
            ),
            "operator": (
                admin,
                admin.post(
                    "/api/v1/operators",
                    json={"name": "Acme", "country": "DE", "address": "1 Main St"},
                ),
            ),
            "routing rule": (
                admin,
                admin.post(
                    "/api/v1/routing-rules",
                    json={
                        "code": "loc-test",
                        "event_types": ["pen.sent"],
                        "route_roles": ["transit"],
                    },
                ),
            ),
            "peer": (
                admin,
                admin.post(
                    "/api/v1/peers",
                    json={
                        "node_id": "pk-node",
                        "name": "Pakistan node",
                        "base_url": "https://pentrack.example.org",
                        "countries": ["TV"],
                    },
                ),
            ),
        }
        for what, (reader, response) in created.items():
            assert response.status_code == 201, (what, response.text)
            location = response.headers["location"]
            assert location.startswith("/api/v1/"), what
            read = reader.get(location)
            assert read.status_code == 200, (what, location)
            assert read.json()["id"] == response.json()["id"], what

        requirement = admin.post(
            "/api/v1/pen-requirements", json={"country": "TV", "table": "I", "source": "test"}
        )
        assert requirement.headers["location"] == (
            f"/api/v1/pen-requirements/{requirement.json()['id']}"
        )


class TestDocs:
    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_pages_load_their_assets_from_this_server(self, client: TestClient, page: str) -> None:
        html = client.get(page)
        assert html.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert assets
        for asset in assets:
            assert asset.startswith("/"), asset  # no CDN
            assert client.get(asset).status_code == 200, asset
        assert "cdn" not in html.text.lower() and "googleapis" not in html.text


class TestConditionalUpdates:
    def test_every_patch_takes_if_match_and_its_read_answers_etag(
        self, spec: dict[str, Any]
    ) -> None:
        patched = [path for path, item in spec["paths"].items() if "patch" in item]
        assert len(patched) >= 4
        for path in patched:
            item = spec["paths"][path]
            assert "If-Match" in [p["name"] for p in item["patch"]["parameters"]], path
            assert "412" in item["patch"]["responses"], path
            assert "ETag" in item["get"]["responses"]["200"]["headers"], path

    @pytest.mark.parametrize("resource", ["rule", "routing rule", "peer"])
    def test_a_stale_if_match_is_refused_and_a_fresh_one_applies(
        self, api: Api, resource: str
    ) -> None:
        admin = api.admin
        if resource == "rule":
            path, first, second = (
                "/api/v1/rules/unusual-payment",
                {"enabled": False},
                {"enabled": True},
            )
        elif resource == "routing rule":
            created = admin.post(
                "/api/v1/routing-rules",
                json={"code": "etag-test", "event_types": ["pen.sent"], "route_roles": ["transit"]},
            )
            path = f"/api/v1/routing-rules/{created.json()['id']}"
            first, second = {"enabled": False}, {"enabled": True}
        else:
            created = admin.post(
                "/api/v1/peers",
                json={
                    "node_id": "pk-node",
                    "name": "Pakistan node",
                    "base_url": "https://pentrack.example.org",
                    "countries": ["TV"],
                },
            )
            path = f"/api/v1/peers/{created.json()['id']}"
            first, second = {"name": "Renamed"}, {"name": "Renamed again"}
        stale = admin.get(path).headers["etag"]
        changed = admin.patch(path, json=first, headers={"If-Match": stale})
        assert changed.status_code == 200, changed.text
        assert changed.headers["etag"] == admin.get(path).headers["etag"] != stale
        refused = admin.patch(path, json=second, headers={"If-Match": stale})
        assert refused.status_code == 412, refused.text
        assert refused.json()["type"].endswith("/precondition-failed")
        assert admin.patch(path, json=second).status_code == 200  # no If-Match: still allowed
