"""auth0_migration: users keep the MFA factors of Auth0's bulk import (TOTP secrets, phone, email) for the MFA work

Revision ID: auth0_migration
Revises: browser_login
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "auth0_migration"
down_revision: str | None = "browser_login"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("mfa_factors", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mfa_factors")
