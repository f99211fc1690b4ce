from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class Grant(Base):
    """One authorization a user gave a client (a login, a code redemption, a token exchange).

    Codes, refresh-token families and user access tokens point at it, so reuse detection and revocation
    can kill everything issued from one grant at once.
    """

    __tablename__ = "grants"
    __table_args__ = (Index("ix_grants_tenant_user_client", "tenant_id", "user_id", "client_id"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(255))
    audience: Mapped[str | None] = mapped_column(String(1024))
    scope: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Epoch]
    revoked_at: Mapped[OptEpoch]
    # Custom claims hooks put on the latest ID token of this grant; /userinfo returns them (Auth0 does).
    id_token_claims: Mapped[JsonDict]
