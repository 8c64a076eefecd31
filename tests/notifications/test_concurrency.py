"""Concurrent writers on one notification: the database, not luck, keeps one decision.

Each thread has its own TestClient (TestClient is not thread-safe) on the same app and engine.
On PostgreSQL the row lock serialises replies; on SQLite writers queue for the write lock.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tests.factories import PENS, Actor, Api, at_once, lane, walk

THREADS = 8


class TestConcurrentRespond:
    def test_exactly_one_of_simultaneous_replies_wins(self, app: FastAPI, api: Api) -> None:
        de_pk = lane(api)
        pen = de_pk.pen_in("sent")
        # Alternate the two final decisions: after either, no further reply is allowed.
        bodies = [
            {"decision": "no_objection"} if i % 2 else {"decision": "objection", "reason": f"#{i}"}
            for i in range(THREADS)
        ]

        def reply(body: dict[str, Any]) -> Callable[[Actor], Any]:
            return lambda actor: actor.post(f"{PENS}/{pen['id']}/respond", json=body)

        responses = at_once(app, de_pk.importing, [reply(body) for body in bodies])

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 409: THREADS - 1}, [r.text for r in responses]
        [winner] = [r.json() for r in responses if r.status_code == 200]
        stored = de_pk.importing.get(f"{PENS}/{pen['id']}").json()
        replies = [m for m in stored["history"] if m["kind"] == "respond"]
        assert len(replies) == 1
        assert stored["decision"] == replies[0]["decision"] == winner["decision"]
        losers = [r.json() for r in responses if r.status_code == 409]
        assert {p["type"] for p in losers} == {
            "https://pentrack.org/problems/transition-not-allowed"
        }


class TestConcurrentCreate:
    def test_simultaneous_drafts_get_distinct_references(self, app: FastAPI, api: Api) -> None:
        de_pk = lane(api)
        body = de_pk.draft_body()
        responses = at_once(app, de_pk.exporting, [lambda a: a.post(PENS, json=body)] * THREADS)

        assert [r.status_code for r in responses] == [201] * THREADS, [r.text for r in responses]
        references = {r.json()["reference"] for r in responses}
        assert len(references) == THREADS
        numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in references)
        assert numbers == list(range(1, THREADS + 1))
        assert len(walk(de_pk.exporting, PENS)) == THREADS
