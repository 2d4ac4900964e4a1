"""mailforensics: where a message really came from, hop by hop, with evidence you can re-run.

>>> import mailforensics as mf
>>> t = mf.trace("sample_mail/eml/01-postfix-tls.eml")   # doctest: +SKIP
>>> t.hops                                                # doctest: +SKIP

The public API is what ``__all__`` lists; everything else is reachable through its module
(``from mailforensics.auth import spf``). Heavy libraries (pandas, matplotlib, Jinja2) are
imported only when a function needs them, so ``import mailforensics`` stays fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from mailforensics.analysis import Analysis, analyze
from mailforensics.batch import Batch, analyze_many
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


def domain_posture(
    domain: str,
    *,
    ctx: Context | None = None,
    probe: bool = False,
    port: int = 25,
    https_port: int = 443,
    ca_bundle: str | os.PathLike[str] | None = None,
    timeout: float = 15.0,
) -> pd.DataFrame:
    """A domain's mail posture as a DataFrame, one row per (section, item).

    MX (and null MX), SPF with its lookup count, DMARC, MTA-STS, TLS-RPT, TLSA per MX,
    DNSSEC status and BIMI. ``probe=True`` adds the STARTTLS/DANE probe and the MTA-STS
    policy fetch: it touches the domain's servers, so it happens only when asked, and
    never with a replay resolver (offline). See
    :func:`mailforensics.transport.posture.domain_posture`.

    Parameters
    ----------
    domain
        The domain, e.g. the recipient's.
    ctx
        The context (resolver); None for live DNS.
    probe, port, https_port, ca_bundle, timeout
        The opt-in probe and its targets.
    """
    from mailforensics.transport.posture import domain_posture as _domain_posture

    return _domain_posture(
        domain,
        ctx=ctx or Context(),
        probe=probe,
        port=port,
        https_port=https_port,
        ca_bundle=ca_bundle,
        timeout=timeout,
    )


if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"


__all__ = [
    "Analysis",
    "Batch",
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
    "analyze_many",
    "domain_posture",
    "iter_messages",
    "load",
    "parse_received",
    "trace",
]
