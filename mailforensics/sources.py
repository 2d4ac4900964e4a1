"""Reading messages from files, folders, bytes and streams: ``.eml``, mbox, maildir, ``.msg``.

Two public functions: :func:`load` (exactly one message) and :func:`iter_messages`
(any number, lazily).

Why hand-written rather than :mod:`mailbox` or mail-parser
-----------------------------------------------------------
* **Streaming.** :class:`mailbox.mbox` first builds a table of contents of the whole
  file, then seeks back and re-reads each message; mail-parser reads one message into a
  string. Here an mbox is read forward in 1 MiB chunks, and at most one message (plus
  the chunk being scanned) is held in memory, so a multi-gigabyte export, including a
  gzip/bz2/xz-compressed one, which cannot be seeked cheaply, is read in bounded memory.
* **Exact bytes.** The evidence is ``Message.raw``: the message's bytes as stored, never
  re-serialized (a re-folded header breaks DKIM). :mod:`mailbox` hands back parsed
  ``email`` objects, decodes and re-encodes line endings in some paths and does not undo
  mboxrd quoting; mail-parser decodes to ``str``.
* **Per-message errors.** A damaged input becomes a :class:`~mailforensics.message.Message`
  with :class:`~mailforensics.findings.Finding` records, never an exception out of the
  iterator and never a silently dropped message. Only an unusable *argument* (a path
  that does not exist, a source of the wrong type, a text-mode file object, an unknown
  ``variant``) raises :class:`~mailforensics.errors.InputError`.

How the format is detected
--------------------------
The content decides, never the file name:

1. Compression, by magic bytes: gzip (``1F 8B``), bzip2 (``BZh`` + level + block or
   end-of-stream magic), xz (``FD 37 7A 58 5A 00``); up to three nested layers are
   undone while streaming. Data that starts with a compression magic but cannot be
   decompressed is read as stored, with a ``MESSAGE_READ_ERROR`` finding; data that is
   cut short gets ``MESSAGE_TRUNCATED`` on the message being read when it ended.
2. An OLE2 compound file (``D0 CF 11 E0 A1 B1 1A E1``) is an Outlook item, read with
   ``extract-msg``. It has no original bytes: ``raw`` is rebuilt from the transport
   headers (``PR_TRANSPORT_MESSAGE_HEADERS``, which keep the ``Received`` chain) and the
   bodies and attachments, ``raw_is_original`` is False, and a ``MESSAGE_CONVERTED``
   finding says that no DKIM/ARC result can be claimed for it.
3. Data that starts with a ``From `` separator line is an mbox (one message or many);
   see the mbox rules for the ``From  :`` header field that is not one.
4. Data whose first line is an SMTP command in SMTP syntax — ``HELO name``,
   ``EHLO name`` or ``MAIL FROM:<path>`` (case-insensitive, CRLF or LF) — is a batch SMTP
   stream (BSMTP, RFC 2442); see the BSMTP rules. No RFC 5322 message starts so: a field
   name holds no blank.
5. Anything else is one RFC 5322 message (``.eml``), whatever it is called; what is not
   a message at all is still returned, with the defects :meth:`Message.from_bytes` finds.

A directory that contains ``cur`` and ``new`` subdirectories (``tmp`` is optional: empty
directories are often lost in copies) is a maildir: the files in ``cur``, ``new`` and
``tmp`` are its messages, in that order, each sorted by name (names start with the
delivery time), and ``origin`` is the file's path, e.g.
``Maildir/cur/1700000000.M1P2.host:2,S``. Files in ``tmp`` are deliveries in progress
or abandoned, which mail clients never show; they are read here because they are
evidence too, each with a notice finding that it may be incomplete. The maildir's own
bookkeeping files and folders in its root (names starting ``dovecot``, ``courierimap``,
``maildirfolder``, ``maildirsize``, ``subscriptions``, ``.uidvalidity``,
``.mbsyncstate`` or ``.isyncuidmap.db``) are not messages and are not read; any other
file or subdirectory there (Maildir++ ``.Folder`` directories included) is read like
any directory entry. Any other directory is walked
recursively in sorted name order; every regular file in it is read (a file that is not
a message yields a Message with defects), and an entry that cannot be read (no
permission, a dangling link, a FIFO or device) yields an empty Message with a
``MESSAGE_READ_ERROR`` finding. Symbolic links are followed; a directory reached twice
(a link loop) is read once.

mbox rules
----------
* A separator is a line that starts with ``From `` (at the start of the data or after
  LF), as in RFC 4155 and :mod:`mailbox`; a blank line before it is not required (not
  every writer leaves one). It is not part of ``raw``. The one exception: a line that
  reads ``From``, optional blanks and a colon (``From  :<a@example.com>``) is a header
  field in the obsolete syntax of RFC 5322 §4.5 (white space before the colon), never a
  separator, wherever it stands; data that starts with one is a single message, not an
  mbox.
* The line break before the next separator (and the last one before the end of the
  data) belongs to the separator, RFC 4155: exactly one trailing LF or CRLF is removed
  from each message. Writers end every message with an empty line, so a message that
  ended with a line break keeps it.
* ``>From `` quoting (``variant``): mboxo writers turn ``From `` into ``>From `` and
  leave ``>From `` alone, so mboxo cannot be unquoted; mboxrd writers add one ``>`` to
  every line matching ``^>*From ``, which removing one ``>`` undoes exactly. The
  two cannot be told apart from a ``>From `` line, so ``variant="auto"`` decides once
  per file, from evidence: the file is mboxrd if it contains a line matching
  ``^>>+From `` anywhere (mboxo only writes one if the original text had one, which is
  rare; mboxrd writes one for every ``>From `` in a message, which quoted replies and
  mailing-list archives are full of). Otherwise it is read as mboxo and ``>From `` lines are kept as stored,
  because removing a ``>`` the writer did not add would alter the evidence, while
  keeping one it did add is at worst the state every mboxo reader sees. Only the files
  where it matters pay for the decision: the file is scanned for ``>>From `` when the
  first message with a ``>From`` line is reached (a stream that cannot be re-read is
  judged by what is already buffered). A message whose ``>From `` lines were kept
  (mboxo) gets a notice finding that they may be quoting, so a DKIM body hash over it
  may not verify. ``variant="mboxo"`` / ``"mboxrd"`` force the rule; ``"mboxcl2"``
  means no quoting at all, with ``Content-Length`` delimiting the messages.
* ``Content-Length`` (mboxcl/mboxcl2, written by Solaris mail tools and older
  Thunderbird-era software): with ``variant="auto"`` or ``"mboxcl2"``, a
  ``Content-Length`` in the top-level header is used when it is consistent, that is
  when the body it delimits is followed by the end of the data or by a ``From `` line
  (after at most one line break), so that a body holding unquoted ``From `` lines is not
  split. An inconsistent or unusable one is ignored (the separator rule applies) and
  the message gets ``MBOX_CONTENT_LENGTH_MISMATCH``. To bound memory, a length reaching
  more than 64 MiB past the next separator is not followed. ``variant="mboxo"`` and
  ``"mboxrd"`` ignore ``Content-Length`` (stale ones, copied from other stores, are
  common). Note that a consistent ``Content-Length`` may span separators: that is what
  it is for in mboxcl2, and it also means a crafted message in an unquoted file can
  absorb the messages after it; read such a file with ``variant="mboxrd"`` or
  ``"mboxo"`` to rule that out.

BSMTP rules
-----------
* The stream is read as SMTP commands, one per line: ``HELO``/``EHLO`` (the name is
  kept for the transactions after it), ``MAIL FROM:``, ``RCPT TO:``, ``DATA``, ``RSET``,
  ``NOOP`` and ``QUIT``; blank lines are skipped. Each ``DATA`` section is one message:
  its lines up to the line that holds only ``.``, with the leading ``.`` of every other
  line that starts with one removed (RFC 5321 §4.5.2 dot-stuffing). ``raw`` is that
  text — the message the receiving MTA would have received, ending with the line break
  before the ``.`` line; ``source_format`` is ``"bsmtp"``; ``origin`` is
  ``"<path>#<n>"`` (0-based, one per DATA section); and ``source_envelope`` holds the
  transaction's HELO, MAIL FROM and RCPT TO as written, which
  :mod:`mailforensics.envelope` reads as ``"BSMTP envelope"`` facts.
* A DATA section that starts with an mbox ``From `` line (a BSMTP file made from an
  mbox, as in SpamAssassin's test corpus) loses that line, as an mbox member does, with
  a ``BSMTP_STREAM_DEFECT`` notice quoting it. DATA without MAIL FROM or RCPT TO, more
  than 1000 recipients (the rest are counted, not kept) and data that ends before the
  ``.`` line (``MESSAGE_TRUNCATED``) are reported on the message.
* Nothing is dropped and nothing is guessed: a line that is not one of these commands,
  a command line longer than 4096 bytes, or data after ``QUIT`` ends the reading of
  commands, and the rest of the data is yielded as one more message with a
  ``BSMTP_STREAM_DEFECT`` warning (and whatever :meth:`Message.from_bytes` finds in it).
  A stream without any DATA section yields one empty message with that warning. The
  reading is one forward pass, in bounded memory (the largest message).

``origin`` is the path for a file (``os.fspath`` of the argument, joined with names
below a directory), ``"<path>#<n>"`` (0-based) for mbox and BSMTP members, ``"<bytes>"`` for a
bytes source, and the file object's ``name`` for a file object (``"<stream>"`` when it
has none). ``source_format`` is ``"eml"``, ``"mbox"``, ``"maildir"``, ``"msg"``, ``"bsmtp"`` or
``"bytes"`` (a single message given as bytes or as an unnamed stream); it names the
container the bytes came out of, so an mbox or ``.msg`` keeps its name whether it came
as a file, bytes or a stream, or sat in a maildir.
"""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import email.message
import email.policy
import email.utils
import functools
import gzip
import hashlib
import io
import lzma
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, TypeAlias, cast

from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message, SourceEnvelope

__all__ = ["MBOX_VARIANTS", "Source", "iter_messages", "load"]

#: A message source: a path, the bytes of a message or mailbox, or a binary file object.
Source: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

#: Values accepted by the ``variant`` keyword.
MBOX_VARIANTS = ("auto", "mboxo", "mboxrd", "mboxcl2")

_CHUNK = 1 << 20
_MAGIC_LEN = 10
_MAX_LAYERS = 3
_CL_MAX_LOOKAHEAD = 64 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MIN_SIZE = 1536  # header sector + at least two more 512-byte sectors (MS-CFB)
_SEP = b"\nFrom "
_WSP_RUN = re.compile(rb"[ \t]*")
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_MAILDIR_SUBDIRS = ("cur", "new", "tmp")
_MAILDIR_META_PREFIXES = (
    "dovecot",
    "courierimap",
    "maildirfolder",
    "maildirsize",
    "subscriptions",
    ".uidvalidity",
    ".mbsyncstate",
    ".isyncuidmap.db",
)


_MAILDIR_TMP_NOTICE = Finding(
    code=FindingCode.MAILDIR_UNDELIVERED,
    severity=Severity.NOTICE,
    where="source",
    detail="The file is in the maildir's tmp/ folder: its delivery had not finished (or was "
    "abandoned), so it may be incomplete, and mail clients never showed it.",
)


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


# --------------------------------------------------------------------------- byte plumbing


class _Prefixed:
    """``prefix`` then ``inner``; optionally records everything it hands out."""

    def __init__(self, prefix: bytes, inner: Any, *, record: bool = False) -> None:
        self._prefix = prefix
        self._inner = inner
        self._read = getattr(inner, "read1", None) or inner.read
        self.recorded: bytearray | None = bytearray() if record else None

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size < 0:
                data, self._prefix = self._prefix, b""
            else:
                data, self._prefix = self._prefix[:size], self._prefix[size:]
        else:
            data = self._read(size if size > 0 else _CHUNK)
            if data is None:  # a non-blocking stream with nothing ready
                raise OSError("the stream is non-blocking and returned no data")
            if not isinstance(data, bytes | bytearray | memoryview):
                raise InputError("file objects must be opened in binary mode ('rb'), not text mode")
            data = bytes(data)
        if self.recorded is not None:
            self.recorded += data
        return data

    def stop_recording(self) -> bytes:
        recorded = bytes(self.recorded or b"")
        self.recorded = None
        return recorded


class _Reader:
    """A forward-only reader whose ``read`` never raises: the error is kept in ``error``."""

    def __init__(self, inner: _Readable) -> None:
        self._inner = inner
        self.eof = False
        self.error: BaseException | None = None

    @classmethod
    def failed(cls, exc: BaseException) -> _Reader:
        reader = cls(io.BytesIO(b""))
        reader.eof, reader.error = True, exc
        return reader

    def read(self, size: int = _CHUNK) -> bytes:
        if self.eof:
            return b""
        try:
            data = self._inner.read(size)
        except InputError:
            raise
        except Exception as exc:  # hostile or damaged input: any decoder may fail
            self.eof, self.error = True, exc
            return b""
        if not data:
            self.eof = True
        return data

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read(_CHUNK):
            parts.append(chunk)
        return b"".join(parts)


def _read_upto(f: _Readable, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = f.read(size - len(data))
        if not chunk:
            break
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise InputError("file objects must be opened in binary mode ('rb'), not text mode")
        data += chunk
    return data


def _compression_of(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if (
        head[:3] == b"BZh"
        and head[3:4] in b"123456789"
        and head[4:10] in (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")
    ):
        return "bzip2"
    return None


def _decompressor(kind: str, f: _Prefixed) -> Any:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=cast(Any, f), mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(cast(Any, f))
    return bz2.BZ2File(cast(Any, f))


@dataclass
class _Content:
    """The logical (decompressed) content of one stored file or buffer."""

    reader: _Reader
    head: bytes
    compression: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)


def _open_content(f: _Readable) -> _Content:
    """Sniff compression layers and return a reader over the content they hold."""
    layers: list[str] = []
    current: Any = f
    for _ in range(_MAX_LAYERS + 1):
        try:
            head = _read_upto(current, _MAGIC_LEN)
        except InputError:
            raise
        except Exception as exc:
            return _Content(_Reader.failed(exc), b"", tuple(layers))
        kind = _compression_of(head)
        if kind is None or len(layers) == _MAX_LAYERS:
            return _Content(_Reader(_Prefixed(head, current)), head, tuple(layers))
        recorder = _Prefixed(head, current, record=True)
        try:
            decompressed = _decompressor(kind, recorder)
            first = decompressed.read1(_CHUNK)
        except InputError:
            raise
        except Exception as exc:
            finding = Finding(
                code=FindingCode.MESSAGE_READ_ERROR,
                severity=Severity.ERROR,
                where="source",
                detail=f"The data starts with the {kind} signature but cannot be decompressed; it is read as stored.",
                evidence=(("error", f"{type(exc).__name__}: {exc}"),),
            )
            stored = _Prefixed(recorder.stop_recording(), current)
            return _Content(_Reader(stored), head, tuple(layers), [finding])
        recorder.stop_recording()
        layers.append(kind)
        current = _Prefixed(first, decompressed)
    raise AssertionError("unreachable")  # pragma: no cover


def _failure_finding(exc: BaseException, where: str) -> Finding:
    if isinstance(exc, EOFError):
        return Finding(
            code=FindingCode.MESSAGE_TRUNCATED,
            severity=Severity.WARNING,
            where=where,
            detail="The compressed data ends before its end marker: the file was cut short "
            "and this message may be incomplete.",
            evidence=(("error", f"{type(exc).__name__}: {exc}"),),
        )
    return Finding(
        code=FindingCode.MESSAGE_READ_ERROR,
        severity=Severity.ERROR,
        where=where,
        detail="Reading the data failed part-way; this message may be incomplete.",
        evidence=(("error", f"{type(exc).__name__}: {exc}"),),
    )


def _unreadable(origin: str, source_format: str, what: str, exc: BaseException | str) -> Message:
    """A placeholder for an input that could not be read at all."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return Message(
        raw=b"",
        origin=origin,
        source_format=source_format,
        defects=(
            Finding(
                code=FindingCode.MESSAGE_READ_ERROR,
                severity=Severity.ERROR,
                where="source",
                detail=f"The {what} could not be read; no message bytes are available.",
                evidence=(("error", text),),
            ),
        ),
    )


# --------------------------------------------------------------------------- mbox


_Rescan = Callable[[], "bool | None"]


def _blanks_end(data: bytes | bytearray, pos: int) -> int:
    """The offset after the spaces and tabs at ``pos``. Used after a line's ``From ``:
    the line is a header field (``From`` WSP ``:``, RFC 5322 §4.5), not an mbox
    separator, when the byte there is ``:``; ``len(data)`` means undecided so far."""
    m = _WSP_RUN.match(data, pos)
    return m.end() if m is not None else pos


def _quoted_lines(raw: bytes) -> list[int]:
    """Offsets of the lines of ``raw`` that match ``^>+From `` (find-based: no regex pass)."""
    starts = []
    found = raw.find(b">From ")
    while found >= 0:
        start = found
        while start > 0 and raw[start - 1] == 0x3E:  # walk back over the run of '>'
            start -= 1
        if start == 0 or raw[start - 1] == 0x0A:
            starts.append(start)
        found = raw.find(b">From ", found + 1)
    return starts


def _remove_bytes_at(raw: bytes, offsets: list[int]) -> bytes:
    """``raw`` without the byte at each offset (mboxrd unquoting: one '>' per line)."""
    pieces, previous = [], 0
    for offset in offsets:
        pieces.append(raw[previous:offset])
        previous = offset + 1
    pieces.append(raw[previous:])
    return b"".join(pieces)


def _has_mboxrd_evidence(data: bytes | bytearray, *, at_line_start: bool = True) -> bool:
    """True if ``data`` has a line matching ``^>>+From `` (mboxrd's quoting of ``>+From ``).

    ``at_line_start`` says whether ``data[0]`` starts a line (False for a window that
    starts in the middle of the data).
    """
    found = data.find(b">>From ")
    while found >= 0:
        start = found
        while start > 0 and data[start - 1] == 0x3E:  # walk back over the run of '>'
            start -= 1
        if (start == 0 and at_line_start) or (start > 0 and data[start - 1] == 0x0A):
            return True
        found = data.find(b">>From ", found + 1)
    return False


def _scan_for_mboxrd(reopen: Callable[[], contextlib.AbstractContextManager[Any]]) -> bool | None:
    """True if the content has a ``^>>+From `` line; None if it cannot be re-read."""
    try:
        with reopen() as f:
            reader = _open_content(f).reader
            tail, first = b"", True
            while chunk := reader.read(_CHUNK):
                window = tail + chunk
                if _has_mboxrd_evidence(window, at_line_start=first):
                    return True
                tail, first = window[-256:], False
            return False
    except Exception:
        return None


class _MboxSplitter:
    """Splits an mbox read forward from ``reader`` into messages (see the module rules)."""

    def __init__(
        self, reader: _Reader, *, origin: str, variant: str, rescan: _Rescan | None, read: bytes = b""
    ) -> None:
        self._reader = reader
        self._origin = origin
        self._variant = variant
        self._rescan = rescan
        self._use_content_length = variant in ("auto", "mboxcl2")
        self._buf = bytearray(read)  # ``read``: the first bytes, already taken from ``reader``
        self._pos = 0  # start of the current message's separator line in _buf
        self._rd: bool | None = {"mboxrd": True, "mboxo": False, "mboxcl2": False}.get(variant)
        self._rd_note = ""

    # -- buffer ------------------------------------------------------------------------
    def _fill(self) -> bool:
        chunk = self._reader.read(_CHUNK)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def _find(self, needle: bytes, start: int) -> int:
        """Index of ``needle`` at or after ``start``, reading on as needed; -1 at the end."""
        found = self._buf.find(needle, start)
        while found < 0:
            resume = max(start, len(self._buf) - len(needle) + 1)
            if not self._fill():
                return -1
            found = self._buf.find(needle, resume)
        return found

    def _is_field_at(self, start: int) -> bool:
        """Whether the line whose ``From `` starts at ``start`` is a ``From  :`` header
        field rather than a separator (see the module rules), reading on as needed."""
        end = _blanks_end(self._buf, start + 5)
        while end == len(self._buf):
            if not self._fill():
                return False  # blanks up to the end of the data: a separator line
            end = _blanks_end(self._buf, end)
        return self._buf[end] == 0x3A

    def _find_separator(self, start: int) -> int:
        """Index of the LF that ends the line before the next separator, or -1."""
        found = self._find(_SEP, start)
        while found >= 0 and self._is_field_at(found + 1):
            found = self._find(_SEP, found + 1)
        return found

    # -- the quoting decision ------------------------------------------------------------
    def _is_mboxrd(self) -> bool:
        if self._rd is None:
            evidence = self._rescan() if self._rescan is not None else None
            if evidence is None:
                evidence = _has_mboxrd_evidence(self._buf)
                self._rd_note = (
                    " The stream could not be re-read, so only the data read so far was checked for mboxrd quoting."
                )
            self._rd = evidence
        return self._rd

    def _unquote(self, raw: bytes, where: str) -> tuple[bytes, list[Finding]]:
        if self._variant == "mboxcl2":
            return raw, []
        lines = _quoted_lines(raw)
        if not lines:
            return raw, []
        if self._is_mboxrd():
            return _remove_bytes_at(raw, lines), []
        quoted = len(lines)
        return raw, [
            Finding(
                code=FindingCode.MBOX_FROM_QUOTING_AMBIGUOUS,
                severity=Severity.NOTICE,
                where=where,
                detail=f"{quoted} line(s) start with '>From ': in an mboxo file these may be "
                "'From ' lines quoted by the mailbox writer, which cannot be undone, so the body "
                "may differ from the message as sent and a DKIM body hash may not verify." + self._rd_note,
                evidence=(("variant", "mboxo" if self._variant == "mboxo" else "auto: no >>From lines"),),
            )
        ]

    # -- Content-Length ------------------------------------------------------------------
    def _body_start(self, start: int, end: int) -> int | None:
        """Offset of the body: after the first empty line (LF or CRLF) in [start, end)."""
        buf = self._buf
        first = buf.find(b"\n", start, end)
        if first <= start or (first == start + 1 and buf[start] == 0x0D):
            return None  # no header line at all
        # Search the style of the first line first, then the other one only up to it,
        # so that neither search runs through a large body.
        styles = [b"\n\r\n", b"\n\n"] if buf[first - 1] == 0x0D else [b"\n\n", b"\n\r\n"]
        found = buf.find(styles[0], start, end)
        bound = found + len(styles[0]) if found >= 0 else end
        other = buf.find(styles[1], start, bound)
        candidates = [i + len(s) for i, s in ((found, styles[0]), (other, styles[1])) if i >= 0]
        return min(candidates) if candidates else None

    def _consistent_at(self, p: int, limit: int) -> int | None:
        """Where the next message starts if a body may end at ``p``, else None."""
        buf = self._buf
        if p - limit > _CL_MAX_LOOKAHEAD:
            return None
        while len(buf) < p + 7 and self._fill():
            pass
        if p > len(buf):
            return None
        if p == len(buf):
            return p
        for skip, prefix in ((0, b"From "), (1, b"\nFrom "), (2, b"\r\nFrom ")):
            if buf.startswith(prefix, p) and (skip or buf[p - 1] == 0x0A):
                return None if self._is_field_at(p + skip) else p + skip
        if self._reader.eof and buf[p:] in (b"\n", b"\r\n"):
            return len(buf)
        return None

    def _content_length(self, start: int, end: int, next_start: int, where: str) -> tuple[int, int, list[Finding]]:
        body_start = self._body_start(start, end)
        if body_start is None:
            return end, next_start, []
        values = {m.group(1) for m in _CONTENT_LENGTH.finditer(self._buf, start, body_start)}
        if not values:
            return end, next_start, []
        stated = b", ".join(sorted(values)).decode("latin-1")
        if len(values) > 1 or not next(iter(values)).isdigit():
            return end, next_start, [self._mismatch(where, stated, "it is not one decimal number")]
        body_end = body_start + int(next(iter(values)))
        if body_end == end:
            return end, next_start, []
        new_next = self._consistent_at(body_end, end)
        if new_next is None:
            findings = []
            if body_end > len(self._buf) and self._reader.eof and next_start >= len(self._buf):
                findings.append(
                    Finding(
                        code=FindingCode.MESSAGE_TRUNCATED,
                        severity=Severity.WARNING,
                        where=where,
                        detail="The data ends before the length its Content-Length header states: "
                        "the mailbox may have been cut short.",
                        evidence=(("missing_bytes", str(body_end - len(self._buf))),),
                    )
                )
            actual = end - body_start
            return end, next_start, [self._mismatch(where, stated, f"the body has {actual} bytes"), *findings]
        return body_end, new_next, []

    @staticmethod
    def _mismatch(where: str, stated: str, why: str) -> Finding:
        return Finding(
            code=FindingCode.MBOX_CONTENT_LENGTH_MISMATCH,
            severity=Severity.NOTICE,
            where=where,
            detail=f"The Content-Length header does not delimit this message ({why}); "
            "the message was split at the next 'From ' line instead.",
            evidence=(("content_length", stated),),
        )

    # -- iteration -----------------------------------------------------------------------
    def __iter__(self) -> Iterator[Message]:
        index = 0
        buf = self._buf
        while True:
            if self._pos >= len(buf) and not self._fill():
                break
            if self._pos > _CHUNK:  # compact at most once per chunk read
                del buf[: self._pos]
                self._pos = 0
            sep_start = self._pos
            where = f"mbox message {index}"
            line_end = self._find(b"\n", sep_start)
            if line_end < 0:  # a separator line and nothing else
                start = end = next_start = len(buf)
            else:
                start = line_end + 1
                # The line break before the next separator (or the end) belongs to it:
                # remove one LF, with the CR before it if there is one.
                newline = self._find_separator(line_end)
                if newline >= 0:
                    end, next_start = newline, newline + 1
                    if end > start and buf[end - 1] == 0x0D:
                        end -= 1
                else:
                    end = next_start = len(buf)
                    if end > start and buf[end - 1] == 0x0A:
                        end -= 1
                        if end > start and buf[end - 1] == 0x0D:
                            end -= 1
                end = max(end, start)
            findings: list[Finding] = []
            if self._use_content_length and end > start:
                end, next_start, findings = self._content_length(start, end, next_start, where)
            if self._reader.error is not None and next_start >= len(buf):
                findings.append(_failure_finding(self._reader.error, where))
            with memoryview(buf) as view:
                raw = view[start:end].tobytes()
            raw, quoting = self._unquote(raw, where)
            self._pos = next_start
            yield Message.from_bytes(
                raw,
                origin=f"{self._origin}#{index}",
                source_format="mbox",
                defects=(*findings, *quoting),
            )
            index += 1


# --------------------------------------------------------------------------- Outlook .msg


def _split_header_lines(text: str) -> list[list[str]]:
    """Group header text into fields (a field line plus its continuation lines)."""
    fields: list[list[str]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            if fields:
                break  # the end of the header section
            continue
        if line[:1] in (" ", "\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    return fields


def _field_name(lines: list[str]) -> str:
    return lines[0].split(":", 1)[0].strip().lower()


def _decode_html(html: bytes, codepage: Any) -> str | bytes:
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if isinstance(codepage, int):
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return html.decode(f"cp{codepage}")
    return html


def _msg_attachments(msg: Any, body: email.message.MIMEPart, skipped: list[str]) -> None:
    for attachment in msg.attachments:
        name = None
        try:
            name = attachment.getFilename()
            data = attachment.data
        except Exception as exc:
            skipped.append(f"{name or '?'} (unreadable: {type(exc).__name__})")
            continue
        if not isinstance(data, bytes):
            kind = "embedded message" if data is not None else "no data"
            skipped.append(f"{name or '?'} ({kind})")
            continue
        mimetype = getattr(attachment, "mimetype", None) or "application/octet-stream"
        maintype, _, subtype = mimetype.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        body.add_attachment(data, maintype=maintype, subtype=subtype, filename=name or None)


def _converted_raw(msg: Any, stored: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """Rebuild message bytes from an opened extract_msg item; return them and evidence.

    The result depends only on ``stored`` (the .msg bytes): MIME boundaries are derived
    from its hash, so converting the same file twice gives the same bytes and sha256.
    """
    evidence: list[tuple[str, str]] = [("item_class", str(getattr(msg, "classType", None)))]
    header_text = getattr(msg, "headerText", None) or ""
    if header_text.startswith("Microsoft Mail Internet Headers Version 2.0"):
        header_text = header_text[len("Microsoft Mail Internet Headers Version 2.0") :]
    fields = _split_header_lines(header_text)
    if fields:
        evidence.append(("transport_headers", f"{len(fields)} fields"))
    else:
        evidence.append(
            ("transport_headers", "absent: headers were made from the item's properties; no Received chain")
        )
        date = getattr(msg, "date", None)
        made = [
            ("Date", email.utils.format_datetime(date) if date else None),
            ("From", getattr(msg, "sender", None)),
            ("To", getattr(msg, "to", None)),
            ("Cc", getattr(msg, "cc", None)),
            ("Subject", getattr(msg, "subject", None)),
            ("Message-ID", getattr(msg, "messageId", None)),
        ]
        fields = [[f"{name}: {' '.join(str(value).split())}"] for name, value in made if value]
    received = sum(1 for lines in fields if _field_name(lines) == "received")
    evidence.append(("received_fields", str(received)))
    kept: list[list[str]] = []
    for lines in fields:
        if _field_name(lines) in ("content-type", "content-transfer-encoding"):
            evidence.append(("replaced_field", " ".join(s.strip() for s in lines)))
        else:
            kept.append(lines)

    body = email.message.MIMEPart(policy=email.policy.SMTP)  # no MIME-Version on every part
    text = getattr(msg, "body", None)
    html = msg.getStream("__substg1.0_10130102")
    if text is None and html is None:
        evidence.append(("body", "none"))
    body.set_content(text or "")
    if html:
        decoded = _decode_html(html, msg.getPropertyVal("3FDE0003"))
        if isinstance(decoded, str):
            body.add_alternative(decoded, subtype="html")
        else:
            body.add_alternative(decoded, maintype="text", subtype="html")
    skipped: list[str] = []
    try:
        if hasattr(msg, "attachments"):
            _msg_attachments(msg, body, skipped)
    except Exception as exc:
        skipped.append(f"attachments unreadable ({type(exc).__name__}: {exc})")
    for item in skipped:
        evidence.append(("attachment_not_included", item))

    digest = hashlib.sha256(stored).hexdigest()[:32]
    multiparts = [part for part in body.walk() if part.is_multipart()]
    for number, part in enumerate(multiparts):
        part.set_boundary(f"=_mailforensics_{digest}_{number}")
    generated = body.as_bytes()
    gen_head, _, gen_body = generated.partition(b"\r\n\r\n")
    if not any(_field_name(lines) == "mime-version" for lines in kept):
        kept.append(["MIME-Version: 1.0"])
    head = b"".join("\r\n".join(lines).encode("utf-8", "replace") + b"\r\n" for lines in kept)
    head += gen_head + b"\r\n"
    return head + b"\r\n" + gen_body, evidence


def _convert_msg(data: bytes, origin: str) -> Message:
    """An Outlook item → a Message rebuilt from its transport headers and bodies."""
    if len(data) < _OLE_MIN_SIZE:
        problem = f"{len(data)} bytes, shorter than the smallest compound file ({_OLE_MIN_SIZE})"
        return _msg_read_error(data, origin, problem)
    try:
        import extract_msg

        msg = extract_msg.openMsg(data, delayAttachments=True)
    except Exception as exc:
        return _msg_read_error(data, origin, f"{type(exc).__name__}: {exc}")
    try:
        raw, evidence = _converted_raw(msg, data)
    except Exception as exc:
        return _msg_read_error(data, origin, f"{type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(Exception):
            msg.close()
    converted = Finding(
        code=FindingCode.MESSAGE_CONVERTED,
        severity=Severity.WARNING,
        where="message",
        detail="Converted from an Outlook .msg item, which does not keep the message as it was "
        "received: raw was rebuilt from the transport headers and the bodies, so no DKIM or ARC "
        "result can be claimed for it.",
        evidence=tuple(evidence),
    )
    return Message.from_bytes(raw, origin=origin, source_format="msg", raw_is_original=False, defects=(converted,))


def _msg_read_error(data: bytes, origin: str, problem: str) -> Message:
    finding = Finding(
        code=FindingCode.MESSAGE_READ_ERROR,
        severity=Severity.ERROR,
        where="source",
        detail="The data is an OLE2 compound file but could not be read as an Outlook item; "
        "raw holds the stored bytes.",
        evidence=(("error", problem),),
    )
    return Message.from_bytes(data, origin=origin, source_format="msg", defects=(finding,))


# --------------------------------------------------------------------------- batch SMTP

#: The first line of a batch SMTP stream (RFC 2442): ``HELO``/``EHLO`` and a name, or
#: ``MAIL FROM:`` and a path in angle brackets (with ESMTP parameters), in SMTP command
#: syntax. No RFC 5322 message starts like this: a field name holds no blank.
_BSMTP_FIRST = re.compile(
    rb"(?:(?:HELO|EHLO)[ ]+[\x21-\x7e]+|MAIL FROM:[ ]?<[^<>\r\n]*>(?:[ ]+[\x21-\x7e]+)*)[ \t]*\r?\n", re.IGNORECASE
)
_BSMTP_PREFIXES = (b"HELO ", b"EHLO ", b"MAIL FROM:")
#: A command line is at most 512 octets (RFC 5321 §4.5.3.1.4); a longer one is not read
#: as a command. Generous, so that a long ESMTP parameter list still is.
_BSMTP_LINE_MAX = 4096
#: RCPT TO arguments kept per transaction (RFC 5321 §4.5.3.1.8 asks for 100); more are counted.
_BSMTP_MAX_RCPT = 1000


def _starts_bsmtp(head: bytes) -> bool:
    """Whether ``head`` may start a BSMTP stream (its whole first line then decides)."""
    return head[:10].upper().startswith(_BSMTP_PREFIXES)


def _smtp_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")  # SMTPUTF8 (RFC 6531)
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _bsmtp_finding(severity: Severity, detail: str, evidence: tuple[tuple[str, str], ...] = ()) -> Finding:
    return Finding(
        code=FindingCode.BSMTP_STREAM_DEFECT, severity=severity, where="source", detail=detail, evidence=evidence
    )


def _verb(text: bytes, verb: bytes) -> bool:
    """``text`` is the command ``verb`` alone or followed by a blank and an argument."""
    return text[: len(verb)].upper() == verb and (len(text) == len(verb) or text[len(verb)] in b" \t")


class _BsmtpSplitter:
    """Reads a batch SMTP stream (RFC 2442) forward from ``reader``: one Message per
    ``DATA`` section, carrying its transaction's HELO, MAIL FROM and RCPT TO.

    Linear in the size of the data and bounded in memory by the largest message: command
    lines are at most ``_BSMTP_LINE_MAX`` bytes, at most ``_BSMTP_MAX_RCPT`` recipients
    are kept per transaction, and the buffer is released as each message is yielded.
    """

    def __init__(self, reader: _Reader, *, origin: str, read: bytes) -> None:
        self._reader = reader
        self._origin = origin
        self._buf = bytearray(read)  # ``read``: the first bytes, already taken from ``reader``
        self._count = 0
        self._failure_reported = False

    def _fill(self) -> bool:
        chunk = self._reader.read(_CHUNK)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def _message(self, raw: bytes, findings: list[Finding], envelope: SourceEnvelope | None) -> Message:
        origin = f"{self._origin}#{self._count}"
        self._count += 1
        if self._reader.error is not None and not self._failure_reported:
            self._failure_reported = True
            findings.append(_failure_finding(self._reader.error, "message"))
        return Message.from_bytes(
            raw, origin=origin, source_format="bsmtp", defects=tuple(findings), source_envelope=envelope
        )

    def _line_end(self, pos: int) -> int | None:
        """The end of the line at ``pos`` (after its LF, or the end of the data), or None
        when it is longer than a command line may be."""
        limit = pos + _BSMTP_LINE_MAX
        found = self._buf.find(b"\n", pos, limit)
        while found < 0:
            if len(self._buf) >= limit:
                return None
            resume = len(self._buf)
            if not self._fill():
                return len(self._buf)
            found = self._buf.find(b"\n", resume, limit)
        return found + 1

    def _data(self, start: int) -> tuple[bytes, int, bool]:
        """The message text of the DATA section at ``start`` (a line start), dot-stuffing
        undone (RFC 5321 §4.5.2), the offset after its ``.`` line, and whether that line
        was found. The line break before the ``.`` line ends the message's last line."""
        buf = self._buf
        pieces: list[bytes] = []
        piece = start
        scan = start - 1  # the LF of the DATA line: a "." at ``start`` starts a line
        while True:
            found = buf.find(b"\n.", scan)
            while found < 0:
                resume = max(scan, len(buf) - 1)
                if not self._fill():
                    pieces.append(bytes(buf[piece:]))
                    return b"".join(pieces), len(buf), False
                found = buf.find(b"\n.", resume)
            dot = found + 1
            while len(buf) < dot + 3 and self._fill():
                pass
            after = bytes(buf[dot + 1 : dot + 3])
            pieces.append(bytes(buf[piece:dot]))
            if after[:1] == b"\n" or after[:2] == b"\r\n" or after in (b"", b"\r"):
                return b"".join(pieces), dot + 1 + (1 if after[:1] == b"\n" else len(after)), True
            piece = scan = dot + 1  # a stuffed line: its first "." is dropped

    def _leftover(self, pos: int, detail: str, evidence: tuple[tuple[str, str], ...]) -> Message:
        """The rest of the data from ``pos`` as one message, so that nothing is dropped."""
        rest = bytes(self._buf[pos:]) + self._reader.read_all()
        self._buf = bytearray()
        return self._message(rest, [_bsmtp_finding(Severity.WARNING, detail, evidence)], None)

    def __iter__(self) -> Iterator[Message]:
        helo: str | None = None
        mail_from: str | None = None
        rcpt: list[str] = []
        extra_rcpt = 0
        pos = line_no = 0
        while pos < len(self._buf) or self._fill():
            end = self._line_end(pos)
            line_no += 1
            if end is None:
                yield self._leftover(
                    pos,
                    f"Line {line_no} of the batch SMTP stream is longer than an SMTP command line; "
                    "the rest of the data is read as one message.",
                    (("line", _smtp_text(bytes(self._buf[pos : pos + 200]))),),
                )
                return
            text = bytes(self._buf[pos:end]).rstrip(b"\r\n").rstrip(b" \t")
            start, pos = pos, end
            upper = text[:10].upper()
            if not text.strip():
                continue
            if _verb(text, b"HELO") or _verb(text, b"EHLO"):
                helo = _smtp_text(text[5:].strip()) or None
            elif upper.startswith(b"MAIL FROM:"):
                mail_from, rcpt, extra_rcpt = _smtp_text(text[10:].strip()), [], 0
            elif upper.startswith(b"RCPT TO:"):
                if len(rcpt) < _BSMTP_MAX_RCPT:
                    rcpt.append(_smtp_text(text[8:].strip()))
                else:
                    extra_rcpt += 1
            elif upper == b"DATA":
                raw, pos, complete = self._data(pos)
                raw, findings = _data_findings(raw, complete, mail_from, rcpt, extra_rcpt)
                yield self._message(raw, findings, SourceEnvelope(helo=helo, mail_from=mail_from, rcpt_to=tuple(rcpt)))
                del self._buf[:pos]
                pos, mail_from, rcpt, extra_rcpt = 0, None, [], 0
                if not complete:
                    return
            elif upper == b"RSET":
                mail_from, rcpt, extra_rcpt = None, [], 0
            elif _verb(text, b"NOOP"):
                continue
            elif upper == b"QUIT":
                del self._buf[:pos]
                pos = 0
                while True:  # blank lines after QUIT are skipped, chunk by chunk
                    self._buf = bytearray(self._buf.lstrip())
                    if self._buf or not self._fill():
                        break
                if self._buf:
                    yield self._leftover(
                        pos,
                        "Data follows the QUIT command of the batch SMTP stream; it is read as one message.",
                        (("after QUIT", _smtp_text(bytes(self._buf[pos : pos + 200]).strip())),),
                    )
                    return
                break
            else:
                yield self._leftover(
                    start,
                    f"Line {line_no} of the batch SMTP stream is not an SMTP command this reader knows "
                    "(HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); the rest of the data is read as one message.",
                    (("line", _smtp_text(text[:200])),),
                )
                return
            if pos > _CHUNK:  # commands read: let the buffer go
                del self._buf[:pos]
                pos = 0
        if self._count == 0:
            yield self._message(
                b"",
                [_bsmtp_finding(Severity.WARNING, "The batch SMTP stream holds no DATA section: no message.")],
                None,
            )
        elif self._reader.error is not None and not self._failure_reported:
            yield self._message(b"", [], None)


def _data_findings(
    raw: bytes, complete: bool, mail_from: str | None, rcpt: list[str], extra_rcpt: int
) -> tuple[bytes, list[Finding]]:
    """What was wrong with one BSMTP transaction, and its message text without an mbox
    ``From `` line that a BSMTP file made from an mbox keeps at the start of DATA."""
    findings: list[Finding] = []
    if raw.startswith(b"From "):
        newline = raw.find(b"\n")
        line = raw if newline < 0 else raw[:newline]
        after = _blanks_end(line, 5)
        if after == len(line) or line[after] != 0x3A:  # a "From  :" field stays (see the mbox rules)
            raw = b"" if newline < 0 else raw[newline + 1 :]
            findings.append(
                _bsmtp_finding(
                    Severity.NOTICE,
                    "The DATA section starts with an mbox 'From ' line, which is no part of a message "
                    "(the file was made from an mbox); it was removed, as an mbox reader removes it.",
                    (("line", _smtp_text(line[:200]).rstrip("\r")),),
                )
            )
    if mail_from is None or not rcpt:
        findings.append(
            _bsmtp_finding(
                Severity.NOTICE,
                "DATA without " + ("MAIL FROM" if mail_from is None else "RCPT TO") + " before it: an SMTP server "
                "refuses it (RFC 5321 §3.3), so the envelope of this message is incomplete.",
            )
        )
    if extra_rcpt:
        findings.append(
            _bsmtp_finding(
                Severity.NOTICE,
                f"The transaction has {len(rcpt) + extra_rcpt} RCPT TO commands; the first {len(rcpt)} are kept.",
            )
        )
    if not complete:
        findings.append(
            Finding(
                code=FindingCode.MESSAGE_TRUNCATED,
                severity=Severity.WARNING,
                where="message",
                detail="The batch SMTP data ends before the '.' line that ends a DATA section: the "
                "message may be incomplete.",
            )
        )
    return raw, findings


# --------------------------------------------------------------------------- one stored file


def _iter_content(
    f: _Readable,
    *,
    origin: str,
    single_format: str,
    variant: str,
    reopen: Callable[[], contextlib.AbstractContextManager[Any]] | None,
) -> Iterator[Message]:
    """Messages in one stored file, buffer or stream, by content (see the module rules)."""
    content = _open_content(f)
    reader, head = content.reader, content.head
    read = b""  # bytes already taken from the reader (to tell a "From  :" field from a separator)
    if not content.findings and head.startswith(b"From "):
        is_field = False
        if _blanks_end(head, 5) == len(head):  # "From" and blanks: read on to the first other byte
            taken, end = bytearray(), 5
            while chunk := reader.read(_CHUNK):
                taken += chunk
                end = _blanks_end(taken, end)
                if end < len(taken):
                    break
            read = bytes(taken)
            is_field = end < len(read) and read[end] == 0x3A
        else:
            is_field = head[_blanks_end(head, 5)] == 0x3A
        if not is_field:
            rescan: _Rescan | None = None
            if variant == "auto" and reopen is not None:
                opener = reopen

                def rescan() -> bool | None:
                    return _scan_for_mboxrd(opener)

            yield from _MboxSplitter(reader, origin=origin, variant=variant, rescan=rescan, read=read)
            return
    elif not content.findings and _starts_bsmtp(head):
        taken = bytearray()
        while b"\n" not in taken and len(taken) < _BSMTP_LINE_MAX and (chunk := reader.read(_CHUNK)):
            taken += chunk
        read = bytes(taken)
        if _BSMTP_FIRST.match(read) is not None:
            yield from _BsmtpSplitter(reader, origin=origin, read=read)
            return
    data = read + reader.read_all()
    findings = list(content.findings)
    if reader.error is not None:
        findings.append(_failure_finding(reader.error, "message"))
    if not content.findings and head.startswith(_OLE_MAGIC):
        message = _convert_msg(data, origin)
        if findings:
            message = Message.from_bytes(
                message.raw,
                origin=origin,
                source_format="msg",
                raw_is_original=message.raw_is_original,
                defects=(*findings, *message.defects),
            )
        yield message
        return
    yield Message.from_bytes(data, origin=origin, source_format=single_format, defects=tuple(findings))


def _iter_path_file(path: str, *, single_format: str, variant: str) -> Iterator[Message]:
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below, across yields
    except OSError as exc:
        yield _unreadable(path, single_format, "file", exc)
        return
    try:
        yield from _iter_content(
            f,
            origin=path,
            single_format=single_format,
            variant=variant,
            reopen=functools.partial(open, path, "rb", buffering=0),
        )
    finally:
        f.close()


# --------------------------------------------------------------------------- directories


def _is_maildir(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def _iter_entry(path: str, *, variant: str, visited: set[tuple[int, int]], in_maildir: bool) -> Iterator[Message]:
    single = "maildir" if in_maildir else "eml"
    try:
        st = os.stat(path)
    except OSError as exc:
        yield _unreadable(path, single, "directory entry", exc)
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _iter_directory(path, variant=variant, visited=visited)
    elif stat.S_ISREG(st.st_mode):
        yield from _iter_path_file(path, single_format=single, variant=variant)
    else:
        yield _unreadable(path, single, "directory entry", "not a regular file (a FIFO, socket or device)")


def _tmp_noticed(messages: Iterator[Message]) -> Iterator[Message]:
    for message in messages:
        yield dataclasses.replace(message, defects=(_MAILDIR_TMP_NOTICE, *message.defects))


def _iter_directory(path: str, *, variant: str, visited: set[tuple[int, int]]) -> Iterator[Message]:
    try:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino)
        if key in visited:
            return
        visited.add(key)
        names = sorted(os.listdir(path))
    except OSError as exc:
        yield _unreadable(path, "eml", "directory", exc)
        return
    if not _is_maildir(path):
        # Maildir/cur given directly: its files are still maildir messages.
        parent, base = os.path.split(os.path.normpath(path))
        in_maildir = base in _MAILDIR_SUBDIRS and _is_maildir(parent or ".")
        for name in names:
            messages = _iter_entry(os.path.join(path, name), variant=variant, visited=visited, in_maildir=in_maildir)
            yield from _tmp_noticed(messages) if in_maildir and base == "tmp" else messages
        return
    for sub in _MAILDIR_SUBDIRS:
        subdir = os.path.join(path, sub)
        if not os.path.isdir(subdir):
            continue
        try:
            sub_st = os.stat(subdir)
            visited.add((sub_st.st_dev, sub_st.st_ino))
            entries = sorted(os.listdir(subdir))
        except OSError as exc:
            yield _unreadable(subdir, "maildir", "maildir folder", exc)
            continue
        for name in entries:
            messages = _iter_entry(os.path.join(subdir, name), variant=variant, visited=visited, in_maildir=True)
            yield from _tmp_noticed(messages) if sub == "tmp" else messages
    for name in names:
        full = os.path.join(path, name)
        if (name in _MAILDIR_SUBDIRS and os.path.isdir(full)) or name.startswith(_MAILDIR_META_PREFIXES):
            continue
        yield from _iter_entry(full, variant=variant, visited=visited, in_maildir=False)


# --------------------------------------------------------------------------- public API


def _stream_name(source: Any) -> str:
    name = getattr(source, "name", None)
    if isinstance(name, str | bytes | os.PathLike):
        return os.fsdecode(name)
    return "<stream>"


def _fileobj_reopener(source: Any) -> Callable[[], contextlib.AbstractContextManager[Any]] | None:
    """A way to re-read a seekable file object from where iteration started."""
    try:
        if not source.seekable():
            return None
        start = source.tell()
    except Exception:
        return None

    @contextlib.contextmanager
    def reopen() -> Iterator[Any]:
        here = source.tell()
        source.seek(start)
        try:
            yield source
        finally:
            source.seek(here)

    return reopen


def _check_variant(variant: str) -> None:
    if variant not in MBOX_VARIANTS:
        raise InputError(f"variant must be one of {', '.join(map(repr, MBOX_VARIANTS))}, not {variant!r}")


def _prepare(source: Source, variant: str) -> tuple[str, Callable[[], Iterator[Message]]]:
    """Validate ``source`` eagerly; return its kind and a factory of its messages."""
    _check_variant(variant)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return "bytes", lambda: _iter_content(
            io.BytesIO(data),
            origin="<bytes>",
            single_format="bytes",
            variant=variant,
            reopen=lambda: contextlib.nullcontext(io.BytesIO(data)),
        )
    if isinstance(source, str | os.PathLike):
        try:
            path = os.fsdecode(os.fspath(source))
            st = os.stat(path)
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(f"cannot use {source!r} as a message source: {exc}") from exc
        if stat.S_ISDIR(st.st_mode):
            return "directory", lambda: _iter_directory(path, variant=variant, visited=set())
        return "file", lambda: _iter_path_file(path, single_format="eml", variant=variant)
    if isinstance(source, io.TextIOBase):
        raise InputError("file objects must be opened in binary mode ('rb'), not text mode")
    if callable(getattr(source, "read", None)):
        name = _stream_name(source)
        single = "eml" if name != "<stream>" else "bytes"
        reopen = _fileobj_reopener(source)
        return "stream", lambda: _iter_content(
            source, origin=name, single_format=single, variant=variant, reopen=reopen
        )
    raise InputError(
        "a message source must be a path (str or os.PathLike), bytes, bytearray, memoryview "
        f"or a binary file object, not {type(source).__name__}"
    )


def iter_messages(source: Source, *, variant: str = "auto") -> Iterator[Message]:
    """Iterate over every message in ``source``, lazily and in a deterministic order.

    The content decides the format (see the module docstring): a single ``.eml``
    message, an Outlook ``.msg`` item, an mbox (optionally gzip/bzip2/xz-compressed), a
    batch SMTP stream, a maildir, or a directory tree of any of these. An mbox is streamed in 1 MiB chunks,
    so memory stays bounded by the largest message. Arguments are checked when this is
    called; reading happens as the iterator is consumed.

    Parameters
    ----------
    source
        A path (``str`` or ``os.PathLike``) to a file or directory; the bytes of a
        message or mailbox (``bytes``, ``bytearray``, ``memoryview``); or a binary file
        object, read from its current position (and re-read from there if the mbox
        quoting variant has to be detected; not closed).
    variant
        How mbox ``>From `` quoting and ``Content-Length`` are read: ``"auto"``
        (default: mboxrd if the file has a ``^>>+From `` line, else mboxo; a
        consistent ``Content-Length`` is used), ``"mboxo"`` or ``"mboxrd"`` (both
        ignore ``Content-Length``), or ``"mboxcl2"`` (no quoting; ``Content-Length``
        used).

    Yields
    ------
    Message
        One per message, with ``raw`` as stored and ``defects`` for anything wrong with
        it. Unreadable or non-message input is yielded too, never dropped: a file that
        is not a message gives a Message with defects, and an entry that cannot be read
        gives an empty Message with a ``MESSAGE_READ_ERROR`` finding. A file or buffer
        always yields at least one Message (an empty one yields a ``MESSAGE_EMPTY``
        record); an empty directory yields none.

    Raises
    ------
    InputError
        If the path does not exist or cannot be examined, the source is of an
        unsupported type or is a text-mode file object, or ``variant`` is unknown. Never
        for the content of a message.

    Examples
    --------
    >>> for message in iter_messages("export.mbox.gz"):  # doctest: +SKIP
    ...     print(message.origin, message.get("Subject"))
    """
    _, factory = _prepare(source, variant)
    return factory()


def load(source: Source, *, variant: str = "auto") -> Message:
    """Read exactly one message: an ``.eml`` or Outlook ``.msg`` file, bytes or a stream.

    Parameters
    ----------
    source
        A path (``str`` or ``os.PathLike``) to a file, the bytes of one message, or a
        binary file object. The content decides the format (an RFC 5322 message saved
        as ``.msg`` is read as one; an mbox holding a single message is accepted).
    variant
        The mbox quoting rule, as for :func:`iter_messages`.

    Returns
    -------
    Message
        The message. Damaged content is returned with ``defects``, not raised; see
        :func:`iter_messages`.

    Raises
    ------
    InputError
        If the path does not exist or is a directory, the source is of an unsupported
        type, or it holds more than one message (use :func:`iter_messages`).
    """
    kind, factory = _prepare(source, variant)
    if kind == "directory":
        raise InputError(f"{source!r} is a directory; use iter_messages() to read a folder")
    messages = factory()
    try:
        first = next(messages, None)
        if first is None:  # pragma: no cover - a file or buffer always yields a record
            raise InputError(f"{source!r} holds no message")
        if next(messages, None) is not None:
            raise InputError(
                f"{first.origin.rpartition('#')[0]!r} holds more than one message; use iter_messages() to read them all"
            )
    finally:
        close = getattr(messages, "close", None)
        if close is not None:
            close()
    return first
