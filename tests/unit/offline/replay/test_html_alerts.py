"""One alert row of report.html: what an auditor needs to find the payment and the listing."""

from __future__ import annotations

from pathlib import Path

import orjson

from offline.replay.html_alerts import alert_row, rejected_section, rule_rows

ALERT = {
    "alert_id": "0123456789abcdef0123456789abcdef",
    "rule": "CBI-USD-BAN",
    "action": "block",
    "severity": "critical",
    "rule_pack": "iraq",
    "rule_pack_version": "2026.12.1",
    "raised_at": "2025-03-01T08:00:00Z",
    "payment": {
        "payment_id": "P-<1>",
        "amount": "12500.00",
        "currency": "USD",
        "value_date": "2025-03-01",
        "created_at": "2025-03-01T08:00:00Z",
        "debtor_name": "Babel Food Industries",
        "debtor_account": "IQ98**************0123",
        "debtor_agent_bic": "BABIIQBA",
        "creditor_name": "Tigris Supplies",
        "creditor_account": None,
        "creditor_agent_bic": "MSKIIQBA",
    },
    "findings": [
        {
            "rule": "CBI-USD-BAN",
            "entry_id": "cbi-2025-02-16-misk",
            "entry_name": "Misk Islamic Bank",
            "list": "cbi-usd-ban",
            "list_version": "2025-02-16+792d54f59e52",
            "match_method": "bic",
            "explanation": "creditor_agent MSKIIQBA is barred",
            "retro": False,
        },
        {
            "rule": "CBI-USD-BAN",
            "entry_id": "cbi-2025-02-16-misk",
            "entry_name": "Misk Islamic Bank",
            "list": "cbi-usd-ban",
            "list_version": "2025-02-16+792d54f59e52",
            "match_method": "name",
            "explanation": "creditor_agent name Misk Islamic Bank",
            "retro": True,
        },
    ],
}


def test_an_alert_row_names_parties_entry_and_list_version() -> None:
    row = alert_row(ALERT, retro=True)
    assert row.startswith('<tr id="alert-0123456789abcdef0123456789abcdef" class="retro">')
    for text in (
        "P-&lt;1&gt;",  # escaped
        "12,500.00",
        "Babel Food Industries",
        "IQ98**************0123",
        "BABIIQBA",
        "→ Tigris Supplies",
        "MSKIIQBA",
        "<code>cbi-2025-02-16-misk</code> Misk Islamic Bank",
        "cbi-usd-ban <code>2025-02-16+792d54f59e52</code>",
        "creditor_agent MSKIIQBA is barred<br>creditor_agent name Misk Islamic Bank",
    ):
        assert text in row, text
    assert row.count("cbi-2025-02-16-misk") == 1  # the same entry cited twice is listed once


def test_rules_group_all_alerts_with_a_cap_and_a_count(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.jsonl"
    docs = [
        {**ALERT, "alert_id": f"{i:032x}", "rule": rule}
        for i, rule in enumerate(["B-RULE", "A-RULE", "B-RULE", "B-RULE"])
    ]
    alerts.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    grouped = rule_rows(alerts, cap=2)
    assert list(grouped) == ["A-RULE", "B-RULE"]
    assert (grouped["B-RULE"].total, len(grouped["B-RULE"].rows)) == (3, 2)
    assert grouped["B-RULE"].retro == 3 and grouped["B-RULE"].actions == {"block": 3}


def test_rejected_records_keep_their_origin(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    rows = [
        {"origin": "payments.raw[3]@1207", "reason": "xml-syntax", "detail": "x", "sha256": "ab"},
        {"origin": "feed.jsonl:12", "reason": "empty", "detail": None, "sha256": "cd"},
    ]
    rejects.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    page = rejected_section(rejects, 2)
    assert "<code>payments.raw[3]@1207</code>" in page and "<code>feed.jsonl:12</code>" in page
    assert 'id="rejected"' in page
    assert "The first 1 of 2" in rejected_section(rejects, 2, cap=1)
    assert rejected_section(rejects, 0) == ""
