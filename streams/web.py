"""The worker's web port serves /metrics and /health, and nothing else.

Faust mounts its own pages on the port by default: `/table/<table>/<key>/` answers with the
value of a table key (here a debtor's window: payment ids, times, amounts and beneficiary
IBANs), an unknown key gets a 404 that echoes the key (so the port would answer "is this IBAN a
customer?"), and `/router/...`, `/graph`, `/` and the statistics pages describe partitions,
key ownership and the topology. None of that may leave the worker, whatever address the port
is bound to (containers bind 0.0.0.0).

Two locks, so that one being undone (a Faust upgrade adding a page, an `APP_WEB_*_ENABLED`
variable) does not open the port:
  1. every built-in Faust page that has a setting is turned off (`FAUST_WEB_OFF`);
  2. an aiohttp middleware answers 404 (a fixed body, never the path) to every path but the
     documented ones, before any handler runs, and 405 to methods other than GET and HEAD.
`@app.table_route` (which needs `/router`) is not used: each worker screens its own partitions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from infra.metrics import SERVED_PATHS

FAUST_WEB_OFF: dict[str, bool] = {
    "web_router_enabled": False,
    "web_tables_enabled": False,
    "web_graph_enabled": False,
    "web_stats_enabled": False,
    "web_metrics_enabled": False,
}


def allow_only(paths: Collection[str]) -> Middleware:
    """An aiohttp middleware that lets only `paths` (exact, or with one trailing slash) and
    GET/HEAD through; everything else gets a fixed body that names nothing of the request."""
    allowed = frozenset(paths) | {p + "/" for p in paths}

    @web.middleware
    async def lockdown(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path not in allowed:
            return web.Response(status=404, text="404: Not Found")
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="405: Method Not Allowed")
        return await handler(request)

    return lockdown


def locked_web_options(paths: Collection[str] = SERVED_PATHS) -> dict[str, Any]:
    """Keyword arguments for `faust.App(...)`: Faust's own pages off, the allow-list on."""
    return {
        **FAUST_WEB_OFF,
        "web_application_options": {"middlewares": [allow_only(paths)]},
    }
