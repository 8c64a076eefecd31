"""Peer nodes (admin): registering and changing them, and the log of messages they sent us."""

from sqlmodel import Session, col, select

from app.alerts.outbox import forget_configuration
from app.audit import service as audit
from app.auth.service import Principal
from app.authorities.service import generate_webhook_secret
from app.core.conflicts import unique_or_conflict
from app.core.destinations import check_url
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.federation.exceptions import PeerExists, PeerNotFound
from app.federation.models import InboundMessage, Peer
from app.federation.schemas import PeerCreate, PeerCreated, PeerPublic, PeerUpdate
from app.reference.service import require_countries


def create_peer(
    session: Session, actor: Principal, data: PeerCreate, *, allow_private: bool = False
) -> PeerCreated:
    """Register a peer node; a generated shared secret is returned here only. Its base URL
    must reach a public address (app/core/destinations.py)."""
    check_url(str(data.base_url), allow_private=allow_private)
    require_countries(session, data.countries)
    if session.exec(select(Peer).where(Peer.node_id == data.node_id)).first():
        raise PeerExists(f"A peer with node id {data.node_id!r} is registered.")
    generated = None if data.shared_secret else generate_webhook_secret()
    peer = Peer(
        id=new_id(),
        node_id=data.node_id,
        name=data.name,
        base_url=str(data.base_url),
        countries=sorted(set(data.countries)),
        shared_secret=data.shared_secret or generated or "",
        public_key=data.public_key,
        enabled=data.enabled,
    )
    with unique_or_conflict(
        session, PeerExists(f"A peer with node id {data.node_id!r} is registered.")
    ):
        session.add(peer)
    forget_configuration(session)
    public = PeerPublic.model_validate(peer)
    audit.record(
        session, actor, "peer.created", "peer", peer.id, after=public.model_dump(mode="json")
    )
    return PeerCreated(**public.model_dump(), shared_secret=generated)


def update_peer(
    session: Session, actor: Principal, peer: Peer, data: PeerUpdate, *, allow_private: bool = False
) -> Peer:
    """Change a peer; a new secret or key applies to the next attempt."""
    before = PeerPublic.model_validate(peer).model_dump(mode="json")
    changes = data.model_dump(exclude_unset=True)
    if "countries" in changes and changes["countries"] is not None:
        require_countries(session, changes["countries"])
        changes["countries"] = sorted(set(changes["countries"]))
    if changes.get("base_url") is not None:
        changes["base_url"] = str(changes["base_url"])
        check_url(changes["base_url"], allow_private=allow_private)
    for field, value in changes.items():
        if value is not None or field == "public_key":
            setattr(peer, field, value)
    peer.updated_at = utcnow()
    session.add(peer)
    forget_configuration(session)
    session.flush()
    after = PeerPublic.model_validate(peer).model_dump(mode="json")
    if "shared_secret" in changes:
        after["shared_secret"] = "(rotated)"
    audit.record(session, actor, "peer.updated", "peer", peer.id, before=before, after=after)
    return peer


def get_peer_or_raise(session: Session, peer_id: str) -> Peer:
    peer = session.get(Peer, peer_id)
    if peer is None:
        raise PeerNotFound(f"No peer with id {peer_id!r}.")
    return peer


def list_peers(session: Session, *, limit: int, cursor: str | None) -> Page[Peer]:
    return paginate(session, select(Peer), col(Peer.id), limit=limit, cursor=cursor)


def list_inbound(
    session: Session, *, peer_id: str | None, type: str | None, limit: int, cursor: str | None
) -> Page[InboundMessage]:
    query = select(InboundMessage)
    if peer_id:
        query = query.where(InboundMessage.peer_id == peer_id)
    if type:
        query = query.where(InboundMessage.type == type)
    return paginate(session, query, col(InboundMessage.id), limit=limit, cursor=cursor)
