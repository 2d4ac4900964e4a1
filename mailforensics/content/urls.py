"""Every URL in a message's text: where it is, where it really goes, and how it hides.

:func:`extract` reads every ``text/plain`` and ``text/html`` part (and HTML, SVG and
calendar attachments), transfer-decoded and charset-decoded, and returns one
:class:`URL` record per link found:

- HTML: ``href`` (``<a>``, ``<area>``, ``<link>``), ``src``, ``action`` and
  ``formaction``, ``background``, ``poster``, ``data``, ``srcset`` (every candidate),
  ``<base href>`` (relative links are resolved against it), ``<meta http-equiv=refresh>``,
  CSS ``url(...)`` and ``@import`` in ``<style>`` and ``style=""``, any other attribute whose
  value is an absolute ``http(s)``/``ftp`` URL (``data-href=``), URLs written in the text,
  in scripts and in comments (Outlook's conditional comments hold live HTML);
- text: ``scheme://...``, ``www.``, ``mailto:`` and the percent-encoded
  ``http%3A%2F%2F...`` form;
- a URL carried inside another one's query (a redirector's ``?url=https%3A%2F%2F...``)
  as a second record, ``source="embedded"``.

Character references are decoded as a browser decodes them (``&#104;ttp`` is ``http``),
and the host is read as the WHATWG URL Standard reads it (§3.5 host parsing): percent-
escapes decoded, ideographic full stops as dots, ``\\`` as ``/`` in special schemes, the
numeric IPv4 forms (``http://3221225985/``, ``0xC0.0x00.0x02.1``) as the address they
denote, and IDNs as both U-labels and A-labels (UTS #46). A value that is nothing but hex digits
spelling an ``http(s)://`` URL (``href=68747470733a2f2f...``, decoded by a script or a
redirector) is read as that URL, marked ``hex-encoded``. Tricks are recorded in
``URL.obfuscation`` and become findings. XML namespace declarations (``xmlns``,
``xmlns:*``) are identifiers, not links, and are not URLs here.

Nothing is ever fetched. The scanners are linear in the input (see ``_html``); a message
yields at most :data:`MAX_URLS` records. What is read from a host name (:func:`parse_host`,
its organizational domain, a domain shown in text) is cached per distinct short string,
bounded: host names repeat across a mailbox.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin

import idna

from mailforensics.auth.orgdomain import load_psl, organizational_domain
from mailforensics.content._html import Tokenizer, unescape
from mailforensics.content._parts import Part, _param, decode_text, walk
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message

__all__ = [
    "MAX_URLS",
    "MAX_URL_LENGTH",
    "URL",
    "HostInfo",
    "URLExtraction",
    "extract",
    "extract_text",
    "find_domains",
    "parse_host",
    "parse_url",
]

#: At most this many URL records per message (a finding says when more were present).
MAX_URLS = 5000
#: URLs longer than this are kept truncated (``URL.truncated``).
MAX_URL_LENGTH = 4096
_MAX_LINK_TEXT = 1000
_MAX_HOST = 1024
_MAX_CANDIDATES = 64  # srcset candidates and url() references per attribute

_SPECIAL = frozenset({"http", "https", "ftp", "ws", "wss", "file"})
_SKIP_SCHEMES = frozenset({"cid", "mid", "about"})
_DANGEROUS = {
    "javascript": Severity.WARNING,
    "vbscript": Severity.WARNING,
    "data": Severity.WARNING,
    "file": Severity.WARNING,  # file://host/share leaks NTLM credentials (UNC)
    "search-ms": Severity.ALERT,
    "search": Severity.ALERT,
    "ms-msdt": Severity.ALERT,
    "ms-officecmd": Severity.ALERT,
    "ms-word": Severity.WARNING,
    "ms-excel": Severity.WARNING,
    "ms-powerpoint": Severity.WARNING,
    "ms-appinstaller": Severity.ALERT,
}
# Attributes holding one URL, by name (any element).
_URL_ATTRS = ("href", "src", "action", "formaction", "background", "poster", "data", "cite", "longdesc", "xlink:href")
_ABSOLUTE = re.compile(r"\s*(?:https?|ftp)(?::|%3a)", re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_TAB_NL = re.compile(r"[\t\n\r]")
_C0_SPACE = "".join(chr(i) for i in range(0x21))
_UNICODE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
# Text triggers: scheme separator, its percent-encoded form, www., mailto:.
_TRIGGER = re.compile(r"://|%3a%2f%2f|\bwww\.|\bmailto:", re.IGNORECASE)
_URL_RUN = re.compile(r"[^\s<>\"'`\x00-\x1f\x7f]*")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_TRAILING = frozenset(".,;:!?*'\"")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_PARAM_SPLIT = re.compile(r"[&;]")
_PATH_URL = re.compile(r"https?://", re.IGNORECASE)
_TO_PATH = re.compile(r"[^:]*:[/\\]*[^/\\]*")
_CSS_URL = re.compile(r"url\(|@import", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[^\w.\-\u3002\uff0e\uff61]+")
_FORBIDDEN_HOST = frozenset(" #/:<>?@[\\]^|%\x00\t\n\r")
_MAX_CACHED_HOST = 256  # longer hosts are read each time (not kept in the caches)


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class HostInfo:
    """A URL host as a browser reads it.

    Parameters
    ----------
    written
        The host as written in the URL (percent-escapes and character references decoded).
    ascii
        The A-label form, lower case (an IP address in canonical form); None when the
        host is not valid.
    unicode
        The U-label form (equal to ``ascii`` for an all-ASCII name).
    registered_domain
        The organizational (registrable) domain by the Public Suffix List, A-labels; None
        for an IP address or a public suffix.
    ip_literal
        True for an IPv4 or IPv6 address (in whatever notation).
    idn
        True when the name has non-ASCII (U-label) form.
    obfuscation
        Tricks in the host: ``"percent-encoded-host"``, ``"numeric-ip"``,
        ``"unicode-dots"``, ``"trailing-dot"``.
    """

    written: str
    ascii: str | None
    unicode: str | None
    registered_domain: str | None
    ip_literal: bool = False
    idn: bool = False
    obfuscation: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the host could be read."""
        return self.ascii is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class URL:
    """One URL found in a message.

    Parameters
    ----------
    url
        The URL as the client would use it: character references (HTML) and a fully
        percent-encoded form decoded, tabs and newlines removed, relative references
        resolved against ``<base>``. At most :data:`MAX_URL_LENGTH` characters.
    scheme
        Lower case; None for a scheme-less ``www.`` or ``//host`` reference.
    host
        The host as written (see :class:`HostInfo`); for ``mailto:`` the address's
        domain. None when the URL has no host (``javascript:``, ``tel:``).
    host_ascii, host_unicode, registered_domain, ip_literal, idn
        See :class:`HostInfo`.
    userinfo
        The ``user:password@`` part, when present (``https://paypal.com@evil.example/``).
    part
        The IMAP section of the MIME part it came from (``"1.2"``).
    content_type
        That part's type.
    source
        Where in the part: ``"href"``, ``"src"``, ``"action"``, ``"formaction"``,
        ``"base"``, ``"srcset"``, ``"css"``, ``"meta-refresh"``, ``"attr:<name>"``,
        ``"text"``, ``"script"``, ``"comment"``, ``"calendar"``, ``"embedded"``,
        ``"external-body"`` (the reference of a ``message/external-body`` part, RFC 2046
        §5.2.3: content the message points to instead of carrying it).
    tag
        The HTML element (``"a"``, ``"img"``, ``"form"``), or None.
    text
        For links (``<a>``, ``<area>``): the visible text (and image ``alt`` text),
        whitespace collapsed, at most 1000 characters.
    text_domain
        The domain the visible text shows, when it shows one.
    text_mismatch
        True when ``text_domain`` is in another organizational domain than the link's
        host: the reader sees one destination, the click goes to another.
    embedded_in
        For ``source="embedded"``: the URL that carried this one.
    obfuscation
        Tricks seen: ``"entity-encoded"``, ``"percent-encoded-url"``,
        ``"percent-encoded-host"``, ``"numeric-ip"``, ``"userinfo"``, ``"backslashes"``,
        ``"whitespace"``, ``"unicode-dots"``, ``"trailing-dot"``, ``"scheme-relative"``.
    truncated
        True when the URL was longer than :data:`MAX_URL_LENGTH`.
    """

    url: str
    scheme: str | None
    host: str | None
    host_ascii: str | None
    host_unicode: str | None
    registered_domain: str | None
    ip_literal: bool = False
    idn: bool = False
    userinfo: str | None = None
    part: str = "1"
    content_type: str = "text/plain"
    source: str = "text"
    tag: str | None = None
    text: str | None = None
    text_domain: str | None = None
    text_mismatch: bool = False
    embedded_in: str | None = None
    obfuscation: tuple[str, ...] = ()
    truncated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class URLExtraction:
    """What :func:`extract` found.

    Parameters
    ----------
    urls
        Every URL, in document order per part, parts in MIME order.
    findings
        One finding per (indicator, host): text/link mismatch, IP literal, IDN,
        userinfo, obfuscation, dangerous scheme; and ``url-limit-reached``.
    truncated
        True when :data:`MAX_URLS` stopped the extraction.
    """

    urls: tuple[URL, ...] = ()
    findings: tuple[Finding, ...] = ()
    truncated: bool = False

    @property
    def hosts(self) -> tuple[str, ...]:
        """The distinct valid hosts (A-label form), in first-seen order."""
        return tuple(dict.fromkeys(u.host_ascii for u in self.urls if u.host_ascii))

    @property
    def registered_domains(self) -> tuple[str, ...]:
        """The distinct registered domains, in first-seen order."""
        return tuple(dict.fromkeys(u.registered_domain for u in self.urls if u.registered_domain))


# ---------------------------------------------------------------------------------------
# Hosts
# ---------------------------------------------------------------------------------------
def _ipv4_number(part: str) -> int | None:
    """One part of a WHATWG IPv4 address (§3.5 IPv4 number parser), or None."""
    if not part:
        return None
    base = 10
    if part[:2] in ("0x", "0X"):
        part, base = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, base = part[1:], 8
    if part == "":
        return 0
    try:
        return int(part, base) if part.isascii() and part.isalnum() else None
    except ValueError:
        return None


def _ends_in_number(labels: list[str]) -> bool:
    last = labels[-1] if labels[-1] or len(labels) == 1 else labels[-2]
    if last.isascii() and last.isdigit():
        return True
    return last[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF" for c in last[2:])


def _ipv4(host: str) -> str | None:
    """WHATWG IPv4 parser: the dotted-quad address, or None when ``host`` is not one."""
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if len(labels) > 4 or not labels:
        return None
    numbers = [_ipv4_number(x) for x in labels]
    if any(n is None for n in numbers):
        return None
    nums = [n for n in numbers if n is not None]
    if any(n > 255 for n in nums[:-1]) or nums[-1] >= 256 ** (5 - len(nums)):
        return None
    value = nums[-1]
    for i, n in enumerate(nums[:-1]):
        value += n * 256 ** (3 - i)
    return str(ipaddress.IPv4Address(value))


def _org(ascii_host: str) -> str | None:
    # Host names repeat across a mailbox, and the Public Suffix List walk is not free.
    return _org_cached(ascii_host) if len(ascii_host) <= _MAX_CACHED_HOST else _org_of(ascii_host)


def _org_of(ascii_host: str) -> str | None:
    try:
        return organizational_domain(ascii_host)
    except Exception:
        return None


_org_cached = lru_cache(maxsize=4096)(_org_of)


def parse_host(written: str) -> HostInfo:
    """Read a URL host as a browser does (WHATWG URL §3.5), without raising.

    Parameters
    ----------
    written
        The host part of a URL (no userinfo, no port), as written.

    Examples
    --------
    >>> parse_host("3221225985").ascii
    '192.0.2.1'
    >>> parse_host("xn--bcher-kva.example").unicode
    'bücher.example'
    """
    # Host names repeat across a mailbox (and parse_host is asked for each URL, each
    # address and each look-alike check): short ones are read once. The length limit
    # keeps hostile strings out of the cache.
    if len(written) <= _MAX_CACHED_HOST:
        return _parse_host_cached(written)
    return _parse_host(written)


def _parse_host(written: str) -> HostInfo:
    obf: list[str] = []
    host = written[:_MAX_HOST]
    if host.startswith("[") and host.endswith("]"):
        try:
            addr = ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return HostInfo(written=written, ascii=None, unicode=None, registered_domain=None, ip_literal=True)
        text = str(addr.ipv4_mapped) if addr.ipv4_mapped else str(addr)
        return HostInfo(written=written, ascii=text, unicode=text, registered_domain=None, ip_literal=True)
    if "%" in host:
        decoded = unquote(host, errors="replace")
        if decoded != host:
            obf.append("percent-encoded-host")
            host = decoded
    mapped = host.translate(_UNICODE_DOTS)
    if mapped != host:
        obf.append("unicode-dots")
        host = mapped
    host = host.strip(_C0_SPACE)
    if not host or len(written) > _MAX_HOST or any(c in _FORBIDDEN_HOST for c in host):
        return HostInfo(written=written, ascii=None, unicode=None, registered_domain=None, obfuscation=tuple(obf))
    labels = host.split(".")
    if _ends_in_number(labels):
        ip = _ipv4(host)
        if ip is None:
            return HostInfo(written=written, ascii=None, unicode=None, registered_domain=None, ip_literal=True)
        if host.rstrip(".") != ip:
            obf.append("numeric-ip")
        return HostInfo(
            written=written, ascii=ip, unicode=ip, registered_domain=None, ip_literal=True, obfuscation=tuple(obf)
        )
    if host.endswith("."):
        obf.append("trailing-dot")
        host = host[:-1]
    ascii_host = _to_ascii(host)
    if ascii_host is None:
        return HostInfo(written=written, ascii=None, unicode=None, registered_domain=None, obfuscation=tuple(obf))
    unicode_host = _to_unicode(ascii_host)
    return HostInfo(
        written=written,
        ascii=ascii_host,
        unicode=unicode_host,
        registered_domain=_org(ascii_host),
        idn=unicode_host != ascii_host,
        obfuscation=tuple(obf),
    )


_parse_host_cached = lru_cache(maxsize=8192)(_parse_host)


def _to_ascii(host: str) -> str | None:
    lowered = host.lower()
    if lowered.isascii() and "xn--" not in lowered:
        return lowered if all(0 < len(x) <= 63 for x in lowered.split(".")) and len(lowered) <= 253 else None
    try:
        out = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:  # IDNA 2003, as some clients still do (symbols, ß transitional mapping)
            out = host.encode("idna").decode("ascii").lower()
        except (UnicodeError, ValueError):
            return None
    return out if len(out) <= 253 else None


def _to_unicode(ascii_host: str) -> str:
    if "xn--" not in ascii_host:
        return ascii_host
    try:
        return str(idna.decode(ascii_host))
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            return ascii_host.encode("ascii").decode("idna")
        except (UnicodeError, ValueError):
            return ascii_host


# ---------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class _Parsed:
    url: str
    scheme: str | None
    host: HostInfo | None
    userinfo: str | None
    obfuscation: tuple[str, ...]
    truncated: bool


def parse_url(text: str, *, base: str | None = None) -> URL | None:
    """Parse one URL as a browser would; None for an empty or in-document reference.

    Parameters
    ----------
    text
        The URL as written (character references already decoded).
    base
        A base URL for relative references (``<base href>``); relative references
        without a base are not URLs of interest and give None.
    """
    parsed = _parse(text, base=base, hosts={})
    if parsed is None:
        return None
    return _record(parsed, part="1", content_type="text/plain", source="text", tag=None)


def _parse(text: str, *, base: str | None, hosts: dict[str, HostInfo]) -> _Parsed | None:
    obf: list[str] = []
    truncated = len(text) > MAX_URL_LENGTH
    raw = text[:MAX_URL_LENGTH].strip(_C0_SPACE)
    if _TAB_NL.search(raw):
        raw = _TAB_NL.sub("", raw)  # WHATWG: ASCII tab and newline are removed
        obf.append("whitespace")
    if not raw or raw.startswith("#"):
        return None
    lowered_head = raw[:24].lower()
    if "%3a" in lowered_head and "://" not in lowered_head and _ABSOLUTE.match(raw):
        raw = unquote(raw, errors="replace")
        obf.append("percent-encoded-url")
    m = _SCHEME.match(raw)
    scheme = m.group(1).lower() if m else None
    if scheme is not None and len(scheme) == 1:
        scheme = None  # "C:\path": a drive letter, not a scheme
    if scheme is None:
        decoded = _hex_url(raw)
        if decoded is not None:
            again = _parse(decoded, base=None, hosts=hosts)
            if again is not None:
                obf.extend(o for o in again.obfuscation if o not in obf)
                return _Parsed(
                    url=again.url,
                    scheme=again.scheme,
                    host=again.host,
                    userinfo=again.userinfo,
                    obfuscation=("hex-encoded", *obf),
                    truncated=truncated or again.truncated,
                )
        if raw.startswith(("//", "\\\\")):
            if raw.startswith("\\\\"):
                obf.append("backslashes")
            rest = raw.lstrip("/\\")
            obf.append("scheme-relative")
            return _with_authority(raw, None, rest, obf, truncated, hosts, special=True)
        if lowered_head.startswith("www."):
            return _with_authority(raw, None, raw, obf, truncated, hosts, special=True)
        if base:
            try:
                joined = urljoin(base, raw)
            except Exception:
                return None
            if joined == raw or not _SCHEME.match(joined):
                return None
            return _parse(joined, base=None, hosts=hosts)
        return None
    if scheme in _SKIP_SCHEMES:
        return None
    rest = raw[m.end() :] if m else raw
    if scheme in _SPECIAL:
        slashes = len(rest) - len(rest.lstrip("/\\"))
        if "\\" in rest[:slashes]:
            obf.append("backslashes")
        return _with_authority(raw, scheme, rest[slashes:], obf, truncated, hosts, special=True)
    if scheme == "mailto":
        address = rest.split("?", 1)[0]
        address = unquote(address, errors="replace").split(",", 1)[0].strip()
        host = None
        if "@" in address:
            host = _host(address.rsplit("@", 1)[1], hosts)
        return _Parsed(url=raw, scheme=scheme, host=host, userinfo=None, obfuscation=tuple(obf), truncated=truncated)
    if rest.startswith("//"):
        return _with_authority(raw, scheme, rest[2:], obf, truncated, hosts, special=False)
    return _Parsed(url=raw, scheme=scheme, host=None, userinfo=None, obfuscation=tuple(obf), truncated=truncated)


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2}){8,}")
_HEX_PREFIXES = ("687474703a2f2f", "68747470733a2f2f")  # "http://", "https://"


def _hex_url(raw: str) -> str | None:
    """``raw`` when it is nothing but hex digits spelling an ``http(s)://`` URL, decoded.

    A browser would take ``href=68747470733a2f2f...`` as a relative path; a script on the
    page (or the phishing kit's redirector) decodes it. Only a whole value that decodes to
    printable ASCII starting with the scheme is taken, so a hex-named path is left alone.
    """
    if not raw.lower().startswith(_HEX_PREFIXES) or _HEX.fullmatch(raw) is None:
        return None
    try:
        text = bytes.fromhex(raw).decode("ascii")
    except ValueError:
        return None
    return text if text.isprintable() else None


def _host(written: str, hosts: dict[str, HostInfo]) -> HostInfo:
    info = hosts.get(written)
    if info is None:
        info = parse_host(written)
        if len(hosts) < 4 * MAX_URLS:
            hosts[written] = info
    return info


def _with_authority(
    raw: str,
    scheme: str | None,
    rest: str,
    obf: list[str],
    truncated: bool,
    hosts: dict[str, HostInfo],
    *,
    special: bool,
) -> _Parsed:
    end = len(rest)
    for stop in ("/", "?", "#", "\\") if special else ("/", "?", "#"):
        i = rest.find(stop, 0, end)
        if i >= 0:
            end = i
    authority = rest[:end]
    userinfo = None
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
        obf.append("userinfo")
    hostport = authority
    if hostport.startswith("["):
        close = hostport.find("]")
        hostname = hostport[: close + 1] if close >= 0 else hostport
    else:
        hostname = hostport.rsplit(":", 1)[0] if ":" in hostport else hostport
    info = _host(hostname, hosts) if hostname else None
    if info is not None:
        obf.extend(o for o in info.obfuscation if o not in obf)
    return _Parsed(url=raw, scheme=scheme, host=info, userinfo=userinfo, obfuscation=tuple(obf), truncated=truncated)


def _record(p: _Parsed, *, part: str, content_type: str, source: str, tag: str | None, **extra: object) -> URL:
    h = p.host
    return URL(
        url=p.url,
        scheme=p.scheme,
        host=h.written.lower() if h is not None else None,
        host_ascii=h.ascii if h is not None else None,
        host_unicode=h.unicode if h is not None else None,
        registered_domain=h.registered_domain if h is not None else None,
        ip_literal=h.ip_literal if h is not None else False,
        idn=h.idn if h is not None else False,
        userinfo=p.userinfo,
        part=part,
        content_type=content_type,
        source=source,
        tag=tag,
        obfuscation=p.obfuscation,
        truncated=p.truncated,
        **extra,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------------------
# Domains shown in text
# ---------------------------------------------------------------------------------------
#: Special-use names (RFC 2606, RFC 6761) the Public Suffix List does not hold but
#: documentation and test messages use.
_RESERVED_TLDS = ("example", "test")


def _known_suffix(domain: str) -> bool:
    if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return domain.count(".") >= 1
    try:
        psl = load_psl()
        suffix = psl.publicsuffix(domain, accept_unknown=False)
    except Exception:
        return False
    return suffix is not None and suffix != domain


def find_domains(text: str, *, limit: int = 20) -> tuple[str, ...]:
    """Domain names shown in free text (``"Log in at paypal.com"``), A-label form.

    A token counts when its last label is a top-level domain the Public Suffix List
    knows and something registrable stands before it, so ``invoice.pdf`` and ``e.g.``
    do not count (but ``report.zip`` does: ``.zip`` is a TLD). Addresses count by their
    domain; URLs by their host.

    Parameters
    ----------
    text
        Any text (a link's visible text, a display name).
    limit
        Stop after this many domains.
    """
    out: dict[str, None] = {}
    for token in _TOKEN_SPLIT.split(text.translate(_UNICODE_DOTS)):
        token = token.strip(".-_")
        if "." not in token or len(token) > 253:
            continue
        shown, is_ip = _shown_domain(token)
        if shown is None:
            continue
        out.setdefault(shown, None)
        if not is_ip and len(out) >= limit:
            break
    return tuple(out)


@lru_cache(maxsize=4096)
def _shown_domain(token: str) -> tuple[str | None, bool]:
    """The domain (A-labels) or the IPv4 address a dotted token of text shows, if any,
    and whether it is an address. Cached: link texts repeat their hosts."""
    if _ends_in_number(token.split(".")):
        ip = _ipv4(token)
        return (ip, True) if ip is not None and token.count(".") == 3 else (None, True)
    ascii_token = _to_ascii(token)
    if ascii_token is None or not _known_suffix(ascii_token):
        return None, False
    return ascii_token, False


# ---------------------------------------------------------------------------------------
# Scanners
# ---------------------------------------------------------------------------------------
class _LimitReached(Exception):
    pass


def _text_urls(text: str) -> Iterable[tuple[str, bool]]:
    """URLs written in text, as ``(url, percent_encoded)``; linear in ``text``."""
    if "." not in text and ":" not in text and "%" not in text:
        return  # every trigger has one of these (and none of them has a case variant)
    pos = 0
    n = len(text)
    if text.isascii():
        lowered = text.lower()
        if "://" not in lowered and "www." not in lowered and "%3a%2f%2f" not in lowered and "mailto:" not in lowered:
            return  # the common case (most text nodes of an HTML part): no trigger at all
        next_trigger = _ascii_triggers(lowered)
    else:
        next_trigger = _regex_triggers(text)
    while pos < n:
        found = next_trigger(pos)
        if found is None:
            return
        start, trig_end, trig = found
        if trig in ("://", "%3a%2f%2f"):
            k = start
            floor = max(pos, start - 32)
            while k > floor and text[k - 1] in _SCHEME_CHARS:
                k -= 1
            while k < start and not text[k].isalpha():
                k += 1
            if k == start:
                pos = trig_end
                continue
            start = k
        run = _URL_RUN.match(text, trig_end)
        end = run.end() if run else trig_end
        url = _trim(text, start, end)
        pos = max(end, trig_end)
        if start + len(url) > trig_end:
            yield url, trig == "%3a%2f%2f"


#: :data:`_TRIGGER`'s alternatives, lower case; True for those that need a word boundary
#: (``\b``) before them.
_TRIGGERS = (("://", False), ("%3a%2f%2f", False), ("www.", True), ("mailto:", True))


def _regex_triggers(text: str) -> Callable[[int], tuple[int, int, str] | None]:
    """``_TRIGGER.search(text, pos)`` as (start, end, lower-case trigger), or None."""
    search = _TRIGGER.search

    def find(pos: int) -> tuple[int, int, str] | None:
        m = search(text, pos)
        return None if m is None else (m.start(), m.end(), m.group().lower())

    return find


def _ascii_triggers(lowered: str) -> Callable[[int], tuple[int, int, str] | None]:
    """The same as :func:`_regex_triggers` for ASCII text, given lower-cased: faster.

    In ASCII, lower case keeps every position and case-insensitive matching is matching
    the lower-cased text, so each alternative is a ``str.find``: the leftmost one found is
    the regex's match (no two alternatives start with the same character). Each
    alternative's next position is kept until the caller's position passes it, so the
    text is scanned once per alternative: linear, as the regex search is. ``pos`` must
    not decrease between calls.
    """
    ahead = [-2] * len(_TRIGGERS)  # next match per alternative; -1: none left, -2: not looked

    def find(pos: int) -> tuple[int, int, str] | None:
        best: tuple[int, int, str] | None = None
        for i, (trig, boundary) in enumerate(_TRIGGERS):
            at = ahead[i]
            if -1 < at < pos or at == -2:
                at = lowered.find(trig, pos)
                # \b before a word character: the one before it (if any) is no word character.
                while boundary and at > 0 and (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
                    at = lowered.find(trig, at + 1)
                ahead[i] = at
            if at >= 0 and (best is None or at < best[0]):
                best = (at, at + len(trig), trig)
        return best

    return find


def _trim(text: str, start: int, end: int) -> str:
    """Strip trailing punctuation and unbalanced closing brackets (as linkifiers do)."""
    segment = text[start : min(end, start + MAX_URL_LENGTH + 64)]
    if end - start > len(segment):
        return segment
    opens = {c: segment.count(c) for c in "([{"}
    closes = {c: segment.count(c) for c in ")]}"}
    stop = len(segment)
    while stop > 0:
        c = segment[stop - 1]
        if c in _TRAILING:
            stop -= 1
        elif c in _CLOSERS and closes[c] > opens[_CLOSERS[c]]:
            closes[c] -= 1
            stop -= 1
        else:
            break
    return segment[:stop]


def _srcset(value: str) -> list[str]:
    """The URLs of a ``srcset`` (HTML §4.8.4.3.10: URL, descriptors, comma)."""
    out: list[str] = []
    pos = 0
    n = len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", pos)
            pos = n if comma < 0 else comma + 1
        if url:
            out.append(url)
    return out


def _css_urls(css: str) -> list[str]:
    """``url(...)`` and ``@import "..."`` references in CSS; linear."""
    out: list[str] = []
    pos = 0
    n = len(css)
    next_close = -2
    while pos < n:
        m = _CSS_URL.search(css, pos)
        if m is None:
            break
        p = m.end()
        while p < n and css[p].isspace():
            p += 1
        if p < n and css[p] in "\"'":
            q = css[p]
            close = css.find(q, p + 1)
            if close < 0:
                break
            out.append(css[p + 1 : close])
            pos = close + 1
            continue
        if m.group().lower().startswith("@import"):
            pos = p
            continue
        if next_close != -1 and next_close < p:
            next_close = css.find(")", p)
        if next_close < 0:
            break
        out.append(css[p:next_close].strip())
        pos = next_close + 1
    return out


def _meta_refresh(content: str) -> str | None:
    lowered = content.lower()
    i = lowered.find("url")
    if i < 0:
        return None
    rest = content[i + 3 :].lstrip()
    if not rest.startswith("="):
        return None
    rest = rest[1:].strip().strip("\"'")
    return rest or None


class _Collector:
    """Turns found strings into URL records for one part; shared by all scanners."""

    def __init__(self, sink: list[URL], hosts: dict[str, HostInfo], part: str, content_type: str) -> None:
        self.sink = sink
        self.hosts = hosts
        self.part = part
        self.content_type = content_type
        self.base: str | None = None
        self.extra: tuple[str, ...] = ()

    def add(
        self,
        raw: str,
        source: str,
        tag: str | None = None,
        *,
        obfuscation: Sequence[str] = (),
        base: bool = True,
        text: str | None = None,
    ) -> URL | None:
        if len(self.sink) >= MAX_URLS:
            raise _LimitReached
        parsed = _parse(raw, base=self.base if base else None, hosts=self.hosts)
        if parsed is None:
            return None
        obf = tuple(dict.fromkeys((*obfuscation, *parsed.obfuscation, *self.extra)))
        extra: dict[str, object] = {}
        if text is not None:
            extra["text"] = text
            domains = find_domains(text, limit=5)
            if domains:
                shown, mismatch = _mismatch(domains, parsed.host)
                extra["text_domain"] = shown
                extra["text_mismatch"] = mismatch
        record = _record(
            _Parsed(
                url=parsed.url,
                scheme=parsed.scheme,
                host=parsed.host,
                userinfo=parsed.userinfo,
                obfuscation=obf,
                truncated=parsed.truncated,
            ),
            part=self.part,
            content_type=self.content_type,
            source=source,
            tag=tag,
            **extra,
        )
        self.sink.append(record)
        self._embedded(record)
        return record

    def _embedded(self, outer: URL) -> None:
        """URLs carried in the query or fragment of ``outer`` (redirectors).

        The query (and the fragment) is split into parameters first, on ``&`` and ``;``,
        as the redirector's server splits it; each value is then percent-decoded (twice at
        most: double encoding is common) and read for a URL. So ``?u=https%3A%2F%2Fa.example
        %2Fx&h=1`` carries ``https://a.example/x``, not ``https://a.example/x&h=1``.
        """
        if outer.scheme not in ("http", "https") or outer.source == "embedded":
            return
        url = outer.url
        q = url.find("?")
        h = url.find("#")
        self._embedded_in_path(outer, q, h)
        if q < 0 and h < 0:
            return
        tail = url[min(i for i in (q, h) if i >= 0) + 1 :]
        lowered = tail.lower()
        if "http" not in lowered and "www." not in lowered:
            return
        pieces: list[str] = []
        for section in tail.split("#"):
            pieces.extend(_PARAM_SPLIT.split(section))
        for piece in pieces:
            low = piece.lower()
            if "http" not in low and "www." not in low:
                continue
            eq = piece.find("=")
            value = piece[eq + 1 :] if eq >= 0 else piece
            if "%" in value:
                value = unquote(value, errors="replace")
                if "%" in value:
                    value = unquote(value, errors="replace")
            for found, _pct in _text_urls(value):
                if len(self.sink) >= MAX_URLS:
                    raise _LimitReached
                parsed = _parse(found, base=None, hosts=self.hosts)
                if parsed is None or parsed.host is None:
                    continue
                self._add_embedded(parsed, outer)

    def _embedded_in_path(self, outer: URL, q: int, h: int) -> None:
        """A URL carried in the path of ``outer`` (``https://redir.example/go/https://x.example/``).

        Redirectors and open redirects also take the target from the path. The path
        (after the authority, before the query and fragment) is percent-decoded (twice at
        most, so ``%68ttp`` is ``http``) and searched once for ``http://`` or
        ``https://``; the first one found, with the rest of the path and the query, is
        the carried URL (one per outer URL), read as any other (userinfo, host).
        Percent-encoding in its scheme name only hides it: ``percent-encoded-url``.
        """
        url = outer.url
        ends = [i for i in (q, h) if i >= 0]
        stop = min(ends) if ends else len(url)
        authority = _TO_PATH.match(url, 0, stop)  # scheme, slashes, authority
        path_at = authority.end() if authority is not None else stop
        if path_at >= stop:
            return
        path = url[path_at:stop]
        lowered = path.lower()
        if "%" not in path and "http" not in lowered:
            return
        found = _PATH_URL.search(path)
        decoded = path
        rounds = 0
        while found is None and "%" in decoded and rounds < 2:
            decoded = unquote(decoded, errors="replace")
            rounds += 1
            found = _PATH_URL.search(decoded)
        if found is None:
            return
        inner = decoded[found.start() :]
        if 0 <= q < (h if h >= 0 else len(url)):
            inner += url[q : h if h >= 0 else len(url)]
        # The scheme name itself percent-encoded (%68ttp): a disguise, not URL syntax.
        hidden = rounds > 0 and found.group().split(":", 1)[0].lower() not in lowered
        for candidate, _pct in _text_urls(inner):
            if len(self.sink) >= MAX_URLS:
                raise _LimitReached
            parsed = _parse(candidate, base=None, hosts=self.hosts)
            if parsed is not None and parsed.host is not None:
                if hidden:
                    parsed = dataclasses.replace(
                        parsed, obfuscation=tuple(dict.fromkeys(("percent-encoded-url", *parsed.obfuscation)))
                    )
                self._add_embedded(parsed, outer)
            return  # the first URL only: the one the redirector takes

    def _add_embedded(self, parsed: _Parsed, outer: URL) -> None:
        """Record ``parsed``, a URL carried inside ``outer`` (its query, fragment or path)."""
        self.sink.append(
            _record(
                parsed,
                part=self.part,
                content_type=self.content_type,
                source="embedded",
                tag=outer.tag,
                embedded_in=outer.url,
            )
        )

    def scan_plain(self, text: str) -> None:
        """A plain-text body: URLs in ``<...>`` wrapped across lines joined (see
        :func:`_wrapped_urls`), the rest read by :meth:`scan_text`."""
        pos = 0
        for start, end, joined in _wrapped_urls(text):
            self.scan_text(text[pos:start], "text")
            self.add(joined, "text", base=False)
            pos = end
        self.scan_text(text[pos:] if pos else text, "text")

    def scan_text(self, text: str, source: str) -> None:
        for found, pct in _text_urls(text):
            self.add(found, source, obfuscation=("percent-encoded-url",) if pct else (), base=False)


_ANGLE_URL = re.compile(r"<(?:URL:)?[ \t]*([A-Za-z][A-Za-z0-9+.\-]{1,31}:)", re.IGNORECASE)
#: A URL in angle brackets is joined across lines up to this many characters.
_MAX_WRAPPED = 2048


def _wrapped_urls(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` for each URL written in ``<...>`` across line breaks.

    RFC 3986 Appendix C: in plain text a URI delimited by ``<`` and ``>`` (or
    ``<URL:`` and ``>``) may be wrapped over lines, and the whitespace around the line
    breaks is not part of it. A bracket counts when it opens with a scheme name, closes
    within 2048 characters with no ``<`` before the ``>``, and each line
    inside is one run without whitespace (no blank line, no prose). Single-line brackets
    are left to the ordinary scanner. Each stretch of text between two ``<`` is read
    once at most: linear.
    """
    if "<" not in text or "\n" not in text:
        return []
    out: list[tuple[int, int, str]] = []
    pos = 0
    for m in _ANGLE_URL.finditer(text):
        start = m.start()
        if start < pos:
            continue
        limit = min(len(text), start + _MAX_WRAPPED)
        following = text.find("<", start + 1, limit)
        if following >= 0:
            limit = following
        close = text.find(">", m.end(), limit)
        if close < 0:
            continue
        inner = text[m.start(1) : close]
        if "\n" not in inner:
            continue
        lines = [line.strip() for line in inner.split("\n")]
        if any(not line or len(line.split()) > 1 for line in lines):
            continue
        out.append((start, close + 1, "".join(lines)))
        pos = close + 1
    return out


def _mismatch(domains: Sequence[str], host: HostInfo | None) -> tuple[str, bool]:
    """The domain the text shows, and whether the link goes to another organization."""
    shown = domains[0]
    if host is None or host.ascii is None:
        return shown, False
    target = host.registered_domain or host.ascii
    for d in domains:
        org = _org(d) or d
        if org == target or host.ascii == d:
            return d, False
    return shown, True


class _HTMLScanner(Tokenizer):
    def __init__(self, collector: _Collector, *, depth: int = 0) -> None:
        self.c = collector
        self.depth = depth
        self.link: tuple[str, str, bool] | None = None  # (tag, href, encoded)
        self.link_text: list[str] = []
        self.link_len = 0

    def feed_html(self, doc: str) -> None:
        self.feed(doc)
        self._close_link()

    def _close_link(self) -> None:
        if self.link is None:
            return
        tag, href, encoded = self.link
        self.link = None
        text = " ".join("".join(self.link_text).split())[:_MAX_LINK_TEXT]
        self.link_text = []
        self.link_len = 0
        self.c.add(href, "href", tag, obfuscation=("entity-encoded",) if encoded else (), text=text)

    def _append_text(self, text: str) -> None:
        if self.link is not None and self.link_len < _MAX_LINK_TEXT:
            piece = text[: _MAX_LINK_TEXT - self.link_len]
            self.link_text.append(piece)
            self.link_len += len(piece)

    def on_start(self, name: str, attrs: dict[str, str], encoded: bool) -> None:
        if name in ("a", "area"):
            self._close_link()  # an <a> inside an open <a> closes it (adoption agency)
        if not attrs:
            return
        c = self.c
        enc = ("entity-encoded",) if encoded else ()
        if name == "base" and "href" in attrs and c.base is None:
            c.add(attrs["href"], "base", name, obfuscation=enc, base=False)
            c.base = attrs["href"].strip() or None
            return
        for attr, value in attrs.items():
            if attr == "href" and name in ("a", "area"):
                continue
            if attr in _URL_ATTRS:
                c.add(value, "href" if attr == "xlink:href" else attr, name, obfuscation=enc)
            elif attr == "srcset":
                for u in _srcset(value)[:_MAX_CANDIDATES]:
                    c.add(u, "srcset", name, obfuscation=enc)
            elif attr == "style":
                for u in _css_urls(value)[:_MAX_CANDIDATES]:
                    c.add(u, "css", name, obfuscation=enc)
            elif attr == "content" and name == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
                target = _meta_refresh(value)
                if target:
                    c.add(target, "meta-refresh", name, obfuscation=enc)
            elif attr == "xmlns" or attr.startswith("xmlns:"):
                continue  # an XML namespace name is an identifier, never fetched or followed
            elif _ABSOLUTE.match(value):
                c.add(value, f"attr:{attr[:40]}", name, obfuscation=enc)
        if name == "img" and "alt" in attrs:
            self._append_text(" " + attrs["alt"] + " ")
        if name in ("a", "area") and "href" in attrs:
            self.link = (name, attrs["href"], encoded)
            if name == "area":
                self._append_text(attrs.get("alt", ""))
                self._close_link()

    def on_end(self, name: str) -> None:
        if name == "a":
            self._close_link()

    def on_text(self, text: str) -> None:
        if self.link is not None:
            self._append_text(text)
        else:
            self.c.scan_text(text, "text")

    def on_comment(self, text: str) -> None:
        # Outlook renders the HTML inside conditional comments (<!--[if mso]>...):
        # read a comment's markup once more, one level deep (linear: 2x at most).
        lowered = text[:4096].lower()
        if self.depth == 0 and "<" in text and ("://" in text or "www." in lowered or "href" in lowered):
            saved = self.c.extra
            self.c.extra = ("in-comment",)
            try:
                _HTMLScanner(self.c, depth=1).feed_html(text)
            finally:
                self.c.extra = saved
        elif "://" in text or "www." in lowered:
            saved = self.c.extra
            self.c.extra = ("in-comment",)
            try:
                self.c.scan_text(text, "comment")
            finally:
                self.c.extra = saved

    def on_raw(self, name: str, text: str) -> None:
        if name == "style":
            for u in _css_urls(text):
                self.c.add(u, "css", name)
        elif name == "script":
            self.c.scan_text(text, "script")
        else:
            self.c.scan_text(unescape(text), "text")


def _calendar_text(text: str) -> str:
    """Unfold iCalendar lines (RFC 5545 §3.1) and undo its text escapes (§3.3.11)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return unfolded.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")


def _kind(part: Part) -> str | None:
    """How to read a part for URLs: "html", "text", "calendar" or None."""
    ctype = part.content_type
    name = (part.filename or "").lower()
    if ctype in ("text/html", "application/xhtml+xml", "image/svg+xml", "text/x-amp-html") or name.endswith(
        (".html", ".htm", ".xhtml", ".svg", ".shtml")
    ):
        return "html"
    if ctype == "text/calendar" or name.endswith((".ics", ".vcs")):
        return "calendar"
    if ctype in ("text/plain", "text/enriched", "text/richtext") or ctype.startswith("multipart/"):
        return "text"
    if ctype.startswith("text/") and part.disposition != "attachment":
        return "text"
    return None


_FTP_ACCESS = {"anon-ftp": "ftp", "ftp": "ftp", "tftp": "tftp"}
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def _external_body_url(part: Part) -> str | None:
    """The URL a ``message/external-body`` part refers to, built from its parameters.

    RFC 2046 §5.2.3: ``access-type=anon-ftp`` (or ``ftp``, ``tftp``) with ``site``,
    ``directory`` and ``name`` is ``ftp://site/directory/name`` (``tftp://`` for TFTP);
    ``mail-server`` with ``server`` (and ``subject``) is ``mailto:server?subject=...``;
    RFC 2017 ``access-type=URL`` carries the URL itself in ``URL=`` (whitespace removed).
    None for the other access types (``local-file``, ``afs``) or missing parameters.
    Nothing is fetched.
    """
    if part.content_type != "message/external-body" or part.obj is None:
        return None
    msg = part.obj

    def param(name: str) -> str:
        value = _param(msg, name, "content-type")
        return "".join(value.split())[:MAX_URL_LENGTH] if value else ""

    access = param("access-type").lower()
    if access == "url":
        return param("url") or None
    if access in _FTP_ACCESS:
        site, name = param("site"), param("name")
        if not site or not name:
            return None
        path = "/".join(p for p in (param("directory").strip("/"), name.lstrip("/")) if p)
        return f"{_FTP_ACCESS[access]}://{site}/{quote(path, safe=_PATH_SAFE)}"
    if access == "mail-server":
        server = param("server")
        if "@" not in server:
            return None
        subject = _param(msg, "subject", "content-type")
        return f"mailto:{server}" + (f"?subject={quote(subject[:500], safe='')}" if subject else "")
    return None


def _scan_part(part: Part, sink: list[URL], hosts: dict[str, HostInfo]) -> None:
    if part.content_type == "message/external-body":
        ref = _external_body_url(part)
        if ref:
            _Collector(sink, hosts, part.section, part.content_type).add(ref, "external-body", base=False)
        return
    kind = _kind(part)
    if kind is None:
        return
    text, _note = decode_text(part.payload, part.charset)
    collector = _Collector(sink, hosts, part.section, part.content_type)
    if kind == "html":
        _HTMLScanner(collector).feed_html(text)
    elif kind == "calendar":
        collector.scan_text(_calendar_text(text), "calendar")
    else:
        collector.scan_plain(text)


def _findings(urls: Sequence[URL], truncated: bool) -> tuple[Finding, ...]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(code: FindingCode, key: str, severity: Severity, u: URL, detail: str) -> None:
        if (code, key) in seen:
            return
        seen.add((code, key))
        out.append(
            Finding(
                code=code,
                severity=severity,
                where=f"part {u.part} ({u.source})",
                detail=detail,
                evidence=(("url", u.url[:300]),) + ((("text", u.text[:200]),) if u.text else ()),
            )
        )

    for u in urls:
        host = u.host_ascii or u.host or ""
        if u.text_mismatch:
            add(
                FindingCode.URL_TEXT_MISMATCH,
                f"{u.text_domain}>{host}",
                Severity.WARNING,
                u,
                f"The link text shows {u.text_domain} but the link goes to {u.host_unicode or host}.",
            )
        if u.ip_literal and u.host_ascii:
            add(FindingCode.URL_IP_LITERAL, host, Severity.NOTICE, u, f"The URL's host is an IP address ({host}).")
        if u.idn and u.host_ascii:
            add(
                FindingCode.URL_IDN,
                host,
                Severity.NOTICE,
                u,
                f"The URL's host is an internationalized name: shown {u.host_unicode}, really {u.host_ascii}.",
            )
        if u.userinfo is not None:
            shows = find_domains(u.userinfo, limit=1)
            add(
                FindingCode.URL_USERINFO,
                host,
                Severity.ALERT if shows else Severity.WARNING,
                u,
                f"The URL puts {u.userinfo[:80]!r} before '@': the host is {host}"
                + (f", not {shows[0]}." if shows else "."),
            )
        tricks = [o for o in u.obfuscation if o not in ("userinfo", "trailing-dot", "scheme-relative", "in-comment")]
        if tricks:
            add(
                FindingCode.URL_OBFUSCATED,
                host + "|" + ",".join(tricks),
                Severity.NOTICE if tricks == ["entity-encoded"] or tricks == ["whitespace"] else Severity.WARNING,
                u,
                f"The URL is disguised ({', '.join(tricks)}); it goes to {u.host_unicode or host or u.scheme}.",
            )
        inline_data = u.scheme == "data" and (
            u.source in ("srcset", "css") or (u.source == "src" and u.tag != "iframe")
        )
        if u.scheme in _DANGEROUS and u.source not in ("text", "script", "comment") and not inline_data:
            add(
                FindingCode.URL_DANGEROUS_SCHEME,
                u.scheme or "",
                _DANGEROUS[u.scheme],
                u,
                f"A {u.scheme}: URL in {u.source} of <{u.tag or '?'}>.",
            )
    if truncated:
        out.append(
            Finding(
                code=FindingCode.URL_LIMIT,
                severity=Severity.NOTICE,
                where="message",
                detail=f"More than {MAX_URLS} URLs: only the first {MAX_URLS} were read.",
            )
        )
    return tuple(out)


def _extract_parts(parts: Sequence[Part]) -> URLExtraction:
    sink: list[URL] = []
    hosts: dict[str, HostInfo] = {}
    truncated = False
    for part in parts:
        try:
            _scan_part(part, sink, hosts)
        except _LimitReached:
            truncated = True
            break
        except RecursionError:
            continue
    urls = tuple(sink)
    return URLExtraction(urls=urls, findings=_findings(urls, truncated), truncated=truncated)


def extract(message: Message) -> URLExtraction:
    """Every URL in ``message``'s text and HTML parts (and HTML/SVG/calendar attachments).

    Parameters
    ----------
    message
        The message. Never fetched from, never raises for its content.

    Returns
    -------
    URLExtraction
        The URLs and the findings about them.
    """
    parts, _cut = walk(message)
    return _extract_parts(parts)


def extract_text(text: str, *, content_type: str = "text/plain", part: str = "1") -> URLExtraction:
    """The URLs in one decoded body (for tests and for text already at hand).

    Parameters
    ----------
    text
        The decoded text.
    content_type
        ``"text/html"`` to read it as HTML, ``"text/calendar"`` as iCalendar; anything
        else is read as plain text.
    part
        The section number to record.
    """
    fake = Part(section=part, content_type=content_type, charset="utf-8", payload=text.encode("utf-8", "replace"))
    return _extract_parts((fake,))
