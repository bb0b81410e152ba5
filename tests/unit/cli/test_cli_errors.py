"""Errors a person can read: every failure below prints one line naming the file, value or
endpoint and exits with the code docs/cli.md documents; tracebacks only with --debug.

No broker is needed: the broker-down cases point at a local port the OS just handed out and
that nothing listens on. The cases that need a broker are in tests/integration/test_cli_broker.py.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.app import app
from infra import errors
from infra.settings import get_settings

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("clean_settings")

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "cli.md"


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    get_settings.cache_clear()
    return runner.invoke(app, args, env=env, catch_exceptions=False)


def one_error_line(result: Result, code: int, *needles: str) -> str:
    """The output ends with exactly one error line holding every needle, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "╭" not in result.output, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors_ = [
        line
        for line in lines
        if re.match(
            r"^(error|configuration error|kafka error|nothing screened|unexpected error):", line
        )
    ]
    assert len(errors_) == 1, result.output
    for needle in needles:
        assert needle in errors_[0], errors_[0]
    return errors_[0]


def closed_port() -> int:
    """A local port nothing listens on (the OS picked it free; we close it at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl.gz"
    result = invoke(["generate", "--count", "40", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def bad_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  a: [1, 2\n  b: 3\n")
    return path


# --- files named on the command line: exit 2 ---------------------------------------------------


def test_screen_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent.jsonl"
    one_error_line(invoke(["screen", str(missing)]), 2, str(missing), "no such file")


def test_screen_a_folder(tmp_path: Path) -> None:
    one_error_line(invoke(["screen", str(tmp_path)]), 2, str(tmp_path), "is a folder")


@pytest.mark.parametrize("command", ["screen", "replay"])
def test_a_gz_file_that_is_not_gzip(tmp_path: Path, command: str) -> None:
    path = tmp_path / "notgzip.jsonl.gz"
    path.write_bytes(b'{"payment_id": "p1"}\n')
    one_error_line(invoke([command, str(path)]), 2, str(path), "not gzip")


@pytest.mark.parametrize("command", ["screen", "replay"])
def test_a_truncated_gz_file(tmp_path: Path, feed: Path, command: str) -> None:
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(feed.read_bytes()[: feed.stat().st_size // 2])
    one_error_line(invoke([command, str(cut)]), 2, str(cut), "truncated")


@pytest.mark.parametrize("command", ["load", "show"])
def test_lists_name_the_bad_yaml_file_and_the_line(bad_yaml: Path, command: str) -> None:
    line = one_error_line(invoke(["lists", command, str(bad_yaml)]), 2, str(bad_yaml), "line 3")
    assert "<unicode string>" not in line


def test_replay_with_a_bad_rule_pack(feed: Path, bad_yaml: Path) -> None:
    result = invoke(["replay", str(feed), "--rule-pack", str(bad_yaml)])
    one_error_line(result, 2, f"rule pack {bad_yaml}", "invalid YAML")


def test_replay_with_a_rule_pack_that_fails_validation(feed: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("name: x\nrules: {}\n")
    one_error_line(invoke(["replay", str(feed), "--rule-pack", str(pack)]), 2, str(pack))


def test_replay_compare_with_a_missing_file(feed: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = invoke(
        ["replay", str(feed), "--compare", str(missing), "--report", str(tmp_path / "r")]
    )
    one_error_line(result, 2, f"--compare {missing}", "no such file")
    assert not (tmp_path / "r" / "report.json").exists()  # refused before the replay ran


def test_replay_compare_with_garbage(feed: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    one_error_line(
        invoke(["replay", str(feed), "--compare", str(garbage)]), 2, str(garbage), "not JSON"
    )


def test_replay_report_into_a_file(feed: Path, tmp_path: Path) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n")
    result = invoke(["replay", str(feed), "--report", str(target)])
    one_error_line(result, 2, f"--report {target}", "is a file")
    assert target.read_text() == "root:x:0:0\n"


def test_replay_a_missing_input(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    one_error_line(invoke(["replay", str(missing)]), 2, str(missing), "no such file")


# --- settings: exit 3 ------------------------------------------------------------------------


def test_rule_pack_setting_pointing_nowhere(feed: Path) -> None:
    result = invoke(["screen", str(feed)], {"DINARWATCH_RULE_PACK": "/missing/pack.yaml"})
    one_error_line(result, 3, "DINARWATCH_RULE_PACK=/missing/pack.yaml")


def test_an_invalid_kafka_setting_does_not_stop_offline_screening(feed: Path) -> None:
    result = invoke(["screen", str(feed), "--event-time"], {"DINARWATCH_TOPIC_PARTITIONS": "abc"})
    assert result.exit_code == 0, result.output
    assert "warning: ignored (not used by this command): DINARWATCH_TOPIC_PARTITIONS='abc'" in (
        result.output
    )
    assert result.output.count('"decision"') == 40


def test_an_invalid_kafka_setting_stops_kafka_commands() -> None:
    result = invoke(["topics", "check"], {"DINARWATCH_TOPIC_PARTITIONS": "abc"})
    one_error_line(result, 3, "DINARWATCH_TOPIC_PARTITIONS='abc'", "valid integer")


def test_an_invalid_offline_setting_stops_offline_commands(feed: Path) -> None:
    result = invoke(["screen", str(feed)], {"DINARWATCH_MAX_MESSAGE_BYTES": "lots"})
    one_error_line(result, 3, "DINARWATCH_MAX_MESSAGE_BYTES='lots'")


def test_a_bootstrap_that_is_not_host_port() -> None:
    result = invoke(["topics", "check"], {"DINARWATCH_KAFKA_BOOTSTRAP": "notahost:xx"})
    one_error_line(result, 3, "DINARWATCH_KAFKA_BOOTSTRAP='notahost:xx'", "port 'xx'")


def test_a_host_that_does_not_resolve() -> None:
    result = invoke(["topics", "check"], {"DINARWATCH_KAFKA_BOOTSTRAP": "notahost.invalid:9092"})
    one_error_line(result, 4, "notahost.invalid:9092", "no such host")


def test_a_wrong_sasl_setting() -> None:
    env = {"DINARWATCH_KAFKA_SASL_MECHANISM": "PLAIN", "DINARWATCH_KAFKA_SASL_PASSWORD": "s3cret"}
    line = one_error_line(
        invoke(["topics", "check"], env), 3, "kafka_security_protocol is PLAINTEXT"
    )
    assert "s3cret" not in line


def test_an_unknown_sasl_mechanism() -> None:
    env = {
        "DINARWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "DINARWATCH_KAFKA_SASL_MECHANISM": "KERBEROS",
    }
    one_error_line(
        invoke(["topics", "check"], env), 3, "DINARWATCH_KAFKA_SASL_MECHANISM='KERBEROS'"
    )


def test_a_missing_sasl_password_file(tmp_path: Path) -> None:
    missing = tmp_path / "kafka-password"
    env = {
        "DINARWATCH_KAFKA_BOOTSTRAP": f"127.0.0.1:{closed_port()}",
        "DINARWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "DINARWATCH_KAFKA_SASL_MECHANISM": "PLAIN",
        "DINARWATCH_KAFKA_SASL_USERNAME": "dinarwatch",
        "DINARWATCH_KAFKA_SASL_PASSWORD_FILE": str(missing),
    }
    one_error_line(invoke(["topics", "check"], env), 3, f"kafka_sasl_password_file {missing}")


@pytest.mark.parametrize("content", [None, "folder"])
def test_an_xsd_dir_without_schemas(feed: Path, tmp_path: Path, content: str | None) -> None:
    where = tmp_path / "xsd"
    if content:
        where.mkdir()
        (where / "README").write_text("no schemas here")
    result = invoke(["screen", str(feed)], {"DINARWATCH_XSD_DIR": str(where)})
    one_error_line(result, 3, f"DINARWATCH_XSD_DIR='{where}'")


def test_an_invalid_notifier_setting_is_named_but_not_quoted() -> None:
    result = invoke(["notifier"], {"DINARWATCH_NOTIFY_WEB_PORT": "https://hooks.example/s3cret"})
    line = one_error_line(result, 3, "DINARWATCH_NOTIFY_WEB_PORT")
    assert "s3cret" not in line


# --- broker down: exit 4, at once --------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["topics", "check"],
        ["topics", "create"],
        ["lists", "publish", "--current"],
        ["generate", "--count", "5", "--topic", "payments.raw"],
        ["worker"],
        ["worker", "--check"],
        ["replay", "--topic", "payments.raw"],
        ["notifier"],
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_broker_down(args: list[str]) -> None:
    port = closed_port()
    env = {"DINARWATCH_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}"}
    if args[0] == "notifier":  # a notifier without a channel stops before the broker check
        env["DINARWATCH_NOTIFY_WEBHOOK_URL"] = f"http://127.0.0.1:{closed_port()}/hook"
    result = invoke(args, env)
    one_error_line(
        result, 4, f"127.0.0.1:{port}", "connection refused", "DINARWATCH_KAFKA_BOOTSTRAP"
    )


# --- tracebacks only on request; bugs are one line too ------------------------------------------


def test_debug_shows_the_traceback_and_keeps_the_documented_exit_code(tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexistent.jsonl")
    for args, env in (
        (["--debug", "screen", missing], None),
        (["screen", missing], {"DINARWATCH_LOG_LEVEL": "DEBUG"}),
    ):
        result = invoke(args, env)
        assert result.exit_code == errors.InputError.exit_code, result.output
        assert "Traceback" in result.output and "InputError" in result.output
        last = [line for line in result.output.splitlines() if line.strip()][-1]
        assert "no such file" in last and missing in last


def test_an_unexpected_error_is_one_line_with_exit_70(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import offline.screen

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the screening core broke")

    monkeypatch.setattr(offline.screen, "screen_records", broken)
    result = invoke(["screen", str(feed)])
    line = one_error_line(result, errors.EXIT_INTERNAL, "RuntimeError: the screening core broke")
    assert "--debug" in line


def test_usage_errors_stay_typer_usage_errors() -> None:
    assert invoke(["generate", "--count", "many"]).exit_code == 2


def test_the_exit_code_table_in_the_docs_matches_the_code() -> None:
    text = DOCS.read_text("utf-8")
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", text, re.MULTILINE))
    assert {int(k) for k in rows} == set(errors.EXIT_CODES)


def test_lists_show_survives_an_invalid_kafka_setting() -> None:
    result = invoke(["lists", "show"], {"DINARWATCH_REPLICATION_FACTOR": "three"})
    assert result.exit_code == 0, result.output
    assert "warning: ignored (not used by this command): DINARWATCH_REPLICATION_FACTOR" in (
        result.output
    )
    assert "cbi-usd-ban" in result.output


@pytest.mark.parametrize(
    "raised",
    ["KafkaTimeoutError", "KafkaConnectionError", "SaslAuthenticationFailedError", "KafkaError"],
)
def test_every_kafka_client_error_becomes_a_broker_error(raised: str) -> None:
    """kafka_errors names only exception classes this kafka-python has (3.x dropped
    NoBrokersAvailable): each failure the client raises becomes one BrokerError line."""
    from kafka import errors as kafka_errors_module

    from infra.preflight import kafka_errors
    from infra.settings import Settings

    settings = Settings(_env_file=None)
    with (
        pytest.raises(errors.BrokerError, match=settings.kafka_bootstrap),
        kafka_errors(settings, "testing"),
    ):
        raise getattr(kafka_errors_module, raised)("boom")


def test_a_bad_bootstrap_override_is_a_usage_error() -> None:
    result = invoke(["replay", "--topic", "payments.raw", "--bootstrap", "nohostport"])
    assert result.exit_code == 2, result.output
    assert "--bootstrap" in result.output and "Traceback" not in result.output


def test_a_bad_rule_pack_is_reported_before_the_inputs_are_read(
    tmp_path: Path, bad_yaml: Path
) -> None:
    missing = tmp_path / "nope.jsonl"  # would be "no such file" if inputs came first
    result = invoke(["replay", str(missing), "--rule-pack", str(bad_yaml)])
    one_error_line(result, 2, f"rule pack {bad_yaml}")


def test_list_file_and_security_errors_from_other_modules_are_configuration_errors() -> None:
    """The worker loads the configured lists and TLS/SASL files outside any command's own
    checks: their errors, which name the file, still become one configuration line."""
    from cli.app import _known_error
    from infra.kafka_clients import KafkaSecurityError
    from lists.files import ListFileError

    listed = _known_error(ListFileError("no sdn.csv in /srv/ofac"))
    assert isinstance(listed, errors.ConfigError) and "/srv/ofac" in listed.line()
    secured = _known_error(KafkaSecurityError("kafka_ssl_cafile /x.pem: cannot load it"))
    assert isinstance(secured, errors.ConfigError) and secured.exit_code == 3
    assert _known_error(RuntimeError("bug")) is None


def test_an_ofac_dir_without_sdn_csv_is_a_configuration_error(feed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "ofac"
    empty.mkdir()
    result = invoke(["screen", str(feed)], {"DINARWATCH_OFAC_DIR": str(empty)})
    one_error_line(result, 3, f"DINARWATCH_OFAC_DIR={empty}")


# --- found by the release check from a fresh clone ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["replay", "{feed}", "--as-of", "notadate"], ["--as-of", "notadate"]),
        (["generate", "--count", "-1", "--out", "{tmp}/x.jsonl"], ["--count"]),
        (["generate", "--count", "5", "--rate", "-1", "--out", "{tmp}/x.jsonl"], ["--rate"]),
        (["generate", "--violation-rate", "2", "--out", "{tmp}/x.jsonl"], ["--violation-rate"]),
        (["generate", "--malformed-rate", "-0.1", "--out", "{tmp}/x.jsonl"], ["--malformed-rate"]),
        (["screen", "a.jsonl", "b.jsonl"], ["unexpected extra argument"]),
        (["screen", "--no-such-option"], ["--no-such-option"]),
        (["topics", "create", "--partitions", "0"], ["--partitions"]),
    ],
    ids=["as-of", "count", "rate", "violation-rate", "malformed-rate", "extra", "option", "parts"],
)
def test_a_bad_argument_is_one_line_with_exit_2(
    args: list[str], needles: list[str], feed: Path, tmp_path: Path
) -> None:
    """Typer's boxed usage panel (6 lines) becomes one line naming the option and the command's
    --help; a rate outside 0..1 or a negative --rate is refused, not silently used."""
    filled = [a.format(feed=feed, tmp=tmp_path) for a in args]
    line = one_error_line(invoke(filled), 2, *needles)
    assert line.endswith("--help`"), line
    assert not (tmp_path / "x.jsonl").exists()


def test_a_bare_command_group_still_prints_its_help() -> None:
    result = invoke(["topics"])
    assert "create" in result.output and "check" in result.output
    assert "error:" not in result.output


def test_generate_into_a_missing_folder_is_one_line_before_any_progress(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.jsonl"
    result = invoke(["generate", "--count", "5", "--out", str(target)])
    one_error_line(result, 2, str(target), "no such file or directory", "existing folder")
    assert "generating" not in result.output  # no progress bar at 0 before the error


def test_generate_with_an_unwritable_labels_file_writes_nothing(tmp_path: Path) -> None:
    out, labels = tmp_path / "x.jsonl", tmp_path / "nonexistent" / "labels.jsonl"
    result = invoke(["generate", "--count", "5", "--out", str(out), "--labels", str(labels)])
    one_error_line(result, 2, str(labels))
    assert out.read_bytes() == b""


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", ["screen", "replay"])
def test_a_file_that_fails_to_read_is_an_input_error(command: str) -> None:
    """/proc/self/mem opens but every read fails with EIO, even for root (chmod 000 does not
    stop root): replay hashed inputs without a guard and reported a bug (exit 70)."""
    result = invoke([command, "/proc/self/mem"])
    one_error_line(result, 2, "/proc/self/mem", "cannot be read", "input/output error")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DINARWATCH_NOTIFY_WEBHOOK_URL", "hooks.example/s3cret"),
        ("DINARWATCH_NOTIFY_WEBHOOK_URL", "ftp://hooks.example/s3cret"),
        ("DINARWATCH_NOTIFY_WEBHOOK_URL", "http://hooks.example:s3cret/x"),
        ("DINARWATCH_NOTIFY_ALERTMANAGER_URL", "http//s3cret"),
    ],
)
def test_a_notifier_url_that_cannot_be_posted_to_stops_it_at_start(
    variable: str, value: str
) -> None:
    """It used to start, consume alerts and fail at each delivery; the value is never quoted
    (webhook URLs carry tokens)."""
    result = invoke(["notifier"], {variable: value})
    line = one_error_line(result, 3, variable, "http")
    assert "s3cret" not in line


def test_a_notifier_without_a_channel_is_a_configuration_error() -> None:
    """It exited 1 (documented as "the answer is no") with a line lacking the error prefix,
    and only after the broker check."""
    result = invoke(["notifier"], {"DINARWATCH_KAFKA_BOOTSTRAP": f"127.0.0.1:{closed_port()}"})
    one_error_line(result, 3, "no notification channel", "DINARWATCH_NOTIFY_WEBHOOK_URL")


def test_a_busy_web_port_is_one_configuration_line() -> None:
    from infra.preflight import require_port_free

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = int(busy.getsockname()[1])
        with pytest.raises(errors.ConfigError) as raised:
            require_port_free("127.0.0.1", port, "DINARWATCH_WEB_PORT or --web-port")
    line = raised.value.line()
    assert f"127.0.0.1:{port}" in line and "DINARWATCH_WEB_PORT" in line, line
    require_port_free("127.0.0.1", port, "DINARWATCH_WEB_PORT")  # free again: no error


def test_a_replication_factor_above_the_brokers_is_one_short_configuration_line() -> None:
    """kafka-python's error quotes the whole CreateTopics request (900 characters)."""
    from kafka import errors as kafka_errors_module

    from infra.preflight import kafka_errors
    from infra.settings import Settings

    settings = Settings(_env_file=None, replication_factor=5)
    raw = kafka_errors_module.InvalidReplicationFactorError(
        "Request 'CreateTopicsRequest(" + "x" * 800 + ")' failed"
    )
    with pytest.raises(errors.ConfigError) as raised, kafka_errors(settings, "creating topics"):
        raise raw
    line = raised.value.line()
    assert "DINARWATCH_REPLICATION_FACTOR=5" in line and len(line) < 300, line
    with pytest.raises(errors.BrokerError) as other, kafka_errors(settings, "creating topics"):
        raise kafka_errors_module.PolicyViolationError("Request 'X(" + "y" * 800 + ")' failed")
    assert len(other.value.line()) < 300 and "yyyy" not in other.value.line()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x89PNG garbage, not XML", "not well-formed XML"),
        (b'<?xml version="1.0"?><CONSOLIDATED_LIST/>', "holds no entry"),
    ],
    ids=["not-xml", "no-entry"],
)
def test_a_un_list_setting_that_is_not_the_un_list(
    feed: Path, tmp_path: Path, content: bytes, needle: str
) -> None:
    """Garbage was a bug line (XMLSyntaxError, exit 70); an XML file of another schema loaded
    as an empty list and screening went on without the UN list, without a word."""
    un = tmp_path / "un.xml"
    un.write_bytes(content)
    result = invoke(["screen", str(feed)], {"DINARWATCH_UN_XML": str(un)})
    one_error_line(result, 3, f"DINARWATCH_UN_XML={un}", needle)


def test_lists_load_of_a_file_that_is_not_xml(tmp_path: Path) -> None:
    bad = tmp_path / "un.xml"
    bad.write_bytes(b"\x00\x01 not xml")
    one_error_line(invoke(["lists", "load", str(bad)]), 2, str(bad), "not well-formed XML")


def test_a_env_file_that_is_not_utf8(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pydantic-settings read .env and raised UnicodeDecodeError: exit 70."""
    (tmp_path / ".env").write_bytes(b"DINARWATCH_LOG_LEVEL=INFO\n\xff\xfe garbage\n")
    monkeypatch.chdir(tmp_path)
    one_error_line(invoke(["screen", str(feed)]), 3, ".env", "not UTF-8")


def test_a_data_dir_that_is_a_file_stops_the_worker_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FileExistsError from mkdir was a bug line (exit 70). The broker check comes first, so
    it is pointed at a local listener that accepts TCP (the data folder is checked before
    anything speaks Kafka)."""
    a_file = tmp_path / "state"
    a_file.write_text("not a folder")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        bootstrap = f"127.0.0.1:{listener.getsockname()[1]}"
        with socket.socket() as web:
            web.bind(("127.0.0.1", 0))
            free_port = str(web.getsockname()[1])
        result = invoke(
            ["worker", "--web-port", free_port],
            {"DINARWATCH_KAFKA_BOOTSTRAP": bootstrap, "DINARWATCH_DATA_DIR": str(a_file)},
        )
    one_error_line(result, 3, f"DINARWATCH_DATA_DIR={a_file}", "state folder")


@pytest.mark.parametrize(
    "args", [["demo", "--duration", "-1"], ["demo", "--rate", "0"]], ids=["duration", "rate"]
)
def test_demo_refuses_a_duration_or_rate_it_cannot_run(args: list[str]) -> None:
    """--duration -1 exited 1 with no word; --rate 0 died in a thread with ZeroDivisionError."""
    one_error_line(invoke(args), 2, args[1])


def test_screen_rejects_into_a_missing_folder_says_what_to_do(feed: Path, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "rejects.jsonl"
    result = invoke(["screen", str(feed), "--rejects", str(target)])
    one_error_line(result, 2, str(target), "existing folder")


def test_the_worker_refuses_a_un_list_setting_with_no_entry(tmp_path: Path) -> None:
    """The worker loads its lists through context_from_settings: the same refusal as screen."""
    from infra.settings import Settings
    from screening.context_loader import context_from_settings

    un = tmp_path / "un.xml"
    un.write_bytes(b'<?xml version="1.0"?><CONSOLIDATED_LIST/>')
    with pytest.raises(errors.ConfigError, match="holds no entry"):
        context_from_settings(Settings(_env_file=None, un_xml=un))


@pytest.mark.parametrize(
    ("args", "env", "code", "needle"),
    [
        (["worker"], {"DINARWATCH_WEB_PORT": "99999"}, 3, "DINARWATCH_WEB_PORT='99999'"),
        (["worker", "--web-port", "99999"], {}, 2, "--web-port"),
        (["notifier", "--web-port", "-1"], {}, 2, "--web-port"),
        (["notifier"], {"DINARWATCH_NOTIFY_WEB_PORT": "70000"}, 3, "DINARWATCH_NOTIFY_WEB_PORT"),
        (["topics", "create"], {"DINARWATCH_TOPIC_PREFIX": "a b/"}, 3, "DINARWATCH_TOPIC_PREFIX"),
        (["worker", "--check"], {"DINARWATCH_APP_ID": ""}, 3, "DINARWATCH_APP_ID"),
    ],
    ids=["env-port", "opt-port", "notifier-opt", "notifier-env", "prefix", "app-id"],
)
def test_a_port_or_topic_name_setting_kafka_or_the_os_would_refuse(
    args: list[str], env: dict[str, str], code: int, needle: str
) -> None:
    """A port above 65535 was an OverflowError (exit 70); a prefix with a space reached the
    broker as InvalidTopicError (exit 4, "the broker answered"); an empty app id passed."""
    env = {"DINARWATCH_NOTIFY_WEBHOOK_URL": "http://127.0.0.1:9/hook", **env}
    one_error_line(invoke(args, env), code, needle)


def test_a_web_bind_address_this_host_lacks_names_the_bind_setting() -> None:
    from infra.preflight import require_port_free

    with pytest.raises(errors.ConfigError) as raised:
        require_port_free("nohost.invalid", 6066, "DINARWATCH_WEB_PORT")
    line = raised.value.line()
    assert "DINARWATCH_WEB_BIND" in line and "stop what uses the port" not in line, line
