"""The `emailProvider` key of a Deploy CLI file: the tenant's SMTP server (Auth0's shape, name `smtp`).

    emailProvider:
      name: smtp
      enabled: true
      default_from_address: Acme <login@acme.example>
      credentials: {smtp_host: smtp.acme.example, smtp_port: 587, smtp_user: login, smtp_pass: "..."}

smtp_pass is stored encrypted and exported only with --include-secrets; a re-import without it keeps the
stored one. An empty mapping leaves the provider as it is.
"""

from __future__ import annotations

from typing import Any

from ostiary.admin.sections.base import AdminContext, required_str
from ostiary.errors import AdminError
from ostiary.store.repositories.email import EmailProviderInfo

KEY = "emailProvider"
CREDENTIAL_KEYS = ("smtp_host", "smtp_port", "smtp_user", "smtp_pass")


def _credentials(raw: Any, stored: EmailProviderInfo | None) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise AdminError(f"{KEY}.credentials: expected an object with smtp_host, smtp_port, smtp_user, smtp_pass")
    unknown = set(raw) - set(CREDENTIAL_KEYS)
    if unknown:
        raise AdminError(f"{KEY}.credentials: unknown keys {', '.join(sorted(unknown))}")
    creds: dict[str, Any] = {"smtp_host": required_str(f"{KEY}.credentials.smtp_host", raw.get("smtp_host"))}
    port = raw.get("smtp_port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise AdminError(f"{KEY}.credentials.smtp_port: a port number (1-65535)")
    creds["smtp_port"] = port
    for key in ("smtp_user", "smtp_pass"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise AdminError(f"{KEY}.credentials.{key}: a string")
        if value:
            creds[key] = value
    if "smtp_pass" not in raw and stored is not None and stored.credentials.get("smtp_pass"):
        creds["smtp_pass"] = stored.credentials["smtp_pass"]
    return creds


async def apply(ctx: AdminContext, item: Any) -> None:
    if item is None or item == {}:
        return
    if not isinstance(item, dict):
        raise AdminError(f"{KEY}: expected an object")
    name = item.get("name", "smtp")
    if name != "smtp":
        raise AdminError(f"{KEY}.name: only 'smtp' is supported (Auth0's API providers need their services)")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AdminError(f"{KEY}.enabled: true or false")
    sender = item.get("default_from_address")
    if sender is not None and not isinstance(sender, str):
        raise AdminError(f"{KEY}.default_from_address: a string")
    repos = ctx.repos
    stored = await repos.email_settings.provider()
    info = EmailProviderInfo(
        name="smtp", enabled=enabled, default_from_address=sender or None,
        credentials=_credentials(item.get("credentials"), stored),
    )
    ctx.note(KEY, "unchanged" if stored == info else "updated" if stored else "created")
    if stored != info:
        await repos.email_settings.set_provider(info)


async def export(ctx: AdminContext) -> dict[str, Any]:
    stored = await ctx.repos.email_settings.provider()
    if stored is None:
        return {}
    creds = {k: v for k, v in stored.credentials.items() if k != "smtp_pass" or ctx.include_secrets}
    out: dict[str, Any] = {"name": stored.name, "enabled": stored.enabled, "credentials": creds}
    if stored.default_from_address:
        out["default_from_address"] = stored.default_from_address
    return out
