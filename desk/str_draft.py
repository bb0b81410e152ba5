"""Suspicious-transaction report drafts in goAML XML, for cases confirmed as a true match.

goAML (UNODC) is the reporting system many FIUs in the region use. The draft follows the goAML
5.0.2 report schema (`goAMLSchema.xsd`): one `<report>` with `report_code` STR, the payment as a
`<transaction>` from the debtor's account (`t_from`/`from_account`) to the creditor's
(`t_to`/`to_account`), the case's rules, findings, disposition and comments as the `reason`.

The schema is UNODC's and is not shipped with dinarwatch: point `DINARWATCH_DESK_GOAML_XSD` (or
`desk str --xsd`) at the copy the FIU distributes and the draft is validated against it.

What the desk cannot know is left out on purpose, so a draft never validates until a person has
completed it; `missing` lists it:
  - always: the full account numbers (the desk stores them masked), the parties' addresses and
    identity documents, the banks' names (alerts carry BICs), the reporting person;
  - unless configured: the reporting entity's goAML id (`DINARWATCH_DESK_GOAML_RENTITY_ID`),
    the FIU's indicator codes (`..._INDICATORS`), and for a payment in another currency than
    the local one (`..._LOCAL_CURRENCY`, default IQD) the exchange rate (`..._RATE`) that gives
    `amount_local`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk import audit
from desk.actions import get_case
from desk.db.models import AlertRow, Comment, User
from desk.errors import Conflict
from infra.errors import ConfigError

SCHEMA_VERSION = "5.0.2"
ENV_PREFIX = "DINARWATCH_DESK_GOAML_"
REASON_LIMIT = 8000  # comments_type


@dataclass(frozen=True)
class GoamlSettings:
    """What the reporting entity fills in once (environment `DINARWATCH_DESK_GOAML_*`)."""

    rentity_id: int | None = None
    rentity_branch: str | None = None
    local_currency: str = "IQD"
    rate: Decimal | None = None
    """Units of the local currency per unit of the payment's currency."""
    indicators: tuple[str, ...] = ()
    xsd: Path | None = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> GoamlSettings:
        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name, "").strip()
            return value or None

        try:
            rentity = get("RENTITY_ID")
            rate = get("RATE")
            return cls(
                rentity_id=int(rentity) if rentity else None,
                rentity_branch=get("RENTITY_BRANCH"),
                local_currency=(get("LOCAL_CURRENCY") or "IQD").upper(),
                rate=Decimal(rate) if rate else None,
                indicators=tuple(
                    code.strip() for code in (get("INDICATORS") or "").split(",") if code.strip()
                ),
                xsd=Path(xsd) if (xsd := get("XSD")) else None,
            )
        except (ValueError, InvalidOperation) as exc:
            raise ConfigError(f"{ENV_PREFIX}RENTITY_ID or {ENV_PREFIX}RATE: {exc}") from None


@dataclass
class StrDraft:
    case_id: int
    payment_id: str
    xml: bytes
    missing: list[str]
    schema: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool | None:
        """True/False once validated against a schema, None when no schema was given."""
        return None if self.schema is None else not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "payment_id": self.payment_id,
            "format": f"goAML {SCHEMA_VERSION} report (STR)",
            "xml": self.xml.decode("utf-8"),
            "missing": self.missing,
            "schema": self.schema,
            "valid": self.valid,
            "errors": self.errors,
        }


ALWAYS_MISSING = (
    "from_account/account, to_account/account: the full account numbers (the desk keeps them "
    "masked; take them from the core banking system)",
    "institution_name of both banks (alerts carry the BICs only)",
    "the parties' addresses, identity documents, nationality and (for companies) "
    "incorporation details (t_person / t_entity)",
    "reporting_person or reporting_user_code: the compliance officer filing the report",
)


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _when(value: str | datetime) -> str:
    """goAML's sql_date: xs:dateTime without a zone (UTC here)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat()


def _country(account: str | None, bic: str | None) -> str:
    """An IBAN's country, else the BIC's, else goAML's '-' (unknown)."""
    if account and account[:2].isalpha() and account[2:4].isdigit():
        return account[:2].upper()
    if bic and len(bic) >= 6 and bic[4:6].isalpha():
        return bic[4:6].upper()
    return "-"


def _account(
    parent: etree._Element, tag: str, name: str, account: str | None, bic: str | None, ccy: str
) -> None:
    node = _sub(parent, tag)
    if bic:
        _sub(node, "swift", bic)
    _sub(node, "non_bank_institution", "false")
    _sub(node, "account", account or "-")
    _sub(node, "currency_code", ccy)
    _sub(node, "account_name", name[:255])


def _reason(case: Any, alerts: list[dict[str, Any]], comments: list[str]) -> str:
    lines = [
        f"dinarwatch case {case.id}: disposition {case.disposition} (confirmed true match); "
        f"status {case.status}; severity {case.severity}."
    ]
    for alert in alerts:
        for finding in alert.get("findings", []):
            lines.append(
                f"{finding.get('rule')}: {finding.get('explanation', '')} "
                f"[list {finding.get('list')} {finding.get('list_version')}, entry "
                f"{finding.get('entry_id')}, score {finding.get('score')}, method "
                f"{finding.get('match_method')}, legal source {finding.get('legal_source')}]"
            )
    lines += [f"Analyst note: {c}" for c in comments]
    text = "\n".join(lines)
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 3] + "..."


def build_xml(
    case: Any,
    payment: Mapping[str, Any],
    alerts: list[dict[str, Any]],
    comments: list[str],
    settings: GoamlSettings,
    at: datetime,
) -> tuple[bytes, list[str]]:
    """The report XML and what it lacks (see the module docstring)."""
    missing = list(ALWAYS_MISSING)
    report = etree.Element("report")
    _sub(report, "schema_version", SCHEMA_VERSION)
    if settings.rentity_id is None:
        missing.insert(0, f"rentity_id: the reporting entity's goAML id ({ENV_PREFIX}RENTITY_ID)")
        _sub(report, "rentity_id", "0")  # not a valid id: the draft cannot be filed as is
    else:
        _sub(report, "rentity_id", str(settings.rentity_id))
    if settings.rentity_branch:
        _sub(report, "rentity_branch", settings.rentity_branch[:255])
    _sub(report, "submission_code", "E")
    _sub(report, "report_code", "STR")
    _sub(report, "entity_reference", f"dinarwatch-case-{case.id}")
    _sub(report, "report_date", _when(at))
    _sub(report, "currency_code_local", settings.local_currency)
    _sub(report, "reason", _reason(case, alerts, comments))
    _sub(report, "action", f"Payment {payment['payment_id']}: case {case.status}.")

    currency = str(payment["currency"])
    amount = Decimal(str(payment["amount"]))
    txn = _sub(report, "transaction")
    _sub(txn, "transactionnumber", str(payment["payment_id"])[:100])
    if payment.get("uetr"):
        _sub(txn, "internal_ref_number", str(payment["uetr"]))
    _sub(txn, "transaction_location", "")
    message = payment.get("message_type") or "payment message"
    _sub(txn, "transaction_description", f"{currency} {amount} wire ({message})")
    _sub(txn, "date_transaction", _when(str(payment["created_at"])))
    _sub(txn, "value_date", _when(f"{payment['value_date']}T00:00:00"))
    _sub(txn, "transmode_code", "SWIFT")
    _sub(txn, "transmode_comment", "-")
    foreign = currency != settings.local_currency
    if not foreign:
        _sub(txn, "amount_local", str(amount))
    elif settings.rate is not None:
        _sub(txn, "amount_local", str((amount * settings.rate).quantize(Decimal("0.01"))))
    else:
        missing.insert(
            0,
            f"amount_local: the {currency}->{settings.local_currency} rate of the day "
            f"({ENV_PREFIX}RATE)",
        )
    for side, name, account, bic in (
        (
            "from",
            payment["debtor_name"],
            payment.get("debtor_account"),
            payment.get("debtor_agent_bic"),
        ),
        (
            "to",
            payment["creditor_name"],
            payment.get("creditor_account"),
            payment.get("creditor_agent_bic"),
        ),
    ):
        party = _sub(txn, f"t_{side}")
        _sub(party, f"{side}_funds_code", "ELCFT")  # electronic funds transfer
        if foreign:
            fx = _sub(party, f"{side}_foreign_currency")
            _sub(fx, "foreign_currency_code", currency)
            _sub(fx, "foreign_amount", str(amount))
            if settings.rate is not None:
                _sub(fx, "foreign_exchange_rate", str(settings.rate))
        _account(party, f"{side}_account", str(name), account, bic, currency)
        _sub(party, f"{side}_country", _country(account, bic))
    if settings.indicators:
        indicators = _sub(report, "report_indicators")
        for code in settings.indicators:
            _sub(indicators, "indicator", code)
    else:
        missing.insert(0, f"report_indicators: the FIU's indicator codes ({ENV_PREFIX}INDICATORS)")
    xml = etree.tostring(report, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, missing


XS = "{http://www.w3.org/2001/XMLSchema}"


def load_schema(xsd: Path) -> etree.XMLSchema:
    """The goAML schema, parsed without network access or entity expansion.

    Some FIUs' goAML schemas write patterns with `^...$` anchors, as .NET's regex reads them;
    XSD patterns are anchored already and read `^` and `$` as literal characters, so a
    conforming validator would refuse every value. Those anchors are dropped in memory (the
    file is not changed): the pattern then means what the FIU's own validator checks."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        tree = etree.parse(str(xsd), parser)
        for pattern in tree.iter(f"{XS}pattern"):
            value = pattern.get("value", "")
            if len(value) >= 2 and value.startswith("^") and value.endswith("$"):
                pattern.set("value", value[1:-1])
        return etree.XMLSchema(tree)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ConfigError(f"goAML schema {xsd}: cannot use it ({exc})") from None


def validate(xml: bytes, xsd: Path) -> list[str]:
    """Schema errors (line: message), empty when the report validates."""
    schema = load_schema(xsd)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    if schema.validate(etree.fromstring(xml, parser)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def draft_for_case(
    session: Session, case_id: int, settings: GoamlSettings, actor: str, at: datetime
) -> StrDraft:
    """The STR draft of a case confirmed as a true match (409 otherwise); audited."""
    case = get_case(session, case_id)
    if case.disposition != "true_match":
        raise Conflict(
            f"case {case_id} is not a confirmed true match (disposition {case.disposition}): "
            "an STR draft is made only for one"
        )
    alerts = [
        a.alert_json
        for a in session.execute(
            select(AlertRow).where(AlertRow.case_id == case.id).order_by(AlertRow.alert_id)
        ).scalars()
    ]
    payment = case.payment_json or (alerts[0]["payment"] if alerts else None)
    if payment is None:
        raise Conflict(f"case {case_id} has no payment details to report")
    comments = [
        f"{name}: {body}"
        for body, name in session.execute(
            select(Comment.body, User.name)
            .join(User, User.id == Comment.user_id)
            .where(Comment.case_id == case.id)
            .order_by(Comment.id)
        )
    ]
    xml, missing = build_xml(case, payment, alerts, comments, settings, at)
    draft = StrDraft(case.id, case.payment_id, xml, missing)
    if settings.xsd is not None:
        draft.schema = settings.xsd.name
        draft.errors = validate(xml, settings.xsd)
    audit.append(
        session,
        actor=actor,
        action="case.str_draft",
        target=f"case:{case.id}",
        after={"missing": len(missing), "schema": draft.schema, "valid": draft.valid},
        at=at,
    )
    return draft
