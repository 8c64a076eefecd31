"""Deliveries (admin), peer nodes (admin) and the inbound endpoint for peers' messages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.alerts import delivery, nodes
from app.alerts.deps import DeliveryDep, PeerDep, RawBody
from app.alerts.messages import INBOX_PATH
from app.alerts.models import Peer
from app.alerts.schemas import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    InboundMessagePublic,
    InboundReceipt,
    NodeInfo,
    PeerCreate,
    PeerCreated,
    PeerPublic,
    PeerUpdate,
    RedeliverAll,
    RedeliverResult,
)
from app.alerts.signing import public_key_of
from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep, SettingsDep
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses

deliveries_router = APIRouter(
    prefix="/deliveries",
    tags=["deliveries"],
    responses=problem_responses(401, 403),
)
peers_router = APIRouter(
    prefix="/peers",
    tags=["nodes"],
    responses=problem_responses(401, 403),
)
nodes_router = APIRouter(prefix="/nodes", tags=["nodes"])
IdQuery = Annotated[str | None, Query(max_length=32)]


@deliveries_router.get("", response_model=ListResponse[DeliveryPublic], summary="Deliveries")
def list_deliveries(
    session: SessionDep,
    _: AdminUser,
    status: Annotated[list[DeliveryStatus] | None, Query()] = None,
    authority_id: IdQuery = None,
    peer_id: IdQuery = None,
    alert_id: IdQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Webhook and node deliveries, newest first; `?status=dead&status=retrying` for failures."""
    return delivery.list_deliveries(
        session,
        status=[s.value for s in status] if status else None,
        authority_id=authority_id,
        peer_id=peer_id,
        alert_id=alert_id,
        limit=limit,
        cursor=cursor,
    )


@deliveries_router.post(
    "/redeliver",
    response_model=RedeliverResult,
    responses=problem_responses(422),
    summary="Redeliver all failed deliveries",
)
def redeliver_all(
    session: SessionDep, admin: AdminUser, data: RedeliverAll | None = None
) -> RedeliverResult:
    """Send every dead (or retrying) delivery again now, optionally for one authority or peer."""
    return RedeliverResult(
        redelivered=delivery.redeliver_all(session, admin, data or RedeliverAll())
    )


@deliveries_router.get(
    "/{delivery_id}",
    response_model=DeliveryDetail,
    responses=problem_responses(404),
    summary="Get a delivery with its attempts",
)
def get_delivery(item: DeliveryDep, session: SessionDep) -> DeliveryDetail:
    """One delivery and every attempt made."""
    return delivery.to_detail(session, item)


@deliveries_router.post(
    "/{delivery_id}/redeliver",
    response_model=DeliveryDetail,
    responses=problem_responses(404, 409),
    summary="Redeliver one delivery",
)
def redeliver(item: DeliveryDep, session: SessionDep, admin: AdminUser) -> DeliveryDetail:
    """Send again now with a fresh retry schedule (same webhook-id)."""
    return delivery.to_detail(session, delivery.redeliver(session, admin, item))


@peers_router.get("", response_model=ListResponse[PeerPublic], summary="Peer nodes")
def list_peers(
    session: SessionDep, _: AdminUser, limit: Limit = 50, cursor: Cursor = None
) -> object:
    """The pentrack nodes this one exchanges with, and the countries each hosts."""
    return nodes.list_peers(session, limit=limit, cursor=cursor)


@peers_router.post(
    "",
    response_model=PeerCreated,
    status_code=201,
    responses=problem_responses(400, 409, 422),
    summary="Register a peer node",
)
def create_peer(data: PeerCreate, session: SessionDep, admin: AdminUser) -> PeerCreated:
    """Register a peer; a generated shared secret is returned here only."""
    return nodes.create_peer(session, admin, data)


@peers_router.get(
    "/{peer_id}", response_model=PeerPublic, responses=problem_responses(404), summary="Get a peer"
)
def get_peer(peer: PeerDep) -> Peer:
    """One peer node (its secret is never shown)."""
    return peer


@peers_router.patch(
    "/{peer_id}",
    response_model=PeerPublic,
    responses=problem_responses(400, 404, 422),
    summary="Change a peer",
)
def update_peer(data: PeerUpdate, peer: PeerDep, session: SessionDep, admin: AdminUser) -> Peer:
    """Change a peer's URL, countries, keys, or disable it."""
    return nodes.update_peer(session, admin, peer, data)


@nodes_router.get(
    "/self", response_model=NodeInfo, summary="This node", responses=problem_responses(401)
)
def node_info(_: CurrentUser, settings: SettingsDep) -> NodeInfo:
    """This node's id and ed25519 public key, for a peer's admin to register."""
    key = settings.node_signing_key
    return NodeInfo(
        node_id=settings.node_id,
        public_key=public_key_of(key) if key else None,
        inbound_path=INBOX_PATH,
    )


@nodes_router.post(
    "/messages",
    response_model=InboundReceipt,
    responses=problem_responses(400, 401, 403, 409, 422),
    summary="Receive a peer's signed message",
)
def receive_message(
    request: Request, body: RawBody, session: SessionDep, settings: SettingsDep
) -> InboundReceipt:
    """A PEN, a PEN reply or an alert from a peer node (Standard Webhooks signature)."""
    return nodes.receive(session, settings, request.headers, body)


@nodes_router.get(
    "/messages",
    response_model=ListResponse[InboundMessagePublic],
    responses=problem_responses(401, 403),
    summary="Messages received from peers",
)
def list_messages(
    session: SessionDep,
    _: AdminUser,
    peer_id: IdQuery = None,
    type: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Every verified message peers sent, with what it did here."""
    return nodes.list_inbound(session, peer_id=peer_id, type=type, limit=limit, cursor=cursor)
