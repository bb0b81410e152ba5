"""The `dinarwatch` command line (app.py) and its sub-commands; the top layer.

Commands parse arguments, call the adapters and services below, and print; one handler in
app.py turns a UserError into one line and its exit code (docs/cli.md).
"""
