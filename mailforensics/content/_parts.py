"""The MIME parts of a message, transfer-decoded, each with its IMAP section number.

One walk serves the URL extractor and the attachment inventory. It is iterative (a
message nested ten thousand multiparts deep cannot exhaust the stack), bounded (at most
:data:`MAX_PARTS` leaves and :data:`MAX_DEPTH` levels) and never raises: a part whose
payload cannot be decoded is returned with the bytes that could be read and a note.

Section numbers follow IMAP (RFC 3501 §6.4.5 ``BODY[<section>]``): a single-part message
is ``"1"``; the children of a multipart are ``"1"``, ``"2"``, ... and their children
``"2.1"``, ...; the body of an attached ``message/rfc822`` part ``"3"`` is ``"3.1"`` (or
``"3.1"``, ``"3.2"``, ... when it is a multipart).
"""

from __future__ import annotations

import codecs
import email.message
import email.policy
import email.utils
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from functools import lru_cache

from mailforensics.message import Message

__all__ = ["MAX_DEPTH", "MAX_PARTS", "Part", "decode_text", "decode_words", "walk"]

#: At most this many leaf parts are read from one message.
MAX_PARTS = 1000
#: Parts nested deeper than this are not read.
MAX_DEPTH = 64


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
    obj: email.message.Message | None = field(default=None, compare=False, repr=False)

    @property
    def is_text(self) -> bool:
        """True for ``text/*`` parts."""
        return self.content_type.startswith("text/")


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words in ``value``; the text as given when that fails."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # malformed encoded words, unknown charsets: keep the text
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
    return decode_words(raw), raw


def _header(msg: email.message.Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:
        return None
    return None if value is None else str(value)


def _named(msg: email.message.Message) -> tuple[str | None, str | None, str | None]:
    """The ``charset`` parameter and the file name (decoded, as written) of ``msg``."""
    try:
        ctype = msg.get("Content-Type")
        disp = msg.get("Content-Disposition")
    except Exception:
        ctype = disp = None  # not readable as text: _param and _filename say what they can
    else:
        # Both follow from the first Content-Type and Content-Disposition values alone, and
        # those repeat across a mailbox ("text/plain; charset=utf-8"): read each pair once.
        # A value with undecodable bytes comes as a Header object and is read each time.
        if (
            msg.policy is email.policy.compat32
            and isinstance(ctype, str | None)
            and isinstance(disp, str | None)
            and len(ctype or "") + len(disp or "") <= _MAX_CACHED_PARAMS
        ):
            return _named_in(ctype, disp)
    return (_param(msg, "charset", "content-type"), *_filename(msg))


_MAX_CACHED_PARAMS = 1000


@lru_cache(maxsize=1024)
def _named_in(ctype: str | None, disp: str | None) -> tuple[str | None, str | None, str | None]:
    # A part holding these two fields only: the email package reads them as in the part.
    alone = email.message.Message()
    if ctype is not None:
        alone["Content-Type"] = ctype
    if disp is not None:
        alone["Content-Disposition"] = disp
    return (_param(alone, "charset", "content-type"), *_filename(alone))


_UNREAD = object()  # walk() could not read the payload: _leaf tries (and notes) it


def _leaf(msg: email.message.Message, section: str, body: object = _UNREAD) -> Part:
    notes: list[str] = []
    try:
        ctype = msg.get_content_type().lower()
    except Exception:
        ctype = "application/octet-stream"
        notes.append("unreadable Content-Type")
    charset, filename, filename_raw = _named(msg)
    disp_value = _header(msg, "Content-Disposition")
    disposition = disp_value.split(";", 1)[0].strip().lower() or None if disp_value else None
    cte = _header(msg, "Content-Transfer-Encoding")
    payload = b""
    try:
        if body is _UNREAD:
            body = msg.get_payload()
        if isinstance(body, list):
            # message/rfc822 and the like: the encapsulated message as bytes.
            inner = body[0] if body else None
            if isinstance(inner, email.message.Message):
                payload = inner.as_bytes(policy=inner.policy.clone(max_line_length=0))
        else:
            decoded = msg.get_payload(decode=True)
            if isinstance(decoded, bytes):
                payload = decoded
    except Exception as exc:  # a payload the email package cannot decode
        notes.append(f"payload could not be decoded ({type(exc).__name__})")
    for defect in getattr(msg, "defects", ()) or ():
        name = type(defect).__name__
        if name in ("InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect"):
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
        obj=msg,
    )


def walk(message: Message) -> tuple[tuple[Part, ...], bool]:
    """The leaf parts of ``message`` in document order, and whether a limit cut the walk.

    ``message/rfc822`` (and ``message/global``) parts are returned as parts themselves
    (an attached message is an attachment) and are also descended into.
    """
    try:
        root = message.email
    except Exception:
        return (), False
    parts: list[Part] = []
    truncated = False
    # Stack of (msg, section, depth); children pushed in reverse to keep document order.
    stack: list[tuple[email.message.Message, str, int]] = [(root, "", 0)]
    while stack:
        msg, section, depth = stack.pop()
        if len(parts) >= MAX_PARTS or depth > MAX_DEPTH:
            truncated = True
            continue
        read: object = _UNREAD
        try:
            multipart = msg.is_multipart()
            body = read = msg.get_payload()
        except Exception:
            multipart, body = False, None
        if multipart and isinstance(body, list) and msg.get_content_maintype() == "multipart":
            children = [c for c in body if isinstance(c, email.message.Message)]
            for i in range(len(children) - 1, -1, -1):
                child_section = f"{section}.{i + 1}" if section else str(i + 1)
                stack.append((children[i], child_section, depth + 1))
            continue
        leaf_section = section or "1"
        parts.append(_leaf(msg, leaf_section, read))  # the payload read once
        if isinstance(body, list) and body and isinstance(body[0], email.message.Message):
            inner = body[0]
            if inner.is_multipart():
                kids = [c for c in inner.get_payload() if isinstance(c, email.message.Message)]
                for i in range(len(kids) - 1, -1, -1):
                    stack.append((kids[i], f"{leaf_section}.{i + 1}", depth + 1))
            else:
                stack.append((inner, f"{leaf_section}.1", depth + 1))
    return tuple(parts), truncated
