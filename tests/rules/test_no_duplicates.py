"""Every change is judged again, but a rule version flags a subject once, even under concurrent
writers; each new flag is announced by a `flag.raised` domain event, and triage by its own."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import flows
from app.alerts.defaults import seed_default_routing
from app.core.db import open_session
from app.events.models import DomainEvent
from app.shipments.models import Shipment
from tests.factories import AUDIT, SHIPMENTS, Actor, Api, event_body, walk
from tests.rules.trade import FLAGS, RULES, Trade, by_rule, flags_on, registered, trade

THREADS = 8
ALERTS = "/api/v1/alerts"


def _domain_events(engine: Engine, type_: str, subject_ids: set[str]) -> list[DomainEvent]:
    """Stored domain events (no API reads them yet): the outbox alerts are routed from."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(DomainEvent)
                .where(DomainEvent.type == type_, col(DomainEvent.subject_id).in_(subject_ids))
                .order_by(col(DomainEvent.occurred_at))
            )
        )


def _at_once(app: FastAPI, calls: list[tuple[Actor, Callable[[Actor], Any]]]) -> list[Any]:
    """Each call in its own thread and TestClient (not thread-safe), released by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: tuple[Actor, Callable[[Actor], Any]]) -> Any:
        actor, request = call
        with TestClient(app, raise_server_exceptions=False) as client:
            own = Actor(client, actor.token, actor.role, actor.country, actor.authority_id)
            barrier.wait(timeout=30)
            return request(own)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


class TestReEvaluation:
    def test_every_event_judges_the_shipment_again_but_flags_it_once(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("objection"), means_of_payment="cash")
        assert set(by_rule(api.admin, shipment["id"])) == {"unusual-payment"}
        de_pk.depart(shipment)
        for type_ in ("transit_entered", "transit_exited", "departed"):
            de_pk.event(shipment, type_, "AE")
        de_pk.event(shipment, "stopped", "AE")
        de_pk.event(shipment, "released", "AE")
        flags = by_rule(api.admin, shipment["id"])  # asserts one flag per rule
        assert set(flags) == {"unusual-payment", "shipped-despite-objection"}
        ids = {f["id"] for f in flags.values()}
        audit = [a for a in walk(api.admin, AUDIT, action="flag.raised") if a["subject_id"] in ids]
        assert len(audit) == 2
        assert len(_domain_events(engine, "flag.raised", ids)) == 2

    def test_every_transition_judges_the_pen_again_but_flags_it_once(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection", means_of_payment="hawala")
        assert [f["rule"] for f in flags_on(de_pk.lane.exporting, pen["id"])] == ["unusual-payment"]
        assert de_pk.lane.act(pen, "withdraw", {"reason": "Buyer vanished"}).status_code == 200
        assert len(flags_on(de_pk.lane.exporting, pen["id"])) == 1

    def test_a_dismissed_flag_is_not_raised_again_by_the_same_rule_version(
        self, api: Api, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(None)
        [flag] = flags_on(api.admin, shipment["id"])
        pk = api.regulator("PK")
        for status in ("under_review", "dismissed"):
            body = {"status": status, "note": "PEN sent by post, on file"}
            assert pk.post(f"{FLAGS}/{flag['id']}/triage", json=body).status_code == 200
        de_pk.depart(shipment)
        assert [(f["id"], f["status"]) for f in flags_on(api.admin, shipment["id"])] == [
            (flag["id"], "dismissed")
        ]


class TestConcurrentEvaluation:
    def test_simultaneous_events_leave_one_flag_per_rule_version(
        self, app: FastAPI, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        # Nothing is flagged until the shipment leaves: every one of these events can raise it.
        shipment = de_pk.ship(de_pk.pen("objection"))
        assert flags_on(api.admin, shipment["id"]) == []
        path = f"{SHIPMENTS}/{shipment['id']}/events"
        de, ae = de_pk.customs_of("DE"), de_pk.customs_of("AE")
        calls: list[tuple[Actor, Callable[[Actor], Any]]] = [
            (de, lambda a: a.post(path, json=event_body("export_cleared", "DE"))),
            (de, lambda a: a.post(path, json=event_body("departed", "DE"))),
            (ae, lambda a: a.post(path, json=event_body("departed", "AE"))),
            (ae, lambda a: a.post(path, json=event_body("transit_entered", "AE"))),
        ] * (THREADS // 4)
        responses = _at_once(app, calls)
        assert Counter(r.status_code for r in responses) == {201: THREADS}, [
            r.text for r in responses if r.status_code != 201
        ]
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"shipped-despite-objection", "shipped-before-reply"}
        ids = {f["id"] for f in flags.values()}
        assert len(_domain_events(engine, "flag.raised", ids)) == 2

    def test_simultaneous_evaluations_of_one_subject_insert_one_flag(
        self, api: Api, engine: Engine, is_postgres: bool, de_pk: Trade
    ) -> None:
        """Without the shipment's row lock, the unique constraint alone keeps one flag: both
        transactions see no flag, both insert, the second does nothing (ON CONFLICT)."""
        if not is_postgres:
            pytest.skip("SQLite has one writer at a time: there is no race to lose")
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        assert flags_on(api.admin, shipment["id"]) == []
        # A rule added afterwards: the next judgement of the shipment raises it.
        rule = {
            "code": "letter-of-credit",
            "title": "Paid by letter of credit",
            "severity": "low",
            "subjects": ["shipment"],
            "condition": {"in": {"fact": "means_of_payment"}, "list": ["letter_of_credit"]},
            "explanation": "Paid by {means_of_payment}.",
        }
        assert api.admin.post(RULES, json=rule).status_code == 201
        barrier = threading.Barrier(THREADS)

        def judge() -> int:
            with Session(engine) as session:
                session.exec(select(Shipment.id).where(Shipment.id == shipment["id"])).one()
                barrier.wait(timeout=30)
                raised = flows.judge(session, "shipment", shipment["id"])
                session.commit()
                return len(raised)

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            raised = list(pool.map(lambda _: judge(), range(THREADS)))
        assert sum(raised) == 1
        [flag] = flags_on(api.admin, shipment["id"])
        assert flag["rule"] == "letter-of-credit"
        assert len(_domain_events(engine, "flag.raised", {flag["id"]})) == 1


class TestDomainEvents:
    def test_a_raised_flag_is_announced_to_the_countries_on_the_route(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(None, means_of_payment="hawala")
        flags = by_rule(api.admin, shipment["id"])
        events = {
            e.subject_id: e
            for e in _domain_events(engine, "flag.raised", set(f["id"] for f in flags.values()))
        }
        assert set(events) == {f["id"] for f in flags.values()}
        event = events[flags["unusual-payment"]["id"]]
        assert event.subject_type == "flag"
        assert event.actor_user_id is None  # raised by a rule, not a person
        assert event.route == {
            "exporting": "DE",
            "importing": "PK",
            "transit": ["AE"],
            "consignee_country": None,
        }
        assert event.payload["flag"]["rule"] == "unusual-payment"
        assert event.payload["flag"]["rule_version"] == 1
        assert event.payload["flag"]["explanation"] == "Paid by hawala."
        assert event.payload["subject"]["id"] == shipment["id"]

    def test_triage_is_announced_and_a_confirmation_has_its_own_event(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(None, means_of_payment="cash")
        flags = by_rule(api.admin, shipment["id"])
        pk = api.customs("PK")
        steps = [
            (flags["pen-missing"], "under_review"),
            (flags["pen-missing"], "confirmed"),
            (flags["unusual-payment"], "under_review"),
            (flags["unusual-payment"], "dismissed"),
        ]
        for flag, status in steps:
            body = {"status": status, "note": "Seen"}
            assert pk.post(f"{FLAGS}/{flag['id']}/triage", json=body).status_code == 200
        ids = {f["id"] for f in flags.values()}
        [confirmed] = _domain_events(engine, "flag.confirmed", ids)
        assert confirmed.subject_id == flags["pen-missing"]["id"]
        assert confirmed.payload["flag"]["status"] == "confirmed"
        assert confirmed.actor_user_id is not None
        [dismissed] = _domain_events(engine, "flag.dismissed", ids)
        assert dismissed.subject_id == flags["unusual-payment"]["id"]
        assert len(_domain_events(engine, "flag.triaged", ids)) == 2

    def test_a_manual_flag_is_announced_with_its_author(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        body = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "critical",
            "explanation": "Drums of acetic anhydride behind the auto parts.",
        }
        flag = api.customs("AE").post(FLAGS, json=body).json()
        [event] = _domain_events(engine, "flag.raised", {flag["id"]})
        assert event.actor_user_id is not None
        assert event.payload["flag"]["rule"] == "manual"

    def test_a_critical_flag_reaches_every_authority_on_the_route_and_the_consignee_s(
        self, api: Api, engine: Engine
    ) -> None:
        # Article 12(9)(c): the competent authorities of every party concerned hear of it.
        with open_session(engine, write=True) as session:
            seed_default_routing(session)
            session.commit()
        de_ae = trade(api, "DE", "AE", transit=())
        kabul = registered(api, "AF", "Kabul Trading Co")
        afghan = api.regulator("AF")
        pen = de_ae.pen("no_objection", consignee_id=kabul["id"])
        shipment = de_ae.ship(pen, consignee_id=kabul["id"])
        flag = by_rule(api.admin, shipment["id"])["no-licit-need-destination"]
        for authority in (afghan, de_ae.lane.exporting, de_ae.lane.importing):
            [alert] = walk(authority, ALERTS, event_type="flag.raised", subject_id=flag["id"])
            assert alert["severity"] == "critical"
            assert alert["payload"]["flag"]["explanation"] == flag["explanation"]
        assert walk(api.regulator("FR"), ALERTS) == []
