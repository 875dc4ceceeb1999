"""Bearer tokens that staff make and revoke for the JSON API."""

from __future__ import annotations

import hashlib
import secrets
from functools import partial

from sqlalchemy import select

from . import fields
from .models import ApiToken
from .models.base import utcnow
from .transactions import DBSession, in_transaction

PREFIX = "lc_"

clean_name = partial(fields.text, max_length=100, required=True)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: DBSession, *, user_id: str, name: str) -> tuple[ApiToken, str]:
    """Make a token; the plain text is returned once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=str(user_id), name=clean_name("name", name), digest=digest(plain))
    session.add(token)
    return token, plain


def revoke_token(session: DBSession, *, user_id: str, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; ``None`` if it is not theirs."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != str(user_id):
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def tokens_of(session: DBSession, user_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == str(user_id)).order_by(ApiToken.id.desc())
        )
    )


def authenticate(session: DBSession, plain: str) -> ApiToken | None:
    """The live token with this text, or ``None``; its use is recorded (committed)."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    query = select(ApiToken).where(ApiToken.digest == digest(plain), ApiToken.revoked_at.is_(None))

    def use() -> ApiToken | None:
        token = session.scalars(query).first()
        if token is not None:
            token.last_used_at = utcnow()
        return token

    return in_transaction(session, use)
