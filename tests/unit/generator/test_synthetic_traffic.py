"""The generator's realism and its label contract, screened with real list entries.

The OFAC and UN entries come from the demo snapshot packaged in cli/demo_lists (rows of the
public files, dated), so these tests need neither ../shared/data nor a network; bench/
bench_labels.py measures the same agreement with the full lists.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
import pytest

from cli.demo_lists import demo_context
from generator import evasion
from generator.clock import BAGHDAD, BusinessClock
from generator.planting import WAIVER_LAPSE
from generator.renderers import formats_for, renderers
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from generator.world import IQD_FLOWS, USD_FLOWS, WindowGuard
from offline.screen import Screened, SourceRecord, screen_records
from rules.lists.ofac import SDN_LIST
from rules.lists.un import UN_LIST
from schemas.payment import Payment

pytestmark = pytest.mark.slow

START = datetime(2025, 3, 2, 5, tzinfo=UTC)  # Sunday 08:00 in Baghdad, six days before the lapse
SPACING = timedelta(seconds=30)
CATALOGUE = {
    "CBI-USD-BAN",
    "FINCEN-311",
    "OFAC-SDN",
    "UN-SANCTIONS",
    "IRAN-NEXUS",
    "IRAN-ENERGY",
    "MILITIA-FRONT",
    "OIL-VESSEL",
    "USD-STRUCTURING",
    "USD-FANOUT",
}


@pytest.fixture(scope="module")
def ctx():  # type: ignore[no-untyped-def]
    return demo_context()


def spec(ctx, **kw: object) -> TrafficSpec:  # type: ignore[no-untyped-def]
    base: dict[str, object] = {
        "count": 5000,
        "seed": 3,
        "start": START,
        "spacing": SPACING,
        "business_hours": True,
        "lists": ctx.lists,
        "formats": formats_for("mixed"),
        "renderers": renderers(),
    }
    return TrafficSpec(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def traffic(ctx) -> list[GeneratedRecord]:  # type: ignore[no-untyped-def]
    return list(generate(spec(ctx)))


@pytest.fixture(scope="module")
def dense(ctx) -> list[GeneratedRecord]:  # type: ignore[no-untyped-def]
    """Many plantings, for the variety of positions and ways (not screened)."""
    return list(generate(spec(ctx, count=6000, violation_rate=0.3)))


@pytest.fixture(scope="module")
def screened(ctx, traffic):  # type: ignore[no-untyped-def]
    sources = [SourceRecord(r.label["payment_id"], r.value, r.content_type) for r in traffic]
    return list(screen_records(sources, ctx, None, 16 * 1_048_576))


def planted(traffic: list[GeneratedRecord], prefix: str) -> list[GeneratedRecord]:
    return [r for r in traffic if str(r.label.get("planted", "")).startswith(prefix)]


def test_every_rule_of_the_catalogue_is_planted_in_5000_payments(traffic) -> None:  # type: ignore[no-untyped-def]
    labelled = Counter(rule for r in traffic for rule in r.label["expected_rules"])
    assert set(labelled) == CATALOGUE, labelled


def test_cbi_ban_is_planted_at_every_chain_position(dense) -> None:  # type: ignore[no-untyped-def]
    positions = {r.label["planted"].split("/")[1] for r in planted(dense, "CBI-USD-BAN/")}
    assert positions == {
        "debtor_agent",
        "creditor_agent",
        "intermediary",
        "instructing_agent",
        "instructed_agent",
    }


def test_iran_nexus_by_bic_iban_address_and_name_and_energy_on_both_sides_of_the_lapse(
    dense,  # type: ignore[no-untyped-def]
) -> None:
    ways = {r.label["planted"].rsplit("/", 1)[1] for r in planted(dense, "IRAN-NEXUS/")}
    assert ways == {"bic", "iban", "address", "name"}
    energy = [r for r in planted(dense, "IRAN-ENERGY/") if r.label["format"] == "json"]
    sides = Counter(r.label["planted"] for r in energy)
    assert set(sides) == {"IRAN-ENERGY/before-lapse", "IRAN-ENERGY/after-lapse"}
    for record in energy:
        value_date = orjson.loads(_json(record))["value_date"]
        before = value_date < WAIVER_LAPSE.isoformat()
        assert record.label["expected_decision"] == ("review" if before else "block")


def test_labels_agree_with_screening_and_nothing_is_falsely_blocked(traffic, screened) -> None:  # type: ignore[no-untyped-def]
    agreed, false_blocks, disagreements = 0, 0, []
    for record, outcome in zip(traffic, screened, strict=True):
        assert isinstance(outcome, Screened), record.label
        got = sorted({f.rule for f in outcome.decision.findings})
        verdict = outcome.decision.decision.value
        if got == record.label["expected_rules"] and verdict == record.label["expected_decision"]:
            agreed += 1
        else:
            disagreements.append((record.label, got, verdict))
        false_blocks += verdict == "block" and record.label["expected_decision"] != "block"
    assert false_blocks == 0, disagreements
    assert agreed / len(traffic) >= 0.995, disagreements


def test_sanctions_hits_are_real_entries_of_the_loaded_lists(ctx, screened) -> None:  # type: ignore[no-untyped-def]
    ids = {name: {e.entry_id for e in ctx.lists.get(name).entries} for name in (SDN_LIST, UN_LIST)}
    seen: Counter[str] = Counter()
    for outcome in screened:
        for finding in outcome.decision.findings:
            if finding.rule in ("OFAC-SDN", "UN-SANCTIONS", "OIL-VESSEL"):
                assert finding.entry_id in ids[finding.list_name or ""], finding
                seen[finding.rule] += 1
    assert {"OFAC-SDN", "UN-SANCTIONS", "OIL-VESSEL"} <= set(seen)


def test_the_label_contract(traffic) -> None:  # type: ignore[no-untyped-def]
    for record in traffic:
        label = record.label
        assert {"payment_id", "expected_rules", "expected_decision", "format", "flow"} <= set(label)
        assert label["expected_rules"] == sorted(set(label["expected_rules"]))
        assert (label["expected_decision"] == "pass") == (not label["expected_rules"])
        assert b"expected_rules" not in record.value and b"planted" not in record.value
    windowed = [
        r for r in traffic if {"USD-STRUCTURING", "USD-FANOUT"} & set(r.label["expected_rules"])
    ]
    assert windowed and all(
        r.label["expected_decision"] == "review"
        for r in windowed
        if len(r.label["expected_rules"]) == 1
    )


def test_same_seed_same_bytes_other_seed_other_traffic(ctx) -> None:  # type: ignore[no-untyped-def]
    a = list(generate(spec(ctx, count=600, violation_rate=0.2, evasion_rate=0.3)))
    b = list(generate(spec(ctx, count=600, violation_rate=0.2, evasion_rate=0.3)))
    assert [(r.key, r.value, r.label) for r in a] == [(r.key, r.value, r.label) for r in b]
    c = list(generate(spec(ctx, count=600, seed=4, violation_rate=0.2, evasion_rate=0.3)))
    assert [r.value for r in c] != [r.value for r in a]


def test_flow_mix_follows_the_configured_shares(traffic) -> None:  # type: ignore[no-untyped-def]
    clean = [r for r in traffic if "planted" not in r.label]
    counts = Counter(r.label["flow"] for r in clean)
    usd_share = TrafficSpec(count=1).usd_share
    for flow, share in USD_FLOWS.items():
        assert counts[flow] / len(clean) == pytest.approx(usd_share * share, abs=0.03), counts
    for flow, share in IQD_FLOWS.items():
        assert counts[flow] / len(clean) == pytest.approx((1 - usd_share) * share, abs=0.03)
    payments = [orjson.loads(_json(r)) for r in clean if r.label["format"] == "json"]
    imports = [
        p
        for p in payments
        if p["purpose_code"] in ("GDDS", "TRAD", "SUPP") and p["currency"] == "USD"
    ]
    assert {"AE", "TR", "CN", "JO"} <= {p["creditor"]["country"] for p in imports}
    payroll = [Decimal(p["amount"]) for p in payments if p["purpose_code"] == "SALA"]
    assert all(p % 1000 == 0 for p in payroll)


def test_business_hours_in_baghdad_and_traffic_spans_the_waiver_lapse(traffic) -> None:  # type: ignore[no-untyped-def]
    times = [
        datetime.fromisoformat(orjson.loads(_json(r))["created_at"].replace("Z", "+00:00"))
        for r in traffic
        if r.label["format"] == "json"
    ]
    for moment in times:
        local = moment.astimezone(BAGHDAD)
        assert local.weekday() not in (4, 5), local  # Friday, Saturday
        assert 8 <= local.hour < 15, local
    assert min(times).date() < WAIVER_LAPSE <= max(times).date()


def test_business_clock_skips_nights_and_weekends() -> None:
    clock = BusinessClock(datetime(2025, 3, 6, 11, 30, tzinfo=UTC))  # Thursday 14:30 Baghdad
    assert clock.at(timedelta(0)) == datetime(2025, 3, 6, 11, 30, tzinfo=UTC)
    # half an hour to closing, then Friday and Saturday are skipped: Sunday 08:30
    assert clock.at(timedelta(hours=1)) == datetime(2025, 3, 9, 5, 30, tzinfo=UTC)
    night = BusinessClock(datetime(2025, 3, 2, 20, 0, tzinfo=UTC))  # Sunday 23:00 Baghdad
    assert night.at(timedelta(0)) == datetime(2025, 3, 3, 5, 0, tzinfo=UTC)


def test_names_do_not_repeat_unnaturally_and_counterparties_do(traffic) -> None:  # type: ignore[no-untyped-def]
    payments = [orjson.loads(_json(r)) for r in traffic if r.label["format"] == "json"]
    payroll = [p["creditor"]["name"] for p in payments if p["purpose_code"] == "SALA"]
    assert len(set(payroll)) / len(payroll) > 0.97  # employees: hardly a namesake
    importers = Counter(
        p["debtor"]["account"] for p in payments if p["purpose_code"] in ("GDDS", "TRAD", "SUPP")
    )
    assert importers.most_common(1)[0][1] >= 5  # a big importer pays again and again
    pairs = Counter(
        (p["debtor"]["account"], p["creditor"]["account"])
        for p in payments
        if p["currency"] == "USD"
    )
    assert sum(n for n in pairs.values() if n > 1) > 50  # regular suppliers


def test_evasion_variants_carry_their_class_and_disguise_the_name(ctx) -> None:  # type: ignore[no-untyped-def]
    records = list(generate(spec(ctx, count=1500, violation_rate=0.5, evasion_rate=1.0)))
    classes = Counter(r.label["evasion"] for r in records if "evasion" in r.label)
    assert len(classes) >= 8, classes
    assert all(r.label["format"] != "mt103" for r in records if "evasion" in r.label)


def test_evasion_functions_are_shared_with_the_test_deck() -> None:
    from bench.testdeck import manipulations

    assert manipulations.TEXT_CLASSES is evasion.TEXT_CLASSES
    assert evasion.cyrillic_lookalikes(random.Random(1), "BANK MELLAT") != "BANK MELLAT"


def test_clean_traffic_never_completes_a_windowed_pattern(traffic) -> None:  # type: ignore[no-untyped-def]
    guard = WindowGuard()
    for record in traffic:
        if record.label["format"] != "json" or "planted" in record.label:
            continue
        payment = orjson.loads(_json(record))
        assert not guard.would_fire(payment), record.label
        guard.add(payment)


def test_without_the_ofac_and_un_lists_only_builtin_rules_are_planted() -> None:
    records = list(generate(TrafficSpec(count=2000, seed=5, start=START, violation_rate=0.3)))
    labelled = {rule for r in records for rule in r.label["expected_rules"]}
    assert labelled <= CATALOGUE - {"OFAC-SDN", "UN-SANCTIONS", "OIL-VESSEL"}
    assert {"CBI-USD-BAN", "FINCEN-311", "IRAN-NEXUS", "MILITIA-FRONT"} <= labelled
    for record in records:
        Payment.model_validate_json(record.value)


def _json(record: GeneratedRecord) -> bytes:
    assert record.content_type == "application/json"
    return record.value


def test_the_demo_plants_every_rule_from_its_packaged_lists(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cli.demo_lists import OFAC_DIR, UN_XML, demo_lists_env, with_demo_lists
    from cli.generate import plant_lists
    from infra.settings import Settings

    settings = Settings(_env_file=None)
    chosen = with_demo_lists(settings)
    assert (chosen.ofac_dir, chosen.un_xml) == (OFAC_DIR, UN_XML)
    assert demo_lists_env(settings)["DINARWATCH_OFAC_DIR"] == str(OFAC_DIR)
    own = Settings(_env_file=None, un_xml=tmp_path / "un.xml")
    assert with_demo_lists(own) is own and demo_lists_env(own) == {}  # configured lists win
    demo = TrafficSpec(
        count=2000,
        seed=1,
        start=datetime.now(UTC),
        spacing=timedelta(milliseconds=10),
        violation_rate=0.04,
        lists=plant_lists(chosen),
        round_robin=True,
    )
    labelled = {rule for r in generate(demo) for rule in r.label["expected_rules"]}
    assert labelled == CATALOGUE
