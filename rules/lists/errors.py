"""The one error a list loader raises on a file it cannot read as its format.

A ValueError (callers that only know "bad input" still catch it) with a one-line reason that
names the file and what is wrong, so `lists fetch` can refuse the download and say why.
"""

from __future__ import annotations


class ListFormatError(ValueError):
    """A list file is not the format its source publishes (truncated, wrong type, empty)."""
