"""Transport checks: how mail reaches the recipient's domain.

Import the modules by name (``from mailforensics.transport import mx``); each is pure —
records in, frozen dataclass records out — and asks DNS only through the context's
resolver.

- :mod:`~mailforensics.transport.mx` — MX with the implicit-MX fallback and null MX
  (RFC 5321 §5.1, RFC 7505), and the hop where a message entered the recipient's MX.
- :mod:`~mailforensics.transport.dane` — DANE TLSA for the MX hosts under DNSSEC
  (RFC 7672), with an opt-in STARTTLS probe.
- :mod:`~mailforensics.transport.mtasts` — MTA-STS (RFC 8461), TLS-RPT (RFC 8460), BIMI.
- :mod:`~mailforensics.transport.posture` — a domain's mail posture in one table.
- :mod:`~mailforensics.transport.tls` — which hops were encrypted, from the Received
  fields; clear-text hops across the public internet.
"""

from __future__ import annotations

__all__ = ["dane", "mtasts", "mx", "posture", "tls"]
