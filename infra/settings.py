"""Configuration from the environment (prefix DINARWATCH_) or a .env file, frozen after start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.errors import ConfigError

SECRET_FIELDS = frozenset({"kafka_sasl_password"})
"""Settings whose value an error message must never quote."""


class Settings(BaseSettings):
    """Every knob an operator can turn; defaults are safe for a single local broker."""

    model_config = SettingsConfigDict(
        env_prefix="DINARWATCH_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        # a validation error would otherwise quote the raw input, secrets included
        hide_input_in_errors=True,
    )

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_sasl_password_file: Path | None = Field(
        default=None,
        description="Read the SASL password from this file (e.g. a mounted secret) at connect time",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA bundle to verify the broker (default: the system CAs)"
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="Client certificate (PEM) for mutual TLS"
    )
    kafka_ssl_keyfile: Path | None = Field(
        default=None, description="Client private key (PEM, unencrypted) for mutual TLS"
    )

    app_id: str = Field(
        default="dinarwatch",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Faust app id: consumer group and the prefix of Faust's own topics "
        "(letters, digits, '.', '_', '-': Kafka's topic characters)",
    )
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prepended to every topic name (letters, digits, '.', '_', '-')",
    )
    topic_partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    web_port: int = Field(default=6066, ge=1, le=65535)
    web_bind: str = "127.0.0.1"
    data_dir: Path = Path(".dinarwatch-data")
    table_store: str = "rocksdb://"
    rocksdb_write_buffer_mib: int = Field(
        default=4,
        ge=1,
        description="RocksDB memtable per window-table partition (Faust's default, 64 MiB x 3 "
        "per partition, lets a worker's memory climb for minutes before the first flush)",
    )
    rocksdb_block_cache_mib: int = Field(
        default=16,
        ge=1,
        description="RocksDB read cache shared by all window-table partitions on a worker "
        "(Faust: 2 GiB per partition)",
    )
    malloc_arena_max: int = Field(
        default=2, ge=0, description="glibc malloc arenas (0: glibc's default, 8 per core)"
    )
    malloc_trim_seconds: float = Field(
        default=30.0, ge=0, description="Return freed C heap to the OS this often (0: never)"
    )
    table_standby_replicas: int = Field(default=0, ge=0, description="Warm copies of window state")
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"

    max_message_bytes: int = Field(default=1_048_576, ge=1024)
    max_record_bytes: int = Field(
        default=16 * 1_048_576,
        ge=1_048_576,
        description="Largest record the topics, producers and consumers accept (so an oversized "
        "message can still be dead-lettered whole); must exceed max_message_bytes",
    )
    consumer_max_fetch_bytes: int = Field(default=1_048_576, ge=65_536)
    max_poll_records: int = Field(default=500, ge=1)
    producer_linger_ms: float = Field(
        default=5.0,
        ge=0.0,
        description="Batch produced records for this long (throughput vs latency)",
    )
    batch_max_records: int = Field(
        default=500, ge=1, description="Records an agent takes at once (Faust take_events)"
    )
    batch_max_wait_ms: float = Field(
        default=10.0, gt=0, description="Longest a partial batch waits for more records"
    )
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop", description="The worker's event loop (uvloop: less overhead per event)"
    )
    faust_monitor: Literal["quiet", "full"] = Field(
        default="quiet",
        description="quiet: no per-event statistics in Faust's own monitor (Prometheus has them)",
    )
    screen_at_ingest: bool = Field(
        default=True,
        description="Screen a raw record in the ingest agent when it is keyed by its debtor "
        "and sits in that key's partition (skips the payments.valid hop)",
    )
    max_future_skew_seconds: int = Field(
        default=3600, ge=0, description="created_at further in the future is rejected"
    )
    earliest_created_at: str = Field(
        default="2000-01-01T00:00:00Z", description="created_at before this is rejected"
    )
    xsd_dir: Path | None = Field(default=None, description="ISO 20022 XSDs (default: shared data)")
    rule_pack: Path | None = None
    rescreen_days: int = Field(
        default=30,
        ge=0,
        le=30,
        description="A new list version re-screens the stored payments of this many past days "
        "against its delta (0: off); payments.screened keeps 31 days (docs/rescreen.md)",
    )
    ofac_dir: Path | None = None
    un_xml: Path | None = None

    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_is_host_port_list(cls, value: str) -> str:
        """host:port[,host:port...]: refused here, not 30 s later by the Kafka client."""
        bootstrap_addresses(value)
        return value

    @field_validator("xsd_dir")
    @classmethod
    def _xsd_dir_holds_schemas(cls, value: Path | None) -> Path | None:
        """A folder without XSDs would silently turn ISO 20022 schema validation off."""
        if value is None:
            return None
        default = "unset it to use ../shared/data/iso20022/xsd beside the repository"
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder ({default})")
        if not any(value.rglob("*.xsd")):
            raise ValueError(f"{value} holds no .xsd file ({default})")
        return value

    @model_validator(mode="after")
    def _kafka_security_consistent(self) -> Settings:
        """Refuse security settings that would be silently ignored or cannot authenticate."""
        protocol = self.kafka_security_protocol
        sasl = protocol in ("SASL_PLAINTEXT", "SASL_SSL")
        tls = protocol in ("SSL", "SASL_SSL")
        problems = []
        sasl_given = [
            name
            for name in (
                "kafka_sasl_mechanism",
                "kafka_sasl_username",
                "kafka_sasl_password",
                "kafka_sasl_password_file",
            )
            if getattr(self, name) is not None
        ]
        if sasl_given and not sasl:
            problems.append(
                f"{', '.join(sasl_given)} set but kafka_security_protocol is {protocol} "
                "(use SASL_SSL or SASL_PLAINTEXT)"
            )
        password = self.kafka_sasl_password
        if sasl:
            if self.kafka_sasl_mechanism is None:
                problems.append(f"{protocol} needs kafka_sasl_mechanism")
            if not self.kafka_sasl_username:
                problems.append(f"{protocol} needs kafka_sasl_username")
            if password is None and self.kafka_sasl_password_file is None:
                problems.append(f"{protocol} needs kafka_sasl_password or kafka_sasl_password_file")
            if password is not None and self.kafka_sasl_password_file is not None:
                problems.append("set kafka_sasl_password or kafka_sasl_password_file, not both")
            if password is not None and not password.get_secret_value():
                problems.append("kafka_sasl_password is empty")
        tls_given = [
            name
            for name in ("kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile")
            if getattr(self, name) is not None
        ]
        if tls_given and not tls:
            problems.append(
                f"{', '.join(tls_given)} set but kafka_security_protocol is {protocol} "
                "(use SSL or SASL_SSL)"
            )
        if self.kafka_ssl_keyfile is not None and self.kafka_ssl_certfile is None:
            problems.append("kafka_ssl_keyfile needs kafka_ssl_certfile")
        if problems:
            raise ValueError("inconsistent Kafka security settings: " + "; ".join(problems))
        return self

    def topic(self, name: str) -> str:
        """The full topic name for a logical name like 'payments.raw'."""
        return f"{self.topic_prefix}{name}"


def bootstrap_addresses(bootstrap: str) -> list[tuple[str, int]]:
    """(host, port) pairs of a bootstrap string; ValueError naming the bad part."""
    addresses = []
    for part in (p.strip() for p in bootstrap.split(",")):
        host, sep, port = part.rpartition(":")
        host = host.strip("[]")  # [::1]:9092
        if not sep or not host:
            raise ValueError(f"{part!r} is not host:port (e.g. 127.0.0.1:9092)")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{part!r}: port {port!r} is not a number from 1 to 65535")
        addresses.append((host, int(port)))
    return addresses


def describe_errors(error: ValidationError, prefix: str = "DINARWATCH_", quote: bool = True) -> str:
    """A settings ValidationError on one line: each variable, its value (never a secret's; none
    with quote=False, for settings that hold URLs with tokens) and what is wrong with it."""
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        message = item["msg"].removeprefix("Value error, ")
        if not name:
            parts.append(message)
            continue
        quoted = ""
        if quote and name not in SECRET_FIELDS and isinstance(item.get("input"), str | int | float):
            quoted = f"={str(item['input'])[:80]!r}"
        parts.append(f"{prefix}{name.upper()}{quoted}: {message}")
    return "; ".join(parts) + " (fix it in the environment or .env)"


def load_settings(**overrides: Any) -> Settings:
    """Settings(), with a validation error turned into a one-line ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from None
    except UnicodeDecodeError as exc:  # pydantic-settings reads .env as UTF-8
        raise ConfigError(
            f"{Path('.env').resolve()}: not UTF-8 text (byte {exc.start}): fix or remove the file"
        ) from None


OFFLINE_UNUSED = frozenset(
    name
    for name in Settings.model_fields
    if name.startswith(("kafka_", "topic_", "rocksdb_", "malloc_", "batch_", "web_", "table_"))
    or name
    in {
        "app_id",
        "replication_factor",
        "data_dir",
        "processing_guarantee",
        "max_record_bytes",
        "consumer_max_fetch_bytes",
        "max_poll_records",
        "producer_linger_ms",
        "event_loop",
        "faust_monitor",
        "screen_at_ingest",
    }
)
"""Settings only the worker and Kafka clients read; commands working on files ignore them."""


def offline_settings(warn: Any = None) -> Settings:
    """Settings for a command that never talks to Kafka (screen, replay of files, lists).

    An invalid Kafka or worker setting must not stop offline screening: when the settings fail
    and would pass with those settings at their defaults, `warn` (a callable taking one line)
    is told and the defaults are used. Anything else is a ConfigError.
    """
    try:
        return get_settings()
    except ConfigError as exc:
        defaults = {name: Settings.model_fields[name].default for name in OFFLINE_UNUSED}
        try:
            settings = Settings(**defaults)
        except (ValidationError, UnicodeDecodeError):
            raise exc from None
        if warn is not None:
            warn(f"ignored (not used by this command): {exc.message}")
        return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; ConfigError (one line) when they are invalid."""
    return load_settings()
