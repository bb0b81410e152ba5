"""The container image and the compose stack: pinned installs, XSDs, no loopback between
containers.

No Docker here: the Dockerfile's install rests on requirements.lock covering every runtime
package (checked from the installed distributions' metadata), and the Alertmanager start
script of docker-compose.yml runs under /bin/sh against the real deploy/alertmanager config.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def _runtime_closure() -> dict[str, str]:
    """Every distribution the runtime dependencies pull in (markers for this interpreter),
    with its installed version."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    found: dict[str, str] = {}
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in found or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            pytest.fail(f"{req.name} (needed at run time) is not installed: run make install")
        found[name] = dist.version
        todo += [Requirement(r) for r in dist.requires or []]
    return found


def test_lock_pins_every_runtime_package_at_its_installed_version() -> None:
    """The image installs the runtime dependencies with requirements.lock as constraints: a
    package missing from the lock would be resolved freely at build time."""
    lock = _lock()
    closure = _runtime_closure()
    assert len(closure) > 20  # the walk really followed the dependency tree
    missing = sorted(set(closure) - set(lock))
    assert missing == [], f"runtime packages not pinned in requirements.lock: {missing}"
    drifted = {n: (v, lock[n]) for n, v in closure.items() if lock[n] != v}
    assert drifted == {}, f"installed != locked: {drifted}"


def test_dockerfile_installs_with_the_lock_and_carries_the_xsds() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all("--constraint requirements.lock" in line for line in installs)
    assert "DINARWATCH_XSD_DIR=/opt/dinarwatch/xsd" in dockerfile
    assert re.search(r"^FROM scratch AS xsd$", dockerfile, re.M)
    assert "COPY --from=xsd . /opt/dinarwatch/xsd/" in dockerfile
    ignored = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in ("requirements.lock", "pyproject.toml", "README.md", "schemas", "streams"):
        assert needed not in ignored


def test_every_image_build_gets_the_xsd_context() -> None:
    builds = [s["build"] for s in SERVICES.values() if "build" in s]
    assert builds
    for build in builds:
        context = REPO / build["context"] / build["additional_contexts"]["xsd"]
        assert context.resolve() == (REPO.parent / "shared/data/iso20022/xsd").resolve()
    if context.is_dir():  # ../shared is present on developer machines and in CI
        assert list(context.rglob("pacs.008.001.08.xsd"))


def _alertmanager_start(tmp_path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """Run the compose Alertmanager's start script with its paths moved under tmp_path and
    the final exec replaced by `true`."""
    service = SERVICES["alertmanager"]
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    script = service["command"][0].replace("$$", "$")  # compose's escape for a literal $
    script = script.replace("/etc/alertmanager/alertmanager.yml", str(config))
    script = script.replace("/alertmanager/alertmanager-compose.yml", str(tmp_path / "am.yml"))
    script = re.sub(r"exec /bin/alertmanager .*", "exec true", script)
    default = re.fullmatch(
        r"\$\{OPS_WEBHOOK_URL:-(.+)\}", service["environment"]["OPS_WEBHOOK_URL"]
    )
    assert default is not None
    env = {**os.environ, "OPS_WEBHOOK_URL": default.group(1)}
    return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True)


def _webhook_urls(config: dict[str, Any]) -> list[str]:
    return [
        hook["url"]
        for receiver in config.get("receivers", [])
        for hook in receiver.get("webhook_configs", [])
    ]


def test_compose_alertmanager_sends_the_webhook_to_a_service(tmp_path: Path) -> None:
    real = REPO / "deploy/alertmanager/alertmanager.yml"
    assert "127.0.0.1" in real.read_text()  # the host-local receiver the rewrite is for
    result = _alertmanager_start(tmp_path, real)
    assert result.returncode == 0, result.stderr
    urls = _webhook_urls(yaml.safe_load((tmp_path / "am.yml").read_text()))
    assert urls
    for url in urls:
        host, port = urlparse(url).hostname, urlparse(url).port
        assert host in SERVICES, f"{url}: {host} is no compose service"
        assert str(port) in SERVICES[host]["expose"]
        assert f'("0.0.0.0", {port})' in SERVICES[host]["command"][-1]


def test_compose_alertmanager_refuses_another_loopback_address(tmp_path: Path) -> None:
    config = tmp_path / "other.yml"
    config.write_text(
        "# a comment may say 127.0.0.1\n"
        "receivers:\n  - name: x\n    webhook_configs:\n"
        '      - url: "http://localhost:9000/hook"\n'
    )
    result = _alertmanager_start(tmp_path, config)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "alertmanager.yml sends to 127.0.0.1/localhost, which is this container: rewrite that "
        "address in docker-compose.yml (service alertmanager)"
    ]


@pytest.mark.external
@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_rewritten_alertmanager_config_is_valid(tmp_path: Path) -> None:
    real = REPO / "deploy/alertmanager/alertmanager.yml"
    assert _alertmanager_start(tmp_path, real).returncode == 0
    check = subprocess.run(
        ["amtool", "check-config", str(tmp_path / "am.yml")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
