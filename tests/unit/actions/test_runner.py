"""The hook runner: order, time limit, failures fail closed, restricted claims, aliases, secrets, metadata."""

from __future__ import annotations

import logging

import pytest

from ostiary import entities
from ostiary.actions.api import CredentialsExchangeApi, PostLoginApi
from ostiary.actions.event import build_event, request_view
from ostiary.actions.registry import CREDENTIALS_EXCHANGE, POST_LOGIN, Hook, load
from ostiary.actions.runner import HOOK_FAILED_REASON, run_hooks
from ostiary.store.repositories.actions import ActionSpec

CLIENT = entities.Client(
    id="c1", tenant_id="t1", client_id="client-1", name="App", client_secret="s", client_metadata={"tier": "gold"}
)
USER = entities.User(
    id="u1", tenant_id="t1", user_id="auth0|1", email="ann@example.com", email_verified=True,
    user_metadata={"color": "blue"}, app_metadata={"plan": "pro"}, logins_count=3,
)


def event():  # type: ignore[no-untyped-def]
    return build_event(
        tenant_id="t1",
        client=CLIENT,
        request=request_view(
            "203.0.113.9", "ua/1", "tenant.test",
            {"client_secret": "shh", "password": "pw", "code_verifier": "v", "scope": "openid", "code": "c"},
        ),
        transaction={"protocol": "oauth2-password", "requested_scopes": ["openid"]},
        user=USER,
    )


def source(name: str, body: str, trigger: str = POST_LOGIN, secrets: dict[str, str] | None = None) -> Hook:
    fn = "on_execute_post_login" if trigger == POST_LOGIN else "on_execute_credentials_exchange"
    code = f"async def {fn}(event, api):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    spec = ActionSpec(name=name, supported_triggers=(trigger,), code=code, secrets=secrets or {})
    return load(spec, trigger, trust_python=True)


def module(name: str, path: str, trigger: str = POST_LOGIN) -> Hook:
    return load(ActionSpec(name=name, supported_triggers=(trigger,), module_path=path), trigger)


async def post_login(*hooks: Hook, limit: float = 2.0):  # type: ignore[no-untyped-def]
    return await run_hooks(POST_LOGIN, hooks, event(), PostLoginApi, time_limit=limit)


async def test_hooks_run_in_binding_order_and_later_ones_see_earlier_claims_overwritten() -> None:
    first = source("first", "api.access_token.set_custom_claim('https://x/order', ['first'])")
    second = source("second", "api.access_token.set_custom_claim('https://x/order', ['first', 'second'])")
    outcome = await post_login(first, second)
    assert outcome.access_token_claims == {"https://x/order": ["first", "second"]}
    outcome = await post_login(second, first)
    assert outcome.access_token_claims == {"https://x/order": ["first"]}


async def test_deny_stops_the_remaining_hooks() -> None:
    deny = source("deny", "api.access.deny('No access on Sundays')")
    after = source("after", "api.access_token.set_custom_claim('https://x/after', 1)")
    outcome = await post_login(deny, after)
    assert outcome.deny_reason == "No access on Sundays"
    assert outcome.deny_error == "access_denied"
    assert outcome.access_token_claims == {}


async def test_async_hook_over_the_time_limit_denies_and_names_the_hook(caplog: pytest.LogCaptureFixture) -> None:
    slow = source("slow-one", "import asyncio\nawait asyncio.sleep(5)")
    with caplog.at_level(logging.ERROR, logger="ostiary.hooks"):
        outcome = await post_login(slow, limit=0.05)
    assert outcome.deny_reason == HOOK_FAILED_REASON and outcome.deny_error == "access_denied"
    record = next(r for r in caplog.records if r.getMessage() == "hook failed; request denied")
    assert record.hook == "slow-one"  # type: ignore[attr-defined]
    assert "timed out" in record.cause  # type: ignore[attr-defined]


async def test_plain_def_hook_runs_in_a_thread_with_the_same_limit() -> None:
    ok = await post_login(module("sync", "tests.support.hook_examples:sync_claim"))
    assert ok.access_token_claims == {"https://example.com/sync": True}
    late = await post_login(module("sleeper", "tests.support.hook_examples:sync_sleeper"), limit=0.05)
    assert late.deny_reason == HOOK_FAILED_REASON
    assert late.access_token_claims == {}


async def test_raising_hook_denies_without_claims_and_logs_the_error(caplog: pytest.LogCaptureFixture) -> None:
    claim = source("claims", "api.access_token.set_custom_claim('https://x/a', 1)")
    with caplog.at_level(logging.ERROR, logger="ostiary.hooks"):
        outcome = await post_login(claim, module("bad", "tests.support.hook_examples:raises"))
    assert outcome.deny_reason == HOOK_FAILED_REASON
    assert outcome.access_token_claims == {}
    record = next(r for r in caplog.records if r.getMessage() == "hook failed; request denied")
    assert record.hook == "bad" and "boom" in record.cause  # type: ignore[attr-defined]


async def test_hook_that_cannot_load_fails_closed() -> None:
    missing = module("gone", "tests.support.no_such_module:hook")
    assert missing.fn is None
    wrong_name = source("wrong", "pass", trigger=CREDENTIALS_EXCHANGE)  # defines the other trigger's function
    for hook in (missing, load(ActionSpec("x", (POST_LOGIN,), code=wrong_name_code()), POST_LOGIN, trust_python=True)):
        outcome = await post_login(hook)
        assert outcome.deny_reason == HOOK_FAILED_REASON
    assert wrong_name.fn is not None


def wrong_name_code() -> str:
    return "def on_execute_credentials_exchange(event, api):\n    pass\n"


async def test_restricted_claims_are_ignored_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    hook = source(
        "restricted",
        "for name in ('sub', 'iss', 'aud', 'exp', 'scope', 'azp', 'permissions', 'gty', 'nonce'):\n"
        "    api.access_token.set_custom_claim(name, 'evil')\n"
        "    api.id_token.set_custom_claim(name, 'evil')\n"
        "api.access_token.set_custom_claim('https://x/ok', 'fine')",
    )
    with caplog.at_level(logging.WARNING, logger="ostiary.hooks"):
        outcome = await post_login(hook)
    assert not outcome.denied
    assert outcome.access_token_claims == {"https://x/ok": "fine"}
    assert outcome.id_token_claims == {}
    ignored = [r for r in caplog.records if r.getMessage() == "hook set a restricted claim; ignored"]
    assert len(ignored) == 18
    assert {r.claim for r in ignored} >= {"sub", "iss", "permissions"}  # type: ignore[attr-defined]


async def test_camel_case_aliases_read_and_write_the_same_things() -> None:
    hook = source(
        "camel",
        "api.accessToken.setCustomClaim('https://x/color', event.user.userMetadata['color'])\n"
        "api.idToken.setCustomClaim('https://x/plan', event.user.app_metadata.plan)\n"
        "api.accessToken.addScope('read:extra')\n"
        "api.access_token.remove_scope('openid')\n"
        "api.user.setAppMetadata('seen', event.stats.loginsCount)\n"
        "api.user.set_user_metadata('color', None)\n"
        "api.access_token.set_custom_claim('https://x/protocol', event.transaction.protocol)",
    )
    outcome = await post_login(hook)
    assert outcome.access_token_claims == {"https://x/color": "blue", "https://x/protocol": "oauth2-password"}
    assert outcome.id_token_claims == {"https://x/plan": "pro"}
    assert outcome.added_scopes == ["read:extra"] and outcome.removed_scopes == ["openid"]
    assert outcome.adjust_scopes(["openid", "profile"]) == ["profile", "read:extra"]
    assert outcome.app_metadata == {"seen": 3}
    assert outcome.user_metadata == {"color": None}


async def test_metadata_changes_are_batched_across_hooks_last_write_wins() -> None:
    a = source("a", "api.user.set_app_metadata('k', 1)\napi.user.set_app_metadata('only_a', True)")
    b = source("b", "api.user.setAppMetadata('k', 2)\napi.user.setUserMetadata('theme', 'dark')")
    outcome = await post_login(a, b)
    assert outcome.app_metadata == {"k": 2, "only_a": True}
    assert outcome.user_metadata == {"theme": "dark"}


async def test_each_hook_sees_only_its_own_secrets() -> None:
    a = source("a", "api.access_token.set_custom_claim('https://x/a', dict(event.secrets))", secrets={"KEY": "one"})
    b = source("b", "api.access_token.set_custom_claim('https://x/b', event.secrets.get('KEY'))")
    outcome = await post_login(a, b)
    assert outcome.access_token_claims == {"https://x/a": {"KEY": "one"}, "https://x/b": None}


async def test_event_request_carries_no_credentials_and_is_read_only() -> None:
    hook = source(
        "peek",
        "api.access_token.set_custom_claim('https://x/body', dict(event.request.body))\n"
        "api.access_token.set_custom_claim('https://x/ip', event.request.ip)\n"
        "event.user.email = 'x@evil'",
    )
    outcome = await post_login(hook)
    # The assignment raised: the hook failed closed, after recording its first claims.
    assert outcome.deny_reason == HOOK_FAILED_REASON
    peek = source(
        "peek2",
        "api.access_token.set_custom_claim('https://x/body', dict(event.request.body))\n"
        "api.access_token.set_custom_claim('https://x/ip', event.request.ip)",
    )
    outcome = await post_login(peek)
    assert outcome.access_token_claims == {"https://x/body": {"scope": "openid"}, "https://x/ip": "203.0.113.9"}


async def test_credentials_exchange_deny_carries_the_hook_code() -> None:
    hook = module("deny", "tests.support.hook_examples:credentials_deny", trigger=CREDENTIALS_EXCHANGE)
    outcome = await run_hooks(CREDENTIALS_EXCHANGE, (hook,), event(), CredentialsExchangeApi, time_limit=1)
    assert (outcome.deny_error, outcome.deny_reason) == ("invalid_scope", "Scope not allowed for this caller")


async def test_custom_claims_over_100_kb_fail_the_request() -> None:
    big = source("big", "api.access_token.set_custom_claim('https://x/big', 'a' * 110_000)")
    outcome = await post_login(big)
    assert outcome.deny_reason == HOOK_FAILED_REASON and outcome.access_token_claims == {}


def test_stored_source_is_compiled_once_per_process() -> None:
    from ostiary.actions import registry

    code = "def on_execute_post_login(event, api):\n    pass\n"
    first = load(ActionSpec("one", (POST_LOGIN,), code=code), POST_LOGIN, trust_python=True)
    second = load(ActionSpec("two", (POST_LOGIN,), code=code), POST_LOGIN, trust_python=True)
    assert first.fn is second.fn
    assert sum(1 for ns in registry._COMPILED.values() if ns.get("on_execute_post_login") is first.fn) == 1
