"""``mf.analyze``: one message, re-checked against the DNS, with the evidence kept.

Builds on :func:`mailforensics.trace.trace` (the relay path and envelope, from headers
alone) and adds what the DNS says today:

- SPF (MAIL FROM and HELO identities), every DKIM signature, the ARC chain and DMARC,
  re-verified and set beside what the message's own verdict fields claimed, and who
  claimed it (:mod:`mailforensics.authcheck`);

- for every hop whose client address is public: PTR, forward confirmation (FCrDNS) and
  generic-name detection (:mod:`mailforensics.reputation.rdns`), and the receiver's rDNS
  then (in the Received field) against the PTR now;
- the recipient domain's MX hosts (the configured internal domains, else the envelope
  recipients' domains): a client that is one of them is internal, which places the trust
  boundary where the message reached the recipient's MX (``Path.entry_hop``);
- for the boundary hop (where the message entered trusted infrastructure): the HELO
  checks — the only HELO name recorded by a host the recipient trusts;
- for external hops' public addresses: the IP blocklists; for the envelope's domains
  (MAIL FROM, HELO, the From header's domain, the originating rDNS name, each with its
  organizational domain): the domain blocklists (:mod:`mailforensics.reputation.dnsbl`);
- what the message itself says (:mod:`mailforensics.content.scan`): URLs from every part,
  attachments, look-alike domains, header tricks, and body and header domains on the
  domain blocklists. No URL found in a message is ever fetched.

Private, loopback and link-local addresses are never sent to public lists: it would leak
the recipient's network layout and tells nothing.

Every DNS question goes through one :class:`~mailforensics.resolvers.RecordingResolver`
per analysis, so :attr:`Analysis.dns` is exactly the evidence the verdicts rest on, and
:meth:`Analysis.save_evidence` writes it for an offline replay that gives identical
frames (``mf.Context.offline(path)``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mailforensics import frames
from mailforensics.addresses import is_private_address, mailboxes, parse_ip
from mailforensics.context import Context
from mailforensics.findings import Finding, FindingCode
from mailforensics.message import Message
from mailforensics.resolvers.evidence import EvidenceRecord
from mailforensics.resolvers.memo import CheckMemo
from mailforensics.resolvers.recording import RecordingResolver
from mailforensics.trace import Trace, trace

if TYPE_CHECKING:
    import pandas as pd

    from mailforensics.authcheck import AuthVerification
    from mailforensics.content.scan import ContentScan
    from mailforensics.path import Path as Path_
    from mailforensics.reputation.dnsbl import DNSBLResult, DNSBLZone, ZoneHealth
    from mailforensics.reputation.rdns import HELOResult, RDNSResult
    from mailforensics.transport.mx import MXResult

__all__ = ["TABLES", "Analysis", "HopReputation", "analyze"]

_SEVERITY_RANK = {"info": 0, "notice": 1, "warning": 2, "alert": 3, "error": 4}

#: At most this many recipient domains have their MX looked up (a message to 500
#: domains must not cost 1,500 queries).
_MAX_RECIPIENT_DOMAINS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class HopReputation:
    """What the DNS says about one hop's client.

    Parameters
    ----------
    number
        The hop number (1 = oldest).
    rdns
        PTR / FCrDNS / generic-name result, or None when the address is not public.
    helo
        HELO checks (boundary hop only), or None.
    dnsbl
        IP blocklist results (external hops only).
    """

    number: int
    rdns: RDNSResult | None
    helo: HELOResult | None
    dnsbl: tuple[DNSBLResult, ...]


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """The analysis of one message. DataFrames: ``hops``, ``envelope``, ``headers``,
    ``findings``, ``dns`` (the evidence), ``dnsbl`` (every blocklist answer).

    Records: ``message``, ``trace`` (path and envelope), ``reputation`` (per hop),
    ``domain_dnsbl``, ``recipient_mx`` (the MX lookups of the recipient's domains),
    ``verification`` (SPF, DKIM, ARC, DMARC results and the placed claims), ``evidence``,
    ``content`` (URLs, attachments, look-alikes), ``all_findings``. DataFrames: ``hops``,
    ``auth``, ``arc``, ``spf_trace``, ``envelope``, ``headers``, ``findings``, ``urls``,
    ``attachments``, ``lookalikes``, ``dns``, ``dnsbl``; ``summary`` is a Series.
    """

    message: Message
    trace: Trace
    reputation: tuple[HopReputation, ...]
    domain_dnsbl: tuple[tuple[str, DNSBLResult], ...]
    recipient_mx: tuple[MXResult, ...]
    verification: AuthVerification | None
    content: ContentScan | None
    evidence: tuple[EvidenceRecord, ...]
    all_findings: tuple[Finding, ...]
    ctx: Context

    @property
    def path(self) -> Path_:
        """The reconstructed relay path (hops, trust boundary, originating IP)."""
        return self.trace.path

    @property
    def originating_ip(self) -> str | None:
        """The client address of the hop where the message entered trusted infrastructure."""
        return self.trace.path.originating_ip

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The rows of one of the tables in :data:`TABLES`, before they become a DataFrame.

        Each row is a dict keyed by the table's columns (:data:`mailforensics.frames.SCHEMAS`);
        the table properties are ``frames.conform(rows, table)``. A batch gathers the rows
        of many messages and builds each table once.

        Parameters
        ----------
        table
            A name in :data:`TABLES`.
        """
        try:
            build = _ROW_BUILDERS[table]
        except KeyError:
            raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}") from None
        return build(self)

    @property
    def hops(self) -> pd.DataFrame:
        """One row per Received hop, oldest first, with ``ptr``, ``fcrdns``,
        ``generic_rdns`` and ``dnsbl``."""
        return frames.conform(self.rows("hops"), "hops")

    @property
    def envelope(self) -> pd.DataFrame:
        """Every envelope candidate: field, value, source, confidence."""
        return frames.conform(self.rows("envelope"), "envelope")

    @property
    def headers(self) -> pd.DataFrame:
        """Every header field in order."""
        return frames.conform(self.rows("headers"), "headers")

    @property
    def findings(self) -> pd.DataFrame:
        """Everything suspicious or broken, with severity and where."""
        return frames.conform(self.rows("findings"), "findings")

    @property
    def auth(self) -> pd.DataFrame:
        """One row per check (SPF MAIL FROM, SPF HELO, each DKIM signature, ARC, DMARC):
        today's result beside the message's claim and who made it."""
        return frames.conform(self.rows("auth"), "auth")

    @property
    def arc(self) -> pd.DataFrame:
        """The ARC chain of custody, one row per set, oldest first."""
        return frames.conform(self.rows("arc"), "arc")

    @property
    def spf_trace(self) -> pd.DataFrame:
        """Every SPF term evaluated, with the DNS it used (MAIL FROM, then HELO)."""
        return frames.conform(self.rows("spf_trace"), "spf_trace")

    @property
    def summary(self) -> pd.Series:
        """One verdict line per check, for a quick read."""
        import pandas as pd

        lines: dict[str, str] = {
            "origin": self.message.origin,
            "originating_ip": self.originating_ip or "unknown",
        }
        if self.verification is not None:
            for c in self.verification.checks:
                key = c.method if c.instance is None else f"{c.method} {c.instance}"
                text = f"{c.result or 'not checked'}"
                if c.domain:
                    text += f" ({c.domain}{'/' + c.selector if c.selector else ''})"
                if c.claimed is not None and c.claimed != c.result:
                    text += f"; claimed {c.claimed} by {c.claimed_by}"
                lines[key] = text
            d = self.verification.dmarc
            if d.disposition:
                lines["disposition"] = d.disposition
        worst = sorted(self.all_findings, key=lambda f: _SEVERITY_RANK.get(str(f.severity), 0), reverse=True)
        lines["findings"] = f"{len(self.all_findings)}" + (
            f" (worst: {worst[0].severity} {worst[0].code})" if worst else ""
        )
        return pd.Series(lines, name="summary", dtype="string")

    @property
    def urls(self) -> pd.DataFrame:
        """Every URL in the message's parts: host, registered domain, link text, look-alike
        and blocklist verdicts."""
        return frames.conform(self.rows("urls"), "urls")

    @property
    def attachments(self) -> pd.DataFrame:
        """Every attachment: name, declared vs sniffed type, size, hashes, archive listing."""
        return frames.conform(self.rows("attachments"), "attachments")

    @property
    def lookalikes(self) -> pd.DataFrame:
        """Domains in the headers, signatures and URLs that resemble a protected domain."""
        return frames.conform(self.rows("lookalikes"), "lookalikes")

    @property
    def dns(self) -> pd.DataFrame:
        """Every DNS answer this analysis used: the evidence."""
        return frames.conform(self.rows("dns"), "dns")

    @property
    def dnsbl(self) -> pd.DataFrame:
        """Every blocklist answer, for hop addresses and envelope domains."""
        return frames.conform(self.rows("dnsbl"), "dnsbl")

    def save_evidence(self, path: str | os.PathLike[str]) -> Path:
        """Write the DNS evidence (JSON Lines) for ``mf.Context.offline(path)``.

        Parameters
        ----------
        path
            Where to write it.
        """
        from mailforensics import __version__
        from mailforensics.resolvers.evidence import header_line, record_line

        created = self.ctx.current_time()
        lines = [header_line(created, f"mailforensics {__version__}")]
        lines.extend(record_line(r) for r in self.evidence)
        target = Path(path)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target

    def plot_hops(self, ax: Any = None) -> Any:
        """The hop timeline (a matplotlib Figure); see :func:`mailforensics.plot.plot_hops`."""
        from mailforensics import plot

        return plot.plot_hops(self, ax=ax)

    def plot_path(self, ax: Any = None) -> Any:
        """The path diagram (a matplotlib Figure); see :func:`mailforensics.plot.plot_path`."""
        from mailforensics import plot

        return plot.plot_path(self, ax=ax)

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write a self-contained HTML writeup; see :func:`mailforensics.report.to_html`."""
        from mailforensics import report

        return report.to_html(self, path)

    def to_markdown(self, path: str | os.PathLike[str]) -> Path:
        """Write a Markdown writeup; see :func:`mailforensics.report.to_markdown`."""
        from mailforensics import report

        return report.to_markdown(self, path)

    def _repr_html_(self) -> str:
        from mailforensics import report

        return report.analysis_html(self)

    def __repr__(self) -> str:
        return (
            f"<Analysis {self.message.origin!r} hops={len(self.trace.path.hops)} "
            f"originating_ip={self.originating_ip!r} findings={len(self.all_findings)} dns={len(self.evidence)}>"
        )


#: Row builders of the analysis tables, by name (what :meth:`Analysis.rows` serves).
_ROW_BUILDERS: dict[str, Callable[[Analysis], list[dict[str, Any]]]] = {
    "hops": lambda a: frames.hop_rows(a.trace.path, a.reputation),
    "auth": lambda a: frames.auth_rows(a.verification.checks if a.verification else ()),
    "arc": lambda a: frames.arc_rows(a.verification.arc if a.verification else None),
    "spf_trace": lambda a: frames.spf_trace_rows(
        (a.verification.spf_mailfrom, a.verification.spf_helo) if a.verification else ()
    ),
    "envelope": lambda a: frames.envelope_rows(a.trace.smtp_envelope),
    "headers": lambda a: frames.header_rows(a.message),
    "findings": lambda a: frames.finding_rows(a.all_findings),
    "urls": lambda a: _content_rows(a.content, "urls"),
    "attachments": lambda a: _content_rows(a.content, "attachments"),
    "lookalikes": lambda a: _content_rows(a.content, "lookalikes"),
    "dns": lambda a: frames.dns_rows(a.evidence),
    "dnsbl": lambda a: frames.dnsbl_rows(a.reputation, a.domain_dnsbl),
}

#: The tables of an :class:`Analysis` (each one a DataFrame property and a row builder).
TABLES: tuple[str, ...] = tuple(_ROW_BUILDERS)


def _content_rows(content: ContentScan | None, table: str) -> list[dict[str, Any]]:
    # content.scan is imported with the analysis, not with this module (it is the heavy part).
    from mailforensics.content.scan import attachment_rows, lookalike_rows, url_rows

    if content is None:
        return []
    build = {"urls": url_rows, "attachments": attachment_rows, "lookalikes": lookalike_rows}[table]
    return build(content)


def _public(ip: str | None) -> bool:
    addr = parse_ip(ip)
    if addr is None:
        return False
    return not (is_private_address(addr) or addr.is_unspecified or addr.is_multicast or addr.is_reserved)


def _domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower()
    return domain or None


def analyze(source: Message | str | os.PathLike[str] | bytes | IO[bytes], *, ctx: Context | None = None) -> Analysis:
    """Analyse one message: relay path, envelope, and what the DNS says about them.

    Parameters
    ----------
    source
        A :class:`~mailforensics.message.Message` or anything :func:`mailforensics.load`
        accepts.
    ctx
        The :class:`~mailforensics.context.Context`: resolver (None: live DNS; use
        ``mf.Context.offline(path)`` to replay evidence), clock, configuration.

    Returns
    -------
    Analysis

    Raises
    ------
    EvidenceMissing
        In strict replay, when the analysis needs an answer the evidence does not hold.
    """
    from mailforensics import authcheck
    from mailforensics.auth.orgdomain import organizational_domain
    from mailforensics.content import scan as content_scan
    from mailforensics.reputation import dnsbl, rdns
    from mailforensics.transport import mx

    ctx = ctx or Context()
    if isinstance(source, Message):
        message = source
    else:
        from mailforensics.sources import load

        message = load(source)
    # The recipient domains come from the configuration, or else from the envelope, which
    # needs a first trace; the path is traced again once their MX hosts are known (the
    # Received fields are parsed once per message either way: path.received_hops).
    t = None if ctx.config.internal_domains and ctx.config.dns_checks else trace(message, ctx=ctx)
    if not ctx.config.dns_checks:
        assert t is not None
        # What the message says needs no DNS; its blocklist lookups are skipped.
        content = content_scan.scan(t.message, ctx=ctx)
        return Analysis(
            message=t.message,
            trace=t,
            reputation=(),
            domain_dnsbl=(),
            recipient_mx=(),
            verification=None,
            content=content,
            evidence=(),
            all_findings=tuple(dict.fromkeys(t.all_findings + content.findings)),
            ctx=ctx,
        )
    recorder = RecordingResolver(ctx.get_resolver())
    dctx = Context(resolver=recorder, now=ctx.now, config=ctx.config)
    zones = dnsbl.DEFAULT_ZONES if ctx.config.dnsbl_zones is None else ctx.config.dnsbl_zones
    # The recipient's MX hosts place the trust boundary (RFC 5321 §5.1: the MX is where
    # mail for the domain enters it). Recipient domains: configured, else the envelope's.
    recipients = ctx.config.internal_domains or tuple(
        dict.fromkeys(d for d in (_domain_of(a) for a in t.smtp_envelope.rcpt_to) if d)  # type: ignore[union-attr]
    )
    recipient_mx = tuple(
        _CHECKS.get(("mx", d), functools.partial(_lookup_mx, d), ctx=ctx, recorder=recorder)
        for d in recipients[:_MAX_RECIPIENT_DOMAINS]
    )
    if any(r.hosts for r in recipient_mx):

        def is_recipient_mx(value: str | None) -> bool:
            return any(mx.is_recipient_mx(value, r) for r in recipient_mx)

        t = trace(message, ctx=ctx, is_recipient_mx=is_recipient_mx)
    elif t is None:
        t = trace(message, ctx=ctx)

    probed: dict[str, Any] = {}

    def health() -> dict[str, Any]:
        # Each list's test points, only if a list is needed; probed once per resolver
        # (see _CHECKS), their answers in this analysis's evidence all the same.
        if not probed:
            probed.update(
                {
                    z.zone: _CHECKS.get(
                        ("dnsbl-health", z), functools.partial(_probe_zone, z), ctx=ctx, recorder=recorder
                    )
                    for z in zones
                }
            )
        return probed

    findings: list[Finding] = list(t.all_findings)

    path = t.path
    reputation: list[HopReputation] = []
    for ph in path.hops:
        hop = ph.hop
        where = f"hop {ph.number}"
        rd = None
        if hop.from_ip and _public(hop.from_ip):
            rd = _CHECKS.get(
                ("rdns", hop.from_ip, where),
                functools.partial(_check_ip, hop.from_ip, where),
                ctx=ctx,
                recorder=recorder,
            )
        helo_result = None
        if ph.number == path.boundary_hop and hop.from_helo:
            helo_args = (hop.from_helo, hop.from_ip, hop.from_rdns, rd.ptr_names if rd is not None else None, where)
            helo_result = _CHECKS.get(
                ("helo", *helo_args, ctx.config),
                functools.partial(_check_helo, *helo_args),
                ctx=ctx,
                recorder=recorder,
            )
        listed: tuple[DNSBLResult, ...] = ()
        if ph.external and hop.from_ip and _public(hop.from_ip):
            state = health()
            listed = _CHECKS.get(
                ("dnsbl-ip", hop.from_ip, where, zones, tuple(state.values())),
                functools.partial(_check_ips, hop.from_ip, zones, state, where),
                ctx=ctx,
                recorder=recorder,
            )
        if rd is not None:
            findings.extend(rd.findings)
            if ph.trusted_record and hop.from_rdns:
                changed = rdns.compare_rdns(hop.from_rdns, rd.ptr_names, where=where)
                if changed is not None:
                    findings.append(changed)
        if helo_result is not None:
            findings.extend(_refine_helo(helo_result.findings, hop.from_helo, rd, organizational_domain))
        for r in listed:
            findings.extend(r.findings)
        reputation.append(HopReputation(number=ph.number, rdns=rd, helo=helo_result, dnsbl=listed))

    # Domain blocklists: the envelope's and the author's domains, each with its org domain.
    env = t.smtp_envelope
    boundary_rdns = next((r.rdns for r in reputation if r.number == path.boundary_hop and r.rdns), None)
    sources: dict[str, str] = {}
    from_header = t.message.get("From")
    from_domains = [_domain_of(addr) for _, addr in mailboxes(from_header)] if from_header else []
    candidates = [
        ("MAIL FROM", _domain_of(env.mail_from)),
        ("HELO", env.helo if env.helo and not env.helo.startswith("[") else None),
        *(("From", d) for d in from_domains),
        ("rDNS", boundary_rdns.name if boundary_rdns is not None else None),
    ]
    for label, domain in candidates:
        if not domain or _public(domain):
            continue
        for name in (domain, organizational_domain(domain)):
            if name and name not in sources:
                sources[name] = label
    domain_results: list[tuple[str, DNSBLResult]] = []
    if sources:
        for r in dnsbl.check_domains(list(sources), zones=zones, ctx=dctx, health=health()):
            domain_results.append((sources.get(r.item, ""), r))
            findings.extend(r.findings)

    verification = authcheck.verify(t.message, t.path, t.smtp_envelope, ctx=dctx)
    findings.extend(verification.findings)

    # What the message itself says: URLs, attachments, look-alikes, header tricks; body
    # and header domains on the domain blocklists (those not already looked up above).
    signed = tuple(r.domain for r in verification.dkim if r.result == "pass" and r.domain)
    content = content_scan.scan(
        t.message,
        ctx=dctx,
        signed_domains=signed,
        zones=zones,
        dnsbl_health=probed or None,
        skip_domains=tuple(sources),
    )
    findings.extend(content.findings)
    domain_results.extend(("message content", r) for r in content.dnsbl)

    return Analysis(
        message=t.message,
        trace=t,
        reputation=tuple(reputation),
        domain_dnsbl=tuple(domain_results),
        recipient_mx=recipient_mx,
        verification=verification,
        content=content,
        evidence=recorder.records,
        all_findings=tuple(dict.fromkeys(findings)),  # a zone problem is reported once
        ctx=ctx,
    )


#: The DNS checks of a relay, a blocklist zone or a recipient domain, kept per resolver
#: with the answers they used (see :mod:`mailforensics.resolvers.memo`): a batch asks
#: them for thousands of messages. An entry stands 10 minutes, so a blocklist that
#: starts refusing a live resolver mid-run (a quota reached) is seen within that.
_CHECKS = CheckMemo(max_entries=4096, ttl_s=600.0)


# The checks as the memo calls them: arguments first, the recording context last.
def _lookup_mx(domain: str, ctx: Context) -> MXResult:
    from mailforensics.transport import mx

    return mx.lookup_mx(domain, ctx=ctx)


def _probe_zone(zone: DNSBLZone, ctx: Context) -> ZoneHealth:
    # RFC 5782 §5 test points: the same four questions for every message.
    from mailforensics.reputation import dnsbl

    return dnsbl.probe_zone(zone, ctx=ctx)


def _check_ip(ip: str, where: str, ctx: Context) -> RDNSResult:
    from mailforensics.reputation import rdns

    return rdns.check_ip(ip, ctx=ctx, where=where)


def _check_helo(
    helo: str, ip: str | None, rdns_then: str | None, rdns_now: tuple[str, ...] | None, where: str, ctx: Context
) -> HELOResult:
    from mailforensics.reputation import rdns

    return rdns.check_helo(
        helo,
        ip=ip,
        rdns_then=rdns_then,
        rdns_now=rdns_now,
        recipient_domains=ctx.config.internal_domains,
        ctx=ctx,
        where=where,
    )


def _check_ips(
    ip: str, zones: tuple[DNSBLZone, ...], health: dict[str, ZoneHealth], where: str, ctx: Context
) -> tuple[DNSBLResult, ...]:
    from mailforensics.reputation import dnsbl

    return dnsbl.check_ips([ip], zones=zones, ctx=ctx, health=health, where=where)


def _refine_helo(found: tuple[Finding, ...], helo: str | None, rd: RDNSResult | None, orgdomain: Any) -> list[Finding]:
    """Drop "HELO differs from rDNS" when both lie in one organizational domain (PSL);
    the HELO check itself compares only the last two labels."""
    if rd is None or not helo:
        return list(found)
    helo_org = orgdomain(helo)
    names = rd.ptr_names
    same_org = helo_org is not None and any(orgdomain(n) == helo_org for n in names)
    return [f for f in found if not (same_org and f.code == FindingCode.HELO_DIFFERS_FROM_RDNS)]
