"""Screening without a Kafka worker: `dinarwatch screen` over files (screen.py) and audit replay
and backtests (replay/), through the same screening service as the worker (screening/).
"""
