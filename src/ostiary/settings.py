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
