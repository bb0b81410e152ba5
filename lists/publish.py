"""Sending lists and rule packs to the compacted `watchlists` topic, from which every worker
reloads them live (streams/watchlists.py) and the desk looks entries up (desk/list_lookup.py).

`lists publish` (cli/lists.py) and `lists fetch` (cli/lists_fetch.py) both send through here,
so a list reaches the topic as the same records whichever command sent it. Sending waits for
every acknowledgement (acks=all): a command that says "published" has had the broker keep it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra import topics as names
from infra.errors import ListRefusedError
from infra.kafka_clients import kafka_producer
from infra.preflight import kafka_errors, require_topics
from infra.settings import Settings
from lists.load import Item, PackSource
from lists.wire import (
    FETCH_BYTES,
    MAX_RECORD_BYTES,
    encode_list,
    encode_pack,
    item_key,
    record_headers,
)
from rules.lists.base import ReferenceList

Record = tuple[bytes, bytes | None, list[tuple[str, bytes]]]
"""key, value (None: a tombstone), headers."""


@dataclass(frozen=True)
class Sent:
    """Where the broker stored one record."""

    key: bytes
    topic: str
    partition: int
    offset: int

    def line(self) -> str:
        return f"published {self.key.decode()} to {self.topic}[{self.partition}]@{self.offset}"


def record_for(item: Item) -> Record:
    """The watchlists record of a list or a rule pack (lists/wire.py)."""
    if isinstance(item, PackSource):
        return item_key(item.pack), encode_pack(item.text), record_headers(item.pack)
    return item_key(item), encode_list(item), record_headers(item)


def oversized(records: Sequence[Record]) -> list[str]:
    """Keys of the records the topic would refuse (over MAX_RECORD_BYTES)."""
    return [k.decode() for k, v, _ in records if v is not None and len(v) > MAX_RECORD_BYTES]


def send_records(settings: Settings, records: Sequence[Record]) -> list[Sent]:
    """Send and wait for every acknowledgement (the caller checked broker and topic)."""
    topic = settings.topic(names.WATCHLISTS)
    with kafka_errors(settings, f"publishing to {topic}"):
        producer = kafka_producer(
            settings,
            "lists",
            acks="all",
            max_request_size=FETCH_BYTES,
            allow_auto_create_topics=False,  # `topics create` makes it compacted
        )
        try:
            futures = [
                (key, producer.send(topic, key=key, value=value, headers=headers))
                for key, value, headers in records
            ]
            producer.flush()
            sent = []
            for key, future in futures:
                meta = future.get(timeout=60)
                sent.append(Sent(key, topic, meta.partition, meta.offset))
            return sent
        finally:
            producer.close()


def publish_lists(settings: Settings, lists: Sequence[ReferenceList]) -> list[Sent]:
    """The records `lists publish` sends, after the checks it makes (broker, topic, size)."""
    records = [record_for(reference) for reference in lists]
    too_big = oversized(records)
    if too_big:
        raise ListRefusedError(f"record(s) over {MAX_RECORD_BYTES} bytes: {', '.join(too_big)}")
    require_topics(settings, [settings.topic(names.WATCHLISTS)])
    return send_records(settings, records)
