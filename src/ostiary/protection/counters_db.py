"""FailureCounters in the database (login_failures): one atomic UPSERT per failure, shared by every process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ostiary.clock import Clock
from ostiary.ids import new_id
from ostiary.protection.counters import FailureState
from ostiary.store.models.attack_protection import LoginFailure

KEY_COLUMNS = (LoginFailure.tenant_id, LoginFailure.user_key, LoginFailure.ip)


class DbFailureCounters:
    """Runs in the request's own session (SQLite allows one writer, and the request holds it).

    add_failure COMMITS that session: the failure must outlive the InvalidGrantError the caller raises next,
    which rolls the request back. Call it only when nothing else in the unit of work must be undone.
    """

    def __init__(self, session: AsyncSession, tenant_id: str, *, clock: Clock) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.clock = clock

    def _where(self, user_key: str, ip: str | None) -> Any:
        conditions = [LoginFailure.tenant_id == self.tenant_id, LoginFailure.user_key == user_key]
        if ip is not None:
            conditions.append(LoginFailure.ip == ip)
        return and_(*conditions)

    async def get(self, user_key: str, ip: str) -> FailureState | None:
        row = (
            await self.session.execute(
                select(LoginFailure.failures, LoginFailure.blocked_at, LoginFailure.updated_at).where(
                    self._where(user_key, ip)
                )
            )
        ).first()
        return FailureState(row[0], row[1], row[2]) if row else None

    async def add_failure(self, user_key: str, ip: str, *, now: float, threshold: int) -> FailureState:
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(LoginFailure)
            .values(
                id=new_id(),
                tenant_id=self.tenant_id,
                user_key=user_key,
                ip=ip,
                failures=1,
                blocked_at=now if threshold <= 1 else None,
                updated_at=now,
            )
            # One statement: concurrent failures from several processes are all counted (no read-modify-write).
            .on_conflict_do_update(
                index_elements=list(KEY_COLUMNS),
                set_={
                    "failures": LoginFailure.failures + 1,
                    "updated_at": now,
                    "blocked_at": case(
                        (
                            and_(LoginFailure.blocked_at.is_(None), LoginFailure.failures + 1 >= threshold),
                            now,
                        ),
                        else_=LoginFailure.blocked_at,
                    ),
                },
            )
            .returning(LoginFailure.failures, LoginFailure.blocked_at, LoginFailure.updated_at)
        )
        row = (await self.session.execute(statement)).one()
        await self.session.commit()
        return FailureState(row[0], row[1], row[2])

    async def reset(self, user_key: str, ip: str) -> None:
        await self.session.execute(delete(LoginFailure).where(self._where(user_key, ip)))

    async def blocked(self, user_key: str) -> list[tuple[str, FailureState]]:
        rows = await self.session.execute(
            select(LoginFailure.ip, LoginFailure.failures, LoginFailure.blocked_at, LoginFailure.updated_at)
            .where(self._where(user_key, None), LoginFailure.blocked_at.isnot(None))
            .order_by(LoginFailure.ip)
        )
        return [(r[0], FailureState(r[1], r[2], r[3])) for r in rows.all()]

    async def clear(self, user_key: str, ip: str | None = None) -> int:
        result = await self.session.execute(delete(LoginFailure).where(self._where(user_key, ip)))
        return int(result.rowcount)  # type: ignore[attr-defined]
