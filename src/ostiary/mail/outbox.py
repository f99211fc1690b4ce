"""Queueing one of Auth0's emails for a user: render, build the message, store it in the outbox.

The email goes out after the request's transaction commits (mail/sender.py); queueing never talks to a mail
server, so a slow or broken one never delays or fails a request.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from typing import Any

from ostiary import entities
from ostiary.errors import AdminError
from ostiary.mail.templates import (
    TemplateOverride,
    application_variables,
    render,
    tenant_variables,
    user_variables,
)
from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.mail")

# The header that names the template (mail catchers and tests read it; mail clients ignore it).
TEMPLATE_HEADER = "X-Ostiary-Template"


async def template_override(ctx: TenantContext, template: str) -> TemplateOverride | None:
    return await ctx.repos.email_settings.template(template)


async def link_lifetime(ctx: TenantContext, template: str, default: float) -> float:
    """The template's urlLifetimeInSeconds (Deploy CLI), else the flow's default."""
    override = await template_override(ctx, template)
    if override is not None and override.url_lifetime_seconds:
        return float(override.url_lifetime_seconds)
    return default


async def queue_email(
    ctx: TenantContext,
    *,
    template: str,
    to: str,
    user: entities.User | None = None,
    client: entities.Client | None = None,
    url: str | None = None,
    code: str | None = None,
    extra: dict[str, Any] | None = None,
    override: TemplateOverride | None = None,
) -> bool:
    """Queue `template` for `to`; False (logged) when the tenant has no way to send mail or turned it off.
    `override` replaces the tenant's template (the email connection keeps its own, as Auth0's does)."""
    provider = await ctx.repos.email_settings.provider()
    if provider is not None and not provider.enabled:
        log.info("email not queued: the tenant's email provider is disabled", extra={"template": template})
        return False
    if provider is None and not ctx.state.settings.smtp_url:
        log.warning("email not queued: no emailProvider and no OSTIARY_SMTP_URL", extra={"template": template})
        return False
    override = override or await template_override(ctx, template)
    if override is not None and not override.enabled:
        log.info("email not queued: the template is disabled", extra={"template": template})
        return False
    variables: dict[str, Any] = {
        "user": user_variables(user) if user else {"email": to},
        "tenant": tenant_variables(ctx.tenant),
        "application": application_variables(client),
        "url": url or "",
        "code": code or "",
        **(extra or {}),
    }
    try:
        rendered = render(template, variables, override)
    except AdminError as exc:
        # A tenant template that fails at render time (checked at import, but Liquid can still fail on data):
        # the built-in default goes out instead, and the log says why.
        log.error("email template failed, the built-in one is sent", extra={"template": template, "error": str(exc)})
        rendered = render(template, variables, None)
    sender = rendered.from_address or (provider.default_from_address if provider else None) \
        or ctx.state.settings.mail_from
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(ctx.clock.now(), usegmt=True)
    message["Message-ID"] = make_msgid(domain=ctx.host.split(":")[0] or None)
    message[TEMPLATE_HEADER] = template
    # Quoted-printable: SMTP limits lines to 998 characters, and inline-styled HTML has longer ones.
    message.set_content(_plain_text(rendered.subject, url, code), cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    await ctx.repos.outbox.enqueue(template=template, recipient=to, message=message.as_string(policy=SMTP))
    return True


def _plain_text(subject: str, url: str | None, code: str | None) -> str:
    lines = [subject, ""]
    if code:
        lines.append(f"Your code: {code}")
    if url:
        lines.append(f"Open this link: {url}")
    return "\n".join(lines) + "\n"
