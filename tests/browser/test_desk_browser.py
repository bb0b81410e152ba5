"""The desk in a real browser (Debian's Chromium through Playwright) at 1,366 x 900: log in,
claim, record a disposition, the four-eyes refusal, an auditor who cannot act. Screenshots of
each step go to DINARWATCH_DESK_SCREENSHOTS (docs/screenshots for the committed ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT
from tests.unit.desk.pages_seed import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.external, pytest.mark.slow]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    made = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")
    yield made
    made.close()


def login(page: Any, desk_url: str, name: str) -> None:
    page.goto(f"{desk_url}/queue")
    assert "/login?next=/queue" in page.url  # every page needs a login
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{desk_url}/queue")
    assert page.inner_text("[data-testid=user]") == name


def shot(page: Any, folder: Path, name: str, full: bool = False) -> None:
    path = folder / f"{name}.png"
    page.mouse.move(0, 0)  # no hover highlight where the last click happened
    page.screenshot(path=str(path), full_page=full, animations="disabled", caret="hide")
    assert path.stat().st_size > 5_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_login_queue_and_dashboard(context: Any, desk_url: str, screenshots: Path) -> None:
    page = context.new_page()
    page.goto(f"{desk_url}/login")
    page.fill("input[name=name]", "amal")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "wrong name or password" in page.inner_text("[data-testid=error]")
    shot(page, screenshots, "desk-login")
    login(page, desk_url, "amal")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 12
    assert rows.nth(0).locator("td").nth(1).inner_text().strip().lower() == "critical"
    # the page fits the 1,366 px viewport: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    shot(page, screenshots, "desk-queue")
    page.fill("input[name=q]", "babel")
    page.click("form.filters button[type=submit]")
    assert page.locator("table.queue tbody tr").count() == 3
    page.goto(f"{desk_url}/dashboard")
    assert page.locator("svg.chart").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    shot(page, screenshots, "desk-dashboard")


def test_claim_and_disposition(context: Any, desk_url: str, screenshots: Path) -> None:
    page = context.new_page()
    login(page, desk_url, "amal")
    page.click("a[href='/cases/1']>> nth=0")
    page.wait_for_url(f"{desk_url}/cases/1")
    assert page.inner_text("[data-testid=assignee]") == "—"
    page.click("[data-testid=claim]")  # htmx: the panel is swapped in place
    page.wait_for_selector("[data-testid=notice]:has-text('claimed')")
    assert page.inner_text("[data-testid=assignee]") == "amal"
    assert page.url == f"{desk_url}/cases/1"
    page.select_option("[data-testid=disposition-choice]", "false_positive")
    page.fill("form[action='/cases/1/disposition'] textarea", "namesake: trade licence checked")
    page.click("[data-testid=dispose]")
    page.wait_for_selector("[data-testid=notice]:has-text('disposition recorded')")
    assert page.inner_text("[data-testid=status]") == "closed"
    assert page.inner_text("[data-testid=disposition]") == "false positive"
    shot(page, screenshots, "desk-case", full=True)
    printed = context.new_page()
    printed.goto(f"{desk_url}/cases/1/print")
    printed.emulate_media(media="print")
    assert printed.locator("form").count() == 0
    assert "namesake: trade licence checked" in printed.content()
    shot(printed, screenshots, "desk-print", full=True)


def test_four_eyes_refusal_then_another_supervisor_approves(
    browser: Any, desk_url: str, screenshots: Path
) -> None:
    first = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")
    second = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")
    try:
        samir = first.new_page()
        login(samir, desk_url, "samir")
        samir.goto(f"{desk_url}/cases/2")
        samir.click("[data-testid=propose-release]")
        samir.wait_for_selector("[data-testid=pending]")
        assert samir.inner_text("[data-testid=status]") == "pending approval"
        samir.click("[data-testid=approve]")
        error = samir.wait_for_selector("[data-testid=error]")
        assert "four-eyes: the proposer cannot approve their own proposal" in error.inner_text()
        assert samir.inner_text("[data-testid=status]") == "pending approval"
        shot(samir, screenshots, "desk-four-eyes")
        sara = second.new_page()
        login(sara, desk_url, "sara")
        sara.goto(f"{desk_url}/cases/2")
        sara.click("[data-testid=approve]")
        sara.wait_for_selector("[data-testid=notice]:has-text('approved')")
        assert sara.inner_text("[data-testid=status]") == "released"
    finally:
        first.close()
        second.close()


def test_auditor_can_read_but_not_act(context: Any, desk_url: str) -> None:
    page = context.new_page()
    login(page, desk_url, "aud")
    page.goto(f"{desk_url}/cases/1")
    assert "Read-only" in page.inner_text("[data-testid=readonly]")
    assert page.locator("[data-testid=claim]").count() == 0
    assert page.locator("[data-testid=dispose]").count() == 0
    # a post made anyway (as a crafted request from the auditor's own session) is refused
    answer = page.evaluate(
        """async () => {
            const token = document.querySelector("input[name=csrf_token]").value;
            const r = await fetch("/cases/1/claim", {method: "POST",
              headers: {"Content-Type": "application/x-www-form-urlencoded"},
              body: "csrf_token=" + encodeURIComponent(token)});
            return r.status;
        }"""
    )
    assert answer == 403
    page.reload()
    assert page.inner_text("[data-testid=assignee]") == "—"


def test_debtor_panel_loads_in_place(context: Any, desk_url: str) -> None:
    """The debtor panel is fetched by htmx when asked, never with the page; this desk has no
    payment store, so the answer is the panel's message, swapped in place of the button."""
    page = context.new_page()
    login(page, desk_url, "amal")
    page.goto(f"{desk_url}/cases/1")
    assert page.locator("[data-testid=debtor-payments]").count() == 0
    page.click("[data-testid=load-debtor]")
    message = page.wait_for_selector("[data-testid=debtor] [role=alert]")
    assert "this desk has no payment store" in message.inner_text()
    assert page.url == f"{desk_url}/cases/1"
    assert page.locator("[data-testid=load-debtor]").count() == 0
