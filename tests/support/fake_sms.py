"""A fake SMS provider in Twilio's API shape on loopback: POST /2010-04-01/Accounts/{sid}/Messages.json with
HTTP Basic (sid, token) and a form To, From|MessagingServiceSid, Body. Accepted messages are recorded."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

SID, TOKEN, FROM = "AC0123456789abcdef", "twilio-token", "+15550000000"
_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")


@dataclass
class FakeTwilio:
    base_url: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)

    def code_for(self, phone: str) -> str:
        sent = [m for m in self.messages if m["To"] == phone]
        assert sent, f"no SMS to {phone}"
        match = re.search(r"(\d{6})", sent[-1]["Body"])
        assert match, sent[-1]
        return match.group(1)

    def connection_options(self) -> dict[str, str]:
        return {"twilio_sid": SID, "twilio_token": TOKEN, "from": FROM}


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            match = _PATH.match(self.path)
            expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if not match or match.group(1) != SID or self.headers.get("authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            fake.messages.append(form)
            self.send_response(201)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"sid": "SM1", "status": "queued"}')

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
