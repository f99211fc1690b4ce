"""The `ostiary` command: serve, db, and admin commands (each takes --tenant and --json)."""

from __future__ import annotations

import typer

from ostiary.cli import (
    actions,
    apis,
    clients,
    connections,
    grants,
    keys,
    management,
    porting,
    protection,
    serve,
    tenants,
    users,
)

app = typer.Typer(
    help="Ostiary: an OAuth 2.0 / OpenID Connect server speaking Auth0's Authentication API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.add_typer(serve.db_app, name="db")
app.add_typer(tenants.app, name="tenants")
app.add_typer(clients.app, name="clients")
app.add_typer(apis.app, name="apis")
app.add_typer(grants.app, name="grants")
app.add_typer(connections.app, name="connections")
app.add_typer(users.app, name="users")
app.add_typer(keys.app, name="keys")
app.add_typer(actions.app, name="actions")
app.add_typer(actions.profiles_app, name="token-exchange-profiles")
app.add_typer(protection.app, name="protection")
app.add_typer(management.app, name="management")
app.command("import")(porting.import_)
app.command("export")(porting.export)


def main() -> None:
    app()
