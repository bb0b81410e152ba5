"""`dinarwatch replay`: audit replay of files or a Kafka topic range through the same rules.

Modules: sources (files), kafka_source (topic time range), order (event-time order in bounded
memory), runner (screen and write outputs), report (report.json figures), html (report.html),
compare (diff against alerts captured live), cli (the typer command).
"""
