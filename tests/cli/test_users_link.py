"""`ostiary users link`: identities move onto the primary, the secondary user is gone, and sign-in follows."""

from __future__ import annotations

import asyncio
import json

import pytest
import typer
from typer.testing import CliRunner

from ostiary.cli.users_link import link
from ostiary.settings import Settings
from tests.support.factories import TenantFixture


def users_app() -> typer.Typer:
    # The `users` group belongs to cli/users.py; mounted here the same way it is mounted there.
    app = typer.Typer()
    app.command("link")(link)
    app.command("noop", hidden=True)(lambda: None)
    return app


async def invoke(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {"OSTIARY_DATABASE_URL": settings.database_url, "OSTIARY_MASTER_KEY": settings.master_key or ""}
    result = await asyncio.to_thread(CliRunner().invoke, users_app(), ["link", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


async def test_link_moves_identities_and_deletes_the_secondary(
    tenant: TenantFixture, settings: Settings
) -> None:
    await tenant.connection("Username-Password-Authentication")
    await tenant.connection("apple", strategy="apple")
    primary = await tenant.user(email="john@example.com", email_verified=True, name="John Primary")
    secondary = await tenant.user(connection="apple", strategy="apple", external_id="0012.ab", email="j@icloud.com",
                                  name="Apple John")
    code, out, err = await invoke(settings, primary.user_id, secondary.user_id, "--tenant", tenant.tenant.name,
                                  "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["user_id"] == primary.user_id and shown["name"] == "John Primary"
    assert [(i["provider"], i["user_id"]) for i in shown["identities"]] == [
        ("auth0", primary.user_id.split("|", 1)[1]), ("apple", "0012.ab")
    ]
    assert await tenant.repos_call(lambda r: r.users.by_user_id(secondary.user_id)) is None
    linked = await tenant.repos_call(lambda r: r.users.by_identity("apple", "0012.ab"))
    assert linked.user_id == primary.user_id


@pytest.mark.parametrize("case", ["self", "unknown"])
async def test_link_refuses_bad_pairs_and_writes_nothing(tenant: TenantFixture, settings: Settings, case: str) -> None:
    await tenant.connection("Username-Password-Authentication")
    user = await tenant.user()
    other = user.user_id if case == "self" else "apple|nobody"
    code, _, err = await invoke(settings, user.user_id, other, "--tenant", tenant.tenant.name)
    assert code == 2
    expected = "users link: a user cannot be linked to itself" if case == "self" else "user: no user 'apple|nobody'"
    assert err.strip() == f"error: {expected}"
    assert len((await tenant.repos_call(lambda r: r.users.by_user_id(user.user_id))).identities) == 1
