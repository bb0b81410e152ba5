"""A dated snapshot of public sanctions-list entries, packaged so `make demo` needs no download.

`ofac/` holds rows of OFAC's legacy CSV files (sdn.csv published 2024-05-03; alt.csv and add.csv
of December 2025), `un_consolidated.xml` records of the UN Security Council consolidated list
generated 2026-02-27: the entries the demo plants and those other lists hold for the same
subjects (README.md beside this file; `build_snapshot.py` rebuilds it). The demo's worker loads
them as DINARWATCH_OFAC_DIR / DINARWATCH_UN_XML and its generator plants from the same files.
They are a demo subset, not a list to screen real payments with: real deployments load the
current official files (`dinarwatch lists`).
"""

from __future__ import annotations

from pathlib import Path

from infra.settings import Settings
from rules.context import ScreeningContext

HERE = Path(__file__).resolve().parent
OFAC_DIR = HERE / "ofac"
UN_XML = HERE / "un_consolidated.xml"
OFAC_PUBLISHED = "2024-05-03"


def demo_env() -> dict[str, str]:
    """The settings that make a worker (or `generate`) load the snapshot."""
    return {"DINARWATCH_OFAC_DIR": str(OFAC_DIR), "DINARWATCH_UN_XML": str(UN_XML)}


def demo_context() -> ScreeningContext:
    """The built-in lists plus the snapshot, with the default rule pack."""
    from lists.files import default_context, load_lists

    return default_context(lists=load_lists(OFAC_DIR, UN_XML))


def uses_snapshot(settings: Settings) -> bool:
    """The demo loads the snapshot unless the operator configured OFAC or UN files of its own."""
    return settings.ofac_dir is None and settings.un_xml is None


def with_demo_lists(settings: Settings) -> Settings:
    """`settings`, pointing at the snapshot when no OFAC/UN files are configured."""
    if not uses_snapshot(settings):
        return settings
    return settings.model_copy(update={"ofac_dir": OFAC_DIR, "un_xml": UN_XML})


def demo_lists_env(settings: Settings) -> dict[str, str]:
    """The environment that makes the demo's worker load what `with_demo_lists` gives."""
    return demo_env() if uses_snapshot(settings) else {}
