"""The entity graph in headless Chromium against a real server: an investigator signed in on
the dashboard sees the twins, the shipment and the seizure drawn by the vendored cytoscape.js;
a regulator of a country off the route sees the entity and its operators only; no console
errors. Screenshots go to test-results/investigations/."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import CHROMIUM, LAUNCH_ARGS, serving

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results" / "investigations"
PENTRACK = str(Path(sys.executable).parent / "pentrack")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def _cli(url: str, *args: str) -> str:
    result = subprocess.run(
        [PENTRACK, *args],
        env={**os.environ, "PENTRACK_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL")
    if server and server.startswith("postgresql"):
        from tests.conftest import _drop_postgres, _fresh_postgres

        url, name = _fresh_postgres(server)
    else:
        url, name = f"sqlite:///{tmp_path_factory.mktemp('graph') / 'graph.db'}", ""
    _cli(url, "migrate")
    _cli(url, "seed")
    yield url
    if name and server:
        _drop_postgres(server, name)


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    with serving(database) as base:
        yield base


def _post(base: str, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def story(database: str, server: str) -> dict[str, Any]:
    """Twins in the UAE and Afghanistan; a German shipment to the Afghan twin, recorded and
    seized by Afghan customs."""
    admin = _cli(database, "token", "create", "--role", "admin")
    authorities = {
        (country, kind): _post(
            server,
            admin,
            "/authorities",
            {"country": country, "name": f"{country} {kind}", "kind": kind},
        )["id"]
        for country, kind in (("AF", "regulator"), ("AF", "customs"), ("FR", "regulator"))
    }
    tokens = {
        key: _cli(database, "token", "create", "--role", key[1], "--authority", authority)
        for key, authority in authorities.items()
    }
    first = _post(server, admin, "/operators",
                  {"name": "Al-Noor Chemicals FZE", "country": "AE", "address": "Plot 12, Jebel Ali"})  # fmt: skip
    second = _post(server, admin, "/operators",
                   {"name": "AL NOOR CHEMICAL LLC", "country": "AF", "address": "Plot 12 Jebel Ali"})  # fmt: skip
    exporter = _post(server, admin, "/operators",
                     {"name": "Rhein Solvents GmbH", "country": "DE", "address": "Mannheim"})  # fmt: skip
    customs = tokens[("AF", "customs")]
    shipment = _post(server, customs, "/shipments", {
        "customs_reference": "AF-SEIZED-1", "exporting_country": "DE", "importing_country": "AF",
        "transit_countries": [], "exporter_id": exporter["id"], "importer_id": second["id"],
        "substance": "108-24-7", "declared_hs_code": "2915.24", "quantity": 2000, "unit": "l",
        "mode_of_transport": "road",
    })  # fmt: skip
    _post(server, customs, f"/shipments/{shipment['id']}/events", {
        "type": "seized", "country": "AF", "occurred_at": "2026-11-30T10:00:00+00:00",
    })  # fmt: skip
    entities = httpx.get(
        f"{server}/api/v1/entities", params={"q": "noor"},
        headers={"Authorization": f"Bearer {admin}"},
    ).json()["items"]  # fmt: skip
    (entity,) = entities
    assert {m["operator_id"] for m in entity["members"]} == {first["id"], second["id"]}
    return {"tokens": tokens, "entity": entity, "shipment": shipment, "admin": admin}


def _graph_rows(page: Any, server: str, token: str, entity_id: str) -> dict[str, str]:
    page.goto(f"{server}/dashboard")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{server}/dashboard/entities/{entity_id}?depth=2")
    page.wait_for_selector("#entity-graph[data-ready=true]", timeout=30_000)
    return dict(
        page.eval_on_selector_all(
            "#graph-nodes tbody tr",
            "rows => rows.map(r => [r.dataset.nodeId, r.dataset.nodeType])",
        )
    )


def test_the_entity_graph_draws_what_the_reader_may_read(
    server: str, story: dict[str, Any]
) -> None:
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    entity = story["entity"]
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        for key, expected in (
            (("AF", "regulator"), {"entity", "operator", "shipment", "incident"}),
            (("FR", "regulator"), {"entity", "operator"}),
        ):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            rows = _graph_rows(page, server, story["tokens"][key], entity["id"])
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.reload()
            page.wait_for_selector("#entity-graph[data-ready=true]", timeout=30_000)
            page.screenshot(path=str(RESULTS / f"entity-graph-{key[0]}.png"), full_page=True)
            assert set(rows.values()) == expected
            assert (story["shipment"]["id"] in rows) == (key[0] == "AF")
            # cytoscape drew every node it was given, on its canvas.
            drawn = page.evaluate("window.pentrackGraph.nodes().length")
            assert drawn == len(rows)
            assert page.locator("#graph canvas").count() > 0
            assert page.locator("#entity-name").text_content() == entity["name"]
        browser.close()
    assert problems == []


def test_the_graph_page_needs_a_signed_in_reader(server: str, story: dict[str, Any]) -> None:
    response = httpx.get(f"{server}/dashboard/entities/{story['entity']['id']}")
    assert response.status_code == 200
    assert 'id="token"' in response.text
    assert "cytoscape" not in response.text
    vendored = httpx.get(f"{server}/dashboard/static/vendor/cytoscape.min.js")
    assert vendored.status_code == 200 and "cytoscape" in vendored.text[:2000].lower()
