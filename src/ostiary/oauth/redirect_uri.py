"""redirect_uri matching (RFC 6749 §3.1.2, RFC 9700 §4.1.3): simple string comparison, never URL parsing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# RFC 8252 §7.3 / RFC 9700 §2.1: loopback IP literals (never `localhost`, §8.3) whose port the native app picks.
_LOOPBACK_ORIGINS = ("http://127.0.0.1", "http://[::1]")


def strip_fragment(uri: str) -> str:
    """Auth0 removes everything after `#` and does not consider it (auth0-docs 002; catalogue RU-09)."""
    return uri.split("#", 1)[0]


def match_redirect_uri(registered: Iterable[str], requested: str) -> str | None:
    """The registered callback equal, byte for byte, to the requested one (fragment stripped), else None.

    No normalisation of case, ports, percent-encoding, dot segments or trailing slashes (RU-02..RU-08); the
    one exception is the port of a loopback callback registered without one (RU-14).
    """
    candidate = strip_fragment(requested)
    for uri in registered:
        if uri == candidate:
            return uri
    for uri in registered:
        if _loopback_port_variant(uri, candidate):
            return candidate
    return None


def _loopback_port_variant(registered: str, candidate: str) -> bool:
    """candidate is registered with a port inserted, registered being a portless loopback IP literal URI.

    RFC 8252 §7.3: the authorization server MUST allow any port for loopback redirect URIs; the rest of the
    string is still compared exactly.
    """
    for origin in _LOOPBACK_ORIGINS:
        rest = registered[len(origin):]
        if not registered.startswith(origin) or rest[:1] not in ("", "/", "?"):
            continue
        match = re.fullmatch(re.escape(origin) + r":([0-9]{1,5})" + re.escape(rest), candidate)
        return match is not None and 0 < int(match.group(1)) <= 65535
    return False


def origin_of(uri: str) -> str:
    """scheme://host[:port] of a URL, as browsers write an origin (for web_message's targetOrigin)."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
