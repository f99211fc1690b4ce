"""Text messages for `sms` connections through Twilio's Messages API (the base URL is a setting, so any
provider that speaks Twilio's shape works; tests use a loopback fake).

Connection options, as Auth0's: twilio_sid, twilio_token (encrypted at rest), from or messaging_service_sid.
Messages go through the outbox like emails (queue_sms in the request, send_sms in the background sender), so
a slow or failing provider never delays or fails /passwordless/start; failures are logged and retried.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ostiary import entities
from ostiary.oauth.context import TenantContext

SMS_TEMPLATE = "sms"


class SmsError(Exception):
    """The provider could not be reached or refused the message (logged and retried by the sender)."""


async def queue_sms(ctx: TenantContext, connection: entities.Connection, *, to: str, body: str) -> None:
    message = json.dumps({"connection": connection.name, "body": body})
    await ctx.repos.outbox.enqueue(template=SMS_TEMPLATE, recipient=to, message=message)


def sms_parts(message: str) -> tuple[str, str]:
    """(connection name, body) of a queued text message."""
    data = json.loads(message)
    return str(data["connection"]), str(data["body"])


async def send_sms(http: httpx.AsyncClient, api_url: str, options: dict[str, Any], *, to: str, body: str) -> None:
    sid, token = options.get("twilio_sid"), options.get("twilio_token")
    if not sid or not token:
        raise SmsError("the sms connection has no twilio_sid/twilio_token")
    form = {"To": to, "Body": body}
    if options.get("messaging_service_sid"):
        form["MessagingServiceSid"] = str(options["messaging_service_sid"])
    else:
        form["From"] = str(options.get("from") or "")
    url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        response = await http.post(url, data=form, auth=(str(sid), str(token)))
    except httpx.HTTPError as exc:
        raise SmsError(f"the SMS provider is unreachable ({type(exc).__name__})") from exc
    if response.status_code >= 300:
        raise SmsError(f"the SMS provider answered {response.status_code}")
