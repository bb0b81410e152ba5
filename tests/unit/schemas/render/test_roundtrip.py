"""Payment -> render -> parse == Payment, on every field the format can carry.

The carried fields are compared explicitly per format (docs/parsers.md lists what each format
cannot carry): pacs.008 carries nearly everything; MT103 loses agent names next to a BIC, the
purpose code, ultimate parties and the seconds of created_at.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.parsers import parse_message
from schemas.payment import Agent, MessageType, Party, Payment
from schemas.render import render_mt103, render_pacs008

COUNTRIES = ["IQ", "US", "AE", "TR", "IR", "DE", "GB", "LB", "CN"]
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = UPPER + "0123456789"

words = st.text(alphabet=UPPER + "abcdefghijklmnopqrstuvwxyz0123456789.,", min_size=2, max_size=9)


def _phrase(max_words: int, limit: int) -> st.SearchStrategy[str]:
    return st.lists(words, min_size=1, max_size=max_words).map(
        lambda w: " ".join(w)[:limit].strip()
    )


names = _phrase(4, 33).filter(bool)
countries = st.sampled_from(COUNTRIES)


@st.composite
def bics(draw: st.DrawFn) -> str:
    bank = draw(st.text(UPPER, min_size=4, max_size=4))
    location = draw(st.text(ALNUM, min_size=2, max_size=2))
    branch = draw(st.one_of(st.just(""), st.text(ALNUM, min_size=3, max_size=3)))
    return bank + draw(countries) + location + ("" if branch == "XXX" else branch)


@st.composite
def accounts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        digits = draw(st.text("0123456789", min_size=2, max_size=2))
        return draw(countries) + digits + draw(st.text(ALNUM, min_size=10, max_size=24))
    return draw(st.text("0123456789", min_size=6, max_size=18))


@st.composite
def parties(draw: st.DrawFn, with_bic: bool = False, with_account: bool = True) -> Party:
    return Party(
        name=draw(names),
        account=draw(accounts()) if with_account else None,
        country=draw(countries),
        address=draw(st.lists(names, max_size=2)),
        bic=draw(bics()) if with_bic and draw(st.booleans()) else None,
    )


@st.composite
def agents(draw: st.DrawFn, bic_required: bool = False) -> Agent:
    bic = draw(bics()) if bic_required or draw(st.booleans()) else None
    name = draw(_phrase(5, 60).filter(bool)) if not bic or draw(st.booleans()) else None
    clearing = draw(st.one_of(st.none(), st.text("0123456789", min_size=9, max_size=9)))
    return Agent(bic=bic, name=name, clearing_id=f"USABA:{clearing}" if clearing else None)


@st.composite
def payments(draw: st.DrawFn, mt: bool = False) -> Payment:
    created = draw(
        st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
        )
    )
    if mt:
        created = created.replace(second=0, microsecond=0)
    cents = draw(st.integers(min_value=1, max_value=10**13))
    id_alphabet = ALNUM + "-"
    ultimate = parties(with_bic=True, with_account=False)  # pacs.008 has no ultimate accounts
    return Payment(
        payment_id=draw(
            st.text(id_alphabet, min_size=1, max_size=30 if mt else 35).filter(
                lambda s: s.strip("-")
            )
        ),
        uetr=str(draw(st.uuids(version=4))) if draw(st.booleans()) else None,
        created_at=created,
        value_date=draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))),
        amount=Decimal(cents) / 100,
        currency=draw(st.sampled_from(["USD", "IQD", "EUR", "AED"])),
        debtor=draw(parties(with_bic=not mt)),
        debtor_agent=draw(agents(bic_required=mt)),
        creditor=draw(parties(with_bic=not mt)),
        creditor_agent=draw(agents(bic_required=mt)),
        intermediary_agents=draw(st.lists(agents(bic_required=mt), max_size=1 if mt else 3)),
        instructing_agent=draw(agents(bic_required=True)),
        instructed_agent=draw(agents(bic_required=True)),
        ultimate_debtor=None if mt else draw(st.one_of(st.none(), ultimate)),
        ultimate_creditor=None if mt else draw(st.one_of(st.none(), ultimate)),
        purpose_code=None
        if mt
        else draw(st.one_of(st.none(), st.text(UPPER, min_size=4, max_size=4))),
        remittance_info=draw(st.one_of(st.none(), _phrase(20, 105 if mt else 140).filter(bool))),
    )


def _party_fields(party: Party | None, bic: bool = True) -> tuple[Any, ...] | None:
    if party is None:
        return None
    return (party.name, party.account, party.country, party.address, party.bic if bic else None)


def _agent_fields(agent: Agent | None, full: bool = True) -> tuple[Any, ...] | None:
    if agent is None:
        return None
    if not full:
        return (agent.bic,)
    return (agent.bic, agent.name, agent.country, agent.clearing_id)


def _common(before: Payment, after: Payment) -> None:
    assert after.payment_id == before.payment_id
    assert after.uetr == before.uetr
    assert after.created_at == before.created_at
    assert after.value_date == before.value_date
    assert after.amount == before.amount
    assert after.currency == before.currency
    assert after.remittance_info == before.remittance_info


ROUND_TRIP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(payments())
def test_pacs008_round_trip(payment: Payment) -> None:
    parsed = parse_message(render_pacs008(payment))
    assert parsed.message_type is MessageType.PACS008
    assert parsed.extra["schema_validated"] is True  # the rendering is XSD-valid
    _common(payment, parsed)
    for slot in ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor"):
        assert _party_fields(getattr(parsed, slot)) == _party_fields(getattr(payment, slot)), slot
    for slot in ("debtor_agent", "creditor_agent", "instructing_agent", "instructed_agent"):
        assert _agent_fields(getattr(parsed, slot)) == _agent_fields(getattr(payment, slot)), slot
    assert [_agent_fields(a) for a in parsed.intermediary_agents] == [
        _agent_fields(a) for a in payment.intermediary_agents
    ]
    assert parsed.purpose_code == payment.purpose_code


@ROUND_TRIP
@given(payments(mt=True))
def test_mt103_round_trip(payment: Payment) -> None:
    parsed = parse_message(render_mt103(payment))
    assert parsed.message_type is MessageType.MT103
    _common(payment, parsed)
    for slot in ("debtor", "creditor"):
        assert _party_fields(getattr(parsed, slot), bic=False) == _party_fields(
            getattr(payment, slot), bic=False
        ), slot
    for slot in ("debtor_agent", "creditor_agent", "instructing_agent", "instructed_agent"):
        assert _agent_fields(getattr(parsed, slot), full=False) == _agent_fields(
            getattr(payment, slot), full=False
        ), slot
    assert [a.bic for a in parsed.intermediary_agents] == [
        a.bic for a in payment.intermediary_agents
    ]


# --------------------------------------------------------------------------- render specifics


def _generator_like(**overrides: Any) -> Payment:
    base: dict[str, Any] = {
        "payment_id": "SYN-20250401-000000001-LONG-ID",
        "uetr": "7311d8a3-c2ce-4f44-bed4-d57b1e2feb89",
        "created_at": "2025-04-01T09:30:00Z",
        "value_date": "2025-04-01",
        "amount": "9500.00",
        "currency": "USD",
        "debtor": {
            "name": "علي حسن & Sons: Trading",
            "account": "IQ20AIBI001000000000123",
            "address": ["-Karrada", "Baghdad"],
        },
        "debtor_agent": {"bic": "AIBIIQBA", "name": "Ashur International Bank"},
        "creditor": {"name": "Tehran Energy Co", "account": "12345678"},
        "creditor_agent": {"name": "Some Exchange House"},
        "intermediary_agents": [{"bic": "CITIUS33"}, {"bic": "MELIIRTH"}, {"name": "Other Bank"}],
    }
    base.update(overrides)
    return Payment.model_validate(base)


def test_mt103_render_keeps_x_charset_and_every_bank() -> None:
    payment = _generator_like()
    raw = render_mt103(payment)
    text = raw.decode("ascii")
    block4 = text[text.index("{4:") + 3 : text.index("-}")]
    assert re.fullmatch(r"[A-Za-z0-9/\-?:().,'+ \r\n]*", block4)
    assert not re.search(r"\n[-]", block4)  # no text line starts with '-'
    parsed = parse_message(raw)
    assert parsed.payment_id == payment.payment_id  # carried by /ROC/ in 70: too long for 20
    assert parsed.debtor.name == "?ly hsn Sons: Trading"  # transliterated to X, never dropped
    assert parsed.debtor.address == ["-Karrada", "Baghdad"]
    assert parsed.creditor_agent.name == "Some Exchange House"
    assert {a.bic or a.name for a in parsed.intermediary_agents} == {
        "CITIUS33",
        "MELIIRTH",
        "Other Bank",
    }
    # No instructed agent and a creditor agent without BIC: the next bank with one receives it.
    assert text.startswith("{1:F01MELIIRTHAXXX")


def test_mt103_header_falls_back_along_the_chain_and_needs_one_bic() -> None:
    payment = _generator_like(debtor_agent={"name": "No BIC Bank"}, instructing_agent=None)
    assert b"O1030930250401CITIUS33AXXX" in render_mt103(payment)  # the correspondent sends
    nobody = _generator_like(
        debtor_agent={"name": "No BIC Bank"}, intermediary_agents=[], instructing_agent=None
    )
    with pytest.raises(ValueError, match="sender BIC"):
        render_mt103(nobody)


def test_pacs008_render_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(ValueError, match="3 intermediary"):
        render_pacs008(_generator_like(intermediary_agents=[{"bic": "CITIUS33"}] * 4))
    with pytest.raises(ValueError, match="35"):
        render_pacs008(_generator_like(payment_id="X" * 36))


def test_pacs008_render_is_xsd_valid_for_generator_like_payment() -> None:
    payment = _generator_like()
    parsed = parse_message(render_pacs008(payment))
    assert parsed.extra["schema_validated"] is True
    assert parsed.debtor.name == payment.debtor.name  # UTF-8 kept as is in XML
    assert [a.bic or a.name for a in parsed.intermediary_agents] == [
        "CITIUS33",
        "MELIIRTH",
        "Other Bank",
    ]
