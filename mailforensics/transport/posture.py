"""A domain's mail posture: everything the DNS (and, when asked, its servers) says about it.

The analyst's question about a recipient domain — where does its mail go, who may send
as it, and can a man in the middle read or redirect what is sent to it — answered in one
table:

==========  ==============================  ==============================================
section     name                            what the row says
==========  ==============================  ==============================================
dnssec      the domain                      is its MX answer DNSSEC-validated
mx          each MX host (or the domain)    preference and addresses; null MX; no MX
spf         the domain; ``lookups``         the SPF record; its DNS-querying terms
dmarc       ``_dmarc.<policy domain>``      the DMARC record and its policy
mta-sts     ``_mta-sts.<domain>``;          the TXT record; the policy (when fetched);
            ``policy``; each MX host        whether each MX host matches a pattern
tls-rpt     ``_smtp._tls.<domain>``         the TLS-RPT record and its destinations
tlsa        ``_25._tcp.<mx host>``          the TLSA records and their DNSSEC status
dane        each MX host                    the DANE verdict (RFC 7672)
starttls    each MX host (probe only)       STARTTLS offered, TLS version and cipher
cert        ``<mx host> #<n>`` (probe)      each certificate presented: subject, issuer,
                                            validity
bimi        ``<selector>._bimi.<domain>``   the BIMI record: logo and evidence URLs
==========  ==============================  ==============================================

Columns (:data:`COLUMNS`): ``section, name, value, status, secure, detail``. ``value`` is
the record or the main fact (text), ``status`` one word per section (listed in each
row builder below), ``secure`` the DNSSEC status of the answer the row rests on
(nullable boolean: True validated, False bogus, <NA> unsigned or unknown), ``detail``
one sentence for a human.

:func:`posture_record` is pure in the house sense (records in, a frozen
:class:`DomainPosture` out, DNS only through the context's resolver);
:func:`domain_posture` turns it into a DataFrame. ``probe=True`` adds the STARTTLS/DANE
probe of each MX host and the MTA-STS policy fetch over HTTPS. Both touch the
recipient's servers, so they happen only when asked and never in offline (replay) mode.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, Any, TextIO

from mailforensics import frames
from mailforensics.auth import dmarc as dmarc_mod
from mailforensics.auth import spf as spf_mod
from mailforensics.context import Context
from mailforensics.errors import InputError, MailForensicsError
from mailforensics.transport import dane as dane_mod
from mailforensics.transport import mtasts as mtasts_mod
from mailforensics.transport.mx import MXResult, lookup_mx

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "MAX_SPF_LOOKUPS",
    "DMARCPosture",
    "DomainPosture",
    "PostureRow",
    "SPFPosture",
    "dmarc_posture",
    "domain_posture",
    "posture_frame",
    "posture_record",
    "render_table",
    "run_cli",
    "spf_posture",
]

#: The DataFrame's columns and dtypes (declared in :data:`mailforensics.frames.SCHEMAS`).
COLUMNS = dict(frames.SCHEMAS["posture"])
#: RFC 7208 §4.6.4: at most 10 DNS-querying terms per SPF check.
MAX_SPF_LOOKUPS = spf_mod.MAX_DNS_TERMS
_SPF_QUERY_TERMS = ("include", "a", "mx", "ptr", "exists")
_TEMPORARY = ("SERVFAIL", "REFUSED", "TIMEOUT")
_MAX_SPF_DEPTH = 10
_DMARC_VERSION = re.compile(r"^\s*v\s*=\s*DMARC1\s*(;|$)", re.IGNORECASE)  # RFC 7489 §6.4


@dataclass(frozen=True, slots=True, kw_only=True)
class PostureRow:
    """One row of the posture table; see the module docstring for the columns."""

    section: str
    name: str
    value: str | None
    status: str
    secure: bool | None
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SPFPosture:
    """A domain's SPF record, read without a sender to check.

    Parameters
    ----------
    domain
        The domain.
    status
        ``"ok"``, ``"none"`` (no SPF record), ``"permerror"`` (several records, a syntax
        error, or an include target without a record), ``"too-many-lookups"`` (more than
        :data:`MAX_SPF_LOOKUPS` DNS-querying terms: a check could end in permerror,
        RFC 7208 §4.6.4), ``"temperror"``.
    record
        The SPF record text.
    secure
        DNSSEC status of the TXT answer.
    lookups
        DNS-querying terms (``include a mx ptr exists`` and ``redirect``) counted through
        every include and redirect: the most a check can spend.
    includes
        The include and redirect targets followed, in order.
    problems
        What was wrong along the way.
    """

    domain: str
    status: str
    record: str | None = None
    secure: bool | None = None
    lookups: int = 0
    includes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DMARCPosture:
    """The DMARC record that governs a domain.

    Parameters
    ----------
    name
        ``_dmarc.<policy domain>``: where the record is (or was looked for).
    status
        The policy (``none``, ``quarantine``, ``reject``), ``no-record``, ``invalid``
        (several records, or unusable), ``temperror``.
    value
        The record text.
    record
        The parsed record.
    secure
        DNSSEC status of its TXT answer.
    source
        ``"author"`` (at the domain itself), ``"organizational"`` or ``"psd"``.
    detail
        One sentence.
    """

    name: str
    status: str
    value: str | None = None
    record: dmarc_mod.DMARCRecord | None = None
    secure: bool | None = None
    source: str = "author"
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainPosture:
    """Everything :func:`posture_record` found about a domain.

    Parameters
    ----------
    domain
        The domain.
    probed
        True when the servers were probed (STARTTLS, DANE, MTA-STS fetch).
    rows
        The table, as :class:`PostureRow` records.
    mx, spf, dmarc, mta_sts, tlsrpt, dane, bimi
        The records each section was built from.
    """

    domain: str
    probed: bool
    rows: tuple[PostureRow, ...]
    mx: MXResult
    spf: SPFPosture
    dmarc: DMARCPosture
    mta_sts: mtasts_mod.MTASTSResult
    tlsrpt: mtasts_mod.TLSRPTResult
    dane: dane_mod.DANEResult
    bimi: mtasts_mod.BIMIResult

    def section(self, name: str) -> tuple[PostureRow, ...]:
        """The rows of one section."""
        return tuple(r for r in self.rows if r.section == name)


# ---------------------------------------------------------------------------------------
# SPF with its lookup count
# ---------------------------------------------------------------------------------------
def _literal_target(term: Any) -> str | None:
    """The target of an include/redirect when it has no macro (else None: it depends on
    the sender, RFC 7208 §7)."""
    spec = getattr(term, "spec", None)
    if not spec or not all(isinstance(t, str) for t in spec):
        return None
    return "".join(spec).rstrip(".").lower()


def spf_posture(domain: str, *, ctx: Context) -> SPFPosture:
    """Read ``domain``'s SPF record and count its DNS-querying terms through includes and
    redirects (RFC 7208 §4.6.4).

    The count is static: every ``include``, ``a``, ``mx``, ``ptr`` and ``exists`` term,
    and ``redirect`` when the record has no ``all`` (§6.1), in the record and in every
    record it includes or redirects to. A target with a macro cannot be followed without
    a sender; it counts once and is noted.
    """
    name = domain.strip().rstrip(".").lower()
    resolver = ctx.get_resolver()
    problems: list[str] = []
    includes: list[str] = []
    lookups = 0
    temperror = False
    permerror = False

    def records_at(owner: str) -> tuple[str | None, str | None, bool | None]:
        """(record, problem, secure) of one name."""
        nonlocal temperror, permerror
        answer = resolver.query(owner, "TXT")
        if answer.status in _TEMPORARY:
            temperror = True
            return None, f"the TXT lookup of {owner} failed ({answer.status})", answer.secure
        found = [t for t in (answer.txt_strings() if answer.ok else ()) if spf_mod._is_spf_record(t)]
        if not found:
            return None, None, answer.secure
        if len(found) > 1:
            permerror = True
            return None, f"{owner} publishes {len(found)} SPF records (RFC 7208 §4.5: permerror)", answer.secure
        return found[0], None, answer.secure

    def walk(owner: str, depth: int, seen: set[str]) -> None:
        nonlocal lookups, permerror
        record, problem, _ = records_at(owner)
        if problem:
            problems.append(problem)
            return
        if record is None:
            permerror = True
            problems.append(f"{owner} has no SPF record: an include or redirect to it is a permerror (RFC 7208 §5.2)")
            return
        try:
            parsed = spf_mod._parse_record(record)
        except spf_mod._SyntaxError as exc:
            permerror = True
            problems.append(f"{owner}: {exc}")
            return
        targets: list[str | None] = []
        has_all = False
        for term in parsed.terms:
            if term.kind != "mechanism":
                continue
            if term.name == "all":
                has_all = True
            if term.name in _SPF_QUERY_TERMS:
                lookups += 1
                if term.name == "include":
                    targets.append(_literal_target(term))
        if parsed.redirect is not None and not has_all:
            lookups += 1
            targets.append(_literal_target(parsed.redirect))
        for target in targets:
            if target is None:
                problems.append(f"{owner}: a target with a macro depends on the sender; not followed")
                continue
            includes.append(target)
            if target in seen:
                problems.append(f"{owner}: {target} is included again (a loop); not followed")
                continue
            if depth >= _MAX_SPF_DEPTH:
                problems.append(f"{owner}: includes nested deeper than {_MAX_SPF_DEPTH}; not followed")
                continue
            walk(target, depth + 1, seen | {target})

    record, problem, secure = records_at(name)
    if problem:
        return SPFPosture(domain=name, status="temperror" if temperror else "permerror", secure=secure,
                          problems=(problem,))  # fmt: skip
    if record is None:
        return SPFPosture(domain=name, status="none", secure=secure)
    walk(name, 0, {name})
    if temperror:
        status = "temperror"
    elif permerror:
        status = "permerror"
    elif lookups > MAX_SPF_LOOKUPS:
        status = "too-many-lookups"
    else:
        status = "ok"
    return SPFPosture(
        domain=name, status=status, record=record, secure=secure, lookups=lookups,
        includes=tuple(includes), problems=tuple(problems),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------
def _row(section: str, name: str, value: str | None, status: str, secure: bool | None, detail: str) -> PostureRow:
    return PostureRow(section=section, name=name, value=value, status=status, secure=secure, detail=detail)


def _secure_word(secure: bool | None) -> str:
    return "secure" if secure is True else "bogus" if secure is False else "insecure"


def _mx_rows(mx: MXResult) -> list[PostureRow]:
    """Status: ``ok``, ``no-address``, ``null``, ``none``, ``nxdomain``, ``temperror``, ``invalid``."""
    if mx.status == "null":
        return [_row("mx", mx.domain, "0 .", "null", mx.mx_secure, "null MX (RFC 7505): the domain accepts no mail")]
    if mx.status != "ok":
        detail = {
            "none": "no MX record and no address: the domain cannot receive mail",
            "nxdomain": "the domain does not exist",
            "temperror": "the MX lookup failed; try again",
            "invalid": "not a usable domain name",
        }.get(mx.status, mx.status)
        return [_row("mx", mx.domain, None, mx.status, mx.mx_secure, detail)]
    rows = []
    for h in mx.hosts:
        value = f"{h.preference} {h.host}"
        if h.implicit:
            detail = "implicit MX (no MX record; the domain's own address, RFC 5321 §5.1): " + ", ".join(h.addresses)
        elif not h.resolved:
            detail = "past the MX host limit: not looked up"
        else:
            detail = ", ".join(h.addresses) or "no address"
        if h.alias:
            detail += f" (via CNAME {' -> '.join(h.alias)}: RFC 2181 §10.3 forbids an alias as MX target)"
        status = "ok" if h.addresses else "no-address"
        rows.append(_row("mx", h.host, value, status, h.secure, detail))
    return rows


def _spf_rows(spf: SPFPosture) -> list[PostureRow]:
    """Status: as :attr:`SPFPosture.status`; the ``lookups`` row: ``ok`` or ``over-limit``."""
    detail = "; ".join(spf.problems) if spf.problems else "record found"
    if spf.status == "none":
        detail = "no SPF record: any host may use the domain in MAIL FROM"
    rows = [_row("spf", spf.domain, spf.record, spf.status, spf.secure, detail)]
    if spf.record is not None:
        over = spf.lookups > MAX_SPF_LOOKUPS
        lookup_detail = f"{spf.lookups} DNS-querying terms of at most {MAX_SPF_LOOKUPS} (RFC 7208 §4.6.4)"
        if spf.includes:
            lookup_detail += "; follows " + ", ".join(spf.includes)
        rows.append(_row("spf", "lookups", str(spf.lookups), "over-limit" if over else "ok", None, lookup_detail))
    return rows


def dmarc_posture(domain: str, *, ctx: Context) -> DMARCPosture:
    """The DMARC record that governs ``domain``.

    ``_dmarc.<domain>`` first (RFC 7489 §6.6.3), read with
    :func:`~mailforensics.auth.dmarc.parse_record`; without one there, the discovery of
    :func:`~mailforensics.auth.dmarc.evaluate` (``Config.dmarc_method``: the RFC 9989
    tree walk or the organizational domain) finds the policy domain.
    """
    resolver = ctx.get_resolver()
    owner = f"_dmarc.{domain}"
    answer = resolver.query(owner, "TXT")
    if answer.status in _TEMPORARY:
        return DMARCPosture(name=owner, status="temperror", secure=answer.secure,
                            detail=f"the TXT lookup of {owner} failed ({answer.status})")  # fmt: skip
    found = [t for t in (answer.txt_strings() if answer.ok else ()) if _DMARC_VERSION.match(t)]
    if len(found) > 1:
        return DMARCPosture(name=owner, status="invalid", value=found[0], secure=answer.secure,
                            detail=f"{len(found)} DMARC records: DMARC is not applied (RFC 7489 §6.6.3)")  # fmt: skip
    source = "author"
    if found:
        text = found[0]
    else:
        result = dmarc_mod.evaluate(domain, ctx=ctx, method=ctx.config.dmarc_method)  # type: ignore[arg-type]
        if result.record is None or result.policy_domain is None:
            status = "temperror" if result.result == "temperror" else "no-record"
            return DMARCPosture(name=owner, status=status, secure=answer.secure,
                                detail=result.problem or "no DMARC record")  # fmt: skip
        text, source = result.record, result.policy_source or "organizational"
        owner = f"_dmarc.{result.policy_domain}"
        answer = resolver.query(owner, "TXT")
    parsed = dmarc_mod.parse_record(text, method=ctx.config.dmarc_method)
    if not parsed.valid:
        return DMARCPosture(name=owner, status="invalid", value=text, record=parsed, secure=answer.secure,
                            source=source, detail="; ".join(parsed.problems))  # fmt: skip
    detail = f"policy p={parsed.p}"
    if parsed.sp:
        detail += f", sp={parsed.sp}"
    if parsed.np:
        detail += f", np={parsed.np}"
    if source != "author":
        detail += f"; found at the {source} domain"
    if parsed.testing:
        detail += "; testing (t=y)"
    if parsed.pct != 100:
        detail += f"; pct={parsed.pct}"
    if parsed.rua:
        detail += "; reports to " + ", ".join(parsed.rua)
    if parsed.problems:
        detail += "; " + "; ".join(parsed.problems)
    return DMARCPosture(name=owner, status=parsed.p or "none", value=text, record=parsed, secure=answer.secure,
                        source=source, detail=detail)  # fmt: skip


def _dmarc_rows(result: DMARCPosture) -> list[PostureRow]:
    """Status: the policy (``none``, ``quarantine``, ``reject``), ``no-record``, ``invalid``, ``temperror``."""
    return [_row("dmarc", result.name, result.value, result.status, result.secure, result.detail)]


def _mta_sts_rows(result: mtasts_mod.MTASTSResult) -> list[PostureRow]:
    """Status of the TXT row: as :attr:`MTASTSResult.status` (``ok``, ``not-fetched``, ...);
    the ``policy`` row: the mode, or the fetch status; an MX row: ``match``/``mismatch``."""
    value = result.record.text if result.record is not None else (result.txt_records[0] if result.txt_records else None)
    rows = [_row("mta-sts", result.txt_name, value, result.status, result.txt_secure, result.reason)]
    if result.fetch is not None:
        f = result.fetch
        if result.policy is not None:
            p = result.policy
            summary = f"mode={p.mode} max_age={p.max_age} mx={','.join(p.mx)}"
            status = (p.mode or "invalid") if p.valid else "invalid"
            detail = f"fetched from {f.url} ({f.tls_version})"
            if not p.valid:
                detail += ": " + "; ".join(p.problems)
            rows.append(_row("mta-sts", "policy", summary, status, None, detail))
        else:
            rows.append(_row("mta-sts", "policy", None, f.status, None, f"{f.url}: {f.error}"))
    for m in result.mx_matches:
        status = "match" if m.matched else "mismatch"
        detail = f"matches mx pattern {m.pattern}" if m.matched else "no mx pattern of the policy matches this host"
        rows.append(_row("mta-sts", m.host, m.pattern, status, None, detail))
    return rows


def _tlsrpt_rows(result: mtasts_mod.TLSRPTResult) -> list[PostureRow]:
    """Status: ``ok``, ``none``, ``invalid``, ``temperror``."""
    value = result.record.text if result.record is not None else (result.records[0] if result.records else None)
    return [_row("tls-rpt", result.name, value, result.status, result.secure, result.reason)]


def _dane_rows(result: dane_mod.DANEResult, now: datetime) -> list[PostureRow]:
    """``tlsa`` status: ``secure``, ``insecure``, ``bogus``, ``none``, ``temperror``;
    ``dane`` status: :data:`~mailforensics.transport.dane.OUTCOMES`; ``starttls``:
    ``tls``, ``no-starttls``, ``error``; ``cert``: ``in-date`` or ``expired``/``not-yet-valid``."""
    rows = []
    for h in result.hosts:
        if h.tlsa_status in _TEMPORARY:
            tlsa_status = "temperror"
        elif not h.tlsa:
            tlsa_status = "none" if h.tlsa_secure is not False else "bogus"
        else:
            tlsa_status = _secure_word(h.tlsa_secure)
        text = "; ".join(r.text for r in h.tlsa) or None
        unusable = [f"{r.text}: {r.problem}" for r in h.tlsa if not r.usable]
        detail = f"{len(h.usable_tlsa)} usable of {len(h.tlsa)} ({h.tlsa_status})"
        if unusable:
            detail += "; unusable: " + "; ".join(unusable)
        rows.append(_row("tlsa", h.tlsa_name, text, tlsa_status, h.tlsa_secure, detail))
    for h in result.hosts:
        value = h.matched.record if h.matched is not None else None
        detail = h.reason
        if h.matches:
            compared = "; ".join(
                f"cert {m.position} {m.expected[:16]}… vs {m.computed[:16]}… {'=' if m.matched else '≠'}"
                for m in h.matches
            )
            detail += f" [compared: {compared}]"
        rows.append(_row("dane", h.host, value, h.outcome, h.tlsa_secure, detail))
    for h in result.hosts:
        p = h.probe
        if p is None:
            continue
        where = f"{p.address} port {p.port}"
        if p.tls:
            value, status, detail = f"{p.tls_version} {p.tls_cipher}", "tls", f"{where}; banner: {p.banner or ''}"
        elif p.connected and not p.starttls_offered:
            value, status, detail = None, "no-starttls", f"{where}: not offered (EHLO: {', '.join(p.ehlo)})"
        else:
            value, status, detail = None, "error", f"{where}: {p.error or 'the probe failed'}"
        rows.append(_row("starttls", h.host, value, status, None, detail))
        for c in p.chain:
            detail = (
                f"issuer {c.issuer}; valid {c.not_before.isoformat()} to {c.not_after.isoformat()}; "
                f"sha256 {c.sha256}; spki sha256 {c.spki_sha256}"
            )
            rows.append(_row("cert", f"{h.host} #{c.position}", c.subject, _validity(c, now), None, detail))
    return rows


def _validity(cert: dane_mod.CertificateInfo, now: datetime) -> str:
    if now < cert.not_before:
        return "not-yet-valid"
    if now > cert.not_after:
        return "expired"
    return "in-date"


def _bimi_rows(result: mtasts_mod.BIMIResult) -> list[PostureRow]:
    """Status: ``ok``, ``declined``, ``none``, ``invalid``, ``temperror``."""
    record = result.record
    value = record.location if record is not None else None
    detail = result.reason
    if record is not None and record.authority:
        detail += f"; authority evidence {record.authority}"
    if result.source != "author":
        detail += f" (from the {result.source} domain)"
    return [_row("bimi", result.name, value, result.status, result.secure, detail)]


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
def posture_record(
    domain: str,
    *,
    ctx: Context,
    probe: bool = False,
    port: int = 25,
    https_port: int = 443,
    ca_bundle: str | PathLike[str] | None = None,
    timeout: float = 15.0,
) -> DomainPosture:
    """The mail posture of ``domain`` as frozen records (no pandas).

    Parameters
    ----------
    domain
        The domain.
    ctx
        The context whose resolver answers. For DNSSEC (DANE) it must validate: a
        :class:`~mailforensics.resolvers.live.LiveResolver` with trust anchors.
    probe
        Also probe each MX host (STARTTLS, certificate chain, DANE matching) and fetch the
        MTA-STS policy over HTTPS. Touches the recipient's servers.
    port
        The SMTP port to probe (25; tests use a loopback server's).
    https_port
        The HTTPS port for the MTA-STS policy (443).
    ca_bundle
        CA certificates (PEM file) to verify the MTA-STS policy host against (default:
        the system's).
    timeout
        Seconds per probe or fetch.

    Raises
    ------
    InputError
        When ``probe`` is True and the context replays evidence (offline mode), or the
        domain is not a usable name.
    """
    if probe:
        dane_mod.refuse_offline(ctx, "Probing (domain posture with probe=True)")
    mx = lookup_mx(domain, ctx=ctx)
    if mx.status == "invalid":
        raise InputError(f"not a usable domain name: {domain!r}")
    name = mx.domain
    spf = spf_posture(name, ctx=ctx)
    dmarc = dmarc_posture(name, ctx=ctx)
    sts = mtasts_mod.check(name, ctx=ctx, fetch=probe, https_port=https_port, ca_bundle=ca_bundle,
                           timeout=timeout, mx=mx)  # fmt: skip
    rpt = mtasts_mod.tlsrpt(name, ctx=ctx)
    dane = dane_mod.check(name, ctx=ctx, probe=probe, port=port, timeout=timeout, mx=mx)
    brand = mtasts_mod.bimi(name, ctx=ctx)

    dnssec_detail = {
        True: "the MX answer is DNSSEC-validated: DANE can apply",
        False: "the MX answer failed DNSSEC validation (bogus)",
        None: "the MX answer is not validated (unsigned zone, or no trust anchor): DANE does not apply",
    }[mx.mx_secure]
    rows: list[PostureRow] = [_row("dnssec", name, mx.mx_status, _secure_word(mx.mx_secure), mx.mx_secure,
                                   dnssec_detail)]  # fmt: skip
    rows += _mx_rows(mx)
    rows += _spf_rows(spf)
    rows += _dmarc_rows(dmarc)
    rows += _mta_sts_rows(sts)
    rows += _tlsrpt_rows(rpt)
    rows += _dane_rows(dane, ctx.current_time())
    rows += _bimi_rows(brand)
    return DomainPosture(
        domain=name, probed=probe, rows=tuple(rows), mx=mx, spf=spf, dmarc=dmarc,
        mta_sts=sts, tlsrpt=rpt, dane=dane, bimi=brand,
    )  # fmt: skip


def posture_frame(posture: DomainPosture) -> pd.DataFrame:
    """The posture table as a DataFrame with :data:`COLUMNS` (pandas imported here)."""
    return frames.conform(({c: getattr(r, c) for c in COLUMNS} for r in posture.rows), "posture")


def domain_posture(
    domain: str,
    *,
    ctx: Context,
    probe: bool = False,
    port: int = 25,
    https_port: int = 443,
    ca_bundle: str | PathLike[str] | None = None,
    timeout: float = 15.0,
) -> pd.DataFrame:
    """The mail posture of ``domain`` as a DataFrame, one row per (section, item).

    Columns ``section, name, value, status, secure, detail``; see the module docstring
    for the sections and :func:`posture_record` for the parameters.

    Examples
    --------
    >>> df = domain_posture("example.com", ctx=ctx)               # doctest: +SKIP
    >>> df[df.section == "dane"]                                    # doctest: +SKIP
    """
    return posture_frame(
        posture_record(
            domain, ctx=ctx, probe=probe, port=port, https_port=https_port, ca_bundle=ca_bundle, timeout=timeout
        )
    )


def run_cli(
    domain: str,
    *,
    probe: bool = False,
    json: bool = False,
    nameserver: str | Sequence[str] | None = None,
    dns_port: int = 53,
    port: int = 25,
    https_port: int = 443,
    ca_bundle: str | PathLike[str] | None = None,
    ctx: Context | None = None,
    out: TextIO | None = None,
) -> int:
    """``mailforensics domain DOMAIN [--probe]``: print the posture table (or JSON).

    Parameters
    ----------
    domain
        The domain.
    probe
        Probe the MX hosts and fetch the MTA-STS policy.
    json
        Print a JSON document (``{"domain", "probed", "rows": [...]}``) instead of a table.
    nameserver, dns_port
        The resolver(s) to ask (default: the system's), validated locally against the
        root trust anchors.
    port, https_port, ca_bundle
        As for :func:`posture_record`.
    ctx
        A context to use instead (tests; ``nameserver`` is then ignored).
    out
        Where to print (standard output).

    Returns
    -------
    int
        0 on success, 2 for unusable arguments (the message goes to standard error).
    """
    stream = out if out is not None else sys.stdout
    try:
        if ctx is None:
            from mailforensics.resolvers.live import LiveResolver

            servers = [nameserver] if isinstance(nameserver, str) else list(nameserver) if nameserver else None
            ctx = Context(resolver=LiveResolver(servers, port=dns_port))
        posture = posture_record(domain, ctx=ctx, probe=probe, port=port, https_port=https_port, ca_bundle=ca_bundle)
    except MailForensicsError as exc:
        print(f"mailforensics: {exc}", file=sys.stderr)
        return 2
    if json:
        import json as json_mod

        document = {
            "domain": posture.domain,
            "probed": posture.probed,
            "rows": [{column: getattr(r, column) for column in COLUMNS} for r in posture.rows],
        }
        json_mod.dump(document, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return 0
    stream.write(f"== mail posture of {posture.domain}{' (probed)' if posture.probed else ''}\n")
    stream.write(render_table(posture.rows) + "\n")
    return 0


def render_table(rows: Sequence[PostureRow], *, max_width: int = 110) -> str:
    """The rows as a left-aligned text table for a terminal (long cells cut at ``max_width``)."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    table = [list(COLUMNS)] + [[cell(getattr(r, c)) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip() for line in table
    )
