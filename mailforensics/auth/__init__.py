"""Sender authentication checks: SPF, DKIM, ARC, DMARC and the organizational domain.

Import the modules by name (``from mailforensics.auth import orgdomain``); each check is
pure — records in, frozen dataclass records out — and asks DNS only through the
context's resolver (``ctx.get_resolver()``).

- :mod:`~mailforensics.auth.orgdomain` — the organizational domain by the Public Suffix
  List (RFC 7489 §3.2) or by the DMARCbis DNS Tree Walk (RFC 9989 §4.10).
- :mod:`~mailforensics.auth.spf` — SPF, RFC 7208 ``check_host()``, with every term
  evaluated kept as a trace.
- :mod:`~mailforensics.auth.dkim` — DKIM re-verification (RFC 6376, RFC 8463, RFC 8301),
  body hash and header signature judged apart.
- :mod:`~mailforensics.auth.arc` — ARC chain validation (RFC 8617), every set checked.
- :mod:`~mailforensics.auth.dmarc` — DMARC (RFC 7489, RFC 9989, RFC 9091 PSD).
"""

from __future__ import annotations

__all__ = ["arc", "dkim", "dmarc", "orgdomain", "spf"]
