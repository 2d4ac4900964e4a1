"""The fast DKIM/ARC verification path: C-backed canonicalization and RSA.

A batch verifies hundreds of thousands of signatures; the reference implementations do
much of that work in pure Python: dkimpy canonicalizes with regular expressions that
the ``re`` engine matches byte by byte (``[\\t ]+`` has no literal to search for), and
checks RSA signatures with ``pow`` on Python integers. Here the same functions are
built from ``bytes`` methods (``replace``, ``in``, ``lower``, ``strip``: C loops over
the buffer), and RSASSA-PKCS1-v1_5 is verified by OpenSSL through ``cryptography``, with
the public key object made once per key. Ed25519 already goes through PyNaCl (C).

Each function gives exactly what its reference gives, for every input:

- :func:`relaxed_body`, :func:`simple_body`, :func:`relaxed_headers` — dkimpy's
  ``Relaxed``/``Simple`` (``dkim.canonicalization``), including its treatment of bare CR
  and LF and of trailing empty lines;
- :func:`compress_wsp` — ``re.sub(rb"[ \\t]+", b" ", value)``;
- :func:`crlf` — ``re.sub(rb"\\r?\\n", b"\\r\\n", data)``;
- :func:`parse_tag_value` — dkimpy's ``dkim.util.parse_tag_value`` (RFC 6376 §3.2 tag
  lists), raising the same exceptions with the same text;
- :func:`strip_b_tag` — dkimpy's ``RE_BTAG.sub(b"\\1", value)`` (the ``b=`` value
  removed from a signature field, RFC 6376 §3.7);
- :func:`rsa_pkcs1_verify` — RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of a
  precomputed digest. OpenSSL is asked only in the regular case (a signature of exactly
  the modulus length, numerically below the modulus, a key OpenSSL accepts); it then
  answers what the pure-Python check answers (both compare the whole encoded message).
  In every other case the function returns None and the caller uses its own reference
  path, so the lenient or strict handling of odd signatures stays that of the caller.

``ENABLED = False`` (or :func:`disabled`) switches the callers in
:mod:`mailforensics.auth.dkim` and :mod:`mailforensics.auth.arc` back to the reference
implementations; the tests compare both paths on every DKIM and ARC vector.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import dkim.util as _dkim_util

__all__ = [
    "ENABLED",
    "canonicalize_body",
    "compress_wsp",
    "crlf",
    "disabled",
    "parse_tag_value",
    "relaxed_body",
    "relaxed_headers",
    "rsa_pkcs1_verify",
    "simple_body",
    "strip_b_tag",
]

#: Use the fast path (True) or the reference implementations (False).
ENABLED = True


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Run the reference implementations for the duration (tests, comparisons)."""
    global ENABLED
    saved = ENABLED
    ENABLED = False
    try:
        yield
    finally:
        ENABLED = saved


# --- canonicalization (RFC 6376 §3.4) ---------------------------------------------------------


def compress_wsp(value: bytes) -> bytes:
    """Every run of SP and HTAB as one SP: ``re.sub(rb"[ \\t]+", b" ", value)``."""
    if b"\t" in value:
        value = value.replace(b"\t", b" ")
    while b"  " in value:
        value = value.replace(b"  ", b" ")
    return value


def crlf(data: bytes) -> bytes:
    """Every LF as CRLF, CRLF kept: ``re.sub(rb"\\r?\\n", b"\\r\\n", data)``."""
    if b"\n" not in data:
        return data
    if b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    return data.replace(b"\n", b"\r\n")


def _strip_trailing_lines(content: bytes) -> bytes:
    """dkimpy's ``strip_trailing_lines``: one CRLF at the end, exactly (RFC 6376 §3.4.3)."""
    size = len(content)
    end = size
    while end >= 2 and content[end - 2] == 0x0D and content[end - 1] == 0x0A:
        end -= 2
    if end == size:
        return content + b"\r\n"
    return content[: end + 2] if end + 2 != size else content


def simple_body(body: bytes) -> bytes:
    """The "simple" body canonicalization (RFC 6376 §3.4.3), as dkimpy's ``Simple``."""
    return _strip_trailing_lines(body)


def relaxed_body(body: bytes) -> bytes:
    """The "relaxed" body canonicalization (RFC 6376 §3.4.4), as dkimpy's ``Relaxed``.

    dkimpy removes ``[\\t ]+`` before each CRLF, then turns every other run into one SP;
    turning every run into one SP first and then removing the SP before each CRLF gives
    the same bytes.
    """
    body = compress_wsp(body)
    if b" \r\n" in body:
        body = body.replace(b" \r\n", b"\r\n")
    body = _strip_trailing_lines(body)
    return b"" if body == b"\r\n" else body


def canonicalize_body(algorithm: str, body: bytes) -> bytes:
    """``"simple"`` or ``"relaxed"`` body canonicalization (the reference when disabled)."""
    if not ENABLED:
        from dkim.canonicalization import Relaxed, Simple

        return (Relaxed if algorithm == "relaxed" else Simple).canonicalize_body(body)
    return relaxed_body(body) if algorithm == "relaxed" else simple_body(body)


def relaxed_headers(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The "relaxed" header canonicalization (RFC 6376 §3.4.2), as dkimpy's
    ``Relaxed.canonicalize_headers``: names lower-cased (trailing WSP removed), values
    unfolded (``\\r?\\n`` removed), WSP runs as one SP, stripped, CRLF-terminated."""
    if not ENABLED:
        from dkim.canonicalization import Relaxed

        return list(Relaxed.canonicalize_headers(headers))
    out = []
    for name, value in headers:
        if b"\n" in value:
            value = value.replace(b"\r\n", b"").replace(b"\n", b"")
        out.append((name.lower().rstrip(), compress_wsp(value).strip() + b"\r\n"))
    return out


# --- tag lists (RFC 6376 §3.2) ------------------------------------------------------------------


def parse_tag_value(tag_list: bytes) -> dict[bytes, bytes]:
    """A tag list as dkimpy's ``parse_tag_value`` reads it: split on ``;`` (one trailing
    ``;`` allowed), each spec on its first ``=``, key and value stripped; a spec without
    ``=`` or whose key does not start with a letter raises ``InvalidTagSpec``, a repeated
    key ``DuplicateTag``. dkimpy matches the key with an uncompiled ``re.match`` per tag;
    ``bytes.isalpha`` (ASCII letters only) says the same."""
    if not ENABLED:
        return _dkim_util.parse_tag_value(tag_list)
    tags: dict[bytes, bytes] = {}
    specs = tag_list.strip().split(b";")
    if not specs[-1]:
        specs.pop()
    for spec in specs:
        key, eq, value = spec.partition(b"=")
        if not eq:
            raise _dkim_util.InvalidTagSpec(spec)
        key = key.strip()
        if not key[:1].isalpha():
            raise _dkim_util.InvalidTagSpec(spec)
        if key in tags:
            raise _dkim_util.DuplicateTag(key)
        tags[key] = value.strip()
    return tags


# --- the b= tag (RFC 6376 §3.7) ------------------------------------------------------------------

# dkimpy's RE_BTAG is ``([;\s]b FWS =)(?: FWS [a-zA-Z0-9+/=])*(?:\r?\n\Z)?`` with
# FWS = ``(?:(?:\s*\r?\n)?\s+)?``. FWS matches exactly the runs of white space (empty
# included), and nothing after the repetition can fail, so the greedy match is the
# longest run of white space and base64 characters that ends in a base64 character:
# what the pattern below says without a group per character.
_B_TAG = re.compile(rb"([;\s]b\s*=)(?:[\sa-zA-Z0-9+/=]*[a-zA-Z0-9+/=])?(?:\r?\n\Z)?")


def strip_b_tag(value: bytes) -> bytes:
    """The signature field's value with the ``b=`` value removed (RFC 6376 §3.7), as
    dkimpy's ``RE_BTAG.sub(b"\\1", value)`` gives it."""
    if not ENABLED:
        import dkim

        return dkim.RE_BTAG.sub(b"\\1", value)
    return _B_TAG.sub(b"\\1", value)


# --- RSA (RFC 8017 §8.2.2) ------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _public_key(n: int, e: int) -> Any:
    """A ``cryptography`` RSA public key for (n, e), or None if OpenSSL will not take it."""
    try:
        from cryptography.hazmat.primitives.asymmetric import rsa

        return rsa.RSAPublicNumbers(e, n).public_key()
    except Exception:  # an exponent or modulus OpenSSL refuses: the caller's path decides
        return None


@lru_cache(maxsize=4)
def _prehashed(hash_name: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    return Prehashed(hashes.SHA256() if hash_name == "sha256" else hashes.SHA1())


def rsa_pkcs1_verify(n: int, e: int, hash_name: str, digest: bytes, signature: bytes) -> bool | None:
    """RSASSA-PKCS1-v1_5 verification of ``digest`` by OpenSSL; None where the caller's
    own path must decide (disabled, an odd signature length or value, a key OpenSSL
    refuses, a hash other than SHA-256/SHA-1).

    Parameters
    ----------
    n, e
        The public key.
    hash_name
        ``"sha256"`` or ``"sha1"``.
    digest
        The message digest (not the DigestInfo).
    signature
        The signature octets.
    """
    if not ENABLED or hash_name not in ("sha256", "sha1"):
        return None
    k = (n.bit_length() + 7) // 8
    if len(signature) != k or k < 62 or int.from_bytes(signature, "big") >= n:
        return None
    key = _public_key(n, e)
    if key is None:
        return None
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        key.verify(signature, digest, padding.PKCS1v15(), _prehashed(hash_name))
    except InvalidSignature:
        return False
    except Exception:  # anything unexpected from OpenSSL: let the reference decide
        return None
    return True
