"""An Action's `fetch`, done by its worker process with httpx: timeout, response size limit, and no loopback,
link-local, private or otherwise non-public address unless the operator allows it (SSRF).

The host name is resolved once and the connection goes to the address that was checked (the URL is rewritten to
the IP; Host and TLS SNI keep the name), so a DNS answer cannot change between the check and the connection.
Each redirect is checked the same way.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchRules:
    timeout_seconds: float = 10.0
    max_response_bytes: int = 1024 * 1024
    allow_private: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FetchRules:
        return cls(
            timeout_seconds=float(data.get("timeout_seconds", 10.0)),
            max_response_bytes=int(data.get("max_response_bytes", 1024 * 1024)),
            allow_private=bool(data.get("allow_private", False)),
        )


class FetchRefused(Exception):
    pass


def public_address(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


async def _pinned(url: str, rules: FetchRules) -> tuple[str, str, str]:
    """(url with the checked IP as host, Host header value, host name for SNI)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"only http and https URLs can be fetched, not {url[:100]!r}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchRefused(f"cannot resolve {host}") from exc
    ips = [str(info[4][0]) for info in infos]
    if not ips:
        raise FetchRefused(f"cannot resolve {host}")
    if not rules.allow_private:
        for ip in ips:
            if not public_address(ip):
                raise FetchRefused(f"{host} resolves to a non-public address ({ip}); the operator has not allowed it")
    ip = ips[0]
    netloc = f"[{ip}]" if ":" in ip else ip
    if parts.port:
        netloc += f":{parts.port}"
    host_header = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header, host


async def host_fetch(client: httpx.AsyncClient, request_json: str, rules: FetchRules) -> str:
    """The JSON the JavaScript `fetch` shim expects: {status, statusText, headers, body (base64), url} or {error}."""
    try:
        req = json.loads(request_json)
        return json.dumps(await _fetch(client, req, rules))
    except FetchRefused as exc:
        return json.dumps({"error": str(exc)})
    except httpx.TimeoutException:
        return json.dumps({"error": f"timed out after {rules.timeout_seconds}s"})
    except (httpx.HTTPError, ValueError, OSError) as exc:
        return json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]})


async def _fetch(client: httpx.AsyncClient, req: dict[str, Any], rules: FetchRules) -> dict[str, Any]:
    url, method = str(req["url"]), str(req.get("method") or "GET")
    headers = [(str(k), str(v)) for k, v in req.get("headers") or [] if str(k).lower() != "host"]
    body = req.get("body")
    content = body.encode("utf-8") if isinstance(body, str) else None
    for _ in range(MAX_REDIRECTS + 1):
        pinned, host_header, sni = await _pinned(url, rules)
        request = client.build_request(
            method, pinned, headers=[*headers, ("host", host_header)], content=content,
            extensions={"sni_hostname": sni, "timeout": httpx.Timeout(rules.timeout_seconds).as_dict()},
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                url = str(httpx.URL(url).join(location))
                if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                    method, content = "GET", None
                continue
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > rules.max_response_bytes:
                    raise FetchRefused(f"the response is larger than {rules.max_response_bytes} bytes")
            return {
                "status": response.status_code, "statusText": response.reason_phrase,
                "headers": list(response.headers.items()), "body": base64.b64encode(bytes(data)).decode(),
                "url": url,
            }
        finally:
            await response.aclose()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")
