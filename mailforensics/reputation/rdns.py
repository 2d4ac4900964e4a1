"""Reverse DNS: PTR with forward confirmation, generic-name detection, HELO checks.

What a receiver learns about a client from the DNS, re-checked today:

- :func:`reverse_name` — the PTR query name: ``in-addr.arpa`` (RFC 1035 §3.5) or the
  ``ip6.arpa`` nibble form (RFC 3596 §2.5); an IPv4-mapped IPv6 address is looked up in
  its IPv4 form.
- :func:`check_ip` — PTR, then forward-confirmed reverse DNS (FCrDNS): the A/AAAA records
  of a PTR name contain the address (the ``validated domain`` of RFC 7208 §5.5, with its
  limit of 10 names, RFC 7208 §4.6.4).
- :func:`is_generic` — names an ISP gives every address of a pool
  (``cpe-192-0-2-88.nyc.res.example.net``): the strongest single sign that a message came
  straight from a home router or an infected PC rather than from a mail server.
- :func:`check_helo` — the name the client gave in HELO/EHLO (RFC 5321 §4.1.1.1) against
  its address, its reverse DNS and the recipient's own domains.
- :func:`compare_rdns` — the receiver's rDNS at delivery (``Received: from x (rdns [ip])``)
  against the PTR today.

The generic-name detector is hand-written: no maintained library does it, and the
heuristics every MTA uses (Postfix's ``reject_unknown_*``, SpamAssassin's ``RDNS_DYNAMIC``
and ``HELO_DYNAMIC_*`` rules) are regex tables with nested quantifiers that backtrack on
long hostile names. Here the name is split once into digit, hex and letter runs
(linear-time regexes without nested quantifiers) and the address's own forms are compared
with those runs, so any order and format of the embedded address is found in linear time.

Checks are pure: DNS goes only through ``ctx.get_resolver()``; DNS failures are values
(``fcrdns=None`` and a ``DNS_TEMPERROR`` finding), never exceptions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from mailforensics.addresses import parse_ip as _parse_ip
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.resolvers.base import DNSAnswer

__all__ = [
    "MAX_PTR_NAMES",
    "ForwardLookup",
    "HELOResult",
    "RDNSResult",
    "check_helo",
    "check_ip",
    "compare_rdns",
    "is_generic",
    "normalize_host",
    "parse_ip",
    "reverse_name",
]

#: At most this many PTR names are forward-checked (RFC 7208 §4.6.4: "the first 10").
MAX_PTR_NAMES = 10

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# --- addresses and names ---------------------------------------------------------------------


def parse_ip(ip: str) -> _Address:
    """Parse an address as it appears in mail: ``192.0.2.1``, ``[192.0.2.1]``,
    ``IPv6:2001:db8::1`` (RFC 5321 §4.1.3), ``fe80::1%eth0``.

    An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is returned as IPv4: that is the
    address the client really has, and the one its PTR is published under.

    Raises
    ------
    InputError
        If ``ip`` is not an address.
    """
    addr = _parse_ip(ip)
    if addr is None:
        raise InputError(f"not an IP address: {ip!r}")
    return addr


def normalize_host(name: str | None) -> str:
    """Lower case, no trailing dot, no surrounding space; ``""`` for None."""
    if not name:
        return ""
    host = name.strip().lower()
    while host.endswith("."):
        host = host[:-1]
    return host


def reverse_name(ip: str) -> str:
    """The PTR query name of an address.

    ``192.0.2.1`` → ``1.2.0.192.in-addr.arpa`` (RFC 1035 §3.5); ``2001:db8::1`` → 32
    reversed nibbles under ``ip6.arpa`` (RFC 3596 §2.5); ``::ffff:192.0.2.1`` →
    ``1.2.0.192.in-addr.arpa``.

    Parameters
    ----------
    ip
        An IPv4 or IPv6 address (brackets and an ``IPv6:`` tag are accepted).

    Raises
    ------
    InputError
        If ``ip`` is not an address.
    """
    return _reverse(parse_ip(ip))


def _reverse(addr: _Address) -> str:
    if isinstance(addr, ipaddress.IPv4Address):
        a, b, c, d = addr.packed
        return f"{d}.{c}.{b}.{a}.in-addr.arpa"
    nibbles = addr.packed.hex()
    return ".".join(reversed(nibbles)) + ".ip6.arpa"


def _registrable(host: str) -> str:
    """The last two labels of ``host``.

    A deliberately simple stand-in for the organizational domain: the analysis layer
    refines it with :func:`mailforensics.auth.orgdomain.organizational_domain` (Public
    Suffix List), which knows that ``example.co.uk`` has three.
    """
    labels = host.split(".")
    return ".".join(labels[-2:])


# --- generic (dynamic / pool) names ------------------------------------------------------------

# Linear-time scanners: single character classes with one quantifier, no nesting.
_DIGIT_RUN = re.compile(r"[0-9]+")
_HEX_RUN = re.compile(r"[0-9a-f]+")
_WORD_RUN = re.compile(r"[a-z]+")
_IP_PREFIX = re.compile(r"ip[-_]?[0-9]")

#: Words that by themselves mark an access-network (pool) name.
GENERIC_WORDS = frozenset(
    {
        "adsl",
        "broadband",
        "cable",
        "cablemodem",
        "catv",
        "cpe",
        "cust",
        "customer",
        "dhcp",
        "dial",
        "dialin",
        "dialup",
        "dsl",
        "dyn",
        "dynamic",
        "dynamicip",
        "dynip",
        "fios",
        "ftth",
        "fttx",
        "hsd",
        "modem",
        "pool",
        "ppp",
        "pppoa",
        "pppoe",
        "res",
        "resi",
        "residential",
        "sdsl",
        "unallocated",
        "unassigned",
        "unknown",
        "vdsl",
        "wimax",
        "xdsl",
    }
)

#: Words that mark a pool name only in a label that also carries digits
#: (``host-17``, ``client123``, ``static-5``): alone they are common in real names.
GENERIC_WORDS_WITH_DIGITS = frozenset(
    {
        "addr",
        "client",
        "clients",
        "host",
        "ip",
        "lte",
        "mobile",
        "node",
        "static",
        "staticip",
        "user",
        "users",
        "wifi",
        "wireless",
    }
)


def is_generic(name: str, ip: str | None) -> tuple[bool, tuple[str, ...]]:
    """Whether ``name`` looks like an ISP's generic (dynamic / pool) name for ``ip``.

    Two kinds of evidence, each reported as a reason:

    - the address embedded in the name, in any order and format: octets with any
      separators (``192-0-2-88``, ``192.0.2.88``, ``192_0_2_88``), zero-padded
      (``192-000-002-088`` or ``192000002088``), in reversed order (``88-2-0-192``), as
      hex (``c0000258``), as the decimal integer of the address, or partially (the last
      three octets with four or more digits; the last two when they are joined by
      ``-``/``_`` in one label and have three or more digits); for IPv6, the hextets or nibbles of the address or of its
      interface identifier. An embedded address marks the name generic even when it says
      ``static``;
    - words that name access networks (``dsl``, ``dyn``, ``pool``, ``cpe``, ``dhcp``,
      ``res``, ``cable``, ``ppp``, ``broadband``, ``dialup``, ``customer``, ``unknown``,
      ``unassigned``, ...) anywhere left of the last two labels, an ``ip-``/``ip``+digit
      label prefix, and weaker words (``host``, ``client``, ``user``, ``static``, ...) in
      a label that also carries digits.

    Parameters
    ----------
    name
        A host name (a PTR name or a HELO name).
    ip
        The address the name belongs to; ``None`` (or not an address) to judge by words
        only.

    Returns
    -------
    tuple
        ``(generic, reasons)``; each reason says what matched, e.g.
        ``"embedded IP, octets in order: '192-0-2-88'"`` or ``"generic word 'cpe'"``.

    Examples
    --------
    >>> is_generic("cpe-192-0-2-88.nyc.res.example.net", "192.0.2.88")[0]
    True
    >>> is_generic("mx-01.example.com", "192.0.2.88")
    (False, ())
    """
    addr: _Address | None = None
    if ip:
        try:
            addr = parse_ip(ip)
        except InputError:
            addr = None
    return _is_generic(normalize_host(name), addr)


@lru_cache(maxsize=4096)
def _is_generic(host: str, addr: _Address | None) -> tuple[bool, tuple[str, ...]]:
    # Pure, so memoised: a sending server's PTR name is judged for every message it sends.
    if not host:
        return False, ()
    reasons: list[str] = []
    if isinstance(addr, ipaddress.IPv4Address):
        reasons.extend(_embedded_ipv4(host, addr))
    elif isinstance(addr, ipaddress.IPv6Address):
        reasons.extend(_embedded_ipv6(host, addr))
    reasons.extend(_generic_words(host))
    return bool(reasons), tuple(dict.fromkeys(reasons))


def _find_sub(values: Sequence[int], sub: Sequence[int], start: int = 0) -> int:
    """Index from ``start`` where ``sub`` (at most 8 items) occurs contiguously in ``values``, or -1."""
    n, k = len(values), len(sub)
    target = list(sub)
    for i in range(start, n - k + 1):
        if values[i] == target[0] and list(values[i : i + k]) == target:
            return i
    return -1


def _embedded_ipv4(host: str, addr: ipaddress.IPv4Address) -> list[str]:
    a, b, c, d = addr.packed
    runs = [(m.start(), m.end(), m.group()) for m in _DIGIT_RUN.finditer(host)]
    # Octets cannot exceed 255; longer runs keep their value so they never match one.
    values = [int(t) if len(t) <= 3 else -1 for _, _, t in runs]

    def span(i: int, k: int) -> str:
        return host[runs[i][0] : runs[i + k - 1][1]]

    out: list[str] = []
    for label, octets in (("octets in order", (a, b, c, d)), ("octets reversed", (d, c, b, a))):
        i = _find_sub(values, octets)
        if i >= 0:
            out.append(f"embedded IP, {label}: {span(i, 4)!r}")
    # One run of digits: the zero-padded octets run together, or the address as an integer.
    padded = f"{a:03d}{b:03d}{c:03d}{d:03d}"
    padded_rev = f"{d:03d}{c:03d}{b:03d}{a:03d}"
    as_int = str(int(addr))
    for _, _, text in runs:
        stripped = text.lstrip("0") or "0"
        if text == padded:
            out.append(f"embedded IP, zero-padded octets: {text!r}")
        elif text == padded_rev:
            out.append(f"embedded IP, zero-padded octets reversed: {text!r}")
        elif stripped == as_int and len(as_int) >= 7:
            out.append(f"embedded IP as a decimal integer: {text!r}")
    # Hex: 8 hex digits are specific enough to look for as a substring.
    for label, packed in (("hex", bytes((a, b, c, d))), ("hex, octets reversed", bytes((d, c, b, a)))):
        hexed = packed.hex()
        if hexed in host:
            out.append(f"embedded IP as {label}: {hexed!r}")
    if out:
        return out
    # Partial: the last three octets (the host part of a /8 pool), in either order, with
    # four or more digits ('1-1-1' is more likely a version or a server number).
    for label, octets3 in (("last three octets", (b, c, d)), ("last three octets reversed", (d, c, b))):
        i = _find_sub(values, octets3)
        if i >= 0 and sum(len(runs[j][2]) for j in range(i, i + 3)) >= 4:
            out.append(f"embedded IP, {label}: {span(i, 3)!r}")
    if out:
        return out
    # The last two octets only inside one label, joined by '-' or '_', with 3+ digits:
    # '2-1' in 'mx-2-1' is far more often a server number than an address.
    for label, octets2 in (("last two octets", (c, d)), ("last two octets reversed", (d, c))):
        i = _find_sub(values, octets2)
        while i >= 0:
            text = span(i, 2)
            digits = sum(ch.isdigit() for ch in text)
            if digits >= 3 and len(text) - digits == 1 and text[len(runs[i][2])] in "-_":
                out.append(f"embedded IP, {label}: {text!r}")
                break
            i = _find_sub(values, octets2, i + 1)
    return out


def _embedded_ipv6(host: str, addr: ipaddress.IPv6Address) -> list[str]:
    out: list[str] = []
    nibbles = addr.packed.hex()  # 32 hex digits
    squeezed = host.replace("-", "").replace(".", "").replace("_", "")
    if nibbles in squeezed:
        out.append("embedded IPv6 address, all nibbles")
    elif nibbles[::-1] in squeezed:
        out.append("embedded IPv6 address, nibbles reversed")
    compressed = addr.compressed
    for sep in ("-", ".", "_"):
        form = compressed.replace(":", sep)
        if len(form) >= 6 and form in host:
            out.append(f"embedded IPv6 address: {form!r}")
            break
    if out:
        return out
    runs = [(m.start(), m.end(), m.group()) for m in _HEX_RUN.finditer(host)]
    values = [int(t, 16) if len(t) <= 4 else -1 for _, _, t in runs]
    hextets = [int.from_bytes(addr.packed[i : i + 2], "big") for i in range(0, 16, 2)]
    i = _find_sub(values, hextets)
    if i >= 0:
        out.append(f"embedded IPv6 address, hextets: {host[runs[i][0] : runs[i + 7][1]]!r}")
        return out
    iid = hextets[4:]
    i = _find_sub(values, iid)
    if i >= 0:
        text = host[runs[i][0] : runs[i + 3][1]]
        if sum(ch not in "-._0" for ch in text) >= 4:  # not a trivial ::1-like identifier
            out.append(f"embedded IPv6 interface identifier: {text!r}")
    iid_hex = nibbles[16:]
    if not out and iid_hex.strip("0") and len(iid_hex.lstrip("0")) >= 8 and iid_hex in squeezed:
        out.append(f"embedded IPv6 interface identifier: {iid_hex!r}")
    return out


def _generic_words(host: str) -> list[str]:
    labels = host.split(".")
    # Words are looked for left of the registrable part (the last two labels): a pool name
    # says "dsl" in its host part; "dynamics.example" names a company.
    host_labels = labels[:-2] if len(labels) > 2 else labels[:1]
    out: list[str] = []
    for label in host_labels:
        has_digit = any(ch.isdigit() for ch in label)
        if _IP_PREFIX.match(label):
            out.append(f"'ip' prefix: {label!r}")
        for word in _WORD_RUN.findall(label):
            if word in GENERIC_WORDS:
                out.append(f"generic word {word!r}")
            elif has_digit and word in GENERIC_WORDS_WITH_DIGITS and not (word == "ip" and _IP_PREFIX.match(label)):
                out.append(f"generic word {word!r} with digits: {label!r}")
    return out


# --- PTR and forward confirmation ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardLookup:
    """The forward lookup of one PTR name.

    Parameters
    ----------
    name
        The PTR name.
    rdtype
        ``"A"`` for an IPv4 client, ``"AAAA"`` for IPv6.
    status
        The DNS status of the answer.
    addresses
        The addresses it returned.
    matches
        True when they contain the client's address.
    """

    name: str
    rdtype: str
    status: str
    addresses: tuple[str, ...] = ()
    matches: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RDNSResult:
    """The reverse DNS of one address, re-checked.

    Parameters
    ----------
    ip
        The address (IPv4-mapped IPv6 given as IPv4).
    reverse_name
        The PTR query name.
    ptr_status
        The status of the PTR answer (``"NOERROR"``, ``"NXDOMAIN"``, ``"TIMEOUT"``, ...).
    ptr_names
        The PTR names, lower case without the trailing dot, in answer order.
    ptr_truncated
        True when there were more than :data:`MAX_PTR_NAMES` names (the rest are not
        forward-checked, RFC 7208 §4.6.4).
    forward
        One :class:`ForwardLookup` per checked name.
    fcrdns
        True: a PTR name resolves back to the address (forward-confirmed); False: none
        does, or there is no PTR; None: DNS failed, so it is unknown.
    confirmed_name
        The first forward-confirmed name, or None.
    name
        The name judged for genericness: ``confirmed_name``, else the first PTR name.
    generic
        True when ``name`` looks like a pool name (:func:`is_generic`).
    generic_reasons
        What made it generic.
    findings
        ``RDNS_NONE``, ``RDNS_NOT_CONFIRMED``, ``RDNS_GENERIC``, ``DNS_TEMPERROR``.
    """

    ip: str
    reverse_name: str
    ptr_status: str
    ptr_names: tuple[str, ...] = ()
    ptr_truncated: bool = False
    forward: tuple[ForwardLookup, ...] = ()
    fcrdns: bool | None = None
    confirmed_name: str | None = None
    name: str | None = None
    generic: bool = False
    generic_reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def _same_address(records: Sequence[str], addr: _Address) -> tuple[tuple[str, ...], bool]:
    """The answer's addresses, and whether ``addr`` is among them (compared as addresses)."""
    out: list[str] = []
    found = False
    canonical = str(addr)  # dnspython prints A/AAAA rdata in this same canonical form
    for record in records:
        text = record.strip()
        out.append(text)
        if not found:
            if text == canonical:
                found = True
                continue
            try:
                found = ipaddress.ip_address(text) == addr
            except ValueError:
                continue
    return tuple(out), found


def _temperror(where: str, detail: str, answer: DNSAnswer) -> Finding:
    return Finding(
        code=FindingCode.DNS_TEMPERROR,
        severity=Severity.ERROR,
        where=where,
        detail=detail,
        evidence=(("query", f"{answer.name} {answer.rdtype}"), ("status", answer.status)),
    )


def check_ip(ip: str, *, ctx: Context, where: str | None = None, max_names: int = MAX_PTR_NAMES) -> RDNSResult:
    """Look up the PTR of ``ip`` and forward-confirm it (FCrDNS).

    For each PTR name (at most ``max_names``, RFC 7208 §4.6.4) the A records (IPv4) or
    AAAA records (IPv6) are fetched; the name is confirmed when they contain ``ip``
    (RFC 7208 §5.5). Findings:

    - ``RDNS_NONE`` (warning): NXDOMAIN or no PTR records;
    - ``RDNS_NOT_CONFIRMED`` (warning): no PTR name resolves back to the address;
    - ``RDNS_GENERIC`` (notice): the name looks like an ISP pool name;
    - ``DNS_TEMPERROR`` (error): SERVFAIL, REFUSED or TIMEOUT; ``fcrdns`` is then None
      unless another name confirmed the address anyway.

    Parameters
    ----------
    ip
        The client address.
    ctx
        The :class:`~mailforensics.context.Context`; DNS goes through its resolver.
    where
        The ``where`` of the findings (default ``"ip <address>"``); the analysis layer
        passes ``"hop 3"``.
    max_names
        The most PTR names to forward-check.

    Raises
    ------
    InputError
        If ``ip`` is not an address.
    """
    addr = parse_ip(ip)
    ip_text = str(addr)
    rname = _reverse(addr)
    at = where or f"ip {ip_text}"
    resolver = ctx.get_resolver()
    ptr = resolver.query(rname, "PTR")
    if ptr.status in ("SERVFAIL", "REFUSED", "TIMEOUT"):
        return RDNSResult(
            ip=ip_text,
            reverse_name=rname,
            ptr_status=ptr.status,
            fcrdns=None,
            findings=(_temperror(at, f"the PTR lookup for {ip_text} failed ({ptr.status})", ptr),),
        )
    names = tuple(dict.fromkeys(n for n in (normalize_host(r) for r in ptr.records) if n)) if ptr.ok else ()
    if not names:
        why = "NXDOMAIN" if ptr.status == "NXDOMAIN" else "no PTR records"
        return RDNSResult(
            ip=ip_text,
            reverse_name=rname,
            ptr_status=ptr.status,
            fcrdns=False,
            findings=(
                Finding(
                    code=FindingCode.RDNS_NONE,
                    severity=Severity.WARNING,
                    where=at,
                    detail=f"{ip_text} has no reverse DNS ({why})",
                    evidence=(("query", f"{rname} PTR"), ("status", ptr.status)),
                ),
            ),
        )
    rdtype = "A" if addr.version == 4 else "AAAA"
    checked = names[:max_names]
    forward: list[ForwardLookup] = []
    findings: list[Finding] = []
    confirmed: str | None = None
    failed: list[DNSAnswer] = []
    for name in checked:
        answer = resolver.query(name, rdtype)
        if answer.temporary_failure:
            failed.append(answer)
            forward.append(ForwardLookup(name=name, rdtype=rdtype, status=answer.status))
            continue
        addresses, match = _same_address(answer.records, addr)
        forward.append(
            ForwardLookup(name=name, rdtype=rdtype, status=answer.status, addresses=addresses, matches=match)
        )
        if match and confirmed is None:
            confirmed = name
            break  # the first confirmed name settles it; later names need no lookups
    fcrdns: bool | None
    if confirmed is not None:
        fcrdns = True
    elif failed:
        fcrdns = None
        for answer in failed:
            detail = f"the forward lookup of PTR name {answer.name} failed ({answer.status})"
            findings.append(_temperror(at, detail, answer))
    else:
        fcrdns = False
        findings.append(
            Finding(
                code=FindingCode.RDNS_NOT_CONFIRMED,
                severity=Severity.WARNING,
                where=at,
                detail=f"no PTR name of {ip_text} resolves back to it (not forward-confirmed)",
                evidence=(
                    ("ptr", " ".join(names)),
                    *((f"{f.name} {f.rdtype}", " ".join(f.addresses) or f.status) for f in forward),
                ),
            )
        )
    judged = confirmed or names[0]
    generic, reasons = _is_generic(judged, addr)
    if generic:
        findings.append(
            Finding(
                code=FindingCode.RDNS_GENERIC,
                severity=Severity.NOTICE,
                where=at,
                detail=f"the reverse DNS name {judged} of {ip_text} looks like an ISP pool (generic) name",
                evidence=(("name", judged), *(("reason", r) for r in reasons)),
            )
        )
    return RDNSResult(
        ip=ip_text,
        reverse_name=rname,
        ptr_status=ptr.status,
        ptr_names=names,
        ptr_truncated=len(names) > max_names,
        forward=tuple(forward),
        fcrdns=fcrdns,
        confirmed_name=confirmed,
        name=judged,
        generic=generic,
        generic_reasons=reasons,
        findings=tuple(findings),
    )


# --- HELO ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class HELOResult:
    """What the HELO/EHLO name says about the client.

    Parameters
    ----------
    helo
        The name as given (stripped).
    ip
        The client address, or None.
    is_ip_literal
        True for an address literal (``[192.0.2.1]``, ``[IPv6:2001:db8::1]``, RFC 5321
        §4.1.3) or a bare address.
    literal_ip
        The address inside the literal, or None.
    literal_matches_ip
        For a literal: whether it is the client's address (None without an ``ip``).
    statuses
        The DNS statuses of the A and AAAA lookups, as ``(rdtype, status)`` pairs.
    addresses
        The addresses the name resolves to.
    resolves
        True: it has A or AAAA records; False: NXDOMAIN or NODATA for both; None: DNS
        failed, or not looked up (a literal).
    matches_ip
        Whether the addresses contain the client's address (None when unknown).
    rdns_names
        The reverse-DNS names it was compared with (then and now).
    same_domain_as_rdns
        Whether the HELO name's registrable part equals that of an rDNS name (None when
        there is no rDNS name or the HELO is a literal).
    claims_recipient_domain
        True when the name lies in one of the recipient's domains while the client is
        not internal.
    findings
        ``HELO_IS_IP_LITERAL``, ``HELO_NOT_RESOLVING``, ``HELO_DIFFERS_FROM_RDNS``,
        ``HELO_CLAIMS_RECIPIENT_DOMAIN``, ``DNS_TEMPERROR``.
    """

    helo: str
    ip: str | None
    is_ip_literal: bool = False
    literal_ip: str | None = None
    literal_matches_ip: bool | None = None
    statuses: tuple[tuple[str, str], ...] = ()
    addresses: tuple[str, ...] = ()
    resolves: bool | None = None
    matches_ip: bool | None = None
    rdns_names: tuple[str, ...] = ()
    same_domain_as_rdns: bool | None = None
    claims_recipient_domain: bool = False
    findings: tuple[Finding, ...] = ()


def _literal(helo: str) -> _Address | None:
    """The address of an address literal or a bare address, else None."""
    text = helo.strip()
    if not text:
        return None
    if text.startswith("[") != text.endswith("]"):
        return None
    try:
        return parse_ip(text)
    except InputError:
        return None


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    values = (value,) if isinstance(value, str) else tuple(value)
    # Postfix and sendmail write "unknown" when the client had no reverse DNS.
    return tuple(dict.fromkeys(n for n in (normalize_host(v) for v in values) if n and n != "unknown"))


def _in_domain(host: str, domain: str) -> bool:
    d = normalize_host(domain)
    return bool(d) and (host == d or host.endswith("." + d))


def check_helo(
    helo: str,
    *,
    ip: str | None,
    rdns_then: str | None = None,
    rdns_now: str | Sequence[str] | None = None,
    recipient_domains: Sequence[str] = (),
    ctx: Context,
    where: str | None = None,
) -> HELOResult:
    """Judge the HELO/EHLO name a client gave.

    Findings:

    - ``HELO_IS_IP_LITERAL``: an address literal (RFC 5321 §4.1.3; legitimate but rare for
      mail servers, which §4.1.1.1 expects to give their FQDN) — notice when it is the
      client's address, warning when it is another address;
    - ``HELO_NOT_RESOLVING`` (warning): the name has no A/AAAA records (NXDOMAIN or NODATA);
    - ``HELO_NOT_MATCHING_IP`` (notice): it resolves, but not to the client's address;
    - ``HELO_DIFFERS_FROM_RDNS`` (notice): its registrable part differs from that of the
      client's reverse DNS (at delivery or today);
    - ``HELO_CLAIMS_RECIPIENT_DOMAIN`` (alert): the name lies inside one of the
      recipient's own domains, but the client is not internal
      (:meth:`Config.is_trusted_ip <mailforensics.context.Config.is_trusted_ip>`);
    - ``DNS_TEMPERROR`` (error): a lookup failed.

    Parameters
    ----------
    helo
        The HELO/EHLO argument (``Hop.from_helo``).
    ip
        The client address (``Hop.from_ip``), or None.
    rdns_then
        The receiver's reverse-DNS name of the client at delivery (``Hop.from_rdns``).
    rdns_now
        The PTR name(s) today (``RDNSResult.ptr_names``).
    recipient_domains
        The recipient organisation's domains.
    ctx
        The :class:`~mailforensics.context.Context`.
    where
        The ``where`` of the findings (default ``"helo <name>"``).

    Raises
    ------
    InputError
        If ``recipient_domains`` is one string rather than a sequence.
    """
    if isinstance(recipient_domains, str):
        raise InputError("check_helo(recipient_domains=...) takes a sequence of domains, not one string")
    given = helo.strip()
    host = normalize_host(given)
    at = where or f"helo {given}"
    addr: _Address | None = None
    if ip:
        try:
            addr = parse_ip(ip)
        except InputError:
            addr = None
    ip_text = str(addr) if addr is not None else (ip or None)
    findings: list[Finding] = []

    literal = _literal(given)
    if literal is not None:
        matches = None if addr is None else literal == addr
        if matches is False:
            sev, tail = Severity.WARNING, f", which is not the connecting address {ip_text}"
        elif matches:
            sev, tail = Severity.NOTICE, ", the connecting address"
        else:
            sev, tail = Severity.NOTICE, ""
        findings.append(
            Finding(
                code=FindingCode.HELO_IS_IP_LITERAL,
                severity=sev,
                where=at,
                detail=f"the client greeted with an address literal {given}{tail}",
                evidence=(("helo", given), ("ip", ip_text or "")),
            )
        )
        return HELOResult(
            helo=given,
            ip=ip_text,
            is_ip_literal=True,
            literal_ip=str(literal),
            literal_matches_ip=matches,
            findings=tuple(findings),
        )
    if not host:
        return HELOResult(helo=given, ip=ip_text)

    resolver = ctx.get_resolver()
    statuses: list[tuple[str, str]] = []
    addresses: list[str] = []
    failures: list[DNSAnswer] = []
    matches_ip = False
    for rdtype in ("A", "AAAA"):
        answer = resolver.query(host, rdtype)
        statuses.append((rdtype, answer.status))
        if answer.temporary_failure:
            failures.append(answer)
            continue
        if answer.ok and answer.records:
            found, match = _same_address(answer.records, addr) if addr is not None else (tuple(answer.records), False)
            addresses.extend(found)
            matches_ip = matches_ip or match
    failed = bool(failures)
    resolves: bool | None = True if addresses else (None if failed else False)
    matched: bool | None
    if addr is None:
        matched = None
    elif matches_ip:
        matched = True
    else:
        matched = None if failed else False
    if matched is not True:  # a failed AAAA lookup does not matter once A matched
        for answer in failures:
            detail = f"the {answer.rdtype} lookup of HELO name {host} failed ({answer.status})"
            findings.append(_temperror(at, detail, answer))
    if resolves is False:
        findings.append(
            Finding(
                code=FindingCode.HELO_NOT_RESOLVING,
                severity=Severity.WARNING,
                where=at,
                detail=f"the HELO name {host} does not resolve (no A or AAAA records)",
                evidence=(("helo", host), ("reason", "no-address"), *((f"{t}", s) for t, s in statuses)),
            )
        )
    elif resolves and matched is False:
        findings.append(
            Finding(
                code=FindingCode.HELO_NOT_MATCHING_IP,
                severity=Severity.NOTICE,
                where=at,
                detail=f"the HELO name {host} resolves, but not to the connecting address {ip_text}",
                evidence=(("helo", host), ("reason", "other-address"), ("addresses", " ".join(addresses))),
            )
        )

    rdns = tuple(dict.fromkeys(_names(rdns_then) + _names(rdns_now)))
    same: bool | None = None
    if rdns:
        # Registrable part by the last two labels; the analysis layer refines this with
        # the organizational domain (Public Suffix List, mailforensics.auth.orgdomain).
        mine = _registrable(host)
        same = any(_registrable(n) == mine for n in rdns)
        if not same:
            findings.append(
                Finding(
                    code=FindingCode.HELO_DIFFERS_FROM_RDNS,
                    severity=Severity.NOTICE,
                    where=at,
                    detail=f"the HELO name {host} is not in the domain of the reverse DNS ({', '.join(rdns)})",
                    evidence=(("helo", host), *(("rdns", n) for n in rdns)),
                )
            )

    claims = False
    if not ctx.config.is_trusted_ip(ip_text):
        for domain in recipient_domains:
            if _in_domain(host, domain):
                claims = True
                findings.append(
                    Finding(
                        code=FindingCode.HELO_CLAIMS_RECIPIENT_DOMAIN,
                        severity=Severity.ALERT,
                        where=at,
                        detail=(
                            f"an outside client ({ip_text or 'address unknown'}) greeted with {host}, "
                            f"a name in the recipient's own domain {normalize_host(domain)}"
                        ),
                        evidence=(("helo", host), ("domain", normalize_host(domain)), ("ip", ip_text or "")),
                    )
                )
                break

    return HELOResult(
        helo=given,
        ip=ip_text,
        statuses=tuple(statuses),
        addresses=tuple(dict.fromkeys(addresses)),
        resolves=resolves,
        matches_ip=matched,
        rdns_names=rdns,
        same_domain_as_rdns=same,
        claims_recipient_domain=claims,
        findings=tuple(findings),
    )


# --- then and now ----------------------------------------------------------------------------


def compare_rdns(then: str | None, now: str | Sequence[str] | None, *, where: str = "rdns") -> Finding | None:
    """Compare the receiver's rDNS name at delivery with the PTR name(s) today.

    Case and a trailing dot are ignored; ``"unknown"`` (what Postfix writes without a
    PTR) counts as no name. A name that is gone, new or different gives ``RDNS_CHANGED``
    (info: an ISP renumbered, or the sender's infrastructure moved since delivery).

    Parameters
    ----------
    then
        ``Hop.from_rdns``: the name the receiver looked up.
    now
        The PTR name today, or all of them (``RDNSResult.ptr_names``).
    where
        The ``where`` of the finding.

    Returns
    -------
    Finding or None
        None when both are absent, or ``then`` is one of today's names.
    """
    before = _names(then)
    today = _names(now)
    if not before and not today:
        return None
    if before and before[0] in today:
        return None
    detail = (
        f"the reverse DNS was {before[0] if before else '(none)'} at delivery "
        f"and is {', '.join(today) if today else '(none)'} today"
    )
    return Finding(
        code=FindingCode.RDNS_CHANGED,
        severity=Severity.INFO,
        where=where,
        detail=detail,
        evidence=(("then", before[0] if before else ""), ("now", " ".join(today))),
    )
