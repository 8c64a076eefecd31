"""Applying the signed messages peer nodes send us.

A message names its sender in `pentrack-node`; it is accepted only if signed with that
peer's key (`v1a` ed25519 when the peer has a public key, else `v1` HMAC with the shared
secret) within the replay window, and only for countries that peer hosts. It is stored once
per message id, in the same transaction as the local records it creates or moves.
"""

import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import flows
from app.alerts.models import Alert
from app.alerts.outbox import ORIGIN_NODE
from app.alerts.routing import ROUTE_ROLES, route_countries
from app.alerts.webhooks import webhook_body
from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.authorities.models import Authority
from app.core.config import Settings
from app.core.fields import json_depth
from app.core.ids import new_id
from app.core.types import utcnow
from app.delivery import service as deliveries
from app.delivery import signing
from app.delivery.bodies import pending_row
from app.events.types import SubjectType
from app.federation.exceptions import (
    BadMessage,
    InvalidSignature,
    MessageTooDeep,
    PeerNotAuthoritative,
    PeerReferenceConflict,
    UnknownSubject,
)
from app.federation.messages import ALERT_MESSAGE
from app.federation.models import InboundMessage, Peer
from app.federation.schemas import InboundReceipt
from app.notifications.exceptions import TransitionNotAllowed
from app.notifications.models import PreExportNotification
from app.notifications.payloads import PartyDocument, PenDocument
from app.notifications.schemas import NotificationCreate
from app.notifications.states import Action, Decision
from app.operators.models import Operator
from app.operators.schemas import OperatorCreate
from app.operators.service import create_operator

# A PEN reference as nodes write them: country, year, number (`DE-2026-000123`).
REFERENCE_PATTERN = re.compile(r"[A-Z]{2}-[0-9]{4}-[0-9]{1,12}")
ACTIONS = {
    "pen.sent": Action.SEND,
    "pen.acknowledge": Action.ACKNOWLEDGE,
    "pen.acknowledged": Action.ACKNOWLEDGE,
    "pen.responded": Action.RESPOND,
    "pen.respond": Action.RESPOND,
    "pen.answer": Action.ANSWER,
    "pen.answered": Action.ANSWER,
    "pen.withdraw": Action.WITHDRAW,
    "pen.withdrawn": Action.WITHDRAW,
}
# One answer for every message that does not verify (unknown peer, stale, bad signature).
NOT_VERIFIED = (
    "The message does not verify: unknown or disabled sender, stale timestamp or bad signature."
)
MAX_MESSAGE_DEPTH = 32
log = logging.getLogger("pentrack.federation")
# What the exporting side does; the importing side acknowledges and responds.
EXPORTING_SIDE_ACTIONS = frozenset({Action.SEND, Action.ANSWER, Action.WITHDRAW})


def receive(
    session: Session, settings: Settings, headers: Mapping[str, str], raw: bytes
) -> InboundReceipt:
    """Verify a peer's message, store it once, and apply it to the local records."""
    peer, message_id, signed_at, text = _verified(session, settings, headers, raw)
    stored = _stored(session, peer, message_id)
    if stored is not None:
        return _receipt(stored, "duplicate")
    kind, data, body = _parsed(text)
    message = InboundMessage(
        id=new_id(),
        peer_id=peer.id,
        message_id=message_id,
        type=kind,
        sent_at=signed_at,
        outcome="applied",
        body=body,
    )
    try:
        # Claim the message id first: a concurrent copy waits here, then finds it stored.
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        stored = _stored(session, peer, message_id)
        if stored is None:
            raise
        return _receipt(stored, "duplicate")
    # Applied as the peer's authorities; nothing it causes is echoed back to that peer.
    session.info[ORIGIN_NODE] = peer.node_id
    try:
        if kind == ALERT_MESSAGE:
            _apply_alert(session, peer, message, data)
        elif kind in ACTIONS:
            _apply_pen(session, settings, peer, message, kind, data)
        else:
            raise BadMessage(f"Unknown message type {kind!r}.")
    finally:
        session.info.pop(ORIGIN_NODE, None)
    session.add(message)
    audit.record(
        session,
        None,
        "node.message_received",
        "inbound_message",
        message.id,
        after={
            "peer": peer.node_id,
            "message_id": message_id,
            "type": kind,
            "outcome": message.outcome,
            "subject_id": message.subject_id,
        },
    )
    session.flush()
    return _receipt(message, "accepted")


def _verified(
    session: Session, settings: Settings, headers: Mapping[str, str], raw: bytes
) -> tuple[Peer, str, datetime, str]:
    """The sending peer, the message id, the signed time and the text, once the signature and
    the timestamp check out. An unknown peer, a stale timestamp and a bad signature get the
    same answer, so a caller cannot learn which node ids are registered here."""
    node_id = headers.get("pentrack-node", "")
    peer = session.exec(select(Peer).where(Peer.node_id == node_id)).first() if node_id else None
    try:
        if peer is None or not peer.enabled:
            raise signing.SignatureError(f"no enabled peer {node_id[:64]!r}")
        text = raw.decode()
        message_id, signed_at = signing.verify(
            headers,
            text,
            secret=peer.shared_secret,
            public_key=peer.public_key,
            window=timedelta(seconds=settings.node_replay_window_seconds),
        )
    except (signing.SignatureError, signing.TimestampError, UnicodeDecodeError) as exc:
        log.info("node message refused: %s", exc)
        raise InvalidSignature(NOT_VERIFIED) from exc
    if len(message_id) > 64:
        raise BadMessage("webhook-id is longer than 64 characters.")
    return peer, message_id, signed_at, text


def _parsed(text: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The message's type and data, and the whole body; nesting is bounded."""
    try:
        body = json.loads(text)
        kind, data = body["type"], body["data"]
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise TypeError("type must be a string and data an object")
    except RecursionError as exc:
        raise MessageTooDeep(f"The message nests deeper than {MAX_MESSAGE_DEPTH} levels.") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BadMessage(f"Expected {{type, timestamp, data}}: {exc}.") from exc
    if json_depth(body) > MAX_MESSAGE_DEPTH:
        raise MessageTooDeep(f"The message nests deeper than {MAX_MESSAGE_DEPTH} levels.")
    return kind, data, body


def _stored(session: Session, peer: Peer, message_id: str) -> InboundMessage | None:
    return session.exec(
        select(InboundMessage).where(
            InboundMessage.peer_id == peer.id, InboundMessage.message_id == message_id
        )
    ).first()


def _receipt(message: InboundMessage, status: str) -> InboundReceipt:
    return InboundReceipt(
        message_id=message.message_id,
        status=status,
        outcome=message.outcome,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
    )


def _peer_principal(peer: Peer, country: str) -> Principal:
    """The remote regulator, as seen here: acting through its node, for its own country."""
    if country not in peer.countries:
        raise PeerNotAuthoritative(f"Node {peer.node_id} does not host {country!r}.")
    return Principal(
        user_id=f"node:{peer.node_id}"[:32],
        name=f"{country} regulator via node {peer.node_id}",
        role=Role.REGULATOR,
        authority_id=None,
        country=country,
    )


def _apply_alert(
    session: Session, peer: Peer, message: InboundMessage, data: dict[str, Any]
) -> None:
    """File a peer's alert in the inboxes of our authorities it names (by country and kind)."""
    try:
        countries = [str(c) for c in data["countries"]]
        kinds = [str(k) for k in data["kinds"]]
        event_type, subject_id = str(data["event_type"]), str(data["subject_id"])[:32]
    except (KeyError, TypeError) as exc:
        raise BadMessage(
            f"An alert needs countries, kinds, event_type, subject_id: {exc}."
        ) from exc
    _require_own_route(peer, _object(data.get("route")), countries)
    authorities = session.exec(
        select(Authority).where(
            col(Authority.country).in_(countries), col(Authority.kind).in_(kinds)
        )
    ).all()
    now = utcnow()
    queued = []
    for authority in authorities:
        alert = Alert(
            id=new_id(),
            authority_id=authority.id,
            inbound_message_id=message.id,
            origin_node=peer.node_id,
            rule=str(data.get("rule") or "peer")[:64],
            event_type=event_type[:40],
            subject_type=str(data.get("subject_type") or "")[:40],
            subject_id=subject_id,
            severity=data.get("severity") if isinstance(data.get("severity"), str) else None,
            title=str(data.get("title") or event_type)[:300],
            scope=str(data.get("scope") or "full")[:20],
            route=_object(data.get("route")),
            payload=_object(data.get("payload")),
            created_at=now,
        )
        session.add(alert)
        if authority.webhook_url:
            queued.append(
                pending_row(
                    "webhook",
                    alert.event_type,
                    authority.webhook_url,
                    webhook_body(alert),
                    now,
                    alert_id=alert.id,
                    authority_id=authority.id,
                )
            )
    session.flush()
    deliveries.queue(session, queued)
    message.subject_type = str(data.get("subject_type") or "")[:40] or None
    message.subject_id = subject_id
    message.detail = f"{len(authorities)} local authorities alerted"


def _require_own_route(peer: Peer, route: dict[str, Any], countries: list[str]) -> None:
    """A peer speaks of routes through the countries it hosts, and only to countries on them."""
    on_route = set(route_countries(route, ROUTE_ROLES))
    if not on_route & set(peer.countries):
        raise PeerNotAuthoritative(
            f"Node {peer.node_id} may only send alerts about routes through "
            f"{', '.join(sorted(peer.countries))}."
        )
    off_route = sorted(set(countries) - on_route)
    if off_route:
        raise PeerNotAuthoritative(
            f"The alert names {', '.join(off_route)}, which the route does not."
        )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _apply_pen(
    session: Session,
    settings: Settings,
    peer: Peer,
    message: InboundMessage,
    kind: str,
    data: dict[str, Any],
) -> None:
    """Create the notification (pen.sent) or move it as the other side did."""
    reference = data.get("reference")
    actor_country = data.get("actor_country")
    if not isinstance(reference, str) or not isinstance(actor_country, str):
        raise BadMessage("A PEN message needs reference and actor_country.")
    principal = _peer_principal(peer, actor_country)
    action = ACTIONS[kind]
    pen = session.exec(
        select(PreExportNotification)
        .where(PreExportNotification.reference == reference)
        .with_for_update()
    ).first()
    message.subject_type = SubjectType.PEN.value
    if action == Action.SEND and pen is not None:
        # A notification is sent once; a second pen.sent for a known reference is a peer
        # claiming a record of ours (or re-sending under a new message id): change nothing.
        raise PeerReferenceConflict(f"Reference {reference!r} is taken on this node.")
    if action == Action.SEND:
        pen = _mirror(session, settings, principal, data)
        message.subject_id = pen.id
        message.detail = f"notification {reference} received"
        return
    if pen is None:
        raise UnknownSubject(f"No notification with reference {reference!r} here.")
    message.subject_id = pen.id
    side_country = (
        pen.exporting_country if action in EXPORTING_SIDE_ACTIONS else pen.importing_country
    )
    if side_country != actor_country:
        raise PeerNotAuthoritative(f"{actor_country} may not {action.value} {reference}.")
    decision = data.get("decision")
    try:
        flows.transition_notification(
            session,
            settings,
            principal,
            pen,
            action,
            decision=Decision(decision) if action == Action.RESPOND and decision else None,
            text=data.get("text") if isinstance(data.get("text"), str) else None,
        )
    except TransitionNotAllowed as exc:
        # The local record has moved on (a late or reordered message): keep it, change nothing.
        message.outcome = "ignored"
        message.detail = exc.detail[:1000]
        return
    except ValueError as exc:
        raise BadMessage(f"Bad decision {decision!r}: {exc}.") from exc
    message.detail = f"{reference}: {action.value} applied"


def _mirror(
    session: Session, settings: Settings, principal: Principal, data: dict[str, Any]
) -> PreExportNotification:
    """The notification as the exporting node sent it, under the same reference."""
    try:
        document = PenDocument.model_validate(data.get("pen"))
        parties = {
            role: _party(session, principal, party) if party else None
            for role, party in (
                ("exporter", document.exporter),
                ("importer", document.importer),
                ("consignee", document.consignee),
            )
        }
        others = [
            {
                "role": party["role"],
                "operator_id": _party(session, principal, PartyDocument.model_validate(party)),
            }
            for party in document.parties or []
        ]
        body = NotificationCreate(
            **document.model_dump(
                exclude={"reference", "exporter", "importer", "consignee", "parties"},
                exclude_none=True,
            ),
            exporter_id=parties["exporter"],
            importer_id=parties["importer"],
            consignee_id=parties["consignee"],
            parties=others or None,
        )
    except ValidationError as exc:
        raise BadMessage(f"The notification in data.pen is not valid: {exc}.") from exc
    reference = _peer_reference(session, body.exporting_country, data)
    pen = flows.create_notification(session, principal, body)
    pen.reference = reference
    session.add(pen)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent copy took it between the check and the flush
        raise PeerReferenceConflict(f"Reference {reference!r} is taken on this node.") from exc
    return flows.transition_notification(session, settings, principal, pen, Action.SEND)


def _peer_reference(session: Session, exporting_country: str, data: dict[str, Any]) -> str:
    """The peer's reference for a PEN it sends us: in the exporting country's series (which
    the peer hosts) and not one this node already knows, so a peer can neither take over nor
    block our own numbering."""
    reference = str(data["reference"])
    if not REFERENCE_PATTERN.fullmatch(reference) or not reference.startswith(
        f"{exporting_country}-"
    ):
        raise PeerReferenceConflict(
            f"Reference {reference[:40]!r} is not in the {exporting_country} series "
            f"({exporting_country}-YYYY-NNNNNN)."
        )
    taken = session.exec(
        select(PreExportNotification.id).where(PreExportNotification.reference == reference)
    ).first()
    if taken is not None:
        raise PeerReferenceConflict(f"Reference {reference!r} is taken on this node.")
    return reference


def _party(session: Session, principal: Principal, party: PartyDocument) -> str:
    """The local operator for a party named in a message (created on first sight)."""
    data = OperatorCreate.model_validate(party.model_dump())
    found = session.exec(
        select(Operator).where(
            Operator.country == data.country,
            Operator.name == data.name,
            Operator.address == data.address,
        )
    ).first()
    return found.id if found else create_operator(session, principal, data).id
