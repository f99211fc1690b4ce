"""The `ostiary` command: serve, db, and admin commands (each takes --tenant and --json)."""

from __future__ import annotations

import typer

from ostiary.cli import actions, protection, serve, tenants

app = typer.Typer(
    help="Ostiary: an OAuth 2.0 / OpenID Connect server speaking Auth0's Authentication API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.add_typer(serve.db_app, name="db")
app.add_typer(tenants.app, name="tenants")
app.add_typer(protection.app, name="protection")
app.add_typer(actions.app, name="actions")
app.add_typer(actions.profiles_app, name="token-exchange-profiles")


def main() -> None:
    app()
