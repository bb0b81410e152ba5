"""The desk's queue with a million cases: latency of `GET /api/cases` and `/queue` on PostgreSQL.

Loads N cases (default 1,000,000) and their alerts with COPY into a throwaway PostgreSQL
cluster (tests/postgres.py; or `--db URL` of an empty database), migrated by the desk's own
Alembic migrations (their triggers fill the rule rows and counters during the COPY), ANALYZEs,
then times the queue through the real API (FastAPI, bearer-token auth, the same `list_cases`
the pages use) and the queue page (session cookie), each query `--runs` times after one
warm-up: the documented filters alone and mixed (status, severity, rule, bank, assignee,
dates) and the search box (payment id, UETR, party).

The mix: 10% open, 2% escalated, 1% pending approval, the rest closed, released or blocked;
severities 5% critical, 25% high, 50% medium, 20% low; opened over the past year; five rules
(one alert each) and a sixth, rare rule on 0.5% of the cases; debtor agents from 12 banks
(one with 40% of the cases, one with 0.1%); 30% of the waiting cases assigned to one of five
analysts. Prints p50/p95 per query and the execution time of some SQL (EXPLAIN ANALYZE);
asserts nothing.

    python -m bench.bench_desk_queue [--cases 1000000] [--runs 30] [--db URL]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import text

from desk.api import create_app
from desk.auth import add_user, create_token
from desk.db.engine import open_database, redact
from tests.postgres import create_database, postgres_bin, throwaway_cluster

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = ("OFAC-SDN", "CBI-USD-BAN", "MILITIA-FRONT", "IRAN-NEXUS", "UN-SANCTIONS")
RARE_RULE = "OFAC-NONSDN"
# (severity, rank as desk.cases.SEVERITY_RANK gives it, share)
SEVERITIES = (("critical", 3, 0.05), ("high", 2, 0.25), ("medium", 1, 0.50), ("low", 0, 0.20))
STATUSES = (
    ("open", 0.10),
    ("escalated", 0.02),
    ("pending_approval", 0.01),
    ("closed", 0.77),
    ("released", 0.07),
    ("blocked", 0.03),
)
WAITING = ("open", "escalated", "pending_approval")
# debtor agents: one big bank, a long tail, one very small one
BANKS = (
    ("RAFBIQBA", 0.40),
    ("BABIIQBA", 0.15),
    ("INIBIQBA", 0.10),
    ("AIBIIQBA", 0.08),
    ("TRIQIQBA", 0.07),
    ("CBIQIQBA", 0.06),
    ("GLBIIQBA", 0.05),
    ("NIBIIQBA", 0.04),
    ("ASHOIQBA", 0.03),
    ("MNSBIQBA", 0.015),
    ("KURDIQBA", 0.004),
    ("QBIQIQBA", 0.001),
)
ANALYSTS = ("amal", "bashir", "dalia", "hadi", "noor")
PASSWORD = "bench passphrase 1"
PROBE_CASE = 424_242
"""The case whose payment id and UETR the searches look for."""


def _uetr(n: int) -> str:
    return str(uuid.UUID(int=n * 7919 + 12345, version=4))


QUERIES = (
    ("open queue", "/api/cases?status=open&limit=50"),
    ("default queue", "/api/cases?limit=50"),
    ("open, one rule", "/api/cases?status=open&rule=OFAC-SDN&limit=50"),
    ("one rule", "/api/cases?rule=MILITIA-FRONT&limit=50"),
    ("rare rule", f"/api/cases?rule={RARE_RULE}&limit=50"),
    ("open, rare rule, high", f"/api/cases?status=open&rule={RARE_RULE}&severity=high&limit=50"),
    ("severity", "/api/cases?severity=critical&limit=50"),
    ("open, severity", "/api/cases?status=open&severity=medium&limit=50"),
    ("page 20 of open", "/api/cases?status=open&limit=50&offset=950"),
    ("big bank", "/api/cases?status=open&bank=RAFBIQBA&limit=50"),
    ("small bank", "/api/cases?bank=QBIQIQBA&limit=50"),
    ("assignee", "/api/cases?assignee=dalia&limit=50"),
    ("open, assignee", "/api/cases?status=open&assignee=dalia&limit=50"),
    (
        "last 7 days",
        "/api/cases?opened_from=" + quote((NOW - timedelta(days=7)).isoformat()) + "&limit=50",
    ),
    (
        "open, rule, March",
        "/api/cases?status=open&rule=OFAC-SDN&opened_from="
        + quote(datetime(2026, 3, 1, tzinfo=UTC).isoformat())
        + "&opened_to="
        + quote(datetime(2026, 4, 1, tzinfo=UTC).isoformat())
        + "&limit=50",
    ),
    ("payment id", f"/api/cases?payment_id=PAY-{PROBE_CASE:08d}&limit=50"),
    ("UETR", f"/api/cases?uetr={_uetr(PROBE_CASE)}&limit=50"),
    ("party, one debtor", "/api/cases?party=Debtor%204242%20Trading&limit=50"),
    ("party, absent", "/api/cases?party=Nowhere%20Holdings&limit=50"),
    ("party, common word", "/api/cases?party=trading&limit=50"),
)
PAGES = (
    ("page: open queue", "/queue?status=open"),
    ("page: default queue", "/queue"),
    ("page: open, one rule", "/queue?status=open&rule=OFAC-SDN"),
    ("page: search party", "/queue?q=Debtor%204242%20Trading"),
    ("page: search UETR", f"/queue?q={_uetr(PROBE_CASE)}"),
)


EXPLAINED = (
    (
        "open page",
        "SELECT * FROM cases WHERE status = 'open' "
        "ORDER BY severity_rank DESC, opened_at, id LIMIT 50",
    ),
    ("open total (count)", "SELECT count(*) FROM cases WHERE status = 'open'"),
    ("default total (count)", "SELECT count(*) FROM cases"),
    (
        "rule total (count)",
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


def load(url: str, count: int, users: dict[str, int], seed: int = 7) -> float:
    """COPY `count` cases and their alerts; returns the seconds it took (ANALYZE included)."""
    import psycopg

    rng = random.Random(seed)
    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    case_columns = (
        "id, payment_id, status, severity, severity_rank, disposition, decision, opened_at, "
        "updated_at, debtor_name, creditor_name, debtor_agent_bic, creditor_agent_bic, amount, "
        "currency, value_date, uetr, assignee_id, payment_json"
    )
    alert_columns = "alert_id, case_id, rule, action, severity, raised_at, received_at, alert_json"
    severity_weights = [w for _, _, w in SEVERITIES]
    analysts = [users[name] for name in ANALYSTS]
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY cases ({case_columns}) FROM STDIN") as copy:
            for n in range(1, count + 1):
                severity, rank, _ = rng.choices(SEVERITIES, weights=severity_weights)[0]
                status = _pick(rng, STATUSES)
                opened = NOW - timedelta(seconds=rng.randrange(365 * 86400))
                disposition = "false_positive" if status == "closed" else None
                assignee = (
                    rng.choice(analysts) if status in WAITING and rng.random() < 0.3 else None
                )
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
                        _pick(rng, BANKS),
                        "EBILAEAD",
                        "9500.00",
                        "USD",
                        opened.date(),
                        _uetr(n),
                        assignee,
                        orjson.dumps(
                            {"payment_id": f"PAY-{n:08d}", "amount": "9500.00", "currency": "USD"}
                        ).decode(),
                    )
                )
        with cur.copy(f"COPY alerts ({alert_columns}) FROM STDIN") as copy:
            for n in range(1, count + 1):
                rules = [RULES[n % len(RULES)]] + ([RARE_RULE] if n % 200 == 0 else [])
                raised = NOW - timedelta(seconds=n % 86400)
                for k, rule in enumerate(rules):
                    copy.write_row(
                        (
                            f"{n:031x}{k}",
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
        tables = ["cases", "alerts"]
        if conn.execute("SELECT to_regclass('case_rules')").fetchone() != (None,):
            tables.append("case_rules")
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time(client: TestClient, path: str, runs: int, **kwargs: object) -> tuple[str, list[float]]:
    answer = client.get(path, **kwargs)
    assert answer.status_code == 200, answer.text[:300]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, **kwargs)
        times.append((time.perf_counter() - started) * 1000)
    if path.startswith("/api/"):
        body = answer.json()
        exact = "" if body.get("total_exact", True) else "+"
        return f"{body['total']:,}{exact}", times
    found = re.search(r"<small>([\d,]+\+?) case", answer.text)
    return (found.group(1) if found else "?"), times


def _login(client: TestClient) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no login form"
    answer = client.post(
        "/login", data={"name": "samir", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", default=None, help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    with database(args.db) as url:
        engine, sessions = open_database(url)
        try:
            with sessions.begin() as session:
                users = {name: add_user(session, name, "analyst", None).id for name in ANALYSTS}
                add_user(session, "samir", "supervisor", PASSWORD)
                token = create_token(session, "bench", "auditor")
            seconds = load(url, args.cases, users)
            print(
                f"database: {redact(url)}; loaded {args.cases:,} cases + alerts in {seconds:.0f} s"
            )
            headers = {"Authorization": f"Bearer {token}"}
            app = create_app(sessions, NoBroker(), clock=lambda: NOW)
            client = TestClient(app)
            for name, path in QUERIES:
                total, times = _time(client, path, args.runs, headers=headers)
                print(
                    f"{name:22} total {total:>10}  p50 {statistics.median(times):6.1f} ms"
                    f"  p95 {percentile(times, 0.95):6.1f} ms  {path}"
                )
            with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
                _login(web)
                for name, path in PAGES:
                    total, times = _time(web, path, args.runs)
                    print(
                        f"{name:22} total {total:>10}  p50 {statistics.median(times):6.1f} ms"
                        f"  p95 {percentile(times, 0.95):6.1f} ms  {path}"
                    )
            with engine.connect() as conn:
                for name, sql in EXPLAINED:
                    plan = conn.execute(text(f"EXPLAIN ANALYZE {sql}")).scalars().all()
                    print(f"{name}: {plan[-1].strip()}; {plan[0].strip()[:90]}")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
