"""oauth/pkce.py: the RFC 7636 appendix B example and the S256-only rules."""

from __future__ import annotations

import pytest

from ostiary.oauth.pkce import s256, valid_challenge, valid_verifier, verify_pkce

# RFC 7636 Appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rfc7636_appendix_b_example() -> None:
    assert s256(VERIFIER) == CHALLENGE
    assert verify_pkce(VERIFIER, CHALLENGE, "S256")


@pytest.mark.parametrize(
    ("verifier", "challenge", "method"),
    [
        (VERIFIER, CHALLENGE, "plain"),
        (CHALLENGE, CHALLENGE, "S256"),
        (VERIFIER[:-1] + "l", CHALLENGE, "S256"),
        ("short", s256("short"), "S256"),
        ("a" * 129, s256("a" * 129), "S256"),
        (VERIFIER + "&", s256(VERIFIER + "&"), "S256"),
    ],
    ids=["plain-refused", "challenge-as-verifier", "wrong-verifier", "too-short", "too-long", "bad-char"],
)
def test_mismatches_and_abnf_violations_fail(verifier: str, challenge: str, method: str) -> None:
    assert not verify_pkce(verifier, challenge, method)


def test_abnf_helpers() -> None:
    assert valid_verifier("a" * 43) and valid_verifier("a" * 128) and not valid_verifier("a" * 42)
    assert valid_challenge(CHALLENGE) and not valid_challenge(CHALLENGE + "A") and not valid_challenge("a+b/" * 11)
