"""`python -m bench.users_import [--users N] [--backends sqlite,postgres]`: users/s of `ostiary users import`
for a file of N users with bcrypt hashes (stored as given: no hashing at import), from parsing the file to the
last commit. Each backend gets a fresh migrated database (PostgreSQL: created here and dropped after).

Issue 16's target: 100,000 users at >= 5,000 users/s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import tempfile
import time
from pathlib import Path

import asyncpg
import bcrypt

from ostiary.admin import bulk_users, users_import
from ostiary.admin.provision import provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from ostiary.store import migrate

CONNECTION = "Username-Password-Authentication"
MASTER_KEY = "bench-master-key-bench-master-key-0123456789"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def write_file(path: Path, users: int) -> None:
    """Real bcrypt hashes (cost 10, as Auth0 makes them); 64 distinct ones reused, since making 100,000
    would take the machine minutes and the import never computes them anyway."""
    pool = [bcrypt.hashpw(f"pw-{i}".encode(), bcrypt.gensalt(rounds=10)).decode() for i in range(64)]
    records = [
        {"email": f"user{i}@bench.example", "email_verified": i % 2 == 0, "user_id": f"{i:024x}",
         "given_name": "Bench", "family_name": f"User {i}", "name": f"Bench User {i}",
         "app_metadata": {"plan": "gold", "n": i}, "user_metadata": {"lang": "en"}, "password_hash": pool[i % 64]}
        for i in range(users)
    ]
    path.write_text(json.dumps(records))


async def run(url: str, text: str) -> tuple[int, float]:
    settings = Settings(database_url=url, master_key=MASTER_KEY, _env_file=None)  # type: ignore[call-arg]
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name="bench", domains=["bench.example"])
        await admin.repos(tenant).connections.create(name=CONNECTION, strategy="auth0")
    started = time.perf_counter()
    records = bulk_users.parse_records(text)
    async with admin_session(settings) as admin:
        summary = await users_import.import_users(admin, "bench", CONNECTION, records)
    assert summary.inserted == len(records) and summary.failed == 0, summary.failures[:3]
    return summary.inserted, time.perf_counter() - started


async def pg_database(action: str, name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'{action} DATABASE "{name}"')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "users.json"
        write_file(path, args.users)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite+aiosqlite:///{tmp}/bench.db"
                migrate.upgrade(url)
                count, seconds = asyncio.run(run(url, path.read_text()))
            else:
                name = f"bench_users_{secrets.token_hex(4)}"
                asyncio.run(pg_database("CREATE", name))
                try:
                    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
                    migrate.upgrade(url)
                    count, seconds = asyncio.run(run(url, path.read_text()))
                finally:
                    asyncio.run(pg_database("DROP", name))
            print(f"{backend:9} {count:>8} users in {seconds:6.2f} s = {count / seconds:>8,.0f} users/s")


if __name__ == "__main__":
    main()
