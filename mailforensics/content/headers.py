"""Header tricks: what the reader sees in From, Reply-To, Sender and Subject, against
what the addresses really are.

:func:`check` returns :class:`~mailforensics.findings.Finding` records:

- ``from-display-name-address``: the From display name shows an address or a domain
  outside the real From domain. :func:`mailforensics.auth.dmarc.author_domain` already
  reports the common forms (``"paypal.com" <x@evil.example>``, any ``user@domain``,
  also written unquoted: ``paypal.com <x@evil.example>``); its findings about the From
  field are passed through unchanged (so that an analysis that also runs the DMARC
  check keeps one copy, and one without DNS checks still sees them: ``from-multiple``,
  ``from-missing``, ``from-unparseable``, and ``message-header-syntax`` for a display
  name written unquoted with an ``@``), and this module adds the forms it does not
  cover (a bare domain under any top-level domain, an IDN).
- ``display-name-brand``: the From display name names a brand (``brands.txt``) that
  does not own the From domain (``"PayPal Service" <x@evil.example>``).
- ``reply-to-other-domain``: a Reply-To address in another organizational domain
  than From: replies go elsewhere (usual for mailing lists and some bulk senders).
- ``lookalike-domain`` (place Reply-To): that Reply-To domain imitates the From domain
  or a domain the From display name shows (``purchasing@aquillaindustries.example
  <x@evil.example>`` with replies to ``aquiIlaindustries.example``, capital I for l):
  the reader answers a domain they think they know.

Address fields are read as mail clients read them
(:func:`mailforensics.addresses.read_mailboxes`): ``a@x.example <b@y.example>`` is
one mailbox, ``b@y.example``, named ``a@x.example``.
- ``return-path-other-domain``: the Return-Path (the SMTP MAIL FROM) in another
  organizational domain than From (very common with bulk senders: information).
- ``from-sender-mismatch``: a Sender in another organizational domain than From.
- ``header-bidi-control`` and ``header-invisible-character``: Unicode bidirectional
  controls (RLO ``U+202E`` and friends) or invisible characters (zero width space, soft
  hyphen, Hangul fillers, tag characters) in a display name or the Subject, after
  RFC 2047 decoding.

Organizational domains come from the Public Suffix List (no DNS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mailforensics.addresses import mailboxes
from mailforensics.auth import dmarc
from mailforensics.content._parts import decode_words
from mailforensics.content.lookalike import Lookalike, ProtectedSet, brands_in_text, compare, default_set
from mailforensics.content.urls import find_domains, parse_host
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import HeaderField, Message

__all__ = ["BIDI_CONTROLS", "INVISIBLE", "check", "hidden_characters"]

#: Bidirectional formatting characters (Unicode UAX #9 §2): embeddings, overrides,
#: isolates; the implicit marks (LRM, RLM, ALM) separately below.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_MARKS = frozenset("\u200e\u200f\u061c")
#: Characters that render as nothing (or as blank) and hide text from readers and filters.
INVISIBLE = frozenset(
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u115f\u1160\u3164\uffa0\u180e\u17b4\u17b5"
)
_JOINERS = frozenset("\u200c\u200d")
_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF))
_MAX_ADDRESSES = 50


def _rtl(text: str) -> bool:
    return any(lo <= ord(c) <= hi for c in text for lo, hi in _RTL_RANGES)


def hidden_characters(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The bidi controls and the invisible characters in ``text``, as ``U+XXXX`` names.

    Zero-width joiners count only between two ASCII letters (elsewhere they shape
    emoji and Indic or Arabic text); the implicit direction marks only in text with no
    right-to-left script (elsewhere they are ordinary typography).

    Examples
    --------
    >>> hidden_characters("invoice\\u202egnp.exe")
    (('U+202E',), ())
    """
    if text.isascii():
        return (), ()  # every character looked for is outside ASCII
    bidi: dict[str, None] = {}
    invisible: dict[str, None] = {}
    has_rtl: bool | None = None
    for i, c in enumerate(text):
        if c in BIDI_CONTROLS:
            bidi[f"U+{ord(c):04X}"] = None
        elif c in _BIDI_MARKS:
            if has_rtl is None:
                has_rtl = _rtl(text)
            if not has_rtl:
                bidi[f"U+{ord(c):04X}"] = None
        elif c in INVISIBLE or 0xE0000 <= ord(c) <= 0xE007F:
            invisible[f"U+{ord(c):04X}"] = None
        elif c in _JOINERS:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
                invisible[f"U+{ord(c):04X}"] = None
    return tuple(bidi), tuple(invisible)


def _org(domain: str | None) -> str | None:
    if not domain:
        return None
    info = parse_host(domain.strip().rstrip("."))
    if info.ascii is None:
        return None
    if info.ip_literal:
        return info.ascii
    return info.registered_domain or info.ascii


def _domain_of(address: str) -> str | None:
    address = address.strip().strip("<>")
    if "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().rstrip(">").lower() or None


def _where(f: HeaderField) -> str:
    return f"header {f.index} ({f.name})"


def _addresses(field: HeaderField) -> list[tuple[str, str]]:
    try:
        pairs = mailboxes(field.unfolded)
    except Exception:
        return []
    return [(decode_words(name), addr) for name, addr in pairs[:_MAX_ADDRESSES]]


#: The techniques that count against the From domain itself: character tricks. An
#: organization's own other domains often wrap its name in words or sit under another
#: suffix (``example-support.com``, ``example.de`` for ``example.com``), and replies
#: going there are reported already (``reply-to-other-domain``).
_FROM_TECHNIQUES = frozenset({"homograph", "mixed-script", "ascii-swap", "edit-distance"})


def _reply_to_lookalike(org: str, from_org: str, shown: Iterable[str], owned: Mapping[str, str]) -> Lookalike | None:
    """The strongest resemblance of the Reply-To organization ``org`` to a domain the
    From display name shows (any technique) or to the From domain (character tricks
    only), if any; None for a domain a brand or the recipient owns."""
    if org in owned:
        return None
    for hit in compare(org, (*shown, from_org)):
        if hit.resembles != from_org or hit.technique in _FROM_TECHNIQUES:
            return hit
    return None


def check(message: Message, *, protected: ProtectedSet | None = None) -> tuple[Finding, ...]:
    """Header tricks in ``message``.

    Parameters
    ----------
    message
        The message.
    protected
        The protected set whose brands are looked for in the From display name
        (default: the shipped brand list).

    Returns
    -------
    tuple of Finding
        Never raises for the message's content.
    """
    try:
        return _check(message, protected)
    except Exception:  # defensive: hostile headers must not stop an analysis
        return ()


def _check(message: Message, protected: ProtectedSet | None) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    pset = protected if protected is not None else default_set()
    brands = pset.brands
    owned = pset.owned
    author = dmarc.author_domain(message)
    from_fields = message.get_all("From")
    from_org = _org(author.domain)
    where_from = "header " + ", ".join(str(f.index) for f in from_fields) if from_fields else "header From"

    # --- the From field and its display name ------------------------------------------
    # author_domain's findings (several authors, none, a display name that shows an
    # address, an unquoted "@" in it) need no DNS: passed through, equal to the DMARC
    # check's copies.
    findings.extend(author.findings)
    already = any(f.code == FindingCode.FROM_DISPLAY_NAME_ADDRESS for f in author.findings)
    display = author.display_names[0] if len(author.display_names) == 1 else ""
    shown_orgs: dict[str, None] = {}  # the other organizations the display name shows
    if display and author.domain:
        for shown in find_domains(display, limit=5):
            shown_org = _org(shown)
            if not shown_org or shown_org == from_org:
                continue
            shown_orgs[shown_org] = None
            if not already:
                already = True
                findings.append(
                    Finding(
                        code=FindingCode.FROM_DISPLAY_NAME_ADDRESS,
                        severity=Severity.WARNING,
                        where=where_from,
                        detail=f"The From display name shows {shown} but the address is in {author.domain}: "
                        "a reader sees one sender, DMARC checks another.",
                        evidence=(("From", from_fields[0].unfolded[:300]),),
                    )
                )
    if display and from_org:
        for brand in brands_in_text(display, brands):
            if owned.get(from_org) == brand.name or from_org in brand.domains:
                continue
            findings.append(
                Finding(
                    code=FindingCode.DISPLAY_NAME_BRAND,
                    severity=Severity.WARNING,
                    where=where_from,
                    detail=f"The From display name {display[:80]!r} names {brand.name}, "
                    f"but the address is in {author.domain}, which {brand.name} does not own.",
                    evidence=(("From", from_fields[0].unfolded[:300]), ("brand domains", " ".join(brand.domains[:5]))),
                )
            )
    # --- Reply-To, Sender, Return-Path -------------------------------------------------
    if from_org:
        for f in message.get_all("Reply-To")[:5]:
            for _name, addr in _addresses(f):
                org = _org(_domain_of(addr))
                if org and org != from_org:
                    findings.append(
                        Finding(
                            code=FindingCode.REPLY_TO_OTHER_DOMAIN,
                            severity=Severity.NOTICE,
                            where=_where(f),
                            detail=f"Replies go to {addr} ({org}), not to the From domain {from_org}.",
                            evidence=(("Reply-To", f.unfolded[:300]), ("From", author.addresses[0])),
                        )
                    )
                    imitated = _reply_to_lookalike(org, from_org, shown_orgs, owned)
                    if imitated is not None:
                        whose = (
                            "the From domain" if imitated.resembles == from_org else "shown in the From display name"
                        )
                        findings.append(
                            Finding(
                                code=FindingCode.LOOKALIKE_DOMAIN,
                                severity=Severity.WARNING,
                                where=_where(f),
                                detail=f"The Reply-To domain {org} looks like {imitated.resembles}, "
                                f"{whose}: {imitated.detail}",
                                evidence=(
                                    (imitated.technique, imitated.resembles),
                                    ("Reply-To", f.unfolded[:300]),
                                    ("From", from_fields[0].unfolded[:300]),
                                ),
                            )
                        )
                    break
        for f in message.get_all("Sender")[:1]:
            pairs = _addresses(f)
            addr = pairs[0][1] if pairs else ""
            org = _org(_domain_of(addr))
            if org and org != from_org:
                findings.append(
                    Finding(
                        code=FindingCode.SENDER_MISMATCH,
                        severity=Severity.NOTICE,
                        where=_where(f),
                        detail=f"The Sender {addr} ({org}) is in another organization than the From domain "
                        f"{from_org}: the message was sent on the author's behalf.",
                        evidence=(("Sender", f.unfolded[:300]), ("From", author.addresses[0])),
                    )
                )
        for f in message.get_all("Return-Path")[:1]:
            value = f.unfolded.strip()
            org = _org(_domain_of(value))
            if org and org != from_org:
                findings.append(
                    Finding(
                        code=FindingCode.RETURN_PATH_OTHER_DOMAIN,
                        severity=Severity.INFO,
                        where=_where(f),
                        detail=f"The Return-Path (bounce address) is in {org}, not the From domain {from_org}.",
                        evidence=(("Return-Path", value[:300]), ("From", author.addresses[0])),
                    )
                )
    # --- hidden characters in names and subjects ---------------------------------------
    for name in ("From", "Subject", "Reply-To", "Sender", "To", "Cc"):
        for f in message.get_all(name)[:5]:
            text = decode_words(f.unfolded)
            bidi, invisible = hidden_characters(text[:10000])
            if bidi:
                findings.append(
                    Finding(
                        code=FindingCode.HEADER_BIDI,
                        severity=Severity.WARNING,
                        where=_where(f),
                        detail=f"{f.name} contains bidirectional controls ({', '.join(bidi)}): the text shown "
                        "is reordered and may not read as it is written.",
                        evidence=((f.name, ascii(text[:300])),),
                    )
                )
            if invisible:
                findings.append(
                    Finding(
                        code=FindingCode.HEADER_INVISIBLE,
                        severity=Severity.WARNING if name == "From" else Severity.NOTICE,
                        where=_where(f),
                        detail=f"{f.name} contains invisible characters ({', '.join(invisible)}), "
                        "which hide words from readers and filters.",
                        evidence=((f.name, ascii(text[:300])),),
                    )
                )
    return tuple(findings)
