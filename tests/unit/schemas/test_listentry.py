"""ListEntry keeps one set of given fields per combination, shared by the entries that gave it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.listentry import ListEntry


def entry(entry_id: str, **more: object) -> ListEntry:
    return ListEntry.model_validate(
        {"entry_id": entry_id, "list": "test", "names": [f"Name {entry_id}"], "legal_source": "t"}
        | more
    )


def test_entries_given_the_same_fields_share_one_set_of_them() -> None:
    first, second = entry("1"), entry("2")
    assert first.model_fields_set == {"entry_id", "list_name", "names", "legal_source"}
    assert first.model_fields_set is second.model_fields_set
    other = entry("3", bics=["MELIIRTH"])
    assert "bics" in other.model_fields_set
    assert other.model_fields_set is not first.model_fields_set


def test_a_copy_with_changes_does_not_touch_the_shared_set() -> None:
    first, second = entry("1"), entry("2")
    copied = first.model_copy(update={"remarks": "changed"})
    assert "remarks" in copied.model_fields_set
    assert "remarks" not in first.model_fields_set
    assert "remarks" not in second.model_fields_set
    assert first.model_dump(exclude_unset=True) == {
        "entry_id": "1",
        "list": "test",
        "names": ["Name 1"],
        "legal_source": "t",
    }


def test_an_entry_is_still_frozen() -> None:
    first = entry("1")
    with pytest.raises(ValidationError):
        first.remarks = "changed"  # type: ignore[misc]
    assert "remarks" not in entry("2").model_fields_set
