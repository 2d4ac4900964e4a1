"""The hop chain: order, delays, clock anomalies, the trust boundary, the originating IP.

Received fields are prepended by each relay (RFC 5321 §4.4), so the topmost field is the
newest. Here hops are numbered the other way, as an analyst reads a path: hop 1 is the
oldest (closest to the sender), the last hop is the final delivery.

Trust boundary (as SpamAssassin's trusted/internal networks): the topmost field was
written by the recipient's own system, so it is trusted. Walking down, a field is
trustworthy only if the host that wrote it — the client of the field above — is
internal: inside ``Config.trusted_networks``, a private or loopback address, a host in
``Config.trusted_relays`` / ``Config.internal_domains`` (by its reverse-DNS name, never
its HELO name), one of the recipient domain's MX hosts (when the caller looked them up,
as :func:`mailforensics.analyze` does: RFC 5321 §5.1), a hop with no network client at
all (local pickup, a field that names no client), a hand-off that never crosses the
Internet (LMTP, Exim's ``local-esmtp``, MAPI, GroupWise), or a mailbox retrieval by the
user's own client (fetchmail: the mailbox server is the recipient's side). The first
field whose client is external is the *boundary hop*: its client address is the
**originating IP** (SpamAssassin's "last external relay"). Everything below it was
written by hosts outside the recipient's control and is a claim, not a fact.

A field that names a client (a HELO or host name) but records no address is external
unless the name itself is internal (``localhost``, ``Config.internal_domains``,
``Config.trusted_relays``): our own receiver wrote it in a shape we could not read the
address from, and stepping over it would let a header the sender wrote below it decide
the originating IP. The walk stops there and the originating IP is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mailforensics.addresses import is_private_address, parse_ip
from mailforensics.auth import orgdomain
from mailforensics.context import Context
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message
from mailforensics.received import MAX_HEADER_CHARS, Hop, _parse_date, parse_received

__all__ = ["Path", "PathHop", "build_path", "reconstruct"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PathHop:
    """One hop in path order, with what the chain says about it.

    Parameters
    ----------
    number
        1 for the oldest hop.
    hop
        The parsed :class:`~mailforensics.received.Hop`.
    header_index
        Position of its Received field in the header block (0 = topmost), or None.
    delay_s
        Seconds since the nearest older hop that has a timestamp (signed: negative means
        this hop's clock is behind); None for hop 1 or without timestamps.
    elapsed_s
        Seconds since the oldest timestamped hop.
    external
        True when the hop's client is outside the trust boundary (this hop and every
        older one, from the boundary hop down).
    trusted_record
        True when the field was written by the recipient's own infrastructure, so its
        content is a fact rather than a claim.
    """

    number: int
    hop: Hop
    header_index: int | None
    delay_s: float | None
    elapsed_s: float | None
    external: bool
    trusted_record: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Path:
    """The reconstructed relay path of one message.

    Parameters
    ----------
    hops
        :class:`PathHop` records, oldest first.
    boundary_hop
        Number of the hop where the message entered trusted infrastructure from outside
        (the client of that hop is the originating IP); None if every hop is internal or
        the boundary could not be found.
    originating_ip
        The client address of the boundary hop.
    date
        The Date header, as an aware UTC datetime, when readable.
    findings
        Clock anomalies and chain problems.
    entry_hop
        Number of the oldest trusted hop whose receiving host is one of the recipient
        domain's MX hosts (the public MX that accepted the message), when MX hosts were
        given.
    """

    hops: tuple[PathHop, ...]
    boundary_hop: int | None
    originating_ip: str | None
    date: datetime | None
    findings: tuple[Finding, ...]
    entry_hop: int | None = None

    @property
    def delivered_at(self) -> datetime | None:
        """The newest hop's timestamp (the final delivery), if any."""
        for ph in reversed(self.hops):
            if ph.hop.timestamp is not None:
                return ph.hop.timestamp
        return None


#: ``with`` values of hand-offs that never cross the Internet: LMTP (RFC 2033: delivery
#: to the mailbox store), Exim's local submission (``local``, ``local-esmtp``, ``local-bsmtp``),
#: Exchange's MAPI, GroupWise's internal transport.
_LOCAL_PROTOCOLS = ("LMTP", "UTF8LMTP", "LOCAL", "MAPI", "NOVELL_GROUPWISE")


def _is_local_protocol(protocol: str | None) -> bool:
    return protocol is not None and protocol.upper().startswith(_LOCAL_PROTOCOLS)


def _is_retrieval(hop: Hop) -> bool:
    """Whether ``hop`` records a mailbox retrieval by the user's own client rather than
    an SMTP relay: fetchmail writes ``from SERVER [IP] by localhost with POP3
    (fetchmail-6.4.37)`` (SpamAssassin skips these as POP/IMAP fetcher hand-overs)."""
    return (hop.software or "").lower().startswith("fetchmail-")


def _internal_name(name: str | None, ctx: Context) -> bool:
    """A client name that is itself internal: localhost, or inside the configured
    internal domains or trusted relays."""
    if not name:
        return False
    low = name.strip().rstrip(".").lower()
    if low in ("localhost", "localhost.localdomain") or low.startswith("localhost."):
        return True
    return ctx.config.is_internal_host(low)


def _client_internal(hop: Hop, ctx: Context, is_mx: Callable[[str | None], bool]) -> bool | None:
    """Is this hop's client inside the recipient's infrastructure? None = cannot tell."""
    cfg = ctx.config
    if _is_retrieval(hop):
        # The user's own client fetched the message from the mailbox: the mailbox server
        # (the recipient's provider) is on the recipient's side, and its fields below
        # say how the message reached it.
        return True
    if hop.from_ip:
        if cfg.is_trusted_ip(hop.from_ip) or is_mx(hop.from_ip) or is_mx(hop.from_rdns):
            return True
        return bool(hop.from_rdns and cfg.is_internal_host(hop.from_rdns))
    if not hop.parsed and hop.from_helo is None and hop.by_host is None and _names_an_address(hop.raw):
        # Unreadable, with an address we could not place: it may be the record of an
        # external client, so the walk cannot go past it.
        return None
    if hop.from_helo or hop.from_rdns:
        # A client named, but no address recorded: a receiver of ours wrote it in a shape
        # whose address we could not read (an external SMTP receipt always records the
        # peer address). Internal only if the hand-off never crosses the Internet or the
        # name itself is internal; otherwise the walk stops here, the originating IP
        # unknown, rather than let a header below (the sender's to write) decide it.
        if _is_local_protocol(hop.protocol) or is_mx(hop.from_rdns):
            return True
        return _internal_name(hop.from_rdns, ctx) or _internal_name(hop.from_helo, ctx)
    # No client named and no address: local submission, a pickup directory, or a field
    # that names no client at all (qmail's "(qmail 1234 invoked from network)", written
    # beside the field that records the client; an unreadable field with no address).
    # Such a field carries nothing to judge: the walk steps over it (an unreadable one is
    # still reported). This is safe: the walk only reaches fields our own hosts wrote
    # (each one's writer is the internal client of the field above), and what a sender
    # adds lies below the boundary, where the walk never goes.
    return True


#: An IPv4 address not glued to more digits or dots on its left; runs of the characters
#: of an IPv6 literal. Both scanned left to right with bounded work per position.
_IPV4_IN_TEXT = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_IPV6_RUN = re.compile(r"[0-9A-Fa-f.:]{3,}")


def _names_an_address(text: str) -> bool:
    """Whether ``text`` holds an IPv4 or IPv6 address anywhere (with a port, in brackets,
    after an ``IPv6:`` tag)."""
    text = text[:MAX_HEADER_CHARS]
    if any(parse_ip(m.group()) is not None for m in _IPV4_IN_TEXT.finditer(text)):
        return True
    runs = (m.group().strip(".:") for m in _IPV6_RUN.finditer(text))
    return any(parse_ip(run) is not None for run in runs if "::" in run or run.count(":") >= 7)


#: RFC 5322 comments in a Date ("-0700 (PDT)"), one level: the date reader takes words.
_DATE_COMMENT = re.compile(r"\([^()]*\)")

#: Local time is within this of UTC everywhere (UTC-12 to UTC+14): the allowance for a
#: Date with no time zone, an unknown local time (RFC 5322 §3.3, §4.3).
_ANY_ZONE_S = 14 * 3600.0


def _date_header(message: Message | None) -> tuple[datetime | None, str | None]:
    """The Date header as an aware UTC datetime, and what is wrong with it: None,
    ``"no-zone"`` (read as UTC; the real zone is unknown) or ``"unreadable"``."""
    if message is None:
        return None, None
    return read_date(message.get("Date"))


def read_date(text: str | None) -> tuple[datetime | None, str | None]:
    """A Date field's value as an aware UTC datetime, and what is wrong with it (see
    :func:`_date_header`); read as Received dates are: comments (``(EDT) -0400``, RFC 5322
    §3.3 CFWS) dropped, 12-hour times, a zone glued to the time."""
    if not text or not text.strip():
        return None, None
    words = _DATE_COMMENT.sub(" ", text[:1000])
    value, defects = _parse_date(words)
    if value is None:
        return None, "unreadable"
    if any("no time zone" in d for d in defects):
        return value, "no-zone"
    return value, None


def build_path(
    hops_top_first: Sequence[Hop],
    *,
    header_indexes: Sequence[int | None] | None = None,
    date: datetime | None = None,
    ctx: Context | None = None,
    is_recipient_mx: Callable[[str | None], bool] | None = None,
    date_zone_known: bool = True,
) -> Path:
    """Build a :class:`Path` from hops in header order (topmost first).

    Parameters
    ----------
    hops_top_first
        Hops as they stand in the message, newest first.
    header_indexes
        The header-block position of each hop's field, same order.
    date
        The message's Date header, aware.
    ctx
        Context for the configuration and the clock.
    is_recipient_mx
        Tells whether a host name or address is one of the recipient domain's MX hosts
        (see :func:`mailforensics.transport.mx.is_recipient_mx`); such a client is
        internal, and the oldest trusted hop such a host received is ``entry_hop``.
    date_zone_known
        False when the Date header had no time zone (read as UTC): it is then compared
        with the hops allowing for any local time (±14 h).
    """
    ctx = ctx or Context()
    is_mx = is_recipient_mx or (lambda _value: False)
    cfg = ctx.config
    n = len(hops_top_first)
    indexes = list(header_indexes) if header_indexes is not None else [None] * n
    findings: list[Finding] = []

    # --- trust boundary: walk from the top (newest) down --------------------------------
    boundary_top_pos: int | None = None  # position in top-first order
    trusted_record = [False] * n
    uncertain = False
    for pos, hop in enumerate(hops_top_first):
        trusted_record[pos] = True  # written by a host we trust (the top, or an internal client)
        internal = _client_internal(hop, ctx, is_mx)
        if internal is None:
            uncertain = True
            break
        if not internal:
            boundary_top_pos = pos
            break

    # --- order oldest first, delays -----------------------------------------------------
    ordered = list(reversed(range(n)))
    path_hops: list[PathHop] = []
    first_ts: datetime | None = None
    prev_ts: datetime | None = None
    for number, pos in enumerate(ordered, start=1):
        hop = hops_top_first[pos]
        ts = hop.timestamp
        delay = None
        elapsed = None
        if ts is not None:
            if prev_ts is not None:
                # total_seconds() keeps the sign; timedelta.seconds would wrap negatives.
                delay = (ts - prev_ts).total_seconds()
            if first_ts is None:
                first_ts = ts
            elapsed = (ts - first_ts).total_seconds()
            prev_ts = ts
        external = boundary_top_pos is not None and pos >= boundary_top_pos
        path_hops.append(
            PathHop(
                number=number,
                hop=hop,
                header_index=indexes[pos],
                delay_s=delay,
                elapsed_s=elapsed,
                external=external,
                trusted_record=trusted_record[pos],
            )
        )

    boundary_hop = None if boundary_top_pos is None else n - boundary_top_pos
    entry_hop = next(
        (ph.number for ph in path_hops if ph.trusted_record and (is_mx(ph.hop.by_host) or is_mx(ph.hop.by_ip))),
        None,
    )
    originating_ip = hops_top_first[boundary_top_pos].from_ip if boundary_top_pos is not None else None
    unspecified = originating_ip
    parsed_origin = parse_ip(originating_ip) if originating_ip else None
    if parsed_origin is not None and parsed_origin.is_unspecified:
        # 0.0.0.0 / :: (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2) is no client's address: the
        # receiver's field was redacted, or written by someone who did not know it.
        originating_ip = None
    else:
        unspecified = None

    # --- findings -------------------------------------------------------------------------
    if n == 0:
        findings.append(
            Finding(
                code=FindingCode.NO_RECEIVED,
                severity=Severity.NOTICE,
                where="message",
                detail="The message has no Received header: it was never relayed over SMTP, or its trace was stripped.",
            )
        )
    elif boundary_hop is None:
        if uncertain:
            detail = "An unreadable Received header stopped the trust-boundary walk; the originating IP is unknown."
        elif not any(h.from_ip for h in hops_top_first):
            detail = (
                "No Received header records a client address (local submission or pickup, or headers "
                "that name no client): no external relay was found, and the originating IP is unknown."
            )
        else:
            detail = "Every hop's client is internal (private, loopback or trusted): no external relay was found."
        findings.append(
            Finding(code=FindingCode.NO_EXTERNAL_HOP, severity=Severity.NOTICE, where="path", detail=detail)
        )
    elif originating_ip is None and boundary_top_pos is not None:
        bh = hops_top_first[boundary_top_pos]
        client = bh.from_rdns or bh.from_helo or "?"
        recorded = (
            f"the header records {unspecified}, the unspecified address, which no client can have "
            "(redacted, or not written by a real receiver)"
            if unspecified
            else "the header records no client address that could be read"
        )
        findings.append(
            Finding(
                code=FindingCode.BOUNDARY_NO_CLIENT_IP,
                severity=Severity.WARNING if unspecified else Severity.NOTICE,
                where=f"hop {boundary_hop}",
                detail=f"Hop {boundary_hop} is the trust boundary: {bh.by_host or 'the receiver'} received the "
                f"message from {client}, outside the recipient's infrastructure, but {recorded}. The "
                "originating IP is unknown; the headers below it were written outside the trust boundary and "
                "are claims.",
                evidence=(("raw", bh.raw[:500]),),
            )
        )
    for ph in path_hops:
        findings.extend(_hop_findings(ph, ctx, boundary_hop))
    findings.extend(_foreign_blocks(path_hops))

    # Hops in the future: judged against the context's clock (or the system clock).
    reference = ctx.now if isinstance(ctx.now, datetime) else ctx.current_time()
    for ph in path_hops:
        ts = ph.hop.timestamp
        if ts is not None and (ts - reference).total_seconds() > cfg.clock_tolerance_s:
            findings.append(
                Finding(
                    code=FindingCode.HOP_IN_FUTURE,
                    severity=Severity.WARNING,
                    where=f"hop {ph.number}",
                    detail=f"Hop {ph.number} is dated {ts.isoformat()}, after the analysis time "
                    f"{reference.isoformat()}: a wrong clock or a forged header.",
                    evidence=(("timestamp", ph.hop.timestamp_text or ""),),
                )
            )

    # Date header vs the first hop (RFC 5322 §3.6.1: the Date is when the message was
    # ready for delivery, so it should precede the first relay), and vs the oldest hop
    # our own infrastructure recorded (the boundary hop, or the oldest trusted one): the
    # first hop's time may be a claim, that one's is a fact.
    first = next((ph for ph in path_hops if ph.hop.timestamp is not None), None)
    trusted = next((ph for ph in path_hops if ph.trusted_record and ph.hop.timestamp is not None), None)
    late: tuple[PathHop, float] | None = None  # the trusted hop, and how long before the Date
    # A Date with no zone is an unknown local time: any offset from UTC-12 to UTC+14.
    zone_slack = 0.0 if date_zone_known else _ANY_ZONE_S
    zoneless = "" if date_zone_known else " (The Date has no time zone: read as UTC, compared allowing ±14 h.)"
    slack = cfg.clock_tolerance_s + zone_slack
    if date is not None and trusted is not None and trusted is not first and trusted.hop.timestamp is not None:
        behind = (date - trusted.hop.timestamp).total_seconds()
        if behind > slack:
            late = (trusted, behind)
    if date is not None and first is not None and first.hop.timestamp is not None:
        gap = (first.hop.timestamp - date).total_seconds()
        if gap < -slack:
            evidence: tuple[tuple[str, str], ...] = (
                ("date", date.isoformat()),
                ("first hop", first.hop.timestamp.isoformat()),
            )
            also = ""
            if late is not None:  # one finding says both
                hop_ts = late[0].hop.timestamp
                evidence += ((f"hop {late[0].number} (trusted)", hop_ts.isoformat() if hop_ts else ""),)
                also = (
                    f" It is also {_span(late[1])} after hop {late[0].number}, which the recipient's own "
                    "infrastructure recorded."
                )
                late = None
            findings.append(
                Finding(
                    code=FindingCode.DATE_AFTER_FIRST_HOP,
                    severity=Severity.WARNING,
                    where=f"hop {first.number}",
                    detail=f"The Date header is {_span(-gap)} after the first hop's timestamp: "
                    "the sender's clock is ahead, or the Date was forged." + also + zoneless,
                    evidence=evidence,
                )
            )
        elif gap > cfg.date_before_first_hop_s + zone_slack:
            findings.append(
                Finding(
                    code=FindingCode.DATE_LONG_BEFORE_FIRST_HOP,
                    severity=Severity.NOTICE,
                    where=f"hop {first.number}",
                    detail=f"The Date header is {gap / 3600:.1f} h before the first hop: "
                    "a queued or re-sent message, or a back-dated Date." + zoneless,
                    evidence=(("date", date.isoformat()), ("first hop", first.hop.timestamp.isoformat())),
                )
            )
    if late is not None and date is not None:
        # The first hop's time agrees with the Date (a forged or skewed older header), but
        # the recipient's own record says the message arrived before it was dated.
        ph, behind = late
        hop_ts = ph.hop.timestamp
        findings.append(
            Finding(
                code=FindingCode.DATE_AFTER_TRUSTED_HOP,
                severity=Severity.WARNING,
                where=f"hop {ph.number}",
                detail=f"The Date header is {_span(behind)} after hop {ph.number}, which the recipient's own "
                "infrastructure recorded: the message was dated after it arrived (a sender clock far ahead, "
                "or a forged Date; the first hop's time does not contradict the Date, so that header may be "
                "forged too)." + zoneless,
                evidence=(("date", date.isoformat()), (f"hop {ph.number}", hop_ts.isoformat() if hop_ts else "")),
            )
        )

    return Path(
        hops=tuple(path_hops),
        boundary_hop=boundary_hop,
        originating_ip=originating_ip,
        date=date,
        findings=tuple(findings),
        entry_hop=entry_hop,
    )


def _chain_name(value: str | None) -> str | None:
    """A host name fit for comparing hops: lower case, no root dot; None for an address
    literal, a name with no dot (``localhost``, NetBIOS names) or nothing."""
    if not value:
        return None
    name = value.strip().rstrip(".").lower()
    if "." not in name or name.startswith("[") or name.startswith("localhost") or parse_ip(name) is not None:
        return None
    return name


def _same_host(a: str, b: str) -> bool:
    """Loosely the same host: equal, the same first label (a short and a full name), or
    the same organizational domain (an internal alias of one organization's host)."""
    if a == b or a.split(".", 1)[0] == b.split(".", 1)[0]:
        return True
    org = orgdomain.organizational_domain(a)
    return org is not None and org == orgdomain.organizational_domain(b)


def _links(older: Hop, newer: Hop) -> bool | None:
    """Does ``newer``'s client name the host that received ``older``? None = cannot tell
    (a side names no host)."""
    by = _chain_name(older.by_host)
    clients = [n for n in (_chain_name(newer.from_helo), _chain_name(newer.from_rdns)) if n]
    if by is None or not clients or not older.parsed or not newer.parsed:
        return None
    return any(_same_host(c, by) for c in clients)


#: The longest run of hops judged as one inserted block.
_MAX_FOREIGN_BLOCK = 3


def _foreign_blocks(path_hops: Sequence[PathHop]) -> list[Finding]:
    """Runs of hops that chain with neither neighbour, where the neighbours chain with each
    other: without the run the path is continuous (RFC 5321 §4.4: each relay's client is
    the host that wrote the field below). Real chains often name a host differently from
    hop to hop, so a single break says nothing; only a break on both sides of a run that
    its removal repairs is reported."""
    out: list[Finding] = []
    hops = [ph.hop for ph in path_hops]
    n = len(hops)
    i = 1
    while i < n - 1:
        if _links(hops[i - 1], hops[i]) is not False:
            i += 1
            continue
        for j in range(i, min(n - 1, i + _MAX_FOREIGN_BLOCK)):
            if _links(hops[j], hops[j + 1]) is False and _links(hops[i - 1], hops[j + 1]) is True:
                before, after = path_hops[i - 1], path_hops[j + 1]
                first, last = path_hops[i].number, path_hops[j].number
                span = f"hop {first}" if first == last else f"hops {first}-{last}"
                evidence = tuple(
                    (f"hop {ph.number}", f"from {ph.hop.from_helo or ph.hop.from_rdns or '?'} by "
                     f"{ph.hop.by_host or '?'} at {ph.hop.timestamp_text or '?'}")
                    for ph in path_hops[i - 1 : j + 2]
                )  # fmt: skip
                out.append(
                    Finding(
                        code=FindingCode.HOP_FOREIGN_BLOCK,
                        severity=Severity.NOTICE,
                        where=span,
                        detail=f"{span.capitalize()} do not chain with the hops around them: the client of "
                        f"hop {first} is not {before.hop.by_host}, which received hop {before.number}, and the "
                        f"client of hop {after.number} is not {path_hops[j].hop.by_host}, which received hop "
                        f"{last}, but the host that received hop {before.number} (by name or organization), so "
                        f"without {span} the chain is continuous. An inserted or foreign block of Received "
                        "headers (forged, or added when the message was re-filed); the delays into and out of "
                        "it mean nothing.",
                        evidence=evidence,
                    )
                )
                i = j + 1
                break
        i += 1
    return out


def _span(seconds: float) -> str:
    """``90`` → ``"90 s"``, ``7200`` → ``"2.0 h"``, ``1036800`` → ``"12.0 days"``."""
    if seconds < 3600:
        return f"{seconds:.0f} s"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _hop_findings(ph: PathHop, ctx: Context, boundary_hop: int | None) -> list[Finding]:
    cfg = ctx.config
    hop = ph.hop
    where = f"hop {ph.number}"
    out: list[Finding] = []
    if not hop.parsed:
        out.append(
            Finding(
                code=FindingCode.RECEIVED_UNPARSED,
                severity=Severity.WARNING,
                where=where,
                detail="Part of this Received header could not be read: " + "; ".join(hop.defects)[:300],
                evidence=(("raw", hop.raw[:500]),),
            )
        )
    if any("may be forged" in c.lower() for c in hop.comments):
        # Sendmail's mark: its own forward lookup of the client's PTR name did not give
        # the client's address back, at delivery time (sendmail's _ macro).
        out.append(
            Finding(
                code=FindingCode.RDNS_NOT_CONFIRMED,
                severity=Severity.NOTICE if ph.trusted_record else Severity.INFO,
                where=where,
                detail=f"The receiver {hop.by_host or '?'} noted that the client's reverse DNS "
                f"({hop.from_rdns or '?'}) 'may be forged': it did not resolve back to {hop.from_ip or '?'} "
                "at delivery" + ("." if ph.trusted_record else " (a claim: the header is outside the trust boundary)."),
                evidence=(("raw", hop.raw[:500]),),
            )
        )
    if hop.timestamp is None:
        out.append(
            Finding(
                code=FindingCode.RECEIVED_NO_TIMESTAMP,
                severity=Severity.NOTICE,
                where=where,
                detail="This Received header has no readable date.",
                evidence=(("date text", hop.timestamp_text or ""),),
            )
        )
    elif any("no time zone" in d for d in hop.defects):
        out.append(
            Finding(
                code=FindingCode.RECEIVED_NO_ZONE,
                severity=Severity.INFO,
                where=where,
                detail="The date has no time zone; it was read as UTC.",
                evidence=(("date text", hop.timestamp_text or ""),),
            )
        )
    if ph.delay_s is not None:
        if ph.delay_s < 0:
            # Within Config.clock_tolerance_s a negative delay is ordinary clock drift
            # between relays: kept for the record (info), not an anomaly.
            drift = ph.delay_s >= -cfg.clock_tolerance_s
            out.append(
                Finding(
                    code=FindingCode.HOP_NEGATIVE_DELAY,
                    severity=Severity.INFO if drift else Severity.WARNING,
                    where=where,
                    detail=f"Hop {ph.number} is dated {_span(-ph.delay_s)} before the hop before it: "
                    + (
                        f"within the clock tolerance ({cfg.clock_tolerance_s:.0f} s), ordinary clock drift "
                        "between relays."
                        if drift
                        else "clock skew between relays, or an inserted header."
                    ),
                    evidence=(("delay_s", f"{ph.delay_s:.0f}"),),
                )
            )
        elif ph.delay_s > cfg.long_delay_s and _is_retrieval(hop):
            out.append(
                Finding(
                    code=FindingCode.HOP_LONG_DELAY,
                    severity=Severity.INFO,
                    where=where,
                    detail=f"The message waited {ph.delay_s / 3600:.1f} h in the mailbox before the recipient's "
                    f"own client ({hop.software}) retrieved it: mailbox time, not relay queueing.",
                    evidence=(("delay_s", f"{ph.delay_s:.0f}"),),
                )
            )
        elif ph.delay_s > cfg.long_delay_s:
            out.append(
                Finding(
                    code=FindingCode.HOP_LONG_DELAY,
                    severity=Severity.NOTICE,
                    where=where,
                    detail=f"Hop {ph.number} took {ph.delay_s / 3600:.1f} h: queued, greylisted, or a clock error.",
                    evidence=(("delay_s", f"{ph.delay_s:.0f}"),),
                )
            )
    if boundary_hop is not None and ph.number < boundary_hop and hop.from_ip:
        addr = parse_ip(hop.from_ip)
        if addr is not None and is_private_address(addr) and not addr.is_loopback:
            out.append(
                Finding(
                    code=FindingCode.PRIVATE_IP_OUTSIDE_BOUNDARY,
                    severity=Severity.INFO,
                    where=where,
                    detail=f"A private address ({hop.from_ip}) appears outside the trust boundary: "
                    "the sender's internal network, as its own relays recorded it (a claim).",
                    evidence=(("from_ip", hop.from_ip),),
                )
            )
    return out


def received_hops(message: Message) -> tuple[tuple[Hop, ...], tuple[int, ...]]:
    """Parse every Received field of ``message``: hops top first and their header indexes.

    Parsed once per message (:meth:`Message.derived`): an analysis traces the path twice,
    before and after the recipient's MX hosts are known.
    """
    return message.derived("mailforensics.path.received_hops", _parse_received_fields)


def _parse_received_fields(message: Message) -> tuple[tuple[Hop, ...], tuple[int, ...]]:
    fields = message.get_all("Received")
    return tuple(parse_received(f.value) for f in fields), tuple(f.index for f in fields)


def reconstruct(
    message: Message, *, ctx: Context | None = None, is_recipient_mx: Callable[[str | None], bool] | None = None
) -> Path:
    """Reconstruct the relay path of ``message``.

    Parameters
    ----------
    message
        A :class:`~mailforensics.message.Message`.
    ctx
        Context (configuration: trusted networks, internal domains; the clock).
    is_recipient_mx
        See :func:`build_path`.

    Returns
    -------
    Path
        Hops oldest first with delays, the trust boundary, the originating IP, findings.
    """
    hops, indexes = received_hops(message)
    date, date_problem = _date_header(message)
    path = build_path(
        hops,
        header_indexes=indexes,
        date=date,
        ctx=ctx,
        is_recipient_mx=is_recipient_mx,
        date_zone_known=date_problem != "no-zone",
    )
    extra: list[Finding] = []
    if date_problem == "no-zone":
        # RFC 5322 §3.3 requires a zone; §4.3 obs-zone: an unknown one means no
        # information about the local time.
        extra.append(
            Finding(
                code=FindingCode.DATE_NO_ZONE,
                severity=Severity.NOTICE,
                where="message",
                detail="The Date header has no time zone it can read, which RFC 5322 §3.3 requires: it is a "
                "local time in an unknown zone, read as UTC and compared with the hops allowing ±14 h.",
                evidence=(("Date", (message.get("Date") or "")[:200]),),
            )
        )
    elif date_problem == "unreadable":
        extra.append(
            Finding(
                code=FindingCode.DATE_UNREADABLE,
                severity=Severity.NOTICE,
                where="message",
                detail="The Date header cannot be read as a date (RFC 5322 §3.3): an impossible time or a "
                "malformed value, written by broken or bulk-mailing software. It is not compared with the hops.",
                evidence=(("Date", (message.get("Date") or "")[:200]),),
            )
        )
    if extra:
        path = replace(path, findings=(*path.findings, *extra))
    if message.get("Date") is None:
        # RFC 5322 §3.6: the origination date is required (a submission server may add
        # a missing one, RFC 6409 §8.3).
        missing = Finding(
            code=FindingCode.DATE_MISSING,
            severity=Severity.NOTICE,
            where="message",
            detail="The message has no Date header, which RFC 5322 §3.6 requires: the sending software "
            "left it out and no submission server added one, or it was removed on the way.",
        )
        path = replace(path, findings=(*path.findings, missing))
    return path
