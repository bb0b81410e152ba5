"""Windowed (stateful) rules as pure transitions: (state, payment) -> (state, findings).

The same functions run in the Faust screen agent (state in a table keyed by debtor, on RocksDB
with a changelog topic) and in `dinarwatch screen` / replay (state in a dict). The runtime owns
storage and recovery; this package owns the logic.
"""

from rules.windows.state import DebtorWindow, WindowEntry, debtor_key
from rules.windows.transition import observe, windowed

__all__ = ["DebtorWindow", "WindowEntry", "debtor_key", "observe", "windowed"]
