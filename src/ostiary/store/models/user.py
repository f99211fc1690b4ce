from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_users_tenant_email", "tenant_id", "email"),
        Index("ix_users_tenant_username_lower", "tenant_id", func.lower(text("username"))),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    # Auth0's "{provider}|{id}" form of the primary identity.
    user_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified: Mapped[bool] = mapped_column(default=False)
    username: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(255))
    nickname: Mapped[str | None] = mapped_column(String(255))
    picture: Mapped[str | None] = mapped_column(Text)
    given_name: Mapped[str | None] = mapped_column(String(255))
    family_name: Mapped[str | None] = mapped_column(String(255))
    user_metadata: Mapped[JsonDict]
    app_metadata: Mapped[JsonDict]
    password_hash: Mapped[str | None] = mapped_column(Text)
    # Auth0 bulk import's mfa_factors (totp secrets, phone, email), kept as given until Ostiary serves MFA.
    mfa_factors: Mapped[list[Any] | None] = mapped_column(JSON)
    blocked: Mapped[bool] = mapped_column(default=False)
    logins_count: Mapped[int] = mapped_column(default=0)
    last_login: Mapped[OptEpoch]
    last_ip: Mapped[str | None] = mapped_column(String(64))
    last_password_reset: Mapped[OptEpoch]
    created_at: Mapped[Epoch]
    updated_at: Mapped[Epoch]


class Identity(Base):
    """One upstream identity of a user (a user may hold several: database, apple, google-oauth2, ...)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("tenant_id", "connection", "external_id"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    user_pk: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    connection: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(64))
    # The id at the provider: user_id is "{provider}|{external_id}".
    external_id: Mapped[str] = mapped_column(String(255))
    is_social: Mapped[bool] = mapped_column(default=False)
    profile_data: Mapped[JsonDict]
    # The provider's tokens from the last browser login (access_token, ...): JSON, encrypted (store/secrets.py).
    idp_tokens: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Epoch]
