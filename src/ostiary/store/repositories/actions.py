"""Actions (hooks) and their ordered trigger bindings; custom token exchange profiles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from ostiary.errors import AdminError
from ostiary.store.models import Action as ActionRow
from ostiary.store.models import TokenExchangeProfile as ProfileRow
from ostiary.store.models import TriggerBinding as BindingRow
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.base import TenantScoped

TRIGGERS = ("post-login", "credentials-exchange", "custom-token-exchange")
MODULE_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
# Names become export file names (actions/<name>.py): no path separators.
ACTION_NAME = re.compile(r"\w[\w .-]{0,254}")
# Auth0 refuses these subject_token_type namespaces for custom token exchange profiles.
RESERVED_SUBJECT_TOKEN_TYPE_PREFIXES = (
    "urn:ietf", "urn:auth0", "urn:okta",
    "http://auth0.com", "https://auth0.com", "http://okta.com", "https://okta.com",
)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A stored hook: its source or module path, and its secrets (decrypted)."""

    name: str
    supported_triggers: tuple[str, ...]
    code: str | None = None
    module_path: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    # "python", or a Node runtime name ("node22", ...) for JavaScript; None for a module hook.
    runtime: str | None = None
    dependencies: tuple[dict[str, str], ...] = ()
    # The dependencies' files, resolved at deploy time: {"node_modules/pkg/index.js": source}.
    modules: dict[str, str] = field(default_factory=dict)
    id: str = ""
    created_at: float = 0.0
    updated_at: float | None = None

    @property
    def is_javascript(self) -> bool:
        return self.code is not None and is_node_runtime(self.runtime)


def is_node_runtime(runtime: str | None) -> bool:
    return bool(runtime) and str(runtime).startswith("node")


@dataclass(frozen=True, slots=True)
class ExchangeProfile:
    name: str
    subject_token_type: str
    action_name: str
    type: str = "custom_authentication"


class Actions(TenantScoped):
    async def by_name(self, name: str) -> ActionSpec | None:
        row = await self.session.scalar(self._select(ActionRow).where(ActionRow.name == name))
        return self._spec(row) if row else None

    async def by_id(self, action_id: str) -> ActionSpec | None:
        row = await self.session.scalar(self._select(ActionRow).where(ActionRow.id == action_id))
        return self._spec(row) if row else None

    async def all(self) -> list[ActionSpec]:
        rows = await self.session.scalars(self._select(ActionRow).order_by(ActionRow.name))
        return [self._spec(r) for r in rows.all()]

    def _spec(self, row: ActionRow) -> ActionSpec:
        return ActionSpec(
            name=row.name,
            supported_triggers=tuple(row.supported_triggers or ()),
            code=row.code,
            module_path=row.module_path,
            secrets={k: self.box.decrypt(val) for k, val in (row.secrets or {}).items()},
            runtime=row.runtime,
            dependencies=tuple(dict(d) for d in row.dependencies or ()),
            modules=dict(row.modules or {}),
            id=row.id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def upsert(
        self,
        name: str,
        *,
        supported_triggers: list[str],
        code: str | None = None,
        module_path: str | None = None,
        secrets: dict[str, str] | None = None,
        runtime: str | None = None,
        dependencies: list[dict[str, str]] | None = None,
        modules: dict[str, str] | None = None,
    ) -> ActionSpec:
        """Create or replace a hook. Exactly one of code / module_path; secrets are encrypted at rest.

        Code is Python unless runtime names Node (JavaScript is checked at deploy by admin/actions.py)."""
        if not isinstance(name, str) or not ACTION_NAME.fullmatch(name) or ".." in name:
            raise AdminError(f"action.name: {name!r} must be letters, digits, space, _ . - (at most 255)")
        if (code is None) == (module_path is None):
            raise AdminError(f"action {name}: give exactly one of code or module_path")
        if module_path is not None and not MODULE_PATH.fullmatch(module_path):
            raise AdminError(f"action.module_path: {module_path!r} is not package.module:function")
        if code is not None and not is_node_runtime(runtime):
            runtime = "python"
            try:
                compile(code, f"<action {name}>", "exec")
            except SyntaxError as exc:
                raise AdminError(f"action {name}: code does not compile (line {exc.lineno}: {exc.msg})") from exc
        if not supported_triggers:
            raise AdminError(f"action {name}: supported_triggers is empty")
        triggers = [v.one_of("action.supported_triggers", t, TRIGGERS) for t in supported_triggers]
        encrypted = {str(k): self.box.encrypt(str(val)) for k, val in (secrets or {}).items()}
        row = await self.session.scalar(self._select(ActionRow).where(ActionRow.name == name))
        now = self.clock.now()
        if row is None:
            row = self._new(ActionRow, name=name, created_at=now, supported_triggers=triggers, secrets=encrypted)
        row.code, row.module_path, row.supported_triggers, row.secrets = code, module_path, triggers, encrypted
        row.runtime = runtime if code is not None else None
        row.dependencies = list(dependencies or []) if code is not None else []
        row.modules = dict(modules or {}) if code is not None else {}
        row.updated_at = now
        await self.session.flush()
        return self._spec(row)

    async def delete(self, name: str) -> None:
        row = await self.session.scalar(self._select(ActionRow).where(ActionRow.name == name))
        if row is None:
            raise AdminError(f"action: no action named {name!r}")
        profile = await self.session.scalar(self._select(ProfileRow).where(ProfileRow.action_name == name))
        if profile is not None:
            raise AdminError(f"action: {name!r} is used by token exchange profile {profile.name!r}; delete it first")
        await self.session.execute(
            delete(BindingRow).where(BindingRow.tenant_id == self.tenant_id, BindingRow.action_name == name)
        )
        await self.session.delete(row)
        await self.session.flush()

    async def bind(self, trigger: str, names: list[str]) -> None:
        """Replace the trigger's binding with `names`, run in this order."""
        v.one_of("trigger", trigger, TRIGGERS)
        if len(set(names)) != len(names):
            raise AdminError(f"trigger {trigger}: an action is listed twice")
        for name in names:
            spec = await self.by_name(name)
            if spec is None:
                raise AdminError(f"trigger {trigger}: no action named {name!r}")
            if trigger not in spec.supported_triggers:
                raise AdminError(f"trigger {trigger}: action {name!r} does not support it")
        await self.session.execute(
            delete(BindingRow).where(BindingRow.tenant_id == self.tenant_id, BindingRow.trigger == trigger)
        )
        for position, name in enumerate(names):
            self._new(BindingRow, trigger=trigger, action_name=name, position=position)
        await self.session.flush()

    async def bound_names(self, trigger: str) -> list[str]:
        rows = await self.session.scalars(
            self._select(BindingRow).where(BindingRow.trigger == trigger).order_by(BindingRow.position)
        )
        return [r.action_name for r in rows.all()]

    async def bound(self, trigger: str) -> list[ActionSpec]:
        """The hooks bound to a trigger, in binding order (one query)."""
        rows = await self.session.execute(
            self._select(ActionRow)
            .join(
                BindingRow,
                (BindingRow.tenant_id == ActionRow.tenant_id) & (BindingRow.action_name == ActionRow.name),
            )
            .where(BindingRow.trigger == trigger)
            .order_by(BindingRow.position)
        )
        return [self._spec(r) for r in rows.scalars().all()]


def check_subject_token_type(value: Any) -> str:
    """A URI in the tenant's own namespace: Auth0's reserved prefixes are refused."""
    if not isinstance(value, str) or not value.strip() or len(value) > 512:
        raise AdminError("token_exchange_profile.subject_token_type: required URI (at most 512 characters)")
    lowered = value.strip().lower()
    if ":" not in lowered or " " in lowered:
        raise AdminError(f"token_exchange_profile.subject_token_type: {value!r} is not a URI")
    for prefix in RESERVED_SUBJECT_TOKEN_TYPE_PREFIXES:
        if lowered == prefix or lowered.startswith((prefix + ":", prefix + "/", prefix + ".")):
            raise AdminError(f"token_exchange_profile.subject_token_type: {value!r} is in a reserved namespace")
    return value.strip()


class TokenExchangeProfiles(TenantScoped):
    async def by_subject_token_type(self, subject_token_type: str) -> ExchangeProfile | None:
        row = await self.session.scalar(
            self._select(ProfileRow).where(ProfileRow.subject_token_type == subject_token_type)
        )
        return self._entity(row) if row else None

    async def all(self) -> list[ExchangeProfile]:
        rows = await self.session.scalars(self._select(ProfileRow).order_by(ProfileRow.name))
        return [self._entity(r) for r in rows.all()]

    @staticmethod
    def _entity(row: ProfileRow) -> ExchangeProfile:
        return ExchangeProfile(
            name=row.name, subject_token_type=row.subject_token_type, action_name=row.action_name, type=row.type
        )

    async def create(self, *, name: str, subject_token_type: str, action_name: str) -> ExchangeProfile:
        if not isinstance(name, str) or not 3 <= len(name) <= 50:
            raise AdminError("token_exchange_profile.name: 3 to 50 characters")
        subject_token_type = check_subject_token_type(subject_token_type)
        action = await Actions(self.session, self.tenant_id, box=self.box, clock=self.clock).by_name(action_name)
        if action is None or "custom-token-exchange" not in action.supported_triggers:
            raise AdminError(
                f"token_exchange_profile.action: {action_name!r} is not an action "
                "with the custom-token-exchange trigger"
            )
        existing = await self.session.scalar(
            self._select(ProfileRow).where(
                (ProfileRow.name == name) | (ProfileRow.subject_token_type == subject_token_type)
            )
        )
        if existing is not None:
            raise AdminError(f"token_exchange_profile: {name!r} or its subject_token_type exists already")
        row = self._new(
            ProfileRow, name=name, subject_token_type=subject_token_type, action_name=action_name,
            created_at=self.clock.now(),
        )
        await self.session.flush()
        return self._entity(row)

    async def delete(self, name: str) -> None:
        row = await self.session.scalar(self._select(ProfileRow).where(ProfileRow.name == name))
        if row is None:
            raise AdminError(f"token_exchange_profile: no profile named {name!r}")
        await self.session.delete(row)
        await self.session.flush()
