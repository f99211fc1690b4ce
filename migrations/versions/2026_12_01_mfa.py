"""mfa: users' authenticators and the tenant's MFA policy

Revision ID: mfa
Revises: actions_v8
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mfa"
down_revision: str | None = "actions_v8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mfa_authenticators",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("user_pk", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_used_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_mfa_authenticators_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_pk"], ["users.id"], name=op.f("fk_mfa_authenticators_user_pk_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_authenticators")),
        sa.UniqueConstraint("tenant_id", "public_id", name=op.f("uq_mfa_authenticators_tenant_id_public_id")),
    )
    op.create_index("ix_mfa_authenticators_user", "mfa_authenticators", ["tenant_id", "user_id"], unique=False)
    op.create_table(
        "mfa_policies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=32), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_mfa_policies_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_policies")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_mfa_policies_tenant_id")),
    )


def downgrade() -> None:
    op.drop_table("mfa_policies")
    op.drop_index("ix_mfa_authenticators_user", table_name="mfa_authenticators")
    op.drop_table("mfa_authenticators")
