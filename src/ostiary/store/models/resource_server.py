from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonList, OptEpoch, Pk, TenantFk


class ResourceServer(Base):
    """An API: its identifier is the audience of its access tokens."""

    __tablename__ = "resource_servers"
    __table_args__ = (UniqueConstraint("tenant_id", "identifier"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    identifier: Mapped[str] = mapped_column(String(1024))
    name: Mapped[str] = mapped_column(String(255))
    # [{"value": "read:x", "description": "..."}]
    scopes: Mapped[JsonList]
    signing_alg: Mapped[str] = mapped_column(String(8), default="RS256")
    signing_secret_enc: Mapped[str | None] = mapped_column(Text)
    token_lifetime: Mapped[int] = mapped_column(default=86400)
    token_lifetime_for_web: Mapped[int] = mapped_column(default=7200)
    allow_offline_access: Mapped[bool] = mapped_column(default=False)
    skip_consent_for_verifiable_first_party_clients: Mapped[bool] = mapped_column(default=True)
    enforce_policies: Mapped[bool] = mapped_column(default=False)
    token_dialect: Mapped[str] = mapped_column(String(32), default="access_token")
    # The tenant's Management API (`https://{domain}/api/v2/`): not deletable, listed by the Management API only.
    is_system: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]
