"""The ops-center desk: cases built from alerts, dispositions, four-eyes release, exceptions and
a hash-chained audit trail, over PostgreSQL or SQLite (see docs/desk.md).

An adapter like streams/ and alerts/: it reads the contracts in schemas/ and never changes what
the screening core decides.
"""
