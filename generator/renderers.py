"""Formats the generator can emit: canonical JSON always, bank messages where renderers exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[dict[str, Any]], tuple[bytes, str]]


def formats_for(choice: str) -> tuple[str, ...]:
    """`mixed` spreads traffic over every format with a renderer."""
    if choice == "mixed":
        return ("json", *sorted(renderers()))
    return (choice,)


def renderers() -> dict[str, Renderer]:
    """Renderers from schemas.render (bank message formats), keyed by the CLI's format name."""
    try:
        from schemas import render
    except ImportError:
        return {}
    found: dict[str, Renderer] = {}
    for name in ("pacs008", "mt103"):
        function = getattr(render, f"render_{name}", None)
        if function is not None:
            found[name] = _wrap(function, name)
    return found


def _wrap(function: Callable[..., bytes], name: str) -> Renderer:
    from schemas.payment import Payment

    content_type = {"pacs008": "application/xml", "mt103": "text/x-swift-mt"}[name]

    def render(payment: dict[str, Any]) -> tuple[bytes, str]:
        return function(Payment.model_validate(payment)), content_type

    return render
