"""The platform layer: settings, errors, topic names, Kafka clients, logging, memory, metrics.

Everything a process of the product needs to run, and nothing about screening: the adapters
(streams/, offline/, generator/, alerts/, desk/, cli/) and the list operations (lists/) build on it.
The Kafka client libraries are configured here only (kafka_clients.py), so every client of a
process connects with the same bootstrap, security and TLS settings.
"""
