"""Deterministic synthetic traffic: Iraqi dollar flows, planted violations, bad records.

Everything derives from the seed (one random.Random for the stream, one for the run's customers),
so the same seed, arguments and lists give the same records and labels byte for byte. Labels
(ground truth) are kept apart from the payments: `expected_rules` and `expected_decision` (what
a correct system raises), `format`, and where something was planted `planted` (planter, field,
how) and `evasion` (the name manipulation used). Clean flows: generator.world; planters
and how their labels are worked out: generator.planting.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from generator import directory as d
from generator import names
from generator.clock import BusinessClock
from generator.iban import make_iban
from generator.malformed import MALFORMED_KINDS, make_malformed
from generator.planting import DECOYS, PLANTERS, ListFacts, Planted, Planting, available
from generator.world import (
    WindowGuard,
    World,
    choose_flow,
    default_world,
    flow_payment,
    iso,
    make_customer,
    unlisted,
)
from lists.files import builtin_lists
from rules.lists.base import ListSet

JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class GeneratedRecord:
    """One record for payments.raw plus its ground-truth label."""

    key: bytes
    value: bytes
    content_type: str
    label: dict[str, Any]


@dataclass(frozen=True)
class TrafficSpec:
    """What to generate. Rates are shares of `count` (0..1).

    `lists`: the lists to plant from (None: the built-in lists); OFAC-SDN, UN-SANCTIONS and
    OIL-VESSEL are planted only when the OFAC/UN lists are among them, and the labels are exact
    for screening with the same lists. `business_hours`: created_at advances through Baghdad
    banking hours only (generator.clock); off for a live feed that follows the clock.
    `evasion_rate`: the share of name plantings written with an evader's manipulation.
    """

    count: int
    seed: int = 7
    start: datetime | None = None
    spacing: timedelta = timedelta(milliseconds=500)
    violation_rate: float = 0.05
    malformed_rate: float = 0.0
    usd_share: float = 0.6
    formats: tuple[str, ...] = ("json",)
    max_bytes: int = 1_048_576
    id_prefix: str = "SYN"
    renderers: dict[str, Callable[[dict[str, Any]], tuple[bytes, str]]] = field(
        default_factory=dict
    )
    lists: ListSet | None = None
    business_hours: bool = False
    evasion_rate: float = 0.0
    round_robin: bool = False
    """Planters take turns instead of being drawn: a short run (the demo) plants every rule."""


REVIEW_RULES = frozenset({"USD-STRUCTURING", "USD-FANOUT"})
"""Windowed rules: their default action is review."""


def clean_payment(
    rng: random.Random,
    payment_id: str,
    created_at: datetime,
    usd_share: float,
    world: World | None = None,
) -> dict[str, Any]:
    """A legitimate payment of one of the Iraqi flows (generator.world).

    Without a `world`, the debtor is a customer of its own (a new account each call), so that
    payments built one by one never add up to a windowed pattern of one debtor.
    """
    flow = choose_flow(rng, usd_share)
    payment = flow_payment(rng, world or default_world(), flow, payment_id, created_at)
    if world is None:
        payment["debtor"] = _fresh_debtor(rng, payment, lambda name: False)
    return payment


def plant_structuring(rng: random.Random, payments: list[dict[str, Any]]) -> list[list[str]]:
    """One debtor, three USD payments just under the 10,000 reporting threshold within hours."""
    for payment in payments:
        payment["currency"] = "USD"
        payment["amount"] = f"{Decimal(rng.randrange(900_000, 999_900)) / 100:.2f}"
    return [[], [], ["USD-STRUCTURING"]]


def plant_fanout(rng: random.Random, payments: list[dict[str, Any]]) -> list[list[str]]:
    """One debtor pays five distinct beneficiaries in transit jurisdictions within hours."""
    countries = ["AE", "TR", "JO", "AE", "TR"]
    for payment, country in zip(payments, countries, strict=True):
        _transit_creditor(rng, payment, country)
        payment["amount"] = f"{Decimal(rng.randrange(150_000, 850_000)) / 100:.2f}"
    return [[], [], [], [], ["USD-FANOUT"]]


def plant_fanout_sum(rng: random.Random, payments: list[dict[str, Any]]) -> list[list[str]]:
    """One debtor sends more than 250,000 USD to two transit beneficiaries within hours."""
    for payment, country in zip(payments, ["AE", "TR"], strict=True):
        _transit_creditor(rng, payment, country)
        payment["amount"] = f"{Decimal(rng.randrange(130_000_00, 160_000_00)) / 100:.2f}"
    return [[], ["USD-FANOUT"]]


def _transit_creditor(rng: random.Random, payment: dict[str, Any], country: str) -> None:
    bank = rng.choice([b for b in d.FOREIGN_BANKS if b.country == country])
    supplier = make_customer(rng, names.foreign_company(rng, country), country, bank)
    payment["currency"] = "USD"
    payment["creditor"] = supplier.party()
    payment["creditor_agent"] = supplier.agent()
    payment.pop("ultimate_creditor", None)


PatternPlanter = Callable[[random.Random, list[dict[str, Any]]], list[list[str]]]
PATTERNS: dict[str, tuple[int, PatternPlanter]] = {
    "USD-STRUCTURING": (3, plant_structuring),
    "USD-FANOUT": (5, plant_fanout),
    "USD-FANOUT/sum": (2, plant_fanout_sum),
}


class _Run:
    """The state of one generation: rng, world, lists, window guard, clock."""

    def __init__(self, spec: TrafficSpec) -> None:
        assert spec.start is not None
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.facts = ListFacts.build(spec.lists if spec.lists is not None else builtin_lists())
        self.world = World.build(spec.seed, avoid=self.facts.listed_name)
        self.planting = Planting(self.rng, self.facts, spec.evasion_rate)
        self.planters = available(self.facts)
        self.patterns = sorted(PATTERNS)
        self.guard = WindowGuard()
        self.clock = BusinessClock(spec.start) if spec.business_hours else None
        self.flow = "import"
        self.turn = 0

    def at(self, i: int) -> datetime:
        assert self.spec.start is not None
        elapsed = self.spec.spacing * i
        return self.clock.at(elapsed) if self.clock else self.spec.start + elapsed

    def clean(self, i: int, usd_share: float | None = None) -> dict[str, Any]:
        """A clean payment at position `i`; its flow is kept in `self.flow` for the label."""
        share = self.spec.usd_share if usd_share is None else usd_share
        self.flow = choose_flow(self.rng, share)
        return flow_payment(self.rng, self.world, self.flow, _payment_id(self.spec, i), self.at(i))

    def keep_windows_clean(self, payment: dict[str, Any]) -> None:
        """A payment that would complete a windowed pattern goes to a one-off customer."""
        if self.guard.would_fire(payment):
            fresh = _fresh_debtor(self.rng, payment, self.world.avoid)
            payment["debtor"] = fresh
        self.guard.add(payment)


def _fresh_debtor(
    rng: random.Random, payment: dict[str, Any], avoid: Callable[[str], bool]
) -> dict[str, Any]:
    """A new customer of the same country and bank as the payment's debtor."""
    debtor = payment["debtor"]
    country = debtor.get("country") or "IQ"
    code = (payment["debtor_agent"].get("bic") or "")[:4]
    maker = names.iraqi_company if country == "IQ" else names.iraqi_person
    name = unlisted(rng, maker, avoid)
    account = make_iban(rng, country, code) or f"{rng.randrange(10**11, 10**12)}"
    return {**debtor, "name": name, "account": account}


def generate(spec: TrafficSpec) -> Iterator[GeneratedRecord]:
    """Yield `spec.count` records: clean flows, planted violations, decoys, windowed patterns
    (several payments of one debtor) and malformed records. Records are keyed by debtor account,
    as a gateway that preserves per-account order would key them."""
    if spec.start is None:
        raise ValueError("TrafficSpec.start is required")
    run = _Run(spec)
    rng = run.rng
    i = 0
    while i < spec.count:
        roll = rng.random()
        if roll < spec.malformed_rate:
            yield _malformed(run, i)
            i += 1
            continue
        payment = run.clean(i)
        if roll < spec.malformed_rate + spec.violation_rate:
            choice = rng.randrange(len(run.planters) + len(run.patterns))
            if spec.round_robin:
                choice = run.turn % (len(run.planters) + len(run.patterns))
                run.turn += 1
            if choice >= len(run.planters):
                name = run.patterns[choice - len(run.planters)]
                size, planter = PATTERNS[name]
                if i + size <= spec.count:
                    yield from _pattern(run, i, size, planter, name)
                    i += size
                    continue
            else:
                planted = PLANTERS[run.planters[choice]](run.planting, payment)
                if planted is not None:
                    run.keep_windows_clean(payment)
                    yield _record(run, payment, planted.rules, planted)
                    i += 1
                    continue
        elif roll < spec.malformed_rate + spec.violation_rate * 1.5:
            how = rng.choice(DECOYS)(run.planting, payment)
            run.keep_windows_clean(payment)
            yield _record(run, payment, {}, None, how)
            i += 1
            continue
        run.keep_windows_clean(payment)
        yield _record(run, payment, {}, None)
        i += 1


def _payment_id(spec: TrafficSpec, i: int) -> str:
    return f"{spec.id_prefix}-{spec.seed}-{i:08d}"


def _pattern(
    run: _Run, i: int, size: int, planter: PatternPlanter, name: str
) -> Iterator[GeneratedRecord]:
    """`size` USD payments of one new importer, minutes apart in event time, the last at the
    pattern's place in the feed: a live feed (created_at = now) never carries future times.
    In banking hours a pattern stays within its banking day (it may then end a little after
    its place in the feed: a file, not a live feed)."""
    rng = run.rng
    base = run.at(i)
    payments: list[dict[str, Any]] = []
    for k in range(size):
        payment = flow_payment(rng, run.world, "import", _payment_id(run.spec, i + k), base)
        if payments:
            payment["debtor"] = payments[0]["debtor"]
            payment["debtor_agent"] = payments[0]["debtor_agent"]
        else:
            payment["debtor"] = _fresh_debtor(rng, payment, run.world.avoid)
        payments.append(payment)
    gaps = [timedelta(minutes=rng.randrange(2, 40)) for _ in payments[1:]]
    at = base - sum(gaps, timedelta())
    if run.clock is not None:
        # Within the banking day: a pattern near opening time starts at the opening instead.
        at = max(at, run.clock.opening(base))
    for payment, gap in zip(payments, [*gaps, timedelta()], strict=True):
        payment["created_at"] = iso(at)
        payment["value_date"] = at.date().isoformat()
        at += gap
    run.flow = "import"
    for payment, rules in zip(payments, planter(rng, payments), strict=True):
        yield _record(run, payment, dict.fromkeys(rules, "review"), None, f"{name}/member")


def _record(
    run: _Run,
    payment: dict[str, Any],
    rules: dict[str, str],
    planted: Planted | None,
    how: str | None = None,
) -> GeneratedRecord:
    spec = run.spec
    fmt = run.rng.choice(spec.formats)
    # MT103 has one intermediary field (a second one goes to free text, field 72) and drops
    # what `structured` plantings need: such a planting goes out as pacs.008 (or JSON).
    second_intermediary = len(payment.get("intermediary_agents") or []) > 1
    if planted is not None and fmt == "mt103" and (planted.structured or second_intermediary):
        fmt = "pacs008" if "pacs008" in spec.formats else "json"
    value, content_type = _render(spec, fmt, payment)
    actions = set(rules.values())
    decision = "block" if "block" in actions else ("review" if actions else "pass")
    label: dict[str, Any] = {
        "payment_id": payment["payment_id"],
        "expected_rules": sorted(rules),
        "expected_decision": decision,
        "format": fmt,
        "flow": run.flow,
    }
    how = planted.how if planted is not None else how
    if how:
        label["planted"] = how
    if planted is not None and planted.evasion:
        label["evasion"] = planted.evasion
    return GeneratedRecord(payment["debtor"]["account"].encode(), value, content_type, label)


def _malformed(run: _Run, i: int) -> GeneratedRecord:
    spec, rng = run.spec, run.rng
    payment_id = _payment_id(spec, i)
    payment = run.clean(i, 1.0)
    fmt = "json" if spec.formats == ("json",) else rng.choice(spec.formats)
    if fmt == "json":
        kind = rng.choice(MALFORMED_KINDS)
        raw, content_type = make_malformed(rng, kind, payment, spec.max_bytes), JSON_CONTENT_TYPE
    else:
        # A bank message cut off in transit: never well-formed XML, never a closed MT block 4.
        kind = f"truncated-{fmt}"
        message, content_type = _render(spec, fmt, payment)
        raw = message[: rng.randrange(10, max(11, len(message) * 6 // 10))]
    label: dict[str, Any] = {
        "payment_id": payment_id,
        "malformed": kind,
        "expected_rules": [],
        "expected_decision": None,
    }
    return GeneratedRecord(payment_id.encode(), raw, content_type, label)


def _render(spec: TrafficSpec, fmt: str, payment: dict[str, Any]) -> tuple[bytes, str]:
    if fmt == "json":
        return orjson.dumps(payment), JSON_CONTENT_TYPE
    renderer = spec.renderers.get(fmt)
    if renderer is None:
        raise ValueError(f"no renderer for format {fmt!r}")
    return renderer(payment)
