"""The Faust worker: the app, its agents, the window table, live list and exception reloads.

Only what runs inside `dinarwatch worker` lives here; the screening itself is screening/, the
platform (settings, Kafka clients, topics, logging) infra/, the commands cli/.
"""
