"""`make demo`: a local broker, the topics, a worker and a generator, with a live view.

The demo trusts nothing it has not checked: it generates only once the worker's /health answers
and its consumer group owns every payments.raw partition, it watches the worker for the whole
view, and it reports "worker stopped" with the last lines of the worker's log (exit 1) the
moment the worker dies. A worker that is not alive and answering is never called "running".

The worker and broker keep running after the view so /metrics can be explored; `make stop`
stops both. State lives in DINARWATCH_DEMO_DIR (default <repo>/.demo, untracked): the worker's
log and pid, its table state, and the id of the Kafka cluster that state belongs to (state
from another cluster is discarded before the worker starts: its offsets would not match).

Exit codes: 0 decisions shown and the worker alive; 1 the worker stopped, never became ready,
or screened nothing; 3 a port or setting the demo needs is unusable; 4 the broker could not be
started or reached; 130 interrupted.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cli.background import gone, runs_dinarwatch, spawn, stop
from cli.demo_desk import DeskNotStarted, start_desk, stop_desk
from cli.demo_lists import demo_lists_env, with_demo_lists
from infra import topics as names
from infra.errors import EXIT_BROKER, EXIT_CONFIG, EXIT_INTERRUPTED
from infra.settings import Settings

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".demo"
KAFKA_SCRIPT = REPO / "deploy" / "kafka" / "kafka-local.sh"

EXIT_WORKER = 1
"""The demo's worker stopped, or is alive but never got ready."""

READY_TIMEOUT = 180.0
"""Seconds a starting worker may take to load its lists and join its group."""
LOG_TAIL_LINES = 20
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def state_dir() -> Path:
    """Where the demo keeps its worker's log, pid and table state."""
    configured = os.environ.get("DINARWATCH_DEMO_DIR")
    return Path(configured).resolve() if configured else STATE


class DemoError(Exception):
    """The demo cannot go on; `lines` say why and what to do, `code` is the exit code."""

    def __init__(self, code: int, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.code = code
        self.lines = list(lines)


def _log_lines(worker: WorkerProcess, tail: list[str]) -> list[str]:
    """The worker's last log lines under a heading naming the log file, for an error report."""
    return [f"last {len(tail)} lines of {worker.log}:", *(f"  {line}" for line in tail)]


class WorkerStopped(DemoError):
    """The worker process exited; carries its exit status and the last lines of its log."""

    def __init__(self, worker: WorkerProcess) -> None:
        status = worker.proc.returncode
        how = (
            f"killed by signal {-status}" if status is not None and status < 0 else f"exit {status}"
        )
        tail = worker.log_tail()
        super().__init__(
            EXIT_WORKER, f"worker stopped (pid {worker.pid}, {how})", *_log_lines(worker, tail)
        )
        self.returncode = status
        self.tail = tail


class WorkerNotReady(DemoError):
    """The worker is alive but did not become ready in time."""

    def __init__(self, worker: WorkerProcess, waiting_for: str, timeout: float) -> None:
        super().__init__(
            EXIT_WORKER,
            f"worker (pid {worker.pid}) not ready after {timeout:.0f} s: {waiting_for}",
            *_log_lines(worker, worker.log_tail()),
        )
        self.waiting_for = waiting_for


@dataclass
class WorkerProcess:
    """A worker started by the demo: its process and the log its output goes to."""

    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def check(self) -> None:
        """Raise WorkerStopped if the process has exited."""
        if not self.alive():
            raise WorkerStopped(self)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> list[str]:
        """The last `lines` lines of the log, without terminal escape codes."""
        try:
            with self.log.open("rb") as f:
                f.seek(max(f.seek(0, os.SEEK_END) - 64 * 1024, 0))
                text = f.read().decode("utf-8", "replace")
        except OSError as exc:
            return [f"(cannot read {self.log}: {exc.strerror})"]
        rows = [_ANSI.sub("", row).rstrip() for row in text.splitlines()]
        return [row for row in rows if row][-lines:]


def start_worker(command: Sequence[str], env: dict[str, str], state: Path) -> WorkerProcess:
    """Start `command` in its own session with output to state/worker.log (the previous run's
    log is kept as worker.log.1, so a tail shows this run only) and its pid in worker.pid."""
    state.mkdir(parents=True, exist_ok=True)
    log = state / "worker.log"
    if log.exists():
        log.replace(state / "worker.log.1")
    return WorkerProcess(spawn(command, env, log, state / "worker.pid"), log)


def wait_until_ready(
    worker: WorkerProcess,
    probe: Callable[[], str | None],
    timeout: float,
    interval: float = 0.5,
) -> None:
    """Poll `probe` (None when ready, else what is still awaited) until it says ready.

    Raises WorkerStopped as soon as the worker exits and WorkerNotReady at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        worker.check()
        waiting_for = probe()
        worker.check()  # a probe may have raced with the worker's exit
        if waiting_for is None:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WorkerNotReady(worker, waiting_for, timeout)
        time.sleep(min(interval, remaining))


def run_demo(settings: Settings, *, duration: int, rate: float) -> None:
    """Run the demo; exits the process with the documented code on failure."""
    console = Console()
    try:
        _run(settings, console, duration=duration, rate=rate)
    except DemoError as exc:
        stop_desk(state_dir())  # of no use without a healthy worker
        for i, line in enumerate(exc.lines):
            style = "bold red" if i == 0 else "dim"
            console.print(f"[{style}]{escape(line)}[/{style}]", highlight=False, soft_wrap=True)
        raise SystemExit(exc.code) from None
    except KeyboardInterrupt:
        stop_desk(state_dir())
        console.print("interrupted; `make stop` stops the worker and the broker")
        raise SystemExit(EXIT_INTERRUPTED) from None


def _run(settings: Settings, console: Console, *, duration: int, rate: float) -> None:
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    stop_demo()  # an earlier demo worker would hold the web port and the table state
    console.print("[bold]1/4[/bold] starting the local Kafka broker (KRaft)...")
    _start_broker(settings)
    _forget_state_of_other_cluster(settings, state, console)
    console.print("[bold]2/4[/bold] creating topics...")
    _create_topics(settings)
    console.print("[bold]3/4[/bold] starting the worker and waiting until it is ready...")
    _require_free_port(settings)
    worker = start_worker(_worker_command(), _worker_env(settings, state), state)
    view = _ViewConsumer(settings)
    readiness = _Readiness(settings, view)
    try:
        started = time.monotonic()
        try:
            wait_until_ready(worker, readiness, READY_TIMEOUT)
        except WorkerNotReady:
            worker.stop()  # ours, and of no use: do not leave it behind
            raise
        finally:
            readiness.close()
        console.print(
            f"    worker ready (pid {worker.pid}) in {time.monotonic() - started:.0f} s: "
            f"/health answers, its group owns every {settings.topic(names.RAW)} partition"
        )
        try:  # the desk: cases from the alerts this run raises (cli/demo_desk.py)
            desk = start_desk(_worker_env(settings, state), state)
        except DeskNotStarted as exc:
            raise DemoError(EXIT_CONFIG, str(exc)) from None
        console.print(f"    desk ready (pid {desk.pid}) at {desk.url}/, ingesting alerts")
        view.seek_to_end()  # before the first payment: the view sees every decision
        total = int(duration * rate)
        console.print(f"[bold]4/4[/bold] generating {total} payments at {rate:.0f}/s...")
        generator = _Generator(settings, duration, rate)
        generator.start()
        stats = _Stats(settings, total)
        _live_view(view, console, generator, worker, stats, duration)
    finally:
        view.close()
    console.print(stats.render(final=True))
    worker.check()
    if generator.error is not None:
        raise DemoError(
            EXIT_BROKER, f"the generator stopped: {generator.error}", f"worker log: {worker.log}"
        )
    if stats.decided() == 0:
        raise DemoError(
            EXIT_WORKER,
            f"no decisions arrived within {duration + 60} s although the worker is alive",
            f"worker log: {worker.log}",
            *(f"  {line}" for line in worker.log_tail()),
        )
    health = _health(settings)
    worker.check()
    if health is not None:
        raise DemoError(EXIT_WORKER, f"the worker is alive but {health}", f"log: {worker.log}")
    url = f"http://{_probe_host(settings)}:{settings.web_port}"
    console.print(
        f"\nWorker (pid {worker.pid}) is alive and answering; the broker keeps running.\n"
        f"  metrics:  {url}/metrics\n"
        f"  health:   {url}/health\n"
        f"  logs:     {worker.log}\n"
        f"  desk:     {desk.url}/  user {desk.user}, password {desk.password}  (log {desk.log})\n"
        f"  stop all: make stop"
    )


def _local_port(bootstrap: str) -> int | None:
    """The port of a single local bootstrap address (the broker the demo may start)."""
    addresses = [a.strip() for a in bootstrap.split(",") if a.strip()]
    if len(addresses) != 1:
        return None
    host, _, port = addresses[0].rpartition(":")
    if host.strip("[]") not in _LOCAL_HOSTS or not port.isdigit():
        return None
    return int(port)


def _start_broker(settings: Settings) -> None:
    """Start deploy/kafka/kafka-local.sh on the bootstrap's port (it reuses a broker already
    answering there); a remote bootstrap is used as it is."""
    port = _local_port(settings.kafka_bootstrap)
    if port is None:
        return  # not ours to start; the next step says if it does not answer
    env = dict(os.environ)
    configured = env.get("KAFKA_PORT")
    if configured and configured != str(port):
        raise DemoError(
            EXIT_CONFIG,
            f"KAFKA_PORT={configured} but DINARWATCH_KAFKA_BOOTSTRAP={settings.kafka_bootstrap}: "
            "the demo starts its broker on the bootstrap's port; unset KAFKA_PORT or make them "
            "agree",
        )
    env["KAFKA_PORT"] = str(port)
    done = subprocess.run(["bash", str(KAFKA_SCRIPT), "start"], env=env, check=False)
    if done.returncode != 0:
        raise DemoError(
            EXIT_CONFIG if done.returncode in (2, 4) else EXIT_BROKER,
            f"the local Kafka broker did not start on 127.0.0.1:{port} "
            f"(kafka-local.sh exit {done.returncode}; its messages are above)",
        )


def _forget_state_of_other_cluster(settings: Settings, state: Path, console: Console) -> None:
    """Table state holds offsets of one cluster's changelog; a new cluster (broker storage
    wiped, another broker) would make the worker refuse it, so it is dropped here."""
    from infra.kafka_clients import kafka_admin

    try:
        admin = kafka_admin(settings, "demo")
        try:
            cluster = str(admin.describe_cluster()["cluster_id"])
        finally:
            admin.close()
    except Exception as exc:
        raise DemoError(
            EXIT_BROKER, f"cannot talk to the broker at {settings.kafka_bootstrap}: {exc}"
        ) from None
    marker = state / "cluster-id"
    data = state / "worker-data"
    known = marker.read_text().strip() if marker.exists() else None
    if data.exists() and known != cluster:
        console.print(
            f"    the broker is cluster {cluster}, the demo's table state "
            f"{'belongs to ' + known if known else 'has no cluster id'}: discarding {data}"
        )
        shutil.rmtree(data)
    marker.write_text(cluster + "\n")


def _create_topics(settings: Settings) -> None:
    from infra.admin import create_topics

    try:
        create_topics(settings)
    except SystemExit:
        raise
    except Exception as exc:
        raise DemoError(
            EXIT_BROKER, f"cannot create the topics on {settings.kafka_bootstrap}: {exc}"
        ) from None


def _require_free_port(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.web_bind, settings.web_port))
        except OSError as exc:
            raise DemoError(
                EXIT_CONFIG,
                f"port {settings.web_port} on {settings.web_bind} (DINARWATCH_WEB_PORT, the "
                f"worker's /metrics and /health) is not free: {exc.strerror}; stop what holds "
                f"it or set DINARWATCH_WEB_PORT=<free port>",
            ) from None


def _worker_command() -> list[str]:
    exe = Path(sys.executable).with_name("dinarwatch")
    if not exe.exists():
        raise DemoError(EXIT_CONFIG, f"{exe} not found: run `make install`")
    return [str(exe), "worker"]


def _worker_env(settings: Settings, state: Path) -> dict[str, str]:
    return {
        **os.environ,
        **demo_lists_env(settings),  # the packaged OFAC/UN snapshot, unless lists are configured
        "DINARWATCH_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "DINARWATCH_DATA_DIR": str(state / "worker-data"),
        "NO_COLOR": "1",  # a log file, not a terminal
        "TERM": "dumb",
    }


def _probe_host(settings: Settings) -> str:
    wildcard = settings.web_bind in ("0.0.0.0", "", "::")  # noqa: S104 (compared, not bound)
    return "127.0.0.1" if wildcard else settings.web_bind


def _health(settings: Settings) -> str | None:
    """None when GET /health answers 200, else what went wrong."""
    url = f"http://{_probe_host(settings)}:{settings.web_port}/health"
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            status = int(resp.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return f"{url} does not answer ({getattr(exc, 'reason', exc)})"
    return None if status == 200 else f"{url} answered {status}"


class _Readiness:
    """Ready = /health answers and a stable consumer group owns every payments.raw partition
    (only then will the worker read what the generator sends)."""

    def __init__(self, settings: Settings, view: _ViewConsumer) -> None:
        self.settings = settings
        self.view = view
        self.admin: Any = None

    def __call__(self) -> str | None:
        health = _health(self.settings)
        if health is not None:
            return health
        raw = self.settings.topic(names.RAW)
        partitions = self.view.partitions(raw)
        if not partitions:
            return f"{raw} has no partitions yet"
        try:
            owned, state = self._owned(raw)
        except Exception as exc:  # the broker is busy or rebalancing: ask again
            return f"the consumer groups cannot be read yet ({exc})"
        missing = partitions - owned
        if missing or state != "Stable":
            return (
                f"the worker's consumer group is {state or 'not formed'}, "
                f"{len(partitions) - len(missing)} of {len(partitions)} {raw} partitions owned"
            )
        return None

    def _owned(self, topic: str) -> tuple[set[int], str | None]:
        if self.admin is None:
            from infra.kafka_clients import kafka_admin

            self.admin = kafka_admin(self.settings, "demo")
        groups = [g["group_id"] for g in self.admin.list_groups()]
        best: tuple[set[int], str | None] = (set(), None)
        for group in self.admin.describe_groups(groups).values() if groups else []:
            owned = {
                p
                for member in group.get("members") or []
                for assigned in (member.get("member_assignment") or {}).get(
                    "assigned_partitions", []
                )
                if assigned.get("topic") == topic
                for p in assigned.get("partitions", [])
            }
            if len(owned) >= len(best[0]) and (owned or best[1] is None):
                best = (owned, group.get("group_state"))
        return best

    def close(self) -> None:
        if self.admin is not None:
            self.admin.close()


class _ViewConsumer:
    """Reads decisions, alerts and dead letters from their end, without a consumer group."""

    def __init__(self, settings: Settings) -> None:
        from infra.kafka_clients import kafka_consumer

        self.settings = settings
        self.consumer = kafka_consumer(
            settings,
            "demo-view",
            group_id=None,
            enable_auto_commit=False,
            allow_auto_create_topics=False,  # reading must never create a topic
        )

    def partitions(self, topic: str) -> set[int]:
        return set(self.consumer.partitions_for_topic(topic) or ())

    def seek_to_end(self) -> None:
        from kafka import TopicPartition

        tps = [
            TopicPartition(self.settings.topic(name), p)
            for name in (names.DECISIONS, names.ALERTS, names.DLQ)
            for p in sorted(self.partitions(self.settings.topic(name)))
        ]
        self.consumer.assign(tps)
        self.consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, not at the first poll
            self.consumer.position(tp)

    def poll(self, timeout_ms: int) -> list[Any]:
        batches = self.consumer.poll(timeout_ms=timeout_ms)
        return [record for records in batches.values() for record in records]

    def close(self) -> None:
        self.consumer.close()


class _Generator(threading.Thread):
    """Publishes the demo traffic at `rate`, created_at following the wall clock."""

    def __init__(self, settings: Settings, duration: int, rate: float) -> None:
        super().__init__(name="demo-generator", daemon=True)
        self.settings = settings
        self.duration = duration
        self.rate = rate
        self.error: str | None = None

    def run(self) -> None:
        from cli.generate import plant_lists
        from generator.publish import make_producer, publish
        from generator.renderers import formats_for, renderers
        from generator.traffic import TrafficSpec, generate

        spec = TrafficSpec(
            count=int(self.duration * self.rate),
            seed=int(time.time()),
            start=datetime.now(UTC),
            spacing=timedelta(seconds=1 / self.rate),
            violation_rate=0.04,
            malformed_rate=0.01,
            formats=formats_for("mixed"),
            renderers=renderers(),
            max_bytes=self.settings.max_message_bytes,
            id_prefix="DEMO",
            lists=plant_lists(with_demo_lists(self.settings)),  # the lists the worker loads
            round_robin=True,  # every rule planted, however short the run
        )
        try:
            producer = make_producer(self.settings)
            try:
                publish(generate(spec), producer, self.settings.topic(names.RAW), self.rate)
            finally:
                producer.close()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"


def _live_view(
    view: _ViewConsumer,
    console: Console,
    generator: _Generator,
    worker: WorkerProcess,
    stats: _Stats,
    duration: int,
) -> None:
    """Follow the outputs until every payment is accounted for, the generator is done and
    the outputs are quiet, or the time is up; check the worker on every pass."""
    deadline = time.monotonic() + duration + 60
    with Live(stats.render(), console=console, refresh_per_second=4, transient=True) as live:
        while time.monotonic() < deadline:
            for record in view.poll(timeout_ms=500):
                stats.add(record.topic, record.value)
            live.update(stats.render())
            worker.check()
            settled = stats.accounted() >= stats.expected or stats.idle_for() > 10
            if settled and not generator.is_alive():
                break


@dataclass
class _Stats:
    settings: Settings
    expected: int
    decisions: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    alerts: int = 0
    dead: int = 0
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    times: deque[float] = field(default_factory=lambda: deque(maxlen=5000))
    last: float = field(default_factory=time.monotonic)
    first: float | None = None

    def add(self, topic: str, value: bytes | None) -> None:
        self.last = time.monotonic()
        if topic == self.settings.topic(names.DLQ):
            self.dead += 1
            return
        try:
            doc = orjson.loads(value or b"")
        except orjson.JSONDecodeError:
            return
        if topic == self.settings.topic(names.DECISIONS):
            self.decisions[str(doc.get("decision"))] += 1
            self.times.append(self.last)
            if self.first is None:
                self.first = self.last
            return
        self.alerts += 1
        self.rules[f"{doc.get('rule')} ({doc.get('severity')})"] += 1
        pay = doc.get("payment") or {}
        finding = (doc.get("findings") or [{}])[0]
        self.recent.appendleft(
            f"{str(doc.get('action', '')).upper():6} {doc.get('rule', ''):12} "
            f"{pay.get('amount', ''):>12} {pay.get('currency', '')} "
            f"{finding.get('field', '')}: {finding.get('matched', '')} "
            f"-> {finding.get('entry_name', '')}"
        )

    def decided(self) -> int:
        return sum(self.decisions.values())

    def accounted(self) -> int:
        return self.decided() + self.dead

    def idle_for(self) -> float:
        return time.monotonic() - self.last

    def rate(self) -> float:
        """Decisions per second over the last 5 s."""
        now = time.monotonic()
        return sum(1 for t in self.times if now - t <= 5) / 5

    def average_rate(self) -> float:
        """Decisions per second from the first decision to the last."""
        span = self.times[-1] - self.first if self.times and self.first is not None else 0.0
        return self.decided() / span if span > 0 else 0.0

    def render(self, final: bool = False) -> Group:
        top = Table(title="decisions" + (" (whole run)" if final else ""), expand=True)
        for col in ("payments/s", "pass", "review", "block", "dead-lettered", "alerts"):
            top.add_column(col, justify="right")
        d = self.decisions
        top.add_row(
            f"{self.average_rate() if final else self.rate():.0f}",
            str(d["pass"]),
            str(d["review"]),
            str(d["block"]),
            str(self.dead),
            str(self.alerts),
        )
        rules = Table(title="alerts by rule", expand=True)
        rules.add_column("rule (severity)")
        rules.add_column("alerts", justify="right")
        for rule, n in sorted(self.rules.items()):
            rules.add_row(rule, str(n))
        recent = Panel(escape("\n".join(self.recent)) or "(none yet)", title="latest alerts")
        return Group(top, rules, recent)


def _is_demo_worker(pid: int) -> bool:
    return runs_dinarwatch(pid, b"worker")


def stop_demo() -> None:
    """Stop the demo worker (the broker: deploy/kafka/kafka-local.sh stop)."""
    stop_desk(state_dir())
    pid_file = state_dir() / "worker.pid"
    if not pid_file.exists():
        return
    text = pid_file.read_text().strip()
    if text.isdigit() and _is_demo_worker(int(text)):
        stop(int(text), 30.0, running=lambda pid: not gone(pid))
    pid_file.unlink(missing_ok=True)
