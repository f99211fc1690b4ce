"""What every social connection module returns, and the contracts its entry points keep.

Used by: oauth/grants/token_exchange.py (native social) and oauth/legacy_access_token.py (/oauth/access_token).
A connection module validates an upstream artifact (code, ID token, access token) with the provider and
returns an ExternalProfile; it never touches the store, so a rejected artifact leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ostiary import entities
from ostiary.oauth.context import TenantContext

# Normalized profile fields a connection may set on the user (Auth0's root profile attributes).
PROFILE_ATTRIBUTES = ("email", "email_verified", "name", "given_name", "family_name", "nickname", "picture")


@dataclass(frozen=True, slots=True)
class ExternalProfile:
    """A verified upstream identity: `{provider}|{external_id}` plus the normalized profile."""

    provider: str
    external_id: str
    # Applied on every login (Auth0 keeps the normalized profile in sync with the provider).
    attributes: dict[str, Any] = field(default_factory=dict)
    # Applied only when the user is created (Apple sends the name on the first sign-in only).
    first_login_attributes: dict[str, Any] = field(default_factory=dict)
    # Stored on the identity as profileData (the provider's raw answer, secrets removed).
    profile_data: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return f"{self.provider}|{self.external_id}"


class NativeExchange(Protocol):
    """Native social token exchange for one subject_token_type (Auth0 "Token Exchange for Native Social")."""

    async def __call__(
        self,
        ctx: TenantContext,
        *,
        connection: entities.Connection,
        client: entities.Client,
        subject_token: str,
        user_profile: Mapping[str, Any] | None,
    ) -> ExternalProfile: ...


class ProviderTokenLogin(Protocol):
    """/oauth/access_token: a provider access token checked against the provider's profile API."""

    async def __call__(
        self, ctx: TenantContext, *, connection: entities.Connection, access_token: str, params: Mapping[str, str]
    ) -> ExternalProfile: ...


def option(connection: entities.Connection, name: str, default: str) -> str:
    """A connection option (every provider URL is one, defaulting to the real provider)."""
    value = connection.options.get(name)
    return value if isinstance(value, str) and value else default


def clean_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """Keep known profile attributes with usable values (strings ≤ 2000 chars, booleans for *_verified)."""
    out: dict[str, Any] = {}
    for key in PROFILE_ATTRIBUTES:
        value = values.get(key)
        if key == "email_verified":
            if isinstance(value, bool):
                out[key] = value
            elif value in ("true", "false"):  # Apple sends booleans as strings
                out[key] = value == "true"
        elif isinstance(value, str) and value.strip() and len(value) <= 2000:
            out[key] = value.strip()
    return out
