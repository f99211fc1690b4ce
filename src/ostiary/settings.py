"""Process settings, read once from the environment (prefix OSTIARY_) and passed down explicitly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The schemes people type, mapped to the async driver Ostiary runs on.
ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def user_data_dir() -> Path:
    """Where the local SQLite set-up lives: $XDG_DATA_HOME/ostiary, else ~/.local/share/ostiary."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ostiary"


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{user_data_dir() / 'ostiary.db'}"


def async_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` as asyncpg, `sqlite://` as aiosqlite; any other driver is refused."""
    scheme, sep, rest = url.strip().partition("://")
    driver = ASYNC_DRIVERS.get(scheme.lower())
    if not sep or driver is None:
        raise ValueError(
            f"{scheme + sep or url!r} is not a database Ostiary can use: "
            "give postgresql://USER@HOST/DB or sqlite:///PATH"
        )
    return f"{driver}://{rest}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OSTIARY_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
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
    # JavaScript Actions run in worker processes (ostiary.actions.js): per execution V8 heap limit, workers per
    # tenant (its concurrent executions), idle workers kept across tenants, and the rules of an Action's fetch.
    actions_memory_mb: int = 64
    actions_workers_per_tenant: int = 2
    actions_idle_workers: int = 16
    actions_fetch_timeout_seconds: float = 10.0
    actions_fetch_max_bytes: int = 1024 * 1024
    # Lets an Action's fetch reach loopback, link-local and private addresses (SSRF protection off).
    actions_fetch_allow_private: bool = False
    # A folder of installed npm packages (a node_modules directory) where Action dependencies are looked up
    # first at deploy time; what is not there is installed from the npm registry with `npm`.
    actions_npm_folder: str | None = None
    # Python *source* hooks attached to a tenant run inside the server's process: this setting trusts every
    # tenant admin with the whole server. Off, such hooks are refused at deploy and fail closed at run time.
    trust_tenant_python: bool = False
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
    # A request head (request line and headers) larger than this is answered 431 and the connection closed.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    # Seconds a client has to send a request's head and body, from its first byte; slower senders are
    # answered 408 and disconnected. Also how long an opened connection may stay silent.
    request_timeout_seconds: float = Field(default=20.0, gt=0)
    # Prometheus metrics on their own listener (never on a tenant's domain); 0 = no metrics.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # An empty value (`OSTIARY_DATABASE_URL=` as in .env.example) means the default.
        return async_database_url(url) if url.strip() else default_database_url()

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
