"""Users and bearer tokens."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from app.auth.models import User
from app.auth.roles import COUNTRY_ROLES, Role
from app.authorities.models import Authority
from app.core.ids import new_id
from app.core.problems import Problem, UnknownReference

TOKEN_PREFIX = "pt_"


class AuthorityRequired(Problem):
    type = "authority-required"
    title = "This role needs an authority"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their role and (for country roles) their country."""

    user_id: str
    name: str
    role: Role
    authority_id: str | None
    country: str | None

    @property
    def is_global_reader(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast digest is enough; a slow KDF buys nothing.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session, *, role: Role, authority_id: str | None, name: str | None
) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is seen)."""
    authority = session.get(Authority, authority_id) if authority_id else None
    if authority_id and authority is None:
        raise UnknownReference(f"No authority with id {authority_id!r}.")
    if role in COUNTRY_ROLES and authority is None:
        raise AuthorityRequired(f"A {role.value} user must belong to an authority (--authority).")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user = User(
        id=new_id(),
        name=name or f"{role.value}@{authority.name if authority else 'pentrack'}",
        role=role.value,
        authority_id=authority_id,
        token_hash=hash_token(token),
    )
    session.add(user)
    session.flush()
    return user, token


def authenticate(session: Session, token: str) -> Principal | None:
    """The principal a token belongs to, or None (one indexed lookup by the token's digest)."""
    row = session.exec(
        select(User, Authority)
        .join(Authority, User.authority_id == Authority.id, isouter=True)  # type: ignore[arg-type]
        .where(User.token_hash == hash_token(token), User.disabled == False)  # noqa: E712
    ).first()
    if row is None:
        return None
    user, authority = row
    return Principal(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        authority_id=user.authority_id,
        country=authority.country if authority else None,
    )
