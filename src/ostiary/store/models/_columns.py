"""Column helpers shared by the models: ids, tenant foreign key, JSON documents, epoch timestamps."""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import mapped_column

from ostiary.ids import new_id

Pk = Annotated[str, mapped_column(String(32), primary_key=True, default=new_id)]
TenantFk = Annotated[
    str, mapped_column(String(32), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
]
# Times are epoch seconds (float): portable between SQLite and PostgreSQL and cheap to compare.
Epoch = Annotated[float, mapped_column(Float, nullable=False)]
OptEpoch = Annotated[float | None, mapped_column(Float, nullable=True)]
JsonDict = Annotated[dict[str, Any], mapped_column(JSON, nullable=False, default=dict)]
JsonList = Annotated[list[Any], mapped_column(JSON, nullable=False, default=list)]
