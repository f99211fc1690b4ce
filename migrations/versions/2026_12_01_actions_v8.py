"""actions_v8: JavaScript Actions (runtime, npm dependencies and their resolved files)

Revision ID: actions_v8
Revises: email
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "actions_v8"
down_revision: str | None = "email"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("runtime", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("dependencies", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("modules", sa.JSON(), nullable=False, server_default="{}"))
    # Stored source before this revision is Python.
    op.execute("UPDATE actions SET runtime = 'python' WHERE code IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("modules")
        batch.drop_column("dependencies")
        batch.drop_column("runtime")
