from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonList, Pk, TenantFk


class Consent(Base):
    """Scopes a user agreed to give a third-party client for one audience (the /u/consent page)."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "client_id", "audience"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    user_id: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(128))
    # "" when the request had no audience (only OIDC scopes), so the unique constraint works on every backend.
    audience: Mapped[str] = mapped_column(String(1024))
    scopes: Mapped[JsonList]
    created_at: Mapped[Epoch]
    updated_at: Mapped[Epoch]
