"""Every benchmark in bench/, one table: ``.venv/bin/python -m bench [--quick] [--postgres URL]``.

- /action update and /action outstanding over signed HTTP against the production web process,
  at several concurrencies, against a bare slack-bolt App on the same server (bench.http);
- the digest build and the nudge sweep at 1,000 / 10,000 / 100,000 actions against a bare
  SELECT of the same rows (bench.sweep_digest);
- SQL statements per command and per sweep, and the web process's peak memory;
- outstanding, mine and list against their SQL floor at 10,000 and 150,000 actions, and the web
  process's memory under 32 concurrent listings (bench.listings).

SQLite always; PostgreSQL too with --postgres (each run in a throwaway schema). The table is
printed and written as JSON (bench/results/bench.json unless --json says otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import acks, http, listings, sweep_digest
from bench.http import Row

SWEEP_SIZES = (1_000, 10_000, 100_000)
QUICK_SWEEP_SIZES = (100, 300)


def sweep_rows(backend: str, postgres: str | None, sizes: tuple[int, ...], repeat: int) -> list[Row]:
    """The digest and the sweep at each size, as table rows, with the bare SELECT they are compared to."""
    rows = []
    for size in sizes:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                result = sweep_digest.measure(f"sqlite:///{Path(folder) / 'bench.db'}", size, repeat)
        else:
            url, drop = sweep_digest.postgres_schema(postgres or "")
            try:
                result = sweep_digest.measure(url, size, repeat)
            finally:
                drop()
        select_ms = result["bare_select_s"] * 1000
        baseline = f"bare SELECT {select_ms:.1f} ms"
        claims_ms, commits_ms = result["claims_s"] * 1000, result["commits_s"] * 1000
        floor_ms = select_ms + commits_ms
        rows += [
            Row(backend, "bare SELECT of every action", size, p50_ms=round(select_ms, 1), ratio=1.0),
            Row(backend, "digest build", size, p50_ms=round(result["digest_s"] * 1000, 1),
                ratio=result["digest_ratio"], baseline=baseline, statements=result["digest_statements"]),
            Row(backend, f"nudge sweep ({result['reminders']} reminders)", size,
                p50_ms=round(result["sweep_s"] * 1000, 1), ratio=result["sweep_ratio"], baseline=baseline,
                statements=result["sweep_statements"]),
            Row(backend, "sweep over its exactly-once floor", size, p50_ms=round(result["sweep_s"] * 1000, 1),
                ratio=result["sweep_over_floor"],
                baseline=f"bare SELECT + one durable commit per message {floor_ms:.1f} ms"),
            # What no sweep keeping the ledger's promise goes below: the bare SELECT, the claims stored under
            # their unique key, one durable commit per message.
            Row(backend, "exactly-once floor alone", size, p50_ms=round(floor_ms + claims_ms, 1),
                ratio=result["floor_ratio"],
                baseline=f"{baseline} + claims {claims_ms:.1f} + commits {commits_ms:.1f} ms"),
        ]  # fmt: skip
        print(f"[{backend}] sweep and digest at {size} actions done", file=sys.stderr, flush=True)
    return rows


COLUMNS = [
    ("backend", "backend", 10),
    ("what", "what", 32),
    ("actions", "actions", 7),
    ("concurrency", "c", 3),
    ("requests", "n", 4),
    ("p50_ms", "p50 ms", 8),
    ("p99_ms", "p99 ms", 8),
    ("per_s", "per s", 7),
    ("ratio", "ratio", 6),
    ("statements", "SQL", 5),
    ("peak_mb", "peak MB", 7),
    ("errors", "errors", 6),
    ("baseline", "ratio to", 0),
]


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table, one measurement a line."""

    def cell(value: Any, width: int, name: str) -> str:
        text = "" if value is None else (f"{value}x" if name == "ratio" else str(value))
        return text.ljust(width) if name in ("backend", "what", "baseline") else text.rjust(width)

    lines = ["  ".join(cell(title, width, "what") for _, title, width in COLUMNS)]
    for row in rows:
        values = asdict(row)
        lines.append("  ".join(cell(values[name], width, name) for name, _, width in COLUMNS))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a small smoke run (seconds, not minutes)")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (a throwaway schema is used)")
    parser.add_argument("--json", default="bench/results/bench.json", help="where to write the table as JSON")
    parser.add_argument("--repeat", type=int, help="runs of each sweep and digest (median): default 3, quick 1")
    parser.add_argument("--only", choices=["http", "sweep", "acks", "listings"], help="run one part only")
    args = parser.parse_args(argv)
    plan = http.QUICK if args.quick else http.FULL
    sizes = QUICK_SWEEP_SIZES if args.quick else SWEEP_SIZES
    repeat = args.repeat or (1 if args.quick else 3)
    started = datetime.now(UTC)
    rows: list[Row] = []
    for backend, url in [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else []):
        if args.only in (None, "acks"):  # the cheap ack under 16/32/64 slow commands in flight (bench.acks)
            rows += acks.run(
                backend,
                url,
                acks.QUICK_ACKS if args.quick else acks.FULL,
                say=lambda line: print(line, file=sys.stderr, flush=True),
            )
        if args.only in (None, "http"):
            rows += http.run(backend, url, plan, say=lambda line: print(line, file=sys.stderr, flush=True))
        if args.only in (None, "sweep"):
            rows += sweep_rows(backend, url, sizes, repeat)
        if args.only in (None, "listings"):
            rows += listings.rows(backend, url, args.quick, say=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(rows))
    output = Path(args.json)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "started": started.isoformat(timespec="seconds"),
                "seconds": round((datetime.now(UTC) - started).total_seconds()),
                "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
                "machine": machine(),
                "columns": {name: title for name, title, _ in COLUMNS} | {f.name: f.name for f in fields(Row)},
                "rows": [asdict(row) for row in rows],
            },
            indent=2,
        )
    )
    print(f"\nwritten to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
