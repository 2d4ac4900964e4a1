"""DMARC: RFC 7489 and RFC 9989 (DMARCbis), with PSD DMARC (RFC 9091).

:func:`evaluate` takes the author (RFC 5322.From) domain and the SPF and DKIM outcomes
and returns a :class:`DMARCResult`: the policy record found and where, the
Organizational Domain, strict or relaxed alignment of each identifier, the policy that
applies (``p``, ``sp`` or ``np``), and the disposition a receiver would choose.

Two discovery methods:

- ``method="rfc7489"``: ``_dmarc.<author domain>``, then ``_dmarc.<organizational
  domain>`` from the Public Suffix List (RFC 7489 §6.6.3), then — PSD DMARC, RFC 9091
  §3 — ``_dmarc.<public suffix domain>``. Alignment compares PSL organizational domains.
- ``method="rfc9989"`` (default): the DNS Tree Walk (RFC 9989 §4.10, at most 8 queries,
  ``psd=`` tags) for both the policy record and the Organizational Domain; relaxed
  alignment compares tree-walk Organizational Domains.

:func:`author_domain` extracts the author domain from a message, carefully: several
From fields or several addresses make DMARC inapplicable (``permerror``, RFC 7489 §6.6.1),
display names that look like addresses are reported, IDN domains compare in A-label form.

Hand-written because the maintained libraries (checkdmarc, authheaders) neither do the
RFC 9989 tree walk nor route DNS through an injected resolver, which evidence replay needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from functools import lru_cache
from typing import Literal

import idna

from mailforensics.addresses import read_mailboxes
from mailforensics.auth import orgdomain
from mailforensics.context import Context
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import HeaderField, Message

__all__ = ["AuthorDomain", "DMARCRecord", "DMARCResult", "ReportURI", "author_domain", "evaluate", "parse_record"]

Method = Literal["rfc7489", "rfc9989"]
# RFC 7489 §6.4 and RFC 9989 §4.8: dmarc-version = "v" equals "DMARC1", the value case
# sensitive (%x44 %x4d %x41 %x52 %x43 %x31 / %s"DMARC1"), first in the record; the same test
# the tree walk applies (orgdomain._DMARC_VERSION), so both discovery methods see the same records.
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")
# dmarc-percent = "pct" equals 1*3DIGIT (RFC 7489 §6.4): ASCII digits only, at most three.
_PCT = re.compile(r"[0-9]{1,3}")
_POLICIES = ("none", "quarantine", "reject")
_ORDER = {"none": 0, "quarantine": 1, "reject": 2}


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ReportURI:
    """One ``rua``/``ruf`` destination and whether it may receive reports.

    Parameters
    ----------
    tag
        ``"rua"`` or ``"ruf"``.
    uri
        The URI as written (without a ``!size`` limit).
    host
        The destination domain for ``mailto:`` URIs.
    external
        The destination's organizational domain differs from the policy domain's.
    authorized
        For external destinations: whether ``<policy domain>._report._dmarc.<host>``
        publishes a ``v=DMARC1`` record (RFC 7489 §7.1); None when not external or the
        lookup failed.
    """

    tag: str
    uri: str
    host: str | None
    external: bool
    authorized: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DMARCRecord:
    """A parsed DMARC Policy Record (RFC 7489 §6.3, RFC 9989 §4.7).

    Unknown tags are ignored, and so is an invalid ``adkim``, ``aspf``, ``pct``, ``t`` or
    ``psd`` (its default applies). A record whose ``p`` is invalid, or whose ``sp`` (or,
    with RFC 9989, ``np``) is invalid, reads as a record holding only ``p=none`` when its
    ``rua`` names a valid reporting URI, and is unusable (``valid`` False) otherwise (RFC
    7489 §6.6.3, RFC 9989 §4.10.1). A record without ``p`` is the same case under RFC 7489;
    under RFC 9989 it is treated as if it included ``p=none`` (§4.7), its other tags kept.
    """

    text: str
    valid: bool
    p: str | None
    sp: str | None
    np: str | None
    adkim: str
    aspf: str
    pct: int
    testing: bool
    psd: str | None
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]


def _split_uris(value: str) -> tuple[str, ...]:
    out = []
    for part in value.split(","):
        uri = part.strip()
        if "!" in uri:  # "mailto:x@example.com!10m": a size limit (RFC 7489 §6.2)
            uri = uri.split("!", 1)[0].rstrip()
        if uri:
            out.append(uri)
    return tuple(out)


@lru_cache(maxsize=1024)
def parse_record(text: str, *, method: Method = "rfc9989") -> DMARCRecord:
    """Parse a DMARC record; never raises.

    Pure and its result immutable, so memoised: a batch reads the same few records.

    Parameters
    ----------
    text
        The TXT record, character-strings joined.
    method
        Whose rules for a missing or invalid policy tag apply: ``"rfc9989"`` (default) or
        ``"rfc7489"`` (see :class:`DMARCRecord`).
    """
    tags: list[tuple[str, str]] = []
    problems: list[str] = []
    versioned = bool(_VERSION.match(text))
    parts = text.split(";")
    for part in parts[1:] if versioned else parts:
        name, sep, value = part.partition("=")
        if not sep:
            if part.strip():
                problems.append(f"not a tag: {part.strip()!r}")
            continue
        tags.append((name.strip(), value.strip()))
    seen: dict[str, str] = {}
    for name, value in tags:
        # Tag names are case-sensitive (RFC 6376 §3.2 tag-list rules); the first wins.
        seen.setdefault(name, value)

    def policy(tag: str) -> str | None:
        value = seen.get(tag)
        if value is None:
            return None
        if value.lower() in _POLICIES:
            return value.lower()
        problems.append(f"invalid {tag}={value!r}")
        return None

    p = policy("p")
    sp = policy("sp")
    np_ = policy("np")
    rua = _split_uris(seen.get("rua", ""))
    ruf = _split_uris(seen.get("ruf", ""))
    valid = versioned
    if not valid:
        problems.append("does not start with v=DMARC1")
    # RFC 7489 §6.6.3 names p and sp; RFC 9989 §4.10.1 adds np. Under RFC 7489 (with RFC
    # 9091's np) an invalid np is only ignored: sp, else p, applies in its place.
    checked = ("p", "sp", "np") if method == "rfc9989" else ("p", "sp")
    invalid = [t for t, v in (("p", p), ("sp", sp), ("np", np_)) if t in checked and t in seen and v is None]
    if method == "rfc9989" and "p" not in seen and not invalid:
        # RFC 9989 §4.7: "If this tag is not present in an otherwise syntactically valid
        # DMARC Policy Record, then the record is treated as if it included "p=none"".
        p = "none"
        problems.append("no p tag: treated as p=none (RFC 9989 §4.7)")
    elif "p" not in seen or invalid:
        # RFC 7489 §6.6.3, RFC 9989 §4.10.1: "If a retrieved DMARC Policy Record does not
        # contain a valid "p" tag, or contains an "sp" or "np" tag that is not valid", then
        # with a valid rua "act as if a record containing "p=none" was retrieved"; else no
        # DMARC processing.
        why = "invalid " + "/".join(invalid) if invalid else "no p tag"
        section = "RFC 9989 §4.10.1" if method == "rfc9989" else "RFC 7489 §6.6.3"
        if any(u.lower().startswith("mailto:") and "@" in u for u in rua):
            problems.append(f"{why}; read as p=none because rua is valid ({section})")
            p, sp, np_ = "none", None, None
        else:
            problems.append(f"{why} and no valid rua: the record is unusable ({section})")
            p, sp, np_ = None, None, None
            valid = False

    def alignment(tag: str) -> str:
        value = seen.get(tag, "r").lower()
        if value not in ("r", "s"):
            problems.append(f"invalid {tag}={seen.get(tag)!r}; relaxed assumed")
            return "r"
        return value

    pct = 100
    pct_text = seen.get("pct")
    if pct_text is not None:
        if _PCT.fullmatch(pct_text) and int(pct_text) <= 100:
            pct = int(pct_text)
        else:
            problems.append(f"invalid pct={pct_text[:20]!r}; 100 assumed")
    psd = seen.get("psd", "").lower() or None
    return DMARCRecord(
        text=text,
        valid=valid,
        p=p,
        sp=sp,
        np=np_,
        adkim=alignment("adkim"),
        aspf=alignment("aspf"),
        pct=pct,
        testing=seen.get("t", "n").lower() == "y",
        psd=psd if psd in ("y", "n", "u") else None,
        rua=rua,
        ruf=ruf,
        tags=tuple(tags),
        problems=tuple(problems),
    )


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class DMARCResult:
    """The DMARC evaluation of one message.

    Parameters
    ----------
    result
        ``"pass"``, ``"fail"``, ``"none"`` (no policy applies), ``"temperror"`` (DNS
        failed during discovery, or an aligned identifier's check did),
        ``"permerror"`` (no usable author domain).
    from_domain
        The author domain, A-labels, lower case.
    method
        ``"rfc7489"`` or ``"rfc9989"``.
    record
        The policy record text, or None.
    parsed
        The parsed :class:`DMARCRecord`, or None.
    policy_domain
        Where the record was found.
    policy_source
        ``"author"``, ``"organizational"`` or ``"psd"``.
    org_domain
        The author domain's Organizational Domain.
    policy
        The policy that applies: ``p``, or ``sp`` for a subdomain, or ``np`` for a
        non-existent subdomain (RFC 9091 §4, RFC 9989 §4.7).
    policy_tag
        Which tag it came from (``"p"``, ``"sp"``, ``"np"``).
    disposition
        What a receiver would do: ``"none"`` on pass; otherwise the policy, lowered one
        step in testing mode (``t=y``, RFC 9989 §4.7).
    spf_aligned, dkim_aligned
        Whether a passing SPF / DKIM identifier is aligned (None when there was none).
    aligned_dkim_domains
        The ``d=`` of passing, aligned signatures.
    testing
        ``t=y`` (RFC 9989) — the owner is testing.
    pct
        RFC 7489 sampling percentage (100 unless published).
    non_existent
        Whether the author domain was found not to exist (only asked when ``np`` matters).
    reports
        The report destinations with their authorization.
    queries
        The DNS names asked (``_dmarc.`` lookups and the others), in order.
    problem
        Why ``none``/``temperror``/``permerror``, in one sentence.
    findings
        Finding records.
    """

    result: str
    from_domain: str | None
    method: str
    record: str | None = None
    parsed: DMARCRecord | None = None
    policy_domain: str | None = None
    policy_source: str | None = None
    org_domain: str | None = None
    policy: str | None = None
    policy_tag: str | None = None
    disposition: str | None = None
    spf_aligned: bool | None = None
    dkim_aligned: bool | None = None
    aligned_dkim_domains: tuple[str, ...] = ()
    testing: bool = False
    pct: int = 100
    non_existent: bool | None = None
    reports: tuple[ReportURI, ...] = ()
    queries: tuple[str, ...] = ()
    problem: str | None = None
    findings: tuple[Finding, ...] = ()


@lru_cache(maxsize=4096)
def _a_label(domain: str | None) -> str | None:
    # Pure, so memoised: UTS #46 mapping costs tens of microseconds a name, and a batch
    # sees the same author, SPF and DKIM domains again and again.
    if not domain:
        return None
    d = domain.strip().rstrip(".").lower()
    if not d:
        return None
    try:
        return idna.encode(d, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return d.encode("idna").decode("ascii")
        except UnicodeError:
            return None


class _Lookups:
    """DNS for one evaluation: records the names asked."""

    def __init__(self, ctx: Context) -> None:
        self.resolver = ctx.get_resolver()
        self.asked: list[str] = []

    def txt(self, name: str) -> tuple[str, tuple[str, ...]]:
        answer = self.resolver.query(name, "TXT")
        self.asked.append(name)
        return answer.status, answer.txt_strings() if answer.status == "NOERROR" else ()

    def status(self, name: str, rdtype: str) -> str:
        answer = self.resolver.query(name, rdtype)
        self.asked.append(f"{name} {rdtype}")
        return "NODATA" if answer.nodata else answer.status


def _discover_7489(domain: str, dns: _Lookups) -> tuple[str, str | None, str | None, str | None, str | None]:
    """RFC 7489 §6.6.3 + RFC 9091 §3: (status, record, policy domain, source, org domain)."""
    org = orgdomain.organizational_domain(domain)
    candidates: list[tuple[str, str]] = [(domain, "author")]
    if org and org != domain:
        candidates.append((org, "organizational"))
    if org and "." in org:
        psd = org.split(".", 1)[1]
        candidates.append((psd, "psd"))
    for name, source in candidates:
        status, txt = dns.txt("_dmarc." + name)
        if status in ("SERVFAIL", "TIMEOUT", "REFUSED"):
            return "temperror", None, name, source, org
        records = [t for t in txt if _VERSION.match(t)]
        if len(records) == 1:
            if source == "psd" and parse_record(records[0], method="rfc7489").psd != "y":
                # RFC 9091 §3: only a PSD that publishes as one is used.
                continue
            return "ok", records[0], name, source, org
        # Several records: "DMARC processing is not applied" at this name (§6.6.3).
    return "ok", None, None, None, org


def _aligned(domain: str | None, author: str, mode: str, org: Callable[[str], str | None]) -> bool:
    """Strict: identical; relaxed: same Organizational Domain (RFC 7489 §3.1)."""
    d = _a_label(domain)
    if d is None:
        return False
    if d == author:
        return True
    if mode == "s":
        return False
    return org(d) is not None and org(d) == org(author)


def evaluate(
    from_domain: str | None,
    *,
    spf: tuple[str, str | None] | None = None,
    dkim: Iterable[tuple[str, str | None]] = (),
    ctx: Context,
    method: Method = "rfc9989",
) -> DMARCResult:
    """Evaluate DMARC for an author domain.

    Parameters
    ----------
    from_domain
        The RFC 5322.From domain (see :func:`author_domain`). None → ``permerror``.
    spf
        ``(result, domain)`` of the SPF check of the MAIL FROM identity (the HELO's when
        MAIL FROM was null, RFC 7489 §3.1.2).
    dkim
        ``(result, d=)`` pairs, one per signature.
    ctx
        The context (resolver).
    method
        ``"rfc9989"`` (DNS Tree Walk) or ``"rfc7489"`` (Public Suffix List, with PSD
        DMARC per RFC 9091).

    Returns
    -------
    DMARCResult
    """
    author = _a_label(from_domain)
    if author is None:
        return DMARCResult(
            result="permerror",
            from_domain=from_domain,
            method=method,
            problem="no usable author domain (RFC 7489 §6.6.1)",
        )
    dns = _Lookups(ctx)
    findings: list[Finding] = []
    if method == "rfc9989":
        walk = orgdomain.walk(author, ctx=ctx)
        dns.asked.extend(walk.query_names)
        if walk.status == "temperror" and walk.policy_source == "author" and walk.policy_record:
            # The author domain's own record was read before a DNS error above it: the
            # policy is known; only the Organizational Domain (for relaxed alignment) is
            # not. Take it from the PSL rather than give up, and say so.
            status, record, policy_domain, source = "ok", walk.policy_record, walk.policy_domain, "author"
            org = orgdomain.organizational_domain(author)
            findings.append(
                Finding(
                    code=FindingCode.DNS_TEMPERROR,
                    severity=Severity.NOTICE,
                    where="dmarc",
                    detail=f"The DMARC tree walk for {author} stopped at a DNS error ({walk.temperror_at}); "
                    f"the author domain's own policy applies, and its Organizational Domain ({org}) was taken "
                    "from the Public Suffix List.",
                )
            )
        elif walk.status == "temperror":
            status, record, policy_domain, source, org = "temperror", None, walk.temperror_at, None, None
        else:
            status, record = "ok", walk.policy_record
            policy_domain, org = walk.policy_domain, walk.org_domain
            source = str(walk.policy_source) if walk.policy_source else None

        def find_org(name: str) -> str | None:
            w = orgdomain.walk(name, ctx=ctx)
            dns.asked.extend(w.query_names)
            if w.status == "temperror":
                # As above: a DNS error in the walk falls back to the PSL for alignment.
                return orgdomain.organizational_domain(name)
            return w.org_domain

    elif method == "rfc7489":
        status, record, policy_domain, source, org = _discover_7489(author, dns)

        def find_org(name: str) -> str | None:
            return orgdomain.organizational_domain(name)

    else:
        raise ValueError(f"unknown DMARC method {method!r}")

    common = {"from_domain": author, "method": method, "org_domain": org}
    if status == "temperror":
        findings.append(
            Finding(
                code=FindingCode.DNS_TEMPERROR,
                severity=Severity.ERROR,
                where="dmarc",
                detail=f"DMARC policy discovery for {author} failed at {policy_domain}: a DNS error.",
            )
        )
        return DMARCResult(
            result="temperror",
            queries=tuple(dns.asked),
            problem=f"DNS failure at _dmarc.{policy_domain}",
            findings=tuple(findings),
            **common,  # type: ignore[arg-type]
        )
    parsed = parse_record(record, method=method) if record else None
    if parsed is None or not parsed.valid:
        if parsed is not None:
            findings.append(
                Finding(
                    code=FindingCode.DMARC_RECORD_INVALID,
                    severity=Severity.WARNING,
                    where="dmarc",
                    detail=f"The DMARC record at {policy_domain} is unusable: " + "; ".join(parsed.problems),
                    evidence=(("record", parsed.text),),
                )
            )
        findings.append(
            Finding(
                code=FindingCode.DMARC_NO_POLICY,
                severity=Severity.NOTICE,
                where="dmarc",
                detail=f"No usable DMARC policy covers {author}: receivers apply no DMARC policy.",
            )
        )
        return DMARCResult(
            result="none",
            record=record,
            parsed=parsed,
            policy_domain=policy_domain,
            policy_source=source,
            queries=tuple(dns.asked),
            problem="no DMARC policy record",
            findings=tuple(findings),
            **common,  # type: ignore[arg-type]
        )

    # --- alignment (RFC 7489 §3.1; RFC 9989 §4.4) --------------------------------------
    # One Organizational Domain per name per evaluation (a tree walk costs up to 8 queries).
    org_of: dict[str, str | None] = {author: org}

    def org_fn(name: str) -> str | None:
        if name not in org_of:
            org_of[name] = find_org(name)
        return org_of[name]

    spf_aligned: bool | None = None
    spf_temp = False
    if spf is not None:
        spf_result, spf_domain = spf
        if spf_result == "pass":
            spf_aligned = _aligned(spf_domain, author, parsed.aspf, org_fn)
        elif spf_result == "temperror":
            spf_temp = _aligned(spf_domain, author, parsed.aspf, org_fn)
    dkim_aligned: bool | None = None
    aligned_domains: list[str] = []
    dkim_temp = False
    for result, domain in dkim:
        if result == "pass":
            ok = _aligned(domain, author, parsed.adkim, org_fn)
            dkim_aligned = bool(dkim_aligned) or ok
            if ok and domain:
                aligned_domains.append(domain.lower())
        elif result == "temperror":
            dkim_temp = dkim_temp or _aligned(domain, author, parsed.adkim, org_fn)
    passed = bool(spf_aligned) or bool(dkim_aligned)

    # --- which policy (RFC 7489 §6.6.3, RFC 9091 §4, RFC 9989 §4.7) --------------------
    policy, policy_tag = parsed.p, "p"
    non_existent: bool | None = None
    if source in ("organizational", "psd"):
        if parsed.np is not None:
            non_existent = all(dns.status(author, t) in ("NXDOMAIN", "NODATA") for t in ("A", "AAAA", "MX"))
        if non_existent and parsed.np is not None:
            policy, policy_tag = parsed.np, "np"
        elif parsed.sp is not None:
            policy, policy_tag = parsed.sp, "sp"

    if passed:
        result, disposition = "pass", "none"
    elif spf_temp or dkim_temp:
        result, disposition = "temperror", None
    else:
        result = "fail"
        disposition = policy or "none"
        if parsed.testing and method == "rfc9989":
            # t=y: "apply the next lower policy" — reject → quarantine → none.
            disposition = _POLICIES[max(0, _ORDER[disposition] - 1)]
        findings.append(
            Finding(
                code=FindingCode.DMARC_FAIL,
                severity=Severity.ALERT if disposition == "reject" else Severity.WARNING,
                where="dmarc",
                detail=f"DMARC fails for {author}: no passing SPF or DKIM identifier is aligned "
                f"({'strict' if parsed.aspf == 's' else 'relaxed'} SPF, "
                f"{'strict' if parsed.adkim == 's' else 'relaxed'} DKIM). Policy {policy_tag}={policy}"
                f" from {policy_domain}; a receiver would {disposition} it.",
                evidence=(("record", parsed.text), ("spf", repr(spf)), ("dkim", repr(tuple(dkim)))),
            )
        )
    if parsed.testing:
        findings.append(
            Finding(
                code=FindingCode.DMARC_TESTING,
                severity=Severity.INFO,
                where="dmarc",
                detail=f"The DMARC record of {policy_domain} is in testing mode (t=y).",
            )
        )
    reports = _reports(parsed, policy_domain or author, dns, org_fn)
    for r in reports:
        if r.external and r.authorized is False:
            findings.append(
                Finding(
                    code=FindingCode.DMARC_REPORT_URI_UNAUTHORIZED,
                    severity=Severity.NOTICE,
                    where="dmarc",
                    detail=f"{r.tag} {r.uri} is outside {policy_domain} and {r.host} does not "
                    f"authorize it (no {policy_domain}._report._dmarc.{r.host} record, RFC 7489 §7.1).",
                )
            )
    return DMARCResult(
        result=result,
        record=parsed.text,
        parsed=parsed,
        policy_domain=policy_domain,
        policy_source=source,
        policy=policy,
        policy_tag=policy_tag,
        disposition=disposition,
        spf_aligned=spf_aligned,
        dkim_aligned=dkim_aligned,
        aligned_dkim_domains=tuple(dict.fromkeys(aligned_domains)),
        testing=parsed.testing,
        pct=parsed.pct,
        non_existent=non_existent,
        reports=reports,
        queries=tuple(dns.asked),
        findings=tuple(findings),
        **common,  # type: ignore[arg-type]
    )


def _reports(
    parsed: DMARCRecord, policy_domain: str, dns: _Lookups, org_fn: Callable[[str], str | None]
) -> tuple[ReportURI, ...]:
    out: list[ReportURI] = []
    policy_org = org_fn(policy_domain)
    for tag, uris in (("rua", parsed.rua), ("ruf", parsed.ruf)):
        for uri in uris[:10]:  # a hostile record can list hundreds; each costs a query
            host = None
            if uri.lower().startswith("mailto:") and "@" in uri:
                host = _a_label(uri.split("@", 1)[1].split("?", 1)[0])
            if host is None:
                out.append(ReportURI(tag=tag, uri=uri, host=None, external=False, authorized=None))
                continue
            external = org_fn(host) != policy_org
            authorized: bool | None = None
            if external:
                status, txt = dns.txt(f"{policy_domain}._report._dmarc.{host}")
                if status in ("NOERROR", "NXDOMAIN"):
                    authorized = any(_VERSION.match(t) for t in txt)
            out.append(ReportURI(tag=tag, uri=uri, host=host, external=external, authorized=authorized))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# The author domain
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorDomain:
    """The RFC 5322.From domain DMARC evaluates, and what made it hard to find.

    Parameters
    ----------
    domain
        A-label form, lower case; None when there is no single usable author domain.
    addresses
        Every address found in From fields.
    display_names
        Their display names, decoded (RFC 2047).
    unicode_domain
        The domain in U-label form when it is an IDN.
    findings
        ``FROM_MISSING``, ``FROM_MULTIPLE``, ``FROM_UNPARSEABLE``, ``FROM_DISPLAY_NAME_ADDRESS``,
        and ``MESSAGE_HEADER_SYNTAX`` for a display name written unquoted with an ``@``
        (``alice@example.com <bob@example.com>``: one mailbox, bob's, as mail clients
        read it — see :func:`mailforensics.addresses.read_mailboxes`).
    """

    domain: str | None
    addresses: tuple[str, ...]
    display_names: tuple[str, ...]
    unicode_domain: str | None
    findings: tuple[Finding, ...]

    @property
    def usable(self) -> bool:
        """True when exactly one author domain was found."""
        return self.domain is not None


_ADDRESS_LIKE = re.compile(
    r"[^\s@<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org)\b", re.I
)
#: How much of a display name is searched for an address: a mail client shows far less,
#: and both alternatives are quadratic on a long run without a match (each start scans
#: the run to its end): a 1 MB display name took minutes, 1,024 characters take < 10 ms.
_DISPLAY_SCAN_CHARS = 1024




def _decode(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError, HeaderParseError):  # malformed encoded-word: as written
        return text


def author_domain(message: Message) -> AuthorDomain:
    """Find the author domain of ``message`` for DMARC (RFC 7489 §6.6.1).

    Several From fields, or one with several addresses, make DMARC inapplicable to the
    message ("permerror" in :func:`evaluate`); a display name that looks like an address
    or a domain other than the real one is reported (``"paypal.com" <x@evil.example>``).

    Parameters
    ----------
    message
        The message.

    Returns
    -------
    AuthorDomain
        Found once per message and kept with it
        (``message.derived("mailforensics.auth.dmarc.author_domain", ...)``): the DMARC
        check and the content checks all ask.
    """
    return message.derived("mailforensics.auth.dmarc.author_domain", _author_domain)


def _author_domain(message: Message) -> AuthorDomain:
    """:func:`author_domain`, computed."""
    fields = message.get_all("From")
    findings: list[Finding] = []
    if not fields:
        findings.append(
            Finding(
                code=FindingCode.FROM_MISSING,
                severity=Severity.WARNING,
                where="header From",
                detail="The message has no From field (RFC 5322 §3.6 requires one): DMARC cannot apply.",
            )
        )
        return AuthorDomain(domain=None, addresses=(), display_names=(), unicode_domain=None, findings=tuple(findings))
    pairs: list[tuple[str, str]] = []
    unquoted_at: list[tuple[HeaderField, str]] = []
    garbled = False
    for f in fields:
        # getaddresses handles group syntax ("undisclosed:;", "team: a@x, b@y;");
        # read_mailboxes keeps "a@x <b@y>" one mailbox (a display name with an "@").
        read = read_mailboxes(f.unfolded)
        pairs.extend((name, addr) for name, addr in read.pairs if addr or name)
        unquoted_at.extend((f, name) for name in read.unquoted_at)
        # getaddresses gives ("", "") for what it could not read, and a bare "@domain" for
        # "a@x.example b@y.example" (two addresses without the comma RFC 5322 §3.4 needs):
        # whichever address a client shows, none can be taken as the author.
        garbled = garbled or any(
            not name and (not addr or addr.startswith("@") or addr.endswith("@")) for name, addr in read.pairs
        )
    addresses = tuple(addr for _, addr in pairs if addr)
    names = tuple(_decode(name) for name, _ in pairs)
    where = "header " + ", ".join(str(f.index) for f in fields)
    for f, name in unquoted_at[:1]:
        findings.append(
            Finding(
                code=FindingCode.MESSAGE_HEADER_SYNTAX,
                severity=Severity.NOTICE,
                where=f"header {f.index}",
                detail=f"The From display name {name[:80]!r} is written without quotes yet holds an '@' "
                "(RFC 5322 §3.2.3, §3.4 do not allow it): it is read, as mail clients read it, as the "
                "name of the address in angle brackets, not as a second address.",
                evidence=(("From", f.unfolded[:300]),),
            )
        )
    if len(fields) > 1 or len(addresses) > 1:
        findings.append(
            Finding(
                code=FindingCode.FROM_MULTIPLE,
                severity=Severity.WARNING,
                where=where,
                detail=f"{len(fields)} From field(s) with {len(addresses)} address(es): DMARC does not apply "
                "(RFC 7489 §6.6.1), and a mail client may show a different author than the one checked.",
                evidence=tuple(("From", f.unfolded) for f in fields),
            )
        )
        return AuthorDomain(
            domain=None, addresses=addresses, display_names=names, unicode_domain=None, findings=tuple(findings)
        )
    if not addresses or "@" not in addresses[0] or garbled:
        findings.append(
            Finding(
                code=FindingCode.FROM_UNPARSEABLE,
                severity=Severity.WARNING,
                where=where,
                detail="The From field holds no usable address"
                + (
                    " (it does not read as a mailbox list: addresses without separating commas, or "
                    "text that is no address); DMARC cannot apply and mail clients may show any of them."
                    if garbled and addresses
                    else "."
                ),
                evidence=(("From", fields[0].unfolded),),
            )
        )
        return AuthorDomain(
            domain=None, addresses=addresses, display_names=names, unicode_domain=None, findings=tuple(findings)
        )
    raw_domain = addresses[0].rsplit("@", 1)[1]
    domain = _a_label(raw_domain)
    unicode_domain = None
    if domain and (domain.startswith("xn--") or ".xn--" in domain):
        try:
            unicode_domain = idna.decode(domain)
        except idna.IDNAError:
            unicode_domain = None
    display = names[0] if names else ""
    for shown in _ADDRESS_LIKE.findall(display, 0, _DISPLAY_SCAN_CHARS):
        shown_domain = shown.rsplit("@", 1)[-1].lower()
        if domain and shown_domain != domain and not domain.endswith("." + shown_domain):
            findings.append(
                Finding(
                    code=FindingCode.FROM_DISPLAY_NAME_ADDRESS,
                    severity=Severity.WARNING,
                    where=where,
                    detail=f"The From display name shows {shown!r} but the address is in {domain}: "
                    "a reader sees one sender, DMARC checks another.",
                    evidence=(("From", fields[0].unfolded),),
                )
            )
            break
    if domain is None:
        findings.append(
            Finding(
                code=FindingCode.FROM_UNPARSEABLE,
                severity=Severity.WARNING,
                where=where,
                detail=f"The From domain {raw_domain!r} is not a valid domain name.",
            )
        )
    return AuthorDomain(
        domain=domain,
        addresses=addresses,
        display_names=names,
        unicode_domain=unicode_domain,
        findings=tuple(findings),
    )


def dkim_pairs(results: Sequence[object]) -> tuple[tuple[str, str | None], ...]:
    """``(result, d=)`` pairs from :mod:`mailforensics.auth.dkim` results."""
    return tuple((str(getattr(r, "result", "")), getattr(r, "domain", None)) for r in results)
