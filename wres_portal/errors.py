"""Errors raised by services when a rule forbids an action; views show them, the API maps them to
problem documents (wres_portal/problems.py): 400 for a broken rule, 409 for a step the object's
current state does not allow."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the service was broken; `message` is plain English for the person acting.

    `field` names the input at fault (when one is); `code` is a stable, machine-readable name for
    API clients (`invalid`, unless the service names it)."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class StateConflict(ApplicationError):
    """The step is not allowed in the object's current state (submitting a return that is already
    submitted, accepting one not signed off yet, a second plan for a year): the API answers 409."""

    status = 409
    default_code = "state_conflict"
