"""`dinarwatch replay`: audit replay of files or a Kafka topic range through the same rules.

Modules: sources (files), kafka_source (topic time range), order (event-time order in bounded
memory), runner (screen and write outputs), report (report.json figures), html (report.html,
with charts, html_alerts, html_backtest and htmlkit), compare (diff against alerts captured
live), backtest, backtest_view and labels (rule packs scored against ground-truth labels),
software (which build made a report). The typer command is cli/replay.py.
"""
