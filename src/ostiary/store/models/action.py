from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, JsonList, OptEpoch, Pk, TenantFk


class Action(Base):
    """A hook: source stored in the tenant (JavaScript, or Python when the operator trusts tenant admins), or a
    module path (package.module:function)."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    name: Mapped[str] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(Text)
    module_path: Mapped[str | None] = mapped_column(String(512))
    # The code's language: "node22", "node18-actions", ... (JavaScript, run in V8) or "python".
    runtime: Mapped[str | None] = mapped_column(String(32))
    # npm dependencies as Auth0 lists them, [{name, version}], and their files resolved at deploy time
    # ({"node_modules/pkg/index.js": source, ...}).
    dependencies: Mapped[JsonList]
    modules: Mapped[JsonDict]
    supported_triggers: Mapped[JsonList]
    # {"NAME": encrypted value}
    secrets: Mapped[JsonDict]
    created_at: Mapped[Epoch]
    updated_at: Mapped[OptEpoch]


class TriggerBinding(Base):
    """The ordered list of actions bound to a trigger (post-login, credentials-exchange, ...)."""

    __tablename__ = "trigger_bindings"
    __table_args__ = (UniqueConstraint("tenant_id", "trigger", "action_name"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    trigger: Mapped[str] = mapped_column(String(64))
    action_name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)
