"""streams/rescreen.py: which list changes start a re-screen, and of what."""

from __future__ import annotations

import asyncio

from infra.settings import Settings
from lists.files import builtin_lists, load_rule_pack
from rules.context import ScreeningContext
from rules.lists.base import ReferenceList
from rules.pack import RulePack
from streams.rescreen import Rescreener
from tests.unit.rules.conftest import small_sdn


class RecordingRescreener(Rescreener):
    """Records the deltas it is asked to re-screen instead of reading Kafka."""

    def __init__(self, days: int) -> None:
        super().__init__(
            app=None,
            settings=Settings(_env_file=None, rescreen_days=days),
            runtime=None,  # type: ignore[arg-type]
            metrics=None,
            sink=None,  # type: ignore[arg-type]
        )
        self.deltas: list[ReferenceList] = []

    async def rescreen(self, delta: ReferenceList, pack: RulePack) -> None:
        self.deltas.append(delta)


def contexts(*extra: ReferenceList) -> ScreeningContext:
    lists = builtin_lists()
    for reference in extra:
        lists = lists.with_list(reference)
    return ScreeningContext(load_rule_pack(), lists)


def swap(rescreener: RecordingRescreener, old: ScreeningContext, new: ScreeningContext) -> None:
    async def run() -> None:
        rescreener.on_swap(old, new)
        await asyncio.gather(*rescreener.tasks)

    asyncio.run(run())


def test_a_new_list_version_rescreens_its_delta_only() -> None:
    full = small_sdn()
    old_sdn = ReferenceList.build(full.name, full.entries[1:], published=full.published)
    rescreener = RecordingRescreener(30)
    swap(rescreener, contexts(old_sdn), contexts(full))
    assert [(d.name, d.version, [e.entry_id for e in d.entries]) for d in rescreener.deltas] == [
        ("ofac-sdn", full.version, [full.entries[0].entry_id])
    ]


def test_unchanged_lists_rescreen_nothing() -> None:
    rescreener = RecordingRescreener(30)
    swap(rescreener, contexts(small_sdn()), contexts(small_sdn()))
    assert rescreener.deltas == []


def test_a_list_new_to_the_worker_rescreens_all_its_entries() -> None:
    rescreener = RecordingRescreener(30)
    swap(rescreener, contexts(), contexts(small_sdn()))
    assert [len(d) for d in rescreener.deltas] == [len(small_sdn())]


def test_zero_days_turns_it_off() -> None:
    rescreener = RecordingRescreener(0)
    swap(rescreener, contexts(), contexts(small_sdn()))
    assert rescreener.deltas == []
