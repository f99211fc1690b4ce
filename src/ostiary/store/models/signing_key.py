from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class SigningKey(Base):
    """A tenant signing key: status next → current → previous → revoked, as Auth0 rotates them."""

    __tablename__ = "signing_keys"
    __table_args__ = (Index("ix_signing_keys_tenant_status", "tenant_id", "status"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    kid: Mapped[str] = mapped_column(String(128), unique=True)
    alg: Mapped[str] = mapped_column(String(8))
    private_key_enc: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[JsonDict]
    # Base64 DER of the self-signed certificate published as x5c.
    certificate: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Epoch]
    current_since: Mapped[OptEpoch]
    current_until: Mapped[OptEpoch]
    revoked_at: Mapped[OptEpoch]
