from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, Pk, TenantFk


class OpaqueAccessToken(Base):
    """An access token minted with no audience: opaque, stored as its SHA-256, good only at /userinfo."""

    __tablename__ = "opaque_access_tokens"

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[str | None] = mapped_column(String(32), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Epoch]
    expires_at: Mapped[Epoch]
