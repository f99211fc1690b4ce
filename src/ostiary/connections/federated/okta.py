"""okta (Okta Workforce): an `oidc` connection whose endpoints come from the Okta `domain`'s discovery document
(https://{domain}/.well-known/openid-configuration) and which is always back-channel (code + client secret).

Auth0's options: domain, client_id, client_secret, scope, and any explicit endpoint the oidc strategy takes.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.connections.federated.oidc import BACK_CHANNEL, Oidc


class Okta(Oidc):
    strategy = "okta"
    label = "Okta"

    def discovery_url(self, connection: entities.Connection) -> str | None:
        explicit = self.option(connection, "discovery_url")
        domain = self.option(connection, "domain")
        if explicit or not domain:
            return explicit
        base = domain if domain.startswith(("https://", "http://")) else f"https://{domain}"
        return f"{base.rstrip('/')}/.well-known/openid-configuration"

    def channel(self, connection: entities.Connection) -> str:
        return BACK_CHANNEL
