"""Login and consent decisions as named checks with reasons (OIDC Core §3.1.2.1 prompt, max_age)."""

from __future__ import annotations

from ostiary import entities
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.store.repositories.sessions import SessionInfo


def login_reason(
    req: AuthorizeRequest, session: SessionInfo | None, *, now: float, logged_in_here: bool
) -> str | None:
    """Why the user must (re-)authenticate now, or None when the SSO session will do."""
    if session is None:
        return "no session"
    if logged_in_here:
        return None
    if "login" in req.prompts:
        return "prompt=login"
    if req.max_age is not None and now - session.auth_time > req.max_age:
        # OIDC Core §3.1.2.1: older than max_age → the OP MUST actively re-authenticate.
        return "max_age exceeded"
    return None


def consent_scopes(grantable: list[str]) -> list[str]:
    """What the consent page lists: the scopes the user can be granted (after RBAC), openid implied by login."""
    return [s for s in grantable if s != "openid"]


def skips_consent(client: entities.Client, api: entities.Api | None) -> bool:
    """First-party clients skip consent when the API allows it (or there is no API: only OIDC scopes)."""
    return client.is_first_party and (api is None or api.skip_consent_for_verifiable_first_party_clients)


def consent_needed(req: AuthorizeRequest, *, grantable: list[str], granted: frozenset[str]) -> bool:
    """A client that does not skip consent needs it for grantable scopes the user has not agreed to yet."""
    if "consent" in req.prompts:
        return True
    return bool(set(consent_scopes(grantable)) - granted)
