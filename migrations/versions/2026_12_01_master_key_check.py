"""master_key_check

Revision ID: master_key_check
Revises: browser_login
Create Date: 2026-12-01 23:45:00

One row per database: a value encrypted with the master key, so `ostiary serve` can tell at start whether
OSTIARY_MASTER_KEY is the key this database's secrets were written with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "master_key_check"
down_revision: str | None = "browser_login"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('master_key_check',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_master_key_check'))
    )


def downgrade() -> None:
    op.drop_table('master_key_check')
