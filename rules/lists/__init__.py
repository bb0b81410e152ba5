"""Reference lists as versioned, dated data, and their loaders."""

from rules.lists.base import ListSet, ReferenceList

__all__ = ["ListSet", "ReferenceList"]
