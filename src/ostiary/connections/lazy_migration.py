"""Lazy migration from an Auth0 tenant that still runs: a database connection in `import_mode` checks the
password of a user Ostiary does not know yet against the old tenant (password-realm grant, then /userinfo),
and creates her with the old user_id, profile and metadata and the password under Ostiary's own hash. The
next login is local. Auth0's own "import users to Auth0" custom database does the same the other way round.
The connection options are read by import_mode.py.
"""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.connections.import_mode import OldTenant
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import UpstreamBadResponseError
from ostiary.oauth.context import TenantContext

PROVIDER = "the old Auth0 tenant"
REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm"
PROFILE_CLAIMS = ("email", "name", "nickname", "picture", "given_name", "family_name")


def _profile(userinfo: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(external id, user fields) from the old tenant's /userinfo; metadata when a rule or action put it there."""
    provider, sep, external_id = str(userinfo.get("sub", "")).partition("|")
    if provider != "auth0" or not sep or not external_id:
        raise UpstreamBadResponseError(f"Invalid response from {PROVIDER}", debug="sub is not an auth0| user id")
    fields: dict[str, Any] = {k: userinfo[k] for k in PROFILE_CLAIMS if isinstance(userinfo.get(k), str)}
    if isinstance(userinfo.get("email_verified"), bool):
        fields["email_verified"] = userinfo["email_verified"]
    for key in ("user_metadata", "app_metadata"):
        if isinstance(userinfo.get(key), dict):
            fields[key] = userinfo[key]
    return external_id, fields


async def migrate_user(
    ctx: TenantContext, connection: entities.Connection, old: OldTenant, username: str, password: str
) -> entities.User | None:
    """The user created from the old tenant when it accepts the password; None when it refuses it."""
    answer = await call_json(ctx, "POST", f"{old.base_url}/oauth/token", provider=PROVIDER, data={
        "grant_type": REALM_GRANT, "username": username, "password": password, "realm": old.realm,
        "client_id": old.client_id, "client_secret": old.client_secret, "scope": "openid profile email",
    })
    if answer.status in (401, 403):  # wrong email or password (or blocked) there
        return None
    token = answer.field("access_token") if answer.ok else None
    if not isinstance(token, str):
        raise UpstreamBadResponseError(f"Invalid response from {PROVIDER}", debug=f"token answered {answer.status}")
    info = await call_json(ctx, "GET", f"{old.base_url}/userinfo", provider=PROVIDER,
                           headers={"Authorization": f"Bearer {token}"})
    if not info.ok:
        raise UpstreamBadResponseError(f"Invalid response from {PROVIDER}", debug=f"userinfo answered {info.status}")
    external_id, fields = _profile(require_object(info, provider=PROVIDER))
    user = await ctx.repos.users.create_once(connection=connection.name, external_id=external_id,
                                            password=password, **fields)
    if user is None:  # no email in /userinfo, or it belongs to another user here: never merge silently
        raise UpstreamBadResponseError(f"Invalid response from {PROVIDER}",
                                       debug="the user could not be created (email missing or taken)")
    return user
