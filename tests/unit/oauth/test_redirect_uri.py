"""oauth/redirect_uri.py and oauth/response_modes.py: pure string rules."""

from __future__ import annotations

import pytest

from ostiary.errors import InvalidRequestError
from ostiary.oauth.redirect_uri import match_redirect_uri, origin_of
from ostiary.oauth.response_modes import check_mode, redirect_url

REGISTERED = ("https://app.example/cb", "https://app.example/cb?tenant=a")


def test_exact_match_and_fragment_stripping() -> None:
    assert match_redirect_uri(REGISTERED, "https://app.example/cb") == "https://app.example/cb"
    assert match_redirect_uri(REGISTERED, "https://app.example/cb#x") == "https://app.example/cb"
    assert match_redirect_uri(REGISTERED, "https://app.example/cb?tenant=a") == "https://app.example/cb?tenant=a"
    for near in ("https://app.example/cb/", "https://app.example/CB", "https://app.example:443/cb",
                 "https://app.example/cb?tenant=ab", "https://app.example/cb?x=1"):
        assert match_redirect_uri(REGISTERED, near) is None


def test_loopback_ip_literal_callback_accepts_any_port_and_nothing_else() -> None:
    registered = ("http://127.0.0.1/cb", "http://[::1]", "http://localhost/cb")
    assert match_redirect_uri(registered, "http://127.0.0.1:51234/cb") == "http://127.0.0.1:51234/cb"
    assert match_redirect_uri(registered, "http://127.0.0.1:51234/cb#f") == "http://127.0.0.1:51234/cb"
    assert match_redirect_uri(registered, "http://[::1]:8080") == "http://[::1]:8080"
    for near in ("http://127.0.0.1:51234/cb2", "http://127.0.0.1:0/cb", "http://127.0.0.1:65536/cb",
                 "http://127.0.0.1:/cb", "http://127.0.0.1:1@evil.example/cb", "http://localhost:3000/cb",
                 "https://127.0.0.1:443/cb", "http://[::1]:80/x", "http://127.0.0.1:123456/cb"):
        assert match_redirect_uri(registered, near) is None, near
    assert match_redirect_uri(("http://127.0.0.1:3000/cb",), "http://127.0.0.1:4000/cb") is None


def test_redirect_url_keeps_a_registered_query() -> None:
    assert redirect_url("https://app.example/cb?tenant=a", "query", {"code": "c"}) == (
        "https://app.example/cb?tenant=a&code=c"
    )
    assert redirect_url("https://app.example/cb", "fragment", {"a": "1 2"}) == "https://app.example/cb#a=1+2"


def test_origin_of() -> None:
    assert origin_of("https://app.example:8443/cb?x=1") == "https://app.example:8443"


@pytest.mark.parametrize("response_type", [{"token"}, {"id_token"}, {"code", "id_token"}])
def test_query_mode_refused_for_tokens(response_type: set[str]) -> None:
    with pytest.raises(InvalidRequestError):
        check_mode("query", frozenset(response_type))
    assert check_mode(None, frozenset(response_type)) == "fragment"
    assert check_mode(None, frozenset({"code"})) == "query"
