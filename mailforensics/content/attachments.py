"""Attachments: what each one claims to be, what it is, and what it holds.

:func:`extract` returns one :class:`Attachment` per attached part (a part with a file
name, ``Content-Disposition: attachment``, any non-text part, calendar parts, attached
messages): its name (RFC 2231 parameters and RFC 2047 encoded words decoded), the
declared type against the type sniffed from its first bytes, size and MD5 / SHA-1 /
SHA-256, its extension and category (executable, script, risky container or shortcut,
archive, ...), a double extension (``invoice.pdf.exe``) or a right-to-left override in
the name, and:

- archives **listed without extracting**: ZIP (central directory, else local headers),
  tar, gzip (the stored name and the declared size). Each entry's name, declared and
  compressed size, encrypted flag; the declared total and the ratio, and entries that
  overlap (a non-recursive zip bomb). Nothing is ever inflated, so a zip bomb costs
  nothing to list;
- HTML (and SVG) attachments: password fields and the form actions they post to, the
  classic "credential harvesting page opened from disk";
- calendar invites (``text/calendar``, ``.ics``): the links in their properties.

A uuencoded block in a plain-text body (``begin 644 payload.exe`` ... ``end``), which mail
clients show as an attachment, is listed as one (part ``1.uuencode.1``, see
:mod:`mailforensics.content._parts`). A ``message/external-body`` part is listed as
the reference it is (category ``"external"``, no content, no hashes): the message
points to the file instead of carrying it.

Nothing is written to disk unless ``save_to=`` names a folder; then each attachment is
written under that folder only, with a sanitized name (no path separators, no ``..``, no
control or bidi characters, no device names), never overwriting a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mailforensics.auth import dmarc
from mailforensics.content._html import Tokenizer
from mailforensics.content._parts import Part, decode_text, walk
from mailforensics.content.headers import hidden_characters
from mailforensics.content.urls import _calendar_text, _text_urls, parse_host, parse_url
from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message

__all__ = [
    "BOMB_RATIO",
    "BOMB_SIZE",
    "MAX_ENTRIES",
    "Archive",
    "ArchiveEntry",
    "Attachment",
    "AttachmentScan",
    "extract",
    "list_archive",
    "safe_filename",
    "sniff",
]

#: Entries listed per archive (the count covers all).
MAX_ENTRIES = 10_000
#: A declared uncompressed total above this is a bomb (bytes).
BOMB_SIZE = 1 << 30
#: A declared/compressed ratio above this, on more than 100 MB declared, is a bomb.
BOMB_RATIO = 100.0
_BOMB_RATIO_MIN_SIZE = 100 << 20
_SNIFF = 8192


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXECUTABLE = _names(
    "exe scr com pif cpl dll sys msi msp mst appx appxbundle msix msixbundle application gadget jar apk "
    "app run xll wll ocx drv efi elf bin"
)
SCRIPT = _names(
    "bat cmd vbs vbe js jse wsf wsh wsc hta ps1 psm1 psd1 ps1xml psc1 sh bash py pyw pl rb php scf sct reg "
    "inf ins isp mof msc jnlp vb vba applescript command workflow ws csh ksh"
)
RISKY = _names(
    "lnk url iso img vhd vhdx udf one onepkg chm docm dotm xlsm xltm xlam xlsb pptm potm ppam ppsm sldm "
    "library-ms search-ms settingcontent-ms appref-ms svg"
)
ARCHIVE = _names("zip rar 7z gz tgz bz2 tbz xz txz cab tar ace arj lzh lha z zipx r00 001 uue")
DOCUMENT = _names(
    "pdf doc docx xls xlsx ppt pptx txt rtf jpg jpeg png gif bmp tif tiff odt ods odp csv htm html mp3 mp4 "
    "wav avi mov eml msg ics xml json zip rar"
)
_GENERIC_TYPES = frozenset(
    {
        "application/octet-stream",
        "application/x-download",
        "application/force-download",
        "application/download",
        "application/unknown",
        "binary/octet-stream",
        "application/binary",
    }
)


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveEntry:
    """One member of an archive, as its directory declares it (never extracted).

    Parameters
    ----------
    name
        The member's path inside the archive.
    size
        The declared uncompressed size (bytes), or None when not declared.
    compressed_size
        The stored size (bytes), or None.
    encrypted
        True when the member is encrypted (ZIP flag bit 0, or AES method 99).
    method
        The compression method (``"stored"``, ``"deflate"``, ``"aes"``, ...).
    is_dir
        True for a directory entry.
    """

    name: str
    size: int | None = None
    compressed_size: int | None = None
    encrypted: bool = False
    method: str | None = None
    is_dir: bool = False

    @property
    def ratio(self) -> float | None:
        """Declared size / compressed size, when both are known and non-zero."""
        if self.size is None or not self.compressed_size:
            return None
        return self.size / self.compressed_size


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """An archive's table of contents, read without extracting anything.

    Parameters
    ----------
    format
        ``"zip"``, ``"tar"``, ``"gzip"``, ``"rar"``, ``"7z"``, ``"cab"``, ...
    listed
        True when the members could be listed (ZIP, tar, gzip).
    entries
        The members (at most :data:`MAX_ENTRIES`).
    entry_count
        How many members the directory holds.
    encrypted
        True when any member is encrypted.
    declared_size
        The sum of the declared uncompressed sizes.
    compressed_size
        The sum of the compressed sizes.
    overlapping
        True when members share or overlap their data (a non-recursive zip bomb).
    error
        Why the listing is partial or failed, if it is.
    """

    format: str
    listed: bool = False
    entries: tuple[ArchiveEntry, ...] = ()
    entry_count: int = 0
    encrypted: bool = False
    declared_size: int | None = None
    compressed_size: int | None = None
    overlapping: bool = False
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        """Declared total / compressed total."""
        if self.declared_size is None or not self.compressed_size:
            return None
        return self.declared_size / self.compressed_size

    @property
    def bomb(self) -> bool:
        """True when the declared sizes make this a decompression bomb."""
        if self.overlapping:
            return True
        if self.declared_size is not None and self.declared_size > BOMB_SIZE:
            return True
        ratio = self.ratio
        return ratio is not None and ratio > BOMB_RATIO and (self.declared_size or 0) > _BOMB_RATIO_MIN_SIZE


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """One attachment.

    Parameters
    ----------
    part
        The IMAP section number of its MIME part.
    filename
        The name, decoded (RFC 2231, RFC 2047); None when it has none.
    filename_raw
        The name parameter as written.
    name_encoding
        ``"rfc2231"``, ``"rfc2047"``, ``"rfc6532"`` (raw UTF-8), ``"8bit"`` (raw
        bytes that are not UTF-8, read as Latin-1), ``"plain"`` or None.
    disposition
        ``"attachment"``, ``"inline"`` or None.
    content_id
        The ``Content-ID`` (inline images are referenced by it).
    declared_type
        The ``Content-Type``, lower case.
    sniffed_type
        The type its bytes show (magic numbers), or None when unrecognized.
    type_mismatch
        True when the declared type or the extension disagrees with the sniffed type.
    size
        Its size in bytes (transfer-decoded).
    md5, sha1, sha256
        Hex digests of the decoded bytes (``""`` for a ``message/external-body`` reference).
    extension
        The last extension of the name, lower case, without the dot.
    double_extension
        True for a decoy extension before a dangerous one (``invoice.pdf.exe``).
    category
        ``"executable"``, ``"script"``, ``"risky"`` (shortcuts, disk images, macro
        documents, OneNote), ``"archive"``, ``"html"``, ``"calendar"``, ``"message"``,
        ``"document"``, ``"image"`` or ``"other"``: by sniffed type, then extension.
        ``"external"`` for a ``message/external-body`` part: a reference to content kept
        elsewhere (an FTP site, a URL), listed with ``size`` 0, no hashes and no sniffed
        type, as the message does not carry the content (the reference is in the URLs).
    archive
        The archive's listing, for archives.
    password_fields
        For HTML: the number of password inputs.
    form_actions
        For HTML: the URLs forms post to.
    external_actions
        Those form actions whose organizational domain is not the From domain's.
    calendar_links
        For calendar invites: the URLs in the invite.
    saved_path
        Where it was written, when ``save_to`` was given.
    recovered
        None for a part of the declared MIME structure; ``"epilogue"``, ``"preamble"`` or
        ``"body"`` for a part recovered from broken structure (after a close delimiter,
        before the first delimiter, or in a multipart whose boundary was not found):
        content a mail client may show that scanners reading the declared structure miss;
        ``"uuencode"`` for a uuencoded block (``begin 644 name`` ... ``end``) written in a
        text body, which mail clients show as an attachment (its ``part`` is the text
        part's section followed by ``.uuencode.1``, ...; its ``declared_type``
        ``application/octet-stream``, as nothing declares one).
    """

    part: str
    filename: str | None
    filename_raw: str | None = None
    name_encoding: str | None = None
    disposition: str | None = None
    content_id: str | None = None
    declared_type: str = "application/octet-stream"
    sniffed_type: str | None = None
    type_mismatch: bool = False
    size: int = 0
    md5: str = ""
    sha1: str = ""
    sha256: str = ""
    extension: str | None = None
    double_extension: bool = False
    category: str = "other"
    archive: Archive | None = None
    password_fields: int = 0
    form_actions: tuple[str, ...] = ()
    external_actions: tuple[str, ...] = ()
    calendar_links: tuple[str, ...] = ()
    saved_path: str | None = None
    recovered: str | None = None

    @property
    def credential_form(self) -> bool:
        """True for HTML with a password field (a credential-harvesting page)."""
        return self.password_fields > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentScan:
    """What :func:`extract` found.

    Parameters
    ----------
    attachments
        One record per attachment, in MIME order.
    findings
        The indicators: executables, scripts, risky types, double extensions, bidi in
        names, type mismatches, encrypted archives, bombs, executables inside archives,
        credential forms, calendar links, unreadable archives, failed saves.
    """

    attachments: tuple[Attachment, ...] = ()
    findings: tuple[Finding, ...] = ()


# ---------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"PK\x07\x08", "application/zip"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"MSCF", "application/vnd.ms-cab-compressed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"{\\rtf", "application/rtf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "application/x-ms-shortcut"),
    (b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3", "application/onenote"),
    (b"conectix", "application/x-vhd"),
    (b"vhdxfile", "application/x-vhdx"),
    (b"\x00asm", "application/wasm"),
    (b"\xca\xfe\xba\xbe", "application/java-vm"),
)

_FAMILY = {
    "application/x-msdownload": "executable",
    "application/x-executable": "executable",
    "application/x-mach-binary": "executable",
    "application/java-vm": "executable",
    "application/java-archive": "executable",
    "application/vnd.android.package-archive": "executable",
    "application/wasm": "executable",
    "application/x-ms-shortcut": "risky",
    "application/onenote": "risky",
    "application/x-iso9660-image": "risky",
    "application/x-vhd": "risky",
    "application/x-vhdx": "risky",
    "text/x-shellscript": "script",
    "application/zip": "archive",
    "application/vnd.rar": "archive",
    "application/x-7z-compressed": "archive",
    "application/gzip": "archive",
    "application/x-bzip2": "archive",
    "application/x-xz": "archive",
    "application/x-tar": "archive",
    "application/vnd.ms-cab-compressed": "archive",
    "application/pdf": "document",
    "application/rtf": "document",
    "application/x-ole-storage": "document",
    "application/vnd.oasis.opendocument": "document",
    "text/html": "html",
    "image/svg+xml": "risky",
    "text/calendar": "calendar",
    "message/rfc822": "message",
    "text/plain": "text",
    "application/xml": "text",
}
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_EXT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/x-ole-storage",
    "xls": "application/x-ole-storage",
    "ppt": "application/x-ole-storage",
    "msg": "application/x-ole-storage",
    "docx": "application/zip",
    "xlsx": "application/zip",
    "pptx": "application/zip",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "ico": "image/vnd.microsoft.icon",
    "txt": "text/plain",
    "csv": "text/plain",
    "rtf": "application/rtf",
    "htm": "text/html",
    "html": "text/html",
    "zip": "application/zip",
    "ics": "text/calendar",
}


def sniff(data: bytes) -> str | None:
    """The type ``data`` is, by its magic numbers (and, for text, its first markup).

    ZIP-based formats are refined by their member names: OOXML documents
    (``application/vnd.openxmlformats-officedocument...``), macro-enabled ones, Java
    archives, Android packages, OpenDocument.
    """
    head = data[:_SNIFF]
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            if mime == "application/zip":
                return _refine_zip(data)
            if mime == "application/java-vm" and len(head) >= 8 and struct.unpack(">I", head[4:8])[0] < 40:
                return "application/x-mach-binary"  # a Mach-O universal binary (few architectures)
            return mime
    shaped = _shaped(head)
    if shaped is not None:
        return shaped
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    for offset in (0x8001, 0x8801, 0x9001):
        if data[offset : offset + 5] == b"CD001":
            return "application/x-iso9660-image"
    if len(data) >= 512 and data[257:262] == b"ustar":
        return "application/x-tar"
    if len(data) >= 512 and data[-512:-504] == b"conectix":
        return "application/x-vhd"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("begin:vcalendar"):
        return "text/calendar"
    if text.startswith("#!"):
        return "text/x-shellscript"
    if _HEADER_BLOCK.match(text) and _KNOWN_FIELD.search(text, 0, 2048):
        # An RFC 5322 header section (a forwarded or bounced message, RFC 2046 §5.2.1):
        # its body may well hold HTML, but the part is a message, not a web page.
        return "message/rfc822"
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<form", "<meta", "<iframe")):
        return "text/html"
    if "<svg" in text[:1024]:
        return "image/svg+xml"
    if text.startswith("<?xml"):
        return "text/html" if "<html" in text else "application/xml"
    if any(tag in text for tag in ("<html", "<body", "<form", "<script", "<input")):
        return "text/html"
    return "text/plain"


#: Two header fields first (RFC 5322 §2.2: a field name is printable ASCII but ":", the
#: value may be folded), on lowered text; and one of the fields every message has.
_HEADER_BLOCK = re.compile(r"(?:[!-9;-~]{1,76}[ \t]*:[^\n]{0,998}\n(?:[ \t][^\n]{0,998}\n){0,50}){2}")
_KNOWN_FIELD = re.compile(
    r"^(?:received|return-path|from|to|subject|date|message-id|mime-version|content-type|delivered-to)[ \t]*:",
    re.MULTILINE,
)

#: Archive formats that share the "archive" family but are not each other: a 7z or RAR
#: named or declared ``.zip`` is a known way past scanners that open only what they expect.
_ARCHIVE_FORMAT = {
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-zip": "zip",
    "application/vnd.rar": "rar",
    "application/x-rar-compressed": "rar",
    "application/x-7z-compressed": "7z",
    "application/gzip": "gzip",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/vnd.ms-cab-compressed": "cab",
}


# Formats whose short magic number is checked with the fields around it.
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_FTYP = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
}


def _shaped(head: bytes) -> str | None:
    """Images and media whose magic number is short, recognized only with the header
    fields that follow it (so text starting with ``BM`` is no bitmap)."""
    if head.startswith(b"BM") and len(head) >= 18:
        # BITMAPFILEHEADER: size, two reserved zero words, pixel offset; then the DIB header size.
        if head[6:10] == b"\x00\x00\x00\x00" and struct.unpack("<I", head[14:18])[0] in _BMP_DIB_SIZES:
            return "image/bmp"
        return None
    if head[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00") and len(head) >= 22:
        # ICONDIR (type 1 icon, 2 cursor), a count, then the first entry: reserved byte 0,
        # a data size and an offset past the directory.
        count = struct.unpack("<H", head[4:6])[0]
        size, offset = struct.unpack("<II", head[14:22])
        if 0 < count <= 256 and head[9] == 0 and size > 0 and offset >= 6 + 16 * count:
            return "image/vnd.microsoft.icon"
        return None
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _RIFF.get(head[8:12])
    if head[4:8] == b"ftyp" and len(head) >= 12 and 8 <= struct.unpack(">I", head[:4])[0] <= 4096:
        brand = head[8:12]
        return _FTYP.get(brand, "video/mp4" if brand.isascii() else None)
    if head.startswith(b"OggS\x00"):
        return "audio/ogg"
    if head.startswith(b"fLaC\x00"):
        return "audio/flac"
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4) and head[4] == 0:
        return "audio/mpeg"
    if head.startswith(b"8BPS\x00\x01"):
        return "image/vnd.adobe.photoshop"
    return None


def _refine_zip(data: bytes) -> str:
    names = [e.name for e in _zip_entries(data, limit=200)[0]]
    if data[30:38] == b"mimetype":
        return "application/vnd.oasis.opendocument"
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                macro = any(n.endswith("vbaProject.bin") for n in names)
                return f"application/vnd.openxmlformats-officedocument.{kind}" + (".macro" if macro else "")
    if "AndroidManifest.xml" in names:
        return "application/vnd.android.package-archive"
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        return "application/java-archive"
    return "application/zip"


def _family(mime: str | None) -> str | None:
    if mime is None:
        return None
    if mime in _FAMILY:
        return _FAMILY[mime]
    if mime.startswith("application/vnd.openxmlformats-officedocument"):
        return "risky" if mime.endswith(".macro") else "document"
    if mime.startswith("application/vnd.oasis.opendocument"):
        return "document"
    if mime.startswith("image/"):
        return "image"
    if mime.startswith(("audio/", "video/")):
        return "media"
    if mime in ("application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"):
        return "document"
    if mime in ("application/vnd.ms-outlook", "application/x-msi", "application/x-ole-storage"):
        return "document"
    if mime in ("application/x-zip-compressed", "application/x-zip", "application/x-rar-compressed"):
        return "archive"
    if mime in (
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
    ):
        return "executable"
    if mime in ("application/javascript", "text/javascript", "application/x-javascript", "text/vbscript"):
        return "script"
    if mime in ("application/x-sh", "application/x-bat", "application/hta"):
        return "script"
    if mime.startswith("text/"):
        return "text"
    return None


def _compatible(declared: str | None, sniffed: str | None) -> bool:
    """Whether a declared type (or an extension's type) agrees with the sniffed one."""
    if declared is None or sniffed is None or declared in _GENERIC_TYPES or declared == sniffed:
        return True
    a, b = _family(declared), _family(sniffed)
    if a == b == "archive":
        fa, fb = _ARCHIVE_FORMAT.get(declared), _ARCHIVE_FORMAT.get(sniffed)
        return fa is None or fb is None or fa == fb
    if a is None or b is None or a == b:
        return True
    pair = {a, b}
    if sniffed.startswith(("application/vnd.openxml", "application/vnd.oasis")) and pair == {"archive", "document"}:
        return True  # OOXML and OpenDocument files are ZIP archives
    if pair in ({"text", "calendar"}, {"text", "message"}):
        return True
    # A sniffer finds no markup in the first bytes of some HTML; text/plain holding
    # HTML, though, is how HTML smuggling hides from filters.
    return pair == {"text", "html"} and declared != "text/plain"


# ---------------------------------------------------------------------------------------
# Archives (listed, never extracted)
# ---------------------------------------------------------------------------------------
_ZIP_METHODS = {0: "stored", 1: "shrink", 6: "implode", 8: "deflate", 9: "deflate64", 12: "bzip2", 14: "lzma"}
_ZIP_METHODS.update({93: "zstd", 95: "xz", 98: "ppmd", 99: "aes"})


def _zip_name(raw: bytes, flags: int) -> str:
    if flags & 0x800:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437", "replace")


def _zip64(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if tag == 0x0001:
            values = [usize, csize, offset]
            j = 0
            for k in range(3):
                if values[k] == 0xFFFFFFFF and j + 8 <= len(body):
                    values[k] = struct.unpack_from("<Q", body, j)[0]
                    j += 8
            return values[0], values[1], values[2]
        pos += 4 + size
    return usize, csize, offset


def _zip_entries(data: bytes, *, limit: int = MAX_ENTRIES) -> tuple[list[ArchiveEntry], int, bool, str | None]:
    """Members of a ZIP from its central directory (APPNOTE 4.3.12), else its local
    headers; returns (entries, count, overlapping, error). Never inflates, never raises."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if eocd >= 0 and eocd + 22 <= len(data):
        try:
            return _zip_central(data, eocd, limit)
        except (struct.error, ValueError, IndexError) as exc:
            error = f"central directory unreadable ({exc})"
    else:
        error = "no end of central directory record (truncated?); read the local headers"
    entries, count = _zip_local(data, limit)
    return entries, count, False, error


def _zip_central(data: bytes, eocd: int, limit: int) -> tuple[list[ArchiveEntry], int, bool, str | None]:
    _sig, _disk, _cd_disk, _n_disk, total, cd_size, cd_offset, _clen = struct.unpack_from("<IHHHHIIH", data, eocd)
    if (total == 0xFFFF or cd_offset == 0xFFFFFFFF) and eocd >= 20 and data[eocd - 20 : eocd - 16] == b"PK\x06\x07":
        z64 = struct.unpack_from("<Q", data, eocd - 12)[0]  # zip64 end of central directory record
        if 0 <= z64 <= len(data) - 56 and data[z64 : z64 + 4] == b"PK\x06\x06":
            total, cd_size, cd_offset = struct.unpack_from("<QQQ", data, z64 + 32)
    # Data prepended to the archive shifts every offset (as zipfile's "concat").
    start = eocd - cd_size
    if start < 0 or start > len(data):
        start = cd_offset
    shift = start - cd_offset
    entries: list[ArchiveEntry] = []
    spans: list[tuple[int, int]] = []
    pos = start
    count = 0
    error = None
    while count < min(total, 10_000_000):
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + 46 > len(data):
            if count < total:
                error = f"central directory ends after {count} of {total} entries"
            break
        (flags, method, csize, usize, nlen, elen, clen, offset) = struct.unpack_from("<8xHH8xIIHHH8xI", data, pos)
        name_raw = data[pos + 46 : pos + 46 + nlen]
        extra = data[pos + 46 + nlen : pos + 46 + nlen + elen]
        usize, csize, offset = _zip64(extra, usize, csize, offset)
        count += 1
        spans.append((offset + shift, offset + shift + 30 + nlen + csize))
        if len(entries) < limit:
            name = _zip_name(name_raw, flags)
            entries.append(
                ArchiveEntry(
                    name=name,
                    size=usize,
                    compressed_size=csize,
                    encrypted=bool(flags & 1) or method == 99,
                    method=_ZIP_METHODS.get(method, str(method)),
                    is_dir=name.endswith("/"),
                )
            )
        pos += 46 + nlen + elen + clen
    return entries, count, _overlapping(spans), error


def _overlapping(spans: list[tuple[int, int]]) -> bool:
    """True when two members' local data overlap (a non-recursive zip bomb, Fifield 2019)."""
    ordered = sorted(s for s in spans if s[1] > s[0])
    return any(ordered[i][0] < ordered[i - 1][1] for i in range(1, len(ordered)))


def _zip_local(data: bytes, limit: int) -> tuple[list[ArchiveEntry], int]:
    entries: list[ArchiveEntry] = []
    count = 0
    pos = data.find(b"PK\x03\x04")
    while 0 <= pos <= len(data) - 30 and count < 10_000_000:
        flags, method = struct.unpack_from("<HH", data, pos + 6)
        csize, usize, nlen, elen = struct.unpack_from("<IIHH", data, pos + 18)
        name = _zip_name(data[pos + 30 : pos + 30 + nlen], flags)
        count += 1
        if len(entries) < limit:
            described = not flags & 0x08  # sizes in a data descriptor after the data
            entries.append(
                ArchiveEntry(
                    name=name,
                    size=usize if described else None,
                    compressed_size=csize if described else None,
                    encrypted=bool(flags & 1) or method == 99,
                    method=_ZIP_METHODS.get(method, str(method)),
                    is_dir=name.endswith("/"),
                )
            )
        nxt = pos + 30 + nlen + elen + (csize if not flags & 0x08 else 0)
        pos = data.find(b"PK\x03\x04", max(nxt, pos + 4))
    return entries, count


def _tar_entries(data: bytes, limit: int) -> tuple[list[ArchiveEntry], int, str | None]:
    entries: list[ArchiveEntry] = []
    pos = 0
    count = 0
    while pos + 512 <= len(data):
        block = data[pos : pos + 512]
        if block == b"\x00" * 512:
            break
        name = block[:100].split(b"\x00", 1)[0].decode("utf-8", "replace")
        prefix = block[345:500].split(b"\x00", 1)[0].decode("utf-8", "replace") if block[257:262] == b"ustar" else ""
        size_field = block[124:136].split(b"\x00", 1)[0].strip()
        try:
            size = int(size_field or b"0", 8)
        except ValueError:
            return entries, count, f"bad size field at offset {pos}"
        typeflag = block[156:157]
        count += 1
        if len(entries) < limit:
            full = f"{prefix}/{name}" if prefix else name
            entries.append(ArchiveEntry(name=full, size=size, compressed_size=size, is_dir=typeflag == b"5"))
        pos += 512 + ((size + 511) // 512) * 512
    return entries, count, None


def _gzip_entry(data: bytes) -> tuple[list[ArchiveEntry], str | None]:
    if len(data) < 18:
        return [], "truncated gzip"
    flags = data[3]
    name = None
    if flags & 0x08:  # FNAME (RFC 1952 §2.3.1)
        pos = 10
        if flags & 0x04:  # FEXTRA
            xlen = struct.unpack_from("<H", data, 10)[0]
            pos += 2 + xlen
        end = data.find(b"\x00", pos, pos + 1024)
        if end > pos:
            name = data[pos:end].decode("latin-1")
    isize = struct.unpack_from("<I", data, len(data) - 4)[0]  # size mod 2^32
    return [ArchiveEntry(name=name or "", size=isize, compressed_size=len(data), method="deflate")], None


def list_archive(data: bytes, sniffed: str | None = None) -> Archive | None:
    """The table of contents of an archive, or None when ``data`` is not one.

    Nothing is decompressed: sizes are the ones the archive declares.

    Parameters
    ----------
    data
        The archive's bytes.
    sniffed
        Its sniffed type (:func:`sniff`), if already known.
    """
    sniffed = sniffed or sniff(data)
    if sniffed is None:
        return None
    try:
        if sniffed == "application/zip" or sniffed.startswith(
            ("application/java-archive", "application/vnd.android", "application/vnd.openxml", "application/vnd.oasis")
        ):
            entries, count, overlapping, error = _zip_entries(data)
            return _archive("zip", entries, count, overlapping, error)
        if sniffed == "application/x-tar":
            tar, count, error = _tar_entries(data, MAX_ENTRIES)
            return _archive("tar", tar, count, False, error)
        if sniffed == "application/gzip":
            gz, error = _gzip_entry(data)
            return _archive("gzip", gz, len(gz), False, error)
    except (struct.error, ValueError, IndexError, OverflowError) as exc:
        return Archive(format=sniffed.rsplit("/", 1)[-1], error=f"unreadable ({exc})")
    simple = {
        "application/vnd.rar": "rar",
        "application/x-7z-compressed": "7z",
        "application/x-bzip2": "bzip2",
        "application/x-xz": "xz",
        "application/vnd.ms-cab-compressed": "cab",
    }
    if sniffed in simple:
        return Archive(format=simple[sniffed], error="members not listed for this format")
    return None


def _archive(fmt: str, entries: list[ArchiveEntry], count: int, overlapping: bool, error: str | None) -> Archive:
    sizes = [e.size for e in entries if e.size is not None]
    csizes = [e.compressed_size for e in entries if e.compressed_size is not None]
    return Archive(
        format=fmt,
        listed=True,
        entries=tuple(entries),
        entry_count=count,
        encrypted=any(e.encrypted for e in entries),
        declared_size=sum(sizes) if sizes else None,
        compressed_size=sum(csizes) if csizes else None,
        overlapping=overlapping,
        error=error,
    )


# ---------------------------------------------------------------------------------------
# HTML forms
# ---------------------------------------------------------------------------------------
_PASSWORD_NAME = re.compile(r"pass|pwd|passwd|kennwort|senha|contrase", re.IGNORECASE)


class _FormScanner(Tokenizer):
    def __init__(self) -> None:
        self.passwords = 0
        self.actions: list[str] = []

    def on_start(self, name: str, attrs: dict[str, str], encoded: bool) -> None:
        if name == "form":
            self.actions.append(attrs.get("action", "").strip())
        elif name == "input":
            kind = attrs.get("type", "").strip().lower()
            named = attrs.get("name", "") + " " + attrs.get("id", "")
            if (
                kind == "password"
                or "password" in attrs.get("autocomplete", "").lower()
                or (kind in ("", "text") and _PASSWORD_NAME.search(named[:200]))
            ):
                self.passwords += 1
        elif name in ("button", "input") and "formaction" in attrs:
            self.actions.append(attrs["formaction"].strip())

    def on_raw(self, name: str, text: str) -> None:
        # Credential pages built by script: a password input written by document.write.
        if name == "script" and 'type="password"' in text.lower().replace("'", '"')[:200000]:
            self.passwords += 1


# ---------------------------------------------------------------------------------------
# Names and saving
# ---------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^\w.\- ()\[\]+,=@]", re.UNICODE)
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


def safe_filename(name: str | None, *, fallback: str = "attachment.bin", max_length: int = 120) -> str:
    """A file name that is safe to create inside a folder.

    Only the last path component is kept (``/`` and ``\\`` both separate), control,
    bidi and invisible characters and characters outside ``[\\w.-()[]+,=@ ]`` become
    ``_``, leading dots and trailing dots and spaces are removed (no ``..``, no hidden
    files, no Windows-trimmed names), Windows device names get a ``_`` prefix, and the
    length is limited (keeping the extension).

    Examples
    --------
    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("invoice\\u202efdp.exe")
    'invoice_fdp.exe'
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join("_" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else c for c in text)
    text = _UNSAFE.sub("_", text)
    text = text.strip().lstrip(".").rstrip(". ")
    if not text or set(text) <= {"_", "."}:
        text = fallback
    stem = text.split(".", 1)[0].lower()
    if stem in _WINDOWS_DEVICES:
        text = "_" + text
    if len(text) > max_length:
        root, dot, ext = text.rpartition(".")
        keep_ext = bool(dot) and 0 < len(ext) <= 16
        text = root[: max_length - len(ext) - 1] + "." + ext if keep_ext else text[:max_length]
    return text


def _save(folder: Path, index: int, name: str | None, data: bytes) -> tuple[str | None, str | None]:
    """Write ``data`` under ``folder``; return (path, error)."""
    base = f"{index:03d}_{safe_filename(name)}"
    root = folder.resolve()
    for attempt in range(100):
        candidate = base if attempt == 0 else f"{index:03d}_{attempt}_{safe_filename(name)}"
        if os.sep in candidate or (os.altsep and os.altsep in candidate) or candidate in (".", ".."):
            return None, f"refused: {candidate!r} would leave the folder"
        # Not resolved: an existing entry (a symlink planted in the folder included) makes
        # O_EXCL fail, and the next name is tried; nothing outside the folder is touched.
        target = root / candidate
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(target, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            return None, f"could not write {candidate!r}: {exc.strerror or exc}"
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            return None, f"could not write {candidate!r}: {exc.strerror or exc}"
        return str(target), None
    return None, f"too many files named {base!r}"


# ---------------------------------------------------------------------------------------
# The inventory
# ---------------------------------------------------------------------------------------
def _is_attachment(part: Part) -> bool:
    if part.filename or part.disposition == "attachment":
        return True
    if part.content_type == "text/calendar":
        return True
    return not part.is_text and not part.content_type.startswith("multipart/")


def _extensions(name: str | None) -> tuple[str | None, bool]:
    """The last extension, and whether a decoy extension stands before a dangerous one."""
    if not name:
        return None, False
    # Windows ignores trailing dots and spaces: "invoice.pdf.exe. " runs as .exe.
    base = re.split(r"[/\\]", name)[-1].rstrip(". \t")
    pieces = [p.strip().lower() for p in base.split(".")]
    if len(pieces) < 2 or not pieces[-1]:
        return None, False
    ext = pieces[-1]
    dangerous = ext in EXECUTABLE or ext in SCRIPT or ext in RISKY
    decoy = len(pieces) >= 3 and pieces[-2] in DOCUMENT
    return ext, dangerous and decoy


def _category(sniffed: str | None, ext: str | None, declared: str) -> str:
    fam = _family(sniffed)
    if fam in ("executable", "script", "risky"):
        return fam
    if ext in EXECUTABLE:
        return "executable"
    if ext in SCRIPT:
        return "script"
    if ext in RISKY:
        return "risky"
    if fam in ("archive", "html", "calendar", "message", "document", "image"):
        return fam
    if ext in ARCHIVE:
        return "archive"
    if declared.startswith("message/"):
        return "message"
    if declared == "text/calendar" or ext == "ics":
        return "calendar"
    if declared == "text/html" or ext in ("htm", "html"):
        return "html"
    return fam if fam in ("text", "media") else "other"


def _controls(name: str) -> tuple[str, ...]:
    """The C0 and C1 control characters (and DEL) in ``name``, as ``U+XXXX``, once each."""
    found: dict[str, None] = {}
    for c in name:
        o = ord(c)
        if o < 0x20 or 0x7F <= o <= 0x9F:
            found[f"U+{o:04X}"] = None
    return tuple(found)


def _name_encoding(part: Part) -> str | None:
    if part.filename_raw is None:
        return None
    raw_headers = ""
    if part.obj is not None:
        try:
            raw_headers = " ".join(str(v) for k, v in part.obj.items() if k.lower().startswith("content-"))
        except Exception:
            raw_headers = ""
    if re.search(r"(?:file)?name\*", raw_headers, re.IGNORECASE):
        return "rfc2231"
    if "=?" in part.filename_raw:
        return "rfc2047"
    if part.header_8bit and not part.filename_raw.isascii():
        # Raw 8-bit bytes: UTF-8 (RFC 6532 §3.2), or not UTF-8 and read as Latin-1.
        return "rfc6532" if part.header_8bit == "utf-8" else "8bit"
    return "plain"


def _org(host: str | None) -> str | None:
    if not host:
        return None
    info = parse_host(host)
    return info.registered_domain or info.ascii


def _external(part: Part) -> Attachment:
    """A ``message/external-body`` part: a reference to content kept elsewhere (RFC 2046
    §5.2.3). Its body is only the header of that content, not the content: nothing to
    size, hash, sniff or save; the reference itself is in the URLs (source
    ``"external-body"``)."""
    ext, double = _extensions(part.filename)
    return Attachment(
        part=part.section,
        filename=part.filename,
        filename_raw=part.filename_raw,
        name_encoding=_name_encoding(part),
        disposition=part.disposition,
        content_id=part.content_id,
        declared_type=part.content_type,
        extension=ext,
        double_extension=double,
        category="external",
        recovered=part.recovered,
    )


def _inspect(part: Part, index: int, from_org: str | None, save_to: Path | None) -> tuple[Attachment, list[Finding]]:
    if part.content_type == "message/external-body":
        return _external(part), []
    data = part.payload
    where = f"part {part.section}" + (f" ({part.filename[:80]})" if part.filename else "")
    findings: list[Finding] = []

    def add(code: FindingCode, severity: Severity, detail: str, *evidence: tuple[str, str]) -> None:
        findings.append(Finding(code=code, severity=severity, where=where, detail=detail, evidence=evidence))

    sniffed = sniff(data) if data else None
    ext, double = _extensions(part.filename)
    declared = part.content_type
    ext_type = _EXT_TYPES.get(ext or "")
    mismatch = bool(data) and (not _compatible(declared, sniffed) or not _compatible(ext_type, sniffed))
    category = _category(sniffed, ext, declared)
    archive = list_archive(data, sniffed) if category in ("archive", "executable", "document") and data else None
    if archive is not None and not archive.listed and category != "archive":
        archive = None
    password_fields = 0
    actions: list[str] = []
    external: list[str] = []
    calendar_links: list[str] = []
    is_html = sniffed in ("text/html", "image/svg+xml") or category == "html" or ext in ("htm", "html", "svg")
    if is_html and data:
        text, _note = decode_text(data, part.charset)
        scanner = _FormScanner()
        scanner.feed(text)
        password_fields = scanner.passwords
        for action in scanner.actions[:50]:
            u = parse_url(action) if action else None
            shown = u.url if u is not None else action or "(this page)"
            actions.append(shown)
            target = u.registered_domain or u.host_ascii if u is not None else None
            if target and target != from_org:
                external.append(shown)
    if sniffed == "text/calendar" or category == "calendar":
        text, _note = decode_text(data, part.charset)
        for found, _pct in _text_urls(_calendar_text(text)):
            calendar_links.append(found[:500])
            if len(calendar_links) >= 50:
                break
    saved_path = None
    if save_to is not None:
        saved_path, error = _save(save_to, index, part.filename, data)
        if error:
            add(FindingCode.ATTACHMENT_SAVE_FAILED, Severity.ERROR, f"The attachment was not saved: {error}.")
    att = Attachment(
        part=part.section,
        filename=part.filename,
        filename_raw=part.filename_raw,
        name_encoding=_name_encoding(part),
        disposition=part.disposition,
        content_id=part.content_id,
        declared_type=declared,
        sniffed_type=sniffed,
        type_mismatch=mismatch,
        size=len(data),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        extension=ext,
        double_extension=double,
        category=category,
        archive=archive,
        password_fields=password_fields,
        form_actions=tuple(actions),
        external_actions=tuple(external),
        calendar_links=tuple(calendar_links),
        saved_path=saved_path,
        recovered=part.recovered,
    )
    shown_name = repr(part.filename[:120]) if part.filename else "(no name)"
    ev_hash = ("sha256", att.sha256)
    if category == "executable":
        add(
            FindingCode.ATTACHMENT_EXECUTABLE,
            Severity.ALERT,
            f"The attachment {shown_name} is an executable ({sniffed or ext}).",
            ev_hash,
        )
    elif category == "script":
        add(FindingCode.ATTACHMENT_SCRIPT, Severity.ALERT, f"The attachment {shown_name} is a script ({ext}).", ev_hash)
    elif category == "risky":
        add(
            FindingCode.ATTACHMENT_RISKY_TYPE,
            Severity.WARNING,
            f"The attachment {shown_name} is a type used to deliver malware "
            f"(shortcut, disk image, macro document, OneNote, SVG): {sniffed or ext}.",
            ev_hash,
        )
    if double:
        add(
            FindingCode.ATTACHMENT_DOUBLE_EXTENSION,
            Severity.ALERT,
            f"The name {shown_name} hides a .{ext} file behind a document extension.",
        )
    if part.filename:
        bidi, invisible = hidden_characters(part.filename)
        controls = _controls(part.filename)
        if bidi or invisible:
            add(
                FindingCode.ATTACHMENT_NAME_BIDI,
                Severity.ALERT,
                f"The name {part.filename[:120]!a} contains {', '.join(bidi + invisible + controls)}: it is shown "
                "reordered or with hidden characters, so its real extension is disguised.",
            )
        elif controls:
            # Decoded from an encoded word or RFC 2231 (a raw one cannot hold them): a line
            # break or NUL that clients drop or replace, and tools cut the name at.
            add(
                FindingCode.ATTACHMENT_NAME_BIDI,
                Severity.WARNING,
                f"The name {part.filename[:120]!a} contains control characters ({', '.join(controls)}): "
                "mail clients and tools show or cut it differently, so the name seen may not be the name saved.",
            )
    if mismatch:
        severe = _family(sniffed) in ("executable", "script", "risky", "html")
        add(
            FindingCode.ATTACHMENT_TYPE_MISMATCH,
            Severity.ALERT if severe else Severity.WARNING,
            f"The attachment {shown_name} is declared {declared}"
            + (f" with extension .{ext}" if ext else "")
            + f" but its content is {sniffed}.",
            ev_hash,
        )
    if archive is not None:
        _archive_findings(archive, shown_name, add)
    if password_fields:
        add(
            FindingCode.ATTACHMENT_CREDENTIAL_FORM,
            Severity.ALERT,
            f"The HTML attachment {shown_name} asks for a password"
            + (f" and posts it to {', '.join(external[:3])}" if external else "")
            + ": a credential-harvesting page opened from disk.",
            *(("action", a) for a in actions[:5]),
        )
    if calendar_links:
        add(
            FindingCode.CALENDAR_LINKS,
            Severity.NOTICE,
            f"The calendar invite {shown_name} carries {len(calendar_links)} link(s); "
            "calendars add invites without the reader opening the mail.",
            *(("url", u[:300]) for u in calendar_links[:5]),
        )
    return att, findings


def _archive_findings(archive: Archive, shown_name: str, add: Callable[..., None]) -> None:
    if archive.error and not archive.entries:
        add(
            FindingCode.ARCHIVE_UNREADABLE,
            Severity.NOTICE,
            f"The archive {shown_name} could not be listed: {archive.error}.",
        )
    if archive.encrypted:
        add(
            FindingCode.ARCHIVE_ENCRYPTED,
            Severity.WARNING,
            f"The archive {shown_name} is encrypted: scanners cannot see inside (look for the password in the body).",
        )
    if archive.bomb:
        why = (
            "its members overlap (a non-recursive zip bomb)"
            if archive.overlapping
            else f"it declares {archive.declared_size:,} bytes from {archive.compressed_size or 0:,}"
        )
        add(FindingCode.ARCHIVE_BOMB, Severity.ALERT, f"The archive {shown_name} is a decompression bomb: {why}.")
    risky = [
        e.name
        for e in archive.entries
        if _extensions(e.name)[0] in EXECUTABLE | SCRIPT | RISKY or _extensions(e.name)[1]
    ]
    if risky:
        add(
            FindingCode.ARCHIVE_EXECUTABLE,
            Severity.ALERT,
            f"The archive {shown_name} holds executables, scripts or shortcuts: {', '.join(risky[:5])}.",
        )


def _extract_parts(
    parts: Sequence[Part], *, from_org: str | None, save_to: str | os.PathLike[str] | None
) -> AttachmentScan:
    folder: Path | None = None
    if save_to is not None:
        folder = Path(save_to)
        if not folder.is_dir():
            raise InputError(f"save_to must be an existing folder: {str(save_to)!r}")
    out: list[Attachment] = []
    findings: list[Finding] = []
    for part in parts:
        if not _is_attachment(part):
            continue
        try:
            att, found = _inspect(part, len(out) + 1, from_org, folder)
        except Exception as exc:  # defensive: one hostile part must not hide the others
            findings.append(
                Finding(
                    code=FindingCode.CONTENT_PART_UNREADABLE,
                    severity=Severity.ERROR,
                    where=f"part {part.section}",
                    detail=f"The attachment could not be inspected ({type(exc).__name__}).",
                )
            )
            continue
        out.append(att)
        findings.extend(found)
    return AttachmentScan(attachments=tuple(out), findings=tuple(findings))


def extract(message: Message, *, save_to: str | os.PathLike[str] | None = None) -> AttachmentScan:
    """Inventory ``message``'s attachments; write them only when ``save_to`` is given.

    Parameters
    ----------
    message
        The message.
    save_to
        An existing folder to write each attachment into (sanitized names, prefixed
        with their position, never overwriting, mode 0600). None (default): nothing is
        written anywhere.

    Returns
    -------
    AttachmentScan

    Raises
    ------
    InputError
        When ``save_to`` is not an existing folder.
    """
    parts, _cut = walk(message)
    author = dmarc.author_domain(message)
    return _extract_parts(parts, from_org=_org(author.domain), save_to=save_to)
