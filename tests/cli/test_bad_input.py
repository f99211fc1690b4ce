"""Bad admin input: exit code 2, exactly one line naming the field, and not one row written."""

from __future__ import annotations

import pytest

from tests.support.cli import Cli, assert_one_error_line, snapshot

T = "{tenant}"
BAD_COMMANDS = {
    "unknown tenant": (["clients", "create", "-t", "no-such-tenant", "--name", "x"], "tenant: "),
    "duplicate API identifier": (["apis", "create", "-t", T, "--identifier", "https://api.seeded"],
                                 "resourceServer.identifier: 'https://api.seeded' exists already"),
    "duplicate client name": (["clients", "create", "-t", T, "--name", "seeded"],
                              "client.name: a client named 'seeded' exists already"),
    "relative callback": (["clients", "create", "-t", T, "--name", "x", "--callback", "/callback"],
                          "client.callbacks: '/callback' is not an absolute URL"),
    "host-less callback": (["clients", "create", "-t", T, "--name", "x", "--callback", "https:callback"],
                           "client.callbacks: 'https:callback' is not an absolute URL"),
    "javascript: callback": (["clients", "create", "-t", T, "--name", "x", "--callback", "javascript:alert(1)"],
                             "client.callbacks: 'javascript:alert(1)' uses a forbidden scheme"),
    "data: logout URL": (["clients", "update", "seeded", "-t", T, "--allowed-logout-url", "data:text/html,hi"],
                         "client.allowed_logout_urls: 'data:text/html,hi' uses a forbidden scheme"),
    "JaVaScRiPt: web origin": (["clients", "update", "seeded", "-t", T, "--web-origin", "JaVaScRiPt:x"],
                               "client.web_origins: 'JaVaScRiPt:x' uses a forbidden scheme"),
    "unknown client field": (["clients", "create", "-t", T, "--name", "x", "--set", "colour=1"],
                             "client.colour: unknown field"),
    "--set not JSON": (["clients", "create", "-t", T, "--name", "x", "--set", "mobile={nope"],
                       "--set mobile: not valid JSON"),
    "bad app type": (["clients", "create", "-t", T, "--name", "x", "--app-type", "tv"],
                     "client.app_type: 'tv' is not one of"),
    "bad jwt alg": (["clients", "create", "-t", T, "--name", "x", "--jwt-alg", "none"],
                    "client.jwt_configuration.alg: 'none' is not one of"),
    "unknown client": (["clients", "rotate-secret", "nobody", "-t", T], "client: no client 'nobody'"),
    "negative token lifetime": (["apis", "update", "https://api.seeded", "-t", T, "--token-lifetime", "-5"],
                                "resourceServer.token_lifetime: expected a positive whole number"),
    "grant of an undefined scope": (["grants", "create", "-t", T, "--client", "seeded", "--audience",
                                     "https://api.seeded", "--scope", "admin"],
                                    "clientGrant.scope: 'admin' is not a scope of https://api.seeded"),
    "grant for an unknown API": (["grants", "create", "-t", T, "--client", "seeded", "--audience", "https://x"],
                                 "clientGrant.audience: no API with identifier 'https://x'"),
    "connection for an unknown client": (["connections", "create", "c", "-t", T, "--strategy", "auth0",
                                          "--enabled-client", "ghost"],
                                         "connection.enabled_clients: no client named 'ghost'"),
    "unknown strategy": (["connections", "create", "c", "-t", T, "--strategy", "ldap"],
                         "connection.strategy: 'ldap' is not one of"),
    "user in a missing connection": (["users", "create", "-t", T, "--email", "a@b.c", "--connection", "nope"],
                                     "user.connection: no connection named 'nope'"),
    "revoking the current key": (["keys", "revoke", "not-a-kid", "-t", T], "keys: 'not-a-kid' is not a previous"),
    "tenant domain taken": (["tenants", "create", "other", "--domain", "{tenant}.test"],
                            "tenant.domains: '{tenant}.test' belongs to another tenant"),
}


_SEEDED: dict[str, str] = {}


@pytest.fixture
def seeded(cli: Cli) -> str:
    """One seeded tenant per database, shared by the cases: none of them may change it (that is the test)."""
    if cli.database_url in _SEEDED:
        return _SEEDED[cli.database_url]
    tenant = _SEEDED[cli.database_url] = cli.new_tenant()
    cli.ok("clients", "create", "-t", tenant, "--name", "seeded", "--app-type", "non_interactive")
    cli.ok("apis", "create", "-t", tenant, "--identifier", "https://api.seeded", "--scope", "read:x")
    return tenant


@pytest.mark.parametrize("case", list(BAD_COMMANDS))
def test_bad_command_fails_with_one_line_and_writes_nothing(cli: Cli, seeded: str, case: str) -> None:
    args, message = BAD_COMMANDS[case]
    before = snapshot(cli.database_url)
    result = cli(*[a.replace(T, seeded) for a in args])
    assert_one_error_line(result, message.replace(T, seeded))
    assert snapshot(cli.database_url) == before
