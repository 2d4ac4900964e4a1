"""The MIME parts of a message, transfer-decoded, each with its IMAP section number.

One walk serves the URL extractor and the attachment inventory. It is iterative (a
message nested ten thousand multiparts deep cannot exhaust the stack), bounded (at most
:data:`MAX_PARTS` leaves and :data:`MAX_DEPTH` levels) and never raises: a part whose
payload cannot be decoded is returned with the bytes that could be read and a note.

Broken structure
----------------
CPython's parser is tolerant: where a multipart is broken it records a *defect* on the
part (``StartBoundaryNotFoundDefect``, ``CloseBoundaryNotFoundDefect``, ...) and goes on.
:func:`read_structure` keeps those defects (:class:`MimeIssue`, one per part; they become
``mime-structure-defect`` and, for damaged base64 or an undecodable payload,
``content-part-unreadable`` findings in :func:`structure_findings`). Header defects of the
top-level header block are left to :class:`~mailforensics.message.Message`, which reports
them itself, and defects inside a ``*/rfc822-headers`` part (a bounce's copy of the
original headers, whose body is absent by design) are not reported.

Broken structure is also where content hides: parsers disagree on it, and an attacker
puts the payload where the scanner's parser does not look. Two places are read again:

- a multipart whose boundary never appears (the parser keeps its whole body as one
  text), and
- a multipart's preamble and epilogue (the text before the first delimiter and after the
  close delimiter, which RFC 2046 §5.1.1 says to ignore; a reused boundary or a second
  close delimiter leaves real parts there).

In that text a *part* is recovered only where it is unambiguous: a delimiter-shaped line
(``--`` and 1-100 boundary characters, at least one a letter or digit) directly followed
by a header block (field lines only, ended by an empty line, within 64 lines) that has a
``Content-Type`` or ``Content-Disposition``. The boundary is taken from that line, not
from the declaration (the sender's tooling may have declared another one); the part runs
to the next line with that delimiter, its close (``--boundary--``), or a close delimiter
of a boundary not opened inside the part. Each recovered part is parsed with the same
parser (so a recovered multipart is walked too) and marked with :attr:`Part.recovered`
(``"epilogue"``, ``"preamble"`` or ``"body"``); its section is named for where it was
found: ``"epilogue.1"`` after the top-level close delimiter, ``"2.epilogue.1"`` after
part 2's, ``"body.1"`` inside a top-level multipart whose boundary was not found, and
``"preamble.1"``; its children are ``"epilogue.1.1"``, ... The rest of such a body, and
an epilogue's text outside recovered parts, are kept as a ``text/plain`` part
(``"body"``/section of the broken multipart, ``"epilogue"``) so the URLs written there
are read too; a preamble's text is not (non-MIME readers show it, and it is the
"This is a multi-part message" notice). Recovery is not applied again inside recovered
content, so the text read is the message's once more at most: linear. At most
:data:`MAX_RECOVERED` parts are recovered per message. Nothing is fetched or executed.

Uuencoded blocks in a text body
-------------------------------
Mail clients (Outlook, Thunderbird) show a uuencoded block written in a plain-text body
(``begin 644 payload.exe``, the encoded lines, ``end``) as an attachment, so such a block
is read out as a part of its own: ``content_type`` ``application/octet-stream`` (nothing
declares a type), the name from the ``begin`` line, :attr:`Part.recovered` ``"uuencode"``,
and the section of the text part it was found in followed by ``.uuencode.1``,
``.uuencode.2``, ... (``"1.uuencode.1"``). The shape is strict: a ``begin`` line with a
mode of 3 or 4 octal digits and a name, then only lines that are well-formed uuencoded
lines (a length character and as many characters as that length needs, from the
uuencoding alphabet), then ``end``; anything else and the lines are left as text. Only
inline ``text/plain`` bodies (no file name, not ``Content-Disposition: attachment``) are
read; each line is looked at once (linear), each line decoded with
:func:`binascii.a2b_uu` (never raising), at most :data:`MAX_UUENCODED` blocks per message.
The block's lines are taken out of the text part, so what is read there for URLs is the
text around it. A part whose ``Content-Transfer-Encoding`` is ``x-uuencode`` is decoded
by the email package itself and is an ordinary part.

Raw 8-bit header values
-----------------------
``Content-Type`` and ``Content-Disposition`` parameters written as raw 8-bit bytes (a file
name in UTF-8, RFC 6532 §3.2) are read as UTF-8 when they are valid UTF-8, else as
Latin-1 (every byte kept, so the name can be re-read in its real charset) with a note;
:attr:`Part.header_8bit` says which.

Section numbers follow IMAP (RFC 3501 §6.4.5 ``BODY[<section>]``): a single-part message
is ``"1"``; the children of a multipart are ``"1"``, ``"2"``, ... and their children
``"2.1"``, ...; the body of an attached ``message/rfc822`` part ``"3"`` is ``"3.1"`` (or
``"3.1"``, ``"3.2"``, ... when it is a multipart). A ``message/external-body`` part is
not descended into: its body is the header of content kept elsewhere (RFC 2046 §5.2.3),
not content.
"""

from __future__ import annotations

import binascii
import codecs
import dataclasses
import email.message
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from functools import lru_cache

from mailforensics import _mimeparse
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message

__all__ = [
    "MAX_DEPTH",
    "MAX_PARTS",
    "MAX_RECOVERED",
    "MAX_UUENCODED",
    "MimeIssue",
    "MimeStructure",
    "Part",
    "decode_text",
    "decode_words",
    "read_structure",
    "structure_findings",
    "walk",
]

#: At most this many leaf parts are read from one message.
MAX_PARTS = 1000
#: Parts nested deeper than this are not read.
MAX_DEPTH = 64
#: At most this many parts are recovered from broken structure per message.
MAX_RECOVERED = 100
#: At most this many uuencoded blocks are read out of text bodies per message.
MAX_UUENCODED = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """One leaf MIME part (or an attached message), decoded.

    Parameters
    ----------
    section
        The IMAP section number (``"1"``, ``"2.1"``).
    content_type
        The declared type, lower case (``"text/plain"`` when absent, RFC 2045 §5.2).
    charset
        The declared ``charset`` parameter, lower case, or None.
    disposition
        ``"inline"``, ``"attachment"`` (lower case) or None when absent.
    filename
        The name from ``Content-Disposition: filename`` or ``Content-Type: name``, with
        RFC 2231 parameters and RFC 2047 encoded words decoded; None when absent.
    filename_raw
        The name parameter as written (before RFC 2047 decoding).
    transfer_encoding
        The ``Content-Transfer-Encoding``, lower case, or None.
    payload
        The transfer-decoded bytes (for ``message/*`` parts: the encapsulated message's
        bytes as stored).
    notes
        What went wrong while decoding, if anything.
    content_id
        The ``Content-ID`` without its angle brackets, or None.
    recovered
        None for a part the parser found; for a part recovered from broken structure
        (see the module docstring), where it was found: ``"epilogue"`` (after a close
        delimiter), ``"preamble"`` or ``"body"`` (a multipart whose boundary was not found);
        ``"uuencode"`` for a uuencoded block read out of a text body.
    header_8bit
        How raw 8-bit bytes in its ``Content-Type``/``Content-Disposition`` were read:
        ``"utf-8"`` (RFC 6532) or ``"latin-1"`` (not valid UTF-8); None when there were none.
    """

    section: str
    content_type: str
    charset: str | None = None
    disposition: str | None = None
    filename: str | None = None
    filename_raw: str | None = None
    transfer_encoding: str | None = None
    payload: bytes = b""
    notes: tuple[str, ...] = ()
    content_id: str | None = None
    recovered: str | None = None
    header_8bit: str | None = None
    obj: email.message.Message | None = field(default=None, compare=False, repr=False)

    @property
    def is_text(self) -> bool:
        """True for ``text/*`` parts."""
        return self.content_type.startswith("text/")


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words in ``value``; the text as given when that fails.

    The white space between two encoded words goes (RFC 2047 §6.2); all other text is kept
    as written. ``str(make_header(...))`` would also put a space between an encoded word
    and text written against it (``=?UTF-8?B?w6k=?=.pdf`` read as ``"é .pdf"``), where mail
    clients show ``"é.pdf"``.
    """
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
        if len(chunks) == 1 or all(cs is None for _, cs in chunks):
            return str(make_header(chunks))
        out: list[str] = []
        for data, charset in chunks:
            if isinstance(data, str):
                out.append(data)
            elif charset is None:
                out.append(data.decode("raw-unicode-escape"))
            else:
                name = _text_codec(charset)
                if name is None:
                    return value  # an unknown charset: keep the text as given
                out.append(data.decode(name))
        return "".join(out)
    except Exception:  # malformed encoded words, undecodable bytes: keep the text
        return value


def _text_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        info = codecs.lookup(charset.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    # bytes.decode refuses non-text codecs (base64_codec, rot13, ...): skip them.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_text(payload: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode a text part: its declared charset, else UTF-8, else Windows-1252.

    Returns the text and a note when the declared charset was unusable or bytes had to
    be replaced.
    """
    name = _text_codec(charset)
    note = None
    if charset and name is None:
        note = f"unknown charset {charset[:40]!r}"
    if name is not None:
        try:
            return payload.decode(name), note
        except UnicodeDecodeError:
            return payload.decode(name, errors="replace"), f"bytes not valid in {name} were replaced"
        except Exception:  # a broken codec implementation must not stop the walk
            note = f"charset {name} failed"
    try:
        return payload.decode("utf-8"), note
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace"), note


def _param(msg: email.message.Message, name: str, header: str) -> str | None:
    try:
        value = msg.get_param(name, header=header)
    except Exception:
        return None
    if value is None:
        return None
    if isinstance(value, tuple):  # an RFC 2231 triple
        try:
            return email.utils.collapse_rfc2231_value(value)
        except Exception:
            return str(value[2])
    return str(value)


def _extended(msg: email.message.Message, name: str, header: str) -> str | None:
    """The RFC 2231 form of parameter ``name`` (``filename*=``, ``filename*0*=``...) when
    the field also has the plain form: None otherwise.

    The email package returns the plain value first, but a field carrying both means the
    extended one for readers that understand it (RFC 2231 §4, RFC 6266 §4.3): mail clients
    show it, so it is the name the reader sees (the plain one is for older software, and a
    different plain name is how a file is shown under one name and scanned under another).
    """
    try:
        params = msg.get_params(header=header)
    except Exception:
        return None
    if not params or len(params) < 3:
        return None
    plain = extended = False
    value: object = None
    for key, val in params[1:]:
        if str(key).lower() != name:
            continue
        if isinstance(val, tuple):
            if not extended:
                extended, value = True, val
        else:
            plain = True
    if not (plain and extended) or not isinstance(value, tuple):
        return None
    try:
        return str(email.utils.collapse_rfc2231_value(value)).strip()
    except Exception:
        return str(value[2]).strip()


def _filename(msg: email.message.Message) -> tuple[str | None, str | None]:
    raw: str | None = None
    try:
        raw = msg.get_filename()  # RFC 2231 (with continuations), then Content-Type name
    except Exception:
        # Only then can the name parameter alone still be read (get_filename returns None
        # only when it has looked for it and found none).
        raw = _param(msg, "name", "content-type")
    if raw is None:
        return None, None
    raw = str(raw)
    # get_filename returns the plain value where both forms are given: prefer the extended.
    has_filename = _param(msg, "filename", "content-disposition") is not None
    extended = (
        _extended(msg, "filename", "content-disposition") if has_filename else _extended(msg, "name", "content-type")
    )
    if extended is not None:
        raw = extended
    # A quoted name folded over lines (RFC 5322 §2.2.3: unfolding removes the line break).
    return decode_words(_FOLD.sub("", raw) if "\n" in raw else raw), raw


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def _decode_8bit(value: str) -> tuple[str, str | None]:
    """A raw header value as the parser keeps it (bytes above 0x7F as lone surrogates,
    ``surrogateescape``), read as UTF-8 when valid (RFC 6532 §3.2), else as Latin-1.

    Returns the text and ``"utf-8"``/``"latin-1"``, or the value and None when it holds
    no raw 8-bit bytes.
    """
    if value.isascii():
        return value, None
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already text (a tree built from str): nothing to decode
        return value, None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _raw_first(msg: email.message.Message, names: tuple[str, ...]) -> dict[str, str]:
    """The first raw value of each of ``names`` (lower case), as stored."""
    found: dict[str, str] = {}
    try:
        for key, value in msg.raw_items():
            low = str(key).lower()
            if low in names and low not in found and isinstance(value, str):
                found[low] = value
                if len(found) == len(names):
                    break
    except Exception:
        pass
    return found


def _header(msg: email.message.Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:
        return None
    if value is None:
        return None
    if isinstance(value, str):
        return value
    # compat32 gives a Header (shown with U+FFFD) for a value with raw 8-bit bytes.
    raw = _raw_first(msg, (name.lower(),)).get(name.lower())
    return _decode_8bit(raw)[0] if raw is not None else str(value)


_CT_CD = ("content-type", "content-disposition")


def _named(msg: email.message.Message) -> tuple[str | None, str | None, str | None, str | None]:
    """The ``charset`` parameter, the file name (decoded, as written) of ``msg``, and how
    raw 8-bit bytes in those fields were read (``"utf-8"``, ``"latin-1"`` or None)."""
    try:
        ctype = msg.get("Content-Type")
        disp = msg.get("Content-Disposition")
    except Exception:
        ctype = disp = None  # not readable as text: _param and _filename say what they can
    else:
        if msg.policy is email.policy.compat32 and not (isinstance(ctype, str | None) and isinstance(disp, str | None)):
            # A Header object: raw 8-bit bytes. Read them (RFC 6532), then the parameters.
            raw = _raw_first(msg, _CT_CD)
            ctype, enc_t = _decode_8bit(raw["content-type"]) if "content-type" in raw else (None, None)
            disp, enc_d = _decode_8bit(raw["content-disposition"]) if "content-disposition" in raw else (None, None)
            enc = "latin-1" if "latin-1" in (enc_t, enc_d) else enc_t or enc_d
            if len(ctype or "") + len(disp or "") <= _MAX_CACHED_PARAMS:
                return (*_named_in(ctype, disp), enc)
            return (*_named_in.__wrapped__(ctype, disp), enc)
        # Both follow from the first Content-Type and Content-Disposition values alone, and
        # those repeat across a mailbox ("text/plain; charset=utf-8"): read each pair once.
        if (
            msg.policy is email.policy.compat32
            and isinstance(ctype, str | None)
            and isinstance(disp, str | None)
            and len(ctype or "") + len(disp or "") <= _MAX_CACHED_PARAMS
        ):
            return (*_named_in(ctype, disp), None)
    return (_param(msg, "charset", "content-type"), *_filename(msg), None)


_MAX_CACHED_PARAMS = 1000


@lru_cache(maxsize=1024)
def _named_in(ctype: str | None, disp: str | None) -> tuple[str | None, str | None, str | None]:
    # A part holding these two fields only: the email package reads them as in the part.
    alone = email.message.Message()
    try:
        if ctype is not None:
            alone["Content-Type"] = ctype
        if disp is not None:
            alone["Content-Disposition"] = disp
    except Exception:
        return None, None, None
    return (_param(alone, "charset", "content-type"), *_filename(alone))


_UNREAD = object()  # walk() could not read the payload: _leaf tries (and notes) it


def _leaf(msg: email.message.Message, section: str, body: object = _UNREAD) -> Part:
    notes: list[str] = []
    try:
        ctype = msg.get_content_type().lower()
    except Exception:
        ctype = "application/octet-stream"
        notes.append("unreadable Content-Type")
    charset, filename, filename_raw, header_8bit = _named(msg)
    if header_8bit == "latin-1":
        notes.append("raw 8-bit bytes in Content-Type/Content-Disposition are not UTF-8: read as Latin-1")
    disposition = _disposition(_header(msg, "Content-Disposition"))
    cte = _header(msg, "Content-Transfer-Encoding")
    payload = b""
    decoder = msg
    try:
        if body is _UNREAD:
            body = msg.get_payload()
        if isinstance(body, list):
            # message/rfc822 and the like: the encapsulated message as bytes.
            inner = body[0] if body else None
            if isinstance(inner, email.message.Message):
                payload = inner.as_bytes(policy=inner.policy.clone(max_line_length=0))
        else:
            decoder = _cte_alias(msg, cte)
            decoded = decoder.get_payload(decode=True)
            if isinstance(decoded, bytes):
                payload = decoded
    except Exception as exc:  # a payload the email package cannot decode
        notes.append(f"payload could not be decoded ({type(exc).__name__})")
    for defect in [*(getattr(msg, "defects", ()) or ()), *(decoder.defects if decoder is not msg else ())]:
        name = type(defect).__name__
        if name in _BASE64_DEFECTS:
            notes.append(name)
    return Part(
        section=section,
        content_type=ctype,
        charset=charset.lower() if charset else None,
        disposition=disposition,
        filename=filename,
        filename_raw=filename_raw,
        transfer_encoding=cte.strip().lower() if cte else None,
        payload=payload,
        notes=tuple(notes),
        content_id=(_header(msg, "Content-ID") or "").strip().strip("<>") or None,
        header_8bit=header_8bit,
        obj=msg,
    )


def _disposition(value: str | None) -> str | None:
    """The disposition type: the first token of ``Content-Disposition``, lower case.

    Mail clients read the type up to the first ``;`` or white space (``attachment
    filename="a.pdf"``, with the ``;`` missing, is an attachment). RFC 2183 §2.8: a type
    other than ``inline`` and ``attachment`` is treated as ``attachment``.
    """
    if not value:
        return None
    token = re.split(r"[;\s]", value.strip(), maxsplit=1)[0].lower()
    if not token:
        return None
    return token if token in ("inline", "attachment") else "attachment"


#: The transfer encodings the email package decodes, by their canonical token.
_KNOWN_CTE = frozenset({"base64", "quoted-printable", "x-uuencode", "uuencode", "uue", "x-uue"})


def _cte_alias(msg: email.message.Message, cte: str | None) -> email.message.Message:
    """``msg``, or a stand-in holding its body under its transfer encoding's bare token.

    The email package decodes only an exact ``Content-Transfer-Encoding`` value:
    ``base64`` followed by spaces, or by a ``;`` or a comment, is left undecoded. Mail
    clients read the first token (as for the disposition type) and decode the body.
    """
    if not cte:
        return msg
    token = re.split(r"[;(\s]", cte.strip(), maxsplit=1)[0].lower()
    if token not in _KNOWN_CTE or cte.lower() == token:
        return msg
    stand_in = email.message.Message()
    stand_in["Content-Transfer-Encoding"] = token
    stored = getattr(msg, "_payload", None)
    stand_in.set_payload(stored if isinstance(stored, str | bytes) else msg.get_payload())
    return stand_in


_BASE64_DEFECTS = frozenset(
    {"InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect"}
)


# ---------------------------------------------------------------------------------------
# Structure defects, and parts recovered from broken structure
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class MimeIssue:
    """What is wrong with one MIME part's structure or encoding.

    Parameters
    ----------
    section
        The part (``""`` for the message's own body).
    content_type
        Its declared type, lower case.
    boundary
        Its declared ``boundary`` parameter (multiparts), or None.
    defects
        The names of the defects CPython's parser recorded on it
        (``"StartBoundaryNotFoundDefect"``, ...), in order.
    recovered
        ``(section, where, content type, file name or "")`` of each part recovered from its
        preamble, epilogue or unparsed body.
    notes
        Other problems met while decoding it (an undecodable payload, header bytes that
        are not UTF-8).
    in_recovered
        True when the part is itself inside recovered content.
    boundary_of
        When its boundary is the one an enclosing multipart declared: that part's
        section (``""`` for the message body). A reused boundary makes the outer parser
        take the inner delimiters as its own.
    """

    section: str
    content_type: str
    boundary: str | None = None
    defects: tuple[str, ...] = ()
    recovered: tuple[tuple[str, str, str, str], ...] = ()
    notes: tuple[str, ...] = ()
    in_recovered: bool = False
    boundary_of: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MimeStructure:
    """What :func:`read_structure` read.

    Parameters
    ----------
    parts
        The leaf parts in document order (recovered parts included, at their place).
    truncated
        True when :data:`MAX_PARTS` or :data:`MAX_DEPTH` cut the walk.
    issues
        One :class:`MimeIssue` per part with defects, recovered parts or notes.
    recovery_limited
        True when :data:`MAX_RECOVERED` stopped the recovery.
    uuencode_limited
        True when :data:`MAX_UUENCODED` stopped the reading of uuencoded blocks.
    """

    parts: tuple[Part, ...] = ()
    truncated: bool = False
    issues: tuple[MimeIssue, ...] = ()
    recovery_limited: bool = False
    uuencode_limited: bool = False


# A delimiter line (RFC 2046 §5.1.1 bchars; a space inside but not last), with or
# without the close marker; trailing whitespace (transport padding) is removed first.
_BCHARS = r"0-9A-Za-z'()+_,\-./:=?"
_DELIM_LINE = re.compile(rf"--([{_BCHARS} ]{{0,99}}[{_BCHARS}])")
_FIELD_LINE = re.compile(r"[!-9;-~]{1,76}[ \t]*:")
_MAX_HEADER_LINES = 64
_LINESEP = re.compile(r"\r?\n")


def _delimiter(line: str) -> str | None:
    """``line`` (without its line break) as a delimiter ``"--boundary"``, or None."""
    if not line.startswith("--") or len(line) > 110:
        return None
    stripped = line.rstrip(" \t\r")
    m = _DELIM_LINE.fullmatch(stripped)
    if m is None or not any(c.isalnum() for c in m.group(1)):
        return None
    return stripped


def _opens_part(lines: list[str], start: int) -> bool:
    """Whether ``lines[start:]`` begins with a MIME header block naming a content."""
    content = False
    seen_field = False
    for k in range(start, min(len(lines), start + _MAX_HEADER_LINES)):
        line = lines[k].rstrip("\r")
        if not line.strip():
            return seen_field and content
        if line[0] in " \t":
            if not seen_field:
                return False
            continue
        if _FIELD_LINE.match(line) is None:
            return False
        seen_field = True
        name = line.split(":", 1)[0].rstrip(" \t").lower()
        if name in _CT_CD:
            content = True
    return False


def _carve(text: str, limit: int) -> tuple[list[str], str, bool]:
    """The MIME parts written in ``text`` (each as header block + body), the text outside
    them (without their delimiter lines), and whether more parts were left for ``limit``. One pass over the lines (each
    header block check reads at most 64 lines ahead): linear."""
    if "--" not in text or ("content-" not in text and "content-" not in text.lower()):
        return [], text, False
    lines = text.split("\n")
    chunks: list[str] = []
    outside: list[str] = []
    delim: str | None = None  # the group's delimiter, while inside a group
    start = -1  # first line of the current part, -1 when none is open
    opened: set[str] = set()  # delimiters opened inside the current part (nested multiparts)
    more = False

    def close(end: int) -> None:
        nonlocal start
        if start >= 0:
            chunk = "\n".join(lines[start:end])
            chunks.append(chunk[:-1] if chunk.endswith("\r") else chunk)  # CRLF before a delimiter
        start = -1
        opened.clear()

    def can_open(at: int) -> bool:
        nonlocal more
        if not _opens_part(lines, at):
            return False
        if len(chunks) >= limit:
            more = True
            return False
        return True

    for i, line in enumerate(lines):
        d = _delimiter(line) if line.startswith("--") else None
        if d is None:
            if start < 0:
                outside.append(line)
            continue
        if delim is not None and (d == delim or d == delim + "--"):
            close(i)
            if d == delim and can_open(i + 1):
                start = i + 1
            else:
                delim = None  # the group is closed (or what follows is no part)
        elif delim is not None and start >= 0 and d.endswith("--") and d[:-2] not in opened:
            close(i)  # the close delimiter of a boundary this part never opened
            delim = None
        elif delim is not None and start >= 0:
            opened.add(d)  # a nested multipart's delimiter: part of this part
        elif start < 0 and can_open(i + 1):
            delim = d
            start = i + 1
        elif start < 0:
            outside.append(line)
    close(len(lines))
    return chunks, "\n".join(outside), more


# A uuencoded block: "begin", a mode of 3-4 octal digits, a name; lines of the
# uuencoding alphabet (0x20-0x60); a zero-length line; "end".
_UU_BEGIN = re.compile(rb"begin [0-7]{3,4} +(\S[^\r\n]{0,1023})")
_UU_ALPHABET = bytes(range(0x20, 0x61))


def _uu_line(line: bytes) -> bytes | None:
    """The bytes one uuencoded line carries, or None when it is not one."""
    if not line:
        return b""  # a zero-length line whose " " a transport removed
    count = (line[0] - 0x20) & 0x3F
    if line[0] > 0x60 or line[0] < 0x20 or line.translate(None, _UU_ALPHABET):
        return None
    need = (count * 4 + 2) // 3  # the characters that carry ``count`` bytes
    full = (count + 2) // 3 * 4  # the same, padded to a group of 4
    if not need <= len(line) - 1 <= full + 2:  # encoders may add a check character
        return None
    try:
        data = binascii.a2b_uu(line[: 1 + full])
    except (binascii.Error, ValueError):
        return None
    return data[:count]


def _uudecode(payload: bytes, limit: int) -> tuple[list[tuple[bytes, bytes]], bytes, bool]:
    """The uuencoded blocks written in ``payload`` as ``(name, bytes)``, the payload
    without their lines, and whether more than ``limit`` blocks were there.

    Strict shape (see the module docstring); each line is looked at twice at most: linear.
    """
    if b"begin " not in payload:
        return [], payload, False
    lines = payload.split(b"\n")
    n = len(lines)
    blocks: list[tuple[bytes, bytes]] = []
    kept: list[bytes] = []
    more = False
    i = 0
    while i < n:
        head = lines[i]
        m = _UU_BEGIN.fullmatch(head.rstrip(b"\r")) if head.startswith(b"begin ") else None
        if m is None or more:
            kept.append(head)
            i += 1
            continue
        chunks: list[bytes] = []
        j = i + 1
        ended = False
        done = False  # a zero-length line was read: "end" must follow
        while j < n:
            line = lines[j].rstrip(b"\r")
            if line.rstrip(b" \t") == b"end" and chunks:
                ended = True
                break
            data = None if done else _uu_line(line)
            if data is None:
                break
            if data:
                chunks.append(data)
            elif not chunks:
                break  # no content before the end marker: not a file
            else:
                done = True
            j += 1
        if not ended:
            kept.append(head)  # not a block: its lines stay text, read again from line j
            i += 1
            kept.extend(lines[i:j])
            i = j
            continue
        if len(blocks) >= limit:
            more = True
            kept.extend(lines[i : j + 1])
        else:
            blocks.append((m.group(1).rstrip(b" \t"), b"".join(chunks)))
        i = j + 1
    if not blocks:
        return [], payload, more
    return blocks, b"\n".join(kept), more


def _uu_name(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _to_bytes(text: str) -> bytes:
    """The parser's text back as bytes (raw 8-bit bytes are lone surrogates in it)."""
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _boundary(msg: email.message.Message) -> str | None:
    try:
        b = msg.get_boundary()
    except Exception:
        return None
    return None if b is None else str(b)[:200]


def _maintype(msg: email.message.Message) -> str:
    try:
        return msg.get_content_maintype().lower()
    except Exception:
        return ""


# Header defects of the top-level header block: Message reports those itself.
_ROOT_HEADER_DEFECTS = frozenset(
    {"MissingHeaderBodySeparatorDefect", "FirstHeaderLineIsContinuationDefect", "MisplacedEnvelopeHeaderDefect"}
)
_HEADERS_ONLY = ("message/rfc822-headers", "text/rfc822-headers")

# Stack entries: (node, section, depth, recovered-from, quiet); a node is a parsed message
# part or a ready Part (text kept from an epilogue or an unparsed body).
_Entry = tuple[email.message.Message | Part, str, int, str | None, bool]


def read_structure(message: Message) -> MimeStructure:
    """The leaf parts of ``message`` in document order, with structure problems.

    ``message/rfc822`` (and ``message/global``) parts are returned as parts themselves
    (an attached message is an attachment) and are also descended into. Parts hidden in
    broken structure are recovered (see the module docstring).
    """
    try:
        root = message.email
    except Exception:
        return MimeStructure()
    parts: list[Part] = []
    issues: list[MimeIssue] = []
    truncated = False
    recovered_count = 0
    limited = False
    uu_count = 0
    uu_limited = False
    declared: dict[str, str] = {}  # boundary -> the section of the first multipart declaring it
    # Children pushed in reverse to keep document order.
    stack: list[_Entry] = [(root, "", 0, None, False)]

    def recover(text: str, where: str, prefix: str, origin_depth: int) -> tuple[list[_Entry], str]:
        """Entries for the parts carved out of ``text``, and the text outside them."""
        nonlocal recovered_count, limited
        chunks, rest, more = _carve(text, MAX_RECOVERED - recovered_count)
        limited = limited or more
        entries: list[_Entry] = []
        for k, chunk in enumerate(chunks, 1):
            recovered_count += 1
            sub = _mimeparse.message_from_bytes(_to_bytes(chunk))
            entries.append((sub, f"{prefix}{where}.{k}", origin_depth + 1, where, False))
        return entries, rest

    def describe(entries: list[_Entry]) -> tuple[tuple[str, str, str, str], ...]:
        out = []
        for node, sec, _d, where, _q in entries:
            if isinstance(node, email.message.Message):
                try:
                    ctype = node.get_content_type().lower()
                except Exception:
                    ctype = "application/octet-stream"
                name = _named(node)[1] or ""
                out.append((sec, where or "", ctype, name))
        return tuple(out)

    while stack:
        node, section, depth, origin, quiet = stack.pop()
        if len(parts) >= MAX_PARTS or depth > MAX_DEPTH:
            truncated = True
            continue
        if isinstance(node, Part):
            parts.append(node)
            continue
        msg = node
        read: object = _UNREAD
        try:
            multipart = msg.is_multipart()
            body = read = msg.get_payload()
        except Exception:
            multipart, body = False, None
        maintype = _maintype(msg)
        prefix = f"{section}." if section else ""
        recovered_here: list[_Entry] = []
        reused: str | None = None
        if maintype == "multipart" and origin is None:
            b = _boundary(msg)
            if b is not None:
                owner = declared.get(b)
                if owner is None:
                    if len(declared) < MAX_PARTS:
                        declared[b] = section
                elif owner == "" or section.startswith(owner + "."):
                    reused = owner  # an enclosing multipart's boundary (siblings may share one)
        if multipart and isinstance(body, list) and maintype == "multipart":
            children = [c for c in body if isinstance(c, email.message.Message)]
            before: list[_Entry] = []
            after: list[_Entry] = []
            if origin is None:
                for where, text in (("preamble", msg.preamble), ("epilogue", msg.epilogue)):
                    if not isinstance(text, str) or not text.strip():
                        continue
                    entries, rest = recover(text, where, prefix, depth)
                    recovered_here.extend(entries)
                    if where == "preamble":
                        before = entries
                    else:
                        after = list(entries)
                        if rest.strip():
                            leftover = Part(
                                section=f"{prefix}epilogue",
                                content_type="text/plain",
                                payload=_to_bytes(rest),
                                recovered="epilogue",
                                notes=("text after the close delimiter",),
                            )
                            after.append((leftover, leftover.section, depth + 1, "epilogue", quiet))
            for entry in reversed(after):
                stack.append(entry)
            for i in range(len(children) - 1, -1, -1):
                child_section = f"{section}.{i + 1}" if section else str(i + 1)
                stack.append((children[i], child_section, depth + 1, origin, quiet))
            for entry in reversed(before):
                stack.append(entry)
            _note_issue(issues, msg, section, origin, quiet, describe(recovered_here), (), reused, msg is root)
            continue
        leaf_section = section or "1"
        part = _leaf(msg, leaf_section, read)  # the payload read once
        if origin is not None:
            part = dataclasses.replace(part, recovered=origin)
        if maintype == "multipart" and isinstance(body, str) and origin is None and body.strip():
            # The boundary was not found: the parser kept the body as one text. Read it as
            # stored (get_payload() replaces raw 8-bit bytes when there are any).
            stored = getattr(msg, "_payload", body)
            entries, rest = recover(stored if isinstance(stored, str) else body, "body", prefix, depth)
            if entries:
                recovered_here = entries
                part = dataclasses.replace(
                    part,
                    payload=_to_bytes(rest),
                    notes=(*part.notes, f"{len(entries)} part(s) recovered from this unparsed body"),
                )
                for entry in reversed(entries):
                    stack.append(entry)
        if (
            part.content_type == "text/plain"
            and not part.filename
            and part.disposition != "attachment"
            and b"begin " in part.payload
        ):
            # Uuencoded blocks in a text body: shown as attachments by mail clients.
            blocks, text_rest, more = _uudecode(part.payload, MAX_UUENCODED - uu_count)
            uu_limited = uu_limited or more
            if blocks:
                part = dataclasses.replace(part, payload=text_rest)
                for k in range(len(blocks), 0, -1):
                    name = _uu_name(blocks[k - 1][0])
                    uu = Part(
                        section=f"{leaf_section}.uuencode.{uu_count + k}",
                        content_type="application/octet-stream",
                        filename=name,
                        filename_raw=name,
                        payload=blocks[k - 1][1],
                        recovered="uuencode",
                    )
                    stack.append((uu, uu.section, depth + 1, "uuencode", quiet))
                uu_count += len(blocks)
        parts.append(part)
        notes = tuple(n for n in part.notes if n not in _BASE64_DEFECTS and not n.endswith("unparsed body"))
        # A top-level multipart that could not be parsed is the message body ("message").
        issue_section = section if maintype == "multipart" else leaf_section
        _note_issue(issues, msg, issue_section, origin, quiet, describe(recovered_here), notes, reused, msg is root)
        inner_quiet = quiet or part.content_type in _HEADERS_ONLY
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], email.message.Message)
            and part.content_type != "message/external-body"  # only the header of content kept elsewhere
        ):
            inner = body[0]
            # An attached message's multipart body numbers its children "3.1", "3.2": read
            # it as a multipart at "3"; a single-part body is "3.1".
            inner_section = (
                leaf_section if inner.is_multipart() and _maintype(inner) == "multipart" else f"{leaf_section}.1"
            )
            stack.append((inner, inner_section, depth + 1, origin, inner_quiet))
    return MimeStructure(
        parts=tuple(parts),
        truncated=truncated,
        issues=tuple(issues),
        recovery_limited=limited,
        uuencode_limited=uu_limited,
    )


def _note_issue(
    issues: list[MimeIssue],
    msg: email.message.Message,
    section: str,
    origin: str | None,
    quiet: bool,
    recovered: tuple[tuple[str, str, str, str], ...],
    notes: tuple[str, ...],
    reused: str | None = None,
    root: bool = False,
) -> None:
    names: list[str] = []
    if not quiet:
        for defect in getattr(msg, "defects", ()) or ():
            name = type(defect).__name__
            if root and name in _ROOT_HEADER_DEFECTS:
                continue
            if name not in names:
                names.append(name)
    if not (names or recovered or notes or reused is not None):
        return
    try:
        ctype = msg.get_content_type().lower()
    except Exception:
        ctype = "application/octet-stream"
    issues.append(
        MimeIssue(
            section=section,
            content_type=ctype,
            boundary=_boundary(msg) if _maintype(msg) == "multipart" else None,
            defects=tuple(names),
            recovered=recovered,
            notes=notes,
            in_recovered=origin is not None,
            boundary_of=reused,
        )
    )


_SENTENCES: dict[str, tuple[Severity, str]] = {
    "StartBoundaryNotFoundDefect": (
        Severity.WARNING,
        "its boundary {boundary} never appears, so the parser kept its body as one text: mail clients, "
        "filters and this toolkit may each see different parts",
    ),
    "CloseBoundaryNotFoundDefect": (
        Severity.NOTICE,
        "it ends without its close delimiter (--{raw}--): the message was cut short or built by hand, "
        "and its last part may be incomplete",
    ),
    "MultipartInvariantViolationDefect": (Severity.NOTICE, "it is declared multipart but holds no parts"),
    "NoBoundaryInMultipartDefect": (
        Severity.WARNING,
        "it is declared multipart without a boundary parameter, so its parts cannot be told apart",
    ),
    "InvalidMultipartContentTransferEncodingDefect": (
        Severity.NOTICE,
        "it is a multipart with a Content-Transfer-Encoding other than 7bit, 8bit or binary (RFC 2045 §6.4)",
    ),
    "MissingHeaderBodySeparatorDefect": (
        Severity.NOTICE,
        "its header section ends without the empty line, so a line meant as a header may be read as body",
    ),
    "FirstHeaderLineIsContinuationDefect": (Severity.NOTICE, "its header section starts with a folded line"),
    "MisplacedEnvelopeHeaderDefect": (Severity.NOTICE, "its header section holds a 'From ' envelope line"),
    "MalformedHeaderDefect": (Severity.NOTICE, "a header line in it is malformed"),
}
_ENCODING_SENTENCE = (
    "its base64 content is damaged ({names}): it was decoded leniently, and other decoders may give other bytes"
)
_RANK = {Severity.INFO: 0, Severity.NOTICE: 1, Severity.WARNING: 2, Severity.ALERT: 3, Severity.ERROR: 4}


def structure_findings(structure: MimeStructure) -> tuple[Finding, ...]:
    """Findings for the structure problems of :func:`read_structure`.

    ``mime-structure-defect`` for defects of the MIME structure and for parts recovered
    from it (a warning: content the parser would not show), ``content-part-unreadable``
    for damaged base64, undecodable payloads and header bytes that are not UTF-8; one of
    each per part at most. A ``content-limit-reached`` notice when the walk or the
    recovery was cut.
    """
    out: list[Finding] = []
    for issue in structure.issues:
        where = f"part {issue.section}" if issue.section else "message"
        what = f"The {issue.content_type}" + (f" part {issue.section}" if issue.section else " body of the message")
        boundary = repr(issue.boundary) if issue.boundary is not None else "(none)"
        sentences: list[str] = []
        severity = Severity.NOTICE
        evidence: list[tuple[str, str]] = []
        structural = [d for d in issue.defects if d not in _BASE64_DEFECTS]
        if issue.boundary_of is not None:
            owner = f"part {issue.boundary_of}" if issue.boundary_of else "the message body"
            sentences.append(
                f"it reuses the boundary {boundary} of {owner}, so the enclosing multipart takes its delimiters "
                "as its own (a known way to make parsers disagree)"
            )
            severity = Severity.WARNING
        for name in structural:
            sev, sentence = _SENTENCES.get(name, (Severity.NOTICE, f"the email parser reported {name}"))
            if name == "MultipartInvariantViolationDefect" and "StartBoundaryNotFoundDefect" in structural:
                continue  # the same fact, said once
            sentences.append(sentence.format(boundary=boundary, raw=issue.boundary or ""))
            severity = sev if _RANK[sev] > _RANK[severity] else severity
            evidence.append(("defect", name))
        if issue.recovered:
            severity = Severity.WARNING
            places = sorted({w for _s, w, _t, _n in issue.recovered})
            where_text = {
                "epilogue": "after its close delimiter (the epilogue, which RFC 2046 says to ignore)",
                "preamble": "before its first delimiter (the preamble, which RFC 2046 says to ignore)",
                "body": "in its unparsed body, under another delimiter",
            }
            listed = ", ".join(
                f"{sec} ({ctype}{', ' + repr(name[:80]) if name else ''})"
                for sec, _w, ctype, name in issue.recovered[:5]
            )
            more = f" and {len(issue.recovered) - 5} more" if len(issue.recovered) > 5 else ""
            sentences.append(
                f"{len(issue.recovered)} MIME part(s) are written "
                + " and ".join(where_text[p] for p in places)
                + f"; they were recovered as {listed}{more}: content some mail clients show and some scanners skip"
            )
            evidence.extend(
                ("recovered", f"{sec} {ctype} {name}".strip()) for sec, _w, ctype, name in issue.recovered[:20]
            )
        if issue.boundary is not None and (structural or issue.recovered or issue.boundary_of is not None):
            evidence.append(("boundary", issue.boundary))
        if sentences:
            out.append(
                Finding(
                    code=FindingCode.MIME_STRUCTURE_DEFECT,
                    severity=severity,
                    where=where,
                    detail=f"{what}: " + "; ".join(sentences) + ".",
                    evidence=tuple(evidence),
                )
            )
        encoding = [d for d in issue.defects if d in _BASE64_DEFECTS]
        problems = []
        if encoding:
            problems.append(_ENCODING_SENTENCE.format(names=", ".join(encoding)))
        problems.extend(issue.notes)
        if problems:
            out.append(
                Finding(
                    code=FindingCode.CONTENT_PART_UNREADABLE,
                    severity=Severity.NOTICE,
                    where=where,
                    detail=f"{what}: " + "; ".join(problems) + ".",
                    evidence=tuple(("defect", d) for d in encoding),
                )
            )
    if structure.truncated or structure.recovery_limited or structure.uuencode_limited:
        cut = []
        if structure.truncated:
            cut.append(f"more than {MAX_PARTS} parts or deeper than {MAX_DEPTH} levels: the rest was not read")
        if structure.recovery_limited:
            cut.append(f"more than {MAX_RECOVERED} parts hidden in broken structure: only the first were recovered")
        if structure.uuencode_limited:
            cut.append(f"more than {MAX_UUENCODED} uuencoded blocks in its text: only the first were read")
        out.append(
            Finding(
                code=FindingCode.CONTENT_LIMIT,
                severity=Severity.NOTICE,
                where="message",
                detail="The message's MIME tree has " + "; ".join(cut) + ".",
            )
        )
    return tuple(out)


def walk(message: Message) -> tuple[tuple[Part, ...], bool]:
    """The leaf parts of ``message`` in document order, and whether a limit cut the walk.

    ``message/rfc822`` (and ``message/global``) parts are returned as parts themselves
    (an attached message is an attachment) and are also descended into. Parts recovered
    from broken structure are included (see :func:`read_structure`).
    """
    s = read_structure(message)
    return s.parts, s.truncated
