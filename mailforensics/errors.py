"""Exceptions raised by mailforensics.

A malformed *message* never raises: it becomes a record with ``parsed=False`` and a
:class:`~mailforensics.findings.Finding` (the way CPython's ``email`` package collects
defects). Exceptions are only for unusable arguments and for situations where the
toolkit cannot go on::

    MailForensicsError
    ├── InputError(ValueError)      unusable arguments: a path that does not exist, a
    │                               source of an unsupported type, an empty selection
    └── EvidenceError               problems with a DNS evidence file
        ├── EvidenceMissing         strict replay was asked a question it has no answer to
        └── EvidenceFormatError     the evidence file is not in a format this version reads
"""

from __future__ import annotations

__all__ = [
    "EvidenceError",
    "EvidenceFormatError",
    "EvidenceMissing",
    "InputError",
    "MailForensicsError",
]


class MailForensicsError(Exception):
    """Base class of every exception raised by mailforensics."""


class InputError(MailForensicsError, ValueError):
    """An argument cannot be used (a missing file, an unsupported source type)."""


class EvidenceError(MailForensicsError):
    """A DNS evidence file cannot be used."""


class EvidenceMissing(EvidenceError, LookupError):
    """Strict replay was asked a DNS question the evidence file does not answer."""


class EvidenceFormatError(EvidenceError):
    """The evidence file is malformed or of an unknown format version."""
