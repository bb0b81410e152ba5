"""The notifier splits a group larger than a webhook message into several posts, over a real
HTTP connection to a local receiver: every alert is itemised, none is left as a bare id."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from alerts.notifier.channels import channels_from_settings
from alerts.notifier.service import Notifier
from alerts.notifier.settings import NotifierSettings
from infra.metrics import NotifierMetrics
from infra.settings import Settings
from tests.unit.alerts.test_notifier_formats import banned_alerts


async def _deliver(count: int, **notify: Any) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        posts.append(json.loads(await request.read()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        settings = NotifierSettings(webhook_url=f"http://127.0.0.1:{port}/hook", **notify)
        channels = channels_from_settings(settings, "dw.payments.raw")
        notifier = Notifier(Settings(), settings, channels, NotifierMetrics())
        failed = await notifier._deliver_channel("webhook", banned_alerts(count))
        assert failed == []
        for channel in channels:
            await channel.close()
    finally:
        await runner.cleanup()
    return posts


def test_a_group_of_53_goes_as_three_posts_of_at_most_20_each_itemising_every_alert() -> None:
    posts = asyncio.run(_deliver(53, max_listed=20))
    assert [p["count"] for p in posts] == [20, 20, 13]
    assert [(p["part"], p["parts"]) for p in posts] == [(1, 3), (2, 3), (3, 3)]
    itemised = [a["alert_id"] for p in posts for a in p["alerts"]]
    assert itemised == [a.alert_id for a in banned_alerts(53)]
    assert all(
        a["link"].startswith("dinarwatch replay --topic dw.payments.raw")
        for p in posts
        for a in p["alerts"]
    )


def test_slack_posts_are_split_to_fit_block_kit() -> None:
    posts = asyncio.run(_deliver(50, max_listed=100, webhook_format="slack"))
    assert [len(p["blocks"]) for p in posts] == [47, 7]
    text = json.dumps(posts)
    assert all(a.alert_id in text for a in banned_alerts(50))


def test_consumer_groups_carry_the_topic_prefix() -> None:
    """Two deployments on one cluster (different prefixes) must not share alert consumers."""
    notify = NotifierSettings(group_id="ops-notifier")
    prefixed = Notifier(Settings(topic_prefix="bank-a."), notify, [], NotifierMetrics())
    assert prefixed.group_ids() == ("bank-a.ops-notifier", "bank-a.ops-notifier-retry")
    plain = Notifier(Settings(), notify, [], NotifierMetrics())
    assert plain.group_ids() == ("ops-notifier", "ops-notifier-retry")
