"""What the message itself says: one entry point for the content checks.

:func:`scan` runs, on one message:

0. :func:`mailforensics.content._parts.read_structure`: the MIME parts, the defects
   CPython's parser recorded on them (``mime-structure-defect``,
   ``content-part-unreadable`` findings) and the parts hidden in broken structure
   (after a close delimiter, under an undeclared boundary), recovered and read by the
   steps below like any other part (their ``part`` is ``"epilogue.1"``, ``"body.1"``, ...);
1. :func:`mailforensics.content.urls.extract`: every URL in the text, HTML and
   calendar parts;
2. :func:`mailforensics.content.attachments.extract`: the attachment inventory;
3. :func:`mailforensics.content.lookalike.compare` on each place a domain is shown or
   used: From, Reply-To, Return-Path, Sender, every DKIM-Signature ``d=``, every URL host;
4. :func:`mailforensics.content.headers.check`: display-name, Reply-To, Sender,
   Return-Path and hidden-character tricks;
5. :func:`mailforensics.reputation.dnsbl.check_domains`: the body domains (each URL's
   registered domain, IP literals) and the header domains above, each looked up once
   per message, on the domain lists (``kind="domain"``) of the zones.

and returns a :class:`ContentScan`. The only DNS questions asked are the blocklist
lookups (through ``ctx``'s resolver; none with ``Config.dns_checks=False`` or
``zones=()``); no URL is ever fetched.

Proposed frames (one row per record; :func:`url_rows`, :func:`attachment_rows`,
:func:`archive_rows` and :func:`lookalike_rows` build the rows as dicts):

``urls``
    ``part`` (IMAP section), ``content_type``, ``source`` (href, src, action, srcset,
    css, text, embedded, ...), ``tag``, ``url``, ``scheme``, ``host`` (as written),
    ``host_ascii`` (A-label), ``host_unicode`` (U-label), ``registered_domain``,
    ``ip_literal`` (bool), ``idn`` (bool), ``userinfo``, ``text`` (the link's visible
    text), ``text_domain``, ``text_mismatch`` (bool), ``embedded_in``, ``obfuscation``
    (comma-separated), ``truncated`` (bool), ``lookalike`` (``"technique: resembles"``,
    ``"; "``-joined, or None), ``dnsbl`` (``"zone: meaning"`` of listings, or None),
    ``dnsbl_listed`` (bool, None when not looked up or the lookup failed).
``attachments``
    ``part``, ``filename``, ``name_encoding``, ``disposition``, ``content_id``,
    ``declared_type``, ``sniffed_type``, ``type_mismatch`` (bool), ``size`` (int),
    ``md5``, ``sha1``, ``sha256``, ``extension``, ``double_extension`` (bool),
    ``category``, ``archive_format``, ``archive_entries`` (int), ``archive_encrypted``
    (bool), ``archive_declared_size`` (int), ``archive_ratio`` (float),
    ``archive_bomb`` (bool), ``password_fields`` (int), ``form_actions``,
    ``external_actions``, ``calendar_links`` (newline-joined), ``saved_path``.
``archive_entries`` (optional long table)
    ``part``, ``archive_format``, ``name``, ``size``, ``compressed_size``, ``ratio``,
    ``encrypted``, ``method``, ``is_dir``.
``lookalikes``
    ``place`` (From, Reply-To, Return-Path, Sender, DKIM d=, URL), ``where``, ``domain``,
    ``domain_unicode``, ``resembles``, ``owner``, ``kind``, ``technique``, ``distance``,
    ``mixed_script``, ``detail``.

The blocklist answers fit the existing ``dnsbl`` frame (``source`` = the places the
domain was seen, e.g. ``"URL"``, ``"From"``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from functools import lru_cache
from typing import Any

from mailforensics.auth import dmarc
from mailforensics.content import attachments as attachments_mod
from mailforensics.content import headers, lookalike
from mailforensics.content import urls as urls_mod
from mailforensics.content._parts import read_structure, structure_findings
from mailforensics.content.attachments import Attachment
from mailforensics.content.lookalike import Lookalike, ProtectedSet
from mailforensics.content.urls import URL, parse_host
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message
from mailforensics.reputation import dnsbl
from mailforensics.reputation.dnsbl import DNSBLResult, DNSBLZone, ZoneHealth

__all__ = [
    "MAX_DNSBL_DOMAINS",
    "MAX_LOOKALIKE_HOSTS",
    "ContentScan",
    "PlacedLookalike",
    "ScannedDomain",
    "archive_rows",
    "attachment_rows",
    "header_domains",
    "lookalike_rows",
    "scan",
    "url_rows",
]

#: At most this many distinct domains are looked up in the blocklists per message.
MAX_DNSBL_DOMAINS = 100
#: At most this many distinct URL hosts are checked for look-alikes per message.
MAX_LOOKALIKE_HOSTS = 500

_STRONG = frozenset({"homograph", "mixed-script", "ascii-swap", "brand-subdomain"})
_DKIM_D = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedLookalike:
    """A look-alike domain where the message shows or uses it.

    Parameters
    ----------
    place
        ``"From"``, ``"Reply-To"``, ``"Return-Path"``, ``"Sender"``, ``"DKIM d="`` or
        ``"URL"``.
    where
        ``"header 4"`` or ``"part 1.2 (href)"`` (the first URL with that host).
    domain, domain_unicode, resembles, owner, kind, technique, detail, distance, mixed_script
        As in :class:`~mailforensics.content.lookalike.Lookalike`.
    """

    place: str
    where: str
    domain: str
    domain_unicode: str
    resembles: str
    owner: str
    kind: str
    technique: str
    detail: str
    distance: int | None = None
    mixed_script: bool = False

    @classmethod
    def of(cls, place: str, where: str, hit: Lookalike) -> PlacedLookalike:
        """Place one :class:`~mailforensics.content.lookalike.Lookalike`."""
        return cls(
            place=place,
            where=where,
            domain=hit.domain,
            domain_unicode=hit.domain_unicode,
            resembles=hit.resembles,
            owner=hit.owner,
            kind=hit.kind,
            technique=hit.technique,
            detail=hit.detail,
            distance=hit.distance,
            mixed_script=hit.mixed_script,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScannedDomain:
    """A domain looked up in the blocklists, and where the message has it.

    Parameters
    ----------
    domain
        The domain (A-labels) or IP address looked up.
    sources
        The places it was seen: ``"URL"``, ``"From"``, ``"Reply-To"``, ...
    """

    domain: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentScan:
    """What :func:`scan` found.

    Parameters
    ----------
    urls
        Every URL (:class:`~mailforensics.content.urls.URL`).
    attachments
        Every attachment (:class:`~mailforensics.content.attachments.Attachment`).
    lookalikes
        Every look-alike domain, per place.
    domains
        The domains looked up in the blocklists, with where they were seen.
    dnsbl
        The blocklist answers, one per (domain, zone).
    findings
        All indicators: URLs, attachments, header tricks, look-alikes, blocklists.
    urls_truncated
        True when the URL limit was reached.
    """

    urls: tuple[URL, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    lookalikes: tuple[PlacedLookalike, ...] = ()
    domains: tuple[ScannedDomain, ...] = ()
    dnsbl: tuple[DNSBLResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    urls_truncated: bool = False

    def listings(self, domain: str | None) -> tuple[DNSBLResult, ...]:
        """The blocklist answers for ``domain`` (A-label form)."""
        if not domain:
            return ()
        return tuple(r for r in self.dnsbl if r.item == domain)


# ---------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------
def _domain_of(address: str) -> str | None:
    address = address.strip().strip("<>").strip()
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().rstrip(">").rstrip(".")
    return domain.lower() or None


def header_domains(message: Message) -> list[tuple[str, str, str]]:
    """``(place, where, domain)`` for From, Reply-To, Return-Path, Sender and DKIM ``d=``.

    Parameters
    ----------
    message
        The message.
    """
    out: list[tuple[str, str, str]] = []
    author = dmarc.author_domain(message)
    from_fields = message.get_all("From")
    if author.domain and from_fields:
        out.append(("From", f"header {from_fields[0].index}", author.domain))
    for name in ("Reply-To", "Sender", "Return-Path"):
        for f in message.get_all(name)[:5]:
            try:
                pairs = getaddresses([f.unfolded]) if name != "Return-Path" else [("", f.unfolded)]
            except Exception:
                continue
            for _display, addr in pairs[:20]:
                d = _domain_of(addr)
                if d:
                    out.append((name, f"header {f.index}", d))
    for f in message.get_all("DKIM-Signature")[:20]:
        m = _DKIM_D.search(f.unfolded)
        if m:
            out.append(("DKIM d=", f"header {f.index}", m.group(1).strip().lower().rstrip(".")))
    return out


def _severity(place: str, technique: str) -> Severity:
    header = place != "URL"
    if technique in _STRONG or technique == "brand-plus-words":
        return Severity.ALERT if header else Severity.WARNING
    if technique == "edit-distance":
        return Severity.WARNING if header else Severity.NOTICE
    return Severity.WARNING


def _lookalike_finding(place: str, where: str, hits: Sequence[Lookalike]) -> Finding:
    best = hits[0]
    shown = best.domain_unicode if best.domain_unicode != best.domain else best.domain
    return Finding(
        code=FindingCode.LOOKALIKE_DOMAIN,
        severity=_severity(place, best.technique),
        where=where,
        detail=f"The {place} domain {shown} looks like {best.resembles} ({best.owner}): {best.detail}",
        evidence=tuple((h.technique, h.resembles) for h in hits[:5]),
    )


@lru_cache(maxsize=512)
def _protected_set(recipient: tuple[str, ...], signed: tuple[str, ...]) -> ProtectedSet:
    # Kept per (recipient, signers), as a mailbox repeats both. Each set shares the brand
    # index built once per recipient list (ProtectedSet.build) and adds its signers' few
    # KiB, with their look-alike results for the hosts they sign for.
    if not recipient and not signed:
        return lookalike.default_set()
    return ProtectedSet.build(recipient=recipient, signed=signed)


# ---------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------
def scan(
    message: Message,
    *,
    ctx: Context,
    protected: Iterable[str] | ProtectedSet = (),
    signed_domains: Iterable[str] = (),
    zones: Sequence[DNSBLZone] | None = None,
    save_to: str | os.PathLike[str] | None = None,
    dnsbl_health: Mapping[str, ZoneHealth] | None = None,
    skip_domains: Iterable[str] = (),
) -> ContentScan:
    """Scan what ``message`` says: URLs, attachments, look-alikes, header tricks, DNSBLs.

    Parameters
    ----------
    message
        The message.
    ctx
        The context: its resolver answers the blocklist lookups; its
        ``config.internal_domains`` are defended as the recipient's own;
        ``config.dns_checks=False`` skips the lookups.
    protected
        The recipient's own domains (added to ``config.internal_domains``), or a ready
        :class:`~mailforensics.content.lookalike.ProtectedSet`. The shipped brand list
        is always included unless a ProtectedSet is given.
    signed_domains
        The ``d=`` of the message's passing DKIM signatures: defended too.
    zones
        The blocklists; None for ``config.dnsbl_zones`` (itself None for
        :data:`~mailforensics.reputation.dnsbl.DEFAULT_ZONES`); ``()`` for none. Only
        ``kind="domain"`` zones are used.
    save_to
        A folder to write the attachments into (see
        :func:`~mailforensics.content.attachments.extract`); None writes nothing.
    dnsbl_health
        Zone health from an earlier probe (so an analysis probes each zone once).
    skip_domains
        Domains already looked up by the caller (the analysis's envelope and From
        domains): not looked up again.

    Returns
    -------
    ContentScan

    Raises
    ------
    InputError
        For unusable arguments (``save_to`` not a folder).
    EvidenceMissing
        In strict replay, when a blocklist answer is not in the evidence.
    """
    structure = read_structure(message)
    parts = structure.parts
    url_scan = urls_mod._extract_parts(parts)
    author = dmarc.author_domain(message)
    from_org = parse_host(author.domain).registered_domain if author.domain else None
    att_scan = attachments_mod._extract_parts(parts, from_org=from_org, save_to=save_to)

    if isinstance(protected, ProtectedSet):
        pset = protected
    else:
        recipient = tuple(dict.fromkeys((*ctx.config.internal_domains, *protected)))
        pset = _protected_set(recipient, tuple(dict.fromkeys(signed_domains)))

    findings: list[Finding] = [*structure_findings(structure), *url_scan.findings, *att_scan.findings]
    findings.extend(headers.check(message, protected=pset))

    # --- look-alikes, per place ---------------------------------------------------------
    placed: list[PlacedLookalike] = []
    places = header_domains(message)
    checked: dict[tuple[str, str], None] = {}
    for place, where, domain in places:
        if (place, domain) in checked:
            continue
        checked[(place, domain)] = None
        hits = lookalike.compare(domain, pset)
        if hits:
            placed.extend(PlacedLookalike.of(place, where, h) for h in hits)
            findings.append(_lookalike_finding(place, where, hits))
    first_where: dict[str, str] = {}
    for u in url_scan.urls:
        if u.host_ascii and not u.ip_literal and u.host_ascii not in first_where:
            first_where[u.host_ascii] = f"part {u.part} ({u.source})"
    for host, where in list(first_where.items())[:MAX_LOOKALIKE_HOSTS]:
        hits = lookalike.compare(host, pset)
        if hits:
            placed.extend(PlacedLookalike.of("URL", where, h) for h in hits)
            findings.append(_lookalike_finding("URL", where, hits))
    if len(first_where) > MAX_LOOKALIKE_HOSTS:
        findings.append(
            Finding(
                code=FindingCode.CONTENT_LIMIT,
                severity=Severity.NOTICE,
                where="message",
                detail=f"{len(first_where)} distinct URL hosts: only the first {MAX_LOOKALIKE_HOSTS} were "
                "checked for look-alikes.",
            )
        )

    # --- blocklists -------------------------------------------------------------------
    sources: dict[str, list[str]] = {}

    def note(domain: str | None, source: str) -> None:
        if domain:
            sources.setdefault(domain, [])
            if source not in sources[domain]:
                sources[domain].append(source)

    for u in url_scan.urls:
        if u.ip_literal:
            note(u.host_ascii, "URL")
        else:
            note(u.registered_domain, "URL")
    for place, _where, domain in places:
        info = parse_host(domain)
        if info.ascii is None:
            continue
        note(info.ascii, place)
        note(info.registered_domain, place)
    skip = {d.lower().rstrip(".") for d in skip_domains}
    domains = [
        d for d in sources if d not in skip and not (d in pset.owned and pset.owned[d] != "recipient")
    ]  # a brand's own domains are not looked up
    results: tuple[DNSBLResult, ...] = ()
    all_zones = ctx.config.dnsbl_zones if zones is None else zones
    if all_zones is None:
        all_zones = dnsbl.DEFAULT_ZONES
    domain_zones = tuple(z for z in all_zones if isinstance(z, DNSBLZone) and z.kind == "domain")
    if domains and domain_zones and ctx.config.dns_checks:
        if len(domains) > MAX_DNSBL_DOMAINS:
            findings.append(
                Finding(
                    code=FindingCode.CONTENT_LIMIT,
                    severity=Severity.NOTICE,
                    where="message",
                    detail=f"{len(domains)} distinct domains: only the first {MAX_DNSBL_DOMAINS} were looked up "
                    "in the blocklists.",
                )
            )
            domains = domains[:MAX_DNSBL_DOMAINS]
        try:
            results = dnsbl.check_domains(domains, zones=domain_zones, ctx=ctx, health=dnsbl_health)
        except InputError:
            results = ()
        for r in results:
            findings.extend(r.findings)
    return ContentScan(
        urls=url_scan.urls,
        attachments=att_scan.attachments,
        lookalikes=tuple(placed),
        domains=tuple(ScannedDomain(domain=d, sources=tuple(sources[d])) for d in domains),
        dnsbl=results,
        findings=tuple(dict.fromkeys(findings)),
        urls_truncated=url_scan.truncated,
    )


# ---------------------------------------------------------------------------------------
# Flat rows for frames.py
# ---------------------------------------------------------------------------------------
def _listing(results: Sequence[DNSBLResult]) -> tuple[str | None, bool | None]:
    if not results:
        return None, None
    listed = [f"{r.zone}: {', '.join(r.meanings) or ', '.join(r.codes)}" for r in results if r.listed]
    if listed:
        return "; ".join(listed), True
    if all(r.listed is False for r in results):
        return None, False
    return None, None


def url_rows(result: ContentScan) -> list[dict[str, Any]]:
    """One dict per URL with the ``urls`` frame columns (see the module docstring)."""
    by_host: dict[str, list[str]] = {}
    for p in result.lookalikes:
        if p.place == "URL":
            by_host.setdefault(p.domain, []).append(f"{p.technique}: {p.resembles}")
    by_item: dict[str, list[DNSBLResult]] = {}
    for r in result.dnsbl:
        by_item.setdefault(r.item, []).append(r)
    rows = []
    for u in result.urls:
        key = u.host_ascii if u.ip_literal else u.registered_domain
        listing, listed = _listing(by_item.get(key or "", []))
        rows.append(
            {
                "part": u.part,
                "content_type": u.content_type,
                "source": u.source,
                "tag": u.tag,
                "url": u.url,
                "scheme": u.scheme,
                "host": u.host,
                "host_ascii": u.host_ascii,
                "host_unicode": u.host_unicode,
                "registered_domain": u.registered_domain,
                "ip_literal": u.ip_literal,
                "idn": u.idn,
                "userinfo": u.userinfo,
                "text": u.text,
                "text_domain": u.text_domain,
                "text_mismatch": u.text_mismatch,
                "embedded_in": u.embedded_in,
                "obfuscation": ", ".join(u.obfuscation) or None,
                "truncated": u.truncated,
                "lookalike": "; ".join(by_host.get(u.host_ascii or "", [])) or None,
                "dnsbl": listing,
                "dnsbl_listed": listed,
            }
        )
    return rows


def attachment_rows(result: ContentScan) -> list[dict[str, Any]]:
    """One dict per attachment with the ``attachments`` frame columns."""
    rows = []
    for a in result.attachments:
        arc = a.archive
        rows.append(
            {
                "part": a.part,
                "filename": a.filename,
                "name_encoding": a.name_encoding,
                "disposition": a.disposition,
                "content_id": a.content_id,
                "declared_type": a.declared_type,
                "sniffed_type": a.sniffed_type,
                "type_mismatch": a.type_mismatch,
                "size": a.size,
                "md5": a.md5,
                "sha1": a.sha1,
                "sha256": a.sha256,
                "extension": a.extension,
                "double_extension": a.double_extension,
                "category": a.category,
                "archive_format": arc.format if arc else None,
                "archive_entries": arc.entry_count if arc else None,
                "archive_encrypted": arc.encrypted if arc else None,
                "archive_declared_size": arc.declared_size if arc else None,
                "archive_ratio": arc.ratio if arc else None,
                "archive_bomb": arc.bomb if arc else None,
                "password_fields": a.password_fields,
                "form_actions": "\n".join(a.form_actions) or None,
                "external_actions": "\n".join(a.external_actions) or None,
                "calendar_links": "\n".join(a.calendar_links) or None,
                "saved_path": a.saved_path,
            }
        )
    return rows


def archive_rows(result: ContentScan) -> list[dict[str, Any]]:
    """One dict per archive member with the ``archive_entries`` frame columns."""
    rows = []
    for a in result.attachments:
        if a.archive is None:
            continue
        for e in a.archive.entries:
            rows.append(
                {
                    "part": a.part,
                    "archive_format": a.archive.format,
                    "name": e.name,
                    "size": e.size,
                    "compressed_size": e.compressed_size,
                    "ratio": e.ratio,
                    "encrypted": e.encrypted,
                    "method": e.method,
                    "is_dir": e.is_dir,
                }
            )
    return rows


def lookalike_rows(result: ContentScan) -> list[dict[str, Any]]:
    """One dict per placed look-alike with the ``lookalikes`` frame columns."""
    return [
        {
            "place": p.place,
            "where": p.where,
            "domain": p.domain,
            "domain_unicode": p.domain_unicode,
            "resembles": p.resembles,
            "owner": p.owner,
            "kind": p.kind,
            "technique": p.technique,
            "distance": p.distance,
            "mixed_script": p.mixed_script,
            "detail": p.detail,
        }
        for p in result.lookalikes
    ]
