"""POST /oauth/revoke's core: revoke a refresh token's family and grant (RFC 7009, Auth0 "Revoke Refresh Tokens").

Used by: web/routes/revoke.py. Answers nothing: RFC 7009 §2.2 has the server reply 200 whether or not the
token was known, so a caller learns nothing about other clients' tokens.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.oauth.context import TenantContext

# Tenant flag (tenant.flags): "Refresh Token Revocation Deletes Grant" — revoke every refresh token of the
# same user + client + audience, not just the presented token's family.
REVOKE_WHOLE_GRANT_FLAG = "revoke_refresh_token_grant"


async def revoke_refresh_token(ctx: TenantContext, client: entities.Client, token: str) -> bool:
    """Revoke `token` and everything issued with it; False (and nothing done) if it is not this client's."""
    repo = ctx.repos.refresh_tokens
    record = await repo.find(token)
    # RFC 7009 §2.1: the server first validates that the token was issued to the requesting client.
    # An unknown token or another client's token is not an error: 200 and nothing revoked (RT-10).
    if record is None or record.client_id != client.client_id:
        return False
    grant_ids = [record.grant_id]
    if ctx.tenant.flags.get(REVOKE_WHOLE_GRANT_FLAG):
        grant_ids += await repo.revoke_all_of(
            user_id=record.user_id, client_id=client.client_id, audience=record.audience
        )
    else:
        # Same lock as rotation, so a concurrent refresh cannot slip a new child past this revocation.
        await repo.lock_family(record)
    await repo.revoke_family(record.family_id)
    # Revoking the grant also stops the access tokens issued from it at /userinfo (Grants.is_revoked).
    for grant_id in dict.fromkeys(grant_ids):
        await ctx.repos.grants.revoke(grant_id)
    return True
