"""`ostiary mfa show|policy|factors` (the tenant's MFA: Auth0's guardianPolicies and guardianFactors) and
`ostiary users mfa list|delete|reset` (a user's authenticators)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary.admin import mfa as admin_mfa
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, run_admin
from ostiary.store.repositories.mfa import MfaSettings

app = typer.Typer(help="Multi-factor authentication: when it is required and which factors are enabled.",
                  no_args_is_help=True)
users_app = typer.Typer(help="A user's MFA authenticators.", no_args_is_help=True)

UserArg = Annotated[str, typer.Argument(metavar="USER", help="The user_id (auth0|65f0...) or the user's email.")]
NamesOpt = Annotated[list[str] | None, typer.Option(help="A factor name (repeatable).")]


def _settings(s: MfaSettings) -> dict[str, Any]:
    return {"policy": s.policy, "factors": list(s.factors)}


def _text(s: dict[str, Any]) -> str:
    return f"policy\t{s['policy']}\nfactors\t{', '.join(s['factors']) or '(none)'}"


@app.command("show")
def show(tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """The MFA policy and the enabled factors."""

    async def go(admin: AdminSession) -> dict[str, Any]:
        _, repos = await admin.tenant_repos(tenant)
        return _settings(await repos.mfa.settings())

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("policy")
def policy(
    value: Annotated[str, typer.Argument(metavar="POLICY",
                                         help="never, all-applications, or confidence-score (= all-applications).")],
    tenant: TenantOpt,
    as_json: JsonOpt = False,
) -> None:
    """When MFA is required (it also needs the otp factor enabled)."""

    async def go(admin: AdminSession) -> dict[str, Any]:
        _, repos = await admin.tenant_repos(tenant)
        return _settings(await admin_mfa.set_policy(repos, value))

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("factors")
def factors(tenant: TenantOpt, enable: NamesOpt = None, disable: NamesOpt = None, as_json: JsonOpt = False) -> None:
    """Enable or disable factors (--enable otp; Ostiary serves otp, with recovery codes); without options,
    show them. Auth0's other factor names (sms, push-notification, email, duo, webauthn-*) are kept, unserved."""

    async def go(admin: AdminSession) -> dict[str, Any]:
        _, repos = await admin.tenant_repos(tenant)
        for name in enable or []:
            await admin_mfa.set_factor(repos, name, enabled=True)
        for name in disable or []:
            await admin_mfa.set_factor(repos, name, enabled=False)
        return _settings(await repos.mfa.settings())

    emit(run_admin(go), as_json=as_json, text=_text)


@users_app.command("list")
def list_(user: UserArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """The user's authenticators (id, type, active)."""

    async def go(admin: AdminSession) -> list[dict[str, Any]]:
        _, repos = await admin.tenant_repos(tenant)
        return await admin_mfa.user_authenticators(repos, user)

    emit(run_admin(go), as_json=as_json,
         text=lambda found: "\n".join(f"{a['id']}\t{a['kind']}\t{'active' if a['active'] else 'pending'}"
                                      for a in found))


@users_app.command("delete")
def delete(
    user: UserArg,
    authenticator_id: Annotated[str, typer.Argument(metavar="AUTHENTICATOR_ID", help="e.g. totp|dev_...")],
    tenant: TenantOpt,
    as_json: JsonOpt = False,
) -> None:
    """Delete one authenticator (the last authenticator app takes the recovery code with it)."""

    async def go(admin: AdminSession) -> str:
        _, repos = await admin.tenant_repos(tenant)
        return await admin_mfa.delete_authenticator(repos, user, authenticator_id)

    user_id = run_admin(go)
    done(f"deleted {authenticator_id} of {user_id}", as_json=as_json, deleted=authenticator_id, user_id=user_id)


@users_app.command("reset")
def reset(user: UserArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Remove all of the user's authenticators: the next login enrolls again."""

    async def go(admin: AdminSession) -> tuple[str, int]:
        _, repos = await admin.tenant_repos(tenant)
        return await admin_mfa.reset(repos, user)

    user_id, removed = run_admin(go)
    done(f"removed {removed} authenticator(s) of {user_id}", as_json=as_json, user_id=user_id, removed=removed)
