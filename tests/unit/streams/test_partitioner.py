"""The worker's murmur2 is Kafka's: records land where every other client would put them."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from streams.partitioner import default_partitioner, murmur2


def test_murmur2_equals_aiokafka_and_kafka_python_for_every_length() -> None:
    rng = random.Random(11)
    for length in range(0, 300):
        for _ in range(5):
            key = rng.randbytes(length)
            assert murmur2(key) == aiokafka_murmur2(key) == kafka_python_murmur2(key)


def test_java_client_vectors() -> None:
    # Kafka's Java Utils.murmur2 test vectors (UtilsTest.testMurmur2), signed there
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF
    assert murmur2(b"foobar") == -790332482 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-long-string") == -985981536 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-longer-string") == -1486304829 & 0xFFFFFFFF
    assert murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971 & 0xFFFFFFFF


def test_the_producer_partitioner_chooses_as_aiokafkas_default() -> None:
    rng = random.Random(3)
    for _ in range(500):
        key = f"PAY-{rng.randrange(10**12)}".encode()
        for count in (1, 4, 12):
            parts = list(range(count))
            assert default_partitioner(key, parts, parts) == DefaultPartitioner()(key, parts, parts)


def test_a_keyless_record_goes_to_an_available_partition() -> None:
    assert default_partitioner(None, [0, 1, 2, 3], [2]) == 2
    assert default_partitioner(None, [0, 1, 2, 3], []) in {0, 1, 2, 3}
