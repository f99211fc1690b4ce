"""Refresh-token indexes: children/siblings of a token (rotation), tokens of a user+client (revocation).

Revision ID: refresh_indexes
Revises: hooks
"""

from collections.abc import Sequence

from alembic import op

revision: str = "refresh_indexes"
down_revision: str | None = "hooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_refresh_tokens_tenant_parent", ["tenant_id", "parent_id"], unique=False)
        batch_op.create_index(
            "ix_refresh_tokens_tenant_user_client", ["tenant_id", "user_id", "client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_refresh_tokens_tenant_user_client")
        batch_op.drop_index("ix_refresh_tokens_tenant_parent")
