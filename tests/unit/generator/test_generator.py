from collections import Counter
from datetime import UTC, datetime

import orjson

from generator.iban import make_iban
from generator.malformed import MALFORMED_KINDS
from generator.traffic import TrafficSpec, generate
from lists.files import default_context
from offline.screen import Screened, SourceRecord, screen_records
from schemas.payment import Payment

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def records(**kw: object) -> list:
    spec = TrafficSpec(**{"count": 400, "seed": 11, "start": START, **kw})  # type: ignore[arg-type]
    return list(generate(spec))


def test_same_seed_same_bytes_and_labels() -> None:
    a, b = records(), records()
    assert [(r.key, r.value, r.label) for r in a] == [(r.key, r.value, r.label) for r in b]
    assert [r.value for r in records(seed=12)] != [r.value for r in a]


def test_labels_are_kept_apart_from_payments() -> None:
    for record in records(count=50):
        assert b"expected" not in record.value


def test_planted_violations_are_caught_and_clean_traffic_passes() -> None:
    generated = records(count=2000, violation_rate=0.1)
    sources = [SourceRecord(r.label["payment_id"], r.value) for r in generated]
    results = list(screen_records(sources, default_context(), START, 1_048_576))
    outcome: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    for record, result in zip(generated, results, strict=True):
        assert isinstance(result, Screened)
        rules = sorted({f.rule for f in result.decision.findings})
        assert rules == record.label["expected_rules"], (record.label, result.decision.findings)
        assert result.decision.decision.value == record.label["expected_decision"]
        outcome[result.decision.decision.value] += 1
        planted.update(rules)
    assert {"CBI-USD-BAN", "USD-STRUCTURING", "USD-FANOUT"} <= set(planted)
    assert outcome["pass"] > 1500


def test_traffic_has_both_currencies_and_foreign_counterparties() -> None:
    payments = [Payment.model_validate_json(r.value) for r in records()]
    # IQD payroll and pensions, USD trade and remittances (energy payments may be in EUR)
    assert {"USD", "IQD"} <= {p.currency for p in payments}
    assert {"AE", "TR", "CN", "JO", "DE"} <= {p.creditor.country for p in payments}


def test_malformed_records_are_labelled_and_invalid() -> None:
    bad = [r for r in records(count=600, malformed_rate=0.2) if "malformed" in r.label]
    assert set(MALFORMED_KINDS) == {r.label["malformed"] for r in bad}
    for record in bad:
        if record.label["malformed"] == "oversized":
            assert len(record.value) > TrafficSpec(count=1).max_bytes
            continue
        try:
            Payment.model_validate_json(record.value)
        except ValueError:
            continue
        raise AssertionError(f"{record.label} parsed")


def test_ibans_have_valid_check_digits() -> None:
    import random

    from schwifty import IBAN

    rng = random.Random(1)
    for country in ("IQ", "AE", "TR", "JO", "DE", "NL"):
        iban = make_iban(rng, country, "RAFB")
        assert iban is not None
        IBAN(iban, validate_bban=False)  # raises on a bad checksum or length
    # Debtors are Iraqi customers, or the diaspora sending remittances home: every IBAN checks.
    accounts = [orjson.loads(r.value)["debtor"]["account"] for r in records(count=60)]
    assert any(a.startswith("IQ") for a in accounts)
    for account in accounts:
        if account[:2].isalpha():
            IBAN(account, validate_bban=False)
