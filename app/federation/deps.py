"""Path ids loaded into peers (admin; 404 when unknown), and the raw body peers sign."""

from typing import Annotated

from fastapi import Depends, Request

from app.auth.deps import AdminUser
from app.core.db import SessionDep
from app.federation import service
from app.federation.models import Peer


def load_peer(peer_id: str, session: SessionDep, _: AdminUser) -> Peer:
    return service.get_peer_or_raise(session, peer_id)


async def raw_body(request: Request) -> bytes:
    """The request body as sent: signatures are over these exact bytes."""
    return await request.body()


PeerDep = Annotated[Peer, Depends(load_peer)]
RawBody = Annotated[bytes, Depends(raw_body)]
