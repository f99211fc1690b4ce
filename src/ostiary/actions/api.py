"""The `api` a hook calls: it records commands into the Outcome; the grant applies them after the last hook.

Python names are snake_case; Auth0's camelCase names are aliases (`api.accessToken.setCustomClaim`), so code
ported from an Auth0 Action reads the same.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ostiary import entities
from ostiary.actions.event import EventNode, user_view
from ostiary.actions.outcome import Outcome
from ostiary.tokens.claims import RESTRICTED_CLAIMS

log = logging.getLogger("ostiary.hooks")


class _Part:
    def __init__(self, outcome: Outcome, hook: str) -> None:
        self._outcome = outcome
        self._hook = hook


def _claim_allowed(hook: str, token: str, name: Any) -> bool:
    # Auth0 "Create custom claims": a restricted claim is silently not added (security catalogue HK-02).
    if not isinstance(name, str) or name in RESTRICTED_CLAIMS:
        log.warning("hook set a restricted claim; ignored", extra={"hook": hook, "token": token, "claim": name})
        return False
    return True


class AccessTokenApi(_Part):
    def set_custom_claim(self, name: str, value: Any) -> None:
        if _claim_allowed(self._hook, "access_token", name):
            self._outcome.access_token_claims[name] = value

    setCustomClaim = set_custom_claim  # noqa: N815


class LoginAccessTokenApi(AccessTokenApi):
    def add_scope(self, scope: str) -> None:
        if scope in self._outcome.removed_scopes:
            self._outcome.removed_scopes.remove(scope)
        if scope not in self._outcome.added_scopes:
            self._outcome.added_scopes.append(str(scope))

    def remove_scope(self, scope: str) -> None:
        if scope in self._outcome.added_scopes:
            self._outcome.added_scopes.remove(scope)
        if scope not in self._outcome.removed_scopes:
            self._outcome.removed_scopes.append(str(scope))

    addScope = add_scope  # noqa: N815
    removeScope = remove_scope  # noqa: N815


class IdTokenApi(_Part):
    def set_custom_claim(self, name: str, value: Any) -> None:
        if _claim_allowed(self._hook, "id_token", name):
            self._outcome.id_token_claims[name] = value

    setCustomClaim = set_custom_claim  # noqa: N815


class LoginAccessApi(_Part):
    def deny(self, reason: str) -> None:
        """Auth0 post-login: the login fails with access_denied and this reason."""
        if not self._outcome.denied:
            self._outcome.deny_reason = str(reason)
            self._outcome.deny_error = "access_denied"


class CodedAccessApi(_Part):
    def deny(self, code: str, reason: str) -> None:
        """credentials-exchange / custom-token-exchange: the request fails with `code` and this reason."""
        if not self._outcome.denied:
            self._outcome.deny_reason = str(reason)
            self._outcome.deny_error = str(code)


class UserApi(_Part):
    """Batched: applied once after the last hook; a None value deletes the key."""

    def set_app_metadata(self, key: str, value: Any) -> None:
        self._outcome.app_metadata[str(key)] = value

    def set_user_metadata(self, key: str, value: Any) -> None:
        self._outcome.user_metadata[str(key)] = value

    setAppMetadata = set_app_metadata  # noqa: N815
    setUserMetadata = set_user_metadata  # noqa: N815


class LoginAuthenticationApi(_Part):
    def set_primary_user(self, primary_user_id: str) -> None:
        """Auth0: the login continues as this user. Ostiary also links: after the last hook, this login's user
        is linked into the primary (as `ostiary users link` does) and the tokens are issued for the primary.
        Both users must hold the same verified email; otherwise the login is denied."""
        self._outcome.primary_user_id = str(primary_user_id)

    setPrimaryUser = set_primary_user  # noqa: N815


UserFinder = Callable[[str], Awaitable[list[entities.User]]]


class UsersApi:
    """Read-only look-ups in the hook's own tenant (Ostiary has no Management API)."""

    def __init__(self, find: UserFinder) -> None:
        self._find = find

    async def find_by_email(self, email: str) -> list[EventNode]:
        """Users whose verified email is `email` (case-insensitive), oldest first; unverified ones never match."""
        if not isinstance(email, str) or not email.strip():
            return []
        return [EventNode(user_view(user)) for user in await self._find(email)]

    findByEmail = find_by_email  # noqa: N815


class RedirectApi(_Part):
    """Only an interactive login (/authorize) can redirect; /continue resumes it (see pipeline.run_post_login)."""

    def __init__(self, outcome: Outcome, hook: str, interactive: bool) -> None:
        super().__init__(outcome, hook)
        self._interactive = interactive

    def can_redirect(self) -> bool:
        return self._interactive

    def send_user_to(self, url: str, query: dict[str, Any] | None = None) -> None:
        if not self._interactive:
            raise RuntimeError("api.redirect.sendUserTo: this login cannot redirect (not an interactive login)")
        url = str(url)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"api.redirect.sendUserTo: {url[:100]!r} is not an absolute http(s) URL")
        self._outcome.redirect_url = url
        self._outcome.redirect_query = {str(k): str(v) for k, v in (query or {}).items()}

    canRedirect = can_redirect  # noqa: N815
    sendUserTo = send_user_to  # noqa: N815


class RefreshTokenApi(_Part):
    def revoke(self, reason: str) -> None:
        """Auth0: revoke the refresh token being exchanged, and deny this exchange."""
        self._outcome.revoke_refresh_token = True
        LoginAccessApi(self._outcome, self._hook).deny(reason)


class SessionApi(_Part):
    def revoke(self, reason: str, options: dict[str, Any] | None = None) -> None:
        """Auth0: revoke the login's session (its SSO session), and deny this login."""
        self._outcome.revoke_session = True
        LoginAccessApi(self._outcome, self._hook).deny(reason)


class PostLoginApi:
    def __init__(
        self, outcome: Outcome, hook: str, find_users: UserFinder | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self._context = dict(context or {})
        self.access_token = LoginAccessTokenApi(outcome, hook)
        self.id_token = IdTokenApi(outcome, hook)
        self.access = LoginAccessApi(outcome, hook)
        self.user = UserApi(outcome, hook)
        self.authentication = LoginAuthenticationApi(outcome, hook)
        self.users = UsersApi(find_users or _no_users)
        self.redirect = RedirectApi(outcome, hook, bool(self._context.get("interactive")))
        self.refresh_token = RefreshTokenApi(outcome, hook)
        self.session = SessionApi(outcome, hook)
        self.accessToken = self.access_token  # noqa: N815
        self.idToken = self.id_token  # noqa: N815
        self.refreshToken = self.refresh_token  # noqa: N815

    def js_context(self) -> dict[str, Any]:
        """What a JavaScript Action's runtime needs beyond the event (interactive, issuer, continue state)."""
        return dict(self._context)


async def _no_users(email: str) -> list[entities.User]:
    return []


class CredentialsExchangeApi:
    def __init__(self, outcome: Outcome, hook: str) -> None:
        self.access_token = AccessTokenApi(outcome, hook)
        self.access = CodedAccessApi(outcome, hook)
        self.accessToken = self.access_token  # noqa: N815


class UserSelection:
    """Which user a custom-token-exchange hook authenticated: by user_id, or by connection + attributes."""

    def __init__(self) -> None:
        self.user_id: str | None = None
        self.connection: str | None = None
        self.attributes: dict[str, Any] = {}
        self.options: dict[str, Any] = {}
        self.calls = 0


class AuthenticationApi:
    def __init__(self, selection: UserSelection) -> None:
        self._selection = selection

    def set_user_by_id(self, user_id: str) -> None:
        self._selection.calls += 1
        self._selection.user_id = str(user_id)

    def set_user_by_connection(
        self, connection_name: str, user_attributes: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        """options: creationBehavior create_if_not_exists|none, updateBehavior replace|none (Auth0's names)."""
        self._selection.calls += 1
        self._selection.connection = str(connection_name)
        self._selection.attributes = dict(user_attributes or {})
        self._selection.options = dict(options or {})

    setUserById = set_user_by_id  # noqa: N815
    setUserByConnection = set_user_by_connection  # noqa: N815


class ExchangeAccessApi(CodedAccessApi):
    def reject_invalid_subject_token(self, reason: str) -> None:
        """Auth0: rejected with invalid_request; marks the subject token as invalid for attack protection."""
        self.deny("invalid_request", reason)
        self._outcome.invalid_subject_token = True

    rejectInvalidSubjectToken = reject_invalid_subject_token  # noqa: N815


class CustomTokenExchangeApi:
    def __init__(self, outcome: Outcome, hook: str, selection: UserSelection) -> None:
        self.authentication = AuthenticationApi(selection)
        self.access = ExchangeAccessApi(outcome, hook)
        self.user = UserApi(outcome, hook)
