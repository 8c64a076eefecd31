"""Token lifecycle: tokens expire, are listed without their secret, and are refused at once
once revoked or expired — from the CLI and from the admin API, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.auth.roles import Role
from tests.factories import AUDIT, Api, walk
from tests.test_cli import run

TOKENS = "/api/v1/tokens"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _cli_token(database_url: str, *args: str) -> tuple[str, str]:
    """(id, token) of a user made with `pentrack token create`."""
    result = run(
        ["token", "create", "--role", "analyst", "--name", "INCB desk", *args], database_url
    )
    assert result.returncode == 0, result.stderr
    *_, created, token = result.stdout.strip().splitlines()
    return created.split("(")[1].split(")")[0], token


class TestCommandLine:
    def test_create_list_revoke(self, api: Api, database_url: str) -> None:
        user_id, token = _cli_token(database_url, "--expires-in-days", "30")
        assert api.client.get(AUDIT, headers=_bearer(token)).status_code == 200
        listed = run(["token", "list"], database_url)
        assert listed.returncode == 0, listed.stderr
        [line] = [row for row in listed.stdout.splitlines() if row.startswith(user_id)]
        expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
        assert "INCB desk" in line and "analyst" in line and expires in line
        assert line.split()[-1] == "active"
        assert token not in listed.stdout
        revoked = run(["token", "revoke", user_id], database_url)
        assert revoked.returncode == 0, revoked.stderr
        assert api.client.get(AUDIT, headers=_bearer(token)).status_code == 401
        after = run(["token", "list"], database_url).stdout
        row = next(r for r in after.splitlines() if r.startswith(user_id))
        assert row.split()[-1] == "revoked"

    @pytest.mark.parametrize("days", ["0", "-3", "4000"])
    def test_a_lifetime_out_of_range_is_refused(self, database_url: str, days: str) -> None:
        result = run(
            ["token", "create", "--role", "analyst", "--expires-in-days", days], database_url
        )
        assert result.returncode == 2
        assert "1 to 3650 days" in result.stderr

    @pytest.mark.usefixtures("engine")  # the database migrated, whichever test ran first
    def test_revoking_an_unknown_token_says_so(self, database_url: str) -> None:
        result = run(["token", "revoke", "nope"], database_url)
        assert result.returncode == 2
        assert "No token" in result.stderr


class TestAdminApi:
    def test_admins_list_tokens_without_secrets_and_revoke_them(self, api: Api) -> None:
        customs = api.customs("AE")
        operator = {"name": "Gulf Chemicals", "country": "AE", "address": "Jebel Ali"}
        assert customs.post("/api/v1/operators", json=operator).status_code == 201  # a use
        listed = walk(api.admin, TOKENS)
        mine = next(t for t in listed if t["authority_id"] == customs.authority_id)
        assert mine["role"] == "customs" and mine["status"] == "active"
        assert mine["last_used_at"] is not None
        assert mine["expires_at"] is not None
        assert customs.token not in str(listed)
        assert "token_hash" not in mine
        assert api.admin.delete(f"{TOKENS}/{mine['id']}").status_code == 204
        assert customs.get("/api/v1/countries").status_code == 401
        again = next(t for t in walk(api.admin, TOKENS) if t["id"] == mine["id"])
        assert again["status"] == "revoked"
        actions = [e["action"] for e in walk(api.admin, AUDIT, subject_id=mine["id"])]
        assert "token.revoked" in actions and "user.created" in actions

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.REGULATOR, Role.CUSTOMS])
    def test_only_admins_see_or_revoke_tokens(self, api: Api, role: Role) -> None:
        actor = api.actor(role, None if role == Role.ANALYST else "DE")
        assert actor.get(TOKENS).status_code == 403
        assert actor.delete(f"{TOKENS}/{api.admin.token}").status_code == 403

    def test_an_unknown_token_id_is_404(self, api: Api) -> None:
        response = api.admin.delete(f"{TOKENS}/nope")
        assert response.status_code == 404
        assert response.json()["type"].endswith("/token-not-found")


class TestExpiry:
    def test_an_expired_token_is_refused_at_once(self, api: Api, engine: Engine) -> None:
        regulator = api.regulator("DE")
        assert regulator.get("/api/v1/countries").status_code == 200
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE app_user SET expires_at = :past WHERE authority_id = :authority"),
                {
                    "past": datetime.now(UTC) - timedelta(seconds=1),
                    "authority": regulator.authority_id,
                },
            )
        response = regulator.get("/api/v1/countries")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        status = {t["authority_id"]: t["status"] for t in walk(api.admin, TOKENS)}
        assert status[regulator.authority_id] == "expired"
