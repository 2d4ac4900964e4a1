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
as :func:`mailforensics.analyze` does: RFC 5321 §5.1), or a hop with no network client at
all (local pickup, LMTP with no address). The first field whose client is external is the *boundary hop*: its client
address is the **originating IP** (SpamAssassin's "last external relay"). Everything
below it was written by hosts outside the recipient's control and is a claim, not a fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from mailforensics.addresses import is_private_address, parse_ip
from mailforensics.context import Context
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message
from mailforensics.received import Hop, parse_received

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


def _client_internal(hop: Hop, ctx: Context, is_mx: Callable[[str | None], bool]) -> bool | None:
    """Is this hop's client inside the recipient's infrastructure? None = cannot tell."""
    cfg = ctx.config
    if hop.from_ip:
        if cfg.is_trusted_ip(hop.from_ip) or is_mx(hop.from_ip) or is_mx(hop.from_rdns):
            return True
        return bool(hop.from_rdns and cfg.is_internal_host(hop.from_rdns))
    if not hop.parsed and hop.from_helo is None and hop.by_host is None:
        return None
    # No client address: local submission, LMTP hand-off inside one site, a pickup
    # directory. An external SMTP receipt always records the peer address.
    return True


def _date_header(message: Message | None) -> datetime | None:
    if message is None:
        return None
    text = message.get("Date")
    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def build_path(
    hops_top_first: Sequence[Hop],
    *,
    header_indexes: Sequence[int | None] | None = None,
    date: datetime | None = None,
    ctx: Context | None = None,
    is_recipient_mx: Callable[[str | None], bool] | None = None,
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
        detail = (
            "An unreadable Received header stopped the trust-boundary walk; the originating IP is unknown."
            if uncertain
            else "Every hop's client is internal (private, loopback or trusted): no external relay was found."
        )
        findings.append(
            Finding(code=FindingCode.NO_EXTERNAL_HOP, severity=Severity.NOTICE, where="path", detail=detail)
        )
    for ph in path_hops:
        findings.extend(_hop_findings(ph, ctx, boundary_hop))

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
    # ready for delivery, so it should precede the first relay).
    first = next((ph for ph in path_hops if ph.hop.timestamp is not None), None)
    if date is not None and first is not None and first.hop.timestamp is not None:
        gap = (first.hop.timestamp - date).total_seconds()
        if gap < -cfg.clock_tolerance_s:
            findings.append(
                Finding(
                    code=FindingCode.DATE_AFTER_FIRST_HOP,
                    severity=Severity.WARNING,
                    where=f"hop {first.number}",
                    detail=f"The Date header is {-gap:.0f} s after the first hop's timestamp: "
                    "the sender's clock is ahead, or the Date was forged.",
                    evidence=(("date", date.isoformat()), ("first hop", first.hop.timestamp.isoformat())),
                )
            )
        elif gap > cfg.date_before_first_hop_s:
            findings.append(
                Finding(
                    code=FindingCode.DATE_LONG_BEFORE_FIRST_HOP,
                    severity=Severity.NOTICE,
                    where=f"hop {first.number}",
                    detail=f"The Date header is {gap / 3600:.1f} h before the first hop: "
                    "a queued or re-sent message, or a back-dated Date.",
                    evidence=(("date", date.isoformat()), ("first hop", first.hop.timestamp.isoformat())),
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
            out.append(
                Finding(
                    code=FindingCode.HOP_NEGATIVE_DELAY,
                    severity=Severity.WARNING if ph.delay_s < -cfg.clock_tolerance_s else Severity.NOTICE,
                    where=where,
                    detail=f"Hop {ph.number} is dated {-ph.delay_s:.0f} s before the hop before it: "
                    "clock skew between relays, or an inserted header.",
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
    return build_path(
        hops, header_indexes=indexes, date=_date_header(message), ctx=ctx, is_recipient_mx=is_recipient_mx
    )
