"""`make demo`: a local broker, the topics, a worker and a generator, with a live view.

The worker and broker keep running after the view ends so /metrics can be explored; `make stop`
(or `dinarwatch-demo-stop`, printed at the end) stops both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from kafka import KafkaConsumer
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from streams import topics as names
from streams.admin import create_topics
from streams.kafka_config import kafka_python_security
from streams.producer import make_producer, publish
from streams.settings import Settings
from streams.synthetic.generator import TrafficSpec, generate
from streams.synthetic.renderers import formats_for, renderers

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".demo"


def run_demo(settings: Settings, *, duration: int, rate: float) -> None:
    console = Console()
    STATE.mkdir(exist_ok=True)
    console.print(
        "[bold]1/4[/bold] starting the local Kafka broker (KRaft, jars from Maven Central)..."
    )
    subprocess.run(["bash", str(REPO / "deploy/kafka/kafka-local.sh"), "start"], check=True)
    console.print("[bold]2/4[/bold] creating topics...")
    create_topics(settings)
    console.print("[bold]3/4[/bold] starting the worker...")
    worker_pid = _start_worker(settings)
    console.print(f"[bold]4/4[/bold] generating {int(duration * rate)} payments at {rate:.0f}/s...")
    generator = threading.Thread(target=_generate, args=(settings, duration, rate), daemon=True)
    generator.start()
    _live_view(settings, console, generator, duration)
    console.print(
        f"\nWorker (pid {worker_pid}) and broker are still running.\n"
        f"  metrics:  http://{settings.web_bind}:{settings.web_port}/metrics\n"
        f"  health:   http://{settings.web_bind}:{settings.web_port}/health\n"
        f"  logs:     {STATE / 'worker.log'}\n"
        f"  stop all: make stop"
    )


def _start_worker(settings: Settings) -> int:
    pid_file = STATE / "worker.pid"
    if pid_file.exists():
        _stop_pid(int(pid_file.read_text()))
    log = (STATE / "worker.log").open("ab")
    env = {
        **os.environ,
        "DINARWATCH_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "DINARWATCH_DATA_DIR": str(STATE / "worker-data"),
    }
    exe = Path(sys.executable).with_name("dinarwatch")
    proc = subprocess.Popen(
        [str(exe), "worker"], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    pid_file.write_text(str(proc.pid))
    return proc.pid


def _stop_pid(pid: int) -> None:
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def stop_demo() -> None:
    """Stop the demo worker (broker: deploy/kafka/kafka-local.sh stop)."""
    pid_file = STATE / "worker.pid"
    if pid_file.exists():
        _stop_pid(int(pid_file.read_text()))
        pid_file.unlink()


def _generate(settings: Settings, duration: int, rate: float) -> None:
    spec = TrafficSpec(
        count=int(duration * rate),
        seed=int(time.time()),
        start=datetime.now(UTC),
        spacing=timedelta(seconds=1 / rate),
        violation_rate=0.04,
        malformed_rate=0.01,
        formats=formats_for("mixed"),
        renderers=renderers(),
        max_bytes=settings.max_message_bytes,
        id_prefix="DEMO",
    )
    producer = make_producer(settings)
    try:
        publish(generate(spec), producer, settings.topic(names.RAW), rate)
    finally:
        producer.close()


def _live_view(
    settings: Settings, console: Console, generator: threading.Thread, duration: int
) -> None:
    consumer = KafkaConsumer(
        settings.topic(names.DECISIONS),
        settings.topic(names.ALERTS),
        settings.topic(names.DLQ),
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="latest",
        group_id=None,
        consumer_timeout_ms=500,
        **kafka_python_security(settings),
    )
    stats = _Stats()
    deadline = time.monotonic() + duration + 30
    with Live(stats.render(), console=console, refresh_per_second=4) as live:
        while time.monotonic() < deadline:
            for message in consumer:
                stats.add(message.topic, message.value, settings)
                live.update(stats.render())
            live.update(stats.render())
            if not generator.is_alive() and stats.idle_for() > 5:
                break
    consumer.close()


class _Stats:
    def __init__(self) -> None:
        self.decisions: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.dead = 0
        self.recent: deque[str] = deque(maxlen=8)
        self.times: deque[float] = deque(maxlen=5000)
        self.last = time.monotonic()

    def add(self, topic: str, value: bytes, settings: Settings) -> None:
        self.last = time.monotonic()
        if topic == settings.topic(names.DLQ):
            self.dead += 1
            return
        doc = orjson.loads(value)
        if topic == settings.topic(names.DECISIONS):
            self.decisions[doc["decision"]] += 1
            self.times.append(self.last)
        else:
            self.rules[f"{doc['rule']} ({doc['severity']})"] += 1
            pay = doc["payment"]
            finding = doc["findings"][0]
            self.recent.appendleft(
                f"{doc['action'].upper():6} {doc['rule']:12} {pay['amount']:>12} {pay['currency']} "
                f"{finding['field']}: {finding['matched']} -> {finding.get('entry_name', '')}"
            )

    def idle_for(self) -> float:
        return time.monotonic() - self.last

    def rate(self) -> float:
        now = time.monotonic()
        recent = [t for t in self.times if now - t <= 5]
        return len(recent) / 5

    def render(self) -> Group:
        top = Table(title="decisions", expand=True)
        for col in ("payments/s", "pass", "review", "block", "dead-lettered"):
            top.add_column(col, justify="right")
        d = self.decisions
        top.add_row(
            f"{self.rate():.0f}", str(d["pass"]), str(d["review"]), str(d["block"]), str(self.dead)
        )
        rules = Table(title="alerts by rule", expand=True)
        rules.add_column("rule (severity)")
        rules.add_column("alerts", justify="right")
        for rule, n in sorted(self.rules.items()):
            rules.add_row(rule, str(n))
        recent = Panel("\n".join(self.recent) or "(none yet)", title="latest alerts")
        return Group(top, rules, recent)
