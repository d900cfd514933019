"""API keys: issue (the secret is returned once), resolve, list and revoke.

A key reads `cm_<prefix>_<secret>`. The 12-hex-digit prefix finds the row; only the
SHA-256 of the whole key is stored and it is compared in constant time. The secret
carries 256 random bits, so a plain (unsalted) SHA-256 is not guessable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from sqlmodel import Session, col, select

from catalog.access import audit
from catalog.core.errors import NotFound, Unprocessable
from catalog.models import ApiKey, RightsHolder, utcnow
from catalog.products.validation import plausible_id

Role = Literal["admin", "rights_holder", "customs", "officer"]
ROLES: tuple[str, ...] = get_args(Role)
KEY_SCHEME = "cm"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, its client, its role and (for `rights_holder`) its holder."""

    key_id: str
    role: str
    rights_holder_id: str | None
    name: str
    client_id: str

    @property
    def actor(self) -> str:
        """How this caller is named in the audit log."""
        return f"key:{self.key_id}"


CLI_ACTOR = "cli"


def hash_key(token: str) -> str:
    """SHA-256 hex of a whole key string, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def split_key(token: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != 12 or len(parts[2]) < 20:
        return None
    return parts[1]


def _joined_client(session: Session, *, key_id: str, role: str, rotation: bool) -> ApiKey:
    """The key whose client a new key joins: its rotation (same role) or an officer of customs."""
    old = session.get(ApiKey, key_id) if plausible_id(key_id) else None
    if old is None:
        raise NotFound(f"API key {key_id} does not exist")
    joins = old.role == role if rotation else {old.role, role} <= {"customs", "officer"}
    if not joins:
        rule = (
            "a rotated key keeps the role of the key it replaces"
            if rotation
            else "only customs and officer keys share a client"
        )
        raise Unprocessable(rule, slug="invalid-key")
    return old


def create_key(
    session: Session,
    *,
    actor: str,
    role: str,
    name: str,
    rights_holder_id: str | None = None,
    rotates: str | None = None,
    client_of: str | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key; return its row and the secret key string (shown only now).

    The key is a new client unless it `rotates` a key (same role and holder) or is issued
    as `client_of` a customs or officer key (an officer of that customs client).
    """
    if rotates is not None and client_of is not None:
        raise Unprocessable("a key either rotates a key or joins a client", slug="invalid-key")
    if role not in ROLES:
        raise Unprocessable(f"role must be one of {', '.join(ROLES)}", slug="invalid-role")
    if role == "rights_holder":
        if not rights_holder_id:
            raise Unprocessable("a rights_holder key needs rights_holder_id", slug="invalid-key")
        if (
            not plausible_id(rights_holder_id)
            or session.get(RightsHolder, rights_holder_id) is None
        ):
            raise NotFound(f"rights holder {rights_holder_id} does not exist")
    elif rights_holder_id:
        raise Unprocessable("only rights_holder keys are bound to a rights holder")
    prefix = secrets.token_hex(6)
    token = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        role=role,
        rights_holder_id=rights_holder_id,
        prefix=prefix,
        secret_hash=hash_key(token),
    )
    joined = rotates or client_of
    if joined is not None:
        old = _joined_client(session, key_id=joined, role=role, rotation=rotates is not None)
        if old.rights_holder_id != rights_holder_id:
            raise Unprocessable("a key of another rights holder is another client")
        key.client_id = old.client_id
    session.add(key)
    session.flush()
    audit.append_event(
        session,
        actor=actor,
        action="api_key.create",
        entity_type="api_key",
        entity_id=key.id,
        change={
            "role": role,
            "name": name,
            "rights_holder_id": rights_holder_id,
            "client_id": key.client_id,
            "rotates": rotates,
            "client_of": client_of,
        },
    )
    return key, token


def resolve_key(session: Session, *, token: str) -> Principal | None:
    """The live key a presented string belongs to, or None (unknown, malformed, revoked)."""
    prefix = split_key(token)
    if prefix is None:
        return None
    key = session.exec(select(ApiKey).where(col(ApiKey.prefix) == prefix)).one_or_none()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, hash_key(token)):
        return None
    return Principal(
        key_id=key.id,
        role=key.role,
        rights_holder_id=key.rights_holder_id,
        name=key.name,
        client_id=key.client_id,
    )


def revoke_key(session: Session, *, actor: str, key_id: str) -> ApiKey:
    """Revoke a key (idempotent); raise NotFound for an unknown id."""
    key = session.get(ApiKey, key_id) if plausible_id(key_id) else None
    if key is None:
        raise NotFound(f"API key {key_id} does not exist")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
        audit.append_event(
            session, actor=actor, action="api_key.revoke", entity_type="api_key", entity_id=key_id
        )
    return key


def list_keys(session: Session, *, rights_holder_id: str | None = None) -> list[ApiKey]:
    """Every key (never its secret), oldest first, optionally of one rights holder."""
    stmt = select(ApiKey).order_by(col(ApiKey.id))
    if rights_holder_id is not None:
        stmt = stmt.where(col(ApiKey.rights_holder_id) == rights_holder_id)
    return list(session.exec(stmt).all())
