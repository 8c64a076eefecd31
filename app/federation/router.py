"""Peer nodes (admin) and the inbound endpoint for peers' messages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep, SettingsDep
from app.core.headers import IfMatch, check_if_match, locate, tag
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.delivery.signing import public_key_of
from app.federation import inbound
from app.federation import service as peers
from app.federation.deps import PeerDep, RawBody
from app.federation.models import INBOX_PATH, Peer
from app.federation.schemas import (
    InboundMessagePublic,
    InboundReceipt,
    NodeInfo,
    PeerCreate,
    PeerCreated,
    PeerPublic,
    PeerUpdate,
)

peers_router = APIRouter(
    prefix="/peers",
    tags=["nodes"],
    responses=problem_responses(401, 403),
)
nodes_router = APIRouter(prefix="/nodes", tags=["nodes"])
IdQuery = Annotated[str | None, Query(max_length=32)]


@peers_router.get("", response_model=ListResponse[PeerPublic], summary="Peer nodes")
def list_peers(
    session: SessionDep, _: AdminUser, limit: Limit = 50, cursor: Cursor = None
) -> object:
    """The pentrack nodes this one exchanges with, and the countries each hosts."""
    return peers.list_peers(session, limit=limit, cursor=cursor)


@peers_router.post(
    "",
    response_model=PeerCreated,
    status_code=201,
    responses=problem_responses(400, 409, 422),
    summary="Register a peer node",
)
def create_peer(
    data: PeerCreate,
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> PeerCreated:
    """Register a peer; a generated shared secret is returned here only."""
    peer = peers.create_peer(
        session, admin, data, allow_private=settings.allow_private_destinations
    )
    locate(response, request, "get_peer", peer_id=peer.id)
    return peer


@peers_router.get(
    "/{peer_id}", response_model=PeerPublic, responses=problem_responses(404), summary="Get a peer"
)
def get_peer(peer: PeerDep, response: Response) -> Peer:
    """One peer node (its secret is never shown)."""
    tag(response, PeerPublic.model_validate(peer))
    return peer


@peers_router.patch(
    "/{peer_id}",
    response_model=PeerPublic,
    responses=problem_responses(400, 404, 412, 422),
    summary="Change a peer",
)
def update_peer(
    data: PeerUpdate,
    peer: PeerDep,
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> Peer:
    """Change a peer's URL, countries, keys, or disable it."""
    check_if_match(if_match, PeerPublic.model_validate(peer))
    updated = peers.update_peer(
        session, admin, peer, data, allow_private=settings.allow_private_destinations
    )
    tag(response, PeerPublic.model_validate(updated))
    return updated


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
    return inbound.receive(session, settings, request.headers, body)


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
    return peers.list_inbound(session, peer_id=peer_id, type=type, limit=limit, cursor=cursor)
