"""AuthorizeRequest: what the /authorize steps have established so far (frozen; each step returns a new one)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ostiary import entities


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    params: dict[str, str]
    client: entities.Client | None = None
    redirect_uri: str | None = None
    response_types: frozenset[str] = frozenset()
    response_mode: str | None = None
    audience: str | None = None
    api: entities.Api | None = None
    scopes: tuple[str, ...] = ()
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompts: frozenset[str] = frozenset()
    max_age: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> str | None:
        return self.params.get("state")

    @property
    def nonce(self) -> str | None:
        return self.params.get("nonce") or None

    @property
    def returns_tokens(self) -> bool:
        """An access or ID token comes straight from /authorize (implicit or hybrid)."""
        return bool(self.response_types & {"token", "id_token"})

    @property
    def protocol(self) -> str:
        """Auth0's event.transaction.protocol for this request."""
        if self.response_types == {"code"}:
            return "oidc-basic-profile"
        return "oidc-hybrid-profile" if "code" in self.response_types else "oidc-implicit-profile"
