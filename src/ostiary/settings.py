"""Process settings, read once from the environment (prefix OSTIARY_) and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./ostiary.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OSTIARY_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_SQLITE_URL
    public_scheme: Literal["http", "https"] = "https"
    master_key: str | None = Field(default=None, repr=False)
    # Comma-separated proxy addresses whose X-Forwarded-* headers are believed; "*" trusts every peer.
    trusted_proxies: str = ""
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_body_bytes: int = 64 * 1024
    db_pool_size: int = 10
    redis_url: str | None = None
    # Prefix of every Redis key Ostiary writes (brute-force counters, rate-limit windows).
    redis_prefix: str = "ostiary:"
    # Per-process cache lifetime for tenants, clients, APIs and key sets; bounds how long a CLI change
    # takes to reach a running server.
    cache_ttl_seconds: float = 5.0
    hook_timeout_seconds: float = 20.0
    upstream_timeout_seconds: float = 10.0
    # Requests per minute per client IP and tenant on /oauth/token (and the login page); 0 turns it off.
    rate_limit_per_minute: int = 600
    # The server-wide mail server, for tenants without an emailProvider of their own:
    # smtp://user:pass@host:port (STARTTLS when offered), smtps://... (TLS from the start). Unset: no email
    # is queued for such tenants (logged).
    smtp_url: str | None = Field(default=None, repr=False)
    # From address when neither the template nor the tenant's provider names one.
    mail_from: str = "Ostiary <no-reply@localhost>"
    # How often each server process looks for due emails in the outbox.
    mail_poll_seconds: float = 2.0
    # Base URL of the SMS provider's API for `sms` connections (Twilio's shape:
    # POST {url}/2010-04-01/Accounts/{twilio_sid}/Messages.json).
    twilio_api_url: str = "https://api.twilio.com"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        _, _, path = self.database_url.partition(":///")
        return Path(path) if path and path != ":memory:" else None

    def trusted_proxy_set(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())


def load_settings() -> Settings:
    return Settings()
