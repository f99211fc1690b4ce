"""The `ostiary` command: serve, db, and admin commands (each takes --tenant and --json)."""

from __future__ import annotations

import sys
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from ostiary import __version__
from ostiary.cli import (
    _common,
    actions,
    apis,
    clients,
    connections,
    demo,
    grants,
    keys,
    management,
    mfa,
    porting,
    protection,
    roles,
    serve,
    tenants,
    users,
)
from ostiary.settings import Settings, load_settings
from ostiary.store import problems

app = typer.Typer(
    help="Ostiary: an OAuth 2.0 / OpenID Connect server speaking Auth0's Authentication API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ostiary {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Ostiary: an OAuth 2.0 / OpenID Connect server speaking Auth0's Authentication API."""


app.command("serve")(serve.serve)
app.add_typer(serve.db_app, name="db")
app.add_typer(tenants.app, name="tenants")
app.add_typer(clients.app, name="clients")
app.add_typer(apis.app, name="apis")
app.add_typer(grants.app, name="grants")
app.add_typer(connections.app, name="connections")
app.add_typer(users.app, name="users")
app.add_typer(roles.app, name="roles")
app.add_typer(keys.app, name="keys")
app.add_typer(actions.app, name="actions")
app.add_typer(actions.profiles_app, name="token-exchange-profiles")
app.add_typer(protection.app, name="protection")
app.add_typer(management.app, name="management")
app.add_typer(mfa.app, name="mfa")
app.command("import")(porting.import_)
app.command("export")(porting.export)
app.command("demo")(demo.demo)


def main() -> None:
    """The console script. A bad setting or an unusable database met by any command (serve and db included)
    is one line and exit status 2, never a traceback."""
    try:
        command = typer.main.get_command(app)
        _click_metavars(command)
        command(prog_name="ostiary")
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        _exit_with(_common.settings_problem(exc))
    except Exception as exc:
        problem = problems.describe(exc, load_settings().database_url)
        if problem is None:
            raise
        _exit_with(str(problem))


# Typer's Python type names in help, as click's value names.
_METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "Path": "PATH", "bool": ""}


def _click_metavars(command: Any) -> None:
    """Help shows TEXT, INTEGER, PATH (a flag nothing) instead of typer's `<str>` and `<bool>`."""
    for param in command.params:
        bare = param.bare_type().removeprefix("list[").removesuffix("]")
        name = _METAVARS.get(bare, "" if getattr(param, "is_flag", False) else bare.upper())
        if getattr(param, "param_type_name", "") == "argument":
            if param.metavar is None:
                param.metavar = param.name.upper()  # the usage line: `ostiary users show [OPTIONS] USER`
            param.display_type_rich = lambda ctx, name=name: name  # its row in the table: TEXT
        elif param.metavar is None:
            param.metavar = name
    make_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _click_metavars(sub)


def _exit_with(message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(2)
