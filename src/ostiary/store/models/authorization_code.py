from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class AuthorizationCode(Base):
    """A code from /authorize, stored as its SHA-256 and redeemed at most once."""

    __tablename__ = "authorization_codes"

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[str] = mapped_column(String(32), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(255))
    redirect_uri: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str | None] = mapped_column(String(1024))
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    auth_time: Mapped[OptEpoch]
    session_id: Mapped[str | None] = mapped_column(String(64))
    # Everything else the token endpoint needs to mint what /authorize decided (hook outcome, ...).
    data: Mapped[JsonDict]
    created_at: Mapped[Epoch]
    expires_at: Mapped[Epoch]
    consumed_at: Mapped[OptEpoch]
