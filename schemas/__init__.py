"""Data contracts of dinarwatch: pydantic v2 models, the wire codec and message parsers.

Nothing in this package does I/O or imports Kafka/Faust: it is the domain's vocabulary, shared by
the pure screening core (rules/) and by the adapters (streams/, alerts/).
"""
