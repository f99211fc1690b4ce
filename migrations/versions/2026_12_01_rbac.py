"""rbac: roles, role permissions, user roles and user permissions (Auth0's Authorization Core)

Revision ID: rbac
Revises: master_key_check
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rbac"
down_revision: str | None = "master_key_check"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=True),
        _tenant_fk("roles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_roles_tenant_id_name")),
    )
    op.create_table(
        "role_permissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("role_id", sa.String(length=32), nullable=False),
        sa.Column("api_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_id"], ["resource_servers.id"], name=op.f("fk_role_permissions_api_id_resource_servers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_role_permissions_role_id_roles"), ondelete="CASCADE"
        ),
        _tenant_fk("role_permissions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_permissions")),
        sa.UniqueConstraint("role_id", "api_id", "scope", name=op.f("uq_role_permissions_role_id_api_id_scope")),
    )
    op.create_index(op.f("ix_role_permissions_api_id"), "role_permissions", ["api_id"], unique=False)
    op.create_table(
        "user_roles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("user_pk", sa.String(length=32), nullable=False),
        sa.Column("role_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_user_roles_role_id_roles"), ondelete="CASCADE"
        ),
        _tenant_fk("user_roles"),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_user_roles_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("user_pk", "role_id", name=op.f("uq_user_roles_user_pk_role_id")),
    )
    op.create_index(op.f("ix_user_roles_role_id"), "user_roles", ["role_id"], unique=False)
    op.create_table(
        "user_permissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("user_pk", sa.String(length=32), nullable=False),
        sa.Column("api_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_id"], ["resource_servers.id"], name=op.f("fk_user_permissions_api_id_resource_servers"),
            ondelete="CASCADE",
        ),
        _tenant_fk("user_permissions"),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.id"], name=op.f("fk_user_permissions_user_pk_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_permissions")),
        sa.UniqueConstraint("user_pk", "api_id", "scope", name=op.f("uq_user_permissions_user_pk_api_id_scope")),
    )
    op.create_index(op.f("ix_user_permissions_api_id"), "user_permissions", ["api_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_permissions_api_id"), table_name="user_permissions")
    op.drop_table("user_permissions")
    op.drop_index(op.f("ix_user_roles_role_id"), table_name="user_roles")
    op.drop_table("user_roles")
    op.drop_index(op.f("ix_role_permissions_api_id"), table_name="role_permissions")
    op.drop_table("role_permissions")
    op.drop_table("roles")
