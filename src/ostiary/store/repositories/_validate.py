"""Checks repositories apply to admin input, so the CLI and the import file share them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ostiary.errors import AdminError

FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
# What an authorization response adds to a callback's query; a registered value would shadow ours (RU-08).
RESPONSE_PARAMETERS = frozenset(
    {"code", "state", "iss", "error", "error_description", "error_uri", "access_token", "id_token", "token_type",
     "expires_in", "scope"}
)


def absolute_urls(field: str, values: Any, *, allow_wildcard: bool = False) -> list[str]:
    """Absolute URLs only; never javascript:, data:, vbscript: or file:. Custom schemes (com.app://cb) pass."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise AdminError(f"{field}: expected a list of URLs")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise AdminError(f"{field}: {value!r} is not a URL")
        parts = urlsplit(value.strip())
        scheme = parts.scheme.lower()
        if scheme in FORBIDDEN_SCHEMES:
            raise AdminError(f"{field}: {value!r} uses a forbidden scheme ({scheme}:)")
        if not scheme or (scheme in ("http", "https") and not parts.netloc):
            raise AdminError(f"{field}: {value!r} is not an absolute URL")
        if "*" in value and not allow_wildcard:
            raise AdminError(f"{field}: {value!r} has a wildcard, which is not supported")
        out.append(value.strip())
    return out


def callback_urls(field: str, values: Any) -> list[str]:
    """absolute_urls whose query does not already carry an authorization-response parameter."""
    out = absolute_urls(field, values)
    for value in out:
        names = {name for name, _ in parse_qsl(urlsplit(value).query, keep_blank_values=True)}
        if names & RESPONSE_PARAMETERS:
            taken = ", ".join(sorted(names & RESPONSE_PARAMETERS))
            raise AdminError(f"{field}: {value!r} has a query parameter the authorization response sets ({taken})")
    return out


def one_of(field: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise AdminError(f"{field}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def string_list(field: str, values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise AdminError(f"{field}: expected a list of strings")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise AdminError(f"{field}: expected a list of strings")
    return out


def mapping(field: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AdminError(f"{field}: expected an object")
    return dict(value)


def positive_int(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise AdminError(f"{field}: expected a positive whole number, got {value!r}")
    return value


def reject_unknown(kind: str, fields: Iterable[str], known: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise AdminError(f"{kind}.{unknown[0]}: unknown field")
