"""``Authentication-Results``, ``ARC-Authentication-Results`` and ``Received-SPF`` → claims.

These fields are *claims*: what some receiver says it checked (RFC 8601 §1.2, RFC 8617
§4.1.1, RFC 7208 §9.1). Anyone can write one, including the sender, so each
:class:`AuthResults` keeps the position of its field in the header block; the analysis
decides which hop made it and whether that hop stands inside the trust boundary.

Why hand-written: the Python packages that read these fields (``authres``,
``authheaders``) follow the RFC 8601 grammar strictly, so they raise on the forms real
receivers write — Microsoft 365 leaves out the authserv-id, vendors add their own
methods (``compauth``, ``dara``, ``x-...``) and bare properties (``action=none``),
resinfos lose their ``;``, Amazon SES puts RFC 7208 ``key=value`` pairs between
resinfos — and they return neither field positions nor a note of what was skipped. An
analyst needs every claim that *can* be read, with a sentence for every part that could
not. Comments nest (RFC 5322 §3.2.2) and may sit between any two tokens, even around
``/``, ``.`` and ``=`` (RFC 8601 §2.2 and its Appendix B.7), which no regular expression
can follow. So this module reads the value left to right in one pass with a cursor (the
approach of :mod:`mailforensics.received`), producing ``key[.key]*[/version][=value]``
items grouped by ``;``, and only then interprets the groups per field.

Guarantees: the parsers never raise for a ``str``; they run in time linear in their input
(the input is capped at :data:`MAX_HEADER_CHARS`; every regular expression here is a
single character-class run that cannot backtrack); a value that cannot be fully read
gives ``parsed=False`` with ``raw`` kept and every claim that could be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailforensics.message import Message

__all__ = [
    "MAX_HEADER_CHARS",
    "AuthResults",
    "Claim",
    "message_claims",
    "parse_arc_authentication_results",
    "parse_authentication_results",
    "parse_received_spf",
]

#: Longest value read; the rest is reported as a defect. Real fields stay under 4 KiB
#: (Fastmail's, the longest, is about 2 KiB); the cap bounds the work per field.
MAX_HEADER_CHARS = 16_384

#: Fields :func:`message_claims` reads as Authentication-Results (lower-case names).
#: ``Authentication-Results-Original`` is Microsoft's copy of an earlier result.
_AR_FIELDS = frozenset({
    "authentication-results",
    "x-original-authentication-results",
    "x-ms-exchange-authentication-results",
    "authentication-results-original",
})  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One result a receiver claims: a ``resinfo`` (RFC 8601 §2.2) or a Received-SPF verdict.

    Parameters
    ----------
    method
        The method, lower-cased: ``"spf"``, ``"dkim"``, ``"dmarc"``, ``"arc"``, ``"iprev"``,
        ``"auth"``, ``"dkim-atps"``, ``"bimi"``, or a vendor's (``"compauth"``,
        ``"x-aligned-from"``) as written.
    result
        The result, lower-cased as written (RFC 8601 §2.7: ``"pass"``, ``"fail"``,
        ``"softfail"``, ``"neutral"``, ``"none"``, ``"temperror"``, ``"permerror"``,
        ``"policy"``; vendors add ``"hardfail"``, ``"bestguesspass"``, ...).
    reason
        The ``reason=`` value (RFC 8601 §2.2 reasonspec), unquoted.
    properties
        ``(key, value)`` pairs in the order written. Keys are lower-cased
        ``ptype.property`` (``"smtp.mailfrom"``, ``"header.d"``, ``"policy.dmarc"``), or a
        vendor's bare key (Microsoft's ``"action"``), or for Received-SPF the RFC 7208
        §9.1 key (``"client-ip"``, ``"envelope-from"``, ``"helo"``, ...). Values are as
        written, unquoted; an address whose local-part is quoted keeps those quotes
        (``smtp.mailfrom="pat smith"@example.com`` → ``'"pat smith"@example.com'``).
    method_version
        The method version (``dkim/1`` → ``"1"``), or None.
    comment
        The comments written inside this result, without parentheses, joined by a space
        (Gmail puts data there: ``arc=pass (i=1 spf=pass spfdomain=...)``).
    """

    method: str
    result: str
    reason: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    method_version: str | None = None
    comment: str | None = None

    def get(self, key: str) -> str | None:
        """The first property value for ``key`` (compared lower-case), or None.

        Examples
        --------
        >>> Claim(method="spf", result="pass", properties=(("smtp.mailfrom", "a@example.com"),)).get(
        ...     "SMTP.MailFrom")
        'a@example.com'
        """
        wanted = key.lower()
        for k, v in self.properties:
            if k == wanted:
                return v
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthResults:
    """One authentication-results field, read into claims.

    Parameters
    ----------
    field
        The field name as written (``"Authentication-Results"``,
        ``"ARC-Authentication-Results"``, ``"Received-SPF"``, ...).
    header_index
        The field's position in the header block (0 = topmost), or None when the value was
        parsed on its own.
    authserv_id
        Who claims the results (RFC 8601 §2.5), as written; None when absent (Microsoft 365
        omits it). For Received-SPF: its ``receiver=`` value (unless ``<UNKNOWN>``, which
        pypolicyd-spf writes), else the host name its comment starts with
        (``"google.com: domain of ..."``), else None.
    instance
        The ARC instance ``i=`` (RFC 8617 §4.1.1); None for other fields.
    version
        The authserv-id version (RFC 8601 §2.2 ``authres-version``, e.g. Microsoft's
        ``mx.microsoft.com 1``), rarely present.
    claims
        The results in the order written; ``()`` for ``none`` (no results).
    raw
        The value exactly as given.
    parsed
        False when part of the value could not be read (see ``defects``).
    defects
        Sentences saying what could not be read or was irregular.
    """

    field: str
    header_index: int | None
    authserv_id: str | None
    instance: int | None
    version: str | None
    claims: tuple[Claim, ...]
    raw: str
    parsed: bool
    defects: tuple[str, ...]


# ---------------------------------------------------------------------------------------
# Problems: every defect is a sentence; "fail" ones also mean parsed=False.
# ---------------------------------------------------------------------------------------
class _Problems:
    """Collected defects, capped so that hostile input cannot make the list huge."""

    LIMIT = 20

    def __init__(self) -> None:
        self.sentences: list[str] = []
        self.unreadable = False
        self.dropped = 0

    def note(self, sentence: str) -> None:
        """Something irregular that was still read."""
        if len(self.sentences) < self.LIMIT:
            self.sentences.append(sentence)
        else:
            self.dropped += 1

    def fail(self, sentence: str) -> None:
        """Something that could not be read."""
        self.unreadable = True
        self.note(sentence)

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.sentences, f"{self.dropped} more problems not listed")
        return tuple(self.sentences)


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


# ---------------------------------------------------------------------------------------
# Scanner: one pass, no backtracking.
# ---------------------------------------------------------------------------------------
_WS = re.compile(r"\s+")
#: A Keyword, ptype, property or a label of an authserv-id: stops at the characters that
#: separate items (RFC 8601 §2.2: "." between ptype and property, "/" before a version).
_KEY_RUN = re.compile(r'[^\s()";=./]+')
#: A value (RFC 2045 token, or RFC 8601 pvalue: local-part "@" domain): "=" and "/" are
#: allowed, because real values hold them (SRS addresses, base64 ``header.b``, URIs).
_VALUE_RUN = re.compile(r'[^\s()";]+')
_IN_COMMENT = re.compile(r"[()\\]")
_IN_QUOTES = re.compile(r'["\\]')
#: RFC 8601 §2.2 Keyword is an RFC 5321 Ldh-str; "_" is allowed for Yahoo's "perm_fail".
#: The usual item, ``key[.key]*[/version]=value`` written without CFWS or quotes (see
#: _item). Possessive runs over disjoint classes: no backtracking.
_TIGHT_ITEM = re.compile(r'([^\s()";=./]*+(?:\.[^\s()";=./]*+)*+)(?:/([^\s()";=./]*+))?=([^\s()";]++)')
_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_DIGITS = re.compile(r"[0-9]+")
_HOSTNAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(slots=True)
class _Item:
    """``key[.key]*[/version][=value]``, or a bare word (``value`` None)."""

    parts: list[str]
    version: str | None = None
    value: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return ".".join(self.parts)

    @property
    def text(self) -> str:
        version = "" if self.version is None else f"/{self.version}"
        value = "" if self.value is None else f"={self.value}"
        return f"{self.key}{version}{value}"


@dataclass(slots=True)
class _Segment:
    """The items between two top-level ``;`` and the comments before the first item."""

    items: list[_Item] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)


def _comment(text: str, pos: int, problems: _Problems) -> tuple[str, int]:
    """The comment starting at ``text[pos] == "("`` (RFC 5322 §3.2.2: nested, with
    quoted-pairs; a ``"`` inside is plain text) → (its text without the outer parentheses,
    the position after it)."""
    depth, i, size = 1, pos + 1, len(text)
    while depth:
        m = _IN_COMMENT.search(text, i)
        if m is None:
            problems.fail("unclosed comment")
            return text[pos + 1 :].strip(), size
        if m.group() == "\\":
            i = m.start() + 2  # quoted-pair (RFC 5322 §3.2.1)
            continue
        depth += 1 if m.group() == "(" else -1
        i = m.start() + 1
    return text[pos + 1 : i - 1].strip(), i


def _quoted(text: str, pos: int, problems: _Problems) -> tuple[str, int]:
    """The quoted-string starting at ``text[pos] == '"'`` (RFC 5322 §3.2.4) → (its content
    with quoted-pairs undone, the position after it)."""
    out: list[str] = []
    i = pos + 1
    while True:
        m = _IN_QUOTES.search(text, i)
        if m is None:
            problems.fail("unclosed quoted string")
            out.append(text[i:])
            return "".join(out), len(text)
        out.append(text[i : m.start()])
        if m.group() == '"':
            return "".join(out), m.end()
        out.append(text[m.end() : m.end() + 1])  # quoted-pair
        i = m.end() + 1


def _cfws(text: str, pos: int, comments: list[str], problems: _Problems) -> int:
    """Skip white space and comments (RFC 5322 §3.2.2 CFWS), collecting the comments."""
    size = len(text)
    while pos < size:
        ch = text[pos]
        if ch.isspace():
            m = _WS.match(text, pos)
            pos = m.end() if m else pos + 1
        elif ch == "(":
            comment, pos = _comment(text, pos, problems)
            if comment:
                comments.append(comment)
        else:
            break
    return pos


def _item(text: str, pos: int, problems: _Problems) -> tuple[_Item, int]:
    """Read one item at ``pos`` (not white space, ``(``, ``)`` or ``;``).

    RFC 8601 §2.2 allows CFWS around ``.`` (propspec), ``/`` (method version) and ``=``;
    the comments met go to the item. A bare word also takes the CFWS after it; after a
    value the caller collects the following comments into this item.
    """
    m = _TIGHT_ITEM.match(text, pos)
    if m is not None:
        # No CFWS inside and an unquoted, non-empty value: exactly what the general
        # reading below gives (each "." starts a part, empty ones included), without
        # its nine calls to _cfws, which is most of an A-R field's cost.
        item = _Item(parts=m.group(1).split("."), version=m.group(2), value=m.group(3))
        return item, _address_domain(text, m.end(), item, False, problems)
    size = len(text)
    item = _Item(parts=[])
    if text[pos] == '"':
        word, pos = _quoted(text, pos, problems)
        item.parts.append(word)
        return item, _cfws(text, pos, item.comments, problems)
    m = _KEY_RUN.match(text, pos)
    item.parts.append(m.group() if m else "")
    p = _cfws(text, m.end() if m else pos, item.comments, problems)
    while p < size and text[p] == ".":
        p = _cfws(text, p + 1, item.comments, problems)
        m = _KEY_RUN.match(text, p)
        item.parts.append(m.group() if m else "")
        p = _cfws(text, m.end() if m else p, item.comments, problems)
    if p < size and text[p] == "/":
        p = _cfws(text, p + 1, item.comments, problems)
        m = _KEY_RUN.match(text, p)
        item.version = m.group() if m else ""
        p = _cfws(text, m.end() if m else p, item.comments, problems)
    if p < size and text[p] == "=":
        p = _cfws(text, p + 1, item.comments, problems)
        if p < size and text[p] == '"':
            item.value, p = _quoted(text, p, problems)
            return item, _address_domain(text, p, item, True, problems)
        m = _VALUE_RUN.match(text, p)
        item.value = m.group() if m else ""
        p = m.end() if m else p
        if item.value:
            p = _address_domain(text, p, item, False, problems)
    if p == pos:  # cannot happen (every start character is consumed), but never loop
        problems.fail(f"unreadable character {text[pos]!r}")
        p += 1
    return item, p


def _address_domain(text: str, pos: int, item: _Item, quoted: bool, problems: _Problems) -> int:
    """After a value ending at ``pos``: join an ``"@" domain-name`` that follows it.

    RFC 8601 §2.2 ``pvalue`` is ``[CFWS] ( value / [ [ local-part ] "@" ] domain-name )``,
    and an RFC 5322 local-part may be a quoted-string and may carry CFWS before the
    ``"@"``: ``smtp.mailfrom="john doe"@example.com`` is one value. The joined value
    keeps the local-part's quotes (``"john doe"@example.com``, the address as written).
    The CFWS skipped here is what the caller would skip next; its comments go to
    ``item`` as they would there. Returns the position after what was read.
    """
    size = len(text)
    if pos >= size or (not quoted and "@" in (item.value or "")):
        return pos
    p, ch = pos, text[pos]
    if ch == " ":  # _prepare left single spaces: look one further before doing more
        if p + 1 >= size or text[p + 1] not in "(@":
            return pos
    elif ch != "(" and ch != "@":
        return pos
    if ch != "@":
        p = _cfws(text, p, item.comments, problems)
        if p >= size or text[p] != "@":
            return p
    m = _VALUE_RUN.match(text, p + 1)
    if m is None:
        return p  # a lone "@": left for the caller to report
    local = item.value or ""
    if quoted:
        local = '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'
    item.value = f"{local}@{m.group()}"
    return m.end()


def _scan(text: str, problems: _Problems) -> list[_Segment]:
    """Split ``text`` into ``;``-separated segments of items, in one left-to-right pass."""
    segments = [_Segment()]
    stray = 0
    pos, size = 0, len(text)
    while pos < size:
        ch = text[pos]
        if ch == " ":  # _prepare folded white space to single spaces: skip one here
            pos += 1
            if pos >= size:
                break
            ch = text[pos]
        if ch == "(" or ch.isspace():  # the rest of the CFWS, comments included
            seg = segments[-1]
            pos = _cfws(text, pos, seg.items[-1].comments if seg.items else seg.lead, problems)
            if pos >= size:
                break
            ch = text[pos]
        if ch == ";":
            segments.append(_Segment())
            pos += 1
        elif ch == ")":
            stray += 1
            pos += 1
        else:
            item, pos = _item(text, pos, problems)
            segments[-1].items.append(item)
    if stray:
        problems.fail("unbalanced ')'" if stray == 1 else f"unbalanced ')' ({stray} times)")
    return segments


def _prepare(value: str, names: tuple[str, ...], problems: _Problems) -> str:
    """Cap, unfold (RFC 5322 §2.2.3; all white space folded to one space) and drop a
    leading field name if the caller passed the whole line."""
    if not isinstance(value, str):
        raise TypeError(f"expected a str, not {type(value).__name__}")
    text = value
    if len(text) > MAX_HEADER_CHARS:
        problems.fail(f"longer than {MAX_HEADER_CHARS} characters; the rest was not read")
        text = text[:MAX_HEADER_CHARS]
    text = " ".join(text.split())
    head = text[:64].lower()
    for name in names:
        if head.startswith(name + ":"):
            return text[len(name) + 1 :].strip()
    return text


# ---------------------------------------------------------------------------------------
# Authentication-Results (RFC 8601 §2.2)
# ---------------------------------------------------------------------------------------
#: IANA "Email Authentication Methods" plus what big receivers add (Microsoft's
#: ``compauth``, Google's ``dara``). Used only to spot a resinfo whose ``;`` is missing.
_METHODS = frozenset({
    "arc", "auth", "bimi", "dkim", "dkim-adsp", "dkim-atps", "dkim2", "dmarc", "dnswl",
    "domainkeys", "iprev", "rrvs", "sender-id", "smime", "spf", "vbr", "compauth", "dara",
})  # fmt: skip
#: IANA "Email Authentication Result Names" plus ``bestguesspass`` (Google, Microsoft).
_RESULTS = frozenset({
    "none", "pass", "fail", "softfail", "neutral", "temperror", "permerror", "policy",
    "hardfail", "discard", "nxdomain", "signed", "unknown", "bestguesspass",
})  # fmt: skip
#: RFC 7208 §9.1 key-value pairs: Amazon SES writes them between A-R resinfos.
_SPF_KEYS = frozenset({"client-ip", "envelope-from", "helo", "problem", "receiver", "identity", "mechanism"})


@dataclass(slots=True)
class _Draft:
    method: str
    result: str
    version: str | None
    reason: str | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    split: bool = False  # a ';' inside it was already reported

    def claim(self) -> Claim:
        return Claim(
            method=self.method,
            result=self.result,
            reason=self.reason,
            properties=tuple(self.properties),
            method_version=self.version,
            comment=" ".join(self.comments) or None,
        )


def _is_methodspec(item: _Item) -> bool:
    """``method[/version]=result`` with both words RFC 8601 Keywords."""
    return (
        item.value is not None
        and len(item.parts) == 1
        and _KEYWORD.fullmatch(item.parts[0]) is not None
        and _KEYWORD.fullmatch(item.value) is not None
    )


def _starts_claim(item: _Item) -> bool:
    """A known ``method=result`` met among properties: the ``;`` before it is missing."""
    if item.value is None or len(item.parts) != 1 or item.version == "":
        return False
    key, value = item.parts[0].lower(), item.value.lower()
    return value in _RESULTS and (key in _METHODS or key.startswith("x-"))


def _draft(item: _Item, lead: list[str], problems: _Problems) -> _Draft:
    version = item.version
    if version is not None and not _DIGITS.fullmatch(version):
        problems.note(f"method version {version!r} of {item.parts[0].lower()!r} is not a number")
    return _Draft(
        method=item.parts[0].lower(),
        result=(item.value or "").lower(),
        version=version,
        comments=[*lead, *item.comments],
    )


def _add_property(draft: _Draft, item: _Item, problems: _Problems) -> None:
    """``reason=`` (§2.2 reasonspec), ``ptype.property=`` (§2.2 propspec) or a vendor's
    bare ``key=value`` (Microsoft ``action=none``, Fastmail ``x-bits=2048``)."""
    draft.comments.extend(item.comments)
    if any(not part for part in item.parts) or item.version is not None:
        problems.fail(f"unreadable property {_clip(item.text)!r} in the {draft.method!r} result")
        return
    key = item.key.lower()
    value = item.value or ""
    if key == "reason":
        if draft.reason is None:
            draft.reason = value
        else:
            problems.note(f"second reason for {draft.method!r} ignored: {_clip(value)!r}")
        return
    if not value:
        problems.note(f"empty value for {key!r} in the {draft.method!r} result")
    draft.properties.append((key, value))


def _read_results(segments: list[_Segment], problems: _Problems) -> list[Claim]:
    """Interpret the resinfo segments (RFC 8601 §2.2 ``1*resinfo`` or ``no-result``)."""
    drafts: list[_Draft] = []
    saw_none = False
    if not any(seg.items for seg in segments):
        problems.fail("no results and no 'none' (RFC 8601 §2.2)")
    for seg in segments:
        items = seg.items
        if not items:
            if seg.lead:
                problems.note(f"a comment outside any result: {_clip(' '.join(seg.lead))!r}")
            continue
        first = items[0]
        if len(items) == 1 and first.value is None and first.key.lower() == "none":
            saw_none = True  # §2.2 no-result
            continue
        if drafts and first.value is not None and (first.key.lower() in _SPF_KEYS or len(first.parts) > 1):
            # A property after a ';' belongs to the result before it. Amazon SES writes
            # "spf=pass (...) client-ip=192.0.2.1; envelope-from=a@b; helo=h;".
            current = drafts[-1]
            if not current.split:
                current.split = True
                problems.note(f"';' inside the {current.method!r} result, before {_clip(first.text)!r}")
            current.comments.extend(seg.lead)
            rest = items
        elif _is_methodspec(first):
            current = _draft(first, seg.lead, problems)
            drafts.append(current)
            rest = items[1:]
        else:
            problems.fail(f"no method=result in {_clip(' '.join(item.text for item in items))!r}")
            continue
        junk: list[str] = []
        for item in rest:
            if item.value is None:
                junk.append(item.key)
                current.comments.extend(item.comments)
            elif _starts_claim(item):
                problems.note(f"no ';' before {_clip(item.text)!r}")
                current = _draft(item, [], problems)
                drafts.append(current)
            else:
                _add_property(current, item, problems)
        if junk:
            problems.fail(f"unreadable text in the {current.method!r} result: {_clip(' '.join(junk))!r}")
    if saw_none and drafts:
        problems.note("'none' written beside results")
    return [d.claim() for d in drafts]


def _authserv(segments: list[_Segment], problems: _Problems) -> tuple[str | None, str | None, list[_Segment]] | None:
    """Read ``authserv-id [CFWS authres-version]`` (RFC 8601 §2.2) from the first segment;
    return it, the version and the segments that hold results (None when there is
    nothing at all to read)."""
    if not any(seg.items for seg in segments):
        problems.fail("no authserv-id and no results")
        return None
    seg0 = segments[0]
    items = seg0.items
    if not items:
        problems.note("no authserv-id before the first ';' (RFC 8601 §2.2 requires one)")
        return None, None, segments[1:]
    first = items[0]
    if first.value is not None:
        problems.note(
            "no authserv-id: the value starts with a result, as Microsoft 365 writes it (RFC 8601 §2.2 requires one)"
        )
        return None, None, segments
    authserv_id = first.key or None
    if first.version is not None:
        # "mx.example.org/1": '/' is a tspecial, so no RFC 2045 token holds it; keep the
        # name as written rather than drop what follows the '/'.
        authserv_id = f"{first.key}/{first.version}"
        problems.note(f"'/' in the authserv-id {_clip(authserv_id)!r} (RFC 8601 §2.2: a token or quoted-string)")
    rest = items[1:]
    version = None
    if rest and rest[0].value is None and len(rest[0].parts) == 1 and _DIGITS.fullmatch(rest[0].parts[0]):
        version = rest[0].parts[0]
        rest = rest[1:]
    bare = 0
    while bare < len(rest) and rest[bare].value is None:
        bare += 1
    if bare:
        junk = " ".join(item.key for item in rest[:bare])
        problems.fail(f"unreadable text after the authserv-id: {_clip(junk)!r}")
        rest = rest[bare:]
    if rest:
        problems.note("no ';' after the authserv-id")
        return authserv_id, version, [_Segment(items=rest), *segments[1:]]
    return authserv_id, version, segments[1:]


def _instance(value: str, problems: _Problems) -> int | None:
    """The ARC instance number (RFC 8617 §4.2.1: an integer from 1 to 50)."""
    if value.isascii() and value.isdigit() and len(value) <= 3:
        number = int(value)
        if not 1 <= number <= 50:
            problems.note(f"ARC instance i={number} is outside 1-50 (RFC 8617 §4.2.1)")
        return number
    problems.fail(f"unreadable ARC instance {_clip('i=' + value)!r}")
    return None


def _is_instance_tag(seg: _Segment) -> bool:
    first = seg.items[0] if seg.items else None
    return first is not None and first.value is not None and first.key.lower() == "i"


def _parse_ar(value: str, *, field: str, header_index: int | None, arc: bool) -> AuthResults:
    problems = _Problems()
    text = _prepare(value, (field.lower(), "authentication-results", "arc-authentication-results"), problems)
    instance: int | None = None
    authserv_id = version = None
    claims: list[Claim] = []
    if not text:
        problems.fail("empty value")
    else:
        segments = _scan(text, problems)
        if _is_instance_tag(segments[0]):
            # RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload
            tag = segments[0].items[0]
            instance = _instance(tag.value or "", problems)
            if not arc:
                problems.note("starts with an ARC instance tag (RFC 8617 §4.1.1)")
            rest = segments[0].items[1:]
            if rest:
                problems.note("no ';' after the ARC instance tag")
                segments[0] = _Segment(items=rest)
            else:
                segments = segments[1:]
        elif arc:
            problems.fail("no ARC instance tag 'i=' first (RFC 8617 §4.1.1)")
        found = _authserv(segments, problems)
        if found is not None:
            authserv_id, version, result_segments = found
            claims = _read_results(result_segments, problems)
    return AuthResults(
        field=field,
        header_index=header_index,
        authserv_id=authserv_id,
        instance=instance,
        version=version,
        claims=tuple(claims),
        raw=value,
        parsed=not problems.unreadable,
        defects=problems.result(),
    )


def parse_authentication_results(
    value: str, *, field: str = "Authentication-Results", header_index: int | None = None
) -> AuthResults:
    """Parse an ``Authentication-Results`` value (RFC 8601 §2.2) into claims.

    Also reads the same syntax under other names (``X-Original-Authentication-Results``,
    Microsoft's ``X-MS-Exchange-Authentication-Results`` and
    ``Authentication-Results-Original``): pass the name as ``field``.

    Parameters
    ----------
    value
        The field value without the name (a leading ``Authentication-Results:`` is
        tolerated), folded or not.
    field
        The field name as written, kept in the result.
    header_index
        The field's position in the header block, kept in the result.

    Returns
    -------
    AuthResults
        Never raises for a string: what cannot be read is described in ``defects``.
        A value that starts with a result has no authserv-id (Microsoft 365):
        ``authserv_id`` is None, with a defect note, and the claims are read.

    Raises
    ------
    TypeError
        When ``value`` is not a ``str``.

    Examples
    --------
    >>> ar = parse_authentication_results("mx.google.com; dkim=pass header.i=@example.com "
    ...     "header.s=s1 header.b=AbCdEf12; spf=pass (google.com: domain of a@example.com "
    ...     "designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com")
    >>> ar.authserv_id, [(c.method, c.result) for c in ar.claims], ar.claims[1].get("smtp.mailfrom")
    ('mx.google.com', [('dkim', 'pass'), ('spf', 'pass')], 'a@example.com')
    """
    return _parse_ar(value, field=field, header_index=header_index, arc=False)


def parse_arc_authentication_results(value: str, *, header_index: int | None = None) -> AuthResults:
    """Parse an ``ARC-Authentication-Results`` value: ``i=N;`` (RFC 8617 §4.1.1), then an
    Authentication-Results payload (RFC 8601 §2.2).

    Parameters
    ----------
    value
        The field value without the name, folded or not.
    header_index
        The field's position in the header block, kept in the result.

    Returns
    -------
    AuthResults
        ``instance`` is the ``i=`` number (None, with a defect, when it is missing or
        unreadable). Never raises for a string.

    Raises
    ------
    TypeError
        When ``value`` is not a ``str``.
    """
    return _parse_ar(value, field="ARC-Authentication-Results", header_index=header_index, arc=True)


# ---------------------------------------------------------------------------------------
# Received-SPF (RFC 7208 §9.1)
# ---------------------------------------------------------------------------------------
#: RFC 7208 §2.6 results (the field's ``result``).
_SPF_RESULTS = frozenset({"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"})


def _receiver_from_comment(comment: str) -> str | None:
    """``"google.com: domain of ..."`` → ``"google.com"`` (RFC 7208 §9.1 puts the
    receiver's name first in its examples' comments)."""
    name, colon, _ = comment.partition(":")
    if colon and "." in name and _HOSTNAME.fullmatch(name):
        return name
    return None


def _parse_spf(value: str, *, field: str, header_index: int | None) -> AuthResults:
    problems = _Problems()
    text = _prepare(value, (field.lower(), "received-spf"), problems)
    claims: tuple[Claim, ...] = ()
    authserv_id = None
    if not text:
        problems.fail("empty value")
    else:
        segments = _scan(text, problems)
        seg0 = segments[0]
        comments = list(seg0.lead)
        first = seg0.items[0] if seg0.items else None
        result = None
        pairs = seg0.items
        if first is not None and first.value is None and len(first.parts) == 1 and _KEYWORD.fullmatch(first.key):
            # RFC 7208 §9.1: result FWS [comment FWS] [key-value-list]
            result = first.key.lower()
            comments.extend(first.comments)
            pairs = seg0.items[1:]
            if result not in _SPF_RESULTS:
                problems.note(f"{result!r} is not an RFC 7208 §2.6 result")
        else:
            problems.fail("no SPF result first (RFC 7208 §9.1)")
        properties: list[tuple[str, str]] = []
        junk: list[str] = []
        for n, seg in enumerate(segments):
            if n:
                comments.extend(seg.lead)
            for k, item in enumerate(pairs if n == 0 else seg.items):
                comments.extend(item.comments)
                if item.value is None or item.version is not None or any(not p for p in item.parts):
                    junk.append(item.text)
                    continue
                if k:
                    problems.note(f"no ';' before {_clip(item.text)!r}")
                properties.append((item.key.lower(), item.value))
        if junk:
            problems.fail(f"unreadable text: {_clip(' '.join(junk))!r}")
        receiver = next((v for k, v in properties if k == "receiver"), None)
        if receiver and receiver.strip("<>").lower() != "unknown":
            authserv_id = receiver
        elif comments:
            authserv_id = _receiver_from_comment(comments[0])
        if result is not None:
            claims = (
                Claim(method="spf", result=result, properties=tuple(properties), comment=" ".join(comments) or None),
            )
    return AuthResults(
        field=field,
        header_index=header_index,
        authserv_id=authserv_id,
        instance=None,
        version=None,
        claims=claims,
        raw=value,
        parsed=not problems.unreadable,
        defects=problems.result(),
    )


def parse_received_spf(value: str, *, header_index: int | None = None) -> AuthResults:
    """Parse a ``Received-SPF`` value (RFC 7208 §9.1) into one ``spf`` claim.

    Parameters
    ----------
    value
        The field value without the name (a leading ``Received-SPF:`` is tolerated),
        folded or not.
    header_index
        The field's position in the header block, kept in the result.

    Returns
    -------
    AuthResults
        One :class:`Claim` with ``method="spf"``, the result lower-cased, the key-value
        pairs as ``properties`` (``client-ip``, ``envelope-from``, ``helo``, ``problem``,
        ``receiver``, ``identity``, ``mechanism``, ``x-...`` and any other key, in the
        order written) and the comment; ``authserv_id`` from ``receiver=`` or the comment.
        No claim when no result can be read. Never raises for a string.

    Raises
    ------
    TypeError
        When ``value`` is not a ``str``.

    Examples
    --------
    >>> spf = parse_received_spf("pass (mx.example.net: domain of a@example.com designates "
    ...     "192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=a@example.com;")
    >>> spf.authserv_id, spf.claims[0].result, spf.claims[0].get("client-ip")
    ('mx.example.net', 'pass', '192.0.2.1')
    """
    return _parse_spf(value, field="Received-SPF", header_index=header_index)


# ---------------------------------------------------------------------------------------
# A whole message
# ---------------------------------------------------------------------------------------
def message_claims(message: Message) -> tuple[AuthResults, ...]:
    """Every authentication-results field of ``message``, in header order (top first).

    Reads ``Authentication-Results``, ``ARC-Authentication-Results``, ``Received-SPF``,
    ``X-Original-Authentication-Results``, ``X-MS-Exchange-Authentication-Results`` and
    ``Authentication-Results-Original``; each result keeps the field name as written and
    its ``header_index``.

    Parameters
    ----------
    message
        The message whose header fields are read.

    Returns
    -------
    tuple of AuthResults
        One per field, top first. Read once per message and kept with it
        (:meth:`~mailforensics.message.Message.derived`): the envelope reconstruction and
        the placing of claims both ask.
    """
    return message.derived("mailforensics.authresults.message_claims", _message_claims)


def _message_claims(message: Message) -> tuple[AuthResults, ...]:
    """:func:`message_claims`, computed."""
    found: list[AuthResults] = []
    for h in message.headers:
        name = h.name.lower()
        if name == "arc-authentication-results":
            found.append(_parse_ar(h.value, field=h.name, header_index=h.index, arc=True))
        elif name == "received-spf":
            found.append(_parse_spf(h.value, field=h.name, header_index=h.index))
        elif name in _AR_FIELDS:
            found.append(_parse_ar(h.value, field=h.name, header_index=h.index, arc=False))
    return tuple(found)
