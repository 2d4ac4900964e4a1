"""The organizational domain: the Public Suffix List, or the DMARCbis DNS Tree Walk.

Two ways to find where an organization's namespace begins:

``method="psl"`` (RFC 7489 §3.2)
    The registrable domain by the Public Suffix List (https://publicsuffix.org/): the
    public suffix plus one label. The list is the one bundled with the
    ``publicsuffixlist`` package, or a given ``.dat`` file; both its ICANN and PRIVATE
    sections are used by default, as DMARC implementations usually do (RFC 7489 §3.2
    names the list but not the section; OpenDMARC and most receivers use the whole
    file). ``private=False`` keeps the ICANN section only. A name that *is* a public
    suffix, or that is not a usable domain name, has no organizational domain (None).

``method="rfc9989"`` (RFC 9989, DMARCbis, §4.10)
    The DNS Tree Walk: ``_dmarc.<name>`` TXT queries from the domain towards the root,
    at most eight, deciding by the ``psd=`` tags of the records found. :func:`walk`
    returns every query made, the organizational domain (§4.10.2) and the DMARC policy
    domain (§4.10.1), because DMARC needs both.

The section numbers and the rules quoted here are those of draft-ietf-dmarc-dmarcbis-41,
the version in the RFC Editor queue that became RFC 9989 (the published RFC text was not
at hand when this was written; check the quotes against it).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import idna
from publicsuffixlist import PublicSuffixList

from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.base import Resolver

__all__ = [
    "MAX_WALK_QUERIES",
    "METHODS",
    "TreeWalk",
    "WalkQuery",
    "load_psl",
    "organizational_domain",
    "walk",
    "walk_targets",
]

#: The methods :func:`organizational_domain` knows.
METHODS = ("psl", "rfc9989")

#: RFC 9989 §4.10: "Author Domains with more than eight labels do not result in more than
#: eight DNS queries".
MAX_WALK_QUERIES = 8
# §4.10 step 4: "If x >= 8, remove the left-most labels ... until 7 labels remain."
_SHORTENED_LABELS = 7

# RFC 1035 §2.3.4 size limits, on the wire (A-label) form.
_MAX_LABEL = 63
_MAX_NAME = 253

# RFC 9989 §4.8: dmarc-version = "v" equals %s"DMARC1" (the value is case-sensitive, the tag
# name is an ABNF literal and so is not); it must be the first tag.
_DMARC_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")


# ---------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------
# White space as str.isspace() knows it (``re`` matches \s of a str pattern by the same test).
_SPACE = re.compile(r"\s")


def _labels(domain: str | None) -> list[str] | None:
    """Lower-cased labels of ``domain`` as written (U-labels kept), or None if unusable.

    One trailing dot (the root) is accepted; a leading dot or any other empty label is
    not a domain name (PSL algorithm: "empty labels are not permitted").
    """
    if domain is None or not isinstance(domain, str):
        return None
    name = domain.strip()
    if name.endswith("."):
        name = name[:-1]
    if not name or _SPACE.search(name):
        return None
    labels = name.lower().split(".")
    if any(label == "" for label in labels):
        return None
    # An address is not a domain name: a top-level label is never all-numeric
    # (RFC 3696 §2), which rules out "192.0.2.1"; and ":" never appears in a host name.
    if labels[-1].isdigit() or ":" in name:
        return None
    return labels


def _a_label(label: str) -> str | None:
    """One label in A-label form (RFC 5890 §2.3.2.1); ASCII labels pass through."""
    if label.isascii():
        return label
    try:
        return idna.encode(label, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def _a_labels(labels: Sequence[str]) -> list[str] | None:
    """The A-label form of every label, or None if one cannot be converted or is too long."""
    out: list[str] = []
    for label in labels:
        a = _a_label(label)
        if a is None or len(a) > _MAX_LABEL:
            return None
        out.append(a)
    if len(".".join(out)) > _MAX_NAME:
        return None
    return out


# ---------------------------------------------------------------------------------------
# Public Suffix List
# ---------------------------------------------------------------------------------------
_PSL_CACHE: dict[tuple[str | None, bool], PublicSuffixList] = {}
_PSL_LOCK = threading.Lock()


def load_psl(psl_file: str | os.PathLike[str] | None = None, *, private: bool = True) -> PublicSuffixList:
    """The parsed Public Suffix List, loaded once per (file, sections) and then shared.

    Thread-safe: the first caller parses the file under a lock; later callers get the
    same read-only object (``PublicSuffixList`` is safe to share once built).

    Parameters
    ----------
    psl_file
        A ``public_suffix_list.dat`` file; None for the list bundled with the
        ``publicsuffixlist`` package (no network is ever used).
    private
        Include the PRIVATE section (``blogspot.com``, ``github.io``, ...). Default True.

    Returns
    -------
    publicsuffixlist.PublicSuffixList

    Raises
    ------
    InputError
        If ``psl_file`` cannot be read.
    """
    key_path = None if psl_file is None else str(Path(psl_file).resolve())
    key = (key_path, private)
    psl = _PSL_CACHE.get(key)
    if psl is not None:
        return psl
    with _PSL_LOCK:
        psl = _PSL_CACHE.get(key)
        if psl is None:
            if key_path is None:
                psl = PublicSuffixList(only_icann=not private)
            else:
                try:
                    with open(key_path, "rb") as fh:
                        psl = PublicSuffixList(fh, only_icann=not private)
                except OSError as exc:
                    raise InputError(f"cannot read the Public Suffix List {psl_file!s}: {exc}") from exc
            _PSL_CACHE[key] = psl
    return psl


def _psl_org(domain: str | None, *, psl_file: str | os.PathLike[str] | None, private: bool) -> str | None:
    if psl_file is None and isinstance(domain, str):
        return _bundled_psl_org(domain, private)
    return _psl_org_uncached(domain, psl_file=psl_file, private=private)


@lru_cache(maxsize=8192)
def _bundled_psl_org(domain: str, private: bool) -> str | None:
    # Pure for the bundled list, so memoised: an analysis asks for the organizational
    # domain of the same names several times (alignment, blocklists, look-alikes), and a
    # batch meets the same senders again. A given list file is not cached here: the
    # same path may name another file later.
    return _psl_org_uncached(domain, psl_file=None, private=private)


def _psl_org_uncached(domain: str | None, *, psl_file: str | os.PathLike[str] | None, private: bool) -> str | None:
    labels = _labels(domain)
    if labels is None or _a_labels(labels) is None:
        return None
    psl = load_psl(psl_file, private=private)
    # The PSL algorithm (https://github.com/publicsuffix/list/wiki/Format): the longest
    # matching rule, exceptions first, the implicit "*" rule for unlisted TLDs; the
    # registrable domain is the public suffix plus one label. The package holds each rule
    # in both U-label and A-label form, so the answer keeps the form the input used.
    return psl.privatesuffix(".".join(labels))


# ---------------------------------------------------------------------------------------
# DMARCbis DNS Tree Walk
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class WalkQuery:
    """One ``_dmarc.<name>`` TXT query of a DNS Tree Walk.

    Parameters
    ----------
    name
        The domain the query was for (A-labels, no ``_dmarc.`` prefix).
    qname
        The name asked: ``"_dmarc." + name``.
    status
        The DNS status (``"NOERROR"``, ``"NXDOMAIN"``, ``"SERVFAIL"``, ``"TIMEOUT"``, ...).
    txt
        Every TXT record returned, its character-strings joined (RFC 9989 §4.5).
    record
        The one valid DMARC Policy Record at this name, or None: none was published, or
        several were and so all are discarded (RFC 9989 §4.10 step 2).
    dmarc_records
        How many TXT records started with ``v=DMARC1``.
    psd
        The record's ``psd`` tag value (``"y"``, ``"n"`` or ``"u"``), None when absent
        or not valid (the default, ``u``, applies).
    """

    name: str
    qname: str
    status: str
    txt: tuple[str, ...] = ()
    record: str | None = None
    dmarc_records: int = 0
    psd: str | None = None

    @property
    def temporary_failure(self) -> bool:
        """True when this query failed transiently (SERVFAIL, REFUSED, TIMEOUT)."""
        return self.status in ("SERVFAIL", "REFUSED", "TIMEOUT")


WalkStatus = Literal["ok", "temperror", "invalid"]
PolicySource = Literal["author", "organizational", "psd"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeWalk:
    """The outcome of a DMARCbis DNS Tree Walk (RFC 9989 §4.10).

    Parameters
    ----------
    domain
        The domain the walk started at, in A-label form, lower case, no trailing dot.
    status
        ``"ok"``; ``"temperror"`` when a query failed transiently (the walk stops there:
        a record not seen may hold the deciding ``psd`` tag); ``"invalid"`` when
        ``domain`` is not a usable domain name (no query is made).
    queries
        Every query made, in order (at most :data:`MAX_WALK_QUERIES`).
    org_domain
        The Organizational Domain (§4.10.2), A-labels; None on temperror or invalid input.
    org_rule
        Which rule of §4.10.2 decided: ``"psd=n"``, ``"psd=y"``, ``"fewest-labels"`` or
        ``"no-record"`` (no valid record at all: the starting domain is its own
        Organizational Domain); None when undecided.
    policy_domain
        The domain whose DMARC Policy Record applies (§4.10.1): the Author Domain, else
        its Organizational Domain, else its Public Suffix Domain; None when no record
        applies (DMARC does not apply) or when it could not be determined.
    policy_record
        The text of that DMARC Policy Record.
    policy_source
        ``"author"``, ``"organizational"`` or ``"psd"``: which of the three it was (so a
        DMARC check knows whether ``p``, or ``sp``/``np``, applies).
    psd_domain
        The Public Suffix Domain found (a record with ``psd=y``), if any.
    temperror_at
        The name whose query failed, on temperror.
    """

    domain: str
    status: WalkStatus
    queries: tuple[WalkQuery, ...] = ()
    org_domain: str | None = None
    org_rule: str | None = None
    policy_domain: str | None = None
    policy_record: str | None = None
    policy_source: PolicySource | None = None
    psd_domain: str | None = None
    temperror_at: str | None = None

    @property
    def query_names(self) -> tuple[str, ...]:
        """The names asked, in order (``_dmarc.``-prefixed)."""
        return tuple(q.qname for q in self.queries)

    @property
    def records(self) -> tuple[WalkQuery, ...]:
        """The queries that found one valid DMARC Policy Record, longest name first."""
        return tuple(q for q in self.queries if q.record is not None)


def walk_targets(labels: Sequence[str]) -> list[str]:
    """The names a full Tree Walk queries for a domain with these labels (RFC 9989 §4.10).

    The domain itself; then, with ``x`` labels, the name shortened to ``min(x - 1, 7)``
    labels (step 4: "If x < 8, remove the left-most label ... If x >= 8, remove the
    left-most labels ... until 7 labels remain"); then one label fewer each time, down to
    the top-level domain (step 7). Never more than eight names.
    """
    x = len(labels)
    targets = [".".join(labels)]
    n = min(x - 1, _SHORTENED_LABELS)
    while n >= 1:
        targets.append(".".join(labels[x - n :]))
        n -= 1
    return targets


def _parse_psd(record: str) -> str | None:
    """The ``psd`` tag value of a DMARC record, if present and valid (§4.7)."""
    for part in record.split(";")[1:]:
        name, sep, value = part.partition("=")
        if not sep:
            continue
        # Tag names follow the DKIM tag-list rules (RFC 6376 §3.2): case-sensitive.
        if name.strip() == "psd":
            v = value.strip().lower()
            # dmarc-psd = "y" / "n" / "u"; a syntax error falls back to the default (§4.7).
            return v if v in ("y", "n", "u") else None
    return None


def _query(resolver: Resolver, name: str) -> WalkQuery:
    qname = "_dmarc." + name
    answer = resolver.query(qname, "TXT")
    if answer.status != "NOERROR":
        return WalkQuery(name=name, qname=qname, status=answer.status)
    txt = answer.txt_strings()
    # §4.10 step 2: "Records that do not start with a "v" tag that identifies the current
    # version of DMARC are discarded. If multiple DMARC Policy Records are returned for a
    # single target, they are all discarded."
    dmarc = [t for t in txt if _DMARC_VERSION.match(t)]
    record = dmarc[0] if len(dmarc) == 1 else None
    return WalkQuery(
        name=name,
        qname=qname,
        status=answer.status,
        txt=txt,
        record=record,
        dmarc_records=len(dmarc),
        psd=_parse_psd(record) if record is not None else None,
    )


def walk(domain: str, *, ctx: Context) -> TreeWalk:
    """Run the DMARCbis DNS Tree Walk from ``domain`` (RFC 9989 §4.10).

    Queries ``_dmarc.<domain>`` TXT, then (§4.10 step 4) the name shortened to at most
    seven labels, then one label fewer at a time; it stops at the first single valid
    DMARC Policy Record with ``psd=y`` or ``psd=n`` (steps 2 and 6) or at the top-level
    domain, after at most eight queries.

    The Organizational Domain (§4.10.2): going through the names with a valid record
    from the longest to the shortest, a record with ``psd=n`` makes that name the
    Organizational Domain; a record with ``psd=y`` (other than at the starting domain)
    makes the name one label below it, on the way to the starting domain, the
    Organizational Domain; otherwise it is the name with a record and the fewest labels;
    and with no record at all, the starting domain itself.

    The DMARC Policy Domain (§4.10.1): the Author Domain if it has a record, else its
    Organizational Domain if that has one, else the Public Suffix Domain (``psd=y``).

    Parameters
    ----------
    domain
        The domain to start at (an Author Domain, an SPF or DKIM identifier). U-labels
        are converted to A-labels first (RFC 9989 §5.3.1); case and a trailing dot do
        not matter.
    ctx
        The context whose resolver answers the queries.

    Returns
    -------
    TreeWalk
        Every query made, the Organizational Domain, the policy domain and its record.
    """
    labels = _labels(domain)
    a_labels = _a_labels(labels) if labels is not None else None
    if a_labels is None:
        shown = domain.strip().lower() if isinstance(domain, str) else ""
        return TreeWalk(domain=shown, status="invalid")
    start = ".".join(a_labels)
    resolver: Resolver = ctx.get_resolver()

    queries: list[WalkQuery] = []
    for target in walk_targets(a_labels):
        q = _query(resolver, target)
        queries.append(q)
        if q.temporary_failure:
            # RFC 9989 §5.3.6: a query that does not complete means the message can
            # neither pass nor fail. Stop: the missing answer may hold the deciding psd.
            author_record = queries[0].record
            return TreeWalk(
                domain=start,
                status="temperror",
                queries=tuple(queries),
                # §4.10.1: the Author Domain's own record, when seen, applies whatever
                # the rest of the walk would have found.
                policy_domain=start if author_record is not None else None,
                policy_record=author_record,
                policy_source="author" if author_record is not None else None,
                temperror_at=q.qname,
            )
        if q.record is not None and q.psd in ("y", "n"):
            break  # §4.10 steps 2 and 6: "If a single record remains and it contains ... psd, stop."

    org_domain, org_rule, psd_domain = _select_org(start, a_labels, queries)

    # §4.10.1 Policy discovery: Author Domain, then Organizational Domain, then PSD.
    by_name = {q.name: q for q in queries if q.record is not None}
    policy_domain: str | None = None
    policy_source: PolicySource | None = None
    if start in by_name:
        policy_domain, policy_source = start, "author"
    elif org_domain in by_name:
        policy_domain, policy_source = org_domain, "organizational"
    elif psd_domain is not None:
        policy_domain, policy_source = psd_domain, "psd"
    return TreeWalk(
        domain=start,
        status="ok",
        queries=tuple(queries),
        org_domain=org_domain,
        org_rule=org_rule,
        policy_domain=policy_domain,
        policy_record=by_name[policy_domain].record if policy_domain is not None else None,
        policy_source=policy_source,
        psd_domain=psd_domain,
    )


def _select_org(start: str, labels: Sequence[str], queries: Sequence[WalkQuery]) -> tuple[str, str, str | None]:
    """RFC 9989 §4.10.2: (Organizational Domain, the rule that decided, PSD found)."""
    found = [q for q in queries if q.record is not None]  # already longest to shortest
    for q in found:
        # 1. "If a valid DMARC Policy Record contains the "psd" tag set to "n" ("psd=n"),
        #    this is the Organizational Domain".
        if q.psd == "n":
            return q.name, "psd=n", None
        # 2. "If a valid DMARC Policy Record, other than the one for the domain where the
        #    tree walk started, contains the "psd" tag set to "y" ("psd=y"), the
        #    Organizational Domain is the domain one label below this one".
        if q.psd == "y" and q.name != start:
            depth = q.name.count(".") + 1
            return ".".join(labels[len(labels) - depth - 1 :]), "psd=y", q.name
    if found:
        # 3. "Otherwise, select the DMARC Policy Record found at the name with the fewest
        #    number of labels. This is the Organizational Domain".
        shortest = min(found, key=lambda q: q.name.count("."))
        psd = shortest.name if shortest.psd == "y" else None
        return shortest.name, "fewest-labels", psd
    # "If this process does not determine the Organizational Domain, then the initial
    # target domain is the Organizational Domain."
    return start, "no-record", None


# ---------------------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------------------
def organizational_domain(
    domain: str | None,
    *,
    method: str = "psl",
    ctx: Context | None = None,
    psl_file: str | os.PathLike[str] | None = None,
    private: bool = True,
) -> str | None:
    """The organizational domain of ``domain``.

    Parameters
    ----------
    domain
        A domain name. Case and one trailing dot do not matter; U-labels and A-labels are
        both accepted.
    method
        ``"psl"``: the Public Suffix List (RFC 7489 §3.2), no DNS; ``"rfc9989"``: the
        DMARCbis DNS Tree Walk (RFC 9989 §4.10.2), through ``ctx``'s resolver.
    ctx
        The context whose resolver the tree walk uses; required for ``"rfc9989"``.
    psl_file
        For ``"psl"``: a ``public_suffix_list.dat`` to use instead of the bundled list.
    private
        For ``"psl"``: include the list's PRIVATE section (default True).

    Returns
    -------
    str or None
        Lower case, no trailing dot, in the form the input used (U-labels stay U-labels).
        None when there is none: the name is a public suffix itself or not a usable
        domain name (``"psl"``), or a DNS query failed transiently (``"rfc9989"``; see
        :func:`walk` for the detail). With ``"rfc9989"`` a domain with no DMARC record
        anywhere on its walk is its own organizational domain.

    Raises
    ------
    InputError
        For an unknown ``method``, or ``"rfc9989"`` without ``ctx``.

    Examples
    --------
    >>> organizational_domain("a.b.example.co.uk")
    'example.co.uk'
    >>> organizational_domain("co.uk") is None
    True
    """
    if method == "psl":
        return _psl_org(domain, psl_file=psl_file, private=private)
    if method == "rfc9989":
        if ctx is None:
            raise InputError('organizational_domain(method="rfc9989") needs ctx= (its resolver is queried)')
        labels = _labels(domain)
        if labels is None or domain is None:
            return None
        result = walk(domain, ctx=ctx)
        if result.org_domain is None:
            return None
        # The org domain is always a suffix of the starting domain: give it back in the
        # form the caller used (U-labels stay U-labels), like the "psl" method.
        depth = result.org_domain.count(".") + 1
        return ".".join(labels[len(labels) - depth :])
    raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
