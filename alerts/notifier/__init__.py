"""The notifier: a process of its own that reads the `alerts` topic and tells people.

See docs/alerting.md for channels, dedupe, grouping, retries and configuration.
"""
