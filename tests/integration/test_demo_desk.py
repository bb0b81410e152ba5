"""`dinarwatch demo` also starts the desk: SQLite in the demo's folder, a demo user whose random
password is printed with the URL, ingest filing this run's alerts as cases; `stop_demo` (what
`make stop` runs) stops it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli import background, demo_desk
from tests.integration.demo_support import demo_environment, run_demo, stop_demo_run
from tests.waits import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def demo_env(kafka_bootstrap: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = demo_environment(kafka_bootstrap, tmp_path, "demodesk")
    yield env
    stop_demo_run(env)


def test_demo_starts_the_desk_with_a_demo_user_and_make_stop_stops_it(
    demo_env: dict[str, str],
) -> None:
    out = run_demo(demo_env)
    assert "desk ready" in out
    found = re.search(r"desk:\s+(http://127\.0\.0\.1:\d+)/\s+user (\w+), password (\S+)", out)
    assert found is not None, out
    url, user, password = found.groups()
    assert url.endswith(f":{demo_env['DINARWATCH_DESK_PORT']}") and user == "demo"
    state = Path(demo_env["DINARWATCH_DEMO_DIR"])
    assert (state / "desk.db").exists()

    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/api/cases").status_code == 401
        login = client.post("/api/login", json={"name": user, "password": password})
        assert login.status_code == 200, login.text
        # browsers send the Secure cookie to 127.0.0.1 over http; httpx needs it handed over
        session = login.cookies["dinarwatch_desk_session"]
        client.cookies.clear()
        client.cookies.set("dinarwatch_desk_session", session)

        def cases() -> int:
            answer = client.get("/api/cases?limit=1")
            assert answer.status_code == 200, answer.text
            return int(answer.json()["total"])

        wait_until(lambda: cases() > 0, 60, "the demo's alerts to become cases")

    pid = int((state / "desk.pid").read_text())
    assert demo_desk._is_desk(pid)
    stop_demo_run(demo_env)
    assert not demo_desk._is_desk(pid) or background.gone(pid)
    assert not (state / "desk.pid").exists()
