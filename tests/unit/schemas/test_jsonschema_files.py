"""The checked-in JSON Schemas must equal what the models generate (regenerate: make schemas)."""

import pytest

from schemas.export import SCHEMA_DIR, json_schemas, render


@pytest.mark.parametrize("name", sorted(json_schemas()))
def test_schema_file_matches_model(name: str) -> None:
    path = SCHEMA_DIR / f"{name}.json"
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_bytes() == render(json_schemas()[name]), f"{path} drifted: run `make schemas`"


def test_payment_schema_lists_the_contract_required_fields() -> None:
    required = set(json_schemas()["payment"]["required"])
    assert required == {
        "payment_id",
        "created_at",
        "value_date",
        "amount",
        "currency",
        "debtor",
        "debtor_agent",
        "creditor",
        "creditor_agent",
    }
