"""DKIM verification (RFC 6376, RFC 8301, RFC 8463) that says *what* failed.

:func:`verify` returns one :class:`DKIMResult` per DKIM-Signature field, top first. Each
result carries an RFC 8601 result token (``result``), a stable reason token (``reason``,
see :data:`REASONS`), and the two cryptographic checks evaluated **independently**:
``body_hash_ok`` (the ``bh=`` of RFC 6376 §3.7) and ``signature_ok`` (the ``b=`` over the
signed header fields). A footer appended by a mailing list gives ``body_hash_ok=False,
signature_ok=True``; a replaced Subject gives ``body_hash_ok=True, signature_ok=False``.

The pieces come from dkimpy (tag-list parsing, canonicalization, the ``b=`` removal, the
RSA key parser); the hashing and the signature check are done here so that both checks
always run. Ed25519 (RFC 8463) goes through PyNaCl, as in dkimpy.

Verdicts (RFC 8601 §2.7.1 result tokens)
---------------------------------------
``pass``       both checks succeed and nothing below applies.
``fail``       a cryptographic check failed: ``body-hash-mismatch``, ``signature-mismatch``.
``neutral``    the signature could not be processed (RFC 8601: "contained syntax errors or
               were not otherwise able to be processed"): ``malformed`` (including an
               ``l=`` beyond the canonicalized body, RFC 6376 §3.5; both checks still run),
               ``algorithm-unsupported`` (the signature's ``a=``, ``c=`` or ``q=``).
``permerror``  RFC 6376 §6.1 PERMFAIL that is not a cryptographic failure: ``no-key``,
               ``key-revoked``, ``key-malformed``, ``key-mismatch`` (the key's ``k=``,
               ``h=``, ``s=`` or ``t=s`` rule out this signature, an unknown ``k=``
               included: RFC 6376 §3.6.1, §6.1.2), ``from-not-signed``,
               ``identity-mismatch``.
``temperror``  the key lookup failed temporarily (RFC 6376 §6.1.2 step 3): ``dns-temperror``.
``policy``     the signature may well be cryptographically sound, but a rule forbids
               accepting it (RFC 8601: "some aspect of the signature ... was not
               acceptable"): ``algorithm-forbidden`` (rsa-sha1, RFC 8301 §3.1),
               ``key-too-small`` (RSA < 1024 bits, RFC 8301 §3.2), ``expired`` (``x=``,
               RFC 6376 §3.5), ``future-timestamp`` (``t=``, RFC 6376 §3.5),
               ``from-duplicated`` (an unsigned From instance, RFC 6376 §8.15), and
               ``converted-message`` (see :func:`verify_message`).

RFC 8301 §3.1 says rsa-sha1 "MUST NOT be used for signing or verifying". We still run the
checks (the analyst wants to know whether the bytes are intact), but never return
``pass``: an rsa-sha1 signature whose checks succeed is ``policy``, one whose checks fail
is ``fail``. The same holds for RSA keys under 1024 bits (RFC 8301 §3.2: "MUST NOT
consider ... as valid signatures"), expired signatures and future timestamps.

When several reasons apply, ``reasons`` lists them all and ``reason`` is the first by
precedence: signature syntax (§6.1.1) → key (§6.1.2) → cryptography (§6.1.3) → policy.

As of when
----------
``x=`` and ``t=`` are judged at ``ctx.current_time(delivery=...)``: with
``Context(now="delivery")`` at the top Received hop's timestamp (the time the final
receiver judged it, RFC 6376 §3.5: "the time that the message was first received at the
administrative domain of the Verifier"), with a datetime at that time, with None at the
system clock. Differences under ``Config.clock_tolerance_s`` are ignored.

Line endings
------------
Signatures are over CRLF lines (RFC 5322 §2.1, RFC 6376 §3.4). A message with no CR at
all (an mbox, a client's saved ``.eml``) is verified in its CRLF form and the result says
``line_endings="lf"``; a message with some CRLF and some bare LF is verified as it is
(``"mixed"``; header lines are split on either, as every parser does).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import dkim as _dkimpy
import nacl.exceptions
import nacl.signing
from dkim.canonicalization import Relaxed, Simple
from dkim.crypto import UnparsableKeyError, parse_public_key
from dkim.util import InvalidTagValueList

from mailforensics.auth import _fastverify
from mailforensics.auth._dkimdns import KeyLookup, delivery_time, dnsfunc_for, key_lookup, message_delivery_time
from mailforensics.auth._fastverify import parse_tag_value
from mailforensics.findings import Finding, FindingCode, Severity

if TYPE_CHECKING:
    from mailforensics.context import Context
    from mailforensics.message import Message

__all__ = [
    "ADDABLE_WATCHED",
    "REASONS",
    "SINGLETON_HEADERS",
    "DKIMResult",
    "PreparedMessage",
    "Verifier",
    "detailed_verifier",
    "dkimpy_verifier",
    "verify",
    "verify_message",
]

#: Reason token → RFC 8601 result token. The tokens are stable: users filter on them.
REASONS: Mapping[str, str] = MappingProxyType(
    {
        # RFC 6376 §6.1.1: the signature field itself
        "malformed": "neutral",
        "algorithm-unsupported": "neutral",
        "identity-mismatch": "permerror",
        "from-not-signed": "permerror",
        # RFC 6376 §6.1.2: the key
        "dns-temperror": "temperror",
        "no-key": "permerror",
        "key-malformed": "permerror",
        "key-revoked": "permerror",
        "key-mismatch": "permerror",
        # RFC 6376 §6.1.3: the cryptography
        "body-hash-mismatch": "fail",
        "signature-mismatch": "fail",
        # rules that forbid accepting an otherwise verifiable signature
        "algorithm-forbidden": "policy",
        "key-too-small": "policy",
        "expired": "policy",
        "future-timestamp": "policy",
        "from-duplicated": "policy",
        "converted-message": "policy",
    }
)
_PRECEDENCE = {token: i for i, token in enumerate(REASONS)}

#: Header fields watched for addition (``addable_headers``): what a reader sees.
ADDABLE_WATCHED = ("From", "Subject", "To", "Date", "Reply-To", "Cc", "Content-Type", "MIME-Version")
#: Fields that may appear at most once (RFC 5322 §3.6 table; RFC 2045 for MIME):
#: a second instance is an injection risk (``duplicated_headers``).
SINGLETON_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)

# a= tags (RFC 6376 §3.3, RFC 8463 §3): algorithm → (key type, hash name)
_ALGORITHMS = {
    "rsa-sha256": ("rsa", "sha256"),
    "ed25519-sha256": ("ed25519", "sha256"),
    "rsa-sha1": ("rsa", "sha1"),  # RFC 8301 §3.1: known, but never acceptable
}
_HASHES: dict[str, Callable[..., Any]] = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
# RFC 8017 §9.2 note 1: the DER DigestInfo prefixes of EMSA-PKCS1-v1_5.
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
}
_CANON = {"simple": Simple, "relaxed": Relaxed}
_MIN_RSA_BITS = 1024  # RFC 8301 §3.2
_FIELD_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+\Z")  # RFC 5322 §3.6.8 ftext
_B64 = re.compile(rb"[\s0-9A-Za-z+/]*[\s=]*\Z")
_DIGITS = re.compile(rb"\d+\Z")
_LENGTH = re.compile(rb"\d{1,76}\Z")  # RFC 6376 §3.5 l=
_DOMAIN_SPECIALS = re.compile(rb"[()<>\[\]:;@\\,\s]")
_HEADER_LIST_SPLIT = re.compile(rb"\s*:\s*")
_WSP = re.compile(rb"\s+")
_WSP_BYTES = b" \t\n\r\x0b\x0c"  # what \s matches in a bytes pattern: deleted by bytes.translate


@lru_cache(maxsize=8)
def _keyed(names: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    """Each field name with its lower-case bytes form (the key of ``PreparedMessage.counts``)."""
    return tuple((h, h.lower().encode()) for h in names)


# --- the record ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class DKIMResult:
    """The verification of one DKIM-Signature field.

    Parameters
    ----------
    result
        RFC 8601 §2.7.1 token: ``"pass"``, ``"fail"``, ``"neutral"``, ``"temperror"``,
        ``"permerror"`` or ``"policy"``.
    reason
        The main reason token (see :data:`REASONS` and the module docstring), None on pass.
    reasons
        Every reason that applies, most important first.
    detail
        One human sentence.
    header_index
        Position of the DKIM-Signature field in the header block (0 = top), as in
        :attr:`mailforensics.message.HeaderField.index`.
    raw
        The field's value as written (folding kept, line breaks as ``"\\n"``).
    domain, selector
        ``d=`` (lower case) and ``s=``.
    algorithm
        ``a=`` (``"rsa-sha256"``, ``"ed25519-sha256"``, ...).
    canonicalization
        ``c=`` in full form (``"relaxed/simple"``; the default is ``"simple/simple"``).
    signed_headers
        ``h=``, in order, as written.
    identity
        ``i=`` (the default ``"@" + d=`` when absent).
    identity_ok
        True when the domain of ``i=`` is ``d=`` or a subdomain of it (RFC 6376 §3.5).
    length
        ``l=``, or None.
    unsigned_body_bytes
        Canonicalized body bytes after the first ``l=`` (content anyone may have added);
        None without ``l=``.
    timestamp, expiration
        ``t=`` and ``x=`` as aware UTC datetimes.
    judged_at
        The time ``t=`` and ``x=`` were judged at (see the module docstring).
    key_type
        ``"rsa"`` or ``"ed25519"`` (the key record's ``k=``).
    key_bits
        The RSA modulus size; 256 for Ed25519.
    key_source
        ``"dns"``, ``"historical"`` (``Config.historical_keys``), or None when no key.
    key_record
        The key TXT record used.
    key_testing
        The key record has ``t=y`` (RFC 6376 §3.6.1: the domain is testing DKIM; such
        results should not be treated differently from unsigned mail).
    body_hash_ok
        The canonicalized body hashes to ``bh=``; None when not evaluated.
    computed_body_hash
        The body hash computed here (base64), for comparison with ``bh=``.
    signature_ok
        ``b=`` verifies over the signed header fields with the key, evaluated whether or
        not the body hash matched; None when not evaluated (no usable key, bad syntax).
    addable_headers
        Watched fields (:data:`ADDABLE_WATCHED`) named in ``h=`` no more times than they
        appear in the message (absent and unsigned included): another instance could be
        added on top without breaking the signature (RFC 6376 §5.4.2, §8.15).
    duplicated_headers
        Singleton fields (:data:`SINGLETON_HEADERS`) appearing more than once in the
        message: an injection risk whatever the signature says.
    line_endings
        ``"crlf"``, ``"lf"`` (verified in CRLF form) or ``"mixed"`` (verified as is).
    findings
        :class:`~mailforensics.findings.Finding` records.
    """

    result: str
    reason: str | None
    reasons: tuple[str, ...] = ()
    detail: str = ""
    header_index: int
    raw: str
    domain: str | None = None
    selector: str | None = None
    algorithm: str | None = None
    canonicalization: str | None = None
    signed_headers: tuple[str, ...] = ()
    identity: str | None = None
    identity_ok: bool | None = None
    length: int | None = None
    unsigned_body_bytes: int | None = None
    timestamp: datetime | None = None
    expiration: datetime | None = None
    judged_at: datetime | None = None
    key_type: str | None = None
    key_bits: int | None = None
    key_source: str | None = None
    key_record: str | None = None
    key_testing: bool = False
    body_hash_ok: bool | None = None
    computed_body_hash: str | None = None
    signature_ok: bool | None = None
    addable_headers: tuple[str, ...] = ()
    duplicated_headers: tuple[str, ...] = ()
    line_endings: str = "crlf"
    findings: tuple[Finding, ...] = ()


# --- the message, prepared once ----------------------------------------------------------------
class PreparedMessage:
    """A message split for verification, shared by every signature in it.

    Build with :meth:`from_bytes`. Holds the bytes verified (``data``: ``raw``, or its
    CRLF form for an LF-only message), the header fields as ``(name, value)`` byte pairs
    (value after the colon, lines joined and ended with CRLF, as dkimpy keeps them), the
    body, and a cache of canonicalized bodies.

    Parameters
    ----------
    raw
        The message bytes, exactly as read.
    """

    __slots__ = (
        "_bodies",
        "body",
        "counts",
        "data",
        "duplicated",
        "fields",
        "line_endings",
        "names",
        "raw",
        "signatures",
    )

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        if b"\r" not in raw:
            self.line_endings = "lf" if b"\n" in raw else "crlf"
            data = raw.replace(b"\n", b"\r\n") if self.line_endings == "lf" else raw
        else:
            self.line_endings = "crlf" if raw.count(b"\n") == raw.count(b"\r\n") else "mixed"
            data = raw
        self.data = data
        fields, body_start = _split_header(data, crlf_only=self.line_endings != "mixed")
        self.fields: tuple[tuple[bytes, bytes], ...] = fields
        #: lower-case field names, for selection (RFC 6376 §5.4.2: case-insensitive)
        self.names: tuple[bytes, ...] = tuple(n.rstrip(b" \t").lower() for n, _ in fields)
        self.body = data[body_start:]
        self.counts: Counter[bytes] = Counter(self.names)
        self.signatures: tuple[int, ...] = tuple(i for i, n in enumerate(self.names) if n == b"dkim-signature")
        self.duplicated: tuple[str, ...] = tuple(
            h for h, key in _keyed(SINGLETON_HEADERS) if self.counts.get(key, 0) > 1
        )
        self._bodies: dict[str, bytes] = {}

    @classmethod
    def from_bytes(cls, raw: bytes) -> PreparedMessage:
        """Prepare ``raw`` for verification (never raises for malformed content)."""
        return cls(bytes(raw))

    def canonical_body(self, algorithm: str) -> bytes:
        """The body canonicalized by ``"simple"`` or ``"relaxed"`` (RFC 6376 §3.4.3-4), cached."""
        body = self._bodies.get(algorithm)
        if body is None:
            body = _fastverify.canonicalize_body(algorithm, self.body)  # dkimpy's, in C-backed ops
            self._bodies[algorithm] = body
        return body

    def field_text(self, index: int) -> str:
        """The value of field ``index`` as text, folding kept, line breaks as ``"\\n"``."""
        value = self.fields[index][1].replace(b"\r\n", b"\n").rstrip(b"\n").lstrip(b" \t")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")


def _split_header(data: bytes, *, crlf_only: bool = False) -> tuple[tuple[tuple[bytes, bytes], ...], int]:
    """Split the header section the way :class:`~mailforensics.message.Message` does.

    The section ends at the empty line (RFC 5322 §2.1) or, like CPython's ``email``, at the
    first line that is neither a field nor a continuation (which then starts the body).
    Lines are split on LF with one CR before it dropped, and re-joined with CRLF.
    ``crlf_only``: every LF in ``data`` follows a CR (``line_endings`` ``"crlf"`` or
    ``"lf"``), which allows a faster split with the same result.
    """
    if crlf_only:
        found = _split_crlf_header(data)
        if found is not None:
            return found
    fields: list[tuple[bytes, list[bytes]]] = []
    pos, size = 0, len(data)
    body_start = size
    while pos < size:
        end = data.find(b"\n", pos)
        nxt = size if end < 0 else end + 1
        line = data[pos:nxt]
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if not line:
            body_start = nxt
            break
        if line[:1] in (b" ", b"\t"):
            if not fields:
                body_start = pos
                break
            fields[-1][1].append(line)
            pos = nxt
            continue
        colon = line.find(b":")
        if colon <= 0 or not _FIELD_NAME.match(line[:colon].rstrip(b" \t")):
            body_start = pos
            break
        fields.append((line[:colon], [line[colon + 1 :]]))
        pos = nxt
    return tuple((name, b"\r\n".join(lines) + b"\r\n") for name, lines in fields), body_start


# One field of CRLF-only data: its name with any SP/HTAB before the colon (RFC 5322
# §3.6.8 ftext, as _FIELD_NAME, which also excludes ":" — so this colon is the first),
# the rest of its first line up to the LF (so with the CR before it: every LF has one),
# and its continuation lines, each with its CRLF. Runs of [^\n] are matched without
# backtracking, which a lazy ".*?\r\n" is not.
_CRLF_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+[ \t]*):([^\n]*)\n((?:[ \t][^\n]*\n)*)")


def _split_crlf_header(data: bytes) -> tuple[tuple[tuple[bytes, bytes], ...], int] | None:
    """:func:`_split_header` for data whose every LF follows a CR, one regular expression
    match per field instead of a loop over lines; None when the header section ends in
    an unterminated line (the general loop then decides)."""
    fields: list[tuple[bytes, bytes]] = []
    match = _CRLF_FIELD.match
    pos = 0
    m = match(data, pos)
    while m is not None:
        name, first, rest = m.groups()
        fields.append((name, first + b"\n" + rest))  # first ends in CR: lines joined with CRLF, as the loop does
        pos = m.end()
        m = match(data, pos)
    if data.startswith(b"\r\n", pos):
        return tuple(fields), pos + 2  # the empty line: the body follows it
    if pos == len(data):
        return tuple(fields), pos  # no body
    if data.find(b"\n", pos) >= 0 and (not fields or data[pos : pos + 1] not in (b" ", b"\t")):
        # A whole line that is not a field (a continuation with a field before it would
        # have been matched): the body starts there.
        return tuple(fields), pos
    return None


# --- keys ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Key:
    """A parsed key record (RFC 6376 §3.6.1), or why it cannot be used."""

    error: str | None  # a reason token, or None
    detail: str = ""
    key_type: str | None = None
    bits: int | None = None
    rsa: tuple[int, int] | None = None  # (modulus, exponent)
    ed25519: nacl.signing.VerifyKey | None = None
    hashes: tuple[str, ...] | None = None  # h=, None when absent (all allowed)
    services: tuple[str, ...] | None = None  # s=
    flags: tuple[str, ...] = ()  # t=


@lru_cache(maxsize=4096)
def _parse_key(record: str) -> _Key:
    """Parse a key TXT record. Pure, so memoised: a batch sees the same few keys again."""
    try:
        tags = parse_tag_value(record.encode("utf-8"))
    except InvalidTagValueList as exc:
        return _Key("key-malformed", f"the key record is not a tag list ({exc})")
    version = tags.get(b"v")
    if version is not None and version != b"DKIM1":
        return _Key("key-malformed", f"the key record has v={version.decode('latin-1')}, not DKIM1")
    key_type = tags.get(b"k", b"rsa").decode("latin-1").strip().lower()
    hashes = _colon_list(tags[b"h"]) if b"h" in tags else None
    services = _colon_list(tags[b"s"]) if b"s" in tags else None
    flags = _colon_list(tags[b"t"]) if b"t" in tags else ()
    common: dict[str, Any] = {"key_type": key_type, "hashes": hashes, "services": services, "flags": flags}
    if b"p" not in tags:
        return _Key("key-malformed", "the key record has no p= tag", **common)
    p = _WSP.sub(b"", tags[b"p"])
    if not p:
        return _Key("key-revoked", "the key record has an empty p=: the key was revoked", **common)
    try:
        material = base64.b64decode(p, validate=True)
    except (binascii.Error, ValueError):
        return _Key("key-malformed", "p= is not valid base64", **common)
    if key_type == "rsa":
        try:
            pk = parse_public_key(material)
        except (UnparsableKeyError, IndexError, TypeError, ValueError) as exc:
            return _Key("key-malformed", f"p= is not an RSA public key ({exc})", **common)
        n, e = int(pk["modulus"]), int(pk["publicExponent"])
        return _Key(None, bits=n.bit_length(), rsa=(n, e), **common)
    if key_type == "ed25519":
        if len(material) != 32:  # RFC 8463 §4.2: the raw 32-byte public key
            return _Key("key-malformed", f"p= holds {len(material)} bytes, not a 32-byte Ed25519 key", **common)
        try:
            vk = nacl.signing.VerifyKey(material)
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
            return _Key("key-malformed", f"p= is not an Ed25519 key ({exc})", **common)
        return _Key(None, bits=256, ed25519=vk, **common)
    # RFC 6376 §3.6.1: "Unrecognized key types MUST be ignored"; the record then offers no
    # key that can verify a=, which §6.1.2 step 8 makes a PERMFAIL (inappropriate key
    # algorithm): a key-side failure, not an unprocessable signature.
    return _Key(
        "key-mismatch",
        f"the key record has k={key_type}, a key type this verifier does not know, so no key fits a=",
        **common,
    )


def _colon_list(value: bytes) -> tuple[str, ...]:
    return tuple(part.decode("latin-1").lower() for part in _HEADER_LIST_SPLIT.split(value.strip()) if part)


def _rsa_verify(n: int, e: int, hash_name: str, digest: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of a precomputed digest."""
    fast = _fastverify.rsa_pkcs1_verify(n, e, hash_name, digest, signature)  # OpenSSL, regular cases
    if fast is not None:
        return fast
    k = (n.bit_length() + 7) // 8
    t = _DIGEST_INFO[hash_name] + digest
    if k < len(t) + 11 or len(signature) > k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    return hmac.compare_digest(em, b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t)


# --- the swappable verifier ------------------------------------------------------------------------
class Verifier(Protocol):
    """Verifies signature number ``number`` (0 = top) of a prepared message.

    :func:`verify` calls one of these per signature; :func:`detailed_verifier` is the
    default and :func:`dkimpy_verifier` gives plain dkimpy verdicts. A batch fast path
    plugs in here.
    """

    def __call__(self, message: PreparedMessage, number: int, *, ctx: Context, at: datetime) -> DKIMResult:
        """Verify one signature, judging ``t=``/``x=`` at ``at``."""
        ...


def _epoch(value: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def detailed_verifier(message: PreparedMessage, number: int, *, ctx: Context, at: datetime) -> DKIMResult:
    """The default :class:`Verifier`: every check, body hash and signature independently.

    Follows RFC 6376 §6.1 (signature checks, key lookup, verification), with RFC 8301
    and RFC 8463; see the module docstring for the reason tokens and verdicts.
    """
    index = message.signatures[number]
    name, value = message.fields[index]
    reasons: list[str] = []
    details: list[str] = []
    info: dict[str, Any] = {
        "header_index": index,
        "raw": message.field_text(index),
        "judged_at": at,
        "line_endings": message.line_endings,
        "duplicated_headers": message.duplicated,
    }

    def done() -> DKIMResult:
        return _finish(reasons, details, info)

    def flag(token: str, text: str) -> None:
        reasons.append(token)
        details.append(text)

    # RFC 6376 §6.1.1: validate the signature field.
    try:
        tags = parse_tag_value(value)
    except InvalidTagValueList as exc:
        flag("malformed", f"The DKIM-Signature is not a valid tag list ({exc}).")
        return done()
    d = tags.get(b"d")
    s = tags.get(b"s")
    a = tags.get(b"a")
    if d is not None:
        info["domain"] = d.decode("utf-8", "replace").strip().lower().rstrip(".")
    if s is not None:
        info["selector"] = s.decode("utf-8", "replace").strip()
    if a is not None:
        info["algorithm"] = a.decode("latin-1").strip().lower()
    if b"h" in tags:
        info["signed_headers"] = tuple(h.decode("latin-1") for h in _HEADER_LIST_SPLIT.split(tags[b"h"].strip()) if h)
    missing = [t.decode() for t in (b"v", b"a", b"b", b"bh", b"d", b"h", b"s") if t not in tags]
    if missing:
        flag("malformed", f"Required tags missing: {', '.join(missing)}= (RFC 6376 §3.5).")
        return done()
    if tags[b"v"] != b"1":
        flag("malformed", f"v={tags[b'v'].decode('latin-1')} is not 1 (RFC 6376 §3.5).")
        return done()
    algorithm = info["algorithm"]
    if algorithm not in _ALGORITHMS:
        flag("algorithm-unsupported", f"a={algorithm} is not a known signing algorithm (RFC 6376 §3.5).")
        return done()
    sig_key_type, hash_name = _ALGORITHMS[algorithm]
    c_value = tags.get(b"c", b"simple").decode("latin-1").strip().lower()
    c_parts = [part.strip() for part in c_value.split("/")]
    if len(c_parts) == 1:
        c_parts.append("simple")
    if len(c_parts) != 2 or c_parts[0] not in _CANON or c_parts[1] not in _CANON:
        flag("algorithm-unsupported", f"c={c_value} is not a known canonicalization (RFC 6376 §3.4).")
        return done()
    header_canon, body_canon = c_parts
    info["canonicalization"] = f"{header_canon}/{body_canon}"
    if b"q" in tags and "dns/txt" not in _colon_list(tags[b"q"]):
        flag("algorithm-unsupported", "q= does not offer dns/txt, the only key query method (RFC 6376 §3.5).")
        return done()
    if not _B64.match(tags[b"b"]) or not _B64.match(tags[b"bh"]):
        flag("malformed", "b= or bh= is not base64 (RFC 6376 §3.5).")
        return done()
    try:
        signature = base64.b64decode(tags[b"b"].translate(None, _WSP_BYTES), validate=True)
        claimed_bh = base64.b64decode(tags[b"bh"].translate(None, _WSP_BYTES), validate=True)
    except (binascii.Error, ValueError):
        flag("malformed", "b= or bh= is not base64 (RFC 6376 §3.5).")
        return done()
    domain = info["domain"]
    selector = info["selector"]
    if (
        not domain
        or not selector
        or _DOMAIN_SPECIALS.search(tags[b"d"].strip())  # d= and s= are present: checked above
        or _DOMAIN_SPECIALS.search(tags[b"s"].strip())
    ):
        flag("malformed", "d= or s= is not a domain name (RFC 6376 §3.5).")
        return done()
    length: int | None = None
    if b"l" in tags:
        if not _LENGTH.match(tags[b"l"]):
            flag("malformed", "l= is not a decimal number of at most 76 digits (RFC 6376 §3.5).")
            return done()
        length = int(tags[b"l"])
        info["length"] = length
    t_sign = x_sign = None
    for tag in (b"t", b"x"):
        if tag in tags and not _DIGITS.match(tags[tag]):
            flag("malformed", f"{tag.decode()}= is not a decimal number (RFC 6376 §3.5).")
            return done()
    if b"t" in tags:
        t_sign = int(tags[b"t"])
        info["timestamp"] = _epoch(t_sign)
    if b"x" in tags:
        x_sign = int(tags[b"x"])
        info["expiration"] = _epoch(x_sign)
        if t_sign is not None and x_sign <= t_sign:
            flag("malformed", "x= is not later than t= (RFC 6376 §3.5).")
            return done()
    identity = tags[b"i"].decode("utf-8", "replace").strip() if b"i" in tags else "@" + domain
    info["identity"] = identity
    i_domain = identity.rpartition("@")[2].lower().rstrip(".")
    identity_ok = i_domain == domain or i_domain.endswith("." + domain)
    info["identity_ok"] = identity_ok
    if not identity_ok:
        flag("identity-mismatch", f"i={identity} is not within d={domain} (RFC 6376 §6.1.1).")
    h_names = [h.lower().encode("latin-1") for h in info["signed_headers"]]
    h_counts = Counter(h_names)
    if b"from" not in h_counts:
        flag("from-not-signed", "h= does not include From (RFC 6376 §6.1.1).")
    elif message.counts[b"from"] > h_counts[b"from"]:
        flag(
            "from-duplicated",
            f"The message has {message.counts[b'from']} From fields and h= signs "
            f"{h_counts[b'from']}: a From outside the signature can be what the reader sees (RFC 6376 §8.15).",
        )
    info["addable_headers"] = tuple(h for h, key in _keyed(ADDABLE_WATCHED) if h_counts[key] <= message.counts[key])
    if algorithm == "rsa-sha1":
        flag("algorithm-forbidden", "rsa-sha1 must not be used for verifying (RFC 8301 §3.1).")
    tolerance = ctx.config.clock_tolerance_s
    at_epoch = at.timestamp()
    if x_sign is not None and x_sign + tolerance < at_epoch:
        flag("expired", f"The signature expired (x=) before {at.isoformat()} (RFC 6376 §3.5).")
    if t_sign is not None and t_sign - tolerance > at_epoch:
        flag("future-timestamp", f"The signature's t= is after {at.isoformat()} (RFC 6376 §3.5).")

    # RFC 6376 §6.1.2: get the public key.
    lookup = key_lookup(f"{selector}._domainkey.{domain}", ctx=ctx)
    info["key_source"] = lookup.source if lookup.records else None
    if lookup.temporary_failure:
        flag("dns-temperror", f"The key lookup for {lookup.name} failed: {lookup.status} (RFC 6376 §6.1.2).")
        info["findings"] = (
            Finding(
                code=FindingCode.DNS_TEMPERROR,
                severity=Severity.ERROR,
                where=f"header {index} (DKIM-Signature)",
                detail=f"DKIM key lookup {lookup.name} TXT failed ({lookup.status}).",
                evidence=(("name", lookup.name), ("status", lookup.status)),
            ),
        )
        return done()
    if not lookup.records:
        what = "does not exist" if lookup.status == "NXDOMAIN" else "has no TXT record"
        flag("no-key", f"{lookup.name} {what} (RFC 6376 §6.1.2).")
        return done()
    record = lookup.records[0]
    info["key_record"] = record
    key = _parse_key(record)
    info["key_type"] = key.key_type
    info["key_testing"] = "y" in key.flags
    if key.error is not None:
        flag(key.error, key.detail + " (RFC 6376 §6.1.2).")
        return done()
    info["key_bits"] = key.bits
    if key.key_type != sig_key_type:
        flag("key-mismatch", f"The key is k={key.key_type} but a={algorithm} (RFC 6376 §6.1.2 step 8).")
        return done()
    if key.hashes is not None and hash_name not in key.hashes:
        flag("key-mismatch", f"The key's h= does not allow {hash_name} (RFC 6376 §3.6.1).")
    if key.services is not None and "*" not in key.services and "email" not in key.services:
        flag("key-mismatch", "The key's s= does not include email or * (RFC 6376 §3.6.1).")
    if "s" in key.flags and i_domain != domain:
        flag("key-mismatch", f"The key has t=s but i= is in {i_domain}, not d={domain} (RFC 6376 §3.6.1).")
    if key.rsa is not None and key.bits is not None and key.bits < _MIN_RSA_BITS:
        flag("key-too-small", f"The RSA key has {key.bits} bits, under 1024 (RFC 8301 §3.2).")

    # RFC 6376 §6.1.3: compute the hashes; both checks always run.
    canon_body = message.canonical_body(body_canon)
    if length is not None:
        if length > len(canon_body):
            # RFC 6376 §3.5: l= "MUST NOT be larger than the actual number of octets in the
            # canonicalized message body". The tag is invalid; both checks still run (over
            # the whole body) so the analyst sees whether the bytes are intact.
            flag(
                "malformed",
                f"l={length} is beyond the {len(canon_body)}-octet canonicalized body (RFC 6376 §3.5).",
            )
        info["unsigned_body_bytes"] = max(0, len(canon_body) - length)
        canon_body = canon_body[:length]
    body_digest = _HASHES[hash_name](canon_body).digest()
    info["computed_body_hash"] = base64.b64encode(body_digest).decode("ascii")
    body_ok = hmac.compare_digest(body_digest, claimed_bh)
    info["body_hash_ok"] = body_ok
    hasher = _HASHES[hash_name]()
    _hash_headers(hasher, message, header_canon, h_names, (name, value))
    digest = hasher.digest()
    if key.rsa is not None:
        signature_ok = _rsa_verify(key.rsa[0], key.rsa[1], hash_name, digest, signature)
    else:
        assert key.ed25519 is not None
        try:
            key.ed25519.verify(digest, signature)  # RFC 8463 §3: Ed25519 over the SHA-256 hash
            signature_ok = True
        except (nacl.exceptions.CryptoError, ValueError, TypeError):
            signature_ok = False
    info["signature_ok"] = signature_ok
    if not body_ok:
        flag("body-hash-mismatch", "The body does not hash to bh=: it was changed after signing.")
    if not signature_ok:
        flag("signature-mismatch", "b= does not verify over the signed header fields with this key.")
    return done()


def _hash_headers(
    hasher: Any, message: PreparedMessage, canon: str, h_names: list[bytes], sig_field: tuple[bytes, bytes]
) -> None:
    """Feed the signed header fields and the signature field to ``hasher`` (RFC 6376 §3.7, §5.4.2)."""
    fields = message.fields
    names = message.names
    last: dict[bytes, int] = {}
    selected: list[tuple[bytes, bytes]] = []
    for h in h_names:
        # Instances are taken from the bottom up; a name with none left adds nothing.
        i = last.get(h, len(fields))
        while i > 0:
            i -= 1
            if names[i] == h:
                selected.append(fields[i])
                break
        last[h] = i
    # The signature field, with b='s value removed, hashed without its final CRLF (§3.7).
    sig_name, sig_value = sig_field
    selected.append((sig_name, _fastverify.strip_b_tag(sig_value)))
    canonical = _fastverify.relaxed_headers(selected) if canon == "relaxed" else selected
    last_i = len(canonical) - 1
    for i, (fname, fvalue) in enumerate(canonical):
        if i == last_i:
            fvalue = fvalue[:-2] if fvalue.endswith(b"\r\n") else fvalue
        hasher.update(fname + b":" + fvalue)


def _finish(reasons: list[str], details: list[str], info: dict[str, Any]) -> DKIMResult:
    if not reasons:
        return DKIMResult(result="pass", reason=None, detail="The signature verifies.", **info)
    order = sorted(range(len(reasons)), key=lambda i: _PRECEDENCE[reasons[i]])
    ordered = tuple(dict.fromkeys(reasons[i] for i in order))
    primary = ordered[0]
    return DKIMResult(
        result=REASONS[primary],
        reason=primary,
        reasons=ordered,
        detail=" ".join(details[i] for i in order),
        **info,
    )


def dkimpy_verifier(message: PreparedMessage, number: int, *, ctx: Context, at: datetime) -> DKIMResult:
    """A :class:`Verifier` giving plain dkimpy verdicts (``dkim.DKIM.verify``), for comparison.

    Only ``result`` (pass / fail / temperror / permerror), ``domain``, ``selector``,
    ``algorithm`` and the key's source are filled. dkimpy judges ``t=``/``x=`` at the
    system clock (with 10 hours of slack) whatever ``at`` is, accepts rsa-sha1, and
    normalises bare LF to CRLF everywhere.
    """
    index = message.signatures[number]
    lookups: list[KeyLookup] = []
    info: dict[str, Any] = {
        "header_index": index,
        "raw": message.field_text(index),
        "judged_at": at,
        "line_endings": message.line_endings,
    }
    try:
        tags = parse_tag_value(message.fields[index][1])
        info["domain"] = tags[b"d"].decode("utf-8", "replace").strip().lower()
        info["selector"] = tags[b"s"].decode("utf-8", "replace").strip()
        info["algorithm"] = tags[b"a"].decode("latin-1").strip().lower()
    except (InvalidTagValueList, KeyError):
        pass
    try:
        ok = _dkimpy.DKIM(message.data).verify(idx=number, dnsfunc=dnsfunc_for(ctx, lookups))
    except _dkimpy.ValidationError as exc:
        token = "body-hash-mismatch" if "body hash mismatch" in str(exc) else "malformed"
        return DKIMResult(result=REASONS[token], reason=token, reasons=(token,), detail=str(exc), **info)
    except _dkimpy.DKIMException as exc:
        return DKIMResult(result="permerror", reason=None, detail=str(exc), **info)
    if lookups:
        info["key_source"] = lookups[-1].source if lookups[-1].records else None
    if ok:
        return DKIMResult(result="pass", reason=None, **info)
    if lookups and lookups[-1].temporary_failure:
        return DKIMResult(result="temperror", reason="dns-temperror", reasons=("dns-temperror",), **info)
    return DKIMResult(result="fail", reason=None, **info)


# --- public entry points -----------------------------------------------------------------------------
def _judge_time(raw: bytes, ctx: Context, message: Message | None = None) -> datetime:
    if ctx.now != "delivery":
        delivery = None
    elif message is not None:
        delivery = message_delivery_time(message)  # the same, read once per message
    else:
        delivery = delivery_time(raw)
    return ctx.current_time(delivery=delivery)


def verify(raw: bytes, *, ctx: Context, verifier: Verifier | None = None) -> tuple[DKIMResult, ...]:
    """Verify every DKIM-Signature of a message (RFC 6376 §6.1).

    Parameters
    ----------
    raw
        The message bytes exactly as read (``Message.raw``), never a re-serialized
        message. CRLF or LF-only line endings.
    ctx
        The context: DNS through ``ctx.get_resolver()`` (``Config.historical_keys``
        first), ``t=``/``x=`` judged at ``ctx.current_time(...)`` (with
        ``now="delivery"``: the top Received hop's timestamp).
    verifier
        The :class:`Verifier` to use; :func:`detailed_verifier` by default.

    Returns
    -------
    tuple of DKIMResult
        One per DKIM-Signature field, top first; ``()`` when there is none.

    Examples
    --------
    >>> import mailforensics as mf                                     # doctest: +SKIP
    >>> from mailforensics.auth import dkim                            # doctest: +SKIP
    >>> [(r.domain, r.result, r.reason) for r in dkim.verify(raw, ctx=mf.Context(now="delivery"))]  # doctest: +SKIP
    [('example.com', 'fail', 'body-hash-mismatch')]
    """
    return _verify(raw, ctx=ctx, verifier=verifier, message=None)


def _verify(raw: bytes, *, ctx: Context, verifier: Verifier | None, message: Message | None) -> tuple[DKIMResult, ...]:
    """:func:`verify`; ``message``, when given, is the Message of ``raw``."""
    if _fastverify.ENABLED and b"dkim-signature" not in bytes(raw).lower():
        return ()  # no field can be a DKIM-Signature
    prepared = PreparedMessage.from_bytes(raw)
    if not prepared.signatures:
        return ()
    at = _judge_time(prepared.raw, ctx, message)
    run = verifier if verifier is not None else detailed_verifier
    return tuple(_with_findings(run(prepared, number, ctx=ctx, at=at)) for number in range(len(prepared.signatures)))


# Reason → (finding code, severity). Findings are derived from the record here, once, so
# that every verifier (detailed, fast path) reports alike.
_REASON_FINDINGS: dict[str, tuple[FindingCode, Severity]] = {
    "no-key": (FindingCode.DKIM_NO_KEY, Severity.WARNING),
    "key-revoked": (FindingCode.DKIM_KEY_REVOKED, Severity.WARNING),
    "expired": (FindingCode.DKIM_EXPIRED, Severity.NOTICE),
    "future-timestamp": (FindingCode.DKIM_FUTURE_TIMESTAMP, Severity.WARNING),
    "algorithm-forbidden": (FindingCode.DKIM_WEAK_ALGORITHM, Severity.NOTICE),
    "key-too-small": (FindingCode.DKIM_WEAK_ALGORITHM, Severity.NOTICE),
    "identity-mismatch": (FindingCode.DKIM_IDENTITY_MISMATCH, Severity.WARNING),
    "malformed": (FindingCode.DKIM_UNVERIFIABLE, Severity.NOTICE),
    "algorithm-unsupported": (FindingCode.DKIM_UNVERIFIABLE, Severity.NOTICE),
    "key-malformed": (FindingCode.DKIM_UNVERIFIABLE, Severity.NOTICE),
    "key-mismatch": (FindingCode.DKIM_UNVERIFIABLE, Severity.NOTICE),
    "from-not-signed": (FindingCode.DKIM_UNVERIFIABLE, Severity.WARNING),
    "from-duplicated": (FindingCode.DKIM_HEADER_DUPLICATED, Severity.ALERT),
}


def _with_findings(r: DKIMResult) -> DKIMResult:
    """Add the findings an analyst needs, from the record's own fields."""
    where = f"header {r.header_index} (DKIM-Signature d={r.domain} s={r.selector})"
    found: list[Finding] = list(r.findings)

    def add(code: FindingCode, severity: Severity, detail: str) -> None:
        if not any(f.code == code for f in found):
            found.append(Finding(code=code, severity=severity, where=where, detail=detail))

    if r.body_hash_ok is False and r.signature_ok is True:
        add(
            FindingCode.DKIM_BODY_MODIFIED,
            Severity.WARNING,
            "The body changed after signing while the signed headers are intact: a footer or "
            "disclaimer added in transit (a mailing list, a gateway), or a replaced body.",
        )
    elif r.signature_ok is False and r.body_hash_ok is True:
        add(
            FindingCode.DKIM_HEADER_MODIFIED,
            Severity.ALERT,
            "A signed header changed after signing while the body is intact: a replaced Subject, "
            "From or Date, or a header re-folded by a relay.",
        )
    elif r.result == "fail":
        add(FindingCode.DKIM_FAIL, Severity.WARNING, r.detail or "The signature does not verify.")
    for reason in r.reasons or ((r.reason,) if r.reason else ()):
        if reason in _REASON_FINDINGS:
            code, severity = _REASON_FINDINGS[reason]
            add(code, severity, r.detail or reason)
    if r.unsigned_body_bytes:
        add(
            FindingCode.DKIM_UNSIGNED_BODY_CONTENT,
            Severity.WARNING,
            f"l={r.length}: {r.unsigned_body_bytes} body bytes after the signed length are not "
            "covered by the signature; anyone could have appended them.",
        )
    if r.duplicated_headers:
        add(
            FindingCode.DKIM_HEADER_DUPLICATED,
            Severity.WARNING,
            f"{', '.join(r.duplicated_headers)} appear more than once: a mail client may show another "
            "instance than the one signed.",
        )
    if r.key_source == "historical":
        add(
            FindingCode.DKIM_HISTORICAL_KEY,
            Severity.INFO,
            f"The key for {r.selector}._domainkey.{r.domain} came from the archived keys given, not today's DNS.",
        )
    if r.key_testing:
        add(FindingCode.DKIM_KEY_TESTING, Severity.INFO, "The key record says t=y: the domain is testing DKIM.")
    return dataclasses.replace(r, findings=tuple(found)) if len(found) != len(r.findings) else r


def verify_message(message: Message, *, ctx: Context, verifier: Verifier | None = None) -> tuple[DKIMResult, ...]:
    """Verify a :class:`~mailforensics.message.Message`, refusing converted bytes.

    When ``message.raw_is_original`` is False (an Outlook ``.msg`` rebuilt as MIME), the
    bytes are not the ones that were signed: no verdict about them would be honest. RFC
    8601 has no result token for "these are not the signed bytes"; ``none`` would say the
    message was unsigned and ``permerror``/``fail`` would blame the sender. We return, for
    each DKIM-Signature field, ``result="policy"`` (RFC 8601 §2.7.1: the signature "was
    not acceptable" — here, to this verifier) with ``reason="converted-message"``, the
    signature's tags, ``body_hash_ok``/``signature_ok`` None (not evaluated), and a
    ``message-converted`` finding. Otherwise this is :func:`verify` on ``message.raw``.

    Parameters
    ----------
    message
        The message.
    ctx, verifier
        As for :func:`verify`.
    """
    if message.raw_is_original:
        return _verify(message.raw, ctx=ctx, verifier=verifier, message=message)
    prepared = PreparedMessage.from_bytes(message.raw)
    out = []
    for index in prepared.signatures:
        info: dict[str, Any] = {}
        try:
            tags = parse_tag_value(prepared.fields[index][1])
            for key, attr in ((b"d", "domain"), (b"s", "selector"), (b"a", "algorithm")):
                if key in tags:
                    text = tags[key].decode("utf-8", "replace").strip()
                    info[attr] = text if attr == "selector" else text.lower()
        except InvalidTagValueList:
            pass
        out.append(
            DKIMResult(
                result="policy",
                reason="converted-message",
                reasons=("converted-message",),
                detail="The message bytes were rebuilt from another format; the signature cannot be checked.",
                header_index=index,
                raw=prepared.field_text(index),
                line_endings=prepared.line_endings,
                findings=(
                    Finding(
                        code=FindingCode.MESSAGE_CONVERTED,
                        severity=Severity.NOTICE,
                        where=f"header {index} (DKIM-Signature)",
                        detail="DKIM not verified: the message was converted, so its bytes are not the signed ones.",
                        evidence=(("origin", message.origin),),
                    ),
                ),
                **info,
            )
        )
    return tuple(out)
