"""`lists fetch` against a local HTTP server (tests/list_server.py): no internet.

Fixtures are cut from OFAC's real legacy CSV (../shared/data/ofac/set_2021-07/sdn.csv, the SDN
list of 2021-07-07) and the real UN consolidated XML (../shared/data/un): a good download, a
transfer cut short (Content-Length larger than what arrives), a file cut mid-way that still
arrives whole, a list that shrank by 30%, an HTML page instead of the list, a server that is down.
In every failure the version in force stays the last good one.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from typer.testing import CliRunner, Result

from cli.app import app
from infra import errors
from infra.metrics import PipelineMetrics
from lists.fetch import FetchFailed, FetchOptions, fetch_source
from lists.fetch_metrics import registry_for
from lists.files import ListFileError, load_lists, load_manifest_lists, read_manifest
from lists.store import ListStore
from lists.wire import decode_record, encode_list
from rules.lists.sources import SOURCES
from tests.list_server import CSV, HTML, XML, ListServer, Route
from tests.unit.rules.conftest import SET_2021, SHARED_DATA, UN_XML, need

REPO = Path(__file__).resolve().parents[3]


def sdn_rows(count: int) -> bytes:
    """The first `count` rows of the real 2021-07-07 sdn.csv, ending as OFAC's files do."""
    rows = need(SET_2021 / "sdn.csv").read_bytes().rstrip(b"\x1a").split(b"\r\n")
    return b"\r\n".join(rows[:count]) + b"\r\n\x1a"


@pytest.fixture(scope="module")
def server() -> Iterator[ListServer]:
    with ListServer.running() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> ListStore:
    return ListStore(tmp_path / "store")


def options(server: ListServer, **extra: object) -> FetchOptions:
    urls = {"ofac-sdn": f"{server.url}/ofac/", "un": f"{server.url}/un/consolidated.xml"}
    return FetchOptions(urls=urls, timeout=5, **extra)  # type: ignore[arg-type]


def serve_sdn(server: ListServer, body: bytes, **route: object) -> None:
    server.routes.clear()
    server.routes["/ofac/sdn.csv"] = Route(body, **route)  # type: ignore[arg-type]


def at(minute: int) -> datetime:
    return datetime(2026, 12, 6, 12, minute, tzinfo=UTC)


def test_a_good_download_is_stored_with_its_manifest(server: ListServer, store: ListStore) -> None:
    body = sdn_rows(1000)
    serve_sdn(server, body, last_modified="Wed, 07 Jul 2021 16:00:00 GMT")
    result = fetch_source(store, "ofac-sdn", options(server), now=at(0))

    assert result.changed and len(result.lists) == 1
    reference = result.lists[0]
    assert reference.name == "ofac-sdn" and len(reference) == 1000
    assert reference.version.startswith("2021-07-07+")  # dated by Last-Modified
    current = store.current("ofac-sdn")
    assert current is not None and current.version_id == result.stored.version_id
    item = current.manifest.lists[0]
    assert item.sha256 == hashlib.sha256(body).hexdigest()
    assert item.files == {"sdn.csv": item.sha256}
    assert (item.entries, item.version, item.source) == (1000, reference.version, "ofac-sdn")
    assert item.url == f"{server.url}/ofac/" and item.fetched_at == at(0)
    assert (current.folder / "sdn.csv").read_bytes() == body
    assert reference.manifest is not None and reference.manifest["sha256"] == item.sha256
    # the optional files were asked for, under both names, and their 404 is not a failure
    assert "/ofac/alt.csv" in server.requests and "/ofac/ALT.CSV" in server.requests

    again = fetch_source(store, "ofac-sdn", options(server), now=at(5))
    assert not again.changed and again.stored.version_id == current.version_id
    assert store.versions("ofac-sdn") == [current.version_id]


def test_the_store_manifest_loads_and_a_tampered_file_is_refused(
    server: ListServer, store: ListStore
) -> None:
    serve_sdn(server, sdn_rows(300))
    fetch_source(store, "ofac-sdn", options(server), now=at(0))
    lists = load_manifest_lists(read_manifest(store.root / "manifest.yaml"))
    loaded = lists.get("ofac-sdn")
    assert loaded is not None and len(loaded) == 300
    assert loaded.manifest is not None and loaded.manifest["source"] == "ofac-sdn"

    current = store.current("ofac-sdn")
    assert current is not None
    (current.folder / "sdn.csv").write_bytes(sdn_rows(299))
    with pytest.raises(ListFileError, match="SHA-256"):
        load_manifest_lists(read_manifest(store.root / "manifest.yaml"))


def good_then(server: ListServer, store: ListStore) -> str:
    serve_sdn(server, sdn_rows(1000))
    first = fetch_source(store, "ofac-sdn", options(server), now=at(0))
    return first.stored.version_id


def refused(server: ListServer, store: ListStore, reason: str, **extra: object) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        fetch_source(store, "ofac-sdn", options(server, **extra), now=at(10))
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def test_a_cut_transfer_is_refused_and_the_last_good_version_stays(
    server: ListServer, store: ListStore
) -> None:
    kept = good_then(server, store)
    body = sdn_rows(1100)
    serve_sdn(server, body[: len(body) // 2], announce=len(body))
    failure = refused(server, store, "truncated")
    assert "sdn.csv" in failure.message and "bytes" in failure.message
    current = store.current("ofac-sdn")
    assert current is not None and current.version_id == kept
    assert store.versions("ofac-sdn") == [kept]


def test_a_file_cut_mid_row_is_refused(server: ListServer, store: ListStore) -> None:
    kept = good_then(server, store)
    body = sdn_rows(1100)
    serve_sdn(server, body[: len(body) - 200])  # arrives whole, but ends mid-row
    failure = refused(server, store, "parse")
    assert "truncated" in failure.message or "mid-row" in failure.message
    assert store.current("ofac-sdn").version_id == kept  # type: ignore[union-attr]


def test_a_cut_xml_file_is_refused(server: ListServer, store: ListStore) -> None:
    data = need(UN_XML).read_bytes()
    server.routes["/un/consolidated.xml"] = Route(data, XML)
    first = fetch_source(store, "un", options(server), now=at(0))
    assert len(first.lists[0]) > 900
    server.routes["/un/consolidated.xml"] = Route(data[: len(data) // 3], XML)
    with pytest.raises(FetchFailed) as caught:
        fetch_source(store, "un", options(server), now=at(10))
    assert caught.value.reason == "parse"
    assert store.current("un").version_id == first.stored.version_id  # type: ignore[union-attr]


def test_a_list_that_shrank_by_more_than_20_percent_is_refused_unless_forced(
    server: ListServer, store: ListStore
) -> None:
    kept = good_then(server, store)
    serve_sdn(server, sdn_rows(700))
    failure = refused(server, store, "shrank")
    assert "700 entries against 1,000 in force (30% fewer" in failure.message
    assert "check the source, or fetch with --force" in failure.message
    assert store.current("ofac-sdn").version_id == kept  # type: ignore[union-attr]

    serve_sdn(server, sdn_rows(850))  # 15% fewer: accepted
    accepted = fetch_source(store, "ofac-sdn", options(server), now=at(20))
    assert accepted.changed and len(accepted.lists[0]) == 850

    serve_sdn(server, sdn_rows(600))
    forced = fetch_source(store, "ofac-sdn", options(server, force=True), now=at(30))
    assert len(forced.lists[0]) == 600
    assert store.current("ofac-sdn").version_id == forced.stored.version_id  # type: ignore[union-attr]


def test_an_html_page_is_refused_whatever_its_content_type(
    server: ListServer, store: ListStore
) -> None:
    kept = good_then(server, store)
    page = b"<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>"
    serve_sdn(server, page, content_type=CSV)
    assert "HTML page" in refused(server, store, "content-type").message
    serve_sdn(server, sdn_rows(1000), content_type=HTML)
    assert "Content-Type text/html" in refused(server, store, "content-type").message
    serve_sdn(server, sdn_rows(1000), content_type="application/json")
    refused(server, store, "content-type")
    assert store.current("ofac-sdn").version_id == kept  # type: ignore[union-attr]


def test_an_http_error_and_a_missing_required_file(server: ListServer, store: ListStore) -> None:
    serve_sdn(server, b"oops", status=503, content_type="text/plain")
    assert "HTTP 503" in refused(server, store, "http-status").message
    server.routes.clear()
    assert "404" in refused(server, store, "http-status").message
    assert store.current("ofac-sdn") is None


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_that_is_down(store: ListStore) -> None:
    url = f"http://127.0.0.1:{closed_port()}/ofac/"
    with pytest.raises(FetchFailed) as caught:
        fetch_source(store, "ofac-sdn", FetchOptions(urls={"ofac-sdn": url}, timeout=3))
    assert caught.value.reason == "unreachable"
    assert "connection refused" in caught.value.message


def test_a_file_over_the_size_cap(server: ListServer, store: ListStore) -> None:
    serve_sdn(server, sdn_rows(1000))
    assert "--max-bytes" in refused(server, store, "too-large", max_bytes=10_000).message


def test_only_the_newest_versions_are_kept(server: ListServer, store: ListStore) -> None:
    ids = []
    for minute, rows in enumerate((1000, 990, 980, 970)):
        serve_sdn(server, sdn_rows(rows))
        ids.append(fetch_source(store, "ofac-sdn", options(server, keep=2), now=at(minute))
                   .stored.version_id)  # fmt: skip
    assert store.versions("ofac-sdn") == ids[-2:]
    assert store.current("ofac-sdn").version_id == ids[-1]  # type: ignore[union-attr]


# --- the command ------------------------------------------------------------------------------


def invoke(args: list[str], tmp_path: Path) -> Result:
    env = {"DINARWATCH_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(app, ["lists", "fetch", *args], env=env)


@pytest.mark.usefixtures("clean_settings")
def test_the_command_exit_codes_and_one_line_reasons(server: ListServer, tmp_path: Path) -> None:
    base = ["ofac-sdn", "--url", f"ofac-sdn={server.url}/ofac/", "--no-publish"]
    textfile = tmp_path / "textfile" / "dinarwatch_lists.prom"
    serve_sdn(server, sdn_rows(1000))
    ok = invoke([*base, "--textfile", str(textfile)], tmp_path)
    assert ok.exit_code == 0, ok.output
    assert re.search(r"ofac-sdn: new version \S+: ofac-sdn \S+ \(1,000 entries\)", ok.output)
    text = textfile.read_text()
    assert re.search(
        r'dinarwatch_list_fetch_last_success_timestamp_seconds\{source="ofac-sdn"\} 1\.\d+e\+09',
        text,
    )
    assert 'dinarwatch_list_fetch_failures_total{reason="shrank",source="ofac-sdn"} 0.0' in text

    serve_sdn(server, sdn_rows(500))
    shrunk = invoke([*base, "--textfile", str(textfile)], tmp_path)
    assert shrunk.exit_code == errors.EXIT_FETCH_REFUSED
    lines = shrunk.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fetch refused: ofac-sdn: 500 entries")
    assert "kept " in lines[0]
    assert 'dinarwatch_list_fetch_failures_total{reason="shrank",source="ofac-sdn"} 1.0' in (
        textfile.read_text()
    )

    server.routes.clear()
    down = invoke(
        ["ofac-sdn", "--url", f"ofac-sdn=http://127.0.0.1:{closed_port()}/", "--no-publish"],
        tmp_path,
    )
    assert down.exit_code == errors.EXIT_FETCH_FAILED
    assert down.output.startswith("fetch failed: ofac-sdn: http://127.0.0.1:")
    assert len(down.output.strip().splitlines()) == 1

    store = ListStore(tmp_path / "data" / "list-store")
    status = store.status("ofac-sdn")
    assert status.failures == {"shrank": 1, "unreachable": 1}
    assert status.last_failure_reason == "unreachable" and status.last_success is not None
    assert store.current("ofac-sdn").entries == 1000  # type: ignore[union-attr]

    show = CliRunner().invoke(
        app, ["lists", "show"], env={"DINARWATCH_DATA_DIR": str(tmp_path / "data")}
    )
    assert show.exit_code == 0, show.output
    assert re.search(
        r"ofac-sdn\s+ofac-sdn\s+\S+\s+1000\s+fetched 2\S+ sha256 [0-9a-f]{64}", show.output
    )
    assert "failed (unreachable)" in show.output
    assert "    manifest: source=cbi path=package:rules.data/" in show.output


@pytest.mark.usefixtures("clean_settings")
def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    assert invoke(["nope"], tmp_path).exit_code == 2
    assert invoke(["--url", "ofac-sdn"], tmp_path).exit_code == 2
    assert invoke(["--every", "5s"], tmp_path).exit_code == 2
    secret = invoke(["un", "--url", "un=https://ops:s3cret@mirror.example/un.xml"], tmp_path)
    assert secret.exit_code == 2 and "s3cret" not in secret.output


def test_the_fetch_exit_codes_read_the_same_in_docs_and_code() -> None:
    text = (REPO / "docs" / "cli.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", text, re.MULTILINE))
    for code in (errors.EXIT_FETCH_FAILED, errors.EXIT_FETCH_REFUSED):
        assert rows[str(code)] == errors.EXIT_CODES[code]


# --- the manifest downstream ------------------------------------------------------------------


def test_the_manifest_rides_the_watchlists_record_and_list_info(
    server: ListServer, store: ListStore
) -> None:
    serve_sdn(server, sdn_rows(200))
    reference = fetch_source(store, "ofac-sdn", options(server), now=at(0)).lists[0]
    decoded = decode_record(b"ofac-sdn", encode_list(reference))
    assert isinstance(decoded, type(reference))
    assert decoded.manifest == reference.manifest
    assert reference.manifest is not None

    metrics = PipelineMetrics()
    metrics.record_list_versions({"ofac-sdn": reference.version}, {"ofac-sdn": reference.manifest})
    text = generate_latest(metrics.registry).decode()
    sha = reference.manifest["sha256"]
    assert (
        f'dinarwatch_list_info{{fetched_at="2026-12-06T12:00:00Z",list="ofac-sdn",'
        f'sha256="{sha}",source="ofac-sdn",version="{reference.version}"}} 1.0'
    ) in text


def test_metrics_exist_for_every_source_before_any_fetch(tmp_path: Path) -> None:
    text = generate_latest(registry_for(ListStore(tmp_path / "none"), list(SOURCES))).decode()
    for source in SOURCES:
        assert (
            f'dinarwatch_list_fetch_last_success_timestamp_seconds{{source="{source}"}} 0.0' in text
        )
        assert f'dinarwatch_list_fetch_max_age_seconds{{source="{source}"}}' in text


def test_every_keeps_fetching_serves_metrics_on_localhost_and_stops_on_sigterm(
    server: ListServer, tmp_path: Path
) -> None:
    serve_sdn(server, sdn_rows(500))
    port = closed_port()
    exe = Path(sys.executable).with_name("dinarwatch")
    env = {**os.environ, "DINARWATCH_DATA_DIR": str(tmp_path / "data")}
    args = ["lists", "fetch", "ofac-sdn", "--url", f"ofac-sdn={server.url}/ofac/", "--no-publish"]
    proc = subprocess.Popen(
        [str(exe), *args, "--every", "1m", "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline and 'source="ofac-sdn"} 1.' not in text:
            assert proc.poll() is None, proc.communicate()[1]  # it stopped early: say why
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    text = r.read().decode()
            except OSError:
                pass
            time.sleep(0.3)
        success = r'_last_success_timestamp_seconds\{source="ofac-sdn"\} 1\.\d+e\+09'
        assert re.search(success, text), text[-2000:]
        assert 'dinarwatch_list_fetch_entries{source="ofac-sdn"} 500.0' in text
        with socket.socket() as probe:  # bound to 127.0.0.1 only
            addresses = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None)}
            other = next((a for a in addresses if ":" not in a and a != "127.0.0.1"), None)
            if other is not None:
                assert probe.connect_ex((other, port)) != 0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "ofac-sdn: new version" in out and out.rstrip().endswith("stopped")


def test_settings_pointing_into_the_store_carry_the_fetch_manifest(
    server: ListServer, store: ListStore
) -> None:
    serve_sdn(server, sdn_rows(300))
    first = fetch_source(store, "ofac-sdn", options(server), now=at(0))
    current = store.root / "ofac-sdn" / "current"  # what DINARWATCH_OFAC_DIR may name
    loaded = load_lists(current, None).get("ofac-sdn")
    assert loaded is not None and len(loaded) == 300 and loaded.manifest is not None
    assert loaded.manifest["url"] == f"{server.url}/ofac/"
    assert loaded.manifest["sha256"] == first.stored.sha256
    assert loaded.manifest["version"] == loaded.version

    serve_sdn(server, sdn_rows(320))  # a new version: the same path now names it
    second = fetch_source(store, "ofac-sdn", options(server), now=at(5))
    assert current.resolve() == second.stored.folder.resolve()
    assert len(load_lists(current, None).get("ofac-sdn") or ()) == 320

    (second.stored.folder / "sdn.csv").write_bytes(sdn_rows(310))  # edited by hand
    edited = load_lists(current, None).get("ofac-sdn")
    assert edited is not None and edited.manifest is not None
    assert edited.manifest["source"] == "ofac-csv" and "url" not in edited.manifest


OPENSANCTIONS = SHARED_DATA / "opensanctions" / "yente_fixtures" / "t1_entities.ftm.json"
LIST_EXCERPTS = REPO / "tests" / "data" / "lists"  # their sources: tests/data/lists/README.md
JSON = "application/json"
EVERY_SOURCE = {
    # source: (path served, fixture, content type)
    "ofac-sdn": ("/ofac/sdn.csv", SET_2021 / "sdn.csv", CSV),
    "ofac-sls": ("/sls/sdn_enhanced.xml", LIST_EXCERPTS / "ofac_sdn_advanced_assembled.xml", XML),
    "ofac-nonsdn": (
        "/nonsdn/cons_prim.csv",
        SHARED_DATA / "ofac" / "non_sdn_consolidated_2025-12" / "cons_prim.csv",
        CSV,
    ),
    "un": ("/un/consolidated.xml", UN_XML, XML),
    "eu": ("/eu/content", LIST_EXCERPTS / "eu_fsf_2018-12-21_excerpt.xml", "text/xml"),
    "uk": (
        "/uk/UK-Sanctions-List.xml",
        LIST_EXCERPTS / "uk_sanctions_list_2026-09-02_excerpt.xml",
        XML,
    ),
    "opensanctions": ("/os/entities.ftm.json", OPENSANCTIONS, JSON),
}


@pytest.mark.usefixtures("clean_settings")
def test_every_source_is_fetched_from_the_local_server(server: ListServer, tmp_path: Path) -> None:
    server.routes.clear()
    args = ["lists", "fetch", "--no-publish"]
    for source, (path, fixture, content_type) in EVERY_SOURCE.items():
        server.serve_file(path, need(fixture), content_type)
        folder = SOURCES[source].folder_url is not None
        args += [
            "--url",
            f"{source}={server.url}{path.rsplit('/', 1)[0] + '/' if folder else path}",
        ]
    result = CliRunner().invoke(app, args, env={"DINARWATCH_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 0, result.output
    store = ListStore(tmp_path / "data" / "list-store")
    assert store.sources() == sorted(SOURCES)
    for source in SOURCES:
        assert re.search(rf"^{source}: new version \S+: .*entries", result.output, re.MULTILINE)
        current = store.current(source)
        assert current is not None and current.entries > 0, source
    manifest = read_manifest(store.root / "manifest.yaml")
    assert {item.source for item in manifest.lists} == set(SOURCES)


def test_a_file_url_folder_is_a_mirror_like_any_other(store: ListStore, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "sdn.csv").write_bytes(sdn_rows(250))
    urls = {"ofac-sdn": mirror.as_uri() + "/"}
    result = fetch_source(store, "ofac-sdn", FetchOptions(urls=urls), now=at(0))
    assert len(result.lists[0]) == 250 and set(result.stored.read_files()) == {"sdn.csv"}
    (mirror / "sdn.csv").unlink()
    with pytest.raises(FetchFailed) as caught:
        fetch_source(store, "ofac-sdn", FetchOptions(urls=urls), now=at(5))
    assert caught.value.status == 404 and "no such file" in caught.value.message


def test_an_unchanged_download_of_a_settled_version_is_not_parsed_again(
    server: ListServer, store: ListStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lists.fetch as list_fetch

    parsed: list[str] = []
    real = list_fetch.parse_source

    def counting(source: str, files: object, **kw: object) -> object:
        parsed.append(source)
        return real(source, files, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(list_fetch, "parse_source", counting)
    serve_sdn(server, sdn_rows(200))
    first = fetch_source(store, "ofac-sdn", options(server), now=at(0))
    vid = first.stored.version_id
    not_settled = fetch_source(store, "ofac-sdn", options(server), now=at(5))  # e.g. unpublished
    assert not not_settled.changed and len(not_settled.lists) == 1 and len(parsed) == 2
    settled = fetch_source(store, "ofac-sdn", options(server), now=at(10), settled=vid)
    assert not settled.changed and settled.lists == () and len(parsed) == 2
    assert settled.stored.version_id == vid
    serve_sdn(server, sdn_rows(210))  # new bytes are always verified
    fresh = fetch_source(store, "ofac-sdn", options(server), now=at(15), settled=vid)
    assert fresh.changed and len(parsed) == 3
