"""rules/lists/delta.py: the diff `lists diff` prints and the delta re-screening matches."""

from __future__ import annotations

from datetime import date

from rules.lists.base import ReferenceList
from rules.lists.delta import diff_lists, list_delta
from schemas.listentry import ListEntry


def entry(entry_id: str, *names: str, bics: tuple[str, ...] = ()) -> ListEntry:
    return ListEntry.model_validate(
        {
            "entry_id": entry_id,
            "list": "ofac-sdn",
            "names": list(names),
            "bics": list(bics),
            "legal_source": "test",
        }
    )


OLD = ReferenceList.build(
    "ofac-sdn",
    [entry("1", "ALPHA TRADING"), entry("2", "BETA BANK"), entry("3", "GAMMA CO")],
    published=date(2026, 11, 1),
)
NEW = ReferenceList.build(
    "ofac-sdn",
    [
        entry("1", "ALPHA TRADING"),
        entry("2", "BETA BANK", "BETA FINANCE"),
        entry("4", "DELTA EXCHANGE", bics=("DLTAIQBA",)),
    ],
    published=date(2026, 12, 1),
)


def test_diff_names_added_removed_and_changed_fields() -> None:
    result = diff_lists(OLD, NEW)
    assert [e.entry_id for e in result.added] == ["4"]
    assert [e.entry_id for e in result.removed] == ["3"]
    assert [(a.entry_id, fields) for a, _, fields in result.changed] == [("2", ("names",))]
    assert result.unchanged == 1


def test_delta_holds_added_and_changed_entries_in_their_new_form() -> None:
    delta = list_delta(OLD, NEW)
    assert [e.entry_id for e in delta.entries] == ["2", "4"]
    assert delta.entries[0].names == ["BETA BANK", "BETA FINANCE"]
    # Findings on the delta cite the version that was published, not a version of the delta.
    assert (delta.name, delta.version, delta.published) == (NEW.name, NEW.version, NEW.published)


def test_delta_of_a_first_version_is_the_whole_list_and_of_the_same_version_empty() -> None:
    assert list_delta(None, NEW).entries == NEW.entries
    assert list_delta(NEW, NEW).entries == ()
