"""grants.id_token_claims: the custom claims of a grant's latest ID token, returned by /userinfo

Revision ID: grant_id_token_claims
Revises: 0001_initial
Create Date: 2026-11-23 01:50:57.711078
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "grant_id_token_claims"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing grants get an empty object; new rows are written by the application.
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_token_claims", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_column("id_token_claims")
