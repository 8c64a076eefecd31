"""`pentrack token create --role industry --operator ID`."""

from pathlib import Path

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.industry.helpers import REPORTS, report_body
from tests.test_cli import run


def test_an_industry_token_files_reports_for_its_operator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(["migrate"], url).returncode == 0
    assert run(["seed"], url).returncode == 0
    admin = run(["token", "create", "--role", "admin"], url).stdout.splitlines()[-1]
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        operator = client.post(
            "/api/v1/operators",
            json={"name": "Chem GmbH", "country": "DE", "address": "Hafenstr. 1"},
            headers={"Authorization": f"Bearer {admin}"},
        ).json()
        result = run(["token", "create", "--role", "industry", "--operator", operator["id"]], url)
        assert result.returncode == 0, result.stderr
        token = result.stdout.strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {token}"}
        filed = client.post(REPORTS, json=report_body(), headers=headers)
        assert filed.status_code == 201, filed.text
        assert filed.json()["operator_id"] == operator["id"]
        assert client.get("/api/v1/shipments", headers=headers).status_code == 403
    refused = run(["token", "create", "--role", "industry"], url)
    assert refused.returncode == 2 and "operator" in refused.stderr
    wrong = run(["token", "create", "--role", "analyst", "--operator", operator["id"]], url)
    assert wrong.returncode == 2
