"""rules.party_cache: per-subject results remembered across payments, bounded, never stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from rules.engine import screen_payment
from rules.listmatch import list_matches, match_policy, text_matches
from rules.lists.ofac import SDN_LIST
from rules.mentions import subjects, text_mentions
from rules.pack import ListRuleSettings
from rules.party_cache import MAX_SCOPES, PartyCache
from rules.suppression import ExceptionSet
from schemas.codec import dumps
from tests.factories import make_payment
from tests.unit.rules.conftest import context, small_sdn

AT = datetime(2025, 4, 1, 12, tzinfo=UTC)

MELLAT_AGENT = {"bic": "BKMTIRTHXXX", "name": "Bank Mellat"}


def test_least_recently_used_goes_first_and_hits_are_counted() -> None:
    cache = PartyCache(capacity=2)
    cache.put("a", ())
    cache.put("b", ())
    assert cache.get("a") == ()  # "a" is now the most recently used
    cache.put("c", ())
    assert cache.get("b") is None  # "b" went first
    assert cache.get("a") == () and cache.get("c") == ()
    assert len(cache) == 2
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size, stats.capacity) == (3, 1, 2, 2)
    assert stats.hit_rate == 0.75


def test_lookup_computes_once() -> None:
    cache = PartyCache()
    calls: list[int] = []

    def compute() -> tuple[str]:
        calls.append(1)
        return ("found",)

    for _ in range(3):
        assert cache.lookup("k", compute) == ("found",)
    assert calls == [1]


def test_a_scope_names_its_owner_by_identity_and_its_policy_by_value() -> None:
    cache = PartyCache()
    first, second = object(), object()
    assert cache.scope(first, ("p", 1)) == cache.scope(first, ("p", 1))
    assert cache.scope(first, ("p", 1)) != cache.scope(first, ("p", 2))
    assert cache.scope(first) != cache.scope(second)


def test_too_many_scopes_start_afresh() -> None:
    cache = PartyCache()
    owners = [object() for _ in range(MAX_SCOPES)]
    for owner in owners:
        cache.scope(owner)
    cache.put((1, "subject"), ("kept",))
    cache.scope(object())  # one scope too many: every number is given out again
    assert cache.get((1, "subject")) is None


def test_screening_copies_share_the_cache_and_reloads_start_empty() -> None:
    ctx = context()
    payment = make_payment()
    assert ctx.for_payment(payment).parties is ctx.parties
    assert ctx.at(date(2025, 1, 1)).parties is ctx.parties
    screen_payment(payment, ctx, AT)
    assert len(ctx.parties) > 0
    # An exception reload, another pack or other lists: a new context, an empty cache.
    for reloaded in (
        replace(ctx, exceptions=ExceptionSet()),
        replace(ctx, pack=ctx.pack.model_copy()),
        context(None, small_sdn()),
    ):
        assert reloaded.parties is not ctx.parties and len(reloaded.parties) == 0


def test_remembered_results_equal_fresh_ones() -> None:
    """The cached path decides byte for byte as a context that has never seen the payments."""
    payments = [
        make_payment(payment_id=f"p{n}", debtor_agent=MELLAT_AGENT, remittance_info=text)
        for n, text in enumerate(
            ["on behalf of Kata'ib Hizballah", "invoice 22", "on behalf of Kata'ib Hizballah"]
        )
    ]
    warm = context(None, small_sdn())
    first = [dumps(screen_payment(p, warm, AT)) for p in payments]
    again = [dumps(screen_payment(p, warm, AT)) for p in payments]
    fresh = [dumps(screen_payment(p, context(None, small_sdn()), AT)) for p in payments]
    assert first == again == fresh
    assert warm.parties.stats().hits > 0
    assert b"BKMTIRTH" in first[0] and b"KATA" in first[0]


def test_list_and_text_matches_with_and_without_the_cache() -> None:
    ctx = context(None, small_sdn())
    index = ctx.index(SDN_LIST)
    settings = ctx.pack.typed("OFAC-SDN", ListRuleSettings)
    assert index is not None and settings is not None
    policy = match_policy(settings, ctx, index)
    payment = make_payment(
        debtor_agent=MELLAT_AGENT, remittance_info="c/o Kata'ib Hizballah, Baghdad"
    )
    people, texts = subjects(payment), text_mentions(payment)
    cache = PartyCache()
    plain = list_matches(index, people, policy), text_matches(index, texts, policy)
    for _ in range(2):
        cached = (
            list_matches(index, people, policy, cache),
            text_matches(index, texts, policy, cache),
        )
        assert cached == plain
    assert plain[0] and plain[1]
    assert cache.stats().hits == len(people) + len(texts)


def test_the_cache_is_bounded_across_many_parties() -> None:
    ctx = context()
    object.__setattr__(ctx, "parties", PartyCache(capacity=50))
    for n in range(60):  # more new parties than the cache holds
        payment = make_payment(
            payment_id=f"p{n}", creditor={"name": f"Trading House Number {n} Ltd"}
        )
        screen_payment(payment, ctx, AT)
    assert len(ctx.parties) == 50
