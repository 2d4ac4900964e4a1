"""Tests of mailforensics.sources: load() and iter_messages()."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import mailbox
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import olefile
import pytest

from mailforensics import sources
from mailforensics.errors import InputError
from mailforensics.findings import FindingCode, Severity
from mailforensics.message import Message
from mailforensics.sources import iter_messages, load

# --------------------------------------------------------------------------- fixtures

EML = (
    b"Received: from mx.example.net (mx.example.net [192.0.2.1])\n"
    b"\tby mail.example.org; Mon, 1 Jan 2024 00:00:02 +0000\n"
    b"From: Alice <alice@example.net>\n"
    b"To: bob@example.org\n"
    b"Subject: Hello\n"
    b"\n"
    b"Hi Bob,\n"
    b"bye\n"
)
EML_CRLF = EML.replace(b"\n", b"\r\n")


def codes(message: Message) -> list[FindingCode]:
    return [d.code for d in message.defects]


def mbox_of(*raws: bytes, quote: str = "mboxrd", eol: bytes = b"\n") -> bytes:
    """Write an mbox: separator line, quoted message, one terminating line break."""
    out = []
    for number, raw in enumerate(raws):
        body = raw
        if quote == "mboxrd":
            body = _quote_rd(raw)
        elif quote == "mboxo":
            body = _quote_o(raw)
        out.append(b"From sender%d@example.net Mon Jan  1 00:00:%02d 2024" % (number, number % 60) + eol)
        out.append(body + eol)
    return b"".join(out)


def _quote_rd(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    return b"\n".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines)


def _quote_o(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    return b"\n".join(b">" + line if line.startswith(b"From ") else line for line in lines)


class NonSeekable(io.RawIOBase):
    """A pipe-like binary stream: read() only."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def seekable(self) -> bool:
        return False


class CountingReader(io.RawIOBase):
    """Counts how many bytes were read from it."""

    def __init__(self, path: Path) -> None:
        self._f = open(path, "rb")  # noqa: SIM115
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self._f.readinto(buffer)
        self.consumed += n
        return n

    def close(self) -> None:
        self._f.close()
        super().close()


# --------------------------------------------------------------------------- a tiny MS-CFB writer

_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_DIR_ENTRY = "<64sHBBIII16sIQQIQ"


def write_cfb(streams: dict[tuple[str, ...], bytes]) -> bytes:
    """A version-3 Compound File Binary file (MS-CFB) holding ``streams``.

    Keys are paths of storage names ending in a stream name. Streams under the 4096-byte
    cutoff go to the mini stream, larger ones to regular sectors; siblings form a
    balanced binary tree in CFB name order. No DIFAT sectors (files up to ~6 MB).
    """
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": {}, "data": b""}]
    index = {(): 0}
    for path, data in sorted(streams.items()):
        for depth in range(1, len(path) + 1):
            sub = path[:depth]
            if sub in index:
                continue
            is_stream = depth == len(path)
            entries.append(
                {"name": sub[-1], "type": 2 if is_stream else 1, "children": {}, "data": data if is_stream else b""}
            )
            index[sub] = len(entries) - 1
            entries[index[sub[:-1]]]["children"][sub[-1]] = index[sub]
    for entry in entries:
        entry.update(left=_NOSTREAM, right=_NOSTREAM, child=_NOSTREAM, start=_ENDOFCHAIN, size=0)

    def tree(ids: list[int]) -> int:
        if not ids:
            return _NOSTREAM
        mid = len(ids) // 2
        entries[ids[mid]]["left"] = tree(ids[:mid])
        entries[ids[mid]]["right"] = tree(ids[mid + 1 :])
        return ids[mid]

    for entry in entries:
        kids = sorted(entry["children"].items(), key=lambda kv: (len(kv[0]), kv[0].upper()))
        entry["child"] = tree([i for _, i in kids])

    mini_stream, minifat, big = bytearray(), [], []
    for entry in entries:
        data = entry["data"]
        entry["size"] = len(data) if entry["type"] == 2 else 0
        if entry["type"] != 2 or not data:
            continue
        if len(data) < _CUTOFF:
            first, count = len(mini_stream) // _MINI, -(-len(data) // _MINI)
            minifat += [first + k + 1 for k in range(count - 1)] + [_ENDOFCHAIN]
            mini_stream += data + b"\0" * (count * _MINI - len(data))
            entry["start"] = first
        else:
            big.append((entry, data))

    def pad(blob: bytes) -> bytes:
        return bytes(blob) + b"\0" * (-len(blob) % _SECTOR)

    def n_sectors(size: int) -> int:
        return -(-size // _SECTOR)

    minifat_blob = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_blob += struct.pack("<I", _FREESECT) * ((-len(minifat_blob) % _SECTOR) // 4)
    n_dir = n_sectors(len(entries) * 128)
    n_minifat, n_mini = n_sectors(len(minifat_blob)), n_sectors(len(mini_stream))
    n_big = [n_sectors(len(data)) for _, data in big]
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + sum(n_big):
        n_fat += 1
    assert n_fat <= 109
    fat = [_FATSECT] * n_fat

    def chain(count: int) -> int:
        if not count:
            return _ENDOFCHAIN
        first = len(fat)
        fat.extend([first + k + 1 for k in range(count - 1)] + [_ENDOFCHAIN])
        return first

    dir_start, minifat_start = chain(n_dir), chain(n_minifat)
    entries[0]["start"], entries[0]["size"] = chain(n_mini), len(mini_stream)
    for (entry, _), count in zip(big, n_big, strict=True):
        entry["start"] = chain(count)
    fat += [_FREESECT] * (n_fat * 128 - len(fat))

    directory = b""
    for entry in entries:
        name = entry["name"].encode("utf-16-le")
        directory += struct.pack(
            _DIR_ENTRY, name, len(name) + 2, entry["type"], 1, entry["left"], entry["right"],
            entry["child"], b"\0" * 16, 0, 0, 0, entry["start"], entry["size"],
        )  # fmt: skip
    unused = struct.pack(_DIR_ENTRY, b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
    directory += unused * (n_dir * 4 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6,
        b"\0" * 6, 0, n_fat, dir_start, 0, _CUTOFF, minifat_start, n_minifat, _ENDOFCHAIN, 0,
    )  # fmt: skip
    header += b"".join(struct.pack("<I", k) for k in range(n_fat)) + struct.pack("<I", _FREESECT) * (109 - n_fat)
    body = b"".join(struct.pack("<I", v) for v in fat) + pad(directory) + pad(minifat_blob) + pad(mini_stream)
    return header + body + b"".join(pad(data) for _, data in big)


def _properties(props: list[tuple[int, object]]) -> tuple[bytes, dict[str, bytes]]:
    entries, streams = b"", {}
    for tag, value in props:
        kind, name = tag & 0xFFFF, f"__substg1.0_{tag:08X}"
        if kind == 0x001F:  # PT_UNICODE: size counts the terminating NUL
            assert isinstance(value, str)
            streams[name] = value.encode("utf-16-le")
            entries += struct.pack("<IIII", tag, 6, len(streams[name]) + 2, 0)
        elif kind == 0x0102:  # PT_BINARY
            assert isinstance(value, bytes)
            streams[name] = value
            entries += struct.pack("<IIII", tag, 6, len(value), 0)
        else:  # PT_LONG
            assert kind == 0x0003 and isinstance(value, int)
            entries += struct.pack("<IIiI", tag, 6, value, 0)
    return entries, streams


def make_msg(
    *,
    headers: str | None = None,
    subject: str = "Test",
    body: str = "Hello",
    html: bytes | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    message_class: str = "IPM.Note",
) -> bytes:
    """A minimal Outlook .msg (MS-OXMSG): transport headers, subject, bodies, attachments."""
    props: list[tuple[int, object]] = [
        (0x001A001F, message_class),
        (0x0037001F, subject),
        (0x1000001F, body),
        (0x340D0003, 0x40000),  # PR_STORE_SUPPORT_MASK: STORE_UNICODE_OK
    ]
    if headers is not None:
        props.append((0x007D001F, headers))  # PR_TRANSPORT_MESSAGE_HEADERS
    if html is not None:
        props.append((0x10130102, html))  # PR_HTML
    entries, substreams = _properties(props)
    top = struct.pack("<8sIIII8s", b"", 0, len(attachments), 0, len(attachments), b"") + entries
    streams = {("__properties_version1.0",): top}
    streams.update({(name,): data for name, data in substreams.items()})
    for name in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        streams[("__nameid_version1.0", name)] = b""
    for number, (filename, mimetype, data) in enumerate(attachments):
        storage = f"__attach_version1.0_#{number:08X}"
        a_entries, a_streams = _properties(
            [(0x37050003, 1), (0x3707001F, filename), (0x370E001F, mimetype), (0x37010102, data)]
        )
        streams[(storage, "__properties_version1.0")] = b"\0" * 8 + a_entries
        streams.update({(storage, name): blob for name, blob in a_streams.items()})
    return write_cfb(streams)


TRANSPORT = (
    "Received: from mx.example.net (mx.example.net [192.0.2.1])\r\n"
    "\tby mail.example.org with ESMTPS id 4Tq; Mon, 1 Jan 2024 00:00:02 +0000\r\n"
    "Received: from client.example.net (unknown [198.51.100.7])\r\n"
    "\tby mx.example.net with ESMTP; Mon, 1 Jan 2024 00:00:01 +0000\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=s1; bh=abc=; b=def=\r\n"
    "From: Alice <alice@example.net>\r\n"
    "To: bob@example.org\r\n"
    "Subject: Quarterly report\r\n"
    "Message-ID: <1@example.net>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n'
    "\r\n"
)


def test_cfb_writer_is_read_strictly_by_olefile() -> None:
    data = make_msg(headers=TRANSPORT, attachments=(("big.bin", "application/octet-stream", b"x" * 5000),))
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    assert ["__substg1.0_007D001F"] in ole.listdir()
    assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == b"x" * 5000
    assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "Test"


# --------------------------------------------------------------------------- arguments


def test_missing_path_raises_input_error_at_call_time(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        iter_messages(tmp_path / "nope.mbox")  # raised before iteration starts
    with pytest.raises(InputError):
        load(str(tmp_path / "nope.eml"))


@pytest.mark.parametrize("bad", [42, None, ["a"], 3.5, object()])
def test_wrong_type_raises_input_error(bad: object) -> None:
    with pytest.raises(InputError):
        iter_messages(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        load(bad)  # type: ignore[arg-type]


def test_text_mode_file_object_raises(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(EML)
    with open(path) as text, pytest.raises(InputError, match="binary"):
        load(text)  # type: ignore[arg-type]

    class StrReader:  # not an io.TextIOBase, but read() returns str
        def read(self, size: int = -1) -> str:
            return "Subject: x\n\n"

    with pytest.raises(InputError, match="binary"):
        load(StrReader())  # type: ignore[arg-type]


def test_unknown_variant_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="variant"):
        iter_messages(EML, variant="mboxx")


def test_load_rejects_directory_and_multi_message_mbox(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="iter_messages"):
        load(tmp_path)
    path = tmp_path / "two.mbox"
    path.write_bytes(mbox_of(EML, EML))
    with pytest.raises(InputError, match="iter_messages"):
        load(path)


def test_input_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        iter_messages(12)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- single messages


def test_load_eml_path_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(EML_CRLF)
    for source in (path, str(path)):
        message = load(source)
        assert message.raw == EML_CRLF
        assert message.origin == str(path)
        assert message.source_format == "eml"
        assert message.raw_is_original
        assert message.get("Subject") == "Hello"
        assert message.defects == ()


def test_content_decides_eml_named_msg(tmp_path: Path) -> None:
    path = tmp_path / "really-an-eml.msg"
    path.write_bytes(EML)
    message = load(path)
    assert message.source_format == "eml"
    assert message.raw == EML


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_sources(kind: type) -> None:
    message = load(kind(EML))
    assert message.raw == EML
    assert message.origin == "<bytes>"
    assert message.source_format == "bytes"


def test_file_objects(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(EML)
    with open(path, "rb") as f:
        message = load(f)
        assert not f.closed  # the caller's object is not closed
    assert message.origin == str(path)
    assert message.source_format == "eml"
    assert message.raw == EML
    unnamed = load(io.BytesIO(EML))
    assert unnamed.origin == "<stream>"
    assert unnamed.source_format == "bytes"
    stream = io.BytesIO(b"JUNK" + EML)
    stream.seek(4)  # read from the current position
    assert load(stream).raw == EML
    assert load(NonSeekable(EML)).raw == EML


def test_eml_without_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(EML.rstrip(b"\n"))
    assert load(path).raw == EML.rstrip(b"\n")


# --------------------------------------------------------------------------- garbage in, records out


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 100,
        os.urandom(4096),
        b"\x00\x01\x02 not a message \xff\xfe",
        EML[:37],  # truncated mid-header
        b"Subject: x\n\nbody with \x00 NUL\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,  # OLE magic, far too short
        b"\x1f\x8b\x08\x00" + b"\x00" * 30,  # gzip magic, bad data
        b"BZh91AY&SY" + b"\xff" * 20,
        b"\xfd7zXZ\x00" + b"\x01" * 20,
        b"From ",
        b"From x",
        b"From x\n",
        b"From x\nFrom y\nFrom z",
    ],
)
def test_garbage_yields_messages_not_exceptions(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data), NonSeekable(data)):
        messages = list(iter_messages(source))
        assert messages, source
        assert all(isinstance(m, Message) for m in messages)


def test_empty_file_is_reported_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    message = load(path)
    assert message.raw == b""
    assert FindingCode.MESSAGE_EMPTY in codes(message)


def test_random_binary_is_not_a_message() -> None:
    message = load(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert FindingCode.MESSAGE_NOT_RFC5322 in codes(message)
    assert FindingCode.MESSAGE_NUL_BYTES in codes(message)


def test_bad_compressed_data_is_read_as_stored() -> None:
    data = b"\x1f\x8b\x08\x00garbage that is not deflate"
    message = load(data)
    assert message.raw == data
    assert codes(message)[0] == FindingCode.MESSAGE_READ_ERROR
    assert "gzip" in message.defects[0].detail


# --------------------------------------------------------------------------- mbox

M1 = b"From: a@example.net\nSubject: one\n\nfirst body\n"
M2 = b"From: b@example.net\nSubject: two\n\nFrom the start, a line that needed quoting\nend\n"
M3 = b"From: c@example.net\nSubject: three\n\n>From an mboxo file, quoted once\n>>From deeper\n"


def test_mbox_split_origin_and_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "export.mbox"
    path.write_bytes(mbox_of(M1, M2, M3))
    messages = list(iter_messages(path))
    assert [m.raw for m in messages] == [M1, M2, M3]  # mboxrd detected from ">>From"
    assert [m.origin for m in messages] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    assert {m.source_format for m in messages} == {"mbox"}


def test_mbox_final_line_break_belongs_to_separator() -> None:
    data = b"From x\nSubject: a\n\nno blank line before the next separator\nFrom y\nSubject: b\n\nz\n"
    first, second = iter_messages(data)
    assert first.raw == b"Subject: a\n\nno blank line before the next separator"
    assert second.raw == b"Subject: b\n\nz"


def test_mbox_without_trailing_newline() -> None:
    data = mbox_of(M1) + b"From x\nSubject: last\n\nno newline at the end"
    messages = list(iter_messages(data))
    assert messages[-1].raw == b"Subject: last\n\nno newline at the end"
    assert messages[0].raw == M1


def test_mbox_crlf() -> None:
    raws = [m.replace(b"\n", b"\r\n") for m in (M1, M2)]
    data = b"".join(b"From x@y Mon Jan  1 00:00:00 2024\r\n" + _quote_rd(r) + b"\r\n" for r in raws)
    messages = list(iter_messages(data, variant="mboxrd"))
    assert [m.raw for m in messages] == raws


def test_mbox_of_one_is_loadable(tmp_path: Path) -> None:
    path = tmp_path / "single.eml"
    path.write_bytes(b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + EML + b"\n")
    message = load(path)
    assert message.raw == EML
    assert message.source_format == "mbox"
    assert message.origin == f"{path}#0"


def test_mbox_empty_member_is_not_dropped() -> None:
    messages = list(iter_messages(b"From a\nFrom b\nSubject: x\n\ny\n"))
    assert len(messages) == 2
    assert messages[0].raw == b""
    assert FindingCode.MESSAGE_EMPTY in codes(messages[0])


def test_mbox_cross_check_with_stdlib_mailbox(tmp_path: Path) -> None:
    path = tmp_path / "stdlib.mbox"
    box = mailbox.mbox(path)
    bodies = [M1, M2, b"Subject: crlf-free\n\nline\n\nFrom quoted by the writer\n", EML]
    for body in bodies:
        box.add(body)
    box.flush()
    expected = [box.get_bytes(key) for key in box.iterkeys()]
    box.close()
    ours = [m.raw for m in iter_messages(path)]
    # mailbox writes mboxo (From -> >From) and does not unquote; neither does "auto" here.
    assert ours == expected


def test_auto_mboxo_keeps_quotes_and_says_so() -> None:
    data = mbox_of(M1, M2, quote="mboxo")
    first, second = iter_messages(data)
    assert first.defects == ()
    assert second.raw == M2.replace(b"\nFrom the", b"\n>From the")
    notice = [d for d in second.defects if d.code == FindingCode.MBOX_FROM_QUOTING_AMBIGUOUS]
    assert notice and notice[0].severity == Severity.NOTICE
    assert second.raw_is_original


def test_variants_forced() -> None:
    data = mbox_of(M1, M2, quote="mboxrd")  # no >>From line: auto reads mboxo
    assert list(iter_messages(data))[1].raw != M2
    assert list(iter_messages(data, variant="mboxrd"))[1].raw == M2
    rd_evidence = mbox_of(M2, M3)
    assert next(iter(iter_messages(rd_evidence))).raw == M2
    assert next(iter(iter_messages(rd_evidence, variant="mboxo"))).raw == _quote_rd(M2)
    assert next(iter(iter_messages(rd_evidence, variant="mboxcl2"))).raw == _quote_rd(M2)


def test_mboxrd_evidence_late_in_file_applies_to_earlier_messages(tmp_path: Path) -> None:
    filler = b"Subject: filler\n\n" + b"x" * 2000 + b"\n"
    data = mbox_of(M2, *([filler] * 2000), M3)  # the >>From line is ~4 MB in
    path = tmp_path / "late.mbox"
    path.write_bytes(data)
    assert next(iter(iter_messages(path))).raw == M2
    with open(path, "rb") as f:
        assert next(iter(iter_messages(f))).raw == M2
        assert f.tell() > 0
    compressed = io.BytesIO(gzip.compress(data))  # re-read through a second decompressor
    assert [m.raw for m in iter_messages(compressed)][::1000] == [M2, filler, filler]
    # A stream that cannot be re-read is judged by what has been read; the notice says so.
    first = next(iter(iter_messages(NonSeekable(data))))
    assert first.raw == _quote_rd(M2)
    assert "could not be re-read" in first.defects[0].detail


def test_decision_scan_restores_file_position(tmp_path: Path) -> None:
    data = mbox_of(M1, M2, M1, M3)
    stream = io.BytesIO(b"PREFIX" + data)
    stream.seek(6)
    assert [m.raw for m in iter_messages(stream)] == [M1, M2, M1, M3]


@pytest.mark.parametrize(
    ("compress", "name"),
    [(gzip.compress, "a.mbox.gz"), (bz2.compress, "b.txt"), (lzma.compress, "c.mbox"), (gzip.compress, "d.eml")],
)
def test_compressed_mbox_detected_by_magic(compress, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = compress(mbox_of(M1, M2, M3))
    path = tmp_path / name
    path.write_bytes(data)
    for source in (path, data, NonSeekable(data)):
        assert [m.raw for m in iter_messages(source)] == [M1, M2, M3]


def test_double_compression_and_compressed_eml() -> None:
    assert load(gzip.compress(EML)).raw == EML
    assert load(bz2.compress(gzip.compress(EML))).raw == EML


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    raws = [b"Subject: %d\n\n" % i + os.urandom(3000).hex().encode() + b"\n" for i in range(200)]
    data = gzip.compress(mbox_of(*raws))
    messages = list(iter_messages(data[: len(data) // 2]))
    assert 0 < len(messages) < 200
    assert [m.raw for m in messages[:-1]] == raws[: len(messages) - 1]
    assert codes(messages[-1])[0] == FindingCode.MESSAGE_TRUNCATED
    assert all(not m.defects for m in messages[:-1])


def test_content_length_keeps_unquoted_from_lines_together() -> None:
    body = b"Dear all,\nFrom now on we meet on Mondays.\n\nFrom Alice\n"
    raw = b"Subject: mboxcl2\nContent-Length: %d\n\n" % len(body) + body
    data = b"From a\n" + raw + b"\nFrom b\n" + M1 + b"\n"
    for variant in ("auto", "mboxcl2"):
        messages = list(iter_messages(data, variant=variant))
        assert [m.raw for m in messages] == [raw, M1]
        assert messages[0].defects == ()
    assert len(list(iter_messages(data, variant="mboxrd"))) == 4  # Content-Length ignored


def test_content_length_at_eof_and_crlf() -> None:
    body = b"line\r\nFrom here\r\n"
    raw = b"Subject: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    data = b"From a\r\n" + raw + b"\r\n"
    assert [m.raw for m in iter_messages(data)] == [raw]
    assert [m.raw for m in iter_messages(data[:-2])] == [raw]  # no final line break


def test_content_length_mismatch_falls_back() -> None:
    raw = b"Subject: x\nContent-Length: 9999\n\nshort body\n"
    data = mbox_of(raw, M1)
    messages = list(iter_messages(data))
    assert [m.raw for m in messages] == [raw, M1]
    assert codes(messages[0]) == [FindingCode.MBOX_CONTENT_LENGTH_MISMATCH]
    bad = mbox_of(b"Subject: x\nContent-Length: 3\n\nlonger than three\n", b"Subject: y\nContent-Length: z\n\n")
    first, second = iter_messages(bad)
    assert codes(first) == codes(second) == [FindingCode.MBOX_CONTENT_LENGTH_MISMATCH]


def test_content_length_beyond_the_end_is_truncation() -> None:
    raw = b"Subject: x\nContent-Length: 500\n\nonly part of the body\n"
    (message,) = iter_messages(b"From a\n" + raw + b"\n")
    assert message.raw == raw
    assert set(codes(message)) == {FindingCode.MBOX_CONTENT_LENGTH_MISMATCH, FindingCode.MESSAGE_TRUNCATED}


def test_content_length_cannot_reach_far_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_CL_MAX_LOOKAHEAD", 100)
    tail = b"From z\n" + b"Subject: far\n\n" + b"y" * 300 + b"\n"
    body = b"x\n"
    raw = b"Subject: x\nContent-Length: %d\n\n" % (len(body) + 1 + len(tail)) + body
    messages = list(iter_messages(b"From a\n" + raw + b"\n" + tail))
    assert len(messages) == 2
    assert codes(messages[0]) == [FindingCode.MBOX_CONTENT_LENGTH_MISMATCH]


@pytest.mark.parametrize("chunk", [1, 2, 5, 6, 7, 64, 1000])
def test_chunk_boundaries_do_not_matter(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    body = b"From now on\n"
    cl_raw = b"Subject: cl\nContent-Length: %d\n\n" % len(body) + body
    # M3 first: a non-seekable stream decides mboxrd from the data it has read so far.
    data = mbox_of(M3, M1, M2, b"", EML_CRLF) + b"From q\n" + cl_raw + b"\nFrom r\r\nSubject: end\r\n\r\nz"
    expected = [(m.raw, codes(m)) for m in iter_messages(data)]
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    assert [(m.raw, codes(m)) for m in iter_messages(data)] == expected
    assert [(m.raw, codes(m)) for m in iter_messages(NonSeekable(data))] == expected


def test_mbox_is_streamed_not_slurped(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    filler = b"Subject: filler\n\n" + b"0123456789" * 1000 + b"\n"
    with open(path, "wb") as f:
        for _ in range(2000):  # ~20 MB
            f.write(b"From x\n" + filler + b"\n")
    reader = CountingReader(path)
    messages = iter_messages(reader)  # type: ignore[arg-type]
    next(messages)
    next(messages)
    assert reader.consumed <= 2 * 1024 * 1024
    assert sum(1 for _ in messages) == 1998
    reader.close()


# --------------------------------------------------------------------------- maildir and directories


def _make_maildir(root: Path) -> dict[str, bytes]:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    files = {
        "cur/1700000000.M1P2.host:2,S": EML,
        "cur/1700000001.M2P2.host:2,RS": EML_CRLF,
        "new/1700000002.M3P2.host": M1,
        "new/1700000003.M4P2.host": b"",  # 0-byte maildir file
        "tmp/1700000004.M5P2.host": M2,
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "dovecot-uidlist").write_bytes(b"3 V1700000000 N5\n")
    (root / "dovecot.index.log").write_bytes(b"\x01\x02binary")
    (root / "courierimapkeywords").mkdir()
    (root / "courierimapkeywords" / ":list").write_bytes(b"$Junk\n")
    return files


def test_maildir(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    files = _make_maildir(root)
    messages = list(iter_messages(root))
    assert [m.origin for m in messages] == [str(root / name) for name in files]
    assert [m.raw for m in messages] == list(files.values())
    assert {m.source_format for m in messages} == {"maildir"}
    assert FindingCode.MESSAGE_EMPTY in codes(messages[3])
    assert [codes(m) for m in messages[:3]] == [[], [], []]
    tmp_notice = messages[4].defects[0]  # tmp/: a delivery that had not finished
    assert (tmp_notice.code, tmp_notice.severity) == (FindingCode.MAILDIR_UNDELIVERED, Severity.NOTICE)


def test_maildir_subfolder_given_directly(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    files = _make_maildir(root)
    messages = list(iter_messages(root / "cur"))
    assert [m.raw for m in messages] == [files["cur/1700000000.M1P2.host:2,S"], files["cur/1700000001.M2P2.host:2,RS"]]
    assert {m.source_format for m in messages} == {"maildir"}


def test_maildir_cross_check_with_stdlib(tmp_path: Path) -> None:
    root = tmp_path / "std"
    box = mailbox.Maildir(root)
    for raw in (M1, M2, EML):
        box.add(raw)
    expected = sorted(box.get_bytes(key) for key in box.iterkeys())
    box.close()
    assert sorted(m.raw for m in iter_messages(root)) == expected


def test_maildir_without_tmp_and_maildirplusplus_folders(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    (root / "cur").mkdir(parents=True)
    (root / "new").mkdir()
    (root / "cur" / "1.host:2,").write_bytes(M1)
    sent = root / ".Sent"
    for sub in ("cur", "new", "tmp"):
        (sent / sub).mkdir(parents=True)
    (sent / "maildirfolder").write_bytes(b"")
    (sent / "new" / "2.host").write_bytes(M2)
    messages = list(iter_messages(root))
    assert [m.origin for m in messages] == [str(root / "cur" / "1.host:2,"), str(sent / "new" / "2.host")]


def test_directory_recursive_sorted_and_complete(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    (tmp_path / "z.eml").write_bytes(EML)
    (tmp_path / "b" / "box.mbox").write_bytes(mbox_of(M1, M2))
    (tmp_path / "a" / "notes.txt").write_bytes(b"just some notes, not mail\n")
    (tmp_path / "a" / "deeper" / "x.msg").write_bytes(make_msg(headers=TRANSPORT))
    _make_maildir(tmp_path / "c")
    messages = list(iter_messages(tmp_path))
    origins = [m.origin for m in messages]
    assert origins[:4] == [
        str(tmp_path / "a" / "deeper" / "x.msg"),
        str(tmp_path / "a" / "notes.txt"),
        f"{tmp_path / 'b' / 'box.mbox'}#0",
        f"{tmp_path / 'b' / 'box.mbox'}#1",
    ]
    assert origins[-1] == str(tmp_path / "z.eml")
    assert len(messages) == 4 + 5 + 1
    assert [m.source_format for m in messages[:4]] == ["msg", "eml", "mbox", "mbox"]
    assert FindingCode.MESSAGE_NOT_RFC5322 in codes(messages[1])
    assert [m.origin for m in iter_messages(tmp_path)] == origins  # deterministic


def test_directory_unreadable_entries_are_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.eml").write_bytes(EML)
    (tmp_path / "dangling.eml").symlink_to(tmp_path / "gone.eml")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to(tmp_path)  # a link back up: read once, no endless walk
    messages = list(iter_messages(tmp_path))
    by_origin = {m.origin: m for m in messages}
    assert set(by_origin) == {str(tmp_path / n) for n in ("ok.eml", "dangling.eml", "fifo")}
    for name in ("dangling.eml", "fifo"):
        message = by_origin[str(tmp_path / name)]
        assert message.raw == b""
        assert codes(message) == [FindingCode.MESSAGE_READ_ERROR]


def test_directory_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod 0 does not stop a read: make open() refuse
    # the way the kernel would for an ordinary user.
    import builtins

    locked = tmp_path / "locked.eml"
    locked.write_bytes(EML)
    (tmp_path / "ok.eml").write_bytes(EML)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(file) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    messages = list(iter_messages(tmp_path))
    assert [m.origin for m in messages] == [str(locked), str(tmp_path / "ok.eml")]
    assert codes(messages[0]) == [FindingCode.MESSAGE_READ_ERROR]
    assert "Permission denied" in dict(messages[0].defects[0].evidence)["error"]
    assert messages[1].raw == EML


def test_directory_listing_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.eml").write_bytes(EML)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.eml").write_bytes(EML)
    real_listdir = os.listdir

    def listdir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(tmp_path / "sub"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    first, second = iter_messages(tmp_path)
    assert first.raw == EML
    assert second.origin == str(tmp_path / "sub")
    assert codes(second) == [FindingCode.MESSAGE_READ_ERROR]
    assert "Permission denied" in dict(second.defects[0].evidence)["error"]


def test_unreadable_file_path_given_directly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(EML)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sources, "open", refuse, raising=False)
    (message,) = iter_messages(path)
    assert codes(message) == [FindingCode.MESSAGE_READ_ERROR]


def test_empty_directory_yields_nothing(tmp_path: Path) -> None:
    assert list(iter_messages(tmp_path)) == []


# --------------------------------------------------------------------------- Outlook .msg


def test_msg_keeps_received_chain_and_marks_conversion(tmp_path: Path) -> None:
    path = tmp_path / "report.msg"
    path.write_bytes(make_msg(headers=TRANSPORT, subject="Quarterly report", body="Numbers attached.\r\n"))
    message = load(path)
    assert message.source_format == "msg"
    assert message.origin == str(path)
    assert not message.raw_is_original
    received = message.get_all("Received")
    assert len(received) == 2
    assert received[0].unfolded.startswith("from mx.example.net (mx.example.net [192.0.2.1])")
    assert received[1].unfolded.endswith("Mon, 1 Jan 2024 00:00:01 +0000")
    assert message.get("Subject") == "Quarterly report"
    assert message.get("DKIM-Signature") is not None
    assert [h.name for h in message.headers][:4] == ["Received", "Received", "DKIM-Signature", "From"]
    converted = [d for d in message.defects if d.code == FindingCode.MESSAGE_CONVERTED]
    assert len(converted) == 1 and "DKIM" in converted[0].detail
    evidence = dict(converted[0].evidence)
    assert evidence["received_fields"] == "2"
    assert evidence["replaced_field"].startswith("Content-Type: multipart/alternative")
    parsed = message.email
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_payload(decode=True) == b"Numbers attached.\r\n"
    assert [d.code for d in message.defects] == [FindingCode.MESSAGE_CONVERTED]


def test_msg_html_attachments_and_determinism() -> None:
    data = make_msg(
        headers=TRANSPORT,
        body="plain",
        html=b"<p>caf\xc3\xa9</p>",
        attachments=(("invoice.pdf", "application/pdf", b"%PDF-1.4 " * 1000), ("a.txt", "text/plain", b"hi")),
    )
    message = load(data)
    parts = {p.get_content_type(): p for p in message.email.walk()}
    assert parts["text/html"].get_payload(decode=True).decode().rstrip("\r\n") == "<p>café</p>"
    assert parts["application/pdf"].get_filename() == "invoice.pdf"
    assert parts["application/pdf"].get_payload(decode=True) == b"%PDF-1.4 " * 1000
    assert load(data).sha256 == message.sha256  # converting twice gives the same bytes


def test_msg_without_transport_headers() -> None:
    message = load(make_msg(headers=None, subject="Draft", body="never sent"))
    assert not message.raw_is_original
    assert message.get("Subject") == "Draft"
    assert message.get_all("Received") == ()
    evidence = dict(message.defects[0].evidence)
    assert evidence["transport_headers"].startswith("absent")


def test_msg_header_prefix_line_is_dropped() -> None:
    headers = "Microsoft Mail Internet Headers Version 2.0\r\n" + TRANSPORT
    message = load(make_msg(headers=headers))
    assert message.headers[0].name == "Received"


def test_msg_detected_by_content_and_inside_gzip(tmp_path: Path) -> None:
    data = make_msg(headers=TRANSPORT)
    path = tmp_path / "looks-like.eml"
    path.write_bytes(data)
    assert load(path).source_format == "msg"
    assert load(gzip.compress(data)).source_format == "msg"
    assert load(io.BytesIO(data)).source_format == "msg"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:2000],  # truncated
        lambda d: d[:512] + b"\xff" * (len(d) - 512),  # FAT and directory overwritten
        lambda d: d[:600] + os.urandom(len(d) - 600),
        lambda d: d[:8] + os.urandom(3000),
    ],
)
def test_corrupt_msg_gives_read_error(damage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = damage(make_msg(headers=TRANSPORT))
    path = tmp_path / "corrupt.msg"
    path.write_bytes(data)
    (message,) = iter_messages(path)
    assert message.source_format == "msg"
    assert message.defects[0].code == FindingCode.MESSAGE_READ_ERROR
    assert message.raw == data


def test_ole_file_that_is_not_an_outlook_item() -> None:
    data = write_cfb({("WordDocument",): b"\x00" * 100, ("\x05SummaryInformation",): b"\x00" * 50})
    message = load(data)
    assert message.defects[0].code == FindingCode.MESSAGE_READ_ERROR


# --------------------------------------------------------------------------- streaming at scale

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from mailforensics.sources import iter_messages
    started = time.perf_counter()
    count = total = 0
    for message in iter_messages(sys.argv[1]):
        count += 1
        total += len(message.raw)
    try:  # this process image's own high-water mark (Linux)
        with open("/proc/self/status") as status:
            hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        hwm = None
    print(json.dumps({
        "count": count,
        "bytes": total,
        "seconds": time.perf_counter() - started,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "vm_hwm_kib": hwm,
    }))
    """
)
# Linux keeps the ru_maxrss of the process that forked across exec, so a child started
# from a large pytest process would report pytest's RSS. A small launcher in between
# gives the reader a fresh count: it inherits only the launcher's high-water mark.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def write_test_mbox(path: Path, target_bytes: int) -> int:
    """Write an mboxrd file of about ``target_bytes``; return the number of messages."""
    sizes = [300, 1_500, 6_000, 25_000, 120_000, 1_000_000]
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n"
    count = written = 0
    with open(path, "wb") as f:
        while written < target_bytes:
            size = sizes[count % len(sizes)] if count % 7 else 500
            body = line * (size // len(line)) + b"From the quoted line\n>From the other\n"
            raw = b"From: a@example.net\nSubject: m%d\nMessage-ID: <%d@example.net>\n\n" % (count, count) + body
            if count % 5 == 0:
                raw = raw.replace(b"\n", b"\r\n")
            chunk = b"From a@example.net Mon Jan  1 00:00:00 2024\n" + _quote_rd(raw) + b"\n"
            f.write(chunk)
            written += len(chunk)
            count += 1
    return count


@pytest.mark.slow
def test_200mb_mbox_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    written = write_test_mbox(path, 200 * 1024 * 1024)
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        check=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    assert report["count"] == written
    assert report["max_rss_kib"] < 200 * 1024, report
    if report["vm_hwm_kib"] is not None:
        assert report["vm_hwm_kib"] < 200 * 1024, report


# --------------------------------------------------------------------------- "From  :" is a field

# A header block in the obsolete syntax (RFC 5322 §4.5: blanks before the colon), as old
# mailers and spam tools wrote it; none of its lines is an mbox separator.
OBS_HEADER = (
    b"Received: from relay.example.org by mx.example.net; Mon, 1 Jan 2024 00:00:00 +0000\n"
    b"From  :<sender@example.org>\n"
    b"To: rcpt@example.net\n"
    b"From :\t<other@example.org>\n"
    b"Subject: obsolete syntax\n"
    b"\n"
    b"body\n"
)


def test_a_from_colon_header_field_does_not_split_an_mbox() -> None:
    data = b"From sender@example.org  Mon Jan  1 00:00:00 2024\n" + OBS_HEADER + b"\n" + mbox_of(M1)
    messages = list(iter_messages(data))
    assert [m.raw for m in messages] == [OBS_HEADER, M1]
    assert [h.name for h in messages[0].headers][:2] == ["Received", "From"]
    # One message in mbox form, as SpamAssassin's test corpus stores them: load() takes it.
    single = load(b"From sender@example.org  Mon Jan  1 00:00:00 2024\n" + OBS_HEADER + b"\n")
    assert single.raw == OBS_HEADER and single.source_format == "mbox"


def test_a_from_colon_field_is_never_a_separator_but_a_from_line_still_is() -> None:
    # A real separator needs no blank line before it (not every writer leaves one) ...
    data = b"From a@example.org Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\nFrom b@example.org\nSubject: 2\n\ny\n"
    assert [m.raw for m in iter_messages(data)] == [b"Subject: 1\n\nx", b"Subject: 2\n\ny"]
    # ... but "From", blanks and a colon is a header field, even after a blank line.
    data = b"From a@example.org Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\n\nFrom   :quoted@example.org\n"
    assert [m.raw for m in iter_messages(data)] == [b"Subject: 1\n\nx\n\nFrom   :quoted@example.org"]


def test_data_starting_with_a_from_colon_field_is_one_message(tmp_path: Path) -> None:
    raw = b"From" + b" " * 40 + b":<sender@example.org>\nSubject: s\n\nbody\n"  # blanks past the sniffed head
    path = tmp_path / "obs.eml"
    path.write_bytes(raw)
    for source in (raw, path, io.BytesIO(raw), NonSeekable(raw), gzip.compress(raw)):
        message = load(source)
        assert message.raw == raw
        assert message.source_format != "mbox"
        assert [h.name for h in message.headers] == ["From", "Subject"]
    short = b"From :a@example.org\nSubject: s\n\nb\n"
    assert load(short).raw == short and load(short).source_format == "bytes"


@pytest.mark.parametrize("chunk", [1, 2, 5, 6, 7, 9, 13, 64])
def test_from_colon_fields_read_the_same_at_any_chunk_size(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    blanks = b"From" + b" " * 20 + b":<x@example.org>\n"
    data = (
        b"From a\n" + OBS_HEADER + b"\n"
        + b"From b\nSubject: 2\n" + blanks + b"\nbody\n" + blanks + b"\n"
        + b"From" + b" " * 20 + b"\n"  # blanks to the end of the data: a separator line
    )  # fmt: skip
    expected = [m.raw for m in iter_messages(data)]
    assert expected == [OBS_HEADER, b"Subject: 2\n" + blanks + b"\nbody\n" + blanks, b""]
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    assert [m.raw for m in iter_messages(data)] == expected
    assert [m.raw for m in iter_messages(NonSeekable(data))] == expected


def test_content_length_does_not_end_at_a_from_colon_field() -> None:
    body = b"x\n"
    raw = b"Subject: cl\nContent-Length: %d\n\n" % len(body) + body + b"From  :<y@example.org>\n"
    (message,) = iter_messages(b"From a\n" + raw + b"\n")
    assert message.raw == raw
    assert codes(message) == [FindingCode.MBOX_CONTENT_LENGTH_MISMATCH]


# --------------------------------------------------------------------------- batch SMTP (RFC 2442)

BSMTP_MSG1 = b"From: a@example.org\nTo: x@example.net\nSubject: one\n\nline\n.a stuffed dot\n..two dots\n"
BSMTP_MSG2 = b"From: b@example.org\nSubject: two\n\nbounce\n"


def bsmtp_of(eol: bytes = b"\n") -> bytes:
    """Two transactions: the second after RSET, with the null sender and a new EHLO."""
    text = (
        b"HELO relay.example.org\n"
        b"MAIL FROM:<a@example.org> BODY=8BITMIME\n"
        b"RCPT TO:<x@example.net>\n"
        b"RCPT TO:<y@example.net>\n"
        b"DATA\n" + BSMTP_MSG1.replace(b"\n.", b"\n..") + b".\n"
        b"RSET\n"
        b"NOOP\n"
        b"EHLO other.example.org\n"
        b"MAIL FROM:<>\n"
        b"RCPT TO:<z@example.net>\n"
        b"DATA\n" + BSMTP_MSG2 + b".\nQUIT\n"
    )
    return text.replace(b"\n", eol)


def test_bsmtp_transactions_are_messages_with_their_envelope(tmp_path: Path) -> None:
    path = tmp_path / "batch.eml"  # the name says nothing: the content decides
    path.write_bytes(bsmtp_of())
    first, second = iter_messages(path)
    assert first.raw == BSMTP_MSG1  # dots unstuffed; ends with the line break before "."
    assert second.raw == BSMTP_MSG2
    assert (first.origin, second.origin) == (f"{path}#0", f"{path}#1")
    assert first.source_format == second.source_format == "bsmtp"
    assert codes(first) == codes(second) == []
    assert first.source_envelope is not None and second.source_envelope is not None
    assert first.source_envelope.helo == "relay.example.org"
    assert first.source_envelope.mail_from == "<a@example.org> BODY=8BITMIME"
    assert first.source_envelope.rcpt_to == ("<x@example.net>", "<y@example.net>")
    assert (second.source_envelope.helo, second.source_envelope.mail_from) == ("other.example.org", "<>")
    assert second.source_envelope.rcpt_to == ("<z@example.net>",)
    assert first.get("Subject") == "one"


def test_bsmtp_crlf_compressed_and_streamed() -> None:
    data = bsmtp_of(b"\r\n")
    for source in (data, gzip.compress(data), NonSeekable(data)):
        raws = [m.raw for m in iter_messages(source)]  # type: ignore[arg-type]
        assert raws == [BSMTP_MSG1.replace(b"\n", b"\r\n"), BSMTP_MSG2.replace(b"\n", b"\r\n")]
    single = b"mail from:<a@example.org>\r\nrcpt to:<b@example.net>\r\ndata\r\nSubject: s\r\n\r\nx\r\n.\r\nquit\r\n"
    message = load(single)
    assert message.raw == b"Subject: s\r\n\r\nx\r\n" and message.origin == "<bytes>#0"
    assert message.source_envelope is not None and message.source_envelope.helo is None


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_bsmtp_reads_the_same_at_any_chunk_size(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bsmtp_of(b"\r\n").replace(b"QUIT\r\n", b"") + (
        b"HELO x\nMAIL FROM:<q@example.org>\nDATA\n.\n"  # an empty DATA section
        b"MAIL FROM:<r@example.org>\r\nDATA\r\n..\r\n.x\r\n.\r"  # cut before the "." line's LF
    )
    expected = [(m.raw, codes(m), m.source_envelope) for m in iter_messages(data)]
    assert [raw for raw, _, _ in expected][2:] == [b"", b".\r\nx\r\n"]
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    assert [(m.raw, codes(m), m.source_envelope) for m in iter_messages(data)] == expected
    assert [(m.raw, codes(m), m.source_envelope) for m in iter_messages(NonSeekable(data))] == expected


def test_only_smtp_command_syntax_makes_a_bsmtp_stream() -> None:
    for text in (
        b"HELO there, friend\nSubject: x\n\nbody\n",  # prose, not a HELO command
        b"HELO\nMAIL FROM:<a@example.org>\nDATA\nx\n.\n",  # HELO without a name
        b"MAIL FROM: a@example.org\nDATA\nx\n.\n",  # a path without angle brackets
        b"Mail From:<a@example.org>",  # no line end: not a command line
        b"Subject: HELO example.com\n\nMAIL FROM:<a@example.org>\n",
    ):
        (message,) = iter_messages(text)
        assert message.source_format == "bytes" and message.raw == text and message.source_envelope is None


def test_bsmtp_data_starting_with_an_mbox_from_line() -> None:
    # SpamAssassin's corpus keeps an mbox "From " line at the start of DATA: it is framing.
    head = b"HELO example.com\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<s@example.com>\r\nDATA\r\n"
    msg = b"To: s@example.com\r\nSubject: foo\r\n\r\nbody\r\n"
    (message,) = iter_messages(head + b"From p@example.org  Fri Aug 31 13:39:16 2001\r\n" + msg + b".\r\nQUIT\r\n")
    assert message.raw == msg
    assert codes(message) == [FindingCode.BSMTP_STREAM_DEFECT]
    assert message.defects[0].severity == Severity.NOTICE
    assert "Fri Aug 31" in message.defects[0].evidence[0][1]
    # A "From  :" header field is a field, never a separator: it stays.
    field = b"From  :<p@example.org>\r\nSubject: s\r\n\r\nb\r\n"
    (message,) = iter_messages(head + field + b".\r\n")
    assert message.raw == field and codes(message) == []


def test_bsmtp_hostile_streams_lose_nothing() -> None:
    head = b"HELO h.example\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.net>\n"
    # Data that ends before the "." line: the message as far as it goes.
    (message,) = iter_messages(head + b"DATA\nSubject: s\n\ncut")
    assert message.raw == b"Subject: s\n\ncut" and FindingCode.MESSAGE_TRUNCATED in codes(message)
    # An unknown command: the rest is one more message, with the reason.
    done = head + b"DATA\nSubject: 1\n\nx\n.\n"
    first, rest = iter_messages(done + b"XYZZY now\nSubject: 2\n\ny\n")
    assert first.raw == b"Subject: 1\n\nx\n" and rest.raw == b"XYZZY now\nSubject: 2\n\ny\n"
    assert rest.source_envelope is None and codes(rest)[0] == FindingCode.BSMTP_STREAM_DEFECT
    assert rest.defects[0].evidence == (("line", "XYZZY now"),)
    # Data after QUIT, and a command line longer than SMTP allows.
    _, after = iter_messages(done + b"QUIT\n\n  \ntrailing\n")
    assert after.raw == b"trailing\n" and codes(after)[0] == FindingCode.BSMTP_STREAM_DEFECT
    long_line = b"RCPT TO:<" + b"a" * 10000 + b"@example.net>\n"
    (whole,) = iter_messages(head + long_line + b"DATA\nx\n.\n")
    assert whole.raw == long_line + b"DATA\nx\n.\n" and codes(whole)[0] == FindingCode.BSMTP_STREAM_DEFECT
    # No DATA at all: one empty message that says so. DATA without an envelope: noted.
    (empty,) = iter_messages(head + b"QUIT\n")
    assert empty.raw == b"" and codes(empty)[0] == FindingCode.BSMTP_STREAM_DEFECT
    (bare,) = iter_messages(b"HELO h.example\nDATA\nSubject: s\n\nx\n.\n")
    assert bare.source_envelope is not None and bare.source_envelope.mail_from is None
    assert codes(bare) == [FindingCode.BSMTP_STREAM_DEFECT]


def test_bsmtp_is_linear_and_bounded_on_hostile_input() -> None:
    import time

    started = time.perf_counter()
    many_rcpt = b"HELO h\nMAIL FROM:<a@b.example>\n" + b"RCPT TO:<r@b.example>\n" * 200_000 + b"DATA\nS: x\n\n.\n"
    (message,) = iter_messages(many_rcpt)
    assert message.source_envelope is not None and len(message.source_envelope.rcpt_to) == 1000
    assert FindingCode.BSMTP_STREAM_DEFECT in codes(message)
    stuffed = b"HELO h\nMAIL FROM:<a@b.example>\nRCPT TO:<r@b.example>\nDATA\n" + b"..\n" * 500_000 + b".\n"
    (message,) = iter_messages(stuffed)
    assert message.raw == b".\n" * 500_000
    (message,) = iter_messages(b"HELO h\nDATA\n" + b"\n" * 3_000_000)  # never terminated
    assert len(message.raw) == 3_000_000 and FindingCode.MESSAGE_TRUNCATED in codes(message)
    assert time.perf_counter() - started < 20
