"""Transport checks: how mail reaches the recipient's domain.

Import the modules by name (``from mailforensics.transport import mx``); each is pure —
records in, frozen dataclass records out — and asks DNS only through the context's
resolver.

- :mod:`~mailforensics.transport.mx` — MX with the implicit-MX fallback and null MX
  (RFC 5321 §5.1, RFC 7505), and the hop where a message entered the recipient's MX.
"""

from __future__ import annotations

__all__ = ["mx"]
