from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, JsonList, OptEpoch, Pk


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[Pk]
    name: Mapped[str] = mapped_column(String(128), unique=True)
    friendly_name: Mapped[str | None] = mapped_column(String(255))
    default_audience: Mapped[str | None] = mapped_column(String(1024))
    default_directory: Mapped[str | None] = mapped_column(String(128))
    allowed_logout_urls: Mapped[JsonList]
    # Hours, as Auth0's Management API has them.
    session_lifetime: Mapped[float] = mapped_column(default=168.0)
    idle_session_lifetime: Mapped[float] = mapped_column(default=72.0)
    # Auth0 tenant flags (revoke_refresh_token_grant, enable_public_signup_user_exists_error, ...).
    flags: Mapped[JsonDict]
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]


class TenantDomain(Base):
    """A host (with port when not default) the tenant answers on. The first one is its canonical domain."""

    __tablename__ = "tenant_domains"

    id: Mapped[Pk]
    tenant_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    is_primary: Mapped[bool] = mapped_column(default=False)
