"""Attachments (mailforensics.content.attachments): names, sniffed types, hashes,
archives listed without extraction (zip bombs, encrypted zips), credential forms,
calendar invites, and saving only under a given folder with sanitized names."""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import os
import struct
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from mailforensics.content import attachments
from mailforensics.content.attachments import Attachment, extract, list_archive, safe_filename, sniff
from mailforensics.errors import InputError
from mailforensics.message import Message

PE = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode" + b"\x00" * 200


def mime(*parts: tuple[str, bytes], sender: str = "billing@sender.example") -> Message:
    """A multipart/mixed message; each part is (its header lines, its raw bytes)."""
    out = [
        f"From: Billing <{sender}>\r\nTo: bob@rcpt.example\r\nSubject: documents\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        "--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n".encode()
    ]
    for head, data in parts:
        out.append(b"--XX\r\n" + head.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        out.append(base64.encodebytes(data))
    out.append(b"--XX--\r\n")
    return Message.from_bytes(b"".join(out))


def one(message: Message, **kw: object) -> tuple[Attachment, set[str]]:
    scan = extract(message, **kw)  # type: ignore[arg-type]
    assert len(scan.attachments) == 1, scan.attachments
    return scan.attachments[0], {str(f.code) for f in scan.findings}


def make_zip(files: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def patch_central(data: bytes, **fields: int) -> bytes:
    """Rewrite fields of every central directory header (and the local headers' flags)."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        if "usize" in fields:
            struct.pack_into("<I", buf, pos + 24, fields["usize"])
        if "flags" in fields:
            struct.pack_into("<H", buf, pos + 8, fields["flags"])
            local = struct.unpack_from("<I", buf, pos + 42)[0]
            struct.pack_into("<H", buf, local + 6, fields["flags"])
        if "offset" in fields:
            struct.pack_into("<I", buf, pos + 42, fields["offset"])
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


@pytest.fixture
def no_inflate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if anything decompresses during the test (a zip bomb is never inflated)."""

    def boom(*_a: object, **_k: object) -> object:
        raise AssertionError("something was decompressed")

    monkeypatch.setattr(zlib, "decompress", boom)
    monkeypatch.setattr(zlib, "decompressobj", boom)
    monkeypatch.setattr(gzip, "decompress", boom)


# --- archives -------------------------------------------------------------------------------
def test_zip_bomb_is_listed_not_inflated(no_inflate: None) -> None:
    small = make_zip({f"layer{i}.bin": b"\x00" * 1024 for i in range(4)})
    bomb = patch_central(small, usize=0xFFFFFFF0)  # ~4 GiB declared per member
    assert len(bomb) < 2000
    att, codes = one(mime(('Content-Type: application/zip; name="bomb.zip"', bomb)))
    arc = att.archive
    assert arc is not None and arc.format == "zip" and arc.entry_count == 4
    assert arc.declared_size == 4 * 0xFFFFFFF0
    assert arc.ratio is not None and arc.ratio > 1_000_000
    assert arc.bomb
    assert "archive-bomb" in codes


def test_zip64_declared_sizes(no_inflate: None) -> None:
    # A zip64 extra field declaring 16 TiB (APPNOTE 4.5.3).
    data = bytearray(make_zip({"big.bin": b"x" * 10}))
    cd = data.find(b"PK\x01\x02")
    nlen, elen = struct.unpack_from("<HH", data, cd + 28)
    extra = struct.pack("<HHQ", 0x0001, 8, 1 << 44)
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFFF)
    struct.pack_into("<H", data, cd + 30, elen + len(extra))
    insert = cd + 46 + nlen + elen
    data[insert:insert] = extra
    eocd = data.rfind(b"PK\x05\x06")
    cd_size = struct.unpack_from("<I", data, eocd + 12)[0]
    struct.pack_into("<I", data, eocd + 12, cd_size + len(extra))
    arc = list_archive(bytes(data))
    assert arc is not None and arc.entries[0].size == 1 << 44 and arc.bomb


def test_overlapping_zip_bomb(no_inflate: None) -> None:
    data = make_zip({"a.txt": b"a" * 100, "b.txt": b"b" * 100, "c.txt": b"c" * 100})
    overlapped = patch_central(data, offset=0)  # every member points at the first one's data
    arc = list_archive(overlapped)
    assert arc is not None and arc.overlapping and arc.bomb


def test_encrypted_zip() -> None:
    data = patch_central(make_zip({"invoice.pdf": b"%PDF-1.4 secret"}), flags=0x1)
    att, codes = one(mime(('Content-Type: application/zip; name="invoice.zip"', data)))
    assert att.archive is not None and att.archive.encrypted
    assert att.archive.entries[0].encrypted
    assert "archive-encrypted" in codes
    assert "archive-bomb" not in codes


def test_aes_encrypted_zip_method_99() -> None:
    data = bytearray(make_zip({"x.txt": b"x"}, method=zipfile.ZIP_STORED))
    cd = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, cd + 10, 99)
    arc = list_archive(bytes(data))
    assert arc is not None and arc.encrypted and arc.entries[0].method == "aes"


def test_archive_holding_an_executable() -> None:
    data = make_zip({"docs/readme.txt": b"hi", "docs/invoice.pdf.exe": PE, "run.lnk": b"L\x00\x00\x00"})
    att, codes = one(mime(('Content-Type: application/zip; name="docs.zip"', data)))
    assert [e.name for e in att.archive.entries] == ["docs/readme.txt", "docs/invoice.pdf.exe", "run.lnk"]  # type: ignore[union-attr]
    assert "archive-contains-executable" in codes


def test_truncated_zip_falls_back_to_local_headers() -> None:
    data = make_zip({"one.txt": b"1" * 50, "two.js": b"alert(1)"}, method=zipfile.ZIP_STORED)
    cut = data[: data.find(b"PK\x01\x02")]
    arc = list_archive(cut, "application/zip")
    assert arc is not None and [e.name for e in arc.entries] == ["one.txt", "two.js"]
    assert arc.error and "local headers" in arc.error


@pytest.mark.parametrize(
    "junk",
    [
        b"PK\x03\x04",
        b"PK\x03\x04" + b"\xff" * 40,
        b"PK\x05\x06" + b"\x00" * 18,
        b"PK\x05\x06" + b"\xff" * 18,
        b"PK\x03\x04" * 1000,
        make_zip({"a": b"b"})[:-5],
    ],
)
def test_hostile_zips_do_not_raise(junk: bytes) -> None:
    list_archive(junk, "application/zip")
    extract(mime(('Content-Type: application/zip; name="x.zip"', junk)))


def test_tar_and_gzip_listings(no_inflate: None) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("payload/setup.exe")
        info.size = len(PE)
        tf.addfile(info, io.BytesIO(PE))
    arc = list_archive(buf.getvalue())
    assert arc is not None and arc.format == "tar" and arc.entries[0].name == "payload/setup.exe"
    gz = io.BytesIO()
    with gzip.GzipFile(filename="report.js", fileobj=gz, mode="wb", mtime=0) as g:
        g.write(b"x" * 5000)
    arc = list_archive(gz.getvalue())
    assert arc is not None and arc.format == "gzip"
    assert arc.entries[0].name == "report.js" and arc.entries[0].size == 5000


# --- names, types, categories -----------------------------------------------------------------
def test_double_extension_executable() -> None:
    att, codes = one(mime(('Content-Type: application/pdf; name="invoice.pdf.exe"', PE)))
    assert att.extension == "exe" and att.double_extension
    assert att.category == "executable"
    assert att.sniffed_type == "application/x-msdownload" and att.type_mismatch
    assert {"attachment-executable", "attachment-double-extension", "attachment-type-mismatch"} <= codes
    assert att.size == len(PE)
    assert att.md5 == hashlib.md5(PE).hexdigest()
    assert att.sha1 == hashlib.sha1(PE).hexdigest()
    assert att.sha256 == hashlib.sha256(PE).hexdigest()


def test_windows_trailing_dots_and_spaces() -> None:
    att, codes = one(mime(('Content-Type: application/octet-stream; name="scan.pdf.exe. "', PE)))
    assert att.double_extension and "attachment-double-extension" in codes


def test_executable_disguised_as_pdf_by_name_only() -> None:
    att, codes = one(mime(('Content-Type: application/octet-stream; name="statement.pdf"', PE)))
    assert att.type_mismatch and att.category == "executable"
    assert "attachment-type-mismatch" in codes


def test_right_to_left_override_in_name() -> None:
    name = "=?UTF-8?B?" + base64.b64encode("invoice\u202efdp.exe".encode()).decode() + "?="
    att, codes = one(
        mime((f'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="{name}"', PE))
    )
    assert att.filename == "invoice\u202efdp.exe"
    assert att.name_encoding == "rfc2047"
    assert {"attachment-name-bidi", "attachment-executable"} <= codes


def test_rfc2231_name_with_continuations() -> None:
    head = (
        "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        " filename*0*=UTF-8''Rechnung%20M%C3%A4rz;\r\n filename*1*=%202024.pdf"
    )
    att, _codes = one(mime((head, b"%PDF-1.7\n...")))
    assert att.filename == "Rechnung März 2024.pdf"
    assert att.name_encoding == "rfc2231"
    assert att.sniffed_type == "application/pdf" and not att.type_mismatch


def test_encoded_word_name_in_content_type() -> None:
    name = "=?ISO-8859-1?Q?r=E9sum=E9=2Edocx?="
    att, _codes = one(
        mime(
            (
                f'Content-Type: application/octet-stream; name="{name}"',
                make_zip({"word/a.xml": b"x", "[Content_Types].xml": b"x"}),
            )
        )
    )
    assert att.filename == "résumé.docx" and att.name_encoding == "rfc2047"
    assert att.sniffed_type == "application/vnd.openxmlformats-officedocument.docx"
    assert not att.type_mismatch


def test_macro_document_is_risky() -> None:
    doc = make_zip({"[Content_Types].xml": b"x", "word/document.xml": b"x", "word/vbaProject.bin": b"x"})
    att, codes = one(
        mime(
            (
                'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="q3.docx"',
                doc,
            )
        )
    )
    assert att.category == "risky" and att.type_mismatch
    assert "attachment-risky-type" in codes


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (PE, "application/x-msdownload"),
        (b"\x7fELF\x02\x01", "application/x-executable"),
        (b"%PDF-1.4", "application/pdf"),
        (b"junk\n%PDF-1.4", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"GIF89a", "image/gif"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"Rar!\x1a\x07\x00", "application/vnd.rar"),
        (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
        (b"L\x00\x00\x00\x01\x14\x02\x00\x00", "application/x-ms-shortcut"),
        (b"\x00" * 0x8001 + b"CD001", "application/x-iso9660-image"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", "text/html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", "image/svg+xml"),
        (b"BEGIN:VCALENDAR\r\n", "text/calendar"),
        (b"#!/bin/sh\n", "text/x-shellscript"),
        (b"plain words", "text/plain"),
        (b"\x00\x01\x02\x03", None),
        (make_zip({"META-INF/MANIFEST.MF": b"x"}), "application/java-archive"),
    ],
)
def test_sniff(data: bytes, mime_type: str | None) -> None:
    assert sniff(data) == mime_type


# --- HTML and calendar ------------------------------------------------------------------------
def test_html_credential_form() -> None:
    page = (
        b"<html><body><h1>Microsoft 365</h1><form method=post action='https://collect.example/gate.php'>"
        b"<input name=login type=email><input name=passwd type=password></form></body></html>"
    )
    att, codes = one(mime(('Content-Type: text/html; name="Invoice_0423.html"', page)))
    assert att.credential_form and att.password_fields == 1
    assert att.form_actions == ("https://collect.example/gate.php",)
    assert att.external_actions == ("https://collect.example/gate.php",)
    assert "attachment-credential-form" in codes


def test_html_form_posting_to_the_sender_is_not_external() -> None:
    page = b"<form action='https://portal.sender.example/login'><input type=password></form>"
    att, _codes = one(mime(('Content-Type: text/html; name="login.htm"', page)))
    assert att.credential_form and att.external_actions == ()


def test_html_disguised_as_text() -> None:
    page = b"<html><form action=https://c.example/><input type=password></form>"
    att, codes = one(mime(('Content-Type: text/plain; name="note.txt"', page)))
    assert att.sniffed_type == "text/html" and att.type_mismatch
    assert {"attachment-type-mismatch", "attachment-credential-form"} <= codes


def test_calendar_invite_with_links() -> None:
    ics = (
        b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Payroll update\r\n"
        b"DESCRIPTION:Confirm your details at https://payroll-update.exa\r\n mple/confirm\\, today\r\n"
        b"LOCATION:https://meet.example/j/123\r\nURL:https://calendar.example/e/1\r\n"
        b"ORGANIZER:mailto:hr@sender.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    att, codes = one(mime(('Content-Type: text/calendar; method=REQUEST; name="invite.ics"', ics)))
    assert att.category == "calendar"
    assert "https://payroll-update.example/confirm" in att.calendar_links
    assert "https://meet.example/j/123" in att.calendar_links
    assert "calendar-invite-links" in codes


# --- saving ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("..\\..\\Windows\\System32\\evil.bat", "evil.bat"),
        ("..", "attachment.bin"),
        ("...", "attachment.bin"),
        ("", "attachment.bin"),
        (None, "attachment.bin"),
        (".bashrc", "bashrc"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("a\x00b\nc.txt", "a_b_c.txt"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ("report:v2?.pdf", "report_v2_.pdf"),
        ("résumé.pdf", "résumé.pdf"),
    ],
)
def test_safe_filename(name: str | None, expected: str) -> None:
    assert safe_filename(name) == expected


def test_nothing_written_without_save_to(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> object:
        raise AssertionError("a file was opened")

    message = mime(('Content-Type: application/pdf; name="a.pdf"', b"%PDF-1.4"))
    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    scan = extract(message)
    assert scan.attachments[0].saved_path is None


def test_save_to_writes_only_under_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    message = mime(
        ('Content-Type: application/octet-stream; name="../../etc/passwd"', b"root:x:0:0"),
        ('Content-Type: application/octet-stream; name="/tmp/abs.txt"', b"abs"),
        ('Content-Type: application/octet-stream; name="..\\\\..\\\\win.bat"', b"@echo off"),
        ('Content-Type: application/octet-stream; name="dup.txt"', b"one"),
        ('Content-Type: application/octet-stream; name="dup.txt"', b"two"),
    )
    (folder / "004_dup.txt").write_bytes(b"already here")  # never overwritten
    scan = extract(message, save_to=folder)
    saved = [Path(a.saved_path) for a in scan.attachments if a.saved_path]
    assert len(saved) == 5
    for path in saved:
        assert path.parent == folder.resolve()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["001_passwd", "002_abs.txt", "003_win.bat", "004_1_dup.txt", "004_dup.txt", "005_dup.txt"]
    assert (folder / "004_dup.txt").read_bytes() == b"already here"
    assert (folder / "004_1_dup.txt").read_bytes() == b"one"
    assert not (tmp_path / "etc").exists()
    assert oct((folder / "001_passwd").stat().st_mode & 0o777) == "0o600"


def test_save_to_does_not_follow_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    os.symlink(outside, folder / "001_x.txt")
    scan = extract(mime(('Content-Type: text/plain; name="x.txt"', b"new")), save_to=folder)
    assert outside.read_bytes() == b"keep"
    assert scan.attachments[0].saved_path == str((folder / "001_1_x.txt").resolve())


def test_save_to_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        extract(mime(('Content-Type: text/plain; name="x.txt"', b"x")), save_to=tmp_path / "missing")


# --- the inventory ----------------------------------------------------------------------------
def test_which_parts_are_attachments() -> None:
    raw = (
        b"From: a@sender.example\r\nContent-Type: multipart/related; boundary=R\r\n\r\n"
        b"--R\r\nContent-Type: text/html\r\n\r\n<img src=cid:logo>\r\n"
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"\x89PNG\r\n\x1a\n0000")
        + b"--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@inner.example\r\nSubject: fwd\r\n\r\nhello\r\n"
        b"--R--\r\n"
    )
    scan = extract(Message.from_bytes(raw))
    kinds = [(a.part, a.declared_type, a.category) for a in scan.attachments]
    assert kinds == [("2", "image/png", "image"), ("3", "message/rfc822", "message")]
    assert scan.attachments[0].content_id == "logo"
    assert not scan.findings


def test_hostile_attachment_parts_do_not_raise() -> None:
    raw = (
        b"From: a@sender.example\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: application/zip; name*=bogus''%ZZ\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@\r\n"
        b"--B\r\nContent-Type: text/html; charset=no-such-charset; name=x.html\r\n\r\n<form><input type=password\r\n"
        b"--B\r\nContent-Disposition: attachment; filename*0*=x; filename*2=y\r\n\r\n\x00\x01\r\n"
        b"--B--\r\n"
    )
    scan = extract(Message.from_bytes(raw))
    assert len(scan.attachments) == 3


def test_limits_are_exported() -> None:
    assert attachments.BOMB_SIZE == 1 << 30 and attachments.MAX_ENTRIES >= 1000


# --- raw 8-bit names (RFC 6532) and parts hidden in broken MIME structure ---------------
def raw_named(name: bytes) -> Message:
    zipped = make_zip({"doc.txt": b"hello"})
    return Message.from_bytes(
        b"From: a@sender.example\r\nTo: bob@rcpt.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b'--XX\r\nContent-Type: application/octet-stream; name="' + name + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(zipped) + b"--XX--\r\n"
    )


def test_raw_utf8_file_name_is_read_as_utf8() -> None:
    att, _codes = one(raw_named("Счёт_2024.zip".encode()))
    assert att.filename == "Счёт_2024.zip"
    assert att.name_encoding == "rfc6532"
    assert att.extension == "zip"


def test_raw_8bit_file_name_that_is_not_utf8_keeps_every_byte() -> None:
    att, _codes = one(raw_named("Счёт.zip".encode("cp1251")))
    assert att.name_encoding == "8bit"
    assert att.filename is not None
    assert att.filename.encode("latin-1").decode("cp1251") == "Счёт.zip"  # faithful: re-readable


ZIP_EXE = make_zip({"photo.jpg.exe": PE})


def test_part_after_the_close_delimiter_is_recovered() -> None:
    # An inner multipart reuses the outer boundary: the outer close delimiter comes early
    # and the archive lands in the epilogue, which RFC 2046 says to ignore.
    raw = (
        b"From: a@sender.example\r\nTo: bob@rcpt.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="=_Q"\r\n\r\n'
        b'--=_Q\r\nContent-Type: multipart/alternative; boundary="=_Q"\r\n\r\n'
        b"--=_Q\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--=_Q--\r\n\r\n"
        b'--=_Q\r\nContent-Type: application/zip; name="photo.jpg_.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(ZIP_EXE) + b"--=_Q--\r\n"
    )
    scan = extract(Message.from_bytes(raw))
    assert [(a.part, a.filename, a.recovered) for a in scan.attachments] == [
        ("epilogue.1", "photo.jpg_.zip", "epilogue")
    ]
    att = scan.attachments[0]
    assert att.sha256 == hashlib.sha256(ZIP_EXE).hexdigest()
    assert att.archive is not None and [e.name for e in att.archive.entries] == ["photo.jpg.exe"]
    assert "archive-contains-executable" in {str(f.code) for f in scan.findings}


def test_parts_under_an_undeclared_boundary_are_recovered() -> None:
    # Declared boundary "decl", parts written with "--real": the parser keeps one text.
    raw = (
        b"From: a@sender.example\r\nTo: bob@rcpt.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="decl"\r\n\r\n'
        b"--real\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        b'--real\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="run.js"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"WScript.Echo(1)") + b"--other--\r\n"
    )
    scan = extract(Message.from_bytes(raw))
    assert [(a.part, a.filename, a.recovered, a.size) for a in scan.attachments] == [
        ("body.2", "run.js", "body", len(b"WScript.Echo(1)"))
    ]
    assert "attachment-script" in {str(f.code) for f in scan.findings}


def test_text_that_only_mentions_mime_headers_is_not_a_part() -> None:
    # A delimiter-shaped line needs a header block with Content-Type/-Disposition after it.
    raw = (
        b"From: a@sender.example\r\nTo: bob@rcpt.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX--\r\n"
        b"--\r\n-- signature\r\nX-Note: Content-Type: is a header\r\n--------\r\n--a\r\nSubject: no\r\n\r\nbody\r\n"
    )
    assert extract(Message.from_bytes(raw)).attachments == ()


# --- uuencoded blocks in a text body --------------------------------------------------------
def uuencode(name: str, data: bytes, mode: str = "644") -> str:
    lines = [f"begin {mode} {name}"]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i : i + 45], backtick=True).decode("ascii").rstrip("\n"))
    lines += ["`", "end"]
    return "\r\n".join(lines)


def plain(body: str, *, headers: str = "Content-Type: text/plain; charset=us-ascii\r\n") -> Message:
    return Message.from_bytes(
        (
            "From: Billing <billing@sender.example>\r\nTo: bob@rcpt.example\r\nSubject: your file\r\n"
            f"MIME-Version: 1.0\r\n{headers}\r\n{body}\r\n"
        ).encode("latin-1")
    )


def test_uuencoded_block_in_a_text_body_is_an_attachment() -> None:
    body = "Hello,\r\n\r\nthe installer:\r\n\r\n" + uuencode("setup.exe", PE) + "\r\n\r\nRegards\r\n"
    att, codes = one(plain(body))
    assert (att.part, att.filename, att.recovered, att.declared_type) == (
        "1.uuencode.1",
        "setup.exe",
        "uuencode",
        "application/octet-stream",
    )
    assert (att.size, att.sha256, att.sniffed_type, att.category) == (
        len(PE),
        hashlib.sha256(PE).hexdigest(),
        "application/x-msdownload",
        "executable",
    )
    assert "attachment-executable" in codes


def test_uuencoded_zip_is_listed_and_the_text_keeps_its_words() -> None:
    data = make_zip({"readme.txt": b"hi", "run.js": b"x"})
    body = "two files\r\n" + uuencode("a.zip", data) + "\r\nand\r\n" + uuencode("b.bin", b"abc", "0600")
    scan = extract(plain(body))
    assert [(a.part, a.filename, a.size) for a in scan.attachments] == [
        ("1.uuencode.1", "a.zip", len(data)),
        ("1.uuencode.2", "b.bin", 3),
    ]
    assert scan.attachments[0].archive is not None and scan.attachments[0].archive.entry_count == 2
    assert "archive-contains-executable" in {str(f.code) for f in scan.findings}


@pytest.mark.parametrize(
    "body",
    [
        "begin 644 notes.txt\r\nlet us begin the meeting\r\nend",  # prose between begin and end
        "begin 999 x.exe\r\n#86)C\r\n`\r\nend",  # not an octal mode
        "begin 644 x.exe\r\n#86)C\r\n`\r\n",  # no end line
        "begin 644 x.exe\r\n#86)CXXXXXXXX\r\n`\r\nend",  # line longer than its length says
        "begin 644 x.exe\r\n`\r\nend",  # nothing encoded
    ],
)
def test_text_that_is_not_a_uuencoded_block(body: str) -> None:
    assert extract(plain("before\r\n" + body + "\r\nafter")).attachments == ()


def test_uuencode_in_an_attached_text_file_is_left_alone() -> None:
    msg = plain(uuencode("x.exe", PE), headers='Content-Type: text/plain; name="notes.txt"\r\n')
    assert [a.filename for a in extract(msg).attachments] == ["notes.txt"]


def test_uuencode_scan_is_linear() -> None:
    body = ("begin 644 a\r\n" + "M" * 61 + "\r\n") * 20_000
    start = time.perf_counter()
    scan = extract(plain(body))
    assert time.perf_counter() - start < 5
    assert scan.attachments == ()


# --- magic numbers, external bodies ----------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (b"BM" + struct.pack("<IHHI", 630, 0, 0, 118) + struct.pack("<I", 40) + b"\x00" * 40, "image/bmp"),
        (b"BMW drivers wanted, apply within", "text/plain"),
        (
            b"\x00\x00\x01\x00\x01\x00" + b"\x10\x10\x00\x00\x01\x00\x20\x00" + struct.pack("<II", 68, 22),
            "image/vnd.microsoft.icon",
        ),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"OggS\x00\x02" + b"\x00" * 20, "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    ],
)
def test_sniff_images_and_media(data: bytes, mime_type: str) -> None:
    assert sniff(data) == mime_type


def test_bitmap_with_an_unusual_declared_type_is_an_image() -> None:
    bmp = b"BM" + struct.pack("<IHHI", 70, 0, 0, 62) + struct.pack("<I", 40) + b"\x00" * 52
    att, codes = one(mime(('Content-Type: application/riscos; name="clock.bmp"', bmp)))
    assert (att.sniffed_type, att.category, att.type_mismatch) == ("image/bmp", "image", False)
    assert codes == set()


def test_external_body_is_listed_as_a_reference_without_content(tmp_path: Path) -> None:
    raw = (
        "From: Drafts <drafts@sender.example>\r\nTo: bob@rcpt.example\r\nSubject: new draft\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nFetch it yourself.\r\n"
        '--B\r\nContent-Type: message/external-body; access-type="anon-ftp";\r\n'
        '\tsite="files.example.org"; directory="pub"; name="tool.exe"\r\n\r\n'
        "Content-Type: application/octet-stream\r\nContent-ID: <tool@sender.example>\r\n\r\n\r\n--B--\r\n"
    )
    scan = extract(Message.from_bytes(raw.encode()), save_to=tmp_path)
    assert [(a.part, a.filename, a.declared_type, a.category) for a in scan.attachments] == [
        ("2", "tool.exe", "message/external-body", "external")
    ]
    att = scan.attachments[0]
    assert (att.size, att.sha256, att.sniffed_type, att.saved_path) == (0, "", None, None)
    assert scan.findings == ()  # nothing the message carries is an executable
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------
# Names, dispositions and transfer encodings as mail clients read them (cross-checked
# against another MIME library's test mails: see the notes in each test)
# ---------------------------------------------------------------------------------------
def raw_part(head: str, body: str) -> Message:
    """A multipart/mixed message with a text part and one part written as given."""
    return Message.from_bytes(
        (
            "From: Billing <billing@sender.example>\r\nTo: bob@rcpt.example\r\nSubject: documents\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
            "--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            f"--XX\r\n{head}\r\n\r\n{body}\r\n--XX--\r\n"
        ).encode()
    )


def test_transfer_encoding_with_trailing_spaces_is_still_decoded() -> None:
    # "base64  " (an AS/400 mailer writes it so): clients decode it, as must we, or the
    # hashes and the sniffed type are those of the base64 text.
    data = b"sku,stock\r\nAB-1,16\r\n"
    att, _ = one(
        raw_part(
            'Content-Type: application/octet-stream; name="STOCK.CSV"\r\n'
            "Content-Transfer-Encoding: base64  \r\n"
            'Content-Disposition: attachment; filename="STOCK.CSV"',
            base64.b64encode(data).decode(),
        )
    )
    assert att.size == len(data)
    assert att.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("cte", ["base64; x=y", "base64 (comment)", "BASE64\t"])
def test_transfer_encoding_first_token(cte: str) -> None:
    data = b"%PDF-1.4 tiny"
    head = f"Content-Type: application/pdf\r\nContent-Transfer-Encoding: {cte}"
    att, _ = one(raw_part(head, base64.b64encode(data).decode()))
    assert att.md5 == hashlib.md5(data).hexdigest()


def test_unknown_transfer_encoding_is_left_as_is() -> None:
    att, _ = one(raw_part("Content-Type: application/pdf\r\nContent-Transfer-Encoding: x-custom  ", "abc"))
    assert att.size == 3


def test_extended_filename_wins_over_the_plain_one() -> None:
    # Both forms given: RFC 2231 readers (every mail client) show the extended one.
    for order in (
        "filename=\"invoice.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.exe",
        "filename*=UTF-8''r%C3%A9sum%C3%A9.exe; filename=\"invoice.pdf\"",
    ):
        att, codes = one(raw_part(f"Content-Type: application/pdf\r\nContent-Disposition: attachment; {order}", "x"))
        assert att.filename == "résumé.exe"
        assert att.name_encoding == "rfc2231"
        assert "attachment-executable" in codes


def test_extended_name_in_content_type_wins_too() -> None:
    att, _ = one(raw_part("Content-Type: application/pdf; name=\"a.pdf\"; name*=UTF-8''b%C3%A9.pdf", "x"))
    assert att.filename == "bé.pdf"


def test_encoded_word_against_text_gets_no_space() -> None:
    # An encoded word written against ".pdf": clients show "été.pdf", not "été .pdf".
    att, _ = one(raw_part('Content-Type: application/pdf; name="=?UTF-8?B?w6l0w6k=?=.pdf"', "x"))
    assert att.filename == "été.pdf"
    att, _ = one(
        raw_part(
            'Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename="=?UTF-8?B?w6k=?=\r\n'
            ' =?UTF-8?B?w6k=?=.pdf"',
            "x",
        )
    )
    assert att.filename == "éé.pdf"


def test_folded_quoted_name_is_unfolded() -> None:
    head = 'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="quarterly\r\n report.pdf"'
    att, codes = one(raw_part(head, "x"))
    assert att.filename == "quarterly report.pdf"
    assert "attachment-name-bidi" not in codes


def test_control_characters_decoded_into_a_name_are_reported() -> None:
    # A line break encoded in the name (RFC 2047): kept as decoded, reported.
    head = 'Content-Type: image/png\r\nContent-Disposition: attachment; filename="=?UTF-8?Q?statement=0Acopy.pdf?="'
    att, codes = one(raw_part(head, "x"))
    assert att.filename == "statement\ncopy.pdf"
    assert "attachment-name-bidi" in codes


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("attachment", "attachment"),
        ("Inline ; filename=a.png", "inline"),
        ('attachment filename="a.png"', "attachment"),  # the ";" missing: the type still reads
        ("*; filename=a.png", "attachment"),  # RFC 2183 §2.8: unknown types are attachments
        ("x-custom", "attachment"),
        (";filename=a.png", None),
    ],
)
def test_disposition_type(field: str, expected: str | None) -> None:
    att, _ = one(raw_part(f"Content-Type: image/png\r\nContent-Disposition: {field}", "x"))
    assert att.disposition == expected


def test_an_attached_message_holding_html_is_a_message_not_a_web_page() -> None:
    # A bounce or forward: the part is a header section, then a body whose HTML part the
    # old markup search took for an HTML file (and called a type mismatch, an alert).
    inner = (
        b"Return-path: <bounces@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n'
        b"<!DOCTYPE html><html><body><form action='x'></form></body></html>\r\n--b--\r\n"
    )
    assert sniff(inner) == "message/rfc822"
    assert sniff(b"Dear: customer\nplease: pay <form>") == "text/html"  # no header a message has
    raw = (
        b"From: a@example.org\r\nSubject: bounce\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="o"\r\n'
        b"\r\n--o\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n"
        + inner
        + b"\r\n--o--\r\n"
    )
    rows = [a for a in extract(Message.from_bytes(raw)).attachments if a.declared_type == "message/rfc822"]
    assert rows and rows[0].sniffed_type == "message/rfc822" and not rows[0].type_mismatch


def test_a_7z_archive_named_zip_is_a_type_mismatch() -> None:
    data = b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40)
    raw = (
        b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="o"\r\n'
        b"\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--o\r\n"
        b'Content-Type: application/x-zip-compressed; name="Attachment.zip"\r\nContent-Transfer-Encoding: base64\r\n'
        b'Content-Disposition: attachment; filename="Attachment.zip"\r\n\r\n'
        + base64.b64encode(data)
        + b"\r\n--o--\r\n"
    )
    (att,) = [a for a in extract(Message.from_bytes(raw)).attachments if a.filename == "Attachment.zip"]
    assert att.sniffed_type == "application/x-7z-compressed" and att.type_mismatch
