"""redirect_uri matching (RFC 6749 §3.1.2, RFC 9700 §4.1.3): simple string comparison, never URL parsing."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def strip_fragment(uri: str) -> str:
    """Auth0 removes everything after `#` and does not consider it (auth0-docs 002; catalogue RU-09)."""
    return uri.split("#", 1)[0]


def match_redirect_uri(registered: Iterable[str], requested: str) -> str | None:
    """The registered callback equal, byte for byte, to the requested one (fragment stripped), else None.

    No normalisation of case, ports, percent-encoding, dot segments or trailing slashes (RU-02..RU-08).
    """
    candidate = strip_fragment(requested)
    for uri in registered:
        if uri == candidate:
            return uri
    return None


def origin_of(uri: str) -> str:
    """scheme://host[:port] of a URL, as browsers write an origin (for web_message's targetOrigin)."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
