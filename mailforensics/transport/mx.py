"""MX: where a domain takes its mail, and where a message entered the recipient's systems.

:func:`lookup_mx` resolves a domain's mail exchangers as an SMTP client would (RFC 5321
§5.1): the MX RRset sorted by preference, each host with its A/AAAA addresses; with no
MX record, the *implicit MX* (the domain's own addresses); the *null MX* ``0 .`` of
RFC 7505 (the domain accepts no mail). :func:`entry_hop` then finds, in a message's
relay path, the oldest hop received by one of the recipient domain's MX hosts: where
the message entered the recipient's infrastructure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

import idna

from mailforensics.addresses import canonical_ip as _ip
from mailforensics.context import Context
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.resolvers.base import DNSAnswer, Resolver

__all__ = [
    "MAX_MX_HOSTS",
    "MXHost",
    "MXResult",
    "entry_hop",
    "is_recipient_mx",
    "lookup_mx",
]

#: At most this many MX hosts have their addresses looked up. RFC 5321 sets no limit on the
#: size of an MX RRset, and a hostile domain can publish hundreds (a TCP answer holds
#: thousands), each costing two more queries (A and AAAA) — the work would be the
#: attacker's choice. Senders only ever try a few; RFC 7208 §4.6.4 caps SPF's "mx"
#: mechanism at 10 names for the same reason, and so do we. Hosts past the cap are
#: listed with ``resolved=False``.
MAX_MX_HOSTS = 10

MXStatus = Literal["ok", "null", "none", "nxdomain", "temperror", "invalid"]
_TEMPORARY = ("SERVFAIL", "REFUSED", "TIMEOUT")


@dataclass(frozen=True, slots=True, kw_only=True)
class MXHost:
    """One mail exchanger of a domain.

    Parameters
    ----------
    preference
        The MX preference (lower is tried first); 0 for the implicit MX.
    host
        The exchange host name, lower case, no trailing dot.
    ipv4, ipv6
        Its A and AAAA addresses.
    a_status, aaaa_status
        The DNS status of the A and AAAA queries; None when not asked (past
        :data:`MAX_MX_HOSTS`).
    a_secure, aaaa_secure
        DNSSEC status of those answers (True validated, False insecure/bogus, None unknown).
    alias
        The CNAME chain followed from ``host`` to its addresses. RFC 2181 §10.3 forbids an
        MX target that is an alias; mail still flows, but it is a misconfiguration (and it
        breaks DANE's name checks, RFC 7672 §2.2.2).
    implicit
        True for the implicit MX of RFC 5321 §5.1 (the domain itself, no MX record).
    resolved
        False when the host was past :data:`MAX_MX_HOSTS` and not looked up.
    """

    preference: int
    host: str
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    a_status: str | None = None
    aaaa_status: str | None = None
    a_secure: bool | None = None
    aaaa_secure: bool | None = None
    alias: tuple[str, ...] = ()
    implicit: bool = False
    resolved: bool = True

    @property
    def addresses(self) -> tuple[str, ...]:
        """IPv4 then IPv6 addresses."""
        return self.ipv4 + self.ipv6

    @property
    def secure(self) -> bool | None:
        """True when every address answer asked was DNSSEC-validated; False if one was not."""
        flags = [f for f, s in ((self.a_secure, self.a_status), (self.aaaa_secure, self.aaaa_status)) if s is not None]
        if any(f is False for f in flags):
            return False
        if flags and all(f is True for f in flags):
            return True
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class MXResult:
    """The mail exchangers of one domain.

    Parameters
    ----------
    domain
        The domain asked, lower case, A-labels, no trailing dot.
    status
        ``"ok"`` (MX hosts, explicit or implicit), ``"null"`` (null MX: accepts no mail,
        RFC 7505), ``"none"`` (no MX and no address: no mail either), ``"nxdomain"`` (the
        domain does not exist), ``"temperror"`` (a DNS failure; try again), ``"invalid"``
        (not a usable domain name; nothing was asked).
    hosts
        :class:`MXHost` records in the order a sender tries them: by preference, then by
        name (RFC 5321 §5.1 leaves equal preferences to random choice; sorting keeps the
        output reproducible).
    implicit
        True when there is no MX record and the domain's own A/AAAA stand in (RFC 5321 §5.1).
    null_mx
        True when the domain publishes a null MX (RFC 7505 §3).
    mx_status
        The DNS status of the MX query.
    mx_secure
        DNSSEC status of the MX answer (DANE needs it validated, RFC 7672 §2.2.1).
    records
        The MX records as returned (presentation format).
    truncated
        True when more than :data:`MAX_MX_HOSTS` hosts were published.
    findings
        ``MX_NULL``, ``MX_NONE``, ``DNS_TEMPERROR``.
    """

    domain: str
    status: MXStatus
    hosts: tuple[MXHost, ...] = ()
    implicit: bool = False
    null_mx: bool = False
    mx_status: str | None = None
    mx_secure: bool | None = None
    records: tuple[str, ...] = ()
    truncated: bool = False
    findings: tuple[Finding, ...] = ()

    @property
    def accepts_mail(self) -> bool | None:
        """True if mail can be delivered, False if the DNS says it cannot, None if unknown."""
        if self.status == "ok":
            return True
        if self.status in ("null", "none", "nxdomain"):
            return False
        return None

    @property
    def host_names(self) -> tuple[str, ...]:
        """The exchange host names, in order."""
        return tuple(h.host for h in self.hosts)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address of every host, in host order, without repeats."""
        return tuple(dict.fromkeys(a for h in self.hosts for a in h.addresses))


# ---------------------------------------------------------------------------------------
# Names and addresses
# ---------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _host_name(name: str | None) -> str | None:
    """Lower case, no trailing dot, U-labels as A-labels; None if not a usable name.

    Pure, so memoised: the same recipient domains, MX hosts and relay names are
    normalised for message after message.
    """
    if name is None:
        return None
    n = name.strip()
    if n.endswith("."):
        n = n[:-1]
    if not n or any(c.isspace() for c in n):
        return None
    labels = n.lower().split(".")
    if "" in labels:
        return None
    out = []
    for label in labels:
        if label.isascii():
            out.append(label)
            continue
        try:
            out.append(idna.encode(label, uts46=True).decode("ascii"))
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    return ".".join(out)


@lru_cache(maxsize=4096)
def _parse_mx(record: str) -> tuple[int, str] | None:
    """``'10 mx.example.com.'`` → ``(10, 'mx.example.com')``; the null MX ``'0 .'`` → ``(0, '.')``.

    Pure, so memoised (a batch reads the same MX records again and again).
    """
    parts = record.split()
    if len(parts) != 2:
        return None
    try:
        preference = int(parts[0])
    except ValueError:
        return None
    if not 0 <= preference <= 0xFFFF:
        return None
    # "@" is the root written relative to the root origin (what dnspython prints for a
    # relativized "."): the same null exchange.
    if parts[1] in (".", "@"):
        return preference, "."
    host = _host_name(parts[1])
    return (preference, host) if host is not None else None


# ---------------------------------------------------------------------------------------
# lookup_mx
# ---------------------------------------------------------------------------------------
def _addresses(resolver: Resolver, host: str) -> tuple[DNSAnswer, DNSAnswer]:
    return resolver.query(host, "A"), resolver.query(host, "AAAA")


def _address_records(answer: DNSAnswer) -> tuple[str, ...]:
    if answer.status != "NOERROR":
        return ()
    return tuple(ip for ip in (_ip(r) for r in answer.records) if ip is not None)


def _temperror(domain: str, what: str, answer: DNSAnswer) -> Finding:
    return Finding(
        code=FindingCode.DNS_TEMPERROR,
        severity=Severity.ERROR,
        where=f"MX {domain}",
        detail=f"The {answer.rdtype} query for {answer.name} failed ({answer.status}); {what}.",
        evidence=((f"{answer.rdtype} {answer.name}", answer.status),),
    )


def _host_record(preference: int, host: str, a: DNSAnswer, aaaa: DNSAnswer, *, implicit: bool = False) -> MXHost:
    return MXHost(
        preference=preference,
        host=host,
        ipv4=_address_records(a),
        ipv6=_address_records(aaaa),
        a_status=a.status,
        aaaa_status=aaaa.status,
        a_secure=a.secure,
        aaaa_secure=aaaa.secure,
        alias=tuple(dict.fromkeys(a.cname_chain + aaaa.cname_chain)),
        implicit=implicit,
    )


def lookup_mx(domain: str, *, ctx: Context) -> MXResult:
    """Resolve the mail exchangers of ``domain`` (RFC 5321 §5.1, RFC 7505).

    Parameters
    ----------
    domain
        A domain name (case, a trailing dot and U-labels are all fine).
    ctx
        The context whose resolver answers (MX, then A and AAAA of each host).

    Returns
    -------
    MXResult
        Hosts sorted by preference with their addresses, or the implicit MX, or the null
        MX, with ``MX_NULL`` / ``MX_NONE`` / ``DNS_TEMPERROR`` findings. DNS failures are
        results (``status="temperror"``), never exceptions.
    """
    name = _host_name(domain)
    if name is None:
        return MXResult(domain=(domain or "").strip().lower(), status="invalid")
    resolver: Resolver = ctx.get_resolver()
    where = f"MX {name}"
    answer = resolver.query(name, "MX")
    common: dict[str, Any] = {"mx_status": answer.status, "mx_secure": answer.secure, "records": answer.records}

    if answer.status in _TEMPORARY:
        return MXResult(
            domain=name,
            status="temperror",
            findings=(_temperror(name, "the domain's mail exchangers are unknown", answer),),
            **common,
        )
    if answer.status == "NXDOMAIN":
        return MXResult(
            domain=name,
            status="nxdomain",
            findings=(
                Finding(
                    code=FindingCode.MX_NONE,
                    severity=Severity.WARNING,
                    where=where,
                    detail=f"The domain {name} does not exist (NXDOMAIN): it cannot receive mail.",
                    evidence=((f"MX {name}", "NXDOMAIN"),),
                ),
            ),
            **common,
        )
    if answer.status != "NOERROR":  # an unknown status: treat as a failure to learn anything
        return MXResult(
            domain=name,
            status="temperror",
            findings=(_temperror(name, "the domain's mail exchangers are unknown", answer),),
            **common,
        )

    if not answer.records:
        return _implicit_mx(name, resolver, common)

    parsed = [p for p in (_parse_mx(r) for r in answer.records) if p is not None]
    findings: list[Finding] = []
    real = [(pref, host) for pref, host in parsed if host != "."]
    if any(host == "." for _, host in parsed):
        if not real:
            # RFC 7505 §3: preference 0 and the root as exchange: "there exists no mail
            # exchanger for a domain". (Any preference with "." means no host.)
            return MXResult(
                domain=name,
                status="null",
                null_mx=True,
                findings=(
                    Finding(
                        code=FindingCode.MX_NULL,
                        severity=Severity.NOTICE,
                        where=where,
                        detail=f"{name} publishes a null MX (RFC 7505): it declares that it accepts no mail.",
                        evidence=tuple((f"MX {name}", r) for r in answer.records),
                    ),
                ),
                **common,
            )
        # RFC 7505 §3: "A domain that advertises a null MX MUST NOT advertise any other MX
        # RR." Senders skip the "." entry ("." is no host); so do we, and say so.
        findings.append(
            Finding(
                code=FindingCode.MX_NULL,
                severity=Severity.NOTICE,
                where=where,
                detail=f"{name} publishes a null MX beside other MX records, which RFC 7505 §3 forbids; "
                "the null entry is ignored.",
                evidence=tuple((f"MX {name}", r) for r in answer.records),
            )
        )
    if not real:
        return MXResult(
            domain=name,
            status="none",
            findings=(
                Finding(
                    code=FindingCode.MX_NONE,
                    severity=Severity.NOTICE,
                    where=where,
                    detail=f"No MX record of {name} could be read.",
                    evidence=tuple((f"MX {name}", r) for r in answer.records),
                ),
            ),
            **common,
        )

    # One entry per host, at its best preference; then the order a sender tries them.
    best: dict[str, int] = {}
    for pref, host in real:
        best[host] = min(pref, best.get(host, pref))
    ordered = sorted(best.items(), key=lambda item: (item[1], item[0]))

    hosts: list[MXHost] = []
    for index, (host, pref) in enumerate(ordered):
        if index >= MAX_MX_HOSTS:
            hosts.append(MXHost(preference=pref, host=host, resolved=False))
            continue
        a, aaaa = _addresses(resolver, host)
        hosts.append(_host_record(pref, host, a, aaaa))
        for ans in (a, aaaa):
            if ans.status in _TEMPORARY:
                findings.append(_temperror(name, f"the addresses of MX host {host} are incomplete", ans))
    return MXResult(
        domain=name,
        status="ok",
        hosts=tuple(hosts),
        truncated=len(ordered) > MAX_MX_HOSTS,
        findings=tuple(findings),
        **common,
    )


def _implicit_mx(name: str, resolver: Resolver, common: dict[str, Any]) -> MXResult:
    """RFC 5321 §5.1: no MX records → the domain itself, preference 0, if it has an address."""
    where = f"MX {name}"
    a, aaaa = _addresses(resolver, name)
    host = _host_record(0, name, a, aaaa, implicit=True)
    failures = [ans for ans in (a, aaaa) if ans.status in _TEMPORARY]
    findings = [_temperror(name, "the implicit MX (the domain's own address) is incomplete", f) for f in failures]
    if host.addresses:
        return MXResult(domain=name, status="ok", hosts=(host,), implicit=True, findings=tuple(findings), **common)
    if failures:
        return MXResult(domain=name, status="temperror", findings=tuple(findings), **common)
    return MXResult(
        domain=name,
        status="none",
        findings=(
            Finding(
                code=FindingCode.MX_NONE,
                severity=Severity.NOTICE,
                where=where,
                detail=f"{name} has no MX record and no A/AAAA address: it cannot receive mail (RFC 5321 §5.1).",
                evidence=((f"MX {name}", "NODATA"), (f"A {name}", a.status), (f"AAAA {name}", aaaa.status)),
            ),
        ),
        **common,
    )


# ---------------------------------------------------------------------------------------
# The recipient's entry point
# ---------------------------------------------------------------------------------------
def is_recipient_mx(host_or_ip: str | None, mx: MXResult) -> bool:
    """True if ``host_or_ip`` is one of ``mx``'s hosts (by name) or addresses.

    Names compare case-insensitively without the trailing dot (RFC 4343); a name also
    matches when it is one of the aliases followed from an MX host. Addresses compare in
    canonical form (``[192.0.2.1]``, ``IPv6:`` literals and IPv4-mapped IPv6 accepted).

    Parameters
    ----------
    host_or_ip
        A host name or an address, e.g. a Received header's ``by`` host.
    mx
        The recipient domain's :func:`lookup_mx` result.
    """
    if not host_or_ip:
        return False
    ip = _ip(host_or_ip)
    if ip is not None:
        return ip in mx.addresses
    name = _host_name(host_or_ip)
    if name is None:
        return False
    return any(name == h.host or name in h.alias for h in mx.hosts)


class _PathHopLike(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def hop(self) -> Any: ...


def entry_hop(
    hops: Iterable[_PathHopLike],
    recipient_domain: str,
    *,
    ctx: Context,
    mx: MXResult | None = None,
) -> int | None:
    """The number of the hop where the message entered the recipient's infrastructure.

    That is the oldest hop whose receiving host — its ``by`` name or address — is one of
    the recipient domain's MX hosts or their addresses: the public MX that accepted the
    message from the internet.

    Parameters
    ----------
    hops
        :class:`~mailforensics.path.PathHop` records (anything with ``.number`` and a
        ``.hop`` that has ``.by_host`` and ``.by_ip``), in any order.
    recipient_domain
        The recipient's domain (the envelope recipient's, or a ``To`` domain).
    ctx
        The context whose resolver :func:`lookup_mx` uses.
    mx
        An :func:`lookup_mx` result for ``recipient_domain`` already at hand (no query).

    Returns
    -------
    int or None
        The hop number (1 = oldest), or None when no hop was received by an MX host or the
        MX lookup gave no host (null MX, NXDOMAIN, temperror).

    Notes
    -----
    Hops below the trust boundary are the sender's claims: a forged Received header can
    name the recipient's MX. Pass only the trusted hops
    (``[h for h in path.hops if h.trusted_record]``) to rule that out.
    """
    result = mx if mx is not None else lookup_mx(recipient_domain, ctx=ctx)
    if result.status != "ok":
        return None
    for ph in sorted(hops, key=lambda h: h.number):
        hop = ph.hop
        if is_recipient_mx(getattr(hop, "by_host", None), result) or is_recipient_mx(
            getattr(hop, "by_ip", None), result
        ):
            return ph.number
    return None
