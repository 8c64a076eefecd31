"""Users and bearer tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from app.audit import service as audit
from app.auth.models import User
from app.auth.principal import Principal
from app.auth.roles import COUNTRY_ROLES, ROLE_AUTHORITY_KIND, Role
from app.auth.schemas import TokenPublic, TokenStatus
from app.authorities.models import Authority
from app.core.db import WRITES, open_session
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import NotFound, Problem, UnknownReference
from app.core.types import utcnow
from app.operators.models import Operator

TOKEN_PREFIX = "pt_"
# A token's lifetime unless its creator chooses another (`--expires-in-days`).
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
LAST_USE_GRANULARITY = timedelta(hours=1)


class AuthorityRequired(Problem):
    type = "authority-required"
    title = "This role needs an authority"


class BadTokenLifetime(Problem):
    status = 422
    type = "bad-token-lifetime"
    title = "A token's lifetime is out of range"


class TokenNotFound(NotFound):
    type = "token-not-found"
    title = "Token not found"


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast digest is enough; a slow KDF buys nothing.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    role: Role,
    authority_id: str | None,
    name: str | None,
    expires_in_days: int = DEFAULT_TOKEN_DAYS,
    actor: Principal | None = None,
    operator_id: str | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is seen); the
    token expires after `expires_in_days`. Audited, without the token."""
    authority = session.get(Authority, authority_id) if authority_id else None
    if authority_id and authority is None:
        raise UnknownReference(f"No authority with id {authority_id!r}.")
    if role in COUNTRY_ROLES and authority is None:
        raise AuthorityRequired(f"A {role.value} user must belong to an authority (--authority).")
    kind = ROLE_AUTHORITY_KIND.get(role)
    if kind is not None and authority is not None and authority.kind != kind:
        raise AuthorityRequired(f"A {role.value} user must belong to a {kind} authority.")
    operator = _operator_of(session, role, authority_id, operator_id)
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise BadTokenLifetime(f"A token lives 1 to {MAX_TOKEN_DAYS} days, not {expires_in_days}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    user = User(
        id=new_id(),
        name=name or f"{role.value}@{_home(authority, operator)}",
        role=role.value,
        authority_id=authority_id,
        operator_id=operator_id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id, after=_snapshot(user))
    return user, token


class OperatorRequired(Problem):
    type = "operator-required"
    title = "An industry user belongs to an operator, and only an industry user does"


def _operator_of(
    session: Session, role: Role, authority_id: str | None, operator_id: str | None
) -> Operator | None:
    """The operator an industry user speaks for (400 when missing or misplaced)."""
    if role != Role.INDUSTRY:
        if operator_id is not None:
            raise OperatorRequired("Only an industry user belongs to an operator (--operator).")
        return None
    if operator_id is None or authority_id is not None:
        raise OperatorRequired(
            "An industry user belongs to an operator (--operator), not to an authority."
        )
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise UnknownReference(f"No operator with id {operator_id!r}.")
    return operator


def _home(authority: Authority | None, operator: Operator | None) -> str:
    if authority is not None:
        return authority.name
    return operator.name if operator is not None else "pentrack"


_USERS = User.__table__  # type: ignore[attr-defined]
# The principal `authenticate` found, kept on its session (the outbox names the actor's authority).
_AUTHENTICATED = "pentrack.authenticated"

# Built once: the lookup runs on every request, and building it cost more than running it.
# Plain columns through Core: the ORM's identity map and instances cost more than the query.
_LIVE_TOKEN = (
    sa_select(
        _USERS.c.id,
        _USERS.c.name,
        _USERS.c.role,
        _USERS.c.authority_id,
        _USERS.c.operator_id,
        _USERS.c.last_used_at,
        _USERS.c.language,
        col(Authority.country),
    )
    .select_from(_USERS)
    .join(Authority, User.authority_id == Authority.id, isouter=True)  # type: ignore[arg-type]
    .where(
        _USERS.c.token_hash == bindparam("token_hash"),
        _USERS.c.disabled == False,  # noqa: E712
        col(User.revoked_at).is_(None),
        or_(col(User.expires_at).is_(None), col(User.expires_at) > bindparam("now")),
        # A disabled authority's users are refused with their authority.
        or_(col(Authority.id).is_(None), col(Authority.enabled) == True),  # noqa: E712
    )
)


def authenticate(session: Session, token: str, *, touch: bool = True) -> Principal | None:
    """The principal a live token belongs to, or None: unknown, revoked, expired and disabled
    tokens alike, and the users of a disabled authority (one indexed lookup by the token's
    digest). `touch` records the use."""
    now = utcnow()
    found = session.connection().execute(_LIVE_TOKEN, {"token_hash": hash_token(token), "now": now})
    row = found.first()
    if row is None:
        return None
    stale = row.last_used_at is None or now - row.last_used_at > LAST_USE_GRANULARITY
    if touch and stale:
        _record_use(session, row.id, now)
    principal = Principal(
        user_id=row.id,
        name=row.name,
        role=Role(row.role),
        authority_id=row.authority_id,
        country=row.country,
        operator_id=row.operator_id,
        language=row.language,
    )
    session.info[_AUTHENTICATED] = principal
    return principal


def authority_of(session: Session, user_id: str | None) -> str | None:
    """The authority a user acts for: the request's own caller without a query."""
    if user_id is None:
        return None
    known = session.info.get(_AUTHENTICATED)
    if known is not None and known.user_id == user_id:
        return known.authority_id
    user = session.get(User, user_id)
    return user.authority_id if user else None


def _record_use(session: Session, user_id: str, now: datetime) -> None:
    """Keep the token's last use (at most hourly) without making requests of one token wait for
    each other: on PostgreSQL in a transaction of its own that skips a row another request is
    touching; on SQLite only in a write request's own transaction (a read that wrote would queue
    behind every writer for the one write lock)."""
    touch = update(User).values(last_used_at=now)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        free = select(User.id).where(User.id == user_id).with_for_update(skip_locked=True)
        with bind.engine.connect() as connection:
            connection.execute(touch.where(col(User.id).in_(free.scalar_subquery())))
            connection.commit()
    elif session.info.get(WRITES):
        session.execute(touch.where(col(User.id) == user_id))


def save_language(session: Session, user_id: str, code: str) -> None:
    """Keep the language a signed-in user picked, for their next sign-in in any browser (a
    preference, not audited). A page that carries the choice is most often a read: then in a
    short write transaction of its own; in a write request, in the request's own (on SQLite a
    second writer would wait for the first's lock)."""
    change = update(User).where(col(User.id) == user_id).values(language=code)
    if session.info.get(WRITES):
        session.execute(change)
        return
    with open_session(session.get_bind().engine, write=True) as writer:
        writer.execute(change)
        writer.commit()


def list_users(session: Session, *, limit: int, cursor: str | None) -> Page[User]:
    return paginate(session, select(User), col(User.id), limit=limit, cursor=cursor)


def get_user_or_raise(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise TokenNotFound(f"No token with id {user_id!r}.")
    return user


def revoke_user(session: Session, actor: Principal | None, user: User) -> User:
    """Refuse the user's token from now on; revoking twice keeps the first time."""
    if user.revoked_at is not None:
        return user
    before = _snapshot(user)
    user.revoked_at = utcnow()
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "token.revoked", "user", user.id, before=before, after=_snapshot(user)
    )
    return user


def end_sessions(session: Session, principal: Principal) -> None:
    """Sign-out: every browser session of this user issued until now is over."""
    user = session.get(User, principal.user_id)
    if user is not None:
        user.sessions_valid_after = utcnow()
        session.add(user)
        audit.record(session, principal, "user.signed_out", "user", user.id)


def session_still_valid(session: Session, user_id: str, issued_at: datetime) -> bool:
    """A browser session issued at `issued_at` may go on: its user's token is live and the
    user has not signed out since."""
    user = session.get(User, user_id)
    if user is None or token_status(user) != "active":
        return False
    authority = session.get(Authority, user.authority_id) if user.authority_id else None
    if authority is not None and not authority.enabled:
        return False
    return user.sessions_valid_after is None or issued_at > user.sessions_valid_after


def token_status(user: User, now: datetime | None = None) -> str:
    now = now or utcnow()
    if user.revoked_at is not None:
        return "revoked"
    if user.disabled:
        return "disabled"
    if user.expires_at is not None and user.expires_at <= now:
        return "expired"
    return "active"


def to_public(user: User) -> TokenPublic:
    return TokenPublic(
        **user.model_dump(
            include={"id", "name", "role", "authority_id", "operator_id", "created_at"}
            | {"last_used_at"}
            | {"expires_at", "revoked_at"}
        ),
        status=TokenStatus(token_status(user)),
    )


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "authority_id": user.authority_id,
        "operator_id": user.operator_id,
        "expires_at": user.expires_at.isoformat() if user.expires_at else None,
        "revoked_at": user.revoked_at.isoformat() if user.revoked_at else None,
    }


# The role a command-line job takes for an authority of each kind.
AUTHORITY_ROLES = {"customs": Role.CUSTOMS, "regulator": Role.REGULATOR}


class AuthorityCannotAct(Problem):
    type = "authority-cannot-act"
    title = "This authority's kind cannot do this"


def authority_principal(session: Session, authority_id: str, purpose: str) -> Principal:
    """The principal a command-line job (`pentrack import`) acts as for an authority: the
    authority's `purpose@<name>` user, created once and disabled (no one holds its token), so
    that the audit trail and the routing know the authority as the actor."""
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise UnknownReference(f"No authority with id {authority_id!r}.")
    role = AUTHORITY_ROLES.get(authority.kind)
    if role is None:
        raise AuthorityCannotAct(
            f"{authority.name} is a {authority.kind} authority; only customs and regulator "
            "authorities record data."
        )
    name = f"{purpose}@{authority.name}"[:200]
    user = session.exec(
        select(User).where(
            User.authority_id == authority_id, User.name == name, User.role == role.value
        )
    ).first()
    if user is None:
        user, _ = create_user(
            session, role=role, authority_id=authority_id, name=name, expires_in_days=1
        )
        user.disabled = True
        session.add(user)
        session.flush()
    return Principal(
        user_id=user.id, name=user.name, role=role, authority_id=authority_id,
        country=authority.country,
    )  # fmt: skip
