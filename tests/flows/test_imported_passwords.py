"""A user imported with a foreign hash logs in with her old password (password grant); that first good login
replaces the hash with Ostiary's argon2id, and a wrong password is refused like any other."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import bcrypt
import pytest
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, WRONG_PASSWORD_BODY, Rop, make_rop

from ostiary.admin import users_import
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.admin.session import AdminSession
from ostiary.runtime import AppState

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
async def rop(state: AppState, app: Any) -> AsyncIterator[Rop]:
    setup = await make_rop(state, app)
    yield setup
    await setup.t.http.aclose()


async def _import(rop: Rop, records: list[dict[str, Any]]) -> users_import.Summary:
    state = rop.t.state
    async with state.sessionmaker() as session:
        admin = AdminSession(session=session, box=state.box, clock=state.clock)
        summary = await users_import.import_users(admin, rop.t.tenant.name, DEFAULT_DATABASE_CONNECTION, records)
        await session.commit()
    return summary


async def _stored_hash(rop: Rop, email: str) -> str:
    async def read(repos: Any) -> str:
        user = await repos.users.by_login(DEFAULT_DATABASE_CONNECTION, email)
        return str(await repos.users.password_hash(user.user_id))

    return str(await rop.t.repos_call(read))


@pytest.mark.parametrize("record", [
    {"password_hash": bcrypt.hashpw(b"old password", bcrypt.gensalt(rounds=4)).decode()},
    {"custom_password_hash": {"algorithm": "sha256", "salt": {"value": "NaCl", "position": "suffix"},
                              "hash": {"value": hashlib.sha256(b"old passwordNaCl").hexdigest(), "encoding": "hex"}}},
], ids=["bcrypt", "salted-sha256"])
async def test_first_login_verifies_the_imported_hash_and_replaces_it(rop: Rop, record: dict[str, Any]) -> None:
    summary = await _import(rop, [{"email": "old@example.com", "user_id": "5f1a", **record}])
    assert (summary.inserted, summary.failed) == (1, 0)
    before = await _stored_hash(rop, "old@example.com")
    assert not before.startswith("$argon2")

    wrong = await rop.token(username="old@example.com", password="not it", audience=API)
    assert wrong.status_code == 403 and wrong.json() == WRONG_PASSWORD_BODY
    assert await _stored_hash(rop, "old@example.com") == before

    good = await rop.token(username="old@example.com", password="old password", audience=API)
    assert good.status_code == 200, good.text
    after = await _stored_hash(rop, "old@example.com")
    assert after.startswith("$argon2id$")
    again = await rop.token(username="old@example.com", password="old password", audience=API)
    assert again.status_code == 200 and await _stored_hash(rop, "old@example.com") == after
