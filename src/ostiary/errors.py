"""The one error hierarchy. Each class carries its wire code and status; web/errors.py renders them.

Auth0's statuses are followed where they differ from RFC 6749 (e.g. invalid_grant is 403, a failed client
authentication is 401 access_denied "Unauthorized"); README's "Differences from Auth0" lists our departures.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar


def wire_description(text: str, *, strict: bool = False) -> str:
    """error_description with every character outside printable ASCII (%x20-7E) turned into a space.

    Descriptions echo request input (an unknown grant_type, response_type, audience): no CR/LF, TAB or non-ASCII
    reaches a client (catalogue ST-07). `strict` also drops `"` and `\\`, as RFC 6749 §4.1.2.1 / §5.2 ask; JSON
    bodies keep them because Auth0's own texts quote values (`Client is not authorized to access "..."`).
    """
    banned = '"\\' if strict else ""
    return "".join(c if 0x20 <= ord(c) <= 0x7E and c not in banned else " " for c in text)


class OAuthError(Exception):
    """An error with an OAuth wire shape: {"error": ..., "error_description": ...}."""

    error: ClassVar[str] = "server_error"
    status_code: ClassVar[int] = 400
    default_description: ClassVar[str] = ""
    # Fatal errors are never redirected to a redirect_uri (an unknown client, an unverified redirect_uri).
    redirectable: ClassVar[bool] = True

    def __init__(
        self,
        description: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        debug: str | None = None,
    ) -> None:
        self.description = description if description is not None else self.default_description
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        # For logs only, never sent to the client.
        self.debug = debug
        super().__init__(f"{self.error}: {self.description}")

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": wire_description(self.description), **self.extra}


class InvalidRequestError(OAuthError):
    """RFC 6749 §5.2 invalid_request: missing, repeated or malformed parameter."""

    error = "invalid_request"


class MissingParameterError(InvalidRequestError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Missing required parameter: {name}")


class ClientAuthenticationError(OAuthError):
    """Client authentication failed. Auth0 answers 401 access_denied "Unauthorized" (RFC: invalid_client)."""

    error = "access_denied"
    status_code = 401
    default_description = "Unauthorized"


class InvalidClientError(OAuthError):
    """RFC 6749 §5.2 invalid_client, used where Auth0 itself says invalid_client (unknown client_id)."""

    error = "invalid_client"
    status_code = 401
    default_description = "Client authentication failed"


class UnauthorizedClientError(OAuthError):
    """RFC 6749 §5.2 unauthorized_client: the client may not use this grant or response type."""

    error = "unauthorized_client"
    status_code = 403


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"


class InvalidGrantError(OAuthError):
    """RFC 6749 §5.2 invalid_grant. Auth0 answers 403."""

    error = "invalid_grant"
    status_code = 403


class InvalidScopeError(OAuthError):
    error = "invalid_scope"
    status_code = 403


class AccessDeniedError(OAuthError):
    error = "access_denied"
    status_code = 403


class UnsupportedResponseTypeError(OAuthError):
    error = "unsupported_response_type"


class LoginRequiredError(OAuthError):
    error = "login_required"
    default_description = "Login required"


class ConsentRequiredError(OAuthError):
    error = "consent_required"
    default_description = "Consent required"


class InteractionRequiredError(OAuthError):
    error = "interaction_required"
    default_description = "Interaction required"


class InvalidTokenError(OAuthError):
    """RFC 6750 §3.1: the bearer token is missing, malformed, expired or revoked."""

    error = "invalid_token"
    status_code = 401

    def __init__(self, description: str = "invalid token", **kwargs: Any) -> None:
        super().__init__(description, **kwargs)
        self.headers.setdefault(
            "WWW-Authenticate", f'Bearer error="invalid_token", error_description="{description}"'
        )


class InsufficientScopeError(OAuthError):
    """RFC 6750 §3.1 insufficient_scope: a valid token without the scope the resource needs."""

    error = "insufficient_scope"
    status_code = 403

    def __init__(self, description: str, *, scope: str, **kwargs: Any) -> None:
        super().__init__(description, **kwargs)
        self.headers.setdefault(
            "WWW-Authenticate", f'Bearer error="insufficient_scope", error_description="{description}", scope="{scope}"'
        )


class MfaRequiredError(OAuthError):
    """Auth0's answer to a password grant when MFA is required: 403 with the mfa_token to continue with."""

    error = "mfa_required"
    status_code = 403
    default_description = "Multifactor authentication required"

    def __init__(self, mfa_token: str, *, requirements: Mapping[str, Any]) -> None:
        super().__init__(extra={"mfa_token": mfa_token, "mfa_requirements": dict(requirements)})


class ExpiredTokenError(OAuthError):
    """An mfa_token past its lifetime (Auth0: 403 expired_token)."""

    error = "expired_token"
    status_code = 403
    default_description = "mfa_token is expired"


class UnsupportedChallengeTypeError(OAuthError):
    error = "unsupported_challenge_type"
    status_code = 400


class AssociationRequiredError(OAuthError):
    """/mfa/challenge for a user with no active authenticator of the type asked."""

    error = "association_required"
    status_code = 400
    default_description = "User must be associated with an authenticator"


class TooManyAttemptsError(OAuthError):
    error = "too_many_attempts"
    status_code = 429
    default_description = (
        "Your account has been blocked after multiple consecutive login attempts."
    )


class UserBlockedError(OAuthError):
    """An admin blocked the user (users.blocked): the one error every flow raises for it.

    A login (password and password-realm grants, token exchange, /oauth/access_token, the login page and an
    SSO session at /authorize) gets Auth0's `unauthorized` "user is blocked": 401 at the token endpoint, and
    error=unauthorized at the app's redirect_uri from /authorize. Grants that continue an earlier login
    (authorization_code, refresh_token) raise `UserBlockedError.for_grant()`: Auth0's 403 invalid_grant.
    """

    error = "unauthorized"
    status_code = 401
    default_description = "user is blocked"

    @staticmethod
    def for_grant() -> UserBlockedError:
        return _UserBlockedGrantError()


class _UserBlockedGrantError(UserBlockedError):
    """A blocked user's code or refresh token: Auth0 answers 403 invalid_grant "user is blocked"."""

    error = "invalid_grant"
    status_code = 403


class TooManyRequestsError(OAuthError):
    error = "too_many_requests"
    status_code = 429
    default_description = "Too many requests"


class NotFoundError(OAuthError):
    error = "not_found"
    status_code = 404
    default_description = "Not found"


class PayloadTooLargeError(OAuthError):
    error = "invalid_request"
    status_code = 413
    default_description = "Request body too large"


class UnsupportedMediaTypeError(OAuthError):
    error = "invalid_request"
    status_code = 415
    default_description = "Unsupported content type"


class ServerError(OAuthError):
    error = "server_error"
    status_code = 500
    default_description = "Internal error"


class TemporarilyUnavailableError(OAuthError):
    error = "temporarily_unavailable"
    status_code = 503
    default_description = "Service temporarily unavailable"


class UpstreamBadResponseError(OAuthError):
    """An upstream identity provider answered with something unusable (not JSON, wrong shape): 502."""

    error = "server_error"
    status_code = 502
    default_description = "Invalid response from the identity provider"


class FatalError(OAuthError):
    """An /authorize error that must be shown to the user, never sent to a redirect_uri."""

    redirectable = False


class InvalidClientIdError(FatalError):
    error = "invalid_request"
    default_description = "Unknown client"


class InvalidRedirectUriError(FatalError):
    error = "invalid_request"
    default_description = "Callback URL mismatch"


class DbConnectionError(OAuthError):
    """/dbconnections/* and signup errors in Auth0's shape: {"name", "code", "description", "statusCode"}."""

    error = "bad_request"

    def __init__(self, code: str, description: str, *, name: str = "BadRequestError") -> None:
        super().__init__(description)
        self.code = code
        self.name = name

    def body(self) -> dict[str, Any]:
        return {"name": self.name, "code": self.code, "description": self.description, "statusCode": self.status_code}


class AdminError(Exception):
    """A bad admin command, import file or Management API body: one line naming the field; nothing is written.

    The CLI prints the line; the Management API answers it in Auth0's body with `status_code` and `error_code`.
    """

    status_code: ClassVar[int] = 400
    error_code: ClassVar[str] = "invalid_body"

    @property
    def code(self) -> str:
        return self.error_code


class AdminNotFoundError(AdminError):
    """The object an admin operation names does not exist: the API answers 404 `inexistent_{kind}`."""

    status_code = 404

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def code(self) -> str:
        return f"inexistent_{self.kind}"


class AdminForbiddenError(AdminError):
    """An operation Auth0 forbids on a system object (the Management API, the global client): 403."""

    status_code = 403
    error_code = "operation_not_supported"


class AdminConflictError(AdminError):
    """A name or identifier that must be unique is taken: the API answers 409."""

    status_code = 409
    error_code = "conflict"


def management_body(status: int, message: str, error_code: str) -> dict[str, Any]:
    """Auth0 Management API v2's error body: {"statusCode", "error" (the HTTP reason), "message", "errorCode"}."""
    return {
        "statusCode": status,
        "error": HTTPStatus(status).phrase,
        "message": wire_description(message),
        "errorCode": error_code,
    }


class ManagementApiError(Exception):
    """An error of the Management API itself (token, scope, query string, unserved feature): Auth0's body."""

    status_code: ClassVar[int] = 400
    error_code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return management_body(self.status_code, self.message, self.error_code)


class ManagementTokenError(ManagementApiError):
    """A missing, malformed, foreign or expired bearer token (Auth0: 401 "Invalid token")."""

    status_code = 401
    error_code = "invalid_token"


class ManagementScopeError(ManagementApiError):
    """A valid token without the scope the endpoint needs."""

    status_code = 403
    error_code = "insufficient_scope"

    def __init__(self, scopes: tuple[str, ...]) -> None:
        super().__init__(f"Insufficient scope, expected any of: {','.join(scopes)}")


class ManagementQueryError(ManagementApiError):
    """A query-string parameter Auth0 would refuse (bad per_page, an unsupported `q`)."""

    error_code = "invalid_query_string"


class ManagementNotFoundError(ManagementApiError):
    status_code = 404
    error_code = "not_found"


class ManagementRateLimitError(ManagementApiError):
    status_code = 429
    error_code = "too_many_requests"


class PasswordlessError(OAuthError):
    """POST /passwordless/start's 400s, with Auth0's dotted codes (bad.connection, bad.email, bad.phone_number,
    bad.send, bad.client_id...)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error  # type: ignore[misc]
