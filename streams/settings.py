"""Configuration from the environment (prefix DINARWATCH_) or a .env file, frozen after start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob an operator can turn; defaults are safe for a single local broker."""

    model_config = SettingsConfigDict(
        env_prefix="DINARWATCH_", env_file=".env", extra="ignore", frozen=True
    )

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None

    app_id: str = "dinarwatch"
    topic_prefix: str = Field(default="", description="Prepended to every topic name (tests)")
    topic_partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    web_port: int = 6066
    web_bind: str = "127.0.0.1"
    data_dir: Path = Path(".dinarwatch-data")
    table_store: str = "rocksdb://"
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
    max_future_skew_seconds: int = Field(
        default=3600, ge=0, description="created_at further in the future is rejected"
    )
    earliest_created_at: str = Field(
        default="2000-01-01T00:00:00Z", description="created_at before this is rejected"
    )
    xsd_dir: Path | None = Field(default=None, description="ISO 20022 XSDs (default: shared data)")
    rule_pack: Path | None = None
    ofac_dir: Path | None = None
    un_xml: Path | None = None

    log_level: str = "INFO"
    log_json: bool = False

    def topic(self, name: str) -> str:
        """The full topic name for a logical name like 'payments.raw'."""
        return f"{self.topic_prefix}{name}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
