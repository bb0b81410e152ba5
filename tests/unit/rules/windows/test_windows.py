"""The pure window logic: boundaries, order independence, idempotence, many debtors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rules.pack import RulePack, parse_rule_pack
from rules.windows import DebtorWindow, debtor_key, observe
from schemas.payment import Payment
from tests.factories import make_payment

PACK_TEXT = """
name: test
version: "t1"
window_allowed_lateness_hours: 6
rules:
  USD-STRUCTURING: {action: review, severity: medium, currencies: [USD], threshold: "10000",
                    lower_ratio: "0.9", upper_ratio: "1.0", min_count: 3, window_hours: 24}
  USD-FANOUT: {action: review, severity: medium, currencies: [USD],
               jurisdictions: [AE, TR, LB, SY, OM, JO], min_beneficiaries: 5,
               max_usd_sum: "250000", min_beneficiaries_for_sum: 2, window_hours: 24}
"""
PACK: RulePack = parse_rule_pack(PACK_TEXT)
T0 = datetime(2025, 6, 2, 8, tzinfo=UTC)


def pay(
    i: int, amount: str, at: datetime, debtor: str = "IQ98BBAG001234567890123", **kw: object
) -> Payment:
    creditor = kw.pop(
        "creditor", {"name": "Gulf Horizon Trading LLC", "account": "DE89370400440532013000"}
    )
    return make_payment(
        payment_id=f"P{i}",
        amount=amount,
        created_at=at.isoformat(),
        value_date=at.date().isoformat(),
        debtor={"name": "Babel Food", "account": debtor},
        creditor=creditor,
        **kw,
    )


def run(
    payments: list[Payment], state: DebtorWindow | None = None
) -> tuple[DebtorWindow | None, dict[str, list[str]]]:
    fired: dict[str, list[str]] = {}
    for p in payments:
        state, findings = observe(state, p, PACK)
        fired[p.payment_id] = [f.rule for f in findings]
    return state, fired


def rules_fired(fired: dict[str, list[str]]) -> list[str]:
    return sorted(r for rules in fired.values() for r in rules)


def test_three_near_threshold_payments_in_a_day_fire_once_on_the_third() -> None:
    payments = [pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(3)]
    _, fired = run(payments)
    assert fired == {"P0": [], "P1": [], "P2": ["USD-STRUCTURING"]}


def test_two_payments_are_not_structuring() -> None:
    _, fired = run([pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(2)])
    assert rules_fired(fired) == []


def test_a_fourth_payment_in_the_same_burst_raises_no_second_alert() -> None:
    _, fired = run([pay(i, "9900.00", T0 + timedelta(hours=i)) for i in range(6)])
    assert rules_fired(fired) == ["USD-STRUCTURING"]


@pytest.mark.parametrize(("gap_hours", "fires"), [(11.99, True), (12, False)])
def test_24h_edge(gap_hours: float, fires: bool) -> None:
    # first and third payments are 2 * gap apart: 23.98 h is within the window, 24 h is not
    times = [T0, T0 + timedelta(hours=gap_hours), T0 + timedelta(hours=2 * gap_hours)]
    _, fired = run([pay(i, "9500.00", t) for i, t in enumerate(times)])
    assert (rules_fired(fired) == ["USD-STRUCTURING"]) is fires


@pytest.mark.parametrize(
    ("amount", "fires"),
    [("8999.99", False), ("9000.00", True), ("10000.00", True), ("10000.01", False)],
)
def test_90_percent_and_threshold_edges(amount: str, fires: bool) -> None:
    payments = [
        pay(0, "9500.00", T0),
        pay(1, "9500.00", T0 + timedelta(hours=1)),
        pay(2, amount, T0 + timedelta(hours=2)),
    ]
    _, fired = run(payments)
    assert (rules_fired(fired) == ["USD-STRUCTURING"]) is fires


def test_other_currencies_are_not_structuring() -> None:
    _, fired = run([pay(i, "9500.00", T0 + timedelta(hours=i), currency="EUR") for i in range(3)])
    assert rules_fired(fired) == []


def test_out_of_order_arrival_gives_the_same_anchor() -> None:
    payments = [pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(3)]
    anchors = set()
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]):
        state = None
        found = []
        for i in order:
            state, findings = observe(state, payments[i], PACK)
            found += findings
        assert [f.rule for f in found] == ["USD-STRUCTURING"]
        anchors.add(found[0].evidence["anchor_payment_id"])
    assert anchors == {"P0"}


def test_too_late_payments_are_not_windowed() -> None:
    state, _ = run([pay(0, "9500.00", T0 + timedelta(days=3))])
    state, fired = run([pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(1, 4)], state)
    assert rules_fired(fired) == []


def test_redelivery_returns_the_same_findings_and_state() -> None:
    payments = [pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(3)]
    state, _ = run(payments[:2])
    state, first = observe(state, payments[2], PACK)
    again_state, again = observe(state, payments[2], PACK)
    assert again_state == state
    assert [f.model_dump_json() for f in again] == [f.model_dump_json() for f in first]


def test_finding_cites_the_windows_payments() -> None:
    payments = [pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(3)]
    _, findings = observe(run(payments[:2])[0], payments[2], PACK)
    (finding,) = findings
    assert finding.evidence["payment_ids"] == "P0 P1 P2"
    assert finding.evidence["amounts"] == "9500.00 9500.00 9500.00"
    assert finding.evidence["usd_sum"] == "28500.00"
    assert "IQ98" in finding.matched and "567890123" not in finding.matched
    assert finding.action.value == "review"


def creditor(n: int, country: str = "AE") -> dict[str, str]:
    return {"name": f"Beneficiary {n}", "account": f"ACC{n:06d}", "country": country}


def test_fanout_five_distinct_transit_beneficiaries() -> None:
    payments = [
        pay(i, "1000.00", T0 + timedelta(hours=i), creditor=creditor(i, c))
        for i, c in enumerate(["AE", "TR", "LB", "OM", "JO"])
    ]
    _, fired = run(payments)
    assert fired["P4"] == ["USD-FANOUT"]
    assert rules_fired(fired) == ["USD-FANOUT"]


def test_fanout_four_beneficiaries_or_non_transit_do_not_fire() -> None:
    four = [pay(i, "1000.00", T0 + timedelta(hours=i), creditor=creditor(i)) for i in range(4)]
    same = [pay(i, "1000.00", T0 + timedelta(hours=i), creditor=creditor(1)) for i in range(5)]
    german = [
        pay(i, "1000.00", T0 + timedelta(hours=i), creditor=creditor(i, "DE")) for i in range(5)
    ]
    for payments in (four, same, german):
        assert rules_fired(run(payments)[1]) == []


@pytest.mark.parametrize(("amount", "fires"), [("125000.00", False), ("125000.01", True)])
def test_fanout_usd_sum_edge(amount: str, fires: bool) -> None:
    payments = [pay(i, amount, T0 + timedelta(hours=i), creditor=creditor(i)) for i in range(2)]
    assert (rules_fired(run(payments)[1]) == ["USD-FANOUT"]) is fires


def test_one_large_payment_is_not_a_fanout() -> None:
    assert rules_fired(run([pay(0, "300000.00", T0, creditor=creditor(1))])[1]) == []


def test_many_debtors_keep_separate_windows() -> None:
    rng = random.Random(3)
    planted = {f"IQ{n:02d}PLNT000000000000{n:03d}" for n in range(20)}
    clean = {f"IQ{n:02d}CLEN000000000000{n:03d}" for n in range(200)}
    payments: list[Payment] = []
    i = 0
    for debtor in sorted(planted | clean):
        for k in range(3):
            amount = "9600.00" if debtor in planted else f"{Decimal(rng.randrange(100, 8000)):.2f}"
            payments.append(
                pay(i, amount, T0 + timedelta(hours=k, minutes=rng.randrange(60)), debtor=debtor)
            )
            i += 1
    rng.shuffle(payments)
    states: dict[str, DebtorWindow] = {}
    flagged = set()
    for p in sorted(payments, key=lambda p: p.created_at):
        key = debtor_key(p)
        states[key], findings = observe(states.get(key), p, PACK)
        if findings:
            flagged.add(key)
    assert flagged == planted


def test_irrelevant_payments_leave_the_state_untouched() -> None:
    state, _ = run([pay(0, "9500.00", T0)])
    for amount, currency in (("120.00", "USD"), ("9500.00", "IQD")):
        same, findings = observe(state, pay(9, amount, T0, currency=currency), PACK)
        assert same is state and findings == []
    assert observe(None, pay(9, "120.00", T0), PACK) == (None, [])


def test_state_round_trips_through_json() -> None:
    state, _ = run([pay(i, "9500.00", T0 + timedelta(hours=i)) for i in range(3)])
    assert state is not None
    assert DebtorWindow.model_validate_json(state.model_dump_json()) == state
