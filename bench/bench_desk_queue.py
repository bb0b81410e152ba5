"""The desk's queue with a million cases: latency of `GET /api/cases` on PostgreSQL.

Loads N cases (default 1,000,000) and one alert per case with COPY into a throwaway PostgreSQL
cluster (tests/postgres.py; or `--db URL` of an empty database), migrated by the desk's own
Alembic migrations, ANALYZEs, then times the queue through the real API (FastAPI, bearer-token
auth, the same `list_cases` the pages use), each query `--runs` times after one warm-up:

  - open queue:     GET /api/cases?status=open&limit=50  (filter + default ordering + total)
  - default queue:  GET /api/cases?limit=50              (every case, most severe then oldest)
  - one rule:       GET /api/cases?status=open&rule=OFAC-SDN&limit=50

The mix: 10% open, 2% escalated, 1% pending approval, the rest closed, released or blocked;
severities 5% critical, 25% high, 50% medium, 20% low; opened over the past year; five rules.
Prints p50/p95 per query and the execution time of its SQL (EXPLAIN ANALYZE); asserts nothing.

    python -m bench.bench_desk_queue [--cases 1000000] [--runs 50] [--db URL]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import text

from desk.api import create_app
from desk.auth import create_token
from desk.db.engine import open_database, redact
from tests.postgres import create_database, postgres_bin, throwaway_cluster

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = ("OFAC-SDN", "CBI-USD-BAN", "MILITIA-FRONT", "IRAN-NEXUS", "UN-SANCTIONS")
SEVERITIES = (("critical", 4, 0.05), ("high", 3, 0.25), ("medium", 2, 0.50), ("low", 1, 0.20))
STATUSES = (
    ("open", 0.10),
    ("escalated", 0.02),
    ("pending_approval", 0.01),
    ("closed", 0.77),
    ("released", 0.07),
    ("blocked", 0.03),
)
QUERIES = (
    ("open queue", "/api/cases?status=open&limit=50"),
    ("default queue", "/api/cases?limit=50"),
    ("open, one rule", "/api/cases?status=open&rule=OFAC-SDN&limit=50"),
)


EXPLAINED = (
    (
        "open page",
        "SELECT * FROM cases WHERE status = 'open' "
        "ORDER BY severity_rank DESC, opened_at, id LIMIT 50",
    ),
    ("open total", "SELECT count(*) FROM cases WHERE status = 'open'"),
    ("default page", "SELECT * FROM cases ORDER BY severity_rank DESC, opened_at, id LIMIT 50"),
    ("default total", "SELECT count(*) FROM cases"),
    (
        "rule total",
        "SELECT count(*) FROM cases WHERE status = 'open' AND id IN "
        "(SELECT case_id FROM alerts WHERE rule = 'OFAC-SDN')",
    ),
)


class NoBroker:
    def publish(self, topic: str, key: bytes, value: bytes) -> None:
        raise ConnectionError("the queue benchmark sends nothing")


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    if postgres_bin() is None:
        raise SystemExit("PostgreSQL is not installed: bash deploy/install-system-deps.sh desk")
    with throwaway_cluster() as server:
        yield create_database(server)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def load(url: str, count: int, seed: int = 7) -> float:
    """COPY `count` cases and one alert each; returns the seconds it took (ANALYZE included)."""
    import psycopg

    rng = random.Random(seed)
    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    case_columns = (
        "id, payment_id, status, severity, severity_rank, disposition, decision, opened_at, "
        "updated_at, debtor_name, creditor_name, debtor_agent_bic, creditor_agent_bic, amount, "
        "currency, value_date, payment_json"
    )
    alert_columns = "alert_id, case_id, rule, action, severity, raised_at, received_at, alert_json"
    severity_weights = [w for _, _, w in SEVERITIES]
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY cases ({case_columns}) FROM STDIN") as copy:
            for n in range(1, count + 1):
                severity, rank, _ = rng.choices(SEVERITIES, weights=severity_weights)[0]
                status = _pick(rng, STATUSES)
                opened = NOW - timedelta(seconds=rng.randrange(365 * 86400))
                disposition = "false_positive" if status == "closed" else None
                copy.write_row(
                    (
                        n,
                        f"PAY-{n:08d}",
                        status,
                        severity,
                        rank,
                        disposition,
                        "review",
                        opened,
                        opened,
                        f"Debtor {n % 5000} Trading",
                        f"Creditor {n % 7000} LLC",
                        "BABIIQBA",
                        "EBILAEAD",
                        "9500.00",
                        "USD",
                        opened.date(),
                        orjson.dumps(
                            {"payment_id": f"PAY-{n:08d}", "amount": "9500.00", "currency": "USD"}
                        ).decode(),
                    )
                )
        with cur.copy(f"COPY alerts ({alert_columns}) FROM STDIN") as copy:
            for n in range(1, count + 1):
                rule = RULES[n % len(RULES)]
                raised = NOW - timedelta(seconds=n % 86400)
                copy.write_row(
                    (
                        f"{n:032x}",
                        n,
                        rule,
                        "review",
                        "high",
                        raised,
                        raised,
                        orjson.dumps({"rule": rule, "findings": []}).decode(),
                    )
                )
        cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), %s)", (count,))
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE cases")
        conn.execute("VACUUM ANALYZE alerts")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", default=None, help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    with database(args.db) as url:
        engine, sessions = open_database(url)
        try:
            seconds = load(url, args.cases)
            print(
                f"database: {redact(url)}; loaded {args.cases:,} cases + alerts in {seconds:.0f} s"
            )
            with sessions.begin() as session:
                token = create_token(session, "bench", "auditor")
            headers = {"Authorization": f"Bearer {token}"}
            client = TestClient(create_app(sessions, NoBroker(), clock=lambda: NOW))
            for name, path in QUERIES:
                answer = client.get(path, headers=headers)
                assert answer.status_code == 200, answer.text
                total = answer.json()["total"]
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    client.get(path, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                print(
                    f"{name:15} {path:48} total {total:>9,}  p50 {statistics.median(times):6.1f} ms"
                    f"  p95 {percentile(times, 0.95):6.1f} ms  ({args.runs} runs)"
                )
            with engine.connect() as conn:
                for name, sql in EXPLAINED:
                    plan = conn.execute(text(f"EXPLAIN ANALYZE {sql}")).scalars().all()
                    print(f"{name}: {plan[-1].strip()}; {plan[0].strip()[:90]}")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
