"""The worker's and the notifier's web ports answer /metrics and /health only; every other path
gets a 404 that names nothing of the request (the full check against a running worker and its
Faust routes is in tests/integration/test_alerting.py, step 3)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from alerts.notifier.web import start_web_server
from streams.web import allow_only
from tests.integration.alerting_support import http_request
from tests.ports import free_port

PROBES = [
    "/",
    "/table/debtor-windows/IQ20RAFB00100000000001/",
    "/router/debtor-windows/IQ20RAFB00100000000001/",
    "/metricsX",
    "/health/x",
    "/graph/",
    "/%2e%2e/metrics",
    "/metrics/",
    "/health/",
]


def test_notifier_port_serves_metrics_and_health_only() -> None:
    registry = CollectorRegistry()
    Counter("dinarwatch_probe", "a counter", registry=registry).inc()
    port = free_port()
    server = start_web_server(port, "127.0.0.1", registry, {"status": "ok"})
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = http_request(f"{base}/metrics", "GET")
        assert status == 200 and b"dinarwatch_probe_total 1.0" in body
        assert http_request(f"{base}/health", "GET") == (200, b'{"status":"ok"}')
        for path in PROBES:
            status, body = http_request(base + path, "GET")
            assert status == 404 and body == b"404: Not Found", path
        assert http_request(f"{base}/metrics", "POST")[0] == 405
        assert http_request(f"{base}/table/x/", "POST") == (404, b"404: Not Found")
    finally:
        server.shutdown()
        server.server_close()


def test_worker_middleware_lets_only_the_documented_paths_through() -> None:
    async def scenario() -> list[tuple[str, int, str]]:
        async def ok(request: web.Request) -> web.Response:
            return web.Response(text="served " + request.path)

        app = web.Application(middlewares=[allow_only({"/metrics", "/health"})])
        for path in ("/metrics", "/health", "/table/{name}/{key}/", "/", "/router/"):
            app.router.add_route("*", path, ok)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        results = []
        try:
            for method, path in [("GET", "/metrics"), ("HEAD", "/health"), ("POST", "/metrics")]:
                status, body = await asyncio.to_thread(
                    http_request, f"http://127.0.0.1:{port}{path}", method
                )
                results.append((path, status, body.decode()))
            for path in PROBES:
                status, body = await asyncio.to_thread(
                    http_request, f"http://127.0.0.1:{port}{path}", "GET"
                )
                results.append((path, status, body.decode()))
        finally:
            await runner.cleanup()
        return results

    results = asyncio.run(scenario())
    assert results[0] == ("/metrics", 200, "served /metrics")
    assert results[1][1] == 200 and results[2][1] == 405
    for path, status, body in results[3:]:
        assert status == 404 and body == "404: Not Found", path
