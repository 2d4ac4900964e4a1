"""One ``Received`` header field → :class:`Hop`.

Why hand-written: RFC 5321 §4.4 fixes only the skeleton of a trace field
(``from`` / ``by`` / ``via`` / ``with`` / ``id`` / ``for`` clauses, then ``;`` and a
date), and every MTA fills the comments in its own dialect: Postfix writes
``from HELO (RDNS [IP])``, Exim ``from RDNS ([IP]:port helo=HELO)``, qmail
``from RDNS (HELO helo) (IP)``, Exchange ``from HELO (IP)``, and TLS details come in a
dozen spellings. Comments nest (RFC 5322 §3.2.2), which no regular expression can
match, and regex-based parsers (mail-parser's included) both lose the HELO/rDNS
distinction an analyst needs and can backtrack badly on hostile input. So this module
tokenizes the header in one linear pass (comments, quoted strings, ``<...>`` and
``[...]`` literals are single tokens), walks the clauses, and only then applies small,
anchored per-dialect rules to individual tokens and comments.

Guarantees: :func:`parse_received` never raises for any ``str``; it runs in time linear
in its input (the input is capped at :data:`MAX_HEADER_CHARS`, and no regular expression
here can backtrack over more than one token or comment); a header it cannot fully read
gives ``parsed=False`` with ``raw`` kept and every part it could read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz

from mailforensics.addresses import canonical_ip as _ip

__all__ = ["MAX_HEADER_CHARS", "Hop", "parse_received"]

#: Longest header text read; the rest is reported as a defect. Real Received fields
#: are well under 2 KiB; the cap bounds the work an attacker can cause per field.
MAX_HEADER_CHARS = 16_384


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One relay step, read from one ``Received`` header field.

    Every part that the header does not state is ``None``.

    Parameters
    ----------
    from_helo
        The name the client gave in HELO/EHLO, as written (an address literal keeps its
        brackets, e.g. ``"[192.0.2.1]"``). ``None`` when the receiver wrote ``unknown``
        in its place, or when the ``from`` clause names something else: a bare client
        address (webmail, ``from 192.0.2.5 by ...``) or a local user (Exim
        ``from alice by ... with local``), or when the client gave an empty HELO (qmail
        ``(HELO )``) or the receiver wrote no from-word at all (IIS ``from  ([ip])``), or
        the from clause names a pickup directory (IIS ``from mail pickup service``). IMail
        (SMTPD32) and MDaemon write ``from HELO [IP]``: that word is the HELO name.
    from_rdns
        The reverse-DNS name the receiver looked up for the client (``None`` when the
        receiver wrote ``unknown``, a DNS-failure placeholder such as Courier's
        ``softdnserr``, or nothing). Where the receiver writes its own name for the client
        and then the address as a plain word, not in TCP-info (Exim 3 ``from RDNS (HELO)
        [IP]``, GMX ``from RDNS (EHLO x) [IP]``, fetchmail ``from HOST [IP]``), that name;
        likewise ZMailer's from-word before ``([ip]:port "EHLO x")``. Trailing dots are
        removed.
    from_ip
        The client address the receiver saw, IPv4 or IPv6 in canonical form (an
        IPv4-mapped IPv6 address is given as IPv4).
    from_port
        The client's TCP port, when the receiver wrote it (Exim ``[ip]:port``, Exim 3
        ``[ip.port]``, ecelerity ``[ip:port]``, XMail ``(ip:port)``, ZMailer ``[ip]:port``).
    by_host
        The receiving host, as written. Where a gateway writes a product name of several
        words in its place (``by Acme Mail Gateway with ESMTP``), the first word, with a
        note in ``defects`` (``parsed`` stays ``True``).
    by_ip
        The receiving host's address, when written (Exchange, amavis, Gmail, MDaemon's
        ``by HOST [IP]``), canonical
        like ``from_ip`` (an IPv6 zone index such as ``%11`` is dropped).
    via
        The ``via`` clause (``"Frontend Transport"`` in Exchange).
    protocol
        The ``with`` clause. Tokens of the IANA "Mail Transmission Types" registry
        (RFC 3848, RFC 6531) and Gmail's ``SMTPS`` are upper-cased (``"ESMTPS"``), and so is
        Microsoft's ``mapi`` (``"MAPI"``); other values are kept as written
        (``"Microsoft SMTP Server"``, ``"local"``, ``"HTTP"``; IIS's
        ``Microsoft SMTPSVC(6.0.3790.4675)`` is ``"Microsoft SMTPSVC"``, its version going to
        ``software``). Cisco's ``ESMTP/TLS/cipher`` is read as ``"ESMTP"`` plus TLS details.
    tls
        ``True`` when the header shows TLS (an RFC 3848 ``S`` protocol, ``HTTPS``, or a TLS
        comment or clause), ``False`` for plain SMTP/ESMTP/LMTP without TLS details,
        ``None`` when the header says nothing either way (MAPI, local delivery, ``HTTP``,
        which webmail and APIs write for HTTPS requests too, IIS ``Microsoft SMTPSVC``,
        which never records TLS, no ``with`` clause). A comment that says TLS was not used
        (GroupWise ``(NOT encrypted)``, ``(no TLS)``, ``(TLS not used)``) gives ``False``,
        whatever else the header shows.
    tls_version, tls_cipher, tls_bits
        TLS details from the comments; the version is normalised to OpenSSL's spelling
        (``"TLSv1.3"``). The version is None when the header does not say which one:
        OpenSSL up to 1.0.2 writes ``version=TLSv1/SSLv3`` for any TLS version.
    auth
        The authenticated submitter when the header names one (``"alice@example.com"``);
        otherwise the token that shows authentication (``"ESMTPSA"``, Exim's pre-4.50
        ``"asmtp"``, ``"authenticated bits=0"``); ``None`` when there is no sign of it.
        CommuniGate's ``(account alice@example.com ...)`` names the submitter.
    ident
        The RFC 1413 ident user or local user (``"uid 89"``, ``"userid 1000"``, the
        ``alice`` of sendmail's ``alice@rdns [ip]`` and ``(from alice@localhost)`` — sendmail
        8.9's ``IDENT:alice@rdns`` tag removed —, qmail's ``(alice@192.0.2.1)``, Exim's
        ``ident=alice`` and ``from alice ... with local``, ZMailer's ``ident: "alice"`` (not
        its placeholders such as ``NO-IDENT-SERVICE``), Sun SIMS's quoted reply,
        ``"port 34611"@rdns``, without the quotes).
    queue_id
        The ``id`` clause (for Exchange this is the server build, e.g. ``15.20.7472.27``).
    envelope_for
        The recipient in the ``for`` clause, without angle brackets.
    envelope_from
        The reverse-path from ``envelope-from`` (Exim, Haraka, Dovecot), qmail-ldap's
        ``envelope-sender`` or XMail's ``from <a>`` after the ``for`` clause; ``""`` is
        the null reverse-path ``<>``.
    software
        The receiving software when the header names it, as named (``"Postfix"``,
        ``"Exim 4.96"``, ``"8.17.1/8.17.1"`` for sendmail, ``"amavisd-new"``); for
        Exchange the ``with`` value and the build (``"Microsoft SMTP Server 15.1.2507.35"``);
        for qmail's comment-only field the program it names (``"qmail"``, a fork's own
        name); for a fetchmail retrieval its name and version (``"fetchmail-6.4.37"``). A
        ``key=value`` note in the by-host's comment (``(node=mxbap2)``) is not software.
        Exim is also recognised without its ``(Exim x)`` comment, by ``[ip]:port`` or its
        message id, to read ``from RDNS ([ip]:port)`` (``software`` stays None then).
    timestamp
        The date after ``;``, as an aware datetime in UTC; ``None`` when absent or
        unreadable.
    timestamp_text
        The date text as written.
    comments
        Every comment, in order, without the outer parentheses.
    raw
        The header text as given (folding kept).
    parsed
        ``False`` when part of the header could not be read (see ``defects``).
    defects
        Sentences saying what could not be read or was irregular.
    """

    from_helo: str | None = None
    from_rdns: str | None = None
    from_ip: str | None = None
    from_port: int | None = None
    by_host: str | None = None
    by_ip: str | None = None
    via: str | None = None
    protocol: str | None = None
    tls: bool | None = None
    tls_version: str | None = None
    tls_cipher: str | None = None
    tls_bits: int | None = None
    auth: str | None = None
    ident: str | None = None
    queue_id: str | None = None
    envelope_for: str | None = None
    envelope_from: str | None = None
    software: str | None = None
    timestamp: datetime | None = None
    timestamp_text: str | None = None
    comments: tuple[str, ...] = ()
    raw: str = ""
    parsed: bool = True
    defects: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------
# Tokenizer: one pass, no backtracking.
# ---------------------------------------------------------------------------------------
WORD, COMMENT, SEMI = "word", "comment", "semi"
#: (kind, text, start, end): ``text`` is the comment without its parentheses; ``start``
#: and ``end`` index the (unfolded) header text, so the date can be cut out as written.
_Token = tuple[str, str, int, int]

# The next token after any white space, told apart by the group that matched:
#   1 a word: runs of plain characters, <...>, [...] and "..." glued together, so
#     "[192.0.2.1]:25" and "<a@b>" are single words;
#   2 the text of a comment with no nesting and no quoted-pair (the usual kind);
#   3 a run of stray closers; 4 a run of ";";
#   5 any other single character: the "(" of a comment that nests, holds a quoted-pair or
#     is never closed, or a "<", "[" or '"' that is never closed.
# Every quantifier is possessive and the alternatives start with disjoint characters, so
# a match never backtracks: a failed "<...>" or "(...)" costs one scan of what follows,
# after which the token is read to its end (or tokenizing stops).
_TOKEN = re.compile(
    r"""\s*+(?:((?:[^\s()<>\[\];"]++|<[^>]*+>|\[[^\]]*+\]|"[^"]*+")++)"""
    r"""|\(([^()\\]*+)\)|([)>\]]++)|(;++)|(\S))"""
)
#: What matters inside a comment that is not flat: runs of "(" or ")", and quoted-pairs
#: (RFC 5322 §3.2.1; a backslash that ends the text quotes nothing).
_COMMENT_SPECIAL = re.compile(r"\(+|\)+|(?:\\.)++", re.DOTALL)


def _tokenize(text: str, defects: list[str]) -> list[_Token]:
    """Split ``text`` into words, comments and ``;`` in one left-to-right pass.

    A comment (RFC 5322 §3.2.2) runs to its matching ``)``, nesting and quoted-pairs
    included; ``<...>``, ``[...]`` and ``"..."`` are glued into the word they touch, so
    ``[192.0.2.1]:25`` and ``<a@b>`` are single words. Every character is looked at a
    bounded number of times.
    """
    tokens: list[_Token] = []
    append = tokens.append
    stray: dict[str, int] = {}
    pos, size = 0, len(text)
    # Tokens follow each other with only white space between (group 5 matches any other
    # character), so the matches of one finditer are the tokens in order; it is started
    # again only after a nested comment, which is read by hand.
    while pos < size:
        for m in _TOKEN.finditer(text, pos):
            kind = m.lastindex
            if kind == 1:  # a word
                start, end = m.span(1)
                append((WORD, m.group(1), start, end))
            elif kind == 2:  # a flat comment
                append((COMMENT, m.group(2).strip(), m.start(2) - 1, m.end()))
            elif kind == 3:  # ")", ">" or "]" with nothing open: counted, in the order seen
                run = m.group(3)
                for ch in sorted(set(run), key=run.index):
                    stray[ch] = stray.get(ch, 0) + run.count(ch)
            elif kind == 4:
                start, end = m.span(4)
                if end - start == 1:
                    append((SEMI, ";", start, end))
                else:
                    tokens.extend([(SEMI, ";", k, k + 1) for k in range(start, end)])
            else:
                pos = m.start(5)
                ch = text[pos]
                if ch == "(":
                    pos = _read_nested_comment(text, pos, tokens, defects)
                    break
                # A "<", "[" or '"' that is never closed: the word runs to the end of the
                # text, starting with the word it is glued to, if any.
                defects.append(f"unclosed {ch!r}")
                if tokens and tokens[-1][0] == WORD and tokens[-1][3] == pos:
                    pos = tokens.pop()[2]
                append((WORD, text[pos:], pos, size))
                pos = size
                break
        else:
            break  # no token left
    for ch, count in stray.items():
        what = "unbalanced ')'" if ch == ")" else f"stray {ch!r}"
        defects.append(what if count == 1 else f"{what} ({count} times)")
    return tokens


def _read_nested_comment(text: str, pos: int, tokens: list[_Token], defects: list[str]) -> int:
    """Add the comment opening at ``pos`` (one that nests or holds a quoted-pair, or is
    never closed) to ``tokens``; return where the next token starts."""
    depth = 1
    for m in _COMMENT_SPECIAL.finditer(text, pos + 1):
        run = m.group()
        if run[0] == "(":
            depth += len(run)
        elif run[0] == ")":
            if len(run) >= depth:  # the comment ends inside this run
                end = m.start() + depth
                tokens.append((COMMENT, text[pos + 1 : end - 1].strip(), pos, end))
                return end
            depth -= len(run)
    defects.append("unclosed comment")
    tokens.append((COMMENT, text[pos + 1 :].strip(), pos, len(text)))
    return len(text)


# ---------------------------------------------------------------------------------------
# Small helpers for values
# ---------------------------------------------------------------------------------------
def _small_int(text: str | None) -> int | None:
    """``int`` of 1–5 ASCII digits, else None (``str.isdigit`` accepts ``"²"``)."""
    if text and len(text) <= 5 and text.isascii() and text.isdigit():
        return int(text)
    return None


_BRACKET_PORT = re.compile(r"\[([^\]]*)\](?::([0-9]{1,5}))?")
#: An IPv4 address with its port glued on: Exim 3 wrote ``192.0.2.1.1234`` inside the
#: brackets, ecelerity ``192.0.2.1:1234``, XMail ``(192.0.2.1:1234)`` with none. (An IPv6
#: address is never read this way: its own colons make a port ambiguous.)
_IPV4_PORT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,3}){3})[.:]([0-9]{1,5})")


def _ip_port(text: str) -> tuple[str | None, int | None]:
    """``192.0.2.1`` → (ip, None); ``192.0.2.1.25`` / ``192.0.2.1:25`` → (ip, 25)."""
    ip = _ip(text)
    if ip is not None:
        return ip, None
    m = _IPV4_PORT.fullmatch(text)
    if m is None:
        return None, None
    ip = _ip(m.group(1))
    return ip, (_small_int(m.group(2)) if ip is not None else None)


def _bracketed_ip(word: str) -> tuple[str | None, int | None]:
    """``[192.0.2.1]`` / ``[IPv6:2001:db8::1]`` / ``[192.0.2.1]:25`` / ``[192.0.2.1.25]`` /
    ``[192.0.2.1:25]`` → (ip, port)."""
    m = _BRACKET_PORT.fullmatch(word)
    if not m:
        return None, None
    port = _small_int(m.group(2))
    if port is not None:
        return _ip(m.group(1)), port
    return _ip_port(m.group(1))


def _host(word: str | None) -> str | None:
    """A DNS name with one trailing (root) dot removed."""
    if word is None:
        return None
    w = word.strip()
    if w.endswith(".") and not w.endswith(".."):
        w = w[:-1]
    return w or None


def _addr(word: str) -> str:
    """``<bob@example.net>`` → ``bob@example.net``; ``<>`` → ``""``."""
    w = word.strip().rstrip(",;")
    if w.startswith("<") and w.endswith(">"):
        w = w[1:-1]
    return w.strip()


#: What receivers write where a name is missing: Postfix/qmail ``unknown``, OpenSMTPD
#: ``<unknown>``; after a temporary DNS failure Courier's couriertcpd writes ``softdnserr``
#: and ucspi-tcp (qmail's tcpserver) ``softdnserror``.
_UNKNOWN_NAMES = frozenset({"unknown", "<unknown>", "[unknown]", "softdnserr", "softdnserror"})


def _is_unknown(word: str) -> bool:
    return word.lower() in _UNKNOWN_NAMES


def _strip_nested(comment: str) -> tuple[str, list[str]]:
    """Split a comment into its own text and the comments nested in it (one level
    reported), e.g. ``rdns [ip] (may be forged)`` → (``rdns [ip]``, [``may be forged``])."""
    if "(" not in comment:
        return comment, []
    outer: list[str] = []
    inner: list[str] = []
    depth, start = 0, 0
    for i, c in enumerate(comment):
        if c == "(":
            if depth == 0:
                outer.append(comment[start:i])
                start = i + 1
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                inner.append(comment[start:i].strip())
                start = i + 1
    if depth == 0:
        outer.append(comment[start:])
    else:
        inner.append(comment[start:].strip())
    return " ".join(outer), inner


# Tokens of the IANA "Mail Transmission Types" registry (RFC 3848, RFC 6531), plus
# Gmail's "SMTPS" (SMTP over implicit TLS, RFC 8314).
_IANA_WITH = frozenset({
    "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA", "LMTP", "LMTPA", "LMTPS", "LMTPSA",
    "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTP", "UTF8LMTPA",
    "UTF8LMTPS", "UTF8LMTPSA", "SMTPS",
})  # fmt: skip
#: Other ``with`` values that say whether TLS was used. Only a value whose writer always
#: records TLS when there was TLS can say False. Not listed (so ``tls`` stays None): IIS
#: ``Microsoft SMTPSVC``, which never records TLS in its Received line.
_TLS_BY_PROTOCOL = {
    # No "HTTP": webmail and HTTP APIs write "with HTTP" whether or not the request came
    # over HTTPS (Mailgun's API is HTTPS-only), so it says nothing about TLS (None).
    "HTTPS": True,
    "MICROSOFT SMTP SERVER": False,  # Exchange 2007+ writes "(TLS)" or "(version=...)" when used
}
#: A second ``with`` clause that only adds TLS (Mimecast "with ESMTP with STARTTLS").
_TLS_WORDS = frozenset({"STARTTLS", "TLS", "SSL"})
#: A comment that says TLS was *not* used: GroupWise "(NOT encrypted)", "(no TLS)",
#: "(not using TLS)", "(TLS not used)". Read before the TLS rules, so that the word
#: "encrypted" or "TLS" in it is never taken for TLS: the negation wins.
_NO_TLS = re.compile(
    r"(?i)(?:no|not|without)(?: using| encrypted with)? (?:tls|ssl|starttls|encryption)"
    r"|(?:tls|ssl|starttls) (?:not used|not negotiated|not available|none)"
    r"|not encrypted|unencrypted"
)

_TLS_VERSION = re.compile(r"(?i)\b(TLS|SSL)v?_?(\d)(?:[._](\d))?\b")
#: Also GnuTLS's "TLS-1.0" / "TLS1.2", which Exim built with GnuTLS writes.
_TLS_VERSION_WORD = re.compile(r"(?i)(TLS|SSL)v?[_-]?(\d)(?:[._](\d))?")
_BITS = re.compile(r"(?i)\bbits=([0-9]{1,5})|\b([0-9]{2,5})(?:/[0-9]{2,5})? ?bits\b")


def _norm_tls_version(kind: str, major: str, minor: str | None) -> str:
    kind = kind.upper()
    if kind == "SSL":
        return f"SSLv{major}"
    if major == "1" and minor in (None, "0"):  # OpenSSL calls TLS 1.0 "TLSv1" (GnuTLS "TLS1.0")
        return "TLSv1"
    return f"TLSv{major}.{minor or '0'}"


def _version_word(word: str) -> str | None:
    """``TLSv1.3`` / ``TLS1_2`` / ``TLS1.3`` / ``SSLv3`` → OpenSSL spelling, else None."""
    m = _TLS_VERSION_WORD.fullmatch(word)
    return _norm_tls_version(m.group(1), m.group(2), m.group(3)) if m else None


def _version_in(text: str) -> str | None:
    """The TLS version a ``version=`` value names; None when it names several.

    OpenSSL up to 1.0.2 gives ``"TLSv1/SSLv3"`` from ``SSL_CIPHER_get_version`` for every
    cipher that is not SSLv2's, whatever version was negotiated (sendmail's
    ``{tls_version}`` is that string), so it says TLS was used but not which version.
    """
    found = {_norm_tls_version(m.group(1), m.group(2), m.group(3)) for m in _TLS_VERSION.finditer(text)}
    return found.pop() if len(found) == 1 else None


def _bits_in(text: str) -> int | None:
    b = _BITS.search(text)
    return _small_int(b.group(1) or b.group(2)) if b else None


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------
_FRACTION = re.compile(r"(\d{1,2}:\d{2}:\d{2})[.,]\d+")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r" ?(Z|[+-]\d{2}:?\d{2})?(?: (?:UTC|GMT|[A-Z]{3,4}))?(?: m=[+-][\d.]+)?"
)
_TIME = re.compile(r"\d{1,2}:\d{2}")
_GLUED_ZONE = re.compile(r"(?<=[0-9])[+-][0-9]{4}$")
#: A 12-hour time, "12:29:13 AM" (not RFC 5322, but some mailers write it): parsedate_tz
#: would take "AM" for the zone and keep the hour as written.
_AMPM = re.compile(r"(?<![0-9:])([0-9]{1,2})(:[0-9]{2}(?::[0-9]{2})?) ?([AaPp])\.?[Mm]\.?(?=\s|$)")
_ZONE_WORD = re.compile(r"(?:^|\s)(?:UTC|GMT|UT)(?:\s|$)")
#: Zone names RFC 5322 §4.3 gives a meaning (military letters other than Z are unreliable).
_KNOWN_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})
#: qmail's date822fmt: always UTC as "-0000", never a weekday (qmail received.c).
_QMAIL_DATE = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} -0000")
_ISO_DATE_WORD = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The date nearly every MTA writes, "Mon, 6 May 2024 08:00:10 +0000", read without
#: ``parsedate_tz`` (see _rfc_date). ASCII digits only (``int`` also reads "٣", which the
#: general path handles), a four-digit year from 1000 (parsedate_tz moves years below 100
#: into 1969-2068), a numeric zone, nothing else.
_RFC_DATE = re.compile(
    r"(?:[A-Z][a-z]{2}, )?([0-9]{1,2}) ([A-Z][a-z]{2}) ([1-9][0-9]{3}) "
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


def _utc(naive: datetime, offset: int) -> datetime | None:
    try:
        return (naive - timedelta(seconds=offset)).replace(tzinfo=UTC)
    except OverflowError:
        return None


def _parse_date(text: str) -> tuple[datetime | None, list[str]]:
    """Parse a trace date (RFC 5322 §3.3 with the obsolete forms of §4.3, plus ISO 8601
    and Go's ``time.Time.String()`` form that SendGrid writes) given without comments.
    Returns an aware UTC datetime or None, and defects."""
    defects: list[str] = []
    cleaned = " ".join(text.split()).rstrip(";").strip()
    if not cleaned:
        return None, ["no date"]
    m = _RFC_DATE.fullmatch(cleaned)
    if m is not None and m.group(2) in _MONTHS:
        return _rfc_date(m, text)
    unreadable = [f"unreadable date {text[:200]!r}"]
    m = _ISO.match(cleaned)
    if m and m.end() == len(cleaned):
        try:
            year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
            second = int(m.group(6) or 0)
            zone = m.group(7)
            offset = 0
            if zone and zone != "Z":
                sign = -1 if zone[0] == "-" else 1
                digits = zone[1:].replace(":", "")
                offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
            elif zone is None and not _ZONE_WORD.search(cleaned):
                defects.append("date has no time zone; read as UTC")
            stamp = _utc(datetime(year, month, day, hour, minute, second), offset)
        except ValueError:
            return None, unreadable
        return (stamp, defects) if stamp is not None else (None, unreadable)
    cleaned = _FRACTION.sub(r"\1", cleaned)
    cleaned = _AMPM.sub(_to_24h, cleaned, count=1)
    try:
        parts = parsedate_tz(cleaned)
    except (ValueError, IndexError, TypeError, OverflowError):  # pragma: no cover - stdlib quirks
        parts = None
    if parts is None or not _TIME.search(cleaned):
        return None, unreadable
    year, month, day, hour, minute, second = parts[:6]
    # parsedate_tz gives 0 for a missing or unknown zone, so look at the zone word itself.
    zone_defect = _zone_defect(cleaned)
    if zone_defect:
        defects.append(zone_defect)
    # A zone name outside RFC 5322 §4.3 SHOULD be read as -0000 (parsedate_tz also knows
    # AST/ADT and reads them as -0400/-0300): read as UTC, as the defect says.
    zone_offset = 0 if zone_defect else parts[9] or 0
    if abs(zone_offset) >= 24 * 3600:
        defects.append("date has an impossible time-zone offset; read as UTC")
        zone_offset = 0
    try:
        naive = datetime(year, month, day, hour, minute, min(second, 59))
    except (ValueError, OverflowError):
        return None, unreadable
    stamp = _utc(naive, zone_offset)
    return (stamp, defects) if stamp is not None else (None, unreadable)


def _to_24h(m: re.Match[str]) -> str:
    """``12:29:13 AM`` → ``00:29:13``, ``1:05 PM`` → ``13:05``; an hour above 12 is left
    as written (and the marker dropped)."""
    hour = int(m.group(1))
    if 1 <= hour <= 12:
        pm = m.group(3) in "Pp"
        hour = (0 if hour == 12 else hour) + (12 if pm else 0)
    return f"{hour:02d}{m.group(2)}"


def _rfc_date(m: re.Match[str], text: str) -> tuple[datetime | None, list[str]]:
    """Read a date that ``_RFC_DATE`` matched, giving what the general path gives
    (``parsedate_tz``, ``_zone_defect`` and the checks after them) for it: a numeric zone
    is never a zone defect, and ``-0000`` reads as ``+0000``."""
    day, month, year, hour, minute, second, sign, zone_h, zone_m = m.groups()
    defects: list[str] = []
    # As parsedate_tz: hours and minutes of the zone, minutes not checked against 59.
    offset = int(zone_h) * 3600 + int(zone_m) * 60
    if sign == "-":
        offset = -offset
    if abs(offset) >= 24 * 3600:
        defects.append("date has an impossible time-zone offset; read as UTC")
        offset = 0
    try:
        stamp = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), min(int(second), 59), tzinfo=UTC)
        if offset:  # as _utc: the local time minus the offset
            stamp -= timedelta(seconds=offset)
    except (ValueError, OverflowError):
        return None, [f"unreadable date {text[:200]!r}"]
    return stamp, defects


def _zone_defect(cleaned: str) -> str | None:
    """Say what is wrong with the zone of an RFC 5322 date, or None.

    The zone is the word after the time (RFC 5322 §3.3). ``-0000`` is UTC with no local
    zone information; the obsolete names of §4.3 are known; any other name SHOULD be
    read as ``-0000``, and a missing zone is read as UTC too — both are reported.
    """
    words = cleaned.split()
    zone = None
    for i, w in enumerate(words):
        if _TIME.match(w):
            glued = _GLUED_ZONE.search(w)  # "00:01+0000": parsedate_tz reads the zone
            zone = glued.group() if glued else (words[i + 1] if i + 1 < len(words) else None)
            break
    if zone is None or not (zone[0] in "+-" or zone.isalpha()):
        return "date has no time zone; read as UTC"
    if zone[0] in "+-":
        return None
    if zone.upper() not in _KNOWN_ZONES:
        return f"date has no time zone it can read ({zone[:20]!r}); read as UTC"
    return None


def _looks_like_date_start(word: str) -> bool:
    w = word.lower().rstrip(",")
    if w[:3] in _WEEKDAYS and len(w) <= 9 and w.isalpha():
        return True
    if _ISO_DATE_WORD.fullmatch(word):
        return True
    return w.isascii() and w.isdigit() and 1 <= len(w) <= 2


# ---------------------------------------------------------------------------------------
# Scratchpad
# ---------------------------------------------------------------------------------------
@dataclass
class _TcpInfo:
    """An RFC 5321 §4.4 TCP-info comment, read."""

    ip: str | None = None
    rdns: str | None = None
    port: int | None = None
    helo: str | None = None  # Exim "helo="
    ident: str | None = None
    forged: bool = False
    bare: bool = False  # only an unbracketed address: qmail "(192.0.2.1)", Exchange
    colon_port: bool = False  # "[ip]:port", Exim's spelling (host_build_sender_fullhost)


@dataclass
class _Parts:
    """Mutable scratchpad while reading one header. The first value found wins."""

    tls: bool | None = None
    tls_version: str | None = None
    tls_cipher: str | None = None
    tls_bits: int | None = None
    auth: str | None = None
    ident: str | None = None
    envelope_from: str | None = None
    software: str | None = None
    by_ip: str | None = None
    helo_comment: str | None = None  # qmail/Cisco/CommuniGate/Yahoo "(HELO name)"; "" for "(HELO )"
    #: One-word comments of the from clause, each with the number of from-words before it
    #: (Exim 3 "from RDNS (HELO) [IP] (IDENT)").
    from_notes: list[tuple[int, str]] = field(default_factory=list)
    #: Symantec NAVGW writes the from clause as a comment, "(from HELO [IP])".
    comment_from: tuple[str, str] | None = None
    with_version: str | None = None  # Microsoft "SMTPSVC(6.0.3790.4675)"
    tcp: _TcpInfo | None = None
    auth_user: str | None = None  # OpenSMTPD "auth=yes user=alice"
    no_tls: bool = False  # a comment says TLS was not used ("NOT encrypted", "no TLS")
    clauses: dict[str, list[list[str]]] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)

    def first(self, name: str, value: str | int | None) -> None:
        if value is not None and value != "" and getattr(self, name) is None:
            setattr(self, name, value)

    def tls_seen(self) -> None:
        self.tls = True


# ---------------------------------------------------------------------------------------
# Comment rules, one per dialect feature. Each takes the comment text.
# ---------------------------------------------------------------------------------------
_EXIM_KV = re.compile(r"(?i)(helo|ident|port)=(\S+)")
_HELO_WORD = re.compile(r"(?i)(?:HELO|EHLO)(?: (\S+))?")
#: CommuniGate Pro: "(account alice@example.com HELO name)", "(account alice@example.com)".
_ACCOUNT = re.compile(r"(?i)account (\S+)(?: (?:HELO|EHLO) (\S+))?")
#: qmail-ldap writes "envelope-sender" where Exim/Dovecot write "envelope-from".
_ENVELOPE_FROM = re.compile(r"(?i)envelope-(?:from|sender) ?[=:]? ?(<[^>]*>|\S+)")
_COMMENT_FROM = re.compile(r"(?i)from (\S+) (\[[^\]\s]*\])")
_AUTH_SENDER = re.compile(r"(?i)\bauthenticated (?:sender|user|as|by) ?:? ?(<[^>]*>|[^\s,;)]+)")
#: qmail's queue writes a Received field that is only a comment (qmail ``qmail-queue.c``
#: and ``qmail-send.c``): "(qmail PID invoked by uid N)", "(qmail PID invoked by alias)",
#: "(qmail PID invoked from network)", "(qmail PID invoked for bounce)". Forks and
#: look-alikes put their own name first (FutureQuest "fqmail", Haraka's bounces).
_QMAIL_UID = re.compile(
    r"(?i)([a-z][a-z0-9_.-]{0,39}) [0-9]{1,10} invoked (?:by (uid [0-9]{1,10}|alias)|from network|for bounce)\b"
)
#: Exim's message id (``$message_exim_id``), base 62: ``1rjjUe-0004Qp-Az`` (6-6-2),
#: and since Exim 4.97 ``1rjjUe-00000004Qp1-Az9x`` (6-11-4).
_EXIM_ID = re.compile(r"[0-9A-Za-z]{6}-(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4})")
_POSTFIX_UID = re.compile(r"(?i)\bfrom (userid [0-9]+)")
_SENDMAIL_FROM = re.compile(r"(?i)from (\S+)")
_DOTTED_VERSION = re.compile(r"\d+(?:\.\d+)+")
_ATTR_WORD = re.compile(r"(?i)(auth|user)=(\S+)")
_KEY_VALUE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*=\S*")
# A comment that names the receiving software (prefix match on the comment).
_SOFTWARE = re.compile(
    r"(?i)(?:Postfix\b|Exim \d|Haraka\b|OpenSMTPD\b|MDaemon\b|Lotus Domino\b|IBM Domino\b|"
    r"Cyrus\b|Dovecot\b|amavis|CommuniGate\b|Zimbra\b|qmail \d|Sun Java\b|IceWarp\b|"
    r"Kerio\b|MailEnable\b|Mirapoint\b|InterScan\b|Symantec\b|Proofpoint\b|Sophos\b|"
    r"Barracuda\b|SimpleEmailService\b|Nemesis\b|SG$|\d+\.\d+(?:\.\d+)*/)"
)
#: fetchmail's mark in the ``with`` clause: "with POP3 (fetchmail-6.4.37)", "with IMAP
#: (fetchmail-5.9.11 polling pop.example.net account bob)" (fetchmail's transact.c).
_FETCHMAIL = re.compile(r"(?i)fetchmail-[0-9][^\s,;]*")
#: Receivers that write ``from HELO [IP]``: the from-word is the client's HELO name, not
#: a name the receiver looked up (IMail's SMTPD32, MDaemon; SpamAssassin reads them so).
_HELO_BEFORE_LITERAL = re.compile(r"(?i)(?:SMTPD32|IMail|MDaemon)\b")


#: The usual TCP-info, "rdns [ip]": two words, the first with no "@" (ident) or "="
#: (Exim key), neither with a "," (a separator) or a nested comment, the second a bare
#: address literal with no port.
_NAME_AND_LITERAL = re.compile(r"([^\s()\[\]<>@=,]+) \[([^\s()\[\],]*)\]")
#: Words a receiver writes after the address literal about the address (lower case).
_LITERAL_NOTES = (" rdns failed", " unverified", " verified")
#: ZMailer's TCP-info (``smtpserver``): ``[ip]:port "EHLO name" ident: "reply"`` and,
#: since 2.99.56, ``rhost-flags-OK-OK-OK-OK`` (its reverse/forward lookup results); the
#: from-word before it is ZMailer's reverse-DNS name for the client. Each pattern reads
#: one quoted string, so the scan is linear.
_QUOTED_HELO = re.compile(r'"(?:HELO|EHLO) ([^"]*)"', re.IGNORECASE)
_QUOTED_IDENT = re.compile(r'\bident: "([^"]*)"', re.IGNORECASE)
_RHOST_FLAGS = re.compile(r"\brhost-flags(?:-[A-Za-z]+)*")
#: An RFC 1413 reply that is not a plain user name, quoted as a local-part: Sun SIMS
#: ``("port 34611"@rdns [ip])``.
_QUOTED_USER = re.compile(r'"([^"]*)"@(?=[^\s"])')
#: What ZMailer writes in place of an ident reply it did not get (no ident server, a
#: socket error, a timeout): all capitals, e.g. ``NO-IDENT-SERVICE[2]``, ``SOCKWRITE-65``.
_IDENT_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9-]*(?:\[[0-9]+\])?")


def _ident_user(user: str) -> str | None:
    """An RFC 1413 user as written before ``@``: sendmail 8.9's ``IDENT:`` tag removed."""
    if user[:6].upper() == "IDENT:":
        user = user[6:]
    return user or None


def _split_tcp_info(comment: str) -> _TcpInfo | None:
    """Read an RFC 5321 §4.4 TCP-info comment: ``rdns [ip]``, ``[ip]:port helo=x``,
    ``port=n helo=x``, ``user@rdns [ip] (may be forged)``, ``ip``, ``user@ip``,
    ``unknown [ip]``, ``<unknown> IPv6:ip``, ``unknown``. None if it is not one."""
    m = _NAME_AND_LITERAL.fullmatch(comment)
    if m is not None:  # Postfix/sendmail "rdns [ip]": what the loop below gives for it
        ip, port = _bracketed_ip(f"[{m.group(2)}]")
        if ip is None:
            return None  # "[unix socket]", junk
        name = m.group(1)
        name_ip, name_port = _ip_port(name)  # "192.0.2.1 [192.0.2.1]": the first address wins
        if name_ip is not None:
            return _TcpInfo(ip=name_ip, port=name_port if port is None else port)
        return _TcpInfo(ip=ip, port=port, rdns=None if _is_unknown(name) else _host(name))
    if _TCP_INFO_MARK.search(comment) is None:
        # No address, key, ident, quote or nested comment can be in it: what the general
        # reading gives for such words ("Postfix", "using TLS ...": not TCP-info), cheaply.
        words = comment.replace(",", " ").split()
        if len(words) != 1 or not _is_unknown(words[0]):
            return None
    return _split_tcp_info_general(comment)


#: A character without which a comment holds no address, Exim key, ident, quoted part or
#: nested comment (an IPv4 address has digits, an IPv6 one colons).
_TCP_INFO_MARK = re.compile(r'[\[=@:"(0-9]')


def _split_tcp_info_general(comment: str) -> _TcpInfo | None:
    """:func:`_split_tcp_info` without its fast path for ``rdns [ip]``."""
    own, nested = _strip_nested(comment)
    tail = own.rstrip()
    for note in _LITERAL_NOTES:
        # IIS "[ip] RDNS failed" / "[ip] unverified", CommuniGate "[ip] verified": what the
        # receiver says about the address, not a name.
        if tail[-len(note) :].lower() == note and tail.endswith("]", 0, len(tail) - len(note)):
            own = tail[: -len(note)]
            break
    info = _TcpInfo(forged=bool(nested) and any(n.lower() == "may be forged" for n in nested))
    names: list[str] = []
    has_kv = False
    if '"' in own:
        own, has_kv = _quoted_parts(own, info)
    for w in own.replace(",", " ").split():
        m = _EXIM_KV.fullmatch(w) if "=" in w else None
        if m:
            has_kv = True
            key = m.group(1).lower()
            if key == "port":
                info.port = _small_int(m.group(2))
            elif key == "helo":
                info.helo = m.group(2)
            else:
                info.ident = m.group(2)
            continue
        if w.startswith("["):
            ip, port = _bracketed_ip(w)
            if ip is None:
                return None  # "[unix socket]", junk
            info.ip = info.ip or ip
            info.port = info.port if port is None else port
            info.colon_port = info.colon_port or (port is not None and "]:" in w)
            continue
        user, _, host = w.rpartition("@")
        # bare "192.0.2.1", "2001:db8::1", OpenSMTPD "IPv6:2001:db8::1", XMail "192.0.2.1:25"
        ip, port = _ip_port(host)
        if ip is not None and info.ip is None:
            info.ip = ip
            info.port = info.port if port is None else port
            if user:
                info.ident = info.ident or _ident_user(user)  # qmail "(user@ip)": RFC 1413 remoteinfo
            continue
        names.append(w)
    if len(names) > 1:
        return None
    info.bare = info.ip is not None and not names and not has_kv and "[" not in own
    if names:
        user, _, name = names[0].rpartition("@")
        if user:  # sendmail "user@rdns [ip]", "IDENT:user@rdns [ip]": RFC 1413 ident
            info.ident = info.ident or _ident_user(user)
        if not _is_unknown(name):
            if info.ip is None and not has_kv:
                return None  # a lone name is not TCP-info
            info.rdns = _host(name)
    elif info.ip is None and not has_kv:
        return None
    return info


def _quoted_parts(own: str, info: _TcpInfo) -> tuple[str, bool]:
    """Read the quoted pieces of a TCP-info comment into ``info`` and cut them out:
    ZMailer's ``"EHLO name"`` and ``ident: "reply"``, SIMS's ``"reply"@rdns``. Returns the
    rest of the text and whether a HELO name was read."""
    seen_helo = False
    m = _QUOTED_HELO.search(own)
    if m is not None:
        info.helo = m.group(1).strip() or None
        seen_helo = True
        own = own[: m.start()] + " " + own[m.end() :]
        if "rhost-flags" in own:  # ZMailer's lookup results, beside the greeting
            own = _RHOST_FLAGS.sub(" ", own)
    m = _QUOTED_IDENT.search(own)
    if m is not None:
        reply = m.group(1).strip()
        if reply and not _IDENT_PLACEHOLDER.fullmatch(reply):
            info.ident = reply
        own = own[: m.start()] + " " + own[m.end() :]
    m = _QUOTED_USER.search(own)
    if m is not None:
        info.ident = info.ident or (m.group(1).strip() or None)
        own = own[: m.start()] + own[m.end() :]
    return own, seen_helo


def _read_tls(c: str, low: str, ascii_only: bool, parts: _Parts) -> bool:
    """TLS details in any of the common spellings. True if the comment was about TLS.

    ``low`` is ``c.lower()``; ``ascii_only`` is ``c.isascii()``.
    """
    if len(c) < 40 and _NO_TLS.fullmatch(c):
        parts.no_tls = True
        return True
    # Postfix/Dovecot: "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ..."
    # Postini: "using TLSv1".
    if low.startswith(("using tls", "using ssl")):
        words = c.split()
        parts.first("tls_version", _version_word(words[1]) if len(words) > 1 else None)
        if len(words) > 4 and words[2].lower() == "with" and words[3].lower() == "cipher":
            parts.first("tls_cipher", words[4])
        parts.first("tls_bits", _bits_in(c))
        parts.tls_seen()
        return True
    # Sendmail / Gmail / Exchange / Mailgun: "version=TLSv1.3 cipher=... bits=256 verify=NOT"
    if "version=" in low or "cipher=" in low:
        for w in c.replace(",", " ").split():
            key, _, value = w.partition("=")
            if key.lower() == "version":
                parts.first("tls_version", _version_in(value))
            elif key.lower() == "cipher":
                parts.first("tls_cipher", value)
        parts.first("tls_bits", _bits_in(c))
        parts.tls_seen()
        return True
    # Every rule below needs one of these words. For ASCII text, ``str.lower`` and the
    # case-insensitive patterns agree, so a comment without them (an rDNS/IP pair, a
    # software name: most comments) is done here; other text (where e.g. "ſ" matches
    # "s" in a pattern but not in ``low``) takes every rule.
    if ascii_only and not ("tls" in low or "ssl" in low or "encrypted" in low or "google" in low):
        return False
    # OpenSMTPD "TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO", Exim "TLSv1.2:ECDHE-RSA-...:256",
    # Exim 4.9x "(TLS1.3)", Exchange "(TLS)".
    pieces = c.split(":")
    version = _version_word(pieces[0])
    if version is not None or c.upper() in ("TLS", "SSL"):
        parts.first("tls_version", version)
        if len(pieces) > 1:
            parts.first("tls_cipher", pieces[1])
        if len(pieces) > 2:
            parts.first("tls_bits", _small_int(pieces[2]))
        parts.tls_seen()
        return True
    # Courier "TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384" (maybe after "AUTH: ...,")
    at = low.find("tls:")
    if at >= 0 and (at == 0 or not c[at - 1].isalnum()):
        fields = [f.strip() for f in c[at + 4 :].split(",")]
        parts.first("tls_version", _version_word(fields[0]) if fields else None)
        for f in fields[1:3]:
            if f.lower().endswith("bits"):
                parts.first("tls_bits", _small_int(f[:-4]))
            elif f:
                parts.first("tls_cipher", f.split()[0])
        parts.tls_seen()
        return True
    # qmail TLS patch "(DHE-RSA-AES256-SHA encrypted)"
    words = c.split()
    if len(words) == 2 and words[1].lower() == "encrypted":
        parts.first("tls_cipher", words[0])
        parts.tls_seen()
        return True
    if low == "google transport security":  # Gmail: Google-internal hop, always TLS
        parts.tls_seen()
        return True
    return False


def _read_auth(c: str, low: str, ascii_only: bool, parts: _Parts) -> bool:
    """Authentication shown in a comment. True if the comment was about it.

    ``low`` is ``c.lower()``; ``ascii_only`` is ``c.isascii()``.
    """
    if ascii_only and "auth" not in low:  # every rule needs it (see _read_tls)
        return False
    m = _AUTH_SENDER.search(c)  # Postfix "Authenticated sender: alice@example.com"
    if m:
        parts.first("auth", _addr(m.group(1)))
        return True
    words = c.replace(",", " ").split()
    for i, w in enumerate(words[:-2]):  # Courier "AUTH: LOGIN alice, TLS: ..."
        if w.upper() == "AUTH:":
            parts.first("auth", words[i + 2])
            return True
    if c[:13].lower() == "authenticated":  # sendmail/Haraka "authenticated bits=0"
        parts.first("auth", c)
        return True
    return False


def _read_comment(comment: str, parts: _Parts, clause: str | None) -> None:
    """Apply every dialect rule to one comment, knowing which clause it stands in."""
    # No unfolding needed: parse_received folds all white space before tokenizing, and a
    # comment token is a stripped piece of that text.
    c = comment
    low = c.lower()
    ascii_only = c.isascii()
    if _read_tls(c, low, ascii_only, parts):
        _read_auth(c, low, ascii_only, parts)  # Courier puts AUTH and TLS in one comment
        return
    m = _ENVELOPE_FROM.match(c)
    if m:  # Exim/Dovecot "(envelope-from <a@b>)"; "<>" is the null reverse-path
        if parts.envelope_from is None:
            parts.envelope_from = _addr(m.group(1))
        return
    if clause == "date" or _read_auth(c, low, ascii_only, parts):
        return
    m = _QMAIL_UID.match(c)
    if m:  # qmail-inject/qmail-queue "(qmail 1234 invoked by uid 89)"; "(fqmail ...)"
        parts.first("software", m.group(1))
        if m.group(2) and m.group(2).lower().startswith("uid"):
            parts.first("ident", m.group(2))
        return
    if clause is None:
        m = _SENDMAIL_FROM.fullmatch(c)
        if m:  # sendmail local submission "(from alice@localhost)": $_ is user@host
            parts.first("ident", m.group(1).rpartition("@")[0] or m.group(1))
        elif (m := _COMMENT_FROM.fullmatch(c)) and parts.comment_from is None:
            parts.comment_from = (m.group(1), m.group(2))  # NAVGW "(from HELO [IP])"
        return
    if clause == "from":
        hm = _HELO_WORD.fullmatch(c) or _ACCOUNT.fullmatch(c)
        if hm:  # qmail/Cisco/CommuniGate "(HELO name)": the from-word is then not HELO
            if hm.re is _ACCOUNT:  # CommuniGate: the authenticated account
                parts.first("auth", hm.group(1))
                helo = hm.group(2)
            else:
                helo = hm.group(1) or ""  # qmail "(HELO )": an empty HELO argument
            if helo is not None and parts.helo_comment is None:
                parts.helo_comment = helo
            return
        if parts.tcp is None:
            parts.tcp = _split_tcp_info(c)
        return
    if clause == "by":
        info = _split_tcp_info(c)
        # Exchange/Gmail "(10.1.2.4)", amavis "(name [127.0.0.1])"; not a software name and
        # its dotted version, NAVGW "(NAVGW 2.5.2.12)".
        if info is not None and info.ip is not None and (info.bare or "[" in c):
            parts.first("by_ip", info.ip)
            return
        m = _POSTFIX_UID.search(c)
        if m:  # Postfix pickup "(Postfix, from userid 1000)"
            parts.first("ident", m.group(1))
    elif clause == "with" and _DOTTED_VERSION.fullmatch(c):
        parts.first("with_version", c)  # Microsoft "SMTPSVC(6.0.3790.4675)"
        return
    if clause == "for" or parts.software is not None:
        return
    name = c.split(",")[0].strip()
    if _SOFTWARE.match(c):
        parts.software = name
    elif m := _FETCHMAIL.match(c):
        parts.software = m.group()
    elif clause == "by" and name and len(name) < 80 and _ip(name) is None and not _KEY_VALUE.fullmatch(name):
        # The by-host's own comment names its software; not a lone "key=value" note
        # (1&1 "(node=mxbap2)", the cluster node).
        parts.software = name


# ---------------------------------------------------------------------------------------
# Clauses
# ---------------------------------------------------------------------------------------
_KEYWORDS = frozenset({"from", "by", "via", "with", "id", "for", "envelope-from", "tls"})
#: Clauses whose value may be several words (RFC 5321 §4.4 Via/With take an Atom, but
#: Exchange writes "Microsoft SMTP Server" and "Frontend Transport"; For may list paths).
_MULTIWORD = frozenset({"with", "via", "for"})
#: A one-word comment (Exim 3's HELO name or ident in "from RDNS (HELO) [IP] (IDENT)").
_LONE_WORD = re.compile(r"[^\s=@\[\]()<>,;:\\\"]++")
#: A plain word after the by-word: RFC 5321 §4.4 wants one domain there, but some
#: gateways write their product name (read as by_host = the first word, with a note).
_BY_EXTRA_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,62}")
#: IIS's local pickup directory names itself where the client would stand: "from mail
#: pickup service by HOST with Microsoft SMTPSVC" (no network client at all).
_PICKUP = ["mail", "pickup", "service"]
_PICKUP_PREFIXES = (_PICKUP[:2], _PICKUP)
#: A clause keyword after the date ends it (Courier writes "; DATE id QUEUEID").
_AFTER_DATE = frozenset({"id", "for", "with", "via", "by"})


def _collect_clauses(tokens: list[_Token], parts: _Parts) -> None:
    """Walk the tokens before the date: keyword clauses, their values and comments."""
    clause: str | None = None
    current: list[str] = []
    stray: list[str] = []
    n = len(tokens)
    skip_to = 0
    for i, (kind, text, _, _) in enumerate(tokens):
        if i < skip_to:
            continue
        if kind == COMMENT:
            if clause == "from" and _LONE_WORD.fullmatch(text):
                parts.from_notes.append((len(current), text))
            _read_comment(text, parts, clause)
            continue
        if kind == SEMI:
            continue
        low = text.lower()
        if (
            low in _KEYWORDS
            and i + 1 < n
            and tokens[i + 1][0] != SEMI  # the keyword has a value
            and not (clause == "for" and low == "for" and not current)
        ):
            clause = low
            if low == "from" and "by" in parts.clauses and tokens[i + 1][1].startswith("<"):
                clause = "envelope-from"  # XMail "... for <rcpt> from <sender>; date"
            current = []
            parts.clauses.setdefault(clause, []).append(current)
            continue
        if clause is None:
            stray.append(text)
        elif clause in _MULTIWORD or not current:
            current.append(text)
        elif clause == "from" and text.startswith("["):
            current.append(text)  # "[192.0.2.1]:1234" after the from-word
        elif clause == "from" and [w.lower() for w in current] + [low] in _PICKUP_PREFIXES:
            current.append(text)  # IIS "from mail pickup service by HOST with Microsoft SMTPSVC"
        elif clause == "by" and len(current) == 1 and (by_ip := _bracketed_ip(text)[0]) is not None:
            parts.first("by_ip", by_ip)  # MDaemon "by HOST [IP] with SMTP"
        elif clause == "by" and _BY_EXTRA_WORD.fullmatch(text):
            current.append(text)  # a product name, "by Websense Email Security Gateway"
        elif clause == "from" and text == "," and _claiming(tokens, i + 1):
            # Obtuse smtpd 'from RDNS(IP), claiming to be "HELO" via SMTP by ...'
            if parts.helo_comment is None:
                parts.helo_comment = tokens[i + 4][1].strip('"')
            skip_to = i + 5
        elif attr := _ATTR_WORD.fullmatch(text):
            # OpenSMTPD "auth=yes user=alice" after the TLS comment (not RFC 5321)
            if attr.group(1).lower() == "user":
                parts.first("auth_user", attr.group(2))
        else:
            stray.append(text)
    if stray:
        parts.defects.append("text outside any clause: " + " ".join(stray)[:200])


def _claiming(tokens: list[_Token], i: int) -> bool:
    """Whether ``claiming to be "NAME"`` starts at ``tokens[i]``."""
    words = tokens[i : i + 4]
    return (
        len(words) == 4
        and all(t[0] == WORD for t in words)
        and [t[1].lower() for t in words[:3]] == ["claiming", "to", "be"]
        and len(words[3][1]) > 2
        and words[3][1][0] == words[3][1][-1] == '"'
    )


def _split_date(
    tokens: list[_Token], text: str, parts: _Parts
) -> tuple[list[_Token], str | None, str | None, list[_Token]]:
    """Separate the date from the clauses: after the last ``;`` (RFC 5321 §4.4), or,
    when the ``;`` is missing, the longest tail of at most 12 words that reads as a date.

    Returns the clause tokens, the date as written, the date's words (comments removed,
    for parsing) and the comments inside or after the date.
    """
    last_semi = -1
    for i in range(len(tokens) - 1, -1, -1):  # the ';' is near the end
        if tokens[i][0] == SEMI:
            last_semi = i
            break
    if last_semi >= 0:
        tail = tokens[last_semi + 1 :]
        cut = len(tail)
        for k in range(len(tail) - 1):
            if tail[k][0] == WORD and tail[k][1].lower() in _AFTER_DATE and tail[k + 1][0] == WORD:
                cut = k
                break
        date_part = tail[:cut]
        date_words = [t[1] for t in date_part if t[0] == WORD]
        if date_words:
            comments = [t for t in date_part if t[0] == COMMENT]
            date_text = text[date_part[0][2] : date_part[-1][3]]
            return tokens[:last_semi] + tail[cut:], date_text, " ".join(date_words), comments
        # A trailing ';' with nothing after it: fall through to the search.
        tokens = tokens[:last_semi] + tail
    words = [(i, t[1]) for i, t in enumerate(tokens) if t[0] == WORD]
    for i, word in words[-12:]:
        if i == 0 or not _looks_like_date_start(word):
            continue
        candidate = " ".join(t[1] for t in tokens[i:] if t[0] == WORD)
        stamp, _ = _parse_date(candidate)
        if stamp is not None:
            parts.defects.append("no ';' before the date")
            comments = [t for t in tokens[i:] if t[0] == COMMENT]
            return tokens[:i], text[tokens[i][2] : tokens[-1][3]], candidate, comments
    return tokens, None, None, []


def parse_received(value: str) -> Hop:
    """Parse one ``Received`` header value into a :class:`Hop`.

    Parameters
    ----------
    value
        The field value without the ``Received:`` name (a leading ``Received:`` is
        tolerated), folded or not.

    Returns
    -------
    Hop
        Never raises for a string. ``parsed`` is ``False`` when part of the header could
        not be read; ``raw`` always holds the text given.

    Raises
    ------
    TypeError
        When ``value`` is not a ``str``.

    Examples
    --------
    >>> hop = parse_received("from mail.example.com (mail.example.com [192.0.2.1]) "
    ...     "by mx.example.net (Postfix) with ESMTPS id 4ABC; Tue, 2 Jan 2024 10:00:00 +0000")
    >>> hop.from_helo, hop.from_ip, hop.protocol, hop.tls
    ('mail.example.com', '192.0.2.1', 'ESMTPS', True)
    """
    if not isinstance(value, str):
        raise TypeError(f"parse_received takes a str, not {type(value).__name__}")
    parts = _Parts()
    text = value
    if len(text) > MAX_HEADER_CHARS:
        parts.defects.append(f"longer than {MAX_HEADER_CHARS} characters; the rest was not read")
        text = text[:MAX_HEADER_CHARS]
    text = " ".join(text.split())  # unfold (RFC 5322 §2.2.3) and fold all white space
    if text[:9].lower() == "received:":
        text = text[9:].strip()
    tokens = _tokenize(text, parts.defects)
    clause_tokens, date_text, date_words, date_comments = _split_date(tokens, text, parts)
    _collect_clauses(clause_tokens, parts)
    for t in date_comments:
        _read_comment(t[1], parts, "date")
    comments = tuple([t[1] for t in tokens if t[0] == COMMENT])
    return _assemble(value, parts, date_text, date_words, comments)


def _words(parts: _Parts, name: str) -> list[str]:
    """The words of the first ``name`` clause (a repeat is a defect, except ``for``)."""
    found = parts.clauses.get(name)
    if not found:
        return []
    if name == "for":
        return [w for words in found for w in words]
    for extra in found[1:]:
        if name == "with" and len(extra) == 1 and extra[0].upper() in _TLS_WORDS:
            parts.tls_seen()  # Mimecast "with ESMTP with STARTTLS"
        else:
            parts.defects.append(f"repeated {name!r} clause")
    return found[0]


def _assemble(raw: str, parts: _Parts, date_text: str | None, date_words: str | None, comments: tuple[str, ...]) -> Hop:
    defects = parts.defects
    for name, found in parts.clauses.items():
        if name == "from" and parts.tcp is not None and len(found) == 1:
            continue  # "from ([ip])": no HELO name, but TCP-info (see below)
        if not all(found):  # a clause with no words
            defects.append(f"empty {name!r} clause")

    # --- from clause --------------------------------------------------------------------
    from_words = _words(parts, "from")
    if [w.lower() for w in from_words] == _PICKUP:
        from_words = []  # IIS local pickup: no client to name
    from_word = from_words[0] if from_words else None
    from_helo = from_rdns = from_ip = None
    from_port: int | None = None
    ident = None
    tcp = parts.tcp or _TcpInfo()
    id_found = parts.clauses.get("id")
    first_id = id_found[0][0].rstrip(";,") if id_found and id_found[0] else ""
    with_found = parts.clauses.get("with")
    first_with = with_found[0][0] if with_found and with_found[0] else ""
    # Exim, named or by its signatures (an "[ip]:port" TCP-info, an Exim message id), when
    # the rest is in Exim's shape: no name in TCP-info, no "(HELO x)" comment, and the
    # protocol in lower case, as Exim's $received_protocol always is ("esmtp", "local").
    exim = (parts.software or "").startswith("Exim") or (
        (tcp.colon_port or _EXIM_ID.fullmatch(first_id) is not None)
        and tcp.rdns is None
        and parts.helo_comment is None
        and first_with == first_with.lower()
    )
    if from_word is not None:
        own_ip, word_port = _bracketed_ip(from_word)
        if own_ip is None:
            own_ip = _ip(from_word)
        word_ip = own_ip
        literal_after = False  # an address literal as a word after the from-word
        for extra in from_words[1:]:  # "[192.0.2.1]:port" separated oddly
            extra_ip, extra_port = _bracketed_ip(extra)
            word_port = word_port or extra_port
            word_ip = word_ip or extra_ip
            literal_after = literal_after or extra_ip is not None
        unknown = _is_unknown(from_word)
        if parts.helo_comment is not None:
            # qmail/Cisco/CommuniGate: "from RDNS-or-IP (HELO name) (ip)"; qmail writes
            # "unknown" when there is no rDNS name; GMX "from RDNS (EHLO name) [ip]".
            from_helo = parts.helo_comment or None  # "(HELO )": the client gave none
            from_rdns = None if unknown or own_ip else _host(from_word)
        elif parts.tcp is None and own_ip is None and literal_after:
            # Exim 3 "from RDNS (HELO) [IP.port] (IDENT)", fetchmail "from HOST [IP]": the
            # receiver's name for the client, then the address as a word, no TCP-info.
            # Exim 3 leaves out "(HELO)" when it equals the name.
            # IMail (SMTPD32) and MDaemon write the HELO name there instead.
            notes = parts.from_notes
            if _HELO_BEFORE_LITERAL.match(parts.software or "") and not notes:
                from_helo = None if unknown else from_word
            else:
                from_rdns = None if unknown else _host(from_word)
                helo_note = next((text for at, text in notes if at == 1), None)
                from_helo = helo_note or (from_rdns if exim else None)
                ident = next((text for at, text in notes if at >= 2), None)
        elif tcp.helo is not None or exim:
            # Exim: "from RDNS ([ip]:port helo=name)", "from [ip] (port=n helo=name)";
            # no helo= means the HELO name equalled the rDNS name (or the address).
            # With no address at all the from-word is $sender_ident (local submission).
            # Exim 3 with no rDNS name: "from (HELO) [ip]".
            if word_ip is None and tcp.ip is None:
                ident = from_word
            elif word_ip is None:
                from_rdns = _host(from_word)
            from_helo = tcp.helo if tcp.helo is not None else from_rdns
            if from_helo is None and parts.tcp is None:
                from_helo = next((text for at, text in parts.from_notes if at == 0), None)
        elif parts.tcp is None and word_ip is not None:
            pass  # "from 192.0.2.5 by ..." (webmail/HTTP): the client address, no HELO
        elif tcp.bare and _QMAIL_DATE.fullmatch(date_words or ""):
            # qmail "from RDNS (IP)": it omits "(HELO x)" when the HELO name equals the
            # rDNS name, so the one word is both ("unknown" when there is no rDNS).
            from_helo = from_rdns = None if unknown else _host(from_word)
        else:
            # RFC 5321 §4.4: "from" Extended-Domain = the EHLO argument, then TCP-info.
            from_helo = None if unknown else from_word
            from_rdns = tcp.rdns
        from_ip = tcp.ip or word_ip
        from_port = tcp.port if tcp.port is not None else word_port
    elif parts.tcp is not None and "from" in parts.clauses:
        # No from-word, only TCP-info: the client gave no HELO name, or the receiver left
        # it out (IIS "from  ([ip])", MailEnable, ecelerity "from ([ip:port] helo=name)").
        from_helo, from_rdns, from_ip, from_port = tcp.helo, tcp.rdns, tcp.ip, tcp.port
    elif parts.comment_from is not None and "from" not in parts.clauses:
        # Symantec NAVGW "(from HELO [IP]) by ...": the from clause written as a comment.
        name, literal = parts.comment_from
        from_helo = None if _is_unknown(name) else name
        from_ip = _bracketed_ip(literal)[0]
    if tcp.forged:  # sendmail: the rDNS name did not resolve back to the address
        defects.append("the receiver says the client's rDNS name may be forged")
    ident = tcp.ident or parts.ident or ident

    # --- by clause ----------------------------------------------------------------------
    by_words = _words(parts, "by")
    # Obtuse smtpd "by HOST, id X": the comma separates, it is not part of the name.
    by_host = (by_words[0].rstrip(",") or None) if by_words else None
    if len(by_words) > 1:  # irregular, but nothing is left unread
        defects.append("the 'by' clause has more than one word: " + " ".join(by_words)[:200])
    by_ip = parts.by_ip
    if by_host is not None and by_ip is None:
        by_ip = _bracketed_ip(by_host)[0] or _ip(by_host)

    # --- with: protocol, TLS (RFC 3848) -------------------------------------------------
    with_words = _words(parts, "with")
    software = parts.software
    protocol: str | None = None
    if with_words:
        first = with_words[0]
        head, _, rest = first.partition("/")
        if rest and head.upper() in _IANA_WITH:
            # Cisco AsyncOS "ESMTP/TLS/AES128-SHA": protocol, then TLS and its cipher.
            protocol = head.upper()
            layer, _, cipher = rest.partition("/")
            if layer.upper() in _TLS_WORDS:
                parts.tls_seen()
                parts.first("tls_cipher", cipher or None)
        elif first.upper() in _IANA_WITH or first.upper() == "MAPI":
            protocol = first.upper()
            if len(with_words) > 1:
                defects.append("extra words after the protocol: " + " ".join(with_words[1:])[:200])
        else:
            protocol = " ".join(with_words)
        if protocol.lower() == "microsoft smtpsvc":
            version = f" {parts.with_version}" if parts.with_version else ""
            software = software or f"{protocol}{version}"
    tls = False if parts.no_tls else parts.tls
    if tls is None and protocol is not None:
        p = protocol.upper()
        # RFC 3848: an "S" before any trailing "A" means TLS.
        tls = p.removesuffix("A").endswith("S") if p in _IANA_WITH else _TLS_BY_PROTOCOL.get(p)
    auth = parts.auth or parts.auth_user
    # RFC 3848 "...A"; Exim before 4.50 wrote "asmtp" for authenticated SMTP.
    authenticated_with = protocol is not None and (
        (protocol in _IANA_WITH and protocol.endswith("A")) or protocol.upper() == "ASMTP"
    )
    if auth is None and authenticated_with:
        auth = protocol

    # --- id / for / envelope-from / tls / via -------------------------------------------
    id_words = _words(parts, "id")
    queue_id = id_words[0].rstrip(";,") if id_words else None
    if protocol == "Microsoft SMTP Server" and software is None:
        software = f"{protocol} {queue_id}" if queue_id else protocol
    addrs = [_addr(w) for w in _words(parts, "for")]
    envelope_for = ", ".join(a for a in addrs if a) or None
    envelope_from = parts.envelope_from
    ef_words = _words(parts, "envelope-from")
    if envelope_from is None and ef_words:  # Haraka "envelope-from <a@b>"
        envelope_from = _addr(ef_words[0])
    tls_words = _words(parts, "tls")
    if tls_words:  # Exim 4.9x / Haraka "tls TLS_AES_256_GCM_SHA384" (RFC 8314 names)
        parts.first("tls_cipher", tls_words[0])
        tls = not parts.no_tls
    via_words = _words(parts, "via")

    # --- date -----------------------------------------------------------------------------
    timestamp = None
    if date_words:
        timestamp, date_defects = _parse_date(date_words)
        defects.extend(date_defects)
    else:
        defects.append("no date")

    if from_word is None and by_host is None and software is None and ident is None:
        defects.append("neither a 'from' nor a 'by' clause")
    unreadable = bool(defects) and any(
        d.startswith(("unclosed", "unbalanced", "stray", "text outside", "unreadable date",
                      "neither", "longer than", "empty", "repeated"))
        for d in defects
    )  # fmt: skip
    return Hop(
        from_helo=from_helo,
        from_rdns=from_rdns,
        from_ip=from_ip,
        from_port=from_port,
        by_host=by_host,
        by_ip=by_ip,
        via=" ".join(via_words) or None,
        protocol=protocol,
        tls=tls,
        tls_version=parts.tls_version,
        tls_cipher=parts.tls_cipher,
        tls_bits=parts.tls_bits,
        auth=auth,
        ident=ident,
        queue_id=queue_id,
        envelope_for=envelope_for,
        envelope_from=envelope_from,
        software=software,
        timestamp=timestamp,
        timestamp_text=date_text,
        comments=comments,
        raw=raw,
        parsed=not unreadable,
        defects=tuple(defects),
    )
