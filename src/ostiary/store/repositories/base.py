"""TenantScoped: the base of every repository. tenant_id is fixed at construction and stamped on every
select and insert, so no query can reach another tenant's rows."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ostiary.clock import Clock
from ostiary.store.db import Base
from ostiary.store.raw_pg import RawPool
from ostiary.store.raw_sqlite import RawSqlite
from ostiary.store.secrets import SecretBox

RowT = TypeVar("RowT", bound=Base)


class TenantScoped:
    def __init__(
        self,
        session: AsyncSession,
        tenant_id: str,
        *,
        box: SecretBox,
        clock: Clock,
        raw: RawPool | RawSqlite | None = None,
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.box = box
        self.clock = clock
        # PostgreSQL only: the pool for statements that commit on their own (see store/raw_pg.py).
        self.raw = raw

    def _select(self, model: type[RowT]) -> Select[RowT]:
        return select(model).where(model.tenant_id == self.tenant_id)  # type: ignore[attr-defined]

    def _new(self, model: type[RowT], **values: Any) -> RowT:
        row = model(tenant_id=self.tenant_id, **values)
        self.session.add(row)
        return row
