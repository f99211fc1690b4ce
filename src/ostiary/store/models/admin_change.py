from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base


class AdminChange(Base):
    """One row: a counter every committed admin change increments (store/change_feed.py). Server processes
    on SQLite poll it to drop their caches; on PostgreSQL the same commit also sends a NOTIFY."""

    __tablename__ = "admin_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
