from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, JsonList, OptEpoch, Pk, TenantFk


class Connection(Base):
    """A source of identities: the database (strategy auth0), a social provider or a custom exchange."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    name: Mapped[str] = mapped_column(String(128))
    strategy: Mapped[str] = mapped_column(String(64))
    # Provider settings, URLs included; secret-valued keys are encrypted (store/secrets.py).
    options: Mapped[JsonDict]
    # client_ids allowed to use the connection.
    enabled_clients: Mapped[JsonList]
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]
