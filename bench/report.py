"""The one table `make bench` prints, and the same as JSON under bench/results/<timestamp>.json."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.scenarios import Outcome

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Ceilings:
    rs256_per_s: float = 0.0
    es256_per_s: float = 0.0
    argon2_per_s: float = 0.0
    constant_rps: float = 0.0
    constant_p99_ms: float = 0.0
    processes: int = 2
    samples: list[dict[str, float]] = field(default_factory=list)

    def add(self, sample: dict[str, float], *, processes: int) -> None:
        """One measurement (start or end of the run); the fields hold the mean of all so far."""
        self.processes = processes
        self.samples.append(sample)
        for name in sample:
            setattr(self, name, sum(s[name] for s in self.samples) / len(self.samples))


@dataclass
class Report:
    settings: dict[str, Any]
    ceilings: Ceilings = field(default_factory=Ceilings)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def peer(self, key: str, backend: str) -> Outcome | None:
        """The peer's run of this scenario made right beside Ostiary's on this backend."""
        return next((o for o in self.outcomes if o.target == "oidc-provider" and o.key == key and o.result
                     and o.backend == f"memory ({backend})"), None)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for o in self.outcomes:
            row: dict[str, Any] = {"scenario": o.key, "target": o.target, "backend": o.backend}
            if o.result is None:
                row["status"] = o.unavailable or "not run"
                out.append(row)
                continue
            r = o.result
            row.update(
                status="ok", requests_per_s=round(r.requests_per_s, 1), p50_ms=round(r.p50_ms, 2),
                p99_ms=round(r.p99_ms, 2), requests=r.requests, non_2xx=r.non_2xx, errors_5xx=r.errors_5xx,
                socket_errors=r.socket_errors, signatures_per_request=o.signatures_per_request,
            )
            peer = self.peer(o.key.split(" @")[0], o.backend) if o.target == "ostiary" else None
            if peer and peer.result:
                row["vs_oidc_provider"] = round(r.requests_per_s / peer.result.requests_per_s, 3)
                row["p99_vs_oidc_provider"] = round(r.p99_ms / peer.result.p99_ms, 3) if peer.result.p99_ms else None
            if o.scenario == "password_realm" and self.ceilings.argon2_per_s:
                row["of_hash_rate"] = round(r.requests_per_s / self.ceilings.argon2_per_s, 3)
            elif o.signatures_per_request and self.ceilings.rs256_per_s:
                row["of_signing_ceiling"] = round(r.requests_per_s / self.ceilings.rs256_per_s, 3)
                # The share of the machine's signing capacity the responses' signatures use: a scenario with
                # two signatures a request cannot exceed 50% in the column above, but can reach 100% here.
                row["signing_share"] = round(
                    r.requests_per_s * o.signatures_per_request / self.ceilings.rs256_per_s, 3
                )
            if o.rows_delta is not None:
                row["rows"] = {"refresh_tokens_added": o.rows_delta.refresh_tokens,
                               "codes_consumed": o.rows_delta.codes_consumed, "tokens_issued": r.total_2xx,
                               "match": o.rows_ok}
            if r.note:
                row["first_error"] = r.note[:300]
            out.append(row)
        return out

    def table(self) -> str:
        c = self.ceilings
        head = [
            f"Ceilings ({c.processes} processes, mean of {len(c.samples)}):"
            f" RS256 {c.rs256_per_s:,.0f} sig/s · ES256 {c.es256_per_s:,.0f} sig/s"
            f" · argon2id {c.argon2_per_s:,.1f} verify/s · constant ASGI endpoint {c.constant_rps:,.0f} req/s"
            f" (p99 {c.constant_p99_ms:.1f} ms)",
            "",
        ]
        cols = ["scenario", "target", "backend", "req/s", "p50 ms", "p99 ms", "errors", "5xx", "vs peer",
                "of ceiling", "sig share", "rows"]
        lines = []
        for row in self.rows():
            if row["status"] != "ok":
                lines.append([row["scenario"], row["target"], row["backend"], " ".join(row["status"].split())[:160]])
                continue
            ceiling = row.get("of_signing_ceiling")
            ceiling_text = f"{ceiling:.0%}" if ceiling is not None else ""
            if "of_hash_rate" in row:
                ceiling_text = f"{row['of_hash_rate']:.0%} hash"
            rows = row.get("rows")
            lines.append([
                row["scenario"], row["target"], row["backend"], f"{row['requests_per_s']:,.0f}",
                f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}", str(row["non_2xx"] + row["socket_errors"]),
                str(row["errors_5xx"]),
                f"{row['vs_oidc_provider']:.2f}x" if "vs_oidc_provider" in row else "",
                ceiling_text,
                f"{row['signing_share']:.0%}" if "signing_share" in row else "",
                "" if rows is None else ("match" if rows["match"] else
                                         f"MISMATCH {rows['refresh_tokens_added']}/{rows['tokens_issued']}"),
            ])
        widths = [max([len(cols[i]), *(len(line[i]) for line in lines if len(line) == len(cols) or i < 3)])
                  for i in range(len(cols))]
        fmt = [" | ".join(c.ljust(widths[i]) for i, c in enumerate(cols))]
        fmt.append("-+-".join("-" * w for w in widths))
        for line in lines:
            if len(line) == 4:
                fmt.append(" | ".join(c.ljust(widths[i]) for i, c in enumerate(line[:3])) + " | " + line[3])
            else:
                fmt.append(" | ".join(c.ljust(widths[i]) for i, c in enumerate(line)))
        return "\n".join(head + fmt + ["", *self.notes])

    def write(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        path = RESULTS / f"{stamp}.json"
        data = {
            "measured_at": stamp, "machine": {"cpus": _cpus(), "python": platform.python_version()},
            "settings": self.settings, "ceilings": asdict(self.ceilings), "rows": self.rows(), "notes": self.notes,
        }
        path.write_text(json.dumps(data, indent=2))
        return path


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
