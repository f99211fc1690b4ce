"""Lazy migration against a real old tenant: a second `ostiary serve` process plays the Auth0 tenant being left
(it speaks Auth0's Authentication API: password-realm grant and /userinfo). The new tenant's database
connection is in import_mode pointing at it over http on loopback."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.runtime import AppState
from tests.conftest import TEST_MASTER_KEY, settings_for
from tests.support import databases
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, REALM, TOO_MANY_ATTEMPTS_BODY, WRONG_PASSWORD_BODY, Rop, make_rop
from tests.support.live import live_server

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("fast_passwords")]
OLD_PASSWORD = "old tenant password 1"


@pytest.fixture
async def rop(state: AppState, app: Any) -> AsyncIterator[Rop]:
    setup = await make_rop(state, app)
    yield setup
    await setup.t.http.aclose()


@pytest.fixture
def old_database(tmp_path: Path) -> str:
    """The old tenant is another system: its own database (migrated outside the event loop)."""
    return databases.migrated(databases.sqlite_url(tmp_path))


async def _old_tenant(database_url: str, domain: str, email: str) -> tuple[str, dict[str, str]]:
    """The tenant being left: a client allowed password-realm and a database user. Returns (user_id, options)."""
    async with admin_session(settings_for(database_url)) as admin:
        tenant = await provision_tenant(admin, name=f"old-{secrets.token_hex(4)}", domains=[domain])
        repos = admin.repos(tenant)
        client = await repos.clients.create(name="migration", app_type="regular_web", grant_types=[REALM])
        # Provisioning created the database connection; the migration client is enabled on it.
        await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, client.client_id, True)
        user = await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email=email, password=OLD_PASSWORD,
                                        name="Old Timer", given_name="Old", email_verified=True)
    options = {"import_mode": True, "import_domain": domain, "import_scheme": "http",
               "client_id": client.client_id, "client_secret": client.client_secret or ""}
    return user.user_id, options


async def _local_user(rop: Rop, email: str) -> Any:
    return await rop.t.repos_call(lambda r: r.users.by_login(DEFAULT_DATABASE_CONNECTION, email))


async def test_first_login_moves_the_user_and_the_next_login_is_local(
    rop: Rop, old_database: str, test_output_dir: Path
) -> None:
    email = f"old-{secrets.token_hex(3)}@example.com"
    stranger = f"nobody-{secrets.token_hex(3)}@example.com"
    with live_server(database_url=old_database, master_key=TEST_MASTER_KEY, workers=1,
                     log_dir=test_output_dir) as old:
        old_user_id, options = await _old_tenant(old_database, f"127.0.0.1:{old.port}", email)
        await rop.t.repos_call(lambda r: r.connections.update(DEFAULT_DATABASE_CONNECTION, options=options))
        rop.t.state.caches.clear()

        wrong = await rop.token(username=email, password="not it", audience=API)
        assert wrong.status_code == 403 and wrong.json() == WRONG_PASSWORD_BODY
        assert await _local_user(rop, email) is None

        first = await rop.token(username=email, password=OLD_PASSWORD, audience=API, scope="openid profile email")
        assert first.status_code == 200, first.text
        local = await _local_user(rop, email)
        assert local is not None and local.user_id == old_user_id
        assert (local.name, local.given_name, local.email_verified) == ("Old Timer", "Old", True)
        stored = await rop.t.repos_call(lambda r: r.users.password_hash(old_user_id))
        assert stored.startswith("$argon2id$")

        # A user the old tenant does not know either: each refusal there counts here, then 429 without asking.
        for _ in range(10):
            refused = await rop.token(username=stranger, password="guess", audience=API)
            assert refused.status_code == 403 and refused.json() == WRONG_PASSWORD_BODY
        blocked = await rop.token(username=stranger, password="guess", audience=API)
        assert blocked.status_code == 429 and blocked.json() == TOO_MANY_ATTEMPTS_BODY

    # The old tenant is gone: the migrated user still logs in, locally, and a wrong password is refused locally.
    again = await rop.token(username=email, password=OLD_PASSWORD, audience=API)
    assert again.status_code == 200, again.text
    wrong_again = await rop.token(username=email, password="not it", audience=API)
    assert wrong_again.status_code == 403
    # An unknown user while the old tenant is down: 503, not a 500 and not a wrong-password answer.
    down = await rop.token(username=f"late-{secrets.token_hex(3)}@example.com", password="x", audience=API)
    assert down.status_code == 503, down.text


def test_import_mode_options_are_checked_when_saved() -> None:
    from ostiary.connections.import_mode import old_tenant
    from ostiary.errors import AdminError

    assert old_tenant("c", {"brute_force_protection": True}) is None
    ok = old_tenant("c", {"import_mode": True, "import_domain": "old.eu.auth0.com", "client_id": "i",
                          "client_secret": "s"})
    assert ok is not None and ok.base_url == "https://old.eu.auth0.com" and ok.realm == "c"
    for options, message in (
        ({"import_mode": True, "client_id": "i", "client_secret": "s"}, "import_domain: required"),
        ({"import_mode": True, "import_domain": "https://x", "client_id": "i", "client_secret": "s"}, "not a URL"),
        ({"import_mode": "true", "import_domain": "x", "client_id": "i", "client_secret": "s"}, "a JSON boolean"),
        ({"import_mode": True, "import_domain": "old.example", "import_scheme": "http", "client_id": "i",
          "client_secret": "s"}, "http only for a loopback"),
    ):
        with pytest.raises(AdminError, match=message):
            old_tenant("c", options)
