from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, JsonList, OptEpoch, Pk, TenantFk


class LoginSession(Base):
    """The SSO session behind the session cookie (the cookie holds a secret; its hash is stored)."""

    __tablename__ = "login_sessions"

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    cookie_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The `sid` claim of ID tokens.
    sid: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(255))
    connection: Mapped[str | None] = mapped_column(String(128))
    auth_time: Mapped[Epoch]
    # client_ids that got tokens through this session (for logout and consent).
    clients: Mapped[JsonList]
    created_at: Mapped[Epoch]
    last_seen_at: Mapped[Epoch]
    expires_at: Mapped[Epoch]
    idle_expires_at: Mapped[Epoch]
    revoked_at: Mapped[OptEpoch]


class LoginTransaction(Base):
    """An /authorize request parked while the user is on the login or consent page (`state` in /u/*)."""

    __tablename__ = "login_transactions"

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    params: Mapped[JsonDict]
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(255))
    # While the user is at an upstream identity provider: the hash of the `state` sent to it (/login/callback).
    upstream_state_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    created_at: Mapped[Epoch]
    expires_at: Mapped[Epoch]
    completed_at: Mapped[OptEpoch]
