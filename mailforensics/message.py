"""Message: the bytes exactly as read, and a parsed view of them.

The raw bytes are the evidence. Everything else (header fields, the ``email`` object)
is derived from them and never written back: DKIM and ARC must be verified on
``Message.raw``, never on a re-serialized message, because re-folding breaks
signatures (RFC 6376 §3.4).

The header section is split here rather than by :mod:`email`, because an analyst needs
each field's position and its exact folded text, and a hostile message must not be able
to make the split raise. The rules follow RFC 5322 §2.2 and §3.6 (with the obsolete
``name WSP ":"`` form of §4.5) and stop where CPython's ``email`` stops — at the first
line that is neither a field nor a continuation — so that we see the header block a mail
client saw. One exception, which :attr:`Message.email` shares: such a line followed by
more header fields up to an empty line (looked for within 200 lines and 64 KB) is a
broken fold, a continuation written without its leading whitespace (Outlook writes them),
and is read as part of the field before it, with a ``message-header-syntax`` defect —
mail clients read the fields after it, and a Content-Type placed there must not be hidden
from the scan. A MIME field that RFC 2045 allows once per entity (``Content-Type``,
``Content-Transfer-Encoding``, ``Content-Disposition``) written twice in that block is a
``mime-structure-defect``: readers differ on which one they use.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from mailforensics.findings import Finding, FindingCode, Severity

_T = TypeVar("_T")

__all__ = ["HeaderField", "Message", "SourceEnvelope"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderField:
    """One header field, as it stands in the message.

    Parameters
    ----------
    index
        Position in the header block, 0 for the topmost field (the newest trace field).
    name
        The field name as written (case kept; compare with ``name.lower()``).
    value
        The text after the colon with its folding kept (line breaks normalised to
        ``"\\n"``), leading whitespace removed.
    """

    index: int
    name: str
    value: str

    @property
    def unfolded(self) -> str:
        """The value with folding removed (RFC 5322 §2.2.3), stripped."""
        if "\n" not in self.value:  # most fields are not folded
            return self.value.strip()
        return " ".join(line.strip() for line in self.value.split("\n")).strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceEnvelope:
    """The SMTP envelope a source recorded beside a message's bytes, outside them.

    A batch SMTP stream (RFC 2442) carries each message after the SMTP commands that
    sent it: ``HELO``/``EHLO``, ``MAIL FROM`` and ``RCPT TO``. Those are the envelope
    itself, not a trace of it in a header, so they are kept here as written and read by
    :mod:`mailforensics.envelope` as high-confidence facts.

    Parameters
    ----------
    helo
        The argument of the last ``HELO``/``EHLO`` command before the transaction, or None.
    mail_from
        The text after ``MAIL FROM:`` as written (the path and any ESMTP parameters,
        ``"<a@example.org> SIZE=1200"``; ``"<>"`` is the null sender), or None when the
        transaction had no ``MAIL FROM``.
    rcpt_to
        The text after each ``RCPT TO:``, as written, in order.
    source
        Where the envelope was read, for the envelope rows: ``"BSMTP envelope"``.
    """

    helo: str | None = None
    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()
    source: str = "BSMTP envelope"


def _fields_by_name(message: Message) -> dict[str, tuple[HeaderField, ...]]:
    """The header fields by lower-case name, top first (built once per message)."""
    index: dict[str, list[HeaderField]] = {}
    for h in message.headers:
        index.setdefault(h.name.lower(), []).append(h)
    return {name: tuple(found) for name, found in index.items()}


def _decode_header_bytes(data: bytes) -> tuple[str, bool]:
    """Decode header text: UTF-8 (RFC 6532) if valid, else Latin-1 (lossless)."""
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("latin-1"), False


def _split_lines(block: bytes) -> Iterator[bytes]:
    """Split on LF, dropping one CR before it (CRLF and LF messages alike)."""
    for line in block.split(b"\n"):
        yield line[:-1] if line.endswith(b"\r") else line


#: RFC 5322 §3.6.8 ftext: %d33-57 / %d59-126 (printable US-ASCII except ":"; the name is
#: what precedes the first ":", so a ":" never reaches the check).
_FIELD_NAME = re.compile(rb"[\x21-\x7e]+")


def _field_name_ok(name: bytes) -> bool:
    return _FIELD_NAME.fullmatch(name) is not None


#: A header line that this reader and CPython's ``email`` both take as a field (a name, no
#: whitespace before the colon) or a continuation, with no stray CR inside it (``email``
#: also ends a line at a bare CR).
_AGREED_LINE = re.compile(rb"(?:[ \t]|[\x21-\x39\x3b-\x7e]+:)[^\r\n]*\r?\n")
#: One whole line for both readers (no CR before its end).
_ONE_LINE = re.compile(rb"[^\r\n]*\r?\n")
#: How far past a broken fold we look for the rest of the header section: bounded, so a
#: header of junk lines costs linear time.
_FOLD_LOOKAHEAD_LINES = 200
_FOLD_LOOKAHEAD_BYTES = 64 * 1024


def _header_goes_on(raw: bytes, start: int) -> bool:
    """Whether the lines from ``start`` are header fields or continuations, at least one
    field, up to an empty line, within the lookahead bounds."""
    pos = start
    limit = min(len(raw), start + _FOLD_LOOKAHEAD_BYTES)
    seen_field = False
    for _ in range(_FOLD_LOOKAHEAD_LINES):
        end = raw.find(b"\n", pos, limit)
        if end < 0:
            return False
        if end == pos or (end == pos + 1 and raw[pos] == 0x0D):
            return seen_field  # the empty line that ends the header section
        if _AGREED_LINE.fullmatch(raw, pos, end + 1) is None:
            return False
        seen_field = seen_field or raw[pos] not in b" \t"
        pos = end + 1
    return False


def _lines_agreed(raw: bytes, start: int, stop: int) -> bool:
    """Whether every line in ``raw[start:stop]`` is one CPython's email reads as we do
    (checked only when a broken fold is found: once per message at most, so linear)."""
    pos = start
    while pos < stop:
        end = raw.find(b"\n", pos, stop)
        if end < 0 or _AGREED_LINE.fullmatch(raw, pos, end + 1) is None:
            return False
        pos = end + 1
    return True


def _scan_header_block(
    raw: bytes,
) -> tuple[list[tuple[bytes, list[bytes]]], int | None, list[Finding], tuple[int, ...]]:
    """The header section's fields as (name, lines), the body offset, defects, and the
    offsets of the lines read as broken folds (continuations written without whitespace)."""
    defects: list[Finding] = []
    fields: list[tuple[bytes, list[bytes]]] = []
    body_offset: int | None = None
    mended: list[int] = []
    pos = 0
    size = len(raw)
    while pos < size:
        end = raw.find(b"\n", pos)
        line_end = size if end < 0 else end + 1
        line = raw[pos:line_end].rstrip(b"\r\n")
        if line == b"" and line_end <= size and raw[pos:line_end].strip(b"\r\n") == b"":
            body_offset = line_end  # the empty line ends the header section (§2.1)
            break
        if line[:1] in (b" ", b"\t"):
            if fields:
                fields[-1][1].append(line)
                pos = line_end
                continue
            # A continuation before any field: not a header block at all.
            defects.append(
                Finding(
                    code=FindingCode.MESSAGE_HEADER_SYNTAX,
                    severity=Severity.WARNING,
                    where="header 0",
                    detail="The message starts with a folded line; it has no header fields.",
                )
            )
            body_offset = pos
            break
        colon = line.find(b":")
        name = line[:colon].rstrip(b" \t") if colon > 0 else b""
        if colon <= 0 or not _field_name_ok(name):
            if (
                fields
                and not mended
                and _ONE_LINE.fullmatch(raw, pos, line_end) is not None
                and _header_goes_on(raw, line_end)
                and _lines_agreed(raw, 0, pos)
            ):
                # A broken fold: a continuation written without its leading whitespace,
                # with the header section plainly going on after it (Outlook writes such
                # lines). Mail clients read the fields after it; so do we, or a
                # Content-Type placed after such a line would be hidden from the scan.
                defects.append(
                    Finding(
                        code=FindingCode.MESSAGE_HEADER_SYNTAX,
                        severity=Severity.WARNING,
                        where=f"header {len(fields) - 1}",
                        detail="A header line that is neither a field nor a folded continuation "
                        "(no leading whitespace, RFC 5322 §2.2.3) was read as a continuation of "
                        "the field before it, because header fields follow it; a reader that ends "
                        "the header section at that line sees the rest of the header as body.",
                        evidence=(("line", _decode_header_bytes(line[:200])[0]),),
                    )
                )
                fields[-1][1].append(line)
                mended.append(pos)
                pos = line_end
                continue
            # Not a field: like CPython's email, the header section ends here.
            if fields or pos == 0:
                defects.append(
                    Finding(
                        code=FindingCode.MESSAGE_NO_BODY_SEPARATOR,
                        severity=Severity.WARNING,
                        where=f"header {len(fields)}",
                        detail="A line that is not a header field ends the header section "
                        "without the empty line RFC 5322 §2.1 requires.",
                        evidence=(("line", _decode_header_bytes(line[:200])[0]),),
                    )
                )
            body_offset = pos
            break
        fields.append((name, [line[colon + 1 :]]))
        pos = line_end
    return fields, body_offset, defects, tuple(mended)


def _parse_header_block(
    raw: bytes,
) -> tuple[tuple[HeaderField, ...], int | None, tuple[Finding, ...], tuple[int, ...]]:
    """Split ``raw`` into header fields; return them, the body offset, defects and the
    offsets of broken folds."""
    fields, body_offset, defects, mended = _scan_header_block(raw)
    non_utf8 = False
    result: list[HeaderField] = []
    for index, (name, lines) in enumerate(fields):
        value_bytes = b"\n".join(lines)
        value, ok = _decode_header_bytes(value_bytes)
        name_text, _ = _decode_header_bytes(name)
        non_utf8 = non_utf8 or not ok
        result.append(HeaderField(index=index, name=name_text, value=value.lstrip(" \t")))
    if non_utf8:
        defects.append(
            Finding(
                code=FindingCode.MESSAGE_NON_ASCII_HEADERS,
                severity=Severity.NOTICE,
                where="headers",
                detail="Header bytes are neither ASCII nor UTF-8; they were read as Latin-1.",
            )
        )
    return tuple(result), body_offset, tuple(defects), mended


def _broken_folds(message: Message) -> tuple[int, ...]:
    """Offsets of the header lines read as broken folds (for a message not built here)."""
    return _scan_header_block(message.raw)[3]


#: MIME header fields that RFC 2045 allows once per entity, and how much a second one
#: matters: readers differ on which one they use (CPython's ``email`` and this toolkit
#: take the first, others the last), so a second Content-Type or Content-Transfer-Encoding
#: can show a mail client a part, or a decoding, that a scanner never saw.
_SINGLE_MIME_FIELDS = {
    "content-type": Severity.WARNING,
    "content-transfer-encoding": Severity.WARNING,
    "content-disposition": Severity.NOTICE,
}


def _duplicate_mime_fields(headers: tuple[HeaderField, ...]) -> list[Finding]:
    """A ``mime-structure-defect`` per MIME field that the top-level header block repeats."""
    seen: dict[str, list[HeaderField]] = {}
    for h in headers:
        name = h.name.lower()
        if name in _SINGLE_MIME_FIELDS:
            seen.setdefault(name, []).append(h)
    defects: list[Finding] = []
    for name, found in seen.items():
        if len(found) < 2:
            continue
        values = {" ".join(h.unfolded.lower().split()) for h in found}
        differ = len(values) > 1
        label = found[0].name
        detail = f"The message header has {len(found)} {label} fields, where RFC 2045 allows one" + (
            " and they disagree: readers differ on which one they use (this toolkit, like "
            "CPython's email, reads the first; some mail clients and scanners read the last), "
            "so a mail client may show content, or a decoding, that was not checked here."
            if differ
            else " (with the same value)."
        )
        defects.append(
            Finding(
                code=FindingCode.MIME_STRUCTURE_DEFECT,
                severity=_SINGLE_MIME_FIELDS[name] if differ else Severity.NOTICE,
                where="header " + ", ".join(str(h.index) for h in found),
                detail=detail,
                evidence=tuple((f"{h.name} (header {h.index})", h.unfolded[:200]) for h in found),
            )
        )
    return defects


def _content_defects(raw: bytes) -> list[Finding]:
    defects: list[Finding] = []
    if not raw.strip():
        defects.append(
            Finding(
                code=FindingCode.MESSAGE_EMPTY,
                severity=Severity.ERROR,
                where="message",
                detail="The message is empty.",
            )
        )
        return defects
    if b"\x00" in raw:
        defects.append(
            Finding(
                code=FindingCode.MESSAGE_NUL_BYTES,
                severity=Severity.WARNING,
                where="message",
                detail="The message contains NUL bytes (binary data, or not a message).",
            )
        )
    # An LF-only message (most mboxes) costs one memchr here, not two counting passes.
    crlf = raw.count(b"\r\n") if b"\r" in raw else 0
    lf = raw.count(b"\n") if crlf else 0
    if crlf and crlf != lf:
        defects.append(
            Finding(
                code=FindingCode.MESSAGE_BARE_CR_OR_LF,
                severity=Severity.NOTICE,
                where="message",
                detail=f"Mixed line endings: {crlf} CRLF and {lf - crlf} bare LF.",
            )
        )
    return defects


@dataclass(frozen=True, kw_only=True)
class Message:
    """One message: its bytes exactly as stored, where they came from, and a parsed view.

    Build one with :meth:`Message.from_bytes`, :func:`mailforensics.load` or
    :func:`mailforensics.iter_messages`.

    Parameters
    ----------
    raw
        The message's bytes exactly as stored. For mbox: without the ``From `` separator
        line, with mboxrd ``>From `` quoting undone. For a converted Outlook ``.msg``:
        a reconstruction (see ``raw_is_original``). For batch SMTP (BSMTP, RFC 2442): the
        message text of one ``DATA`` section, from the line after ``DATA`` up to and
        including the line break before the terminating ``.`` line, with SMTP
        dot-stuffing undone (RFC 5321 §4.5.2) — the bytes the receiving MTA would have
        received; the SMTP commands are not in it (see ``source_envelope``).
    origin
        Where it came from: a path, ``"export.mbox#17"`` (0-based position), or a maildir
        key ``"Maildir/cur/1700000000.M1P2.host:2,S"``.
    source_format
        ``"eml"``, ``"mbox"``, ``"maildir"``, ``"msg"``, ``"bsmtp"`` or ``"bytes"``.
    raw_is_original
        False when ``raw`` was rebuilt from another format (an Outlook ``.msg``): its bytes
        are not the ones that were signed, so no DKIM result may be claimed for it.
    headers
        The header fields, top first.
    body_offset
        Offset of the body in ``raw``, or None if there is no header/body separator.
    defects
        :class:`~mailforensics.findings.Finding` records for what was wrong with the input.
    source_envelope
        The SMTP envelope the source recorded outside the message bytes (a BSMTP
        transaction's HELO, MAIL FROM and RCPT TO), or None — for every other format.
    """

    raw: bytes
    origin: str
    source_format: str = "bytes"
    raw_is_original: bool = True
    headers: tuple[HeaderField, ...] = ()
    body_offset: int | None = None
    defects: tuple[Finding, ...] = field(default=(), compare=False)
    source_envelope: SourceEnvelope | None = None

    @classmethod
    def from_bytes(
        cls,
        raw: bytes,
        *,
        origin: str = "<bytes>",
        source_format: str = "bytes",
        raw_is_original: bool = True,
        defects: tuple[Finding, ...] = (),
        source_envelope: SourceEnvelope | None = None,
    ) -> Message:
        """Build a Message from bytes; never raises for malformed content.

        Parameters
        ----------
        raw
            The message bytes.
        origin, source_format, raw_is_original
            See :class:`Message`.
        defects
            Defects already found by the source (for example an mbox length mismatch).
        source_envelope
            The envelope the source recorded beside the bytes (see :class:`Message`).
        """
        raw = bytes(raw)
        headers, body_offset, header_defects, mended = _parse_header_block(raw)
        found = list(defects) + _content_defects(raw) + list(header_defects) + _duplicate_mime_fields(headers)
        if raw.strip() and not headers:
            found.append(
                Finding(
                    code=FindingCode.MESSAGE_NOT_RFC5322,
                    severity=Severity.ERROR,
                    where="message",
                    detail="No RFC 5322 header fields were found: this is not an email message.",
                )
            )
        message = cls(
            raw=raw,
            origin=origin,
            source_format=source_format,
            raw_is_original=raw_is_original,
            headers=headers,
            body_offset=body_offset,
            defects=tuple(found),
            source_envelope=source_envelope,
        )
        message.derived("mailforensics.message._broken_folds", lambda _: mended)  # known: no second scan
        return message

    # --- derived views -------------------------------------------------------------------
    def derived(self, key: str, compute: Callable[[Message], _T]) -> _T:
        """``compute(self)``, computed once per message and kept with it.

        A message is immutable, so anything read from it alone (its author domain, its
        Authentication-Results claims, its parsed Received fields) is the same every time
        it is asked for; several analysis steps ask. Values are kept in the instance, as
        :func:`functools.cached_property` keeps its own, and go when the message goes.
        ``key`` names the value; use the qualified name of the function that computes it.
        """
        memo = self.__dict__.get("_derived")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_derived", memo)  # frozen: the memo is not a field
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = compute(self)
            return value

    def __getstate__(self) -> dict[str, Any]:
        # Pickled to a worker: the fields and the digest; parsed views are rebuilt there.
        return {k: v for k, v in self.__dict__.items() if k not in ("_derived", "email")}

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of ``raw``, hex: the message's identity in evidence and batch output."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def body(self) -> bytes:
        """The bytes after the header section (empty when there is none)."""
        return b"" if self.body_offset is None else self.raw[self.body_offset :]

    def get_all(self, name: str) -> tuple[HeaderField, ...]:
        """All fields named ``name`` (case-insensitive), top first."""
        return self.derived("mailforensics.message.Message.get_all", _fields_by_name).get(name.lower(), ())

    def get(self, name: str) -> str | None:
        """The unfolded value of the first (topmost) field named ``name``, or None."""
        found = self.get_all(name)
        return found[0].unfolded if found else None

    @cached_property
    def email(self) -> email.message.Message:
        """The message parsed by CPython's ``email`` (compat32 policy: tolerant, lossless).

        For reading MIME structure only; never serialize it for signature checks.
        """
        # The stdlib's own parser, minus a regex compilation per multipart boundary.
        from mailforensics._mimeparse import message_from_bytes

        # A broken fold the header reader joined to its field is given the leading space
        # it lacked, so that email reads the same header section (``raw`` is not touched).
        folds = self.derived("mailforensics.message._broken_folds", _broken_folds)
        return message_from_bytes(self.raw, continuations=folds)

    def __repr__(self) -> str:
        subject = self.get("Subject")
        return (
            f"<Message origin={self.origin!r} bytes={len(self.raw)} headers={len(self.headers)}"
            f" subject={subject[:60] if subject else None!r} defects={len(self.defects)}>"
        )
