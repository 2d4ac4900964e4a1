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
anchored per-dialect rules to individual comments.

Guarantees: :func:`parse_received` never raises for any ``str``; it runs in time linear
in its input (the input is capped at :data:`MAX_HEADER_CHARS`); a header it cannot fully
read gives ``parsed=False`` with ``raw`` kept and every part it could read.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_tz

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
        brackets, e.g. ``"[192.0.2.1]"``).
    from_rdns
        The reverse-DNS name the receiver looked up for the client (``None`` when the
        receiver wrote ``unknown`` or nothing). Trailing dots are removed.
    from_ip
        The client address the receiver saw, IPv4 or IPv6 in canonical form (an
        IPv4-mapped IPv6 address is given as IPv4).
    from_port
        The client's TCP port, when the receiver wrote it (Exim).
    by_host
        The receiving host, as written.
    by_ip
        The receiving host's address, when written (Exchange, amavis, Gmail).
    via
        The ``via`` clause (``"Frontend Transport"`` in Exchange).
    protocol
        The ``with`` clause. RFC 3848 tokens are upper-cased (``"ESMTPS"``); other values
        are kept as written (``"Microsoft SMTP Server"``, ``"MAPI"``, ``"local"``).
    tls
        ``True`` when the header shows TLS (an RFC 3848 ``S`` protocol, or a TLS comment),
        ``False`` for plain SMTP/ESMTP/LMTP/HTTP without TLS details, ``None`` when the
        header says nothing either way (MAPI, local delivery, no ``with`` clause).
    tls_version, tls_cipher, tls_bits
        TLS details from the comments; the version is normalised to OpenSSL's spelling
        (``"TLSv1.3"``).
    auth
        The authenticated submitter when the header names one (``"alice@example.com"``);
        otherwise the token that shows authentication (``"ESMTPSA"``,
        ``"authenticated bits=0"``); ``None`` when there is no sign of it.
    ident
        The RFC 1413 ident user or local user id (``"uid 89"``, ``"userid 1000"``).
    queue_id
        The ``id`` clause (for Exchange this is the server build, e.g. ``15.20.7472.27``).
    envelope_for
        The recipient in the ``for`` clause, without angle brackets.
    envelope_from
        The reverse-path from ``envelope-from`` (Exim, Haraka, Dovecot); ``""`` is the
        null reverse-path ``<>``.
    software
        The receiving software when the header names it (``"Postfix"``, ``"Exim 4.96"``).
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
_WORD = re.compile(r"[^\s()<>\[\];\"]+")
_WS = re.compile(r"\s+")

WORD, COMMENT, SEMI = "word", "comment", "semi"
_Token = tuple[str, str]


def _tokenize(text: str, defects: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    pos, size = 0, len(text)
    while pos < size:
        ch = text[pos]
        if ch.isspace():
            m = _WS.match(text, pos)
            pos = m.end() if m else pos + 1
            continue
        if ch == "(":
            depth, i = 1, pos + 1
            while i < size and depth:
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                i += 1
            if depth:
                defects.append("unclosed comment")
                tokens.append((COMMENT, text[pos + 1 :].strip()))
                pos = size
            else:
                tokens.append((COMMENT, text[pos + 1 : i - 1].strip()))
                pos = i
            continue
        if ch == ")":
            defects.append("unbalanced ')'")
            pos += 1
            continue
        if ch == ";":
            tokens.append((SEMI, ";"))
            pos += 1
            continue
        # A word: runs of plain characters, <...>, [...] and "..." glued together.
        start = pos
        while pos < size:
            c = text[pos]
            if c == "<" or c == "[" or c == '"':
                close = {"<": ">", "[": "]", '"': '"'}[c]
                end = text.find(close, pos + 1)
                if end < 0:
                    defects.append(f"unclosed {c!r}")
                    pos = size
                    break
                pos = end + 1
                continue
            m = _WORD.match(text, pos)
            if not m:
                break
            pos = m.end()
        if pos == start:  # a lone '>' or ']' — skip it, but say so
            defects.append(f"stray {text[pos]!r}")
            pos += 1
            continue
        tokens.append((WORD, text[start:pos]))
    return tokens


# ---------------------------------------------------------------------------------------
# Small helpers for values
# ---------------------------------------------------------------------------------------
def _ip(text: str | None) -> str | None:
    """Canonical IP string for ``text`` (brackets, ``IPv6:`` and ``:port`` removed)."""
    if not text:
        return None
    t = text.strip().strip("[]")
    if t[:5].lower() == "ipv6:":
        t = t[5:]
    try:
        addr = ipaddress.ip_address(t)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


_BRACKET_PORT = re.compile(r"\[([^\]]*)\](?::(\d{1,5}))?")


def _bracketed_ip(word: str) -> tuple[str | None, int | None]:
    """``[192.0.2.1]`` / ``[IPv6:2001:db8::1]`` / ``[192.0.2.1]:25`` → (ip, port)."""
    m = _BRACKET_PORT.fullmatch(word)
    if not m:
        return None, None
    port = int(m.group(2)) if m.group(2) else None
    return _ip(m.group(1)), port


def _host(word: str | None) -> str | None:
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


_RFC3848 = {
    "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA", "LMTP", "LMTPA", "LMTPS", "LMTPSA",
    "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTP", "UTF8LMTPA",
    "UTF8LMTPS", "UTF8LMTPSA", "SMTPS", "HTTP", "HTTPS", "MAPI", "IMAP", "POP3",
}  # fmt: skip

_TLS_VERSION = re.compile(r"(?i)\b(?:TLS|SSL)v?_?(\d)(?:[._](\d))?\b")
_TLS_VERSION_WORD = re.compile(r"(?i)^(TLS|SSL)v?_?(\d)(?:[._](\d))?$")
_CIPHER_WORD = re.compile(r"^(?:TLS_[A-Z0-9_]+|(?:[A-Z0-9]+-)+[A-Z0-9]+|[A-Z0-9]+_[A-Z0-9_]+)$")
_BITS = re.compile(r"(?i)\bbits=(\d{1,5})|\b(\d{2,5})(?:/\d{2,5})?\s*bits\b|\b(\d{2,5})bits\b")


def _norm_tls_version(kind: str, major: str, minor: str | None) -> str:
    kind = kind.upper()
    if kind == "SSL":
        return f"SSLv{major}"
    if major == "1" and minor is None:  # Exim/older OpenSSL "TLSv1" is TLS 1.0
        return "TLSv1"
    return f"TLSv{major}.{minor or '0'}"


def _version_from(text: str) -> str | None:
    m = _TLS_VERSION.search(text)
    if not m:
        return None
    kind = m.group(0)[:3]
    return _norm_tls_version(kind, m.group(1), m.group(2))


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------
_FRACTION = re.compile(r"(\d{1,2}:\d{2}:\d{2})[.,]\d+")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?(?:\s+(?:UTC|GMT|[A-Z]{3,4}))?(?:\s+m=[+-][\d.]+)?"
)
_COMMENT_IN_DATE = re.compile(r"\([^()]*\)")
_TIME = re.compile(r"\d{1,2}:\d{2}")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _parse_date(text: str) -> tuple[datetime | None, list[str]]:
    """Parse a trace date (RFC 5322 §3.3 with the obsolete forms of §4.3, plus ISO 8601
    and Go's ``time.Time.String()`` form that SendGrid writes). Returns an aware UTC
    datetime or None, and defects."""
    defects: list[str] = []
    cleaned = _COMMENT_IN_DATE.sub(" ", text).strip().rstrip(";").strip()
    if not cleaned:
        return None, ["no date"]
    m = _ISO.fullmatch(cleaned) or _ISO.match(cleaned)
    if m and m.end() == len(cleaned):
        year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
        second = int(m.group(6) or 0)
        zone = m.group(7)
        offset = 0
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        elif zone is None and not re.search(r"\b(?:UTC|GMT)\b", cleaned):
            defects.append("date has no time zone; read as UTC")
        try:
            naive = datetime(year, month, day, hour, minute, second)
            return (naive - timedelta(seconds=offset)).replace(tzinfo=timezone.utc), defects
        except ValueError:
            return None, [f"unreadable date {text!r}"]
    cleaned = _FRACTION.sub(r"\1", cleaned)
    parts = parsedate_tz(cleaned)
    if parts is None or not _TIME.search(cleaned):
        return None, [f"unreadable date {text!r}"]
    year, month, day, hour, minute, second = parts[:6]
    offset = parts[9]
    if offset is None:
        # "-0000" means UTC with no local zone information (RFC 5322 §3.3).
        if not re.search(r"(?:^|\s)-0000\b", cleaned):
            defects.append("date has no time zone; read as UTC")
        offset = 0
    elif abs(offset) >= 24 * 3600:
        defects.append("date has an impossible time-zone offset; read as UTC")
        offset = 0
    try:
        naive = datetime(year, month, day, hour, minute, min(second, 59))
    except (ValueError, OverflowError):
        return None, [f"unreadable date {text!r}"]
    try:
        return (naive - timedelta(seconds=offset)).replace(tzinfo=timezone.utc), defects
    except OverflowError:
        return None, [f"unreadable date {text!r}"]


def _looks_like_date_start(word: str) -> bool:
    w = word.lower().rstrip(",")
    if w[:3] in _WEEKDAYS and len(w) <= 9 and w.isalpha():
        return True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?", word):
        return True
    return w.isdigit() and 1 <= len(w) <= 2


# ---------------------------------------------------------------------------------------
# Comment rules, one per dialect feature. Each takes the comment text.
# ---------------------------------------------------------------------------------------
_EXIM_KV = re.compile(r"(?i)\b(helo|ident|port)=(\S+)")
_HELO_WORD = re.compile(r"(?i)^(?:HELO|EHLO)\s+(\S+)$")
_ENVELOPE_FROM = re.compile(r"(?i)^envelope-from\s*[=:]?\s*(<[^>]*>|\S+)")
_AUTH_SENDER = re.compile(r"(?i)authenticated\s+(?:sender|user|as|by)\s*:?\s*(<[^>]*>|[^\s,;)]+)")
_COURIER_AUTH = re.compile(r"(?i)\bAUTH:\s*\S+\s+([^\s,]+)")
_QMAIL_UID = re.compile(r"(?i)^qmail\s+\d+\s+invoked\s+by\s+(uid\s+\d+|alias|network)")
_POSTFIX_UID = re.compile(r"(?i)from\s+(userid\s+\d+)")
_SENDMAIL_FROM = re.compile(r"(?i)^from\s+(\S+)$")
_SOFTWARE = re.compile(
    r"(?i)^(?:Postfix|Exim\s+[\d.]+|Haraka/[\w.]+|OpenSMTPD|MDaemon[^)]*|Lotus\s+Domino[^)]*|"
    r"Cyrus[^)]*|Dovecot|amavisd-new[^)]*|Sun\s+Java[^)]*|CommuniGate[^)]*|Zimbra[^)]*|"
    r"qmail\s+[\d.]+|\d+\.\d+\.\d+/[\d./A-Za-z]+|SG|Google\s+Transport\s+Security|"
    r"IceWarp[^)]*|Kerio[^)]*|MailEnable[^)]*|Mirapoint[^)]*|InterScan[^)]*|"
    r"Symantec[^)]*|Proofpoint[^)]*|Sophos[^)]*|Barracuda[^)]*|mfilter[^)]*)"
)


def _split_tcp_info(comment: str) -> dict[str, str | int | None] | None:
    """Read an RFC 5321 TCP-info comment: ``rdns [ip]``, ``[ip]:port helo=x``,
    ``user@rdns [ip]``, ``ip``, ``user@ip``, ``unknown [ip]``. None if it is not one."""
    words = comment.replace(",", " ").split()
    if not words:
        return None
    info: dict[str, str | int | None] = {}
    forged = "may be forged" in comment.lower()
    rest: list[str] = []
    for w in words:
        m = _EXIM_KV.fullmatch(w)
        if m:
            key = m.group(1).lower()
            if key == "port":
                if m.group(2).isdigit():
                    info["port"] = int(m.group(2))
            else:
                info[key] = m.group(2)
            continue
        if w.startswith("["):
            ip, port = _bracketed_ip(w)
            if ip is None:
                return None
            info["ip"] = ip
            if port is not None:
                info["port"] = port
            continue
        rest.append(w)
    if forged:
        rest = [w for w in rest if w.lower() not in ("may", "be", "forged")]
    if "ip" not in info:
        # Bare forms: "(192.0.2.1)" Exchange/qmail, "(user@192.0.2.1)" qmail.
        if len(rest) == 1:
            candidate = rest[0]
            user = None
            if "@" in candidate:
                user, candidate = candidate.rsplit("@", 1)
            ip = _ip(candidate)
            if ip is not None:
                info["ip"] = ip
                if user:
                    info["ident"] = user
                return info
        if not info:
            return None
    if len(rest) > 1:
        return None
    if rest:
        name = rest[0]
        if "@" in name:  # sendmail "user@rdns [ip]": RFC 1413 ident
            user, name = name.rsplit("@", 1)
            info["ident"] = user
        if name.lower() in ("unknown", "<unknown>", ""):
            info["rdns"] = None
        elif _ip(name) is not None:
            info.setdefault("ip", _ip(name))
        else:
            info["rdns"] = _host(name)
    if forged:
        info["forged"] = 1
    return info


@dataclass
class _Parts:
    """Mutable scratchpad while reading one header."""

    values: dict[str, str | int | bool | None] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)

    def setdefault(self, key: str, value: str | int | bool | None) -> None:
        if value is not None and self.values.get(key) is None:
            self.values[key] = value


def _read_tls(comment: str, parts: _Parts) -> bool:
    """TLS details in any of the common spellings. True if the comment was about TLS."""
    c = comment.strip()
    low = c.lower()
    # Postfix: "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ..."
    if low.startswith("using tls") or low.startswith("using ssl"):
        m = re.match(r"(?i)using\s+(\S+)\s+with\s+cipher\s+(\S+)", c)
        if m:
            vm = _TLS_VERSION_WORD.match(m.group(1))
            if vm:
                parts.setdefault("tls_version", _norm_tls_version(vm.group(1), vm.group(2), vm.group(3)))
            parts.setdefault("tls_cipher", m.group(2))
        b = _BITS.search(c)
        if b:
            parts.setdefault("tls_bits", int(next(g for g in b.groups() if g)))
        parts.values["tls"] = True
        return True
    # Sendmail / Gmail / Exchange: "version=TLSv1.3 cipher=... bits=256 verify=NOT"
    if "version=" in low or "cipher=" in low:
        m = re.search(r"(?i)version=([^\s,]+)", c)
        if m:
            parts.setdefault("tls_version", _version_from(m.group(1)))
        m = re.search(r"(?i)cipher=([^\s,]+)", c)
        if m:
            parts.setdefault("tls_cipher", m.group(1))
        b = _BITS.search(c)
        if b:
            parts.setdefault("tls_bits", int(next(g for g in b.groups() if g)))
        parts.values["tls"] = True
        return True
    # OpenSMTPD "TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO", Exim "TLS1.2:ECDHE-RSA-...:256",
    # Exim 4.9x "(TLS1.3)", Exchange "(TLS)".
    pieces = c.split(":")
    vm = _TLS_VERSION_WORD.match(pieces[0])
    if vm or c.upper() in ("TLS", "SSL"):
        if vm:
            parts.setdefault("tls_version", _norm_tls_version(vm.group(1), vm.group(2), vm.group(3)))
        if len(pieces) > 1 and pieces[1]:
            parts.setdefault("tls_cipher", pieces[1])
        if len(pieces) > 2 and pieces[2].isdigit():
            parts.setdefault("tls_bits", int(pieces[2]))
        parts.values["tls"] = True
        return True
    # Courier "TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384" (maybe after "AUTH: ...,")
    m = re.search(r"(?i)\bTLS:\s*([^,\s]+)(?:,\s*(\d+)bits)?(?:,\s*([^\s,)]+))?", c)
    if m:
        vm = _TLS_VERSION_WORD.match(m.group(1))
        if vm:
            parts.setdefault("tls_version", _norm_tls_version(vm.group(1), vm.group(2), vm.group(3)))
        if m.group(2):
            parts.setdefault("tls_bits", int(m.group(2)))
        if m.group(3):
            parts.setdefault("tls_cipher", m.group(3))
        parts.values["tls"] = True
        return True
    # qmail "(DHE-RSA-AES256-SHA encrypted)"
    m = re.fullmatch(r"(?i)(\S+)\s+encrypted", c)
    if m:
        parts.setdefault("tls_cipher", m.group(1))
        parts.values["tls"] = True
        return True
    if low == "google transport security":
        parts.values["tls"] = True
        return False  # also a software marker
    return False


def _read_comment(comment: str, parts: _Parts, clause: str | None) -> None:
    """Apply every dialect rule to one comment, knowing which clause it stands in."""
    tls = _read_tls(comment, parts)
    m = _ENVELOPE_FROM.match(comment)
    if m:
        parts.setdefault("envelope_from", _addr(m.group(1)))
        return
    m = _AUTH_SENDER.search(comment)
    if m:
        parts.setdefault("auth", _addr(m.group(1)))
    else:
        m = _COURIER_AUTH.search(comment)
        if m:
            parts.setdefault("auth", m.group(1))
        elif re.match(r"(?i)^authenticated\b", comment):
            parts.setdefault("auth", comment.strip())
    m = _QMAIL_UID.match(comment)
    if m:
        parts.setdefault("software", "qmail")
        if m.group(1).lower().startswith("uid"):
            parts.setdefault("ident", " ".join(m.group(1).split()))
        return
    if clause is None:
        m = _SENDMAIL_FROM.match(comment)  # sendmail local submission "(from user@localhost)"
        if m:
            parts.setdefault("ident", m.group(1))
            return
    m = _POSTFIX_UID.search(comment)
    if m and clause == "by":
        parts.setdefault("ident", " ".join(m.group(1).split()))
    if tls:
        return
    if clause == "from":
        hm = _HELO_WORD.match(comment.strip())
        if hm:  # qmail "(HELO name)": the from-word is then the rDNS name
            parts.setdefault("qmail_helo", hm.group(1))
            return
        info = _split_tcp_info(comment)
        if info is not None and parts.values.get("tcp_info_seen") is None:
            parts.values["tcp_info_seen"] = True
            for key, value in info.items():
                parts.values[f"tcp_{key}"] = value
            return
    if clause == "by":
        info = _split_tcp_info(comment)
        if info is not None and info.get("ip"):
            parts.setdefault("by_ip", info["ip"])
            return
    sm = _SOFTWARE.match(comment.strip())
    if sm:
        sw = comment.strip().split(",")[0].strip()
        if sw.upper() != "SG" or clause == "by":
            parts.setdefault("software", sw if sw != "SG" else "SendGrid")
    elif clause == "by" and parts.values.get("software") is None and len(comment) < 80:
        first = comment.split(",")[0].strip()
        if first and not _ip(first):
            parts.setdefault("software", first)


_KEYWORDS = frozenset({"from", "by", "via", "with", "id", "for", "envelope-from", "tls"})
_MULTIWORD = frozenset({"with", "via", "for"})


def _collect_clauses(tokens: list[_Token], parts: _Parts) -> None:
    """Walk the tokens before the date: keyword clauses, their values and comments."""
    clause: str | None = None
    values: dict[str, list[str]] = {}
    stray: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        kind, text = tokens[i]
        if kind == COMMENT:
            _read_comment(text, parts, clause)
            i += 1
            continue
        if kind == SEMI:
            i += 1
            continue
        low = text.lower()
        following = tokens[i + 1] if i + 1 < n else None
        has_value = following is not None and following[0] in (WORD, COMMENT)
        if low in _KEYWORDS and has_value and not (clause in _MULTIWORD and low == "for" and clause == "for"):
            if low in values and low not in ("for",):
                parts.defects.append(f"repeated {low!r} clause")
            clause = low
            values.setdefault(low, [])
            i += 1
            continue
        if clause is None:
            stray.append(text)
        elif clause in _MULTIWORD or not values[clause]:
            values[clause].append(text)
        elif clause in ("from", "by", "id"):
            # Exim "[192.0.2.1]:1234" right after the from-word, or junk
            if clause == "from" and text.startswith("["):
                values[clause].append(text)
            else:
                stray.append(text)
        else:
            stray.append(text)
        i += 1
    if stray:
        parts.defects.append("text outside any clause: " + " ".join(stray)[:200])
    for key, words in values.items():
        if words:
            parts.values[f"clause_{key}"] = " ".join(words)
        else:
            parts.defects.append(f"empty {key!r} clause")


def _split_date(tokens: list[_Token], text: str, parts: _Parts) -> tuple[list[_Token], str | None]:
    """Separate the date from the clauses: after the last ``;`` (RFC 5321 §4.4), or,
    when the ``;`` is missing, the longest tail of at most 12 tokens that reads as a date."""
    last_semi = max((i for i, t in enumerate(tokens) if t[0] == SEMI), default=-1)
    if last_semi >= 0:
        tail = tokens[last_semi + 1 :]
        date_words = [t[1] for t in tail if t[0] == WORD]
        if date_words:
            # Comments after the date (rare) still carry information.
            date_text = text[text.rfind(";") + 1 :].strip()
            return tokens[:last_semi] + [t for t in tail if t[0] == COMMENT], date_text
        # A trailing ';' with nothing after it: fall through to the search.
        tokens = tokens[:last_semi] + tail
    words = [(i, t[1]) for i, t in enumerate(tokens) if t[0] == WORD]
    for j, (i, word) in enumerate(words[-12:] if len(words) > 12 else words):
        if i == 0 or not _looks_like_date_start(word):
            continue
        candidate = " ".join(t[1] for t in tokens[i:] if t[0] == WORD)
        stamp, _ = _parse_date(candidate)
        if stamp is not None:
            parts.defects.append("no ';' before the date")
            kept_comments = [t for t in tokens[i:] if t[0] == COMMENT]
            return tokens[:i] + kept_comments, candidate
    return tokens, None


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

    Examples
    --------
    >>> hop = parse_received("from mail.example.com (mail.example.com [192.0.2.1]) "
    ...     "by mx.example.net (Postfix) with ESMTPS id 4ABC; Tue, 2 Jan 2024 10:00:00 +0000")
    >>> hop.from_helo, hop.from_ip, hop.protocol, hop.tls
    ('mail.example.com', '192.0.2.1', 'ESMTPS', True)
    """
    if not isinstance(value, str):
        raise TypeError(f"parse_received takes a str, not {type(value).__name__}")
    raw = value
    parts = _Parts()
    text = value
    if len(text) > MAX_HEADER_CHARS:
        parts.defects.append(f"longer than {MAX_HEADER_CHARS} characters; the rest was not read")
        text = text[:MAX_HEADER_CHARS]
    text = " ".join(text.split())  # unfold (RFC 5322 §2.2.3) and fold all white space
    if text[:9].lower() == "received:":
        text = text[9:].strip()
    lex_defects: list[str] = []
    tokens = _tokenize(text, lex_defects)
    parts.defects.extend(lex_defects)
    clause_tokens, date_text = _split_date(tokens, text, parts)
    _collect_clauses(clause_tokens, parts)
    comments = tuple(t[1] for t in tokens if t[0] == COMMENT)
    return _assemble(raw, parts, date_text, comments)


def _assemble(raw: str, parts: _Parts, date_text: str | None, comments: tuple[str, ...]) -> Hop:
    v = parts.values
    defects = parts.defects

    def s(key: str) -> str | None:
        got = v.get(key)
        return got if isinstance(got, str) else None

    # --- from clause --------------------------------------------------------------------
    from_words = (s("clause_from") or "").split()
    from_word = from_words[0] if from_words else None
    from_helo = from_rdns = from_ip = None
    from_port: int | None = None
    if from_word is not None:
        word_ip, word_port = _bracketed_ip(from_word)
        if word_ip is None:
            word_ip = _ip(from_word)
        for extra in from_words[1:]:  # Exim "[192.0.2.1]:port" separated oddly
            extra_ip, extra_port = _bracketed_ip(extra)
            word_port = word_port or extra_port
            word_ip = word_ip or extra_ip
        tcp_ip = s("tcp_ip")
        exim_helo = s("tcp_helo")
        qmail_helo = s("qmail_helo")
        if qmail_helo is not None:
            # qmail: "from RDNS (HELO name) (ip)"; RDNS "unknown" when there is none.
            from_helo = qmail_helo
            from_rdns = None if from_word.lower() == "unknown" or word_ip else _host(from_word)
        elif exim_helo is not None or (v.get("software") or "").__str__().startswith("Exim"):
            # Exim: "from RDNS ([ip]:port helo=name)" or "from [ip]:port (helo=name)";
            # no helo= means the HELO name equalled the rDNS name.
            if word_ip is None:
                from_rdns = _host(from_word)
            from_helo = exim_helo if exim_helo is not None else from_rdns
        else:
            # RFC 5321 §4.4: "from" Extended-Domain = the EHLO argument, then TCP-info.
            if word_ip is not None and not v.get("tcp_info_seen"):
                from_helo = None  # "from 192.0.2.1 by ..." (webmail/HTTP): an address, no HELO
            else:
                from_helo = from_word if from_word.lower() != "unknown" else None
            if v.get("tcp_info_seen"):
                from_rdns = s("tcp_rdns")
        from_ip = tcp_ip or word_ip
        tcp_port = v.get("tcp_port")
        from_port = tcp_port if isinstance(tcp_port, int) else word_port
        if from_helo is not None and from_helo.startswith("[") is False:
            from_helo = from_helo.rstrip(".") or from_helo
    ident = s("tcp_ident") or s("ident")

    # --- by clause ----------------------------------------------------------------------
    by_word = (s("clause_by") or "").split()
    by_host = _host(by_word[0]) if by_word else None
    by_ip = s("by_ip")
    if by_host is not None and by_ip is None:
        by_ip = _bracketed_ip(by_host)[0] or _ip(by_host)

    # --- with / via / id / for ----------------------------------------------------------
    protocol = s("clause_with")
    software = s("software")
    if protocol:
        token = protocol.split()[0]
        if token.upper() in _RFC3848:
            rest = protocol.split()[1:]
            protocol = token.upper()
            if token.upper() == "MAPI":
                protocol = "MAPI"
            if rest:
                defects.append("extra words after the protocol: " + " ".join(rest))
        elif protocol.lower().startswith("microsoft smtpsvc"):
            software = software or protocol
            protocol = "Microsoft SMTPSVC"
        elif protocol.lower() == "local":
            protocol = "local"
    queue_id = s("clause_id")
    if queue_id:
        queue_id = queue_id.split()[0].rstrip(";,")
        if protocol == "Microsoft SMTP Server" and software is None:
            software = f"Microsoft SMTP Server {queue_id}"
    envelope_for = s("clause_for")
    if envelope_for:
        addrs = [_addr(w) for w in envelope_for.split() if w.strip(",")]
        envelope_for = ", ".join(a for a in addrs if a) or None
    envelope_from = s("envelope_from")
    if envelope_from is None and s("clause_envelope-from") is not None:
        envelope_from = _addr(s("clause_envelope-from") or "")
    tls_clause = s("clause_tls")
    if tls_clause:  # Exim 4.9x / Haraka "tls TLS_AES_256_GCM_SHA384"
        parts.setdefault("tls_cipher", tls_clause.split()[0])
        v["tls"] = True

    # --- TLS and authentication from the protocol (RFC 3848) ---------------------------
    tls = v.get("tls") if isinstance(v.get("tls"), bool) else None
    if tls is None and protocol:
        p = protocol.upper()
        if p in _RFC3848 and p not in ("MAPI", "IMAP", "POP3"):
            tls = p.endswith("S") or p.endswith("SA")
        elif p in ("MICROSOFT SMTP SERVER", "MICROSOFT SMTPSVC"):
            tls = False
    auth = s("auth")
    if auth is None and protocol and protocol.upper().endswith("A") and protocol.upper() in _RFC3848:
        auth = protocol.upper()
    tls_bits = v.get("tls_bits")

    # --- date -----------------------------------------------------------------------------
    timestamp = None
    if date_text:
        timestamp, date_defects = _parse_date(date_text)
        defects.extend(date_defects)
    else:
        defects.append("no date")

    if not (from_word or by_word) and not v.get("software") and not v.get("ident"):
        defects.append("neither a 'from' nor a 'by' clause")
    unreadable = any(
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
        via=s("clause_via"),
        protocol=protocol,
        tls=tls,
        tls_version=s("tls_version"),
        tls_cipher=s("tls_cipher"),
        tls_bits=tls_bits if isinstance(tls_bits, int) else None,
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

