"""Where the shared reference samples live (../shared beside the repo), read in place."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
DATA = REPO.parent / "shared" / "data"
FED = DATA / "iso20022" / "samples" / "fedwire_moov_wire20022"
XSD_DIR = DATA / "iso20022" / "xsd"
PROWIDE = DATA / "swift_mt" / "prowide_core"

PACS008 = sorted((FED / "pacs.008").glob("*.xml"))
PACS009 = sorted((FED / "pacs.009").glob("*.xml"))


def prowide_mt103_chunks() -> list[tuple[str, str]]:
    """(file:index, text) for every MT103 user message in the prowide RJE files.

    Split independently of the parser: RJE '$' separators, then drop ACK service blocks
    ('{1:F21...}{4:{177:...}{451:...}}') by cutting at the first user block 1 ('{1:F01').
    """
    found = []
    for path in sorted(PROWIDE.glob("MT103*.rje")):
        text = path.read_text("ascii")
        for index, chunk in enumerate(text.split("$")):
            start = chunk.find("{1:F01")
            if start >= 0 and "{2:O103" in chunk:
                found.append((f"{path.name}:{index}", chunk[start:].strip().rstrip("{").strip()))
    return found
