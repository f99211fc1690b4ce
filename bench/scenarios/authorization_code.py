"""authorization_code exchange: codes minted beforehand through the real /authorize and login page (one login,
then /authorize again with the SSO cookie), then exchanged under load (two signatures, a code consumed,
a refresh token stored)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from typing import cast
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from bench.load import DriverJob, VuPlan, run_driver
from bench.scenarios import Outcome, Target
from bench.seed import API, CALLBACK, PASSWORD
from ostiary.ids import b64url

FORM = "application/x-www-form-urlencoded"
VERIFIER = "bench-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz"
CHALLENGE = b64url(hashlib.sha256(VERIFIER.encode()).digest())
CSRF = re.compile(r'name="_csrf"\s+value="([^"]+)"')


class Unavailable(Exception):
    pass


def _visible_text(html: str) -> str:
    without_style = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", without_style).split())


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Browser:
    """An httpx client that keeps cookies itself (the jar would drop Secure cookies on plain loopback HTTP)."""

    def __init__(self, target: Target) -> None:
        self.http = httpx.AsyncClient(base_url=target.base_url, headers={"Host": target.host_header}, timeout=30)
        self.cookies: dict[str, str] = {}

    async def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        response = await self.http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        for cookie in response.headers.get_list("set-cookie"):
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response


def authorize_path(client_id: str, state: str) -> str:
    return "/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
        "scope": "openid offline_access", "audience": API, "state": state,
        "code_challenge": CHALLENGE, "code_challenge_method": "S256",
    })


def _code(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    if response.status_code != 302 or not location.startswith(CALLBACK):
        raise Unavailable(f"/authorize did not redirect to the callback: {response.status_code} {location[:120]}")
    query = parse_qs(urlsplit(location).query)
    if "code" not in query:
        raise Unavailable(f"no code in the callback: {location[:200]}")
    return query["code"][0]


async def mint_codes(target: Target, count: int, *, concurrency: int = 32) -> list[str]:
    browser = Browser(target)
    client_id = target.client_ids["bench-web"]
    try:
        first = await browser.send("GET", authorize_path(client_id, "s0"))
        if first.status_code in (404, 405):
            raise Unavailable(f"not available ({first.status_code} GET /authorize)")
        login_path = _path(first.headers.get("location", ""))
        if first.status_code != 302 or not login_path.startswith("/u/login"):
            raise Unavailable(f"/authorize did not send to the login page: {first.status_code} {first.text[:120]}")
        page = await browser.send("GET", login_path)
        match = CSRF.search(page.text)
        if page.status_code != 200 or match is None:
            raise Unavailable(f"login page without _csrf: {page.status_code}")
        state = parse_qs(urlsplit(login_path).query)["state"][0]
        form = {"state": state, "username": "user0@bench.test", "password": PASSWORD, "action": "default",
                "_csrf": match.group(1)}
        posted = await browser.send("POST", "/u/login", data=form)
        if posted.status_code != 302:
            raise Unavailable(f"login failed: {posted.status_code} {_visible_text(posted.text)[:300]}")
        codes = [_code(await browser.send("GET", _path(posted.headers["location"])))]

        async def worker(index: int) -> None:
            n = 0
            while len(codes) < count:
                n += 1
                codes.append(_code(await browser.send("GET", authorize_path(client_id, f"s{index}-{n}"))))

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        return codes[:count]
    finally:
        await browser.http.aclose()


def run(target: Target, *, codes: int, label: str = "") -> Outcome:
    outcome = Outcome("authorization_code", target.name, target.backend, signatures_per_request=2, label=label)
    try:
        minted = asyncio.run(mint_codes(target, codes + 1))
    except Unavailable as exc:
        outcome.unavailable = str(exc)
        return outcome
    if (extend := target.extra.get("extend_codes")) is not None:
        cast(Callable[[float], None], extend)(3600.0)
    base = {"grant_type": "authorization_code", "client_id": target.client_ids["bench-web"],
            "client_secret": target.secrets["bench-web"], "redirect_uri": CALLBACK, "code_verifier": VERIFIER}
    probe = httpx.post(target.url("/oauth/token"), data={**base, "code": minted.pop()},
                       headers={"Host": target.host_header}, timeout=30)
    if probe.status_code != 200:
        outcome.unavailable = f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    bodies = [urlencode({**base, "code": code}).encode() for code in minted]
    vus = target.connections
    before = target.snapshot() if target.snapshot else None
    job = DriverJob(
        host="127.0.0.1", port=target.port, path="/oauth/token", host_header=target.host_header,
        duration=target.duration, warmup=target.warmup, headers={"Content-Type": FORM},
        plans=[VuPlan(bodies=bodies[i::vus]) for i in range(vus)],
    )
    outcome.result = run_driver(job, processes=target.driver_processes)
    after = target.snapshot() if target.snapshot else None
    outcome.check_rows(before, after, refresh=1, codes=1)
    return outcome
