"""What a desk action can refuse, each with the HTTP status the API answers with."""

from __future__ import annotations

from typing import ClassVar


class DeskError(Exception):
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DeskError):
    status = 404


class Forbidden(DeskError):
    """The role may not do this, or four-eyes: the proposer cannot approve their own proposal."""

    status = 403


class Conflict(DeskError):
    """The case is not in a state that allows the action (nothing to approve, already pending)."""

    status = 409


class Invalid(DeskError):
    status = 422


class Unauthorized(DeskError):
    status = 401


class TooManyAttempts(DeskError):
    """Login rate limit: too many failed passwords for this name or from this address."""

    status = 429
