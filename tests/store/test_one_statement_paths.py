"""The refresh grant's one-step path (RefreshTokens.rotate_live: one statement on PostgreSQL, one RawSqlite
transaction on SQLite): it writes only when the token is this client's live rotating token of an unblocked
user, and then writes the whole rotation at once. Over HTTP every refresh test runs through it; here the
store's answers and the rows are checked directly."""

from __future__ import annotations

from ostiary.ids import new_refresh_token
from tests.support.factories import TenantFixture
from tests.support.refresh import FULL_SCOPES, ROTATING, family_of, login, record_of, seed


async def _rotate(tenant: TenantFixture, token: str, client_id: str) -> tuple[object, str] | None:
    new_token = new_refresh_token()
    rotated = await tenant.repos_call(
        lambda r: r.refresh_tokens.rotate_live(token, client_id=client_id, new_token=new_token, idle_expires_at=None)
    )
    return None if rotated is None else (rotated, new_token)


async def test_rotate_live_writes_all_or_nothing(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    first = await record_of(tenant, token)

    assert await _rotate(tenant, token, "another-client") is None
    assert [(t.id, t.used_at) for t in await family_of(tenant, first.family_id)] == [(first.id, None)]

    rotated = await _rotate(tenant, token, s.client.client_id)
    assert rotated is not None
    (spent, user), new_token = rotated  # type: ignore[misc]
    assert spent.id == first.id and spent.used_at is not None
    assert user.user_id == s.user.user_id and user.name == "Alice Example" and not user.blocked
    assert [i.connection for i in user.identities] == [i.connection for i in s.user.identities]
    child = await record_of(tenant, new_token)
    assert (child.parent_id, child.family_id, child.grant_id, child.scope) == (
        first.id, first.family_id, first.grant_id, first.scope
    )
    assert child.absolute_expires_at == first.absolute_expires_at and child.used_at is None

    # Spent: a second use matches nothing and adds nothing (the general path then sees the reuse).
    assert await _rotate(tenant, token, s.client.client_id) is None
    assert len(await family_of(tenant, first.family_id)) == 2

    # The child of a blocked user's family is live, but its user is blocked: nothing is written.
    await tenant.repos_call(lambda r: r.users.update(s.user.user_id, blocked=True))
    assert await _rotate(tenant, new_token, s.client.client_id) is None
    assert (await record_of(tenant, new_token)).used_at is None
    assert len(await family_of(tenant, first.family_id)) == 2
