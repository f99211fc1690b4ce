"""A database connection's `import_mode` options (lazy migration from an old Auth0 tenant): pure checks, run
when the connection is saved and when a login reads them.

    import_mode: true
    import_domain: old-tenant.eu.auth0.com
    client_id / client_secret: a client of the old tenant allowed the password-realm grant (secret encrypted)
    import_realm: the old tenant's connection name (default: this connection's name)
    import_scheme: https (http only for a loopback host, for tests)
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ostiary.errors import AdminError


@dataclass(frozen=True, slots=True)
class OldTenant:
    base_url: str
    client_id: str
    client_secret: str
    realm: str


def _loopback(domain: str) -> bool:
    host = domain.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def old_tenant(connection_name: str, options: dict[str, Any]) -> OldTenant | None:
    """The old tenant a connection in import_mode points at, None when not in import_mode; AdminError when
    the options are incomplete (checked when the connection is saved, so a login never meets it)."""
    mode = options.get("import_mode", False)
    if not isinstance(mode, bool):
        raise AdminError("connection.options.import_mode: true or false (a JSON boolean, e.g. --options)")
    if not mode:
        return None
    domain, client_id, secret = options.get("import_domain"), options.get("client_id"), options.get("client_secret")
    for key, value in (("import_domain", domain), ("client_id", client_id), ("client_secret", secret)):
        if not isinstance(value, str) or not value.strip():
            raise AdminError(f"connection.options.{key}: required with import_mode")
    assert isinstance(domain, str) and isinstance(client_id, str) and isinstance(secret, str)
    if "/" in domain or "@" in domain:
        raise AdminError("connection.options.import_domain: a host name (with an optional port), not a URL")
    scheme = options.get("import_scheme", "https")
    if scheme not in ("https", "http") or (scheme == "http" and not _loopback(domain)):
        raise AdminError("connection.options.import_scheme: https (http only for a loopback host)")
    realm = options.get("import_realm", connection_name)
    if not isinstance(realm, str) or not realm:
        raise AdminError("connection.options.import_realm: a connection name")
    return OldTenant(base_url=f"{scheme}://{domain}", client_id=client_id, client_secret=secret, realm=realm)
