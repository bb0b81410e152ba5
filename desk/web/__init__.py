"""The desk's server-rendered pages (Jinja2 templates in desk/templates, htmx in desk/static)."""

from desk.web.pages import register_pages

__all__ = ["register_pages"]
