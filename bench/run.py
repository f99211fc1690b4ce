"""`make bench` / `python -m bench.run`: ceilings, the peer, then Ostiary on each backend; one table + JSON."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bench import ceilings, server
from bench.load import run_wrk
from bench.report import Report
from bench.scenarios import (
    Outcome,
    Target,
    authorization_code,
    client_credentials,
    management_users,
    metadata,
    password_realm,
    refresh_token,
    token_exchange_apple,
    userinfo,
)
from bench.seed import (
    BUNDLE_ID,
    DOMAIN,
    RBAC_API,
    Seeded,
    bind_js_action,
    extend_codes,
    filler_email,
    issue_refresh_tokens,
    management_token,
    row_counts,
    seed,
    seed_filler_refresh_tokens,
    seed_filler_users,
    spec,
    write_yaml,
)
from ostiary.settings import Settings

SCENARIOS = ("client_credentials", "authorization_code", "refresh_token", "refresh_token_rbac",
             "refresh_token_js_action", "password_realm", "token_exchange_apple", "userinfo", "jwks", "discovery",
             *management_users.SCENARIOS)
MASTER_KEY = "YmVuY2gtbWFzdGVyLWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY3ODk"  # urlsafe-base64, 38 bytes (serve wants >= 32)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__)
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario")
    p.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds before each measurement")
    p.add_argument("--connections", type=int, default=64, help="concurrent connections / virtual users")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (Ostiary and the peer)")
    p.add_argument("--backends", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of " + ", ".join(SCENARIOS))
    p.add_argument("--no-peer", action="store_true", help="skip oidc-provider")
    p.add_argument("--no-ceilings", action="store_true", help="skip the ceilings (quick iterations only)")
    p.add_argument("--seed-refresh-tokens", type=int, default=1000,
                   help="stored refresh tokens (filler rows) before the scenarios run")
    p.add_argument("--scale-to", type=int, default=0,
                   help="then top the stored refresh tokens up to N and run refresh_token and authorization_code "
                        "again (e.g. 1000000)")
    p.add_argument("--codes", type=int, default=6000, help="authorization codes minted before the exchange runs")
    p.add_argument("--users", type=int, default=8, help="database users (password-realm cycles through them)")
    p.add_argument("--mgmt-users", type=int, default=100_000,
                   help="stored users (filler rows) before the Management API user scenarios run")
    p.add_argument("--profile", metavar="SCENARIO", default="",
                   help="record a py-spy flame graph of one Ostiary worker during SCENARIO (bench/results/)")
    return p.parse_args(argv)


def measure_ceilings(report: Report, args: argparse.Namespace, log_dir: Path) -> None:
    print(f"ceilings: signing and hashing with {args.workers} processes ...", flush=True)
    sample = {
        "rs256_per_s": ceilings.signatures_per_second("RS256", processes=args.workers),
        "es256_per_s": ceilings.signatures_per_second("ES256", processes=args.workers),
        "argon2_per_s": ceilings.password_verifications_per_second(processes=args.workers),
    }
    print("ceilings: constant-response endpoint ...", flush=True)
    with server.constant_app(workers=args.workers, log_dir=log_dir) as app:
        result = run_wrk(f"http://127.0.0.1:{app.port}/", duration=args.duration, connections=args.connections,
                         warmup=args.warmup)
    sample.update(constant_rps=result.requests_per_s, constant_p99_ms=result.p99_ms)
    report.ceilings.add(sample, processes=args.workers)


@contextmanager
def peer_target(report: Report, args: argparse.Namespace, log_dir: Path) -> Iterator[Target | None]:
    """oidc-provider, running for the whole run so each of its scenarios runs right beside Ostiary's."""
    reason = "skipped (--no-peer)" if args.no_peer else server.install_peer()
    if reason is not None:
        report.notes.append(f"oidc-provider: {reason}; Ostiary's figures stand alone.")
        yield None
        return
    with server.peer(workers=args.workers, log_dir=log_dir) as peer:
        yield Target(
            name="oidc-provider", backend="memory", port=peer.port, host_header=f"127.0.0.1:{peer.port}",
            duration=args.duration, warmup=args.warmup, connections=args.connections,
            worker_ports=[peer.port + 1 + i for i in range(args.workers)],
        )


PEER_RUNS: dict[str, Callable[[Target], Outcome]] = {
    "client_credentials": client_credentials.run,
    "refresh_token": refresh_token.run,
}


def run_peer_beside(report: Report, peer: Target | None, name: str, backend: str) -> None:
    """The peer's run of a scenario, just before Ostiary's on `backend` (ratios compare neighbours)."""
    if peer is None or name not in PEER_RUNS:
        return
    print(f"oidc-provider (beside {backend}): {name} ...", flush=True)
    outcome = PEER_RUNS[name](peer)
    outcome.backend = f"memory ({backend})"
    report.outcomes.append(outcome)


@contextmanager
def fake_apple(log_dir: Path) -> Iterator[dict[str, Any]]:
    port = server.free_port()
    argv = [sys.executable, "-m", "bench.fake_apple", str(port)]
    with server.running("fake-apple", argv, port=port, env={}, log_dir=log_dir, ready_path="/auth/keys"):
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        base = f"http://127.0.0.1:{port}"
        yield {
            "client_id": BUNDLE_ID, "team_id": "BENCHTEAM1", "kid": "BENCHKEY01", "app_secret": pem,
            "token_endpoint": f"{base}/auth/token", "jwks_uri": f"{base}/auth/keys", "issuer": base,
        }


def _server_errors(log: str) -> int:
    return log.count("server error response")


def run_backend(
    report: Report, args: argparse.Namespace, backend: str, wanted: set[str], apple: dict[str, Any], log_dir: Path,
    peer: Target | None,
) -> None:
    workdir = server.workdir()
    with server.database(backend, workdir) as url:
        env = server.ostiary_env(url, MASTER_KEY)
        server.migrate(env)
        settings = Settings(database_url=url, master_key=MASTER_KEY, public_scheme="http")
        data = spec(users=args.users, apple=apple)
        seeded: Seeded = asyncio.run(seed(settings, data, yaml_path=write_yaml(data, workdir / "tenant.yaml")))
        started = time.monotonic()
        asyncio.run(seed_filler_refresh_tokens(settings, seeded, args.seed_refresh_tokens))
        report.notes.append(f"{backend}: seeded {args.seed_refresh_tokens:,} stored refresh tokens in "
                            f"{time.monotonic() - started:.1f} s")
        mgmt_token = ""
        if wanted & set(management_users.SCENARIOS):
            started = time.monotonic()
            asyncio.run(seed_filler_users(settings, seeded, args.mgmt_users))
            mgmt_token = asyncio.run(management_token(settings))
            report.notes.append(f"{backend}: seeded {args.mgmt_users:,} stored users in "
                                f"{time.monotonic() - started:.1f} s")
        email = filler_email(max(1, args.mgmt_users // 2))
        with server.ostiary(env, workers=args.workers, log_dir=log_dir, host_header=DOMAIN) as ostiary:
            target = Target(
                name="ostiary", backend=backend, port=ostiary.port, host_header=DOMAIN, duration=args.duration,
                warmup=args.warmup, connections=args.connections, client_ids=seeded.client_ids,
                secrets=seeded.secrets,
                snapshot=lambda: asyncio.run(row_counts(settings, seeded)),
                extra={"mint_refresh_tokens": lambda n: asyncio.run(issue_refresh_tokens(
                    settings, seeded, client="bench-web", count=n, scope="openid offline_access read:things")),
                    "mint_rbac_refresh_tokens": lambda n: asyncio.run(issue_refresh_tokens(
                        settings, seeded, client="bench-web", count=n, audience=RBAC_API,
                        scope="openid offline_access read:things write:things")),
                    "extend_codes": lambda seconds: asyncio.run(extend_codes(settings, seeded, seconds))},
            )
            runs: dict[str, Callable[[], Outcome]] = {
                "client_credentials": lambda: client_credentials.run(target),
                "authorization_code": lambda: authorization_code.run(target, codes=args.codes),
                "refresh_token": lambda: refresh_token.run(target),
                "refresh_token_rbac": lambda: refresh_token.run(target, rbac=True),
                "refresh_token_js_action": lambda: _with_js_action(settings, target),
                "password_realm": lambda: password_realm.run(target, users=args.users),
                "token_exchange_apple": lambda: token_exchange_apple.run(target),
                "userinfo": lambda: userinfo.run(target),
                "jwks": lambda: metadata.run(target, "jwks"),
                "discovery": lambda: metadata.run(target, "discovery"),
                **{name: (lambda name=name: management_users.run(target, name, token=mgmt_token, email=email))
                   for name in management_users.SCENARIOS},
            }
            for name in SCENARIOS:
                if name in wanted:
                    run_peer_beside(report, peer, name, backend)
                    _run_one(report, args, ostiary, name, runs[name], backend)
            if args.scale_to > args.seed_refresh_tokens:
                print(f"{backend}: topping stored refresh tokens up to {args.scale_to:,} ...", flush=True)
                started = time.monotonic()
                asyncio.run(seed_filler_refresh_tokens(settings, seeded, args.scale_to - args.seed_refresh_tokens))
                report.notes.append(f"{backend}: topped up to {args.scale_to:,} stored refresh tokens in "
                                    f"{time.monotonic() - started:.1f} s")
                label = f" @{_short(args.scale_to)}"
                if "refresh_token" in wanted:
                    _run_one(report, args, ostiary, "refresh_token" + label,
                             lambda: refresh_token.run(target, label="refresh_token" + label), backend)
                if "authorization_code" in wanted:
                    _run_one(report, args, ostiary, "authorization_code" + label,
                             lambda: authorization_code.run(target, codes=args.codes,
                                                            label="authorization_code" + label), backend)


def _with_js_action(settings: Settings, target: Target) -> Outcome:
    """refresh_token again with one warm JavaScript post-login Action that sets two claims (then unbound)."""
    asyncio.run(bind_js_action(settings, bound=True))
    time.sleep(settings.cache_ttl_seconds + 1)  # the server's hook list cache
    try:
        return refresh_token.run(target, label="refresh_token +1 JS action")
    finally:
        asyncio.run(bind_js_action(settings, bound=False))
        time.sleep(settings.cache_ttl_seconds + 1)


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def _run_one(
    report: Report, args: argparse.Namespace, ostiary: server.Running, name: str, run: Callable[[], Outcome],
    backend: str,
) -> None:
    print(f"{backend}: {name} ...", flush=True)
    errors_before = _server_errors(ostiary.log())
    spy = _start_profile(ostiary, name) if args.profile == name else None
    outcome = run()
    if spy is not None:
        spy.wait(timeout=args.duration + args.warmup + 30)
        report.notes.append(f"profile of {name} on {backend}: {spy.args[3]}")
    if outcome.result is not None:
        outcome.result.errors_5xx = max(outcome.result.errors_5xx, _server_errors(ostiary.log()) - errors_before)
    report.outcomes.append(outcome)


def _start_profile(ostiary: server.Running, name: str) -> subprocess.Popen[bytes] | None:
    from bench.report import RESULTS

    spy = Path(sys.executable).parent / "py-spy"
    workers = ostiary.pids()[1:]
    if not spy.exists() or not workers:
        return None
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"profile-{name}-{workers[-1]}.txt"
    command = [str(spy), "record", "-o", str(out), "--pid", str(workers[-1]), "--duration", "8",
               "--nonblocking", "--rate", "500", "--format", "raw"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    unknown = wanted - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    report = Report(settings={k: v for k, v in vars(args).items()})
    log_dir = server.workdir()
    if not args.no_ceilings:
        measure_ceilings(report, args, log_dir)
    with peer_target(report, args, log_dir) as peer, fake_apple(log_dir) as apple:
        for backend in (b.strip() for b in args.backends.split(",") if b.strip()):
            run_backend(report, args, backend, wanted, apple, log_dir, peer)
    if not args.no_ceilings:
        # Again at the end: the table uses the mean of both, the JSON keeps both (a shared machine drifts).
        measure_ceilings(report, args, log_dir)
    written = report.write()
    print()
    print(report.table())
    print(f"\nJSON: {written}   server logs: {log_dir}")


if __name__ == "__main__":
    main()
