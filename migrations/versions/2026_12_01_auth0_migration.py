"""auth0_migration: an index for case-insensitive usernames; users keep the MFA factors of Auth0's bulk import (TOTP secrets, phone, email) for the MFA work

Revision ID: auth0_migration
Revises: management_api
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "auth0_migration"
down_revision: str | None = "management_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("mfa_factors", sa.JSON(), nullable=True))
    # Logins and the bulk import look usernames up case-insensitively: without it, each is a table scan.
    op.create_index("ix_users_tenant_username_lower", "users", ["tenant_id", sa.text("lower(username)")])


def downgrade() -> None:
    op.drop_index("ix_users_tenant_username_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mfa_factors")
