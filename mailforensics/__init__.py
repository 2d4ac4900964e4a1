"""mailforensics: where a message really came from, hop by hop, with evidence you can re-run.

>>> import mailforensics as mf
>>> t = mf.trace("sample_mail/eml/01-postfix-tls.eml")   # doctest: +SKIP
>>> t.hops                                                # doctest: +SKIP

The public API is what ``__all__`` lists; everything else is reachable through its module
(``from mailforensics.auth import spf``). Heavy libraries (pandas, matplotlib, Jinja2) are
imported only when a function needs them, so ``import mailforensics`` stays fast.
"""

from __future__ import annotations

from mailforensics.analysis import Analysis, analyze
from mailforensics.context import Config, Context
from mailforensics.errors import (
    EvidenceError,
    EvidenceFormatError,
    EvidenceMissing,
    InputError,
    MailForensicsError,
)
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import HeaderField, Message
from mailforensics.received import Hop, parse_received
from mailforensics.sources import iter_messages, load
from mailforensics.trace import Trace, trace

__version__ = "0.1.0"


__all__ = [
    "Analysis",
    "Config",
    "Context",
    "EvidenceError",
    "EvidenceFormatError",
    "EvidenceMissing",
    "Finding",
    "FindingCode",
    "HeaderField",
    "Hop",
    "InputError",
    "MailForensicsError",
    "Message",
    "Severity",
    "Trace",
    "__version__",
    "analyze",
    "iter_messages",
    "load",
    "parse_received",
    "trace",
]
