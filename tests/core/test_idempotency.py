"""Idempotency-Key on POST: a repeat returns the first answer and writes nothing new."""

import pytest
from fastapi import FastAPI

from tests.factories import AUDIT, PENS, Api, Lane, at_once, lane, walk

PROBLEM = "https://pentrack.org/problems/"


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api)


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


class TestReplay:
    def test_repeat_returns_the_first_answer_and_writes_nothing(
        self, api: Api, de_pk: Lane
    ) -> None:
        body = de_pk.draft_body()
        first = de_pk.exporting.post(PENS, json=body, headers=_key("order-42"))
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        pens, audit = walk(de_pk.exporting, PENS), walk(api.admin, AUDIT)

        again = de_pk.exporting.post(PENS, json=body, headers=_key("order-42"))
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert walk(de_pk.exporting, PENS) == pens
        assert walk(api.admin, AUDIT) == audit

    def test_a_revoked_token_gets_no_replay_only_401(self, api: Api, de_pk: Lane) -> None:
        body = de_pk.draft_body()
        first = de_pk.exporting.post(PENS, json=body, headers=_key("order-43"))
        assert first.status_code == 201, first.text
        tokens = walk(api.admin, "/api/v1/tokens")
        [mine] = [t for t in tokens if t["authority_id"] == de_pk.exporting.authority_id]
        assert api.admin.delete(f"/api/v1/tokens/{mine['id']}").status_code == 204
        again = de_pk.exporting.post(PENS, json=body, headers=_key("order-43"))
        assert again.status_code == 401, again.text
        assert "idempotent-replayed" not in again.headers
        assert first.json()["reference"] not in again.text

    def test_an_unknown_token_gets_no_replay(self, de_pk: Lane) -> None:
        body = de_pk.draft_body()
        assert de_pk.exporting.post(PENS, json=body, headers=_key("order-44")).status_code == 201
        stranger = de_pk.exporting.client.post(
            PENS, json=body, headers={**_key("order-44"), "Authorization": "Bearer pt_nope"}
        )
        assert stranger.status_code == 401

    def test_replayed_transition_is_not_refused_as_a_second_send(self, de_pk: Lane) -> None:
        pen = de_pk.draft()
        path = f"{PENS}/{pen['id']}/send"
        first = de_pk.exporting.post(path, headers=_key("send-1"))
        again = de_pk.exporting.post(path, headers=_key("send-1"))
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json() == first.json()
        assert len(again.json()["history"]) == 1

    def test_without_a_key_a_repeat_is_a_second_write(self, de_pk: Lane) -> None:
        body = de_pk.draft_body()
        assert de_pk.exporting.post(PENS, json=body).status_code == 201
        assert de_pk.exporting.post(PENS, json=body).status_code == 201
        assert len(walk(de_pk.exporting, PENS)) == 2


class TestConcurrentRepeats:
    def test_simultaneous_repeats_write_once(self, app: FastAPI, de_pk: Lane) -> None:
        body = de_pk.draft_body()
        responses = at_once(
            app,
            de_pk.exporting,
            [lambda actor: actor.post(PENS, json=body, headers=_key("burst"))] * 6,
        )
        created = [r for r in responses if r.status_code == 201]
        busy = [r for r in responses if r.status_code == 409]
        assert len(created) + len(busy) == 6, [r.text for r in responses]
        assert {r.json()["id"] for r in created} == {walk(de_pk.exporting, PENS)[0]["id"]}
        assert {r.json()["type"] for r in busy} <= {PROBLEM + "idempotency-conflict"}
        assert all(r.headers["retry-after"] == "1" for r in busy)


class TestKeyReuse:
    def test_same_key_with_another_body_is_409(self, api: Api, de_pk: Lane) -> None:
        first = de_pk.exporting.post(PENS, json=de_pk.draft_body(), headers=_key("k1"))
        assert first.status_code == 201
        audit = walk(api.admin, AUDIT)
        other = de_pk.exporting.post(PENS, json=de_pk.draft_body(quantity=10), headers=_key("k1"))
        assert other.status_code == 409
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["type"] == PROBLEM + "idempotency-key-reused"
        assert len(walk(de_pk.exporting, PENS)) == 1
        assert walk(api.admin, AUDIT) == audit

    def test_same_key_on_another_path_is_409(self, de_pk: Lane) -> None:
        pen = de_pk.draft()
        sent = de_pk.exporting.post(f"{PENS}/{pen['id']}/send", headers=_key("k2"))
        assert sent.status_code == 200
        withdraw = de_pk.exporting.post(
            f"{PENS}/{pen['id']}/withdraw", json={"reason": "x"}, headers=_key("k2")
        )
        assert withdraw.status_code == 409
        assert withdraw.json()["type"] == PROBLEM + "idempotency-key-reused"

    def test_failed_request_releases_its_key(self, de_pk: Lane) -> None:
        bad = de_pk.exporting.post(
            PENS, json=de_pk.draft_body(importing_country="XX"), headers=_key("retry-me")
        )
        assert bad.status_code == 400
        fixed = de_pk.exporting.post(PENS, json=de_pk.draft_body(), headers=_key("retry-me"))
        assert fixed.status_code == 201, fixed.text
        assert "idempotent-replayed" not in fixed.headers
        assert len(walk(de_pk.exporting, PENS)) == 1

    def test_refused_transition_releases_its_key(self, de_pk: Lane) -> None:
        pen = de_pk.draft()
        path = f"{PENS}/{pen['id']}/answer"
        refused = de_pk.exporting.post(path, json={"message": "hi"}, headers=_key("k3"))
        assert refused.status_code == 409
        send = de_pk.exporting.post(f"{PENS}/{pen['id']}/send", headers=_key("k3"))
        assert send.status_code == 200, send.text

    def test_keys_are_private_to_each_token(self, api: Api, de_pk: Lane) -> None:
        colleague = api.regulator("DE")
        mine = de_pk.exporting.post(PENS, json=de_pk.draft_body(), headers=_key("shared"))
        theirs = colleague.post(PENS, json=de_pk.draft_body(quantity=7), headers=_key("shared"))
        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert "idempotent-replayed" not in theirs.headers
        assert mine.json()["id"] != theirs.json()["id"]
        assert len(walk(de_pk.exporting, PENS)) == 2

    @pytest.mark.parametrize("key", ["", "   ", "k" * 256])
    def test_empty_or_overlong_key_is_400(self, de_pk: Lane, key: str) -> None:
        response = de_pk.exporting.post(PENS, json=de_pk.draft_body(), headers=_key(key))
        assert response.status_code == 400
        assert response.json()["type"] == PROBLEM + "bad-idempotency-key"
        assert walk(de_pk.exporting, PENS) == []
