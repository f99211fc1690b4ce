"""A user's MFA authenticators and the tenant's MFA policy (tenant-scoped like every repository)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, update

from ostiary.errors import AdminError
from ostiary.ids import token_hash
from ostiary.store.models import MfaAuthenticator as AuthenticatorRow
from ostiary.store.models import MfaPolicy as PolicyRow
from ostiary.store.models import User as UserRow
from ostiary.store.repositories.base import TenantScoped

OTP = "otp"
RECOVERY_CODE = "recovery-code"
_ID_PREFIX = {OTP: "totp", RECOVERY_CODE: "recovery-code"}
# Auth0's guardianPolicies; "confidence-score" (adaptive MFA) is served as all-applications.
POLICIES = ("never", "all-applications", "confidence-score")
# Auth0's guardianFactors names; Ostiary serves otp and recovery-code.
FACTORS = ("otp", "recovery-code", "sms", "push-notification", "email", "duo", "webauthn-roaming",
           "webauthn-platform", "phone")
SERVED_FACTORS = frozenset({"otp", "recovery-code"})
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_recovery_code() -> str:
    """24 characters like Auth0's (about 120 bits)."""
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(24))


def normalize_recovery_code(code: str) -> str:
    return "".join(code.split()).upper()


@dataclass(frozen=True)
class Authenticator:
    id: str  # Auth0's public id ("totp|dev_..."), what the API and CLI show
    kind: str
    active: bool
    created_at: float
    last_used_at: float | None


@dataclass(frozen=True)
class MfaSettings:
    policy: str
    factors: tuple[str, ...]

    @property
    def required(self) -> bool:
        return self.policy in ("all-applications", "confidence-score")


def _authenticator(row: AuthenticatorRow) -> Authenticator:
    return Authenticator(row.public_id, row.kind, row.active, row.created_at, row.last_used_at)


class Mfa(TenantScoped):
    # --- the tenant's policy ---
    async def settings(self) -> MfaSettings:
        row = await self.session.scalar(self._select(PolicyRow))
        if row is None:
            return MfaSettings("never", ())
        return MfaSettings(row.policy, tuple(row.factors))

    async def set_settings(self, *, policy: str | None = None, factors: list[str] | None = None) -> MfaSettings:
        if policy is not None and policy not in POLICIES:
            raise AdminError(f"mfa policy: expected one of {', '.join(POLICIES)}, got {policy!r}")
        for name in factors or []:
            if name not in FACTORS:
                raise AdminError(f"mfa factors: unknown factor {name!r} (known: {', '.join(FACTORS)})")
        row = await self.session.scalar(self._select(PolicyRow).with_for_update())
        if row is None:
            row = self._new(PolicyRow, policy="never", factors=[], updated_at=self.clock.now())
        if policy is not None:
            row.policy = policy
        if factors is not None:
            row.factors = sorted(set(factors))
        row.updated_at = self.clock.now()
        await self.session.flush()
        return MfaSettings(row.policy, tuple(row.factors))

    # --- a user's authenticators ---
    def _of(self, user_id: str) -> Any:
        return self._select(AuthenticatorRow).where(AuthenticatorRow.user_id == user_id)

    async def authenticators(self, user_id: str) -> list[Authenticator]:
        await self._adopt_imported(user_id)
        rows = await self.session.scalars(self._of(user_id).order_by(AuthenticatorRow.created_at))
        return [_authenticator(r) for r in rows]

    async def _adopt_imported(self, user_id: str) -> None:
        """TOTP secrets imported with the user (Auth0's mfa_factors) become active authenticators, encrypted;
        they leave users.mfa_factors (the other imported factors stay there, unserved)."""
        user = await self.session.scalar(self._select(UserRow).where(UserRow.user_id == user_id).with_for_update())
        if user is None or not user.mfa_factors:
            return
        factors = list(user.mfa_factors)
        totp = [f for f in factors if isinstance(f, dict) and isinstance(f.get("totp"), dict)]
        if not totp:
            return
        for factor in totp:
            self._add(user.id, user_id, OTP, secret=self.box.encrypt(str(factor["totp"]["secret"])), active=True)
        rest = [f for f in factors if f not in totp]
        user.mfa_factors = rest or None
        await self.session.flush()

    def _add(self, user_pk: str, user_id: str, kind: str, *, secret: str | None = None,
             code_hash: str | None = None, active: bool) -> AuthenticatorRow:
        public_id = f"{_ID_PREFIX[kind]}|dev_{secrets.token_urlsafe(12)}"
        return self._new(AuthenticatorRow, user_pk=user_pk, user_id=user_id, public_id=public_id, kind=kind,
                         secret=secret, code_hash=code_hash, active=active, created_at=self.clock.now())

    async def enroll_otp(self, user_id: str, secret: str) -> tuple[Authenticator, str | None]:
        """A new, inactive TOTP authenticator; with it, for a user without a recovery code, a recovery code
        (returned once, stored as a hash). Earlier unconfirmed enrollments are dropped."""
        user = await self.session.scalar(self._select(UserRow).where(UserRow.user_id == user_id))
        if user is None:
            raise AdminError(f"user: no user {user_id!r}")
        await self.session.execute(delete(AuthenticatorRow).where(
            AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.user_id == user_id,
            AuthenticatorRow.active.is_(False)))
        row = self._add(user.id, user_id, OTP, secret=self.box.encrypt(secret), active=False)
        recovery: str | None = None
        has_recovery = await self.session.scalar(
            self._of(user_id).where(AuthenticatorRow.kind == RECOVERY_CODE).limit(1))
        if has_recovery is None:
            recovery = new_recovery_code()
            self._add(user.id, user_id, RECOVERY_CODE, code_hash=token_hash(recovery), active=False)
        await self.session.flush()
        return _authenticator(row), recovery

    async def otp_secrets(self, user_id: str) -> list[tuple[str, str, bool]]:
        """(public id, secret, active) of each TOTP authenticator."""
        await self._adopt_imported(user_id)
        rows = await self.session.scalars(self._of(user_id).where(AuthenticatorRow.kind == OTP))
        return [(r.public_id, self.box.decrypt(r.secret or ""), r.active) for r in rows]

    async def use_step(self, public_id: str, step: int) -> bool:
        """Accept the TOTP time step once: one conditional UPDATE (two requests with one code: one wins).
        Confirms the enrollment (and its recovery code) on first use."""
        used = await self.session.scalar(
            update(AuthenticatorRow)
            .where(AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.public_id == public_id,
                   or_(AuthenticatorRow.last_step.is_(None), AuthenticatorRow.last_step < step))
            .values(last_step=step, active=True, last_used_at=self.clock.now())
            .returning(AuthenticatorRow.user_id)
        )
        if used is None:
            return False
        await self.session.execute(
            update(AuthenticatorRow)
            .where(AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.user_id == used,
                   AuthenticatorRow.kind == RECOVERY_CODE)
            .values(active=True))
        return True

    async def use_recovery_code(self, user_id: str, code: str) -> str | None:
        """Spend the user's recovery code (one conditional UPDATE) and return the new one that replaces it;
        None when the code is wrong."""
        code_hash = token_hash(normalize_recovery_code(code))
        new_code = new_recovery_code()
        spent = await self.session.scalar(
            update(AuthenticatorRow)
            .where(AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.user_id == user_id,
                   AuthenticatorRow.kind == RECOVERY_CODE, AuthenticatorRow.active.is_(True),
                   AuthenticatorRow.code_hash == code_hash)
            .values(code_hash=token_hash(new_code), last_used_at=self.clock.now())
            .returning(AuthenticatorRow.id)
        )
        return new_code if spent is not None else None

    async def has_active(self, user_id: str) -> bool:
        return any(a.active and a.kind == OTP for a in await self.authenticators(user_id))

    async def delete(self, user_id: str, public_id: str) -> bool:
        result = await self.session.execute(delete(AuthenticatorRow).where(
            AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.user_id == user_id,
            AuthenticatorRow.public_id == public_id).returning(AuthenticatorRow.id))
        gone = result.first() is not None
        if gone and not await self.has_active(user_id):
            await self.reset(user_id)
        return gone

    async def reset(self, user_id: str) -> int:
        """Remove every authenticator of the user (and imported TOTP secrets not yet adopted)."""
        await self._adopt_imported(user_id)
        result = await self.session.execute(delete(AuthenticatorRow).where(
            AuthenticatorRow.tenant_id == self.tenant_id, AuthenticatorRow.user_id == user_id
        ).returning(AuthenticatorRow.id))
        return len(result.all())
