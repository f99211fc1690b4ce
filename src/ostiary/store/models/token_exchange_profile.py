"""Custom token exchange profiles: a subject_token_type of the tenant's own namespace mapped to one hook."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, Pk, TenantFk


class TokenExchangeProfile(Base):
    __tablename__ = "token_exchange_profiles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "subject_token_type"),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    name: Mapped[str] = mapped_column(String(255))
    subject_token_type: Mapped[str] = mapped_column(String(512))
    action_name: Mapped[str] = mapped_column(String(255))
    # Auth0's only profile type.
    type: Mapped[str] = mapped_column(String(64), default="custom_authentication")
    created_at: Mapped[Epoch]
