"""Translate the security settings into each Kafka client library's keyword arguments.

Secrets are read from SecretStr only here, at connection time, and never logged.
"""

from __future__ import annotations

from typing import Any

import faust

from streams.settings import Settings


def kafka_python_security(settings: Settings) -> dict[str, Any]:
    """kafka-python's security_protocol / sasl_* / ssl_* arguments."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism:
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        if settings.kafka_sasl_password is not None:
            options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_ssl_cafile:
        options["ssl_cafile"] = str(settings.kafka_ssl_cafile)
    return options


def faust_broker_options(settings: Settings) -> dict[str, Any]:
    """Faust's broker credentials from the security settings (None for plaintext)."""
    if settings.kafka_sasl_mechanism and settings.kafka_sasl_password is not None:
        return {
            "broker_credentials": faust.SASLCredentials(
                username=settings.kafka_sasl_username,
                password=settings.kafka_sasl_password.get_secret_value(),
                mechanism=settings.kafka_sasl_mechanism,
            )
        }
    return {}
