"""The fast path screens a raw record in place only where payments.valid would have put it."""

from __future__ import annotations

import random

from kafka.partitioner.default import murmur2

from streams.partitioner import key_partition


def test_key_partition_agrees_with_kafka_pythons_default_partitioner() -> None:
    """The generator and bank gateways produce raw records with kafka-python (or Java, the
    same murmur2); the fast path's check must compute the very same partition."""
    rng = random.Random(7)
    for _ in range(2000):
        key = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        for count in (1, 3, 4, 12):
            expected = (murmur2(key) & 0x7FFFFFFF) % count  # kafka-python's DefaultPartitioner
            assert key_partition(key, count) == expected


def test_known_vectors_from_the_java_client() -> None:
    # Kafka's Java Utils.murmur2 test vectors (UtilsTest.testMurmur2)
    # (signed ints there; the Python clients return the same 32 bits unsigned)
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF
    assert murmur2(b"foobar") == -790332482 & 0xFFFFFFFF
    assert key_partition(b"21", 1_000_000_000) == (-973932308 & 0x7FFFFFFF) % 1_000_000_000
