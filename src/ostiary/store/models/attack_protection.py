from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, OptEpoch, Pk, TenantFk


class LoginFailure(Base):
    """Consecutive failed logins for one user from one IP (brute-force protection)."""

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("tenant_id", "user_key", "ip"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    # The user's user_id, or the normalised username tried when no user matched.
    user_key: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    blocked_at: Mapped[OptEpoch]
    updated_at: Mapped[Epoch]
