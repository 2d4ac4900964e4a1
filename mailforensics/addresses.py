"""IP address literals as they appear in mail, and which of them are private.

Received headers, HELO names and verdict headers write addresses in several forms:
``192.0.2.1``, ``[192.0.2.1]``, ``[IPv6:2001:db8::1]`` (RFC 5321 §4.1.3), ``::ffff:192.0.2.1``
(Courier), ``fe80::1%5`` (Exchange). Every module reads them through :func:`parse_ip`, so
that one address always has one canonical spelling.
"""

from __future__ import annotations

import functools
import ipaddress
import re

__all__ = ["IPAddress", "canonical_ip", "is_private_address", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
#: Every character ``ipaddress`` accepts in a literal once the zone index is removed.
_LITERAL_CHARS = re.compile(r"[0-9A-Fa-f.:]+")


def _parse(text: str | None) -> IPAddress | None:
    if not text:
        return None
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    if t[:5].lower() in ("ipv6:", "ipv4:"):
        t = t[5:]
    t = t.split("%", 1)[0]
    if len(t) > 45 or ("." not in t and ":" not in t):  # no literal is longer, none lacks both
        return None
    # ``ipaddress`` accepts only ASCII digits, hex digits, "." and ":" (the zone is gone),
    # so anything else is rejected here, without the two failed parses (and their
    # exceptions) that every host name such as "mail.example.org" would otherwise cost.
    if _LITERAL_CHARS.fullmatch(t) is None:
        return None
    try:
        addr = ipaddress.ip_address(t)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _canonical(text: str | None) -> str | None:
    addr = _parse(text)
    return None if addr is None else str(addr)


# The same few words are looked up many times per message (each hop's from-word, by-host
# and TCP-info, verdict headers, SPF, DNSBL), so short ones are cached. The caches are
# bounded in entries and in key length, so hostile input cannot grow them.
_CACHED_LEN = 64
_parse_cached = functools.lru_cache(maxsize=4096)(_parse)
_canonical_cached = functools.lru_cache(maxsize=4096)(_canonical)


def parse_ip(text: str | None) -> IPAddress | None:
    """Parse an address literal; None if ``text`` is not one.

    Brackets, the ``IPv6:``/``IPv4:`` tags and an IPv6 zone index (``%5``, meaningful only
    on the host that wrote it) are removed; an IPv4-mapped IPv6 address is returned as
    IPv4 — the address the client really has, and the one its PTR is published under.
    """
    if text and len(text) <= _CACHED_LEN:
        return _parse_cached(text)
    return _parse(text)


def canonical_ip(text: str | None) -> str | None:
    """The canonical spelling of an address literal (``"[IPv6:2001:DB8::1]"`` →
    ``"2001:db8::1"``), or None if ``text`` is not one."""
    if text and len(text) <= _CACHED_LEN:
        return _canonical_cached(text)
    return _canonical(text)


def is_private_address(addr: IPAddress) -> bool:
    """Private, loopback, link-local or unique-local: never routed on the internet.

    ``ipaddress``'s own ``is_private`` is also True for the documentation ranges
    (RFC 5737, RFC 3849); those stand in for public addresses in examples and tests, so
    they count as public here.
    """
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback or addr.is_link_local:
        return True
    if isinstance(addr, ipaddress.IPv4Address):
        return any(addr in net for net in _PRIVATE_V4)
    return addr in _UNIQUE_LOCAL
