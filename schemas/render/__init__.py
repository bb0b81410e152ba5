"""Render canonical Payments as bank messages (pacs.008.001.08, MT103).

Pure functions Payment -> bytes used by the synthetic generator (`dinarwatch generate --format
pacs008|mt103|mixed`) and by the parsers' round-trip tests. The generator discovers them by the
names `render_<format>`.
"""

from schemas.render.mt103 import render_mt103
from schemas.render.pacs008 import render_pacs008

__all__ = ["render_mt103", "render_pacs008"]
