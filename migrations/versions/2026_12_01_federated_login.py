"""federated_login: the upstream state of a login sent to an identity provider, and the provider's tokens

Revision ID: federated_login
Revises: auth0_migration
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "federated_login"
down_revision: str | None = "auth0_migration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("login_transactions", sa.Column("upstream_state_hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_login_transactions_upstream_state_hash"), "login_transactions", ["upstream_state_hash"], unique=True
    )
    op.add_column("identities", sa.Column("idp_tokens", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("idp_tokens")
    op.drop_index(op.f("ix_login_transactions_upstream_state_hash"), table_name="login_transactions")
    with op.batch_alter_table("login_transactions") as batch:
        batch.drop_column("upstream_state_hash")
