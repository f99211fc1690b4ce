"""RBAC (Auth0's Authorization Core): roles, their permissions, and what each user holds.

A permission is (API, one of its scopes). Rows point at the API's and the user's primary keys with
ON DELETE CASCADE, so deleting an API, a role or a user removes what hangs off it in the same statement.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, OptEpoch, Pk, TenantFk


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    # Auth0's id shape (rol_...), used as the primary key.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[TenantFk]
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(1024), default="")
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]


class RolePermission(Base):
    __tablename__ = "role_permissions"
    __table_args__ = (UniqueConstraint("role_id", "api_id", "scope"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    role_id: Mapped[str] = mapped_column(String(32), ForeignKey("roles.id", ondelete="CASCADE"), nullable=False)
    api_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("resource_servers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scope: Mapped[str] = mapped_column(String(1024))


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_pk", "role_id"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    user_pk: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    role_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("roles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[Epoch]


class UserPermission(Base):
    """A permission held by a user directly, not through a role."""

    __tablename__ = "user_permissions"
    __table_args__ = (UniqueConstraint("user_pk", "api_id", "scope"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    user_pk: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    api_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("resource_servers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scope: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[Epoch]
