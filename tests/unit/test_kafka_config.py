"""Security settings -> kafka-python / aiokafka / Faust options (infra/kafka_clients.py).

The broker side of the same settings is proven in tests/integration/test_secure_broker.py.
"""

from __future__ import annotations

import logging
import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import faust
import pytest
from faust.types.auth import AuthProtocol, SASLMechanism
from pydantic import SecretStr, ValidationError

from infra.kafka_clients import (
    KafkaSecurityError,
    aiokafka_security,
    client_options,
    faust_broker_options,
    kafka_python_security,
    sasl_password,
    ssl_context,
)
from infra.settings import Settings
from tests.secure_broker import make_certificates

SECRET = "s3cr3t-Pa55word-do-not-log"
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


@pytest.fixture(autouse=True)
def _no_dinarwatch_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings only from the test's arguments: no DINARWATCH_* variable, no .env file."""
    import os

    for name in list(os.environ):
        if name.startswith("DINARWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """ca.pem, client.pem and client.key made with openssl (as for the test broker)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")
    make_certificates(d, "keystore-pass")
    yield d


def sasl(mechanism: str = "SCRAM-SHA-512", protocol: str = "SASL_SSL", **extra: Any) -> Settings:
    fields: dict[str, Any] = {
        "kafka_security_protocol": protocol,
        "kafka_sasl_mechanism": mechanism,
        "kafka_sasl_username": "svc-dinarwatch",
        "kafka_sasl_password": SECRET,
        **extra,
    }
    return Settings(**{k: v for k, v in fields.items() if v is not None})


# --- option translation ------------------------------------------------------------------------


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    settings = Settings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert kafka_python_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert aiokafka_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_broker_options(settings) == {}
    assert ssl_context(settings) is None


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_plaintext(mechanism: str) -> None:
    settings = sasl(mechanism, "SASL_PLAINTEXT")
    expected = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "svc-dinarwatch",
        "sasl_plain_password": SECRET,
    }
    assert kafka_python_security(settings) == expected
    assert aiokafka_security(settings) == expected
    credentials = faust_broker_options(settings)["broker_credentials"]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol is AuthProtocol.SASL_PLAINTEXT
    assert credentials.mechanism is SASLMechanism(mechanism)
    assert (credentials.username, credentials.password) == ("svc-dinarwatch", SECRET)
    assert credentials.ssl_context is None


def _verifies(context: Any, pki: Path | None = None) -> None:
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    if pki is not None:
        subjects = [str(ca.get("subject")) for ca in context.get_ca_certs()]
        assert [s for s in subjects if "'dinarwatch test CA'" in s]


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_ssl_with_a_ca_file(mechanism: str, pki: Path) -> None:
    settings = sasl(mechanism, kafka_ssl_cafile=pki / "ca.pem")
    for options in (kafka_python_security(settings), aiokafka_security(settings)):
        assert options["security_protocol"] == "SASL_SSL"
        assert options["sasl_mechanism"] == mechanism
        assert options["sasl_plain_password"] == SECRET
        _verifies(options["ssl_context"], pki)
        assert "ssl_cafile" not in options  # one context for every library
    credentials = faust_broker_options(settings)["broker_credentials"]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol is AuthProtocol.SASL_SSL  # Faust's switch: an ssl_context
    assert credentials.mechanism is SASLMechanism(mechanism)
    _verifies(credentials.ssl_context, pki)


def test_tls_without_a_ca_file_verifies_against_the_system_cas() -> None:
    settings = Settings(kafka_security_protocol="SSL")
    options = kafka_python_security(settings)
    assert set(options) == {"security_protocol", "ssl_context"}
    _verifies(options["ssl_context"])


def test_ssl_with_client_certificate_for_mutual_tls(pki: Path) -> None:
    settings = Settings(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=pki / "ca.pem",
        kafka_ssl_certfile=pki / "client.pem",
        kafka_ssl_keyfile=pki / "client.key",
    )
    for options in (kafka_python_security(settings), aiokafka_security(settings)):
        assert set(options) == {"security_protocol", "ssl_context"}
        assert options["security_protocol"] == "SSL"
        _verifies(options["ssl_context"], pki)
    credentials = faust_broker_options(settings)["broker_credentials"]
    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials.protocol is AuthProtocol.SSL
    _verifies(credentials.context, pki)


def test_unreadable_tls_files_fail_with_the_setting_name(pki: Path, tmp_path: Path) -> None:
    missing_ca = Settings(kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "nope.pem")
    with pytest.raises(KafkaSecurityError, match="kafka_ssl_cafile"):
        kafka_python_security(missing_ca)
    wrong_key = Settings(
        kafka_security_protocol="SSL",
        kafka_ssl_certfile=pki / "client.pem",
        kafka_ssl_keyfile=pki / "ca.key",  # not the certificate's key
    )
    with pytest.raises(KafkaSecurityError, match="kafka_ssl_certfile"):
        aiokafka_security(wrong_key)


def test_every_client_gets_bootstrap_role_and_security(pki: Path) -> None:
    """What the factory (kafka_producer, aio_consumer, ...) hands every client, whatever its job."""
    settings = sasl("SCRAM-SHA-256", kafka_ssl_cafile=pki / "ca.pem", kafka_bootstrap="b:9093")
    options = client_options(settings, "notifier")
    assert options["bootstrap_servers"] == "b:9093"
    assert options["client_id"] == f"{settings.app_id}-notifier"
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert options["sasl_plain_password"] == SECRET
    _verifies(options["ssl_context"], pki)


# --- the password file -------------------------------------------------------------------------


def test_password_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(f"  {SECRET} x\n")  # the line break is not part of it, spaces are
    settings = sasl(kafka_sasl_password=None, kafka_sasl_password_file=secret)
    assert sasl_password(settings) == f"  {SECRET} x"
    assert kafka_python_security(settings)["sasl_plain_password"] == f"  {SECRET} x"
    assert aiokafka_security(settings)["sasl_plain_password"] == f"  {SECRET} x"
    credentials = faust_broker_options(settings)["broker_credentials"]
    assert credentials.password == f"  {SECRET} x"
    secret.write_text("rotated\r\n")  # read again by each new client
    assert sasl_password(settings) == "rotated"


def test_password_file_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "password"
    secret.write_text(SECRET)
    for name, value in {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "svc",
        "KAFKA_SASL_PASSWORD_FILE": str(secret),
    }.items():
        monkeypatch.setenv(f"DINARWATCH_{name}", value)
    assert aiokafka_security(Settings())["sasl_plain_password"] == SECRET


@pytest.mark.parametrize(("content", "error"), [(None, "cannot read"), ("\n", "is empty")])
def test_bad_password_file(tmp_path: Path, content: str | None, error: str) -> None:
    secret = tmp_path / "password"
    if content is not None:
        secret.write_text(content)
    settings = sasl(kafka_sasl_password=None, kafka_sasl_password_file=secret)
    with pytest.raises(KafkaSecurityError, match=f"kafka_sasl_password_file .* {error}"):
        faust_broker_options(settings)


# --- secrets stay secret -----------------------------------------------------------------------


def test_password_is_never_in_a_repr_a_dump_or_faust_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DINARWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("DINARWATCH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("DINARWATCH_KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("DINARWATCH_KAFKA_SASL_PASSWORD", SECRET)
    settings = Settings()
    assert isinstance(settings.kafka_sasl_password, SecretStr)
    assert settings.kafka_sasl_password.get_secret_value() == SECRET
    shown = [
        repr(settings),
        str(settings),
        repr(settings.kafka_sasl_password),
        str(settings.kafka_sasl_password),
        settings.model_dump_json(),
        str(settings.model_dump()),
        repr(faust_broker_options(settings)),
    ]
    assert not [text for text in shown if SECRET in text]


def test_kafka_python_admin_debug_log_masks_the_password(caplog: pytest.LogCaptureFixture) -> None:
    """KafkaAdminClient logs its kwargs at DEBUG; infra.kafka_clients masks them."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaConfigurationError

    caplog.set_level(logging.DEBUG, logger="kafka.admin.client")
    options = kafka_python_security(sasl("SCRAM-SHA-512", "SASL_PLAINTEXT"))
    with pytest.raises(KafkaConfigurationError):  # raised right after the log line: no network
        KafkaAdminClient(bootstrap_servers="127.0.0.1:9", not_an_option=True, **options)
    assert "Starting KafkaAdminClient with configuration" in caplog.text
    assert "'sasl_plain_password': '**********'" in caplog.text
    assert SECRET not in caplog.text
    assert options["sasl_plain_password"] == SECRET  # the client still gets the real one


def test_validation_errors_do_not_quote_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINARWATCH_KAFKA_SASL_PASSWORD", SECRET)  # but protocol PLAINTEXT
    with pytest.raises(ValidationError) as error:
        Settings()
    assert "kafka_sasl_password set but kafka_security_protocol is PLAINTEXT" in str(error.value)
    assert SECRET not in str(error.value)
    assert SECRET not in repr(error.value)


# --- inconsistent combinations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kafka_sasl_mechanism": "PLAIN"}, "kafka_sasl_mechanism set but .* is PLAINTEXT"),
        (
            {"kafka_security_protocol": "SSL", "kafka_sasl_username": "u"},
            "kafka_sasl_username set but kafka_security_protocol is SSL",
        ),
        ({"kafka_ssl_cafile": "ca.pem"}, "kafka_ssl_cafile set but .* is PLAINTEXT"),
        (
            {
                "kafka_security_protocol": "SASL_PLAINTEXT",
                **dict.fromkeys(["kafka_ssl_certfile"], "c"),
            },
            "kafka_ssl_certfile set but .* is SASL_PLAINTEXT",
        ),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "SCRAM-SHA-512"},
            "SASL_SSL needs kafka_sasl_username; SASL_SSL needs kafka_sasl_password or "
            "kafka_sasl_password_file",
        ),
        (
            {
                "kafka_security_protocol": "SASL_SSL",
                "kafka_sasl_username": "u",
                "kafka_sasl_password": "p",
            },
            "SASL_SSL needs kafka_sasl_mechanism",
        ),
        (
            {
                "kafka_security_protocol": "SASL_SSL",
                "kafka_sasl_mechanism": "PLAIN",
                "kafka_sasl_username": "u",
                "kafka_sasl_password": "p",
                "kafka_sasl_password_file": "/run/secrets/kafka",
            },
            "not both",
        ),
        (
            {
                "kafka_security_protocol": "SASL_SSL",
                "kafka_sasl_mechanism": "PLAIN",
                "kafka_sasl_username": "u",
                "kafka_sasl_password": "",
            },
            "kafka_sasl_password is empty",
        ),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_keyfile": "k.pem"},
            "kafka_ssl_keyfile needs kafka_ssl_certfile",
        ),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
        ({"kafka_security_protocol": "TLS"}, "kafka_security_protocol"),
    ],
)
def test_inconsistent_settings_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"kafka_security_protocol": "SSL"},
        {"kafka_security_protocol": "SSL", "kafka_ssl_certfile": "both-in-one.pem"},
        {
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": "SCRAM-SHA-256",
            "kafka_sasl_username": "u",
            "kafka_sasl_password_file": "/run/secrets/kafka",
        },
    ],
)
def test_consistent_settings_are_accepted(fields: dict[str, Any]) -> None:
    Settings(**fields)


def test_the_factory_builds_the_client_with_the_jobs_options(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """kafka_admin hands its options and the security settings to the client (which refuses an
    unknown option right after logging its configuration: no network needed)."""
    from kafka.errors import KafkaConfigurationError

    from infra.kafka_clients import kafka_admin

    caplog.set_level(logging.DEBUG, logger="kafka.admin.client")
    settings = sasl("SCRAM-SHA-512", "SASL_PLAINTEXT")
    with pytest.raises(KafkaConfigurationError, match="not_an_option"):
        kafka_admin(settings, "probe", not_an_option=True)
    assert f"'client_id': '{settings.app_id}-probe'" in caplog.text
    assert "'sasl_mechanism': 'SCRAM-SHA-512'" in caplog.text
    assert SECRET not in caplog.text
