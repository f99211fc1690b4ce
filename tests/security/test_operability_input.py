"""Issue 22, hostile input answered at the edge: lone surrogates, two Host headers, patterns anchored at both
ends; and the authentication events' log lines (Auth0's type codes, never a secret)."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
from fastapi import FastAPI

from ostiary.oauth import pkce
from ostiary.runtime import AppState
from tests.support.factories import TenantFixture
from tests.support.firstparty import PASSWORD, Rop, make_rop

SRC = Path(__file__).resolve().parents[2] / "src" / "ostiary"
LONE = '"\\ud800"'  # JSON text of a string holding one unpaired surrogate


@pytest.fixture
async def rop(state: AppState, app: FastAPI) -> Rop:
    return await make_rop(state, app)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/oauth/token", '{"grant_type":"client_credentials","client_id":"C","client_secret":LONE}'),
        ("/oauth/token", '{"grant_type":"password","client_id":"C","username":"u","password":LONE}'),
        ("/oauth/token", '{"grant_type":"authorization_code","client_id":"C","code":LONE}'),
        ("/oauth/token", '{"grant_type":"refresh_token","client_id":"C","refresh_token":LONE}'),
        ("/oauth/token", '{"grant_type":"client_credentials","client_id":LONE}'),
        ("/oauth/token", '{"grant_type":"client_credentials","client_id":"C",LONE:"x"}'),
        ("/oauth/revoke", '{"client_id":"C","token":LONE}'),
        ("/oauth/access_token", '{"client_id":"C","access_token":LONE,"connection":"facebook"}'),
        ("/dbconnections/signup", '{"client_id":"C","email":"a@b.co","password":LONE,"connection":"db"}'),
        ("/dbconnections/signup",
         '{"client_id":"C","email":"a@b.co","password":"p","connection":"db","user_metadata":{"k":LONE}}'),
        ("/dbconnections/change_password", '{"client_id":"C","email":LONE,"connection":"db"}'),
    ],
)
async def test_a_lone_surrogate_in_a_json_body_is_invalid_request(rop: Rop, path: str, body: str) -> None:
    text = body.replace("LONE", LONE).replace('"C"', f'"{rop.web.client_id}"')
    response = await rop.t.http.post(path, content=text.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    body = response.json()  # /dbconnections/* answer in their own Auth0 shape: {"code": ..., "description": ...}
    assert body.get("error", body.get("code")) == "invalid_request", response.text
    assert "not valid Unicode" in response.text


async def test_a_surrogate_pair_is_still_a_valid_character(rop: Rop) -> None:
    form = rop.form(audience="https://api.example.com")
    form["username"] = "\U0001F600" + form["username"]  # sent as the pair \ud83d\ude00
    body = "{" + ",".join(f'"{k}":"{v}"' if k != "username" else f'"{k}":"\\ud83d\\ude00{rop.user.email}"'
                          for k, v in form.items()) + "}"
    json_type = {"content-type": "application/json"}
    response = await rop.t.http.post("/oauth/token", content=body.encode(), headers=json_type)
    assert response.status_code == 403, response.text  # an unknown user, answered as such: not a 400, not a 500


async def test_a_user_profile_string_with_a_lone_surrogate_is_refused(rop: Rop) -> None:
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "client_id": rop.native.client_id,
            "subject_token_type": "http://auth0.com/oauth/token-type/apple-authz-code", "subject_token": "x",
            "user_profile": '{"name":{"firstName":"\\ud800"}}'}
    response = await rop.t.http.post("/oauth/token", data=form)
    assert response.status_code in (400, 403), response.text
    assert response.status_code != 500


async def test_two_host_headers_are_a_400_and_pick_no_tenant(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    headers = [("host", tenant.domain), ("host", other_tenant.domain)]
    response = await tenant.http.get("/.well-known/openid-configuration", headers=headers)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "invalid_request", "error_description": "More than one Host header"}
    assert (await tenant.http.get("/.well-known/openid-configuration")).status_code == 200


def test_a_pkce_challenge_or_verifier_with_a_trailing_newline_is_refused() -> None:
    challenge = pkce.s256("v" * 43)
    assert pkce.valid_challenge(challenge)
    assert not pkce.valid_challenge(challenge + "\n")
    assert not pkce.valid_verifier("v" * 43 + "\n")
    assert not pkce.verify_pkce("v" * 43 + "\n", challenge, "S256")


def _patterns() -> list[tuple[str, int, str]]:
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("compile", "match", "fullmatch",
                                                                                   "search"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((f"{path.relative_to(SRC)}:{node.lineno}", node.lineno, first.value))
    return found


def test_no_pattern_in_the_code_base_ends_with_a_dollar_that_lets_a_newline_through() -> None:
    patterns = _patterns()
    assert len(patterns) >= 5  # the scan sees the code base's patterns
    loose = [(where, p) for where, _, p in patterns if p.endswith("$") and not p.endswith("\\$")]
    assert loose == [], "use fullmatch (or \\A...\\Z): `$` also matches before a final newline"
    for _where, _, pattern in patterns:
        re.compile(pattern)


def test_no_validation_uses_match_which_only_anchors_the_start() -> None:
    offenders = [f"{p.relative_to(SRC)}:{n}" for p in SRC.rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if re.search(r"[A-Z_]+\.match\(", line)]
    assert offenders == []


async def test_each_authentication_event_is_one_line_with_auth0_s_code_and_no_secret(
    rop: Rop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ostiary.auth")
    ok = await rop.token(audience="https://api.example.com")
    assert ok.status_code == 200, ok.text
    assert (await rop.token(password="wrong-password-123")).status_code == 403
    assert (await rop.token(username="nobody@example.com")).status_code == 403
    assert (await rop.token(client_secret="not-the-secret")).status_code == 401
    events = [r for r in caplog.records if r.name == "ostiary.auth"]
    types = [getattr(r, "type") for r in events]
    assert types == ["s", "sepft", "fp", "fepft", "fu", "fepft", "fepft"], types
    for record in events:
        assert getattr(record, "tenant") == rop.t.tenant.name
        assert getattr(record, "ip")
    assert getattr(events[0], "user_id") == rop.user.user_id
    assert getattr(events[0], "client_id") == rop.web.client_id
    secrets = [PASSWORD, "wrong-password-123", "not-the-secret", rop.web.client_secret, ok.json()["access_token"]]
    for record in events:
        text = repr(record.__dict__)
        assert not [s for s in secrets if s and s in text], text
