"""Reputation checks from the DNS: reverse DNS and HELO (:mod:`.rdns`), blocklists (:mod:`.dnsbl`).

>>> from mailforensics.reputation import dnsbl, rdns
>>> rdns.reverse_name("192.0.2.1")
'1.2.0.192.in-addr.arpa'

Both modules are pure checks: records in, frozen dataclass records out, DNS only through
the :class:`~mailforensics.context.Context`'s resolver.
"""

from __future__ import annotations

from mailforensics.reputation import dnsbl, rdns

__all__ = ["dnsbl", "rdns"]
