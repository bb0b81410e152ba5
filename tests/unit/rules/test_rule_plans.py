"""Rule plans and party-cache records: resolved once, shared only where the cache is shared,
and giving what the uncached path gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from rules.engine import screen_payment
from rules.listmatch import (
    _mention_found_in,
    _mention_matches,
    payment_matches,
    plan_matches,
    rule_plan,
    text_matches,
)
from rules.lists.ofac import SDN_LIST
from rules.mentions import TextMention, text_mentions
from rules.pack import SanctionsSettings
from rules.party_cache import PartyCache
from rules.suppression import ExceptionSet
from tests.factories import make_payment
from tests.unit.rules.conftest import context, small_sdn

AT = datetime(2025, 4, 1, 12, tzinfo=UTC)


def test_a_plan_is_resolved_once_per_context_and_not_shared_with_a_reload() -> None:
    ctx = context(None, small_sdn())
    plan = rule_plan(ctx, "OFAC-SDN", SDN_LIST, SanctionsSettings)
    assert plan is not None and plan.index is ctx.index(SDN_LIST)
    assert rule_plan(ctx, "OFAC-SDN", SDN_LIST, SanctionsSettings) is plan
    payment = make_payment()
    assert rule_plan(ctx.for_payment(payment), "OFAC-SDN", SDN_LIST, SanctionsSettings) is plan
    reloaded = replace(ctx, exceptions=ExceptionSet())
    assert reloaded.plans is not ctx.plans and not reloaded.plans
    again = rule_plan(reloaded, "OFAC-SDN", SDN_LIST, SanctionsSettings)
    assert again is not None and again is not plan


def test_a_rule_whose_list_is_not_loaded_has_no_plan() -> None:
    assert rule_plan(context(), "EU-SANCTIONS", "eu-fsf", SanctionsSettings) is None


def test_records_are_one_per_subject_and_count_hits_per_scope() -> None:
    cache = PartyCache(capacity=2)
    (first,) = cache.records(["a"])
    first[1][7] = ("found",)
    assert cache.records(["a"])[0][1] is first[1]
    cache.records(["b", "c"])  # "a" is the least recently used: it goes
    assert cache.records(["a"])[0][1] == {}
    cache.count(3, 1)
    assert (cache.stats().hits, cache.stats().misses) == (3, 1)


def test_plan_matches_equal_the_uncached_search() -> None:
    ctx = context(None, small_sdn())
    payment = make_payment(
        debtor_agent={"bic": "BKMTIRTHXXX", "name": "Bank Mellat"},
        remittance_info="c/o Kata'ib Hizballah, Baghdad",
    )
    plan = rule_plan(ctx, "OFAC-SDN", SDN_LIST, SanctionsSettings)
    assert plan is not None
    plain = payment_matches(plan.index, payment, plan.policy)
    shared = ctx.for_payment(payment)
    assert plan_matches(plan, payment, shared) == plain
    assert plan_matches(plan, payment, shared) == plain  # now read from the records
    assert plain and ctx.parties.stats().hits > 0


def test_the_quick_answer_for_a_text_is_what_the_full_reading_finds() -> None:
    ctx = context(None, small_sdn())
    plan = rule_plan(ctx, "OFAC-SDN", SDN_LIST, SanctionsSettings)
    assert plan is not None
    texts = [
        TextMention("remittance_info", "invoice 22 for spare parts"),
        TextMention("remittance_info", "on behalf of Kata'ib Hizballah"),
        TextMention("remittance_info", "pay IR820540102680020817909002 now"),
        TextMention("extra.note", "Kata'ib Hizballah", whole=True),
        TextMention("creditor.address", "12 Street\nBaghdad"),
    ]
    for mention in texts:
        quick = _mention_found_in(plan.index, mention, plan.policy, {})
        assert quick == tuple(_mention_matches(plan.index, mention, plan.policy, {}))
    assert _mention_found_in(plan.index, texts[1], plan.policy, {})
    assert text_matches(plan.index, texts, plan.policy)


def test_screening_twice_decides_the_same() -> None:
    payment = make_payment(remittance_info="on behalf of Kata'ib Hizballah")
    ctx = context(None, small_sdn())
    first = screen_payment(payment, ctx, AT)
    assert screen_payment(payment, ctx, AT) == first
    assert text_mentions(payment)
