"""Multi-factor authentication: a user's authenticators and the tenant's MFA policy."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonList, OptEpoch, Pk, TenantFk


class MfaAuthenticator(Base):
    """One second factor of a user: an `otp` (TOTP secret, encrypted with the SecretBox) or a
    `recovery-code` (only its hash). Inactive until the first successful use confirms the enrollment."""

    __tablename__ = "mfa_authenticators"
    __table_args__ = (
        UniqueConstraint("tenant_id", "public_id"),
        Index("ix_mfa_authenticators_user", "tenant_id", "user_id"),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    user_pk: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(255))
    # Auth0's authenticator id: "totp|dev_..." or "recovery-code|dev_...".
    public_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str | None] = mapped_column(Text)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time step accepted: a code works once per step (RFC 6238 §5.2).
    last_step: Mapped[int | None]
    created_at: Mapped[Epoch]
    last_used_at: Mapped[OptEpoch]


class MfaPolicy(Base):
    """Auth0's guardianPolicies (never / all-applications / confidence-score) and guardianFactors."""

    __tablename__ = "mfa_policies"

    id: Mapped[Pk]
    tenant_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
    policy: Mapped[str] = mapped_column(String(32), default="never")
    factors: Mapped[JsonList]
    updated_at: Mapped[Epoch]
