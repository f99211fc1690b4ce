from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class RefreshToken(Base):
    """A refresh token, stored as its SHA-256, in a family descending from one grant."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("ix_refresh_tokens_tenant_family", "tenant_id", "family_id"),
        # Rotation: siblings and children of a token; revocation by user+client(+audience).
        Index("ix_refresh_tokens_tenant_parent", "tenant_id", "parent_id"),
        Index("ix_refresh_tokens_tenant_user_client", "tenant_id", "user_id", "client_id"),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[str] = mapped_column(String(32), index=True)
    family_id: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(String(32))
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(255))
    audience: Mapped[str | None] = mapped_column(String(1024))
    scope: Mapped[str] = mapped_column(Text, default="")
    rotating: Mapped[bool] = mapped_column(default=False)
    session_id: Mapped[str | None] = mapped_column(String(64))
    auth_time: Mapped[OptEpoch]
    data: Mapped[JsonDict]
    created_at: Mapped[Epoch]
    used_at: Mapped[OptEpoch]
    revoked_at: Mapped[OptEpoch]
    absolute_expires_at: Mapped[OptEpoch]
    idle_expires_at: Mapped[OptEpoch]
