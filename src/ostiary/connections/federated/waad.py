"""waad (Microsoft Entra ID, formerly Azure AD), over OpenID Connect v2.0: back-channel code flow against the
directory's (tenant_domain) discovery document; the user is identified by the immutable `oid` claim.

Auth0's options: tenant_domain (or domain), client_id, client_secret, scope, and any explicit endpoint the oidc
strategy takes. User ids are `waad|{connection}|{oid}`.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.connections.federated.oidc import BACK_CHANNEL, Oidc

AUTHORITY = "https://login.microsoftonline.com"


class Waad(Oidc):
    strategy = "waad"
    label = "Microsoft"
    subject_claim = "oid"

    def discovery_url(self, connection: entities.Connection) -> str | None:
        explicit = self.option(connection, "discovery_url")
        directory = self.option(connection, "tenant_domain") or self.option(connection, "domain")
        if explicit or not directory:
            return explicit
        return f"{AUTHORITY}/{directory}/v2.0/.well-known/openid-configuration"

    def channel(self, connection: entities.Connection) -> str:
        return BACK_CHANNEL
