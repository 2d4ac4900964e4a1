"""DNS blocklists (DNSBL, RHSBL, URI BL): is an address or a domain listed, and why?

A DNSxL is a DNS zone (RFC 5782): an IPv4 address is looked up as its reversed octets
under the zone (``2.0.0.127.zen.spamhaus.org``, RFC 5782 §2.1), an IPv6 address as its
reversed nibbles (RFC 5782 §2.4), a domain as itself (``example.com.dbl.spamhaus.org``,
RFC 5782 §3.1). An A record means "listed"; its value says why, either as one code per
list (Spamhaus) or as a bitmask of sub-lists (SURBL, URIBL; RFC 5782 §2.3). An optional
TXT record at the same name gives a human reason.

The hard part is not the lookup but telling a listing from an error, because DNSBL
operators answer *errors* with A records too:

- Spamhaus answers 127.255.255.252 (typo in the zone name), .254 (query through a public
  or open resolver) and .255 (too many queries) — none of these is a listing;
- URIBL answers 127.0.0.1 to refused queries;
- some ISP resolvers rewrite NXDOMAIN to the address of an advertising server, so every
  name appears "listed" with an address outside 127.0.0.0/8.

So answers in 127.255.255.0/24, a zone's ``error_codes`` and answers outside 127.0.0.0/8
are errors, never listings; and each zone is first probed at its RFC 5782 §5 test
points (127.0.0.2 / ``TEST`` must be listed, 127.0.0.1 / ``INVALID`` must not): a zone that
"lists" the must-not-be-listed point, or answers the test point with an error, is marked
unusable and gives ``status="zone-unusable"`` instead of false listings.

Hand-written because no maintained Python library decodes return codes, error codes and
test points (pydnsbl and the like only say "listed"), and because DNS must go through the
context's resolver so that the evidence can be replayed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar

from mailforensics.addresses import parse_ip as _parse_ip
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.resolvers.base import DNSAnswer, Resolver

__all__ = [
    "DEFAULT_ZONES",
    "DNSBLResult",
    "DNSBLZone",
    "Probe",
    "ZoneHealth",
    "check_domains",
    "check_ips",
    "probe_zone",
    "query_name",
]

Kind = Literal["ip", "domain"]
Status = Literal["listed", "not-listed", "error", "zone-unusable"]

_LOOPBACK_NET = ipaddress.IPv4Network("127.0.0.0/8")
# Spamhaus's convention for "your query could not be answered", used by others too.
_ERROR_NET = ipaddress.IPv4Network("127.255.255.0/24")

_RANK = {Severity.INFO: 0, Severity.NOTICE: 1, Severity.WARNING: 2, Severity.ALERT: 3, Severity.ERROR: 4}


_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen_map(value: Mapping[_K, _V] | None) -> Mapping[_K, _V]:
    """A read-only copy: a zone's tables cannot be changed behind its back."""
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True, kw_only=True)
class DNSBLZone:
    """One DNS blocklist zone and how to read its answers.

    Parameters
    ----------
    zone
        The zone queried under, e.g. ``"zen.spamhaus.org"``.
    kind
        ``"ip"`` (addresses: DNSBL) or ``"domain"`` (domains: RHSBL / URI BL).
    label
        A display name (default: ``zone``).
    codes
        Exact return address → meaning (``{"127.0.0.2": "SBL"}``).
    bitmask
        Bit value of the last octet → meaning (``{8: "PH (phishing)"}``), for lists that
        OR sub-list bits into one answer (RFC 5782 §2.3). ``None`` for exact-code lists.
    error_codes
        Return address → meaning for answers that are errors, not listings. Answers in
        127.255.255.0/24 are always errors.
    severities
        Meaning → :class:`~mailforensics.findings.Severity` of a listing with that
        meaning; others get ``default_severity``.
    default_severity
        The severity of a listing with no specific entry.
    test_ip
        The RFC 5782 §5 test points for addresses: ``(must_be_listed, must_not_be_listed)``.
        Default for ``kind="ip"``: ``("127.0.0.2", "127.0.0.1")``; ``()`` for none.
    test_domain
        The test points for domains. Default for ``kind="domain"``: ``("test",
        "invalid")`` (RFC 5782 §5: domain lists list ``TEST`` and never ``INVALID``);
        ``()`` for none.
    ipv6
        Whether the list answers for IPv6 addresses (RFC 5782 §2.4). IPv6 addresses are
        not queried on lists that do not.
    """

    zone: str
    kind: Kind = "ip"
    label: str = ""
    codes: Mapping[str, str] = field(default_factory=dict)
    bitmask: Mapping[int, str] | None = None
    error_codes: Mapping[str, str] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)
    default_severity: Severity = Severity.WARNING
    test_ip: tuple[str, ...] | None = None
    test_domain: tuple[str, ...] | None = None
    ipv6: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("ip", "domain"):
            raise InputError(f"DNSBLZone.kind must be 'ip' or 'domain', not {self.kind!r}")
        zone = self.zone.strip().lower().strip(".")
        if not zone:
            raise InputError("DNSBLZone.zone is empty")
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "label", self.label or zone)
        object.__setattr__(self, "codes", _frozen_map(self.codes))
        object.__setattr__(self, "error_codes", _frozen_map(self.error_codes))
        object.__setattr__(self, "severities", _frozen_map(self.severities))
        if self.bitmask is not None:
            object.__setattr__(self, "bitmask", _frozen_map(self.bitmask))
        if self.test_ip is None:
            object.__setattr__(self, "test_ip", ("127.0.0.2", "127.0.0.1") if self.kind == "ip" else ())
        if self.test_domain is None:
            object.__setattr__(self, "test_domain", ("test", "invalid") if self.kind == "domain" else ())
        for name in ("test_ip", "test_domain"):
            value = tuple(getattr(self, name))
            if len(value) not in (0, 2):
                raise InputError(f"DNSBLZone.{name} takes (listed, not_listed) or ()")
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:  # the mappings are read-only views, not hashable themselves
        return hash((self.zone, self.kind))

    def decode(self, code: str) -> tuple[str, ...]:
        """The meanings of one listing code (exact code first, then bitmask bits).

        Parameters
        ----------
        code
            A returned address, e.g. ``"127.0.0.10"``.
        """
        exact = self.codes.get(code)
        if exact is not None:
            return (exact,)
        if self.bitmask is not None:
            try:
                last = int(code.rsplit(".", 1)[1])
            except (IndexError, ValueError):
                return (f"listed ({code})",)
            # Only the last octet carries bits; the middle octets are reserved (SURBL).
            out = [meaning for bit, meaning in sorted(self.bitmask.items()) if last & bit]
            unknown = last & ~sum(self.bitmask)
            if unknown:
                out.append(f"unknown bits {unknown} ({code})")
            return tuple(out) or (f"listed ({code})",)
        return (f"listed ({code})",)

    def severity_of(self, meanings: Iterable[str]) -> Severity:
        """The highest severity among ``meanings`` (``default_severity`` for unknown ones)."""
        best = Severity.INFO
        for meaning in meanings:
            sev = self.severities.get(meaning, self.default_severity)
            if _RANK[sev] > _RANK[best]:
                best = sev
        return best


# --- the well-known lists ---------------------------------------------------------------------
# Public mirrors of most lists refuse queries that come through large public resolvers
# (Spamhaus answers 127.255.255.254, URIBL 127.0.0.1): the probe turns that into
# "zone-unusable" rather than false results. None of these is queried by the tests.

_SPAMHAUS_ERRORS = {
    "127.255.255.252": "typing error in the DNSBL name",
    "127.255.255.254": "query via a public or open resolver (refused)",
    "127.255.255.255": "excessive number of queries (refused)",
}

#: Spamhaus ZEN = SBL + SBL CSS + XBL (CBL) + DROP + PBL, one code per list.
SPAMHAUS_ZEN = DNSBLZone(
    zone="zen.spamhaus.org",
    kind="ip",
    label="Spamhaus ZEN",
    codes={
        "127.0.0.2": "SBL (spam source)",
        "127.0.0.3": "SBL CSS (snowshoe spam)",
        "127.0.0.4": "XBL (CBL: exploited / infected host)",
        "127.0.0.5": "XBL (CBL: exploited / infected host)",
        "127.0.0.6": "XBL (CBL: exploited / infected host)",
        "127.0.0.7": "XBL (CBL: exploited / infected host)",
        "127.0.0.9": "DROP (hijacked / criminal netblock)",
        "127.0.0.10": "PBL (end-user range, ISP-maintained)",
        "127.0.0.11": "PBL (end-user range, Spamhaus-maintained)",
    },
    error_codes=_SPAMHAUS_ERRORS,
    severities={
        "SBL (spam source)": Severity.WARNING,
        "SBL CSS (snowshoe spam)": Severity.WARNING,
        "XBL (CBL: exploited / infected host)": Severity.ALERT,
        "DROP (hijacked / criminal netblock)": Severity.ALERT,
        # PBL: the address should not send mail directly; a policy listing, not abuse.
        "PBL (end-user range, ISP-maintained)": Severity.NOTICE,
        "PBL (end-user range, Spamhaus-maintained)": Severity.NOTICE,
    },
    ipv6=True,
)

_DBL_ABUSED = "abused legitimate domain"

#: Spamhaus DBL: domains. 127.0.1.1xx codes are legitimate domains abused (compromised).
SPAMHAUS_DBL = DNSBLZone(
    zone="dbl.spamhaus.org",
    kind="domain",
    label="Spamhaus DBL",
    codes={
        "127.0.1.2": "DBL spam domain",
        "127.0.1.4": "DBL phishing domain",
        "127.0.1.5": "DBL malware domain",
        "127.0.1.6": "DBL botnet C&C domain",
        "127.0.1.102": f"DBL {_DBL_ABUSED} (spam)",
        "127.0.1.103": f"DBL {_DBL_ABUSED} (spammed redirector / URL shortener)",
        "127.0.1.104": f"DBL {_DBL_ABUSED} (phishing)",
        "127.0.1.105": f"DBL {_DBL_ABUSED} (malware)",
        "127.0.1.106": f"DBL {_DBL_ABUSED} (botnet C&C)",
    },
    error_codes={**_SPAMHAUS_ERRORS, "127.0.1.255": "IP queries prohibited on the DBL"},
    severities={
        "DBL spam domain": Severity.WARNING,
        "DBL phishing domain": Severity.ALERT,
        "DBL malware domain": Severity.ALERT,
        "DBL botnet C&C domain": Severity.ALERT,
        f"DBL {_DBL_ABUSED} (phishing)": Severity.ALERT,
        f"DBL {_DBL_ABUSED} (malware)": Severity.ALERT,
        f"DBL {_DBL_ABUSED} (botnet C&C)": Severity.ALERT,
    },
    # Spamhaus's documented DBL test point; INVALID must not be listed (RFC 5782 §5).
    test_domain=("dbltest.com", "invalid"),
)

#: SURBL multi: a bitmask of sub-lists in the last octet. Current bits (SURBL "Lists",
#: and the 2016/2020 announcements): 4 DM disposable-email domains (formerly WS),
#: 8 PH phishing, 16 MW malware, 32 CT click-tracker domains (formerly AB), 64 ABUSE
#: spam / abuse sites (absorbed SC, AB, WS, JP in 2016), 128 CR cracked sites. Bit 2 is
#: the legacy SC list (deprecated 2015); bit 1 is never a list.
SURBL_MULTI = DNSBLZone(
    zone="multi.surbl.org",
    kind="domain",
    label="SURBL multi",
    bitmask={
        2: "SC (legacy SpamCop sites)",
        4: "DM (disposable email domain)",
        8: "PH (phishing)",
        16: "MW (malware)",
        32: "CT (click-tracker domain)",
        64: "ABUSE (spam and abuse)",
        128: "CR (cracked site)",
    },
    # 127.0.0.1 cannot be a listing: bit 1 carries no list, and RFC 5782 §5 reserves
    # 127.0.0.1 as the never-listed point.
    error_codes={"127.0.0.1": "not a listing (bit 1 carries no list; query refused?)"},
    severities={
        "PH (phishing)": Severity.ALERT,
        "MW (malware)": Severity.ALERT,
        "CR (cracked site)": Severity.WARNING,
        "ABUSE (spam and abuse)": Severity.WARNING,
        "DM (disposable email domain)": Severity.NOTICE,
        "CT (click-tracker domain)": Severity.NOTICE,
    },
    test_domain=("test.surbl.org", "invalid"),
)

#: URIBL multi: bitmask 2 black, 4 grey, 8 red (uribl.com "About" / implementation
#: guidelines); white is a separate zone. 127.0.0.1 = query refused (uribl.com/refused).
URIBL_MULTI = DNSBLZone(
    zone="multi.uribl.com",
    kind="domain",
    label="URIBL multi",
    bitmask={
        2: "URIBL black (spammer domain)",
        4: "URIBL grey (bulk sender, may be legitimate)",
        8: "URIBL red (new / monitored domain in mail flow)",
    },
    error_codes={"127.0.0.1": "query refused by URIBL (public resolver or excessive queries)"},
    severities={
        "URIBL black (spammer domain)": Severity.WARNING,
        "URIBL grey (bulk sender, may be legitimate)": Severity.NOTICE,
        "URIBL red (new / monitored domain in mail flow)": Severity.NOTICE,
    },
    test_domain=("test.uribl.com", "invalid"),
)

BARRACUDA = DNSBLZone(
    zone="b.barracudacentral.org",
    kind="ip",
    label="Barracuda BRBL",
    codes={"127.0.0.2": "Barracuda reputation: poor"},
    ipv6=False,
)

SPAMCOP = DNSBLZone(
    zone="bl.spamcop.net",
    kind="ip",
    label="SpamCop SCBL",
    codes={"127.0.0.2": "SpamCop: reported spam source"},
    ipv6=False,
)

PSBL = DNSBLZone(
    zone="psbl.surriel.com",
    kind="ip",
    label="PSBL",
    codes={"127.0.0.2": "PSBL: spamtrap hit"},
    ipv6=False,
)

#: The lists checked by default. Their terms limit free use to low volumes and
#: non-commercial resolvers; pass your own ``zones=`` for a data-feed mirror.
DEFAULT_ZONES: tuple[DNSBLZone, ...] = (
    SPAMHAUS_ZEN,
    BARRACUDA,
    SPAMCOP,
    PSBL,
    SPAMHAUS_DBL,
    SURBL_MULTI,
    URIBL_MULTI,
)


# --- query names ------------------------------------------------------------------------------


def _to_alabel(domain: str) -> str:
    """IDN → A-labels (RFC 5891): the ``idna`` package (UTS #46) if installed, else
    the standard library's IDNA 2003 codec."""
    try:
        import idna  # installed with dnspython[idna]; IDNA 2008 with UTS #46 mapping
    except ImportError:  # pragma: no cover - idna is normally present
        pass
    else:
        try:
            return str(idna.encode(domain, uts46=True).decode("ascii"))
        except idna.IDNAError:
            pass  # not valid IDNA 2008 (e.g. a symbol): try IDNA 2003 below
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InputError(f"not a valid internationalised domain name: {domain!r}") from exc


def _normalize_domain(domain: str) -> str:
    name = domain.strip().lower()
    while name.endswith("."):
        name = name[:-1]
    if not name.isascii():
        name = _to_alabel(name)
    if not name or ".." in name or name.startswith("."):
        raise InputError(f"not a domain name: {domain!r}")
    return name


_Addr = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip_labels(addr: _Addr) -> str:
    if isinstance(addr, ipaddress.IPv4Address):
        a, b, c, d = addr.packed
        return f"{d}.{c}.{b}.{a}"  # RFC 5782 §2.1
    return ".".join(reversed(addr.packed.hex()))  # RFC 5782 §2.4: 32 reversed nibbles


def query_name(item: str, zone: DNSBLZone | str) -> str:
    """The name to look up for ``item`` in ``zone``.

    IPv4 → reversed octets (RFC 5782 §2.1), IPv6 → reversed nibbles (RFC 5782 §2.4),
    an IPv4-mapped IPv6 address in its IPv4 form; a domain as itself, lower-cased,
    without the trailing dot, an IDN converted to A-labels (RFC 5782 §3.1).

    Parameters
    ----------
    item
        An address or a domain.
    zone
        A :class:`DNSBLZone` or a zone name.

    Raises
    ------
    InputError
        If ``item`` is empty or not a valid domain name, or the name is too long
        (RFC 1035 §2.3.4: 253 characters, 63 per label).

    Examples
    --------
    >>> query_name("192.0.2.99", "dnsbl.test")
    '99.2.0.192.dnsbl.test'
    """
    zone_name = zone.zone if isinstance(zone, DNSBLZone) else zone.strip().lower().strip(".")
    addr = _parse_ip(item)
    if addr is not None:
        return _checked(f"{_ip_labels(addr)}.{zone_name}", item)
    return _checked(f"{_normalize_domain(item)}.{zone_name}", item, labels=True)


def _checked(name: str, item: str, *, labels: bool = False) -> str:
    """``name`` if it is a valid DNS name (RFC 1035 §2.3.4), else InputError."""
    if len(name) > 253 or (labels and any(len(label) > 63 or not label for label in name.split("."))):
        raise InputError(f"the query name for {item!r} is not a valid DNS name (too long?)")
    return name


def _item_key(item: str, kind: Kind) -> str:
    """The canonical form of an item, for deduplication and for the result."""
    addr = _parse_ip(item)
    if addr is not None:
        return str(addr)
    if kind == "ip":
        raise InputError(f"not an IP address: {item!r}")
    return _normalize_domain(item)


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Reading:
    status: Status
    listed: bool | None
    codes: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()
    error: str | None = None


_NOT_LISTED = _Reading(status="not-listed", listed=False)  # immutable: one for every such answer


def _read(answer: DNSAnswer, zone: DNSBLZone) -> _Reading:
    """Classify one A answer: listed, not listed, or an error (never a false listing)."""
    if answer.status == "NXDOMAIN" or (answer.status == "NOERROR" and not answer.records):
        return _NOT_LISTED  # RFC 5782 §2.1: listed = has an A record
    if answer.temporary_failure:
        return _Reading(status="error", listed=None, error=f"DNS {answer.status}")
    if not answer.ok:
        return _Reading(status="error", listed=None, error=f"DNS {answer.status}")
    codes = tuple(r.strip() for r in answer.records)
    errors: list[str] = []
    meanings: list[str] = []
    for code in codes:
        try:
            addr = ipaddress.IPv4Address(code)
        except ValueError:
            errors.append(f"answer {code!r} is not an IPv4 address")
            continue
        if addr not in _LOOPBACK_NET:
            # RFC 5782 §2.1: list values are in 127.0.0.0/8. Anything else is a resolver
            # rewriting NXDOMAIN (an ad or search page) or a hijacked answer.
            errors.append(f"answer {code} is outside 127.0.0.0/8 (a resolver rewriting NXDOMAIN?)")
        elif code in zone.error_codes:
            errors.append(f"error code {code}: {zone.error_codes[code]}")
        elif addr in _ERROR_NET:
            errors.append(f"error code {code} (127.255.255.0/24 is an error, not a listing)")
        else:
            meanings.extend(zone.decode(code))
    if errors:
        return _Reading(status="error", listed=None, codes=codes, error="; ".join(errors))
    return _Reading(status="listed", listed=True, codes=codes, meanings=tuple(dict.fromkeys(meanings)))


# --- zone health (RFC 5782 §5 test points) ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """One test-point query.

    Parameters
    ----------
    item
        The test point (``"127.0.0.2"``, ``"invalid"``, ...).
    query
        The name looked up.
    expect_listed
        Whether RFC 5782 §5 says it must be listed.
    status
        The DNS status.
    codes
        The A records returned.
    """

    item: str
    query: str
    expect_listed: bool
    status: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneHealth:
    """Whether a zone answers sanely at its test points.

    Parameters
    ----------
    zone
        The zone name.
    usable
        True: the test points answer as RFC 5782 §5 requires; False: they do not (the
        resolver rewrites NXDOMAIN, the zone lists everything, refuses us, or is dead);
        None: unknown (DNS failed, or the zone has no test points).
    reason
        Why, in one sentence.
    probes
        The test-point queries.
    findings
        ``DNSBL_ZONE_UNUSABLE`` when ``usable`` is False.
    """

    zone: str
    usable: bool | None
    reason: str
    probes: tuple[Probe, ...] = ()
    findings: tuple[Finding, ...] = ()


def probe_zone(zone: DNSBLZone, *, ctx: Context) -> ZoneHealth:
    """Query a zone's RFC 5782 §5 test points and judge whether its answers can be trusted.

    - the must-not-be-listed point (127.0.0.1, ``INVALID``) answers with an A record:
      the resolver rewrites NXDOMAIN or the zone lists everything → unusable;
    - the must-be-listed point (127.0.0.2, ``TEST``) answers with an error code (e.g.
      Spamhaus 127.255.255.254: queried through a public resolver) or an address outside
      127.0.0.0/8 → unusable;
    - the must-be-listed point is not listed: the zone is dead or not answering us, so
      "not listed" would be meaningless → unusable;
    - SERVFAIL / REFUSED / TIMEOUT → unknown (``usable=None``); lookups still run.

    Parameters
    ----------
    zone
        The zone to probe.
    ctx
        The :class:`~mailforensics.context.Context`.
    """
    resolver = ctx.get_resolver()
    points: list[tuple[str, bool]] = []
    for pair in (zone.test_ip, zone.test_domain):
        if pair:
            points.extend(((pair[0], True), (pair[1], False)))
    if not points:
        return ZoneHealth(zone=zone.zone, usable=None, reason="the zone has no test points")
    probes: list[Probe] = []
    problems: list[str] = []
    unknown: list[str] = []
    for item, expect in points:
        name = query_name(item, zone)
        answer = resolver.query(name, "A")
        reading = _read(answer, zone)
        probes.append(Probe(item=item, query=name, expect_listed=expect, status=answer.status, codes=reading.codes))
        if answer.temporary_failure:
            unknown.append(f"test point {item} failed ({answer.status})")
        elif expect and reading.status == "error":
            problems.append(f"the test point {item} answered with an error ({reading.error})")
        elif expect and reading.status == "not-listed":
            problems.append(f"the must-be-listed test point {item} is not listed (zone dead or not answering us)")
        elif not expect and reading.codes:
            why = reading.error or "the zone lists everything"
            problems.append(f"the must-not-be-listed test point {item} answered {', '.join(reading.codes)} ({why})")
    if problems:
        reason = "; ".join(problems)
        finding = Finding(
            code=FindingCode.DNSBL_ZONE_UNUSABLE,
            severity=Severity.ERROR,
            where=f"dnsbl {zone.zone}",
            detail=f"{zone.label} cannot be used through this resolver: {reason}",
            evidence=tuple((p.query, " ".join(p.codes) or p.status) for p in probes),
        )
        return ZoneHealth(zone=zone.zone, usable=False, reason=reason, probes=tuple(probes), findings=(finding,))
    if unknown:
        return ZoneHealth(zone=zone.zone, usable=None, reason="; ".join(unknown), probes=tuple(probes))
    return ZoneHealth(
        zone=zone.zone, usable=True, reason="test points answer as RFC 5782 §5 requires", probes=tuple(probes)
    )


# --- lookups ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DNSBLResult:
    """One item looked up in one zone.

    Parameters
    ----------
    item
        The address or domain, canonical (IPv6 compressed, domain lower-case A-labels).
    kind
        ``"ip"`` or ``"domain"``.
    zone
        The zone name.
    query
        The name looked up (``""`` when none could be formed).
    status
        ``"listed"``, ``"not-listed"``, ``"error"`` or ``"zone-unusable"``.
    listed
        True / False; None for errors and unusable zones.
    codes
        The A records returned.
    meanings
        The decoded meanings of a listing (exact codes and bitmask bits).
    txt
        The TXT reason of a listing (its strings joined by ``" / "``), or None.
    error
        What went wrong, for ``"error"`` and ``"zone-unusable"``.
    findings
        ``DNSBL_LISTED``, ``DNSBL_ERROR``, ``DNS_TEMPERROR``, and once per zone and call
        ``DNSBL_ZONE_UNUSABLE`` (on the zone's first result).
    """

    item: str
    kind: Kind
    zone: str
    query: str
    status: Status
    listed: bool | None
    codes: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()
    txt: str | None = None
    error: str | None = None
    findings: tuple[Finding, ...] = ()


def check_ips(
    ips: Iterable[str],
    *,
    zones: Sequence[DNSBLZone] = DEFAULT_ZONES,
    ctx: Context,
    probe: bool = True,
    health: Mapping[str, ZoneHealth] | None = None,
    where: str | None = None,
) -> tuple[DNSBLResult, ...]:
    """Look up addresses in the address lists (``kind="ip"``) of ``zones``.

    Parameters
    ----------
    ips
        Addresses; duplicates (also ``::ffff:192.0.2.1`` vs ``192.0.2.1``) are looked up
        once. A string that is not an address gives one ``"error"`` result per zone.
    zones
        The lists; those of ``kind="domain"`` are skipped, and IPv6 addresses are not
        looked up in lists with ``ipv6=False``.
    ctx
        The :class:`~mailforensics.context.Context`.
    probe
        Probe each zone's test points once in this call (:func:`probe_zone`) before
        trusting its answers. Probing is per call, not cached globally (checks hold no
        state); with a recording resolver the repeated test-point questions are answered
        from its memory. To probe once per batch, pass the results as ``health``.
    health
        Zone name → :class:`ZoneHealth` from an earlier :func:`probe_zone`; used instead
        of probing.
    where
        The ``where`` of the findings (default: the item).

    Returns
    -------
    tuple of DNSBLResult
        One per (item, applicable zone), items in first-seen order, zones in the given
        order.
    """
    return _check(ips, "ip", zones=zones, ctx=ctx, probe=probe, health=health, where=where)


def check_domains(
    domains: Iterable[str],
    *,
    zones: Sequence[DNSBLZone] = DEFAULT_ZONES,
    ctx: Context,
    probe: bool = True,
    health: Mapping[str, ZoneHealth] | None = None,
    where: str | None = None,
) -> tuple[DNSBLResult, ...]:
    """Look up domains in the domain lists (``kind="domain"``) of ``zones``.

    The domains are looked up as given: reduce a URL's host to its registrable domain
    first where the list expects that (SURBL, URIBL and DBL list registered domains and
    some sub-domains; see their guidelines). An IP address among ``domains`` (a URL with
    a numeric host) is looked up reversed, as SURBL and URIBL expect.

    Parameters
    ----------
    domains
        Domain names (IDNs are converted to A-labels); duplicates are looked up once. An
        invalid name gives one ``"error"`` result per zone.
    zones, ctx, probe, health, where
        As for :func:`check_ips`; zones of ``kind="ip"`` are skipped.

    Returns
    -------
    tuple of DNSBLResult
        One per (domain, applicable zone).
    """
    return _check(domains, "domain", zones=zones, ctx=ctx, probe=probe, health=health, where=where)


def _check(
    items: Iterable[str],
    kind: Kind,
    *,
    zones: Sequence[DNSBLZone],
    ctx: Context,
    probe: bool,
    health: Mapping[str, ZoneHealth] | None,
    where: str | None,
) -> tuple[DNSBLResult, ...]:
    if isinstance(items, str):
        raise InputError(f"check_{kind}s takes a sequence of items, not one string")
    if isinstance(zones, DNSBLZone):
        raise InputError("zones takes a sequence of DNSBLZone, not one zone")
    applicable = [z for z in zones if z.kind == kind]
    if not applicable:
        return ()
    resolver = ctx.get_resolver()
    # Canonical items, deduplicated in first-seen order; bad ones keep their error.
    canon: dict[str, str | None] = {}
    parsed: dict[str, _Addr] = {}
    for raw in items:
        addr = _parse_ip(raw)
        if addr is not None:
            key = str(addr)
            parsed[key] = addr
            canon.setdefault(key, None)
            continue
        try:
            canon.setdefault(_item_key(raw, kind), None)
        except InputError as exc:
            canon.setdefault(raw, str(exc))
    states: dict[str, ZoneHealth | None] = {}
    reported: set[str] = set()
    out: list[DNSBLResult] = []
    for item, bad in canon.items():
        at = where or item
        is_v6 = bad is None and ":" in item
        # The part of the query name before the zone is the same in every zone: form it
        # once per item (query_name() would re-parse and re-normalize it per zone).
        prefix: tuple[str, bool] | InputError | None = None
        for zone in applicable:
            if is_v6 and kind == "ip" and not zone.ipv6:
                continue
            if bad is not None:
                out.append(_error_result(item, kind, zone, "", bad, at))
                continue
            if zone.zone not in states:
                states[zone.zone] = _health(zone, ctx, probe, health)
            state = states[zone.zone]
            if state is not None and state.usable is False:
                found = () if zone.zone in reported else state.findings
                reported.add(zone.zone)
                out.append(
                    DNSBLResult(
                        item=item,
                        kind=kind,
                        zone=zone.zone,
                        query="",
                        status="zone-unusable",
                        listed=None,
                        error=state.reason,
                        findings=found,
                    )
                )
                continue
            if prefix is None:
                try:
                    prefix = _query_prefix(item, parsed.get(item))
                except InputError as exc:
                    prefix = exc
            out.append(_lookup(item, prefix, kind, zone, resolver, at))
    return tuple(out)


def _health(zone: DNSBLZone, ctx: Context, probe: bool, health: Mapping[str, ZoneHealth] | None) -> ZoneHealth | None:
    if health is not None and zone.zone in health:
        return health[zone.zone]
    return probe_zone(zone, ctx=ctx) if probe else None


def _error_result(item: str, kind: Kind, zone: DNSBLZone, query: str, error: str, at: str) -> DNSBLResult:
    return DNSBLResult(
        item=item,
        kind=kind,
        zone=zone.zone,
        query=query,
        status="error",
        listed=None,
        error=error,
        findings=(
            Finding(
                code=FindingCode.DNSBL_ERROR,
                severity=Severity.ERROR,
                where=at,
                detail=f"{item} could not be checked in {zone.label}: {error}",
                evidence=(("zone", zone.zone), ("query", query)),
            ),
        ),
    )


def _query_prefix(item: str, addr: _Addr | None) -> tuple[str, bool]:
    """What :func:`query_name` puts before the zone for ``item`` (``addr``: the address
    ``item`` was parsed as, if known), and whether the whole name's labels are to be
    checked (domains) or only its length (addresses). Raises InputError as it does."""
    if addr is None:
        addr = _parse_ip(item)
    if addr is not None:
        return _ip_labels(addr), False
    return _normalize_domain(item), True


def _lookup(
    item: str, prefix: tuple[str, bool] | InputError, kind: Kind, zone: DNSBLZone, resolver: Resolver, at: str
) -> DNSBLResult:
    if isinstance(prefix, InputError):
        return _error_result(item, kind, zone, "", str(prefix), at)
    try:
        name = _checked(f"{prefix[0]}.{zone.zone}", item, labels=prefix[1])
    except InputError as exc:
        return _error_result(item, kind, zone, "", str(exc), at)
    answer = resolver.query(name, "A")
    reading = _read(answer, zone)
    if reading.status == "error":
        if answer.temporary_failure:
            finding = Finding(
                code=FindingCode.DNS_TEMPERROR,
                severity=Severity.ERROR,
                where=at,
                detail=f"the {zone.label} lookup of {item} failed ({answer.status})",
                evidence=(("query", f"{name} A"), ("status", answer.status)),
            )
            return DNSBLResult(
                item=item,
                kind=kind,
                zone=zone.zone,
                query=name,
                status="error",
                listed=None,
                error=reading.error,
                findings=(finding,),
            )
        result = _error_result(item, kind, zone, name, reading.error or "error", at)
        return DNSBLResult(
            item=item,
            kind=kind,
            zone=zone.zone,
            query=name,
            status="error",
            listed=None,
            codes=reading.codes,
            error=reading.error,
            findings=result.findings,
        )
    if reading.status == "not-listed":
        return DNSBLResult(item=item, kind=kind, zone=zone.zone, query=name, status="not-listed", listed=False)
    txt_answer = resolver.query(name, "TXT")
    txt = " / ".join(txt_answer.txt_strings()) if txt_answer.ok and txt_answer.records else None
    meanings = reading.meanings
    evidence: list[tuple[str, str]] = [("zone", zone.zone), ("query", name), ("codes", " ".join(reading.codes))]
    if txt:
        evidence.append(("txt", txt))
    finding = Finding(
        code=FindingCode.DNSBL_LISTED,
        severity=zone.severity_of(meanings),
        where=at,
        detail=f"{item} is listed in {zone.label}: {'; '.join(meanings)}",
        evidence=tuple(evidence),
    )
    return DNSBLResult(
        item=item,
        kind=kind,
        zone=zone.zone,
        query=name,
        status="listed",
        listed=True,
        codes=reading.codes,
        meanings=meanings,
        txt=txt,
        findings=(finding,),
    )
