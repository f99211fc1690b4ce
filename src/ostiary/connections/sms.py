"""Text messages for `sms` connections through Twilio's Messages API (the base URL is a setting, so any
provider that speaks Twilio's shape works; tests use a loopback fake).

Connection options, as Auth0's: twilio_sid, twilio_token (encrypted at rest), from or messaging_service_sid.
A failure is logged, never shown: the answer to /passwordless/start must not depend on delivery.
"""

from __future__ import annotations

import logging

import httpx

from ostiary import entities
from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.sms")


async def send_sms(ctx: TenantContext, connection: entities.Connection, *, to: str, body: str) -> bool:
    options = connection.options
    sid, token = options.get("twilio_sid"), options.get("twilio_token")
    if not sid or not token:
        log.warning("sms not sent: no twilio_sid/twilio_token", extra={"connection": connection.name})
        return False
    form = {"To": to, "Body": body}
    if options.get("messaging_service_sid"):
        form["MessagingServiceSid"] = str(options["messaging_service_sid"])
    else:
        form["From"] = str(options.get("from") or "")
    url = f"{ctx.state.settings.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        response = await ctx.http.post(url, data=form, auth=(str(sid), str(token)))
    except httpx.HTTPError as exc:
        log.error("sms not sent", extra={"connection": connection.name, "error": str(exc)})
        return False
    if response.status_code >= 300:
        log.error("sms refused by the provider", extra={"connection": connection.name, "status": response.status_code})
        return False
    return True
