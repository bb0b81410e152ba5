"""Every Kafka client of the product is built here, with the bootstrap and security settings.

The one place that knows how kafka-python (admin, publishers, replay, watchlists catch-up),
aiokafka (watchlists follower, notifier) and Faust (the worker's agents) spell
`kafka_security_protocol`, SASL and TLS, so every client of a process connects the same way.
Callers ask for a client by role (`kafka_producer(settings, "lists", acks="all")`): the
factory adds the bootstrap addresses, a client id `<app id>-<role>` (what the broker's logs and
quotas see) and the security options; the caller adds only what its job needs (acks, group,
fetch sizes). tests/unit/test_layout.py fails if a client is constructed anywhere else.

- TLS (SSL, SASL_SSL): one `ssl.SSLContext` built here is handed to all three libraries. It
  verifies the broker's certificate and host name against `kafka_ssl_cafile` (else the system
  CAs) and presents `kafka_ssl_certfile`/`kafka_ssl_keyfile` when set (mutual TLS).
- SASL (SASL_PLAINTEXT, SASL_SSL): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with
  `kafka_sasl_username` and the password from `kafka_sasl_password` (a SecretStr, from the
  environment or .env) or `kafka_sasl_password_file` (read each time a client's options are
  built, so a rotated mounted secret reaches the next client).

Secrets are unwrapped only here, into the dictionaries handed straight to the client
constructors; nothing in this module logs, and errors name files, never their content. One
client library does log them: kafka-python's KafkaAdminClient logs its keyword arguments at
DEBUG, so a filter installed on import masks the password in that record.
Settings already refused inconsistent combinations (see Settings._kafka_security_consistent).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.settings import Settings

if TYPE_CHECKING:  # the client libraries load only when a client is built (CLI start-up time)
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})
SECRET_OPTIONS = frozenset({"sasl_plain_password", "ssl_password"})
REDACTED = "**********"


class KafkaSecurityError(ValueError):
    """A security setting that cannot be used (unreadable file, bad key...)."""


def uses_tls(settings: Settings) -> bool:
    return settings.kafka_security_protocol in TLS_PROTOCOLS


def uses_sasl(settings: Settings) -> bool:
    return settings.kafka_security_protocol in SASL_PROTOCOLS


def sasl_password(settings: Settings) -> str | None:
    """The SASL password: `kafka_sasl_password`, else the content of `kafka_sasl_password_file`.

    The file's trailing line break (as left by `echo` or an editor) is not part of the password.
    """
    if settings.kafka_sasl_password is not None:
        return settings.kafka_sasl_password.get_secret_value()
    path = settings.kafka_sasl_password_file
    if path is None:
        return None
    try:
        secret = Path(path).read_text("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise KafkaSecurityError(
            f"kafka_sasl_password_file {path}: cannot read it ({type(exc).__name__})"
        ) from None
    if not secret:
        raise KafkaSecurityError(f"kafka_sasl_password_file {path} is empty")
    return secret


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The client TLS context for SSL/SASL_SSL (None otherwise).

    Certificate and host name verification are always on (ssl.create_default_context), and
    nothing older than TLS 1.2 is offered.
    """
    if not uses_tls(settings):
        return None
    cafile = settings.kafka_ssl_cafile
    try:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise KafkaSecurityError(f"kafka_ssl_cafile {cafile}: cannot load it ({exc})") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.kafka_ssl_certfile is not None:
        certfile = settings.kafka_ssl_certfile
        keyfile = settings.kafka_ssl_keyfile
        try:
            context.load_cert_chain(str(certfile), str(keyfile) if keyfile else None)
        except (OSError, ssl.SSLError) as exc:
            raise KafkaSecurityError(
                f"kafka_ssl_certfile {certfile} / kafka_ssl_keyfile {keyfile}: "
                f"cannot load the client certificate ({exc})"
            ) from None
    return context


def _client_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if uses_sasl(settings):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = sasl_password(settings)
    return options


def kafka_python_security(settings: Settings) -> dict[str, Any]:
    """kafka-python's security_protocol / sasl_* / ssl_context arguments.

    An ssl_context makes kafka-python ignore its own ssl_* file options, so TLS behaves
    exactly as in the aiokafka and Faust clients.
    """
    return _client_options(settings)


def aiokafka_security(settings: Settings) -> dict[str, Any]:
    """aiokafka's security_protocol / sasl_* / ssl_context arguments (it takes no TLS files)."""
    return _client_options(settings)


def client_id(settings: Settings, role: str) -> str:
    """`<app id>-<role>`, e.g. `dinarwatch-lists`: which process and job a connection is."""
    return f"{settings.app_id}-{role}"


def client_options(settings: Settings, role: str) -> dict[str, Any]:
    """What every client gets, whatever its library: bootstrap, client id and security.

    kafka-python and aiokafka spell these options alike (an ssl_context makes kafka-python
    ignore its own ssl_* file options, so TLS behaves exactly as in aiokafka and Faust).
    """
    return {
        "bootstrap_servers": settings.kafka_bootstrap,
        "client_id": client_id(settings, role),
        **_client_options(settings),
    }


def kafka_producer(settings: Settings, role: str, **options: Any) -> KafkaProducer:
    """A kafka-python producer; `options` are the job's own (acks, linger, sizes...)."""
    from kafka import KafkaProducer

    return KafkaProducer(**options, **client_options(settings, role))


def kafka_consumer(settings: Settings, role: str, *topics: str, **options: Any) -> KafkaConsumer:
    """A kafka-python consumer, subscribed to `topics` when given (else assign partitions)."""
    from kafka import KafkaConsumer

    return KafkaConsumer(*topics, **options, **client_options(settings, role))


def kafka_admin(settings: Settings, role: str = "admin", **options: Any) -> KafkaAdminClient:
    """A kafka-python admin client (topics, groups, cluster id)."""
    from kafka import KafkaAdminClient

    return KafkaAdminClient(**options, **client_options(settings, role))


def aio_producer(settings: Settings, role: str, **options: Any) -> AIOKafkaProducer:
    """An aiokafka producer (build it inside the event loop that will use it)."""
    from aiokafka import AIOKafkaProducer

    return AIOKafkaProducer(**options, **client_options(settings, role))


def aio_consumer(settings: Settings, role: str, *topics: str, **options: Any) -> AIOKafkaConsumer:
    """An aiokafka consumer, subscribed to `topics` when given (else assign partitions)."""
    from aiokafka import AIOKafkaConsumer

    return AIOKafkaConsumer(*topics, **options, **client_options(settings, role))


def faust_broker_options(settings: Settings) -> dict[str, Any]:
    """faust.App keyword arguments: `broker_credentials` for SSL and SASL (none for plaintext).

    Faust's aiokafka driver turns SASLCredentials into security_protocol SASL_SSL when it
    carries an ssl_context (SASL_PLAINTEXT otherwise), and SSLCredentials into SSL; the same
    credentials serve its consumers, producers and admin requests.
    """
    import faust

    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    context = ssl_context(settings)
    if protocol == "SSL":
        return {"broker_credentials": faust.SSLCredentials(context)}
    return {
        "broker_credentials": faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=sasl_password(settings),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,
        )
    }


def _redacted(value: Any) -> Any:
    if isinstance(value, Mapping) and SECRET_OPTIONS & value.keys():
        return {
            key: REDACTED if key in SECRET_OPTIONS and item is not None else item
            for key, item in value.items()
        }
    return value


class RedactClientOptions(logging.Filter):
    """Mask secret client options in a log record's arguments (e.g. a logged kwargs dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            record.args = _redacted(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        return True


LOGGERS_WITH_OPTIONS = ("kafka.admin.client",)
"""Loggers of client libraries that log their keyword arguments (filters are per logger)."""


def install_log_redaction() -> None:
    """Idempotent: add RedactClientOptions to every logger in LOGGERS_WITH_OPTIONS."""
    for name in LOGGERS_WITH_OPTIONS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactClientOptions) for f in logger.filters):
            logger.addFilter(RedactClientOptions())


install_log_redaction()
