"""Errors the domain raises, carrying messages per field for forms and the JSON API."""

from __future__ import annotations


class LeadCaptureError(Exception):
    """Base class of the plug-in's errors."""


class ValidationError(LeadCaptureError, ValueError):
    """Input the domain refuses; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {', '.join(m)}" for f, m in errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: [message]})
