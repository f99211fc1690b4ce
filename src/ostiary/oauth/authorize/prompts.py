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


def consent_scopes(req: AuthorizeRequest) -> list[str]:
    """What the consent page lists: every requested scope (openid is implied by logging in)."""
    return [s for s in req.scopes if s != "openid"]


def skips_consent(client: entities.Client, api: entities.Api | None) -> bool:
    """First-party clients skip consent when the API allows it (or there is no API: only OIDC scopes)."""
    return client.is_first_party and (api is None or api.skip_consent_for_verifiable_first_party_clients)


def consent_needed(
    req: AuthorizeRequest, *, granted: frozenset[str], consented_here: bool
) -> bool:
    """Third-party (or non-skipping) clients need consent for scopes the user has not agreed to yet."""
    assert req.client is not None
    if skips_consent(req.client, req.api) or consented_here:
        return False
    if "consent" in req.prompts:
        return True
    return bool(set(consent_scopes(req)) - granted)
