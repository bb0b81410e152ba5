"""Fail fast, in one line, before a command talks to Kafka.

kafka-python spends 30 s retrying a bootstrap address that refuses connections and then raises a
timeout naming no cause; the Faust worker logs one ECONNREFUSED line per retry. A plain TCP
connect to the bootstrap addresses answers "is anything listening there?" in milliseconds, so
commands call `require_broker` first; `kafka_errors` turns what the client libraries raise later
(authentication, timeouts, unknown topics) into the same one-line errors.
"""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.errors import BrokerError, ConfigError, TopicMissingError, one_line
from infra.settings import Settings, bootstrap_addresses

CONNECT_TIMEOUT = 3.0
"""Seconds to wait for a TCP connection to one bootstrap address."""

HINT = (
    "start it (`make broker`, or deploy/kafka/kafka-local.sh) or point "
    "DINARWATCH_KAFKA_BOOTSTRAP at a running broker"
)


def require_broker(settings: Settings, timeout: float = CONNECT_TIMEOUT) -> None:
    """Return when one bootstrap address accepts a TCP connection; BrokerError otherwise.

    The security options are built first: a missing SASL password file or an unreadable CA is
    a configuration error whatever the network says.
    """
    from infra.kafka_clients import KafkaSecurityError, kafka_python_security

    try:
        kafka_python_security(settings)
    except KafkaSecurityError as exc:
        raise ConfigError(f"{exc}: fix the setting or the file") from None
    problems = []
    for host, port in bootstrap_addresses(settings.kafka_bootstrap):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return
        except socket.gaierror:
            problems.append(f"{host}:{port} (no such host)")
        except TimeoutError:
            problems.append(f"{host}:{port} (no answer in {timeout:.0f} s)")
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            problems.append(f"{host}:{port} ({reason})")
    raise BrokerError(f"cannot reach the Kafka broker at {', '.join(problems)}: {HINT}")


LOGIN_TIMEOUT = 15.0
"""Seconds to try logging in before `require_login` gives up (a refused login is retried)."""


def require_login(settings: Settings, timeout: float = LOGIN_TIMEOUT) -> None:
    """Log in to the cluster once when it needs credentials or TLS; BrokerError naming the reason.

    A TCP connect proves a listener, not that the broker accepts us. Without this check the
    worker's first Kafka client would retry a refused login until its bootstrap timeout and the
    worker would stop on a bare "Unable to bootstrap" timeout instead of the broker's reason.
    """
    if settings.kafka_security_protocol == "PLAINTEXT":
        return
    from infra.admin import admin_client

    with kafka_errors(settings, "logging in to the broker"):
        admin_client(settings, bootstrap_timeout_s=timeout).close()


@contextmanager
def kafka_errors(settings: Settings, doing: str) -> Iterator[None]:
    """Translate client-library failures inside the block into one-line UserErrors.

    `doing` says what the command was doing ("checking topics"), for the message.
    """
    from kafka import errors

    from infra.kafka_clients import KafkaSecurityError, uses_sasl

    where = settings.kafka_bootstrap
    heard = _LastClientError()
    client_log = logging.getLogger("kafka")
    client_log.addHandler(heard)
    try:
        yield
    except KafkaSecurityError as exc:
        raise ConfigError(f"{exc}: fix the setting or the file") from None
    except (errors.SaslAuthenticationFailedError, errors.AuthorizationError) as exc:
        raise BrokerError(
            f"{doing}: the broker at {where} refused user "
            f"{settings.kafka_sasl_username or '(none)'} ({one_line(exc)[:300]}): check "
            "DINARWATCH_KAFKA_SASL_USERNAME, the password and the broker's ACLs"
        ) from None
    except errors.UnknownTopicOrPartitionError as exc:
        raise TopicMissingError(
            f"{doing}: a topic does not exist on {where} ({exc}): run `dinarwatch topics create`"
        ) from None
    except _unreachable(errors) as exc:
        if heard.auth_failure:  # the client retried a refused login until it timed out
            raise BrokerError(
                f"{doing}: the broker at {where} refused user "
                f"{settings.kafka_sasl_username or '(none)'} ({heard.auth_failure}): check "
                "DINARWATCH_KAFKA_SASL_USERNAME, the password and the broker's ACLs"
            ) from None
        if uses_sasl(settings) and heard.disconnected:
            # kafka-python 3 sees a refused SCRAM/PLAIN login as the broker hanging up
            raise BrokerError(
                f"{doing}: the broker at {where} closed every connection during the SASL "
                f"login as user {settings.kafka_sasl_username} (the credentials were probably "
                "refused): check DINARWATCH_KAFKA_SASL_USERNAME, the password and "
                "DINARWATCH_KAFKA_SASL_MECHANISM"
            ) from None
        said = f"; last client error: {heard.last}" if heard.last else ""
        raise BrokerError(
            f"{doing}: no answer from the Kafka broker at {where} ({type(exc).__name__}{said}): "
            f"check that it runs and that DINARWATCH_KAFKA_SECURITY_PROTOCOL matches its listener"
        ) from None
    except errors.InvalidReplicationFactorError:
        raise ConfigError(
            f"{doing}: the cluster at {where} has fewer brokers than "
            f"DINARWATCH_REPLICATION_FACTOR={settings.replication_factor}: set it to at most "
            "the number of brokers (1 for a local broker)"
        ) from None
    except errors.KafkaError as exc:
        # kafka-python quotes the whole request and response: keep the first part, readable
        raise BrokerError(f"{doing}: the broker at {where} answered {_brief(exc)}") from None
    finally:
        client_log.removeHandler(heard)


def _brief(exc: BaseException, limit: int = 200) -> str:
    """A client error on one short line, without the request it quotes."""
    text = one_line(exc).split(": Request '", 1)[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def require_port_free(
    bind: str, port: int, setting: str, bind_setting: str = "DINARWATCH_WEB_BIND"
) -> None:
    """ConfigError naming the address and the setting when a web port is already taken.

    The worker's web server starts deep inside Faust, which logs a 60-line traceback and exits 1
    on a busy port; a bind test first (same SO_REUSEADDR as the server) says it in one line.
    """
    try:
        with socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((bind, port))
    except (OSError, OverflowError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
            todo = f"stop what uses the port or set another with {setting}"
        else:  # an address this host does not have, a name that does not resolve
            todo = f"check {bind_setting} and {setting}"
        reason = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()
        raise ConfigError(f"cannot serve on {bind}:{port} ({reason}): {todo}") from None


def require_data_dir(path: Path) -> None:
    """The worker keeps its table state under DINARWATCH_DATA_DIR: a path that cannot be a
    writable folder is one configuration line, not an unexpected FileExistsError."""
    reason = unwritable_folder(path)
    if reason is not None:
        raise ConfigError(
            f"DINARWATCH_DATA_DIR={path}: cannot use it as the worker's state folder ({reason}): "
            "point it at a folder the worker can write to"
        )


def unwritable_folder(path: Path) -> str | None:
    """Create `path` if missing and write a probe file in it: None when that works, else the
    OS's reason in lower case (for a one-line error that names the setting or option)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".dinarwatch-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        return (exc.strerror or type(exc).__name__).lower()
    return None


class _LastClientError(logging.Handler):
    """Keeps kafka-python's last error log line: on a refused login it logs the broker's reason
    and retries until its bootstrap timeout, which alone says only "timeout"."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last = ""
        self.auth_failure = ""
        self.disconnected = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = " ".join(record.getMessage().split())[:300]
        except Exception:  # a client's bad log call must not hide the real error
            return
        if "failed" in text.lower() or "lost" in text.lower():
            self.last = text
        self.disconnected |= "socket disconnected" in text
        if "Authentication" in text or "SASL" in text:
            self.auth_failure = text


def _unreachable(errors: Any) -> tuple[type[BaseException], ...]:
    """kafka-python's "could not talk to the broker" errors (NoBrokersAvailable is 2.x only)."""
    names = (
        "NoBrokersAvailable",
        "KafkaTimeoutError",
        "KafkaConnectionError",
        "UnrecognizedBrokerVersion",
        "MetadataEmptyBrokerList",
    )
    return tuple(getattr(errors, name) for name in names if hasattr(errors, name))


def missing_topics(settings: Settings, topics: Sequence[str]) -> list[str]:
    """Which of `topics` (full names) the broker does not have."""
    from infra.admin import admin_client

    with kafka_errors(settings, "listing topics"):
        admin = admin_client(settings)
        try:
            existing = set(admin.list_topics())
        finally:
            admin.close()
    return [name for name in topics if name not in existing]


def require_topics(settings: Settings, topics: Sequence[str]) -> None:
    """Broker reachable and every topic present; TopicMissingError names the missing ones."""
    require_broker(settings)
    missing = missing_topics(settings, topics)
    if missing:
        raise TopicMissingError(
            f"topic {', '.join(missing)} does not exist on {settings.kafka_bootstrap}: "
            "run `dinarwatch topics create` (check DINARWATCH_TOPIC_PREFIX), "
            "this command does not rely on auto-creation"
        )
