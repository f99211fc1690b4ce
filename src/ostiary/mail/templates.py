"""Rendering Auth0's email templates with Liquid (python-liquid), every value HTML-escaped.

Variables, as Auth0's: `user` (email, name, nickname, user_id, ...), `url`, `code`, `application` (name,
client_id), `tenant` (name, friendly_name), plus the flow's own (`source_ip` for blocked_account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liquid import Environment
from liquid.exceptions import LiquidError

from ostiary import entities
from ostiary.errors import AdminError
from ostiary.mail.defaults import DEFAULTS

# Auth0 ships its templates with autoescaping of every variable output; so do we.
_ENV = Environment(autoescape=True)


@dataclass(frozen=True)
class TemplateOverride:
    """A tenant's emailTemplates entry."""

    template: str
    body: str
    enabled: bool = True
    subject: str | None = None
    from_address: str | None = None
    result_url: str | None = None
    url_lifetime_seconds: int | None = None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    from_address: str | None


def check_liquid(field: str, source: str) -> None:
    """Reject a template that does not parse (at import time, not when the first user needs the email)."""
    try:
        _ENV.from_string(source)
    except LiquidError as exc:
        raise AdminError(f"{field}: not a valid Liquid template ({exc})") from exc


def user_variables(user: entities.User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name or "",
        "nickname": user.nickname or "",
        "given_name": user.given_name or "",
        "family_name": user.family_name or "",
        "username": user.username or "",
        "picture": user.picture or "",
        "user_metadata": dict(user.user_metadata or {}),
        "app_metadata": dict(user.app_metadata or {}),
    }


def tenant_variables(tenant: entities.Tenant) -> dict[str, Any]:
    return {"name": tenant.name, "friendly_name": tenant.friendly_name or tenant.name}


def application_variables(client: entities.Client | None) -> dict[str, Any]:
    return {"name": client.name, "client_id": client.client_id} if client else {}


def render(template: str, variables: dict[str, Any], override: TemplateOverride | None) -> RenderedEmail:
    """The tenant's enabled override, else the built-in default. Subjects are Liquid too."""
    subject, body = DEFAULTS[template]
    from_address = None
    if override is not None and override.enabled:
        body = override.body
        subject = override.subject or subject
        from_address = override.from_address
    try:
        html = _ENV.from_string(body).render(**variables)
        # A subject is a header, not HTML: render without escaping, then keep it on one line.
        subject_text = Environment(autoescape=False).from_string(subject).render(**variables)
    except LiquidError as exc:
        raise AdminError(f"email template {template}: {exc}") from exc
    return RenderedEmail(subject=" ".join(subject_text.split()), html=html, from_address=from_address)
