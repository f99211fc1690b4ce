"""What the hooks of one login decided, applied by the grant after the last hook ran."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Outcome:
    deny_reason: str | None = None
    # credentials-exchange and custom-token-exchange deny with an error code as well.
    deny_error: str = "access_denied"
    access_token_claims: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    added_scopes: list[str] = field(default_factory=list)
    removed_scopes: list[str] = field(default_factory=list)
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    # post-login: api.authentication.set_primary_user — link this login's user into that user, who is then
    # the subject of the tokens.
    primary_user_id: str | None = None
    # custom-token-exchange: api.access.rejectInvalidSubjectToken was called (attack-protection signal).
    invalid_subject_token: bool = False
    # post-login at /authorize: api.redirect.sendUserTo — the login pauses; /continue resumes it in the
    # onContinuePostLogin of the action at redirect_hook (its index in the trigger's order).
    redirect_url: str | None = None
    redirect_query: dict[str, str] = field(default_factory=dict)
    redirect_hook: int | None = None
    # api.refreshToken.revoke / api.session.revoke (each also denies): what to revoke, filled by the pipeline.
    revoke_refresh_token: bool = False
    revoke_session: bool = False
    refresh_family_id: str | None = None
    session_sid: str | None = None

    @property
    def denied(self) -> bool:
        return self.deny_reason is not None

    def adjust_scopes(self, scopes: list[str]) -> list[str]:
        kept = [s for s in scopes if s not in self.removed_scopes]
        return list(dict.fromkeys([*kept, *self.added_scopes]))

    def to_json(self) -> dict[str, Any]:
        """Stored with an authorization code, so the token endpoint mints what /authorize decided."""
        return {
            "access_token_claims": self.access_token_claims,
            "id_token_claims": self.id_token_claims,
            "added_scopes": self.added_scopes,
            "removed_scopes": self.removed_scopes,
        }

    def to_resume(self) -> dict[str, Any]:
        """Everything, kept in the login transaction while the user is redirected away."""
        return asdict(self)

    @classmethod
    def from_resume(cls, data: dict[str, Any]) -> Outcome:
        outcome = cls(**data)
        outcome.redirect_url, outcome.redirect_query, outcome.redirect_hook = None, {}, None
        return outcome

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Outcome:
        data = data or {}
        return cls(
            access_token_claims=dict(data.get("access_token_claims") or {}),
            id_token_claims=dict(data.get("id_token_claims") or {}),
            added_scopes=list(data.get("added_scopes") or []),
            removed_scopes=list(data.get("removed_scopes") or []),
        )
