"""Errors raised by services when a rule forbids an action; views show them, the API maps them to 400."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the service was broken; `message` is plain English for the person acting."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
