from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, JsonList, OptEpoch, Pk, TenantFk


class Client(Base):
    """An application, with Auth0's Management API field names."""

    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("tenant_id", "client_id"),
        UniqueConstraint("tenant_id", "name"),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    client_id: Mapped[str] = mapped_column(String(128))
    # Encrypted with the master key, not hashed: Auth0 shows secrets again and signs HS256 ID tokens with them.
    client_secret_enc: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    app_type: Mapped[str] = mapped_column(String(32), default="regular_web")
    is_first_party: Mapped[bool] = mapped_column(default=True)
    oidc_conformant: Mapped[bool] = mapped_column(default=True)
    callbacks: Mapped[JsonList]
    allowed_logout_urls: Mapped[JsonList]
    web_origins: Mapped[JsonList]
    allowed_origins: Mapped[JsonList]
    grant_types: Mapped[JsonList]
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32), default="client_secret_post")
    is_token_endpoint_ip_header_trusted: Mapped[bool] = mapped_column(default=False)
    jwt_configuration: Mapped[JsonDict]
    refresh_token: Mapped[JsonDict]
    native_social_login: Mapped[JsonDict]
    mobile: Mapped[JsonDict]
    client_metadata: Mapped[JsonDict]
    # Auth0's one "All Applications" client per tenant (`global: true`): listed by the Management API only.
    is_global: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]


class ClientGrant(Base):
    """Authorises a client to get client_credentials tokens for one API, with these scopes."""

    __tablename__ = "client_grants"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id", "audience"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    client_id: Mapped[str] = mapped_column(String(128))
    audience: Mapped[str] = mapped_column(String(1024))
    scope: Mapped[JsonList]
    created_at: Mapped[Epoch]
