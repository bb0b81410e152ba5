"""As-of screening: lists as they stood on the value date (default) or on a later date (retro)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lists.files import default_context, load_rule_pack
from rules.context import ScreeningContext, list_date, mark_retro
from rules.energy import check_iran_energy
from rules.engine import screen_payment
from rules.lists.base import ListSet, ReferenceList
from rules.lists.cbi import CBI_LIST
from schemas.common import Action
from schemas.listentry import ListEntry
from tests.factories import make_payment
from tests.unit.rules.conftest import context

CTX = default_context()
AT = datetime(2026, 1, 1, tzinfo=UTC)
MISK = {"name": "Misk Islamic Bank"}
AL_HUDA = {"bic": "BHDAIQBA", "name": "Al-Huda Bank"}


def misk_payment(value_date: str = "2025-02-10", currency: str = "USD"):  # type: ignore[no-untyped-def]
    return make_payment(value_date=value_date, currency=currency, creditor_agent=MISK)


def test_list_date_is_the_value_date_unless_an_as_of_date_is_given() -> None:
    payment = misk_payment()
    assert list_date(CTX, payment) == date(2025, 2, 10)
    assert list_date(CTX.at(date(2026, 1, 1)), payment) == date(2026, 1, 1)


def test_at_shares_the_indexes_and_pack() -> None:
    later = CTX.at(date(2026, 1, 1))
    assert later.indexes is CTX.indexes and later.pack is CTX.pack and CTX.as_of is None


def test_payment_before_the_listing_passes_by_value_date() -> None:
    decision = screen_payment(misk_payment(), CTX, AT)
    assert decision.decision is Action.PASS and decision.findings == []


def test_payment_before_the_listing_is_flagged_retro_as_of_a_later_date() -> None:
    decision = screen_payment(misk_payment(), CTX.at(date(2026, 1, 1)), AT)
    assert decision.decision is Action.BLOCK
    (found,) = decision.findings
    assert (found.rule, found.entry_id) == ("CBI-USD-BAN", "cbi-2025-02-16-misk")
    assert found.retro is True
    assert found.listed_from == date(2025, 2, 16)
    assert (
        "listed on 2025-02-16, after the payment's value date 2025-02-10 (retro-screening)"
        in found.explanation
    )


def test_as_of_before_the_listing_still_passes() -> None:
    decision = screen_payment(misk_payment(), CTX.at(date(2025, 2, 15)), AT)
    assert decision.findings == []


def test_payment_after_the_listing_is_not_retro_in_either_mode() -> None:
    for ctx in (CTX, CTX.at(date(2026, 1, 1))):
        (found,) = screen_payment(misk_payment("2025-02-16"), ctx, AT).findings
        assert found.retro is False and "retro" not in found.explanation


def test_retro_keeps_the_currency_scope() -> None:
    decision = screen_payment(misk_payment(currency="IQD"), CTX.at(date(2026, 1, 1)), AT)
    assert decision.findings == []


def test_fincen_311_before_its_effective_date_is_retro() -> None:
    payment = make_payment(value_date="2024-05-01", creditor_agent=AL_HUDA)
    live = {f.rule: f for f in screen_payment(payment, CTX, AT).findings}
    assert "FINCEN-311" not in live and live["CBI-USD-BAN"].retro is False
    retro = {f.rule: f for f in screen_payment(payment, CTX.at(date(2025, 1, 1)), AT).findings}
    assert retro["FINCEN-311"].retro is True
    assert retro["FINCEN-311"].listed_from == date(2024, 8, 2)
    assert retro["CBI-USD-BAN"].retro is False


def test_militia_front_designated_later_is_retro() -> None:
    payment = make_payment(value_date="2025-06-01", creditor={"name": "Muhandis General Company"})
    assert [f.rule for f in screen_payment(payment, CTX, AT).findings] == []
    (found,) = screen_payment(payment, CTX.at(date(2025, 12, 1)), AT).findings
    assert (found.rule, found.retro, found.listed_from) == (
        "MILITIA-FRONT",
        True,
        date(2025, 10, 9),
    )


def test_an_entry_delisted_since_no_longer_fires_as_of_now() -> None:
    entry = ListEntry(
        entry_id="test-delisted",
        list_name=CBI_LIST,
        kind="bank",
        names=["Test Delisted Bank"],
        bics=["TDLBIQBA"],
        currency_scope=["USD"],
        listed_from=date(2024, 1, 1),
        listed_until=date(2024, 6, 1),
        legal_source="test",
    )
    lists = ListSet({}).with_list(ReferenceList.build(CBI_LIST, [entry]))
    ctx = ScreeningContext.build(load_rule_pack(), lists)
    payment = make_payment(value_date="2024-03-01", creditor_agent={"bic": "TDLBIQBA"})
    assert [f.entry_id for f in screen_payment(payment, ctx, AT).findings] == ["test-delisted"]
    assert screen_payment(payment, ctx.at(date(2025, 1, 1)), AT).findings == []


def test_energy_waiver_follows_the_value_date_not_the_as_of_date() -> None:
    payment = make_payment(
        purpose_code="ELEC",
        value_date="2025-03-01",
        creditor={"name": "Iran Power Generation Co", "account": "IR062960000000100324200001"},
    )
    ctx = context()
    (live,) = check_iran_energy(payment, ctx)
    (retro,) = check_iran_energy(payment, ctx.at(date(2026, 1, 1)))
    assert live.action is retro.action is Action.REVIEW
    assert retro.evidence["waiver"] == "in force" and retro.retro is False


def test_mark_retro_is_idempotent_and_ignores_undated_entries() -> None:
    (found,) = screen_payment(misk_payment(), CTX.at(date(2026, 1, 1)), AT).findings
    assert mark_retro(found, misk_payment()) is found
    undated = found.model_copy(update={"listed_from": None, "retro": False})
    assert mark_retro(undated, misk_payment()) is undated
