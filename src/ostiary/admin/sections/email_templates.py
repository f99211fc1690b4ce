"""The `emailTemplates` key of a Deploy CLI file: overrides of Auth0's email templates (Liquid).

    emailTemplates:
      - template: reset_email
        enabled: true
        syntax: liquid
        from: Acme <login@acme.example>
        subject: Reset your Acme password
        resultUrl: https://acme.example/after-reset
        urlLifetimeInSeconds: 3600
        body: ./emailTemplates/reset_email.html

`body` is a path to an .html file beside the document (as the Deploy CLI writes them), or the Liquid text
itself. Bodies and subjects are parsed on import, so a broken template fails the import, not a user's email.
"""

from __future__ import annotations

from typing import Any

from ostiary.admin.sections.base import AdminContext, apply_each, required_str
from ostiary.errors import AdminError
from ostiary.mail.defaults import AUTH0_TEMPLATE_NAMES
from ostiary.mail.templates import TemplateOverride, check_liquid

KEY = "emailTemplates"


def _optional_str(field_name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AdminError(f"{field_name}: a string")
    return value


def parse_template(item: dict[str, Any]) -> TemplateOverride:
    name = required_str("template", item.get("template"))
    if name not in AUTH0_TEMPLATE_NAMES:
        raise AdminError(f"template: {name!r} is not one of {', '.join(sorted(AUTH0_TEMPLATE_NAMES))}")
    if item.get("syntax", "liquid") != "liquid":
        raise AdminError("syntax: only 'liquid' is supported")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AdminError("enabled: true or false")
    lifetime = item.get("urlLifetimeInSeconds")
    if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0):
        raise AdminError("urlLifetimeInSeconds: a positive number of seconds")
    result_url = _optional_str("resultUrl", item.get("resultUrl"))
    if result_url and not result_url.startswith(("https://", "http://")):
        raise AdminError("resultUrl: an absolute http(s) URL")
    body = required_str("body", item.get("body"))  # the file's text: a0deploy/files.py read it
    subject = _optional_str("subject", item.get("subject"))
    check_liquid("body", body)
    if subject:
        check_liquid("subject", subject)
    return TemplateOverride(
        template=name, body=body, enabled=enabled, subject=subject,
        from_address=_optional_str("from", item.get("from")), result_url=result_url,
        url_lifetime_seconds=lifetime,
    )


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    wanted = parse_template(item)
    current = await ctx.repos.email_settings.template(wanted.template)
    ctx.note(KEY, "unchanged" if current == wanted else "updated" if current else "created")
    if current != wanted:
        await ctx.repos.email_settings.set_template(wanted)


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    """Bodies go to base_dir/emailTemplates/<template>.html, as the Deploy CLI lays them out."""
    out: list[dict[str, Any]] = []
    for override in await ctx.repos.email_settings.templates():
        target = ctx.base_dir / "emailTemplates" / f"{override.template}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(override.body, encoding="utf-8")
        item: dict[str, Any] = {
            "template": override.template, "enabled": override.enabled, "syntax": "liquid",
            "body": f"./emailTemplates/{override.template}.html",
        }
        for key, value in (("from", override.from_address), ("subject", override.subject),
                           ("resultUrl", override.result_url), ("urlLifetimeInSeconds", override.url_lifetime_seconds)):
            if value:
                item[key] = value
        out.append(item)
    return out
