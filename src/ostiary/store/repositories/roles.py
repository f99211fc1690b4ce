"""RBAC storage: roles, their permissions, users' roles and direct permissions, and the one read a login needs.

A permission is stored as (API primary key, scope); callers speak in API identifiers and the admin use cases
(admin/roles.py) check that the scope is one the API defines before anything reaches this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Result, delete, literal, null, select, union_all
from sqlalchemy.exc import IntegrityError

from ostiary import entities
from ostiary.errors import AdminError
from ostiary.ids import new_role_id
from ostiary.store.models import ResourceServer, Role, RolePermission, UserPermission, UserRole
from ostiary.store.models import User as UserRow
from ostiary.store.repositories.base import TenantScoped

# (API primary key, scope): how permissions travel between admin/roles.py and this module.
ApiScope = tuple[str, str]


def _role(row: Role) -> entities.Role:
    return entities.Role(id=row.id, name=row.name, description=row.description)


class Roles(TenantScoped):
    async def by_id(self, role_id: str) -> entities.Role | None:
        row = await self.session.scalar(self._select(Role).where(Role.id == role_id))
        return _role(row) if row else None

    async def by_name(self, name: str) -> entities.Role | None:
        row = await self.session.scalar(self._select(Role).where(Role.name == name))
        return _role(row) if row else None

    async def all(self) -> list[entities.Role]:
        return [_role(r) for r in (await self.session.scalars(self._select(Role).order_by(Role.name))).all()]

    async def create(self, *, name: str, description: str) -> entities.Role:
        now = self.clock.now()
        row = self._new(Role, id=new_role_id(), name=name, description=description, created_at=now)
        await self._flush(f"role.name: {name!r} exists already")
        return _role(row)

    async def update(self, role_id: str, *, name: str | None = None, description: str | None = None) -> entities.Role:
        row = await self.session.scalar(self._select(Role).where(Role.id == role_id))
        if row is None:
            raise AdminError(f"role: no role with id {role_id!r}")
        if name is not None:
            row.name = name
        if description is not None:
            row.description = description
        row.updated_at = self.clock.now()
        await self._flush(f"role.name: {name!r} exists already")
        return _role(row)

    async def delete(self, role_id: str) -> None:
        """The role, its permissions and its assignments to users (ON DELETE CASCADE)."""
        await self.session.execute(delete(Role).where(Role.tenant_id == self.tenant_id, Role.id == role_id))

    async def permissions(self, role_id: str) -> list[entities.Permission]:
        query = (
            select(ResourceServer.identifier, RolePermission.scope)
            .select_from(RolePermission)
            .join(ResourceServer, ResourceServer.id == RolePermission.api_id)
            .where(RolePermission.tenant_id == self.tenant_id, RolePermission.role_id == role_id)
            .order_by(ResourceServer.identifier, RolePermission.scope)
        )
        return [entities.Permission(i, s) for i, s in (await self.session.execute(query)).all()]

    async def add_permissions(self, role_id: str, permissions: Iterable[ApiScope]) -> int:
        """Adds those the role lacks; returns how many were new."""
        held = {(a, s) for a, s in (await self.session.execute(
            select(RolePermission.api_id, RolePermission.scope).where(
                RolePermission.tenant_id == self.tenant_id, RolePermission.role_id == role_id)
        )).all()}
        new = [p for p in dict.fromkeys(permissions) if p not in held]
        for api_id, scope in new:
            self._new(RolePermission, role_id=role_id, api_id=api_id, scope=scope)
        await self._flush("role.permissions: changed concurrently, try again")
        return len(new)

    async def remove_permissions(self, role_id: str, permissions: Iterable[ApiScope]) -> None:
        for api_id, scope in permissions:
            await self.session.execute(delete(RolePermission).where(
                RolePermission.tenant_id == self.tenant_id, RolePermission.role_id == role_id,
                RolePermission.api_id == api_id, RolePermission.scope == scope,
            ))

    # -- users ----------------------------------------------------------------------------------------------

    async def of_user(self, user_pk: str) -> list[entities.Role]:
        query = (
            self._select(Role)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.user_pk == user_pk)
            .order_by(Role.name)
        )
        return [_role(r) for r in (await self.session.scalars(query)).all()]

    async def user_ids(self, role_id: str) -> list[str]:
        """The user_ids of the users holding the role."""
        query = (
            select(UserRow.user_id)
            .select_from(UserRole)
            .join(UserRow, UserRow.id == UserRole.user_pk)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.role_id == role_id)
            .order_by(UserRow.user_id)
        )
        return list((await self.session.scalars(query)).all())

    async def assign(self, user_pk: str, role_ids: Iterable[str]) -> int:
        held = {r.id for r in await self.of_user(user_pk)}
        new = [r for r in dict.fromkeys(role_ids) if r not in held]
        for role_id in new:
            self._new(UserRole, user_pk=user_pk, role_id=role_id, created_at=self.clock.now())
        await self._flush("user.roles: changed concurrently, try again")
        return len(new)

    async def unassign(self, user_pk: str, role_ids: Iterable[str]) -> None:
        await self.session.execute(delete(UserRole).where(
            UserRole.tenant_id == self.tenant_id, UserRole.user_pk == user_pk, UserRole.role_id.in_(list(role_ids))
        ))

    async def direct_permissions(self, user_pk: str) -> list[entities.Permission]:
        query = (
            select(ResourceServer.identifier, UserPermission.scope)
            .select_from(UserPermission)
            .join(ResourceServer, ResourceServer.id == UserPermission.api_id)
            .where(UserPermission.tenant_id == self.tenant_id, UserPermission.user_pk == user_pk)
            .order_by(ResourceServer.identifier, UserPermission.scope)
        )
        return [entities.Permission(i, s) for i, s in (await self.session.execute(query)).all()]

    async def grant_directly(self, user_pk: str, permissions: Iterable[ApiScope]) -> int:
        held = {(a, s) for a, s in (await self.session.execute(
            select(UserPermission.api_id, UserPermission.scope).where(
                UserPermission.tenant_id == self.tenant_id, UserPermission.user_pk == user_pk)
        )).all()}
        new = [p for p in dict.fromkeys(permissions) if p not in held]
        for api_id, scope in new:
            self._new(UserPermission, user_pk=user_pk, api_id=api_id, scope=scope, created_at=self.clock.now())
        await self._flush("user.permissions: changed concurrently, try again")
        return len(new)

    async def revoke_directly(self, user_pk: str, permissions: Iterable[ApiScope]) -> None:
        for api_id, scope in permissions:
            await self.session.execute(delete(UserPermission).where(
                UserPermission.tenant_id == self.tenant_id, UserPermission.user_pk == user_pk,
                UserPermission.api_id == api_id, UserPermission.scope == scope,
            ))

    async def effective(self, user_pk: str) -> list[entities.PermissionSource]:
        """Every permission the user holds, once per source (each role that gives it, and direct)."""
        via_roles = (
            select(ResourceServer.identifier, RolePermission.scope, Role.id, Role.name, Role.description)
            .select_from(UserRole)
            .join(Role, Role.id == UserRole.role_id)
            .join(RolePermission, RolePermission.role_id == UserRole.role_id)
            .join(ResourceServer, ResourceServer.id == RolePermission.api_id)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.user_pk == user_pk)
        )
        direct = (
            select(ResourceServer.identifier, UserPermission.scope, null(), null(), null())
            .select_from(UserPermission)
            .join(ResourceServer, ResourceServer.id == UserPermission.api_id)
            .where(UserPermission.tenant_id == self.tenant_id, UserPermission.user_pk == user_pk)
        )
        result: Result[Any] = await self.session.execute(union_all(via_roles, direct))
        rows = cast(Sequence[tuple[str, str, str | None, str | None, str | None]], result.all())
        out = [
            entities.PermissionSource(
                entities.Permission(api, scope),
                entities.Role(id=role_id, name=name or "", description=description or "") if role_id else None,
            )
            for api, scope, role_id, name, description in rows
        ]
        return sorted(out, key=lambda p: (p.permission.resource_server_identifier, p.permission.permission_name,
                                          p.role is not None, p.role.name if p.role else ""))

    async def authorization(self, user_pk: str, api_id: str | None) -> entities.UserAuthorization:
        """Role names and the effective permissions for one API, in one statement (three indexed branches).

        Used by: every user token for an enforce_policies API, and post-login hooks (event.authorization).
        """
        roles = (
            select(literal("r"), Role.name)
            .select_from(UserRole)
            .join(Role, Role.id == UserRole.role_id)
            .where(UserRole.tenant_id == self.tenant_id, UserRole.user_pk == user_pk)
        )
        branches = [roles]
        if api_id is not None:
            branches.append(
                select(literal("p"), RolePermission.scope)
                .select_from(UserRole)
                .join(RolePermission, RolePermission.role_id == UserRole.role_id)
                .where(UserRole.tenant_id == self.tenant_id, UserRole.user_pk == user_pk,
                       RolePermission.api_id == api_id)
            )
            branches.append(
                select(literal("p"), UserPermission.scope).where(
                    UserPermission.tenant_id == self.tenant_id, UserPermission.user_pk == user_pk,
                    UserPermission.api_id == api_id)
            )
        result: Result[Any] = await self.session.execute(union_all(*branches))
        rows = cast(Sequence[tuple[str, str]], result.all())
        return entities.UserAuthorization(
            roles=tuple(sorted({value for kind, value in rows if kind == "r"})),
            permissions=frozenset(value for kind, value in rows if kind == "p"),
        )

    async def prune_scopes(self, api_id: str, kept: Iterable[str]) -> None:
        """An API lost scopes: the permissions naming them go from every role and user (Auth0 does the same)."""
        keep = list(kept)
        for model in (RolePermission, UserPermission):
            condition: ColumnElement[bool] = model.scope.not_in(keep) if keep else literal(True)
            await self.session.execute(
                delete(model).where(model.tenant_id == self.tenant_id, model.api_id == api_id, condition)
            )

    async def _flush(self, conflict: str) -> None:
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise AdminError(conflict) from exc
