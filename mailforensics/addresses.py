"""IP address literals as they appear in mail, and which of them are private.

Received headers, HELO names and verdict headers write addresses in several forms:
``192.0.2.1``, ``[192.0.2.1]``, ``[IPv6:2001:db8::1]`` (RFC 5321 §4.1.3), ``::ffff:192.0.2.1``
(Courier), ``fe80::1%5`` (Exchange). Every module reads them through :func:`parse_ip`, so
that one address always has one canonical spelling.

Mail addresses too: :func:`read_mailboxes` reads an address-list field (From, Reply-To,
Sender) the way mail clients do. ``email.utils.getaddresses`` splits
``alice@example.com <bob@example.com>`` — an address written, unquoted, as the display
name, a classic phishing trick — into two addresses; RFC 5322 does not allow ``@`` in an
unquoted phrase (§3.2.3, §3.4: it is not atext), but the field still holds one mailbox,
the angle-addr ``<bob@example.com>``, and that is how clients show and reply to it. Every
module that reads From, Reply-To or Sender reads them through it.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from email.utils import getaddresses
from typing import NamedTuple

__all__ = ["IPAddress", "Mailboxes", "canonical_ip", "is_private_address", "mailboxes", "parse_ip", "read_mailboxes"]

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


# ---------------------------------------------------------------------------------------
# Mail addresses
# ---------------------------------------------------------------------------------------
class Mailboxes(NamedTuple):
    """An address-list field, read as a mail client reads it (:func:`read_mailboxes`)."""

    #: ``(display name, address)`` pairs, as ``email.utils.getaddresses`` gives them; the
    #: display name is not RFC 2047-decoded.
    pairs: list[tuple[str, str]]
    #: The display names written unquoted with an ``@`` (``alice@example.com
    #: <bob@example.com>``): each is a syntax defect (RFC 5322 §3.2.3, §3.4), read as
    #: the display name of the angle-addr that follows it, not as an address.
    unquoted_at: tuple[str, ...] = ()


#: Longer values go to getaddresses as they are (no mail client shows such a name).
_MAX_MAILBOX_SCAN = 16384
_SPECIALS_STOP = frozenset(":;>[]\\")


def _scan_elements(value: str) -> list[tuple[str, str, str | None, bool]] | None:
    """Split ``value`` at its top-level commas into ``(text, phrase, angle-addr or None,
    whether the phrase has an @ outside quotes)``.

    The text is the element as written; the phrase keeps the words outside quotes as
    written and quoted strings without their quotes (comments dropped). None when the
    value is not a plain mailbox list: group syntax (``:`` and ``;``), an unclosed quote,
    comment or angle bracket, a second angle-addr in one element, words after an
    angle-addr, or other specials outside quotes — those are left to getaddresses.
    """
    out: list[tuple[str, str, str | None, bool]] = []
    phrase: list[str] = []
    angle: str | None = None
    at = False
    start = i = 0
    n = len(value)
    while i < n:
        c = value[i]
        if c == '"':
            j = i + 1
            buf: list[str] = []
            while j < n and value[j] != '"':
                if value[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(value[j])
                j += 1
            if j >= n or angle is not None:
                return None
            phrase.append(" " + "".join(buf) + " ")
            i = j + 1
            continue
        if c == "(":
            depth, j = 1, i + 1
            while j < n and depth:
                if value[j] == "\\":
                    j += 1
                elif value[j] == "(":
                    depth += 1
                elif value[j] == ")":
                    depth -= 1
                j += 1
            if depth:
                return None
            phrase.append(" ")
            i = j
            continue
        if c == "<":
            end = value.find(">", i + 1)
            if angle is not None or end < 0 or "<" in value[i + 1 : end]:
                return None
            angle = value[i + 1 : end]
            i = end + 1
            continue
        if c == ",":
            out.append((value[start:i], "".join(phrase), angle, at))
            phrase, angle, at, start = [], None, False, i + 1
        elif c in _SPECIALS_STOP or c == ")":
            return None
        elif not c.isspace() and angle is not None:
            return None  # words after the angle-addr
        else:
            at = at or c == "@"
            phrase.append(c)
        i += 1
    out.append((value[start:], "".join(phrase), angle, at))
    return out


# The forms nearly every address field takes, for which email.utils.getaddresses gives one
# (display name, address) pair read straight off the text (its parser, _parseaddr, takes
# a quoted-string without "\\" as is, joins phrase words with one space, and an address
# of dot-atoms as written), read here without it:
#   "Display Name" <local@domain>    Display Name <local@domain>    <local@domain>
#   local@domain
# Anything else (comments, quoted local parts, groups, several addresses, odd characters,
# an address written unquoted as the display name: a phrase word has no "@") takes the
# general reading below.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SIMPLE_ADDRESS = rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PHRASE_WORD = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_SIMPLE_MAILBOX = re.compile(
    rf'(?:"(?P<quoted>[^"\\\r\n]*)"[ \t]*|(?P<phrase>{_PHRASE_WORD}(?:[ \t]+{_PHRASE_WORD})*)[ \t]*)?'
    rf"<(?P<route>{_SIMPLE_ADDRESS})>"
    rf"|(?P<bare>{_SIMPLE_ADDRESS})"
)


def read_mailboxes(value: str) -> Mailboxes:
    """The mailboxes of an address-list field (From, Reply-To, Sender, To, Cc).

    Like ``email.utils.getaddresses([value])``, except for a mailbox whose display name is
    written unquoted with an ``@`` in it: ``alice@example.com <bob@example.com>`` and
    ``"PayPal" service@paypal.com <x@evil.example>`` are one mailbox each, whose address
    is the angle-addr and whose display name is the text before it (what mail clients,
    and mail-parser, show), not two addresses. Such names are listed in
    :attr:`Mailboxes.unquoted_at`: they break RFC 5322 (§3.2.3: ``@`` is not atext,
    §3.4: a display name is a phrase). Several mailboxes separated by commas and groups
    stay several. Never raises.

    Examples
    --------
    >>> read_mailboxes("alice@example.com <bob@example.com>")
    Mailboxes(pairs=[('alice@example.com', 'bob@example.com')], unquoted_at=('alice@example.com',))
    >>> read_mailboxes("alice@example.com, bob@example.com").pairs
    [('', 'alice@example.com'), ('', 'bob@example.com')]
    """
    simple = _SIMPLE_MAILBOX.fullmatch(value)
    if simple is not None:
        quoted, phrase, route, bare = simple.group("quoted", "phrase", "route", "bare")
        if bare is not None:
            return Mailboxes([("", bare)])
        if quoted is not None:
            return Mailboxes([(quoted, route)])
        return Mailboxes([(" ".join(phrase.split()) if phrase else "", route)])
    elements = None
    if "@" in value and "<" in value and len(value) <= _MAX_MAILBOX_SCAN:
        elements = _scan_elements(value)
    joined = [e for e in elements or () if e[3] and e[2] is not None and "@" in e[2]]
    try:
        if not joined:
            return Mailboxes(getaddresses([value]))
        pairs: list[tuple[str, str]] = []
        names: list[str] = []
        for text, phrase, angle, at in elements or ():
            if at and angle is not None and "@" in angle:
                name = " ".join(phrase.split())
                found = [a for _, a in getaddresses(["<" + angle + ">"]) if a]
                pairs.append((name, found[0] if len(found) == 1 else angle.strip()))
                names.append(name)
            elif text.strip():
                pairs.extend(getaddresses([text]))
        return Mailboxes(pairs, tuple(names))
    except Exception:  # defensive: getaddresses on hostile text
        return Mailboxes([])


def mailboxes(value: str) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of an address-list field: :func:`read_mailboxes`."""
    return read_mailboxes(value).pairs
