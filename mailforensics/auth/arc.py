"""ARC: validate the Authenticated Received Chain (RFC 8617) and keep every set's detail.

:func:`verify` runs the Chain Validation of RFC 8617 §5.2 on the message's raw bytes and
answers ``cv`` (``"none"``, ``"pass"`` or ``"fail"``) with a stable reason token. For an
analyst the verdict is the least of it: every ARC Set is checked on its own — its
ARC-Message-Signature (AMS) against the message as it is now, its ARC-Seal (AS) against
the chain below it — whether or not the RFC algorithm would have stopped earlier, and
each set's ARC-Authentication-Results (AAR) is parsed into claims, so the result says
what each intermediary saw (SPF, DKIM, DMARC) when it received the message, and from
which hop on the message was changed (``oldest_pass``, ``body_hash_ok``).

The signatures are computed here, on the raw bytes, with dkimpy's canonicalization and
RSA/Ed25519 primitives (dkimpy's own ``ARC.verify`` stops at the first failing set,
relies on the order of the fields in the message and reads the system clock). Keys are
fetched through :mod:`mailforensics.auth._dkimdns` (so through the context's resolver,
with ``Config.historical_keys`` first) and each name is asked once.

A message with LF line endings (an mbox export) verifies like the CRLF original: line
breaks are normalised to CRLF before canonicalization (RFC 5322 §2.1; RFC 6376 §3.4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import dkim as _dkimpy
from dkim.canonicalization import CanonicalizationPolicy, InvalidCanonicalizationPolicyError
from dkim.crypto import RSASSA_PKCS1_v1_5_verify

from mailforensics import authresults
from mailforensics.auth import _dkimdns, _fastverify
from mailforensics.auth._dkimdns import KeyLookup
from mailforensics.errors import InputError
from mailforensics.findings import Finding, FindingCode, Severity

if TYPE_CHECKING:
    from mailforensics.context import Context
    from mailforensics.message import Message

__all__ = ["MAX_SETS", "ARCResult", "ARCSet", "verify", "verify_message"]

#: RFC 8617 §4.2.1 and §5.2 step 1: at most 50 ARC Sets; instance values are 1..50.
MAX_SETS = 50

#: Signing algorithms ARC inherits from DKIM (RFC 8617 §4.1.2, RFC 6376 §3.3, RFC 8463 §3).
#: rsa-sha1 is refused: RFC 8301 §3.1 forbids it and RFC 8617 postdates that.
_ALGORITHMS: Mapping[str, str] = {"rsa-sha256": "rsa", "ed25519-sha256": "ed25519"}

#: RFC 8301 §3.2: RSA keys shorter than 1024 bits MUST NOT be considered valid.
_MIN_RSA_BITS = 1024

_CV_VALUES = ("none", "pass", "fail")
_AMS_REQUIRED = ("i", "a", "b", "bh", "d", "h", "s")  # RFC 8617 §4.1.2 (DKIM's, less v=)
_AS_REQUIRED = ("i", "a", "b", "cv", "d", "s")  # RFC 8617 §4.1.3

_ARC_NAMES = {
    "arc-authentication-results": "aar",
    "arc-message-signature": "ams",
    "arc-seal": "as",
}
_KIND_LABEL = {"aar": "ARC-Authentication-Results", "ams": "ARC-Message-Signature", "as": "ARC-Seal"}

# RFC 6376 §3.2 tag-list: tag-name = ALPHA *ALNUMPUNC; VALCHAR = %x21-3A / %x3C-7E.
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TAG_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x3b\x7f]")
_DIGITS_12 = re.compile(r"[0-9]{1,12}\Z")
_INSTANCE = re.compile(r"[0-9]+\Z")
_LABEL = re.compile(r"(?:[A-Za-z0-9_]|[^\x00-\x7f])(?:[A-Za-z0-9_-]|[^\x00-\x7f]){0,62}\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")
_WSP = re.compile(r"[ \t\r\n]+")
# RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload; the instance comes first.
_AAR_INSTANCE = re.compile(r"\A[ \t\r\n]*(?:\([^()]*\)[ \t\r\n]*)*i[ \t\r\n]*=[ \t\r\n]*([^;]*?)[ \t\r\n]*;")
# Lenient i= for a tag-list that does not parse (to place the field in its set anyway).
_LOOSE_INSTANCE = re.compile(r"(?:\A|;)[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([0-9]+)[ \t\r\n]*(?=;|\Z)")
# RFC 6376 §3.7: the b= value is replaced by the empty string, everything else is kept.
_B_VALUE = re.compile(rb"((?:\A|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*?(?=[ \t\r\n]*(?:;|\Z))")


# --- records ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ARCSet:
    """One ARC Set (RFC 8617 §4.1): what one intermediary added, checked on its own.

    ``ams_valid`` and ``as_valid`` are computed for every set, whatever the chain
    verdict: ``True`` the signature verifies, ``False`` it does not (or the field is
    malformed, or its key is missing, revoked or too small), ``None`` it could not be
    checked (the field is absent or duplicated, the chain below it is incomplete, or the
    key lookup failed temporarily). ``ams_reason``/``as_reason`` then say why, as a
    stable token.

    Parameters
    ----------
    instance
        The set's ``i=`` (1 = the first intermediary).
    domain, selector, algorithm
        The AMS ``d=``, ``s=`` and ``a=``.
    canonicalization
        The AMS ``c=`` as written (None when absent: ``simple/simple``, RFC 6376 §3.5).
    signed_headers
        The AMS ``h=`` list, lower case.
    timestamp, expiration
        The AMS ``t=`` and ``x=`` as aware UTC datetimes (None when absent or unusable).
    body_hash_ok
        Whether the body still hashes to the AMS ``bh=``: False means the body was changed
        after this intermediary signed it.
    ams_valid, ams_reason
        The AMS verdict and, when it is not True, why (``"body-hash-mismatch"``,
        ``"signature-mismatch"``, ``"key-missing"``, ``"key-temperror"``, ``"tag-missing"``,
        ``"tag-invalid"``, ``"tag-syntax"``, ``"algorithm-unsupported"``,
        ``"signs-arc-seal"``, ``"timestamp-future"``, ``"signature-expired"``,
        ``"key-invalid"``, ``"key-revoked"``, ``"key-too-small"``, ``"key-mismatch"``,
        ``"field-missing"``, ``"field-duplicate"``, ``"over-limit"``).
    ams_reason_text
        The same in words, with the values involved (``"x=1709636400: the signature had
        expired at the time judged at"``).
    ams_key_source, ams_key_bits
        Where the AMS key came from (``"dns"`` or ``"historical"``) and its size.
    as_domain, as_selector, as_algorithm
        The ARC-Seal ``d=``, ``s=`` and ``a=``.
    as_timestamp
        The ARC-Seal ``t=``.
    cv
        The chain validation status this sealer claimed (``cv=``): ``"none"``,
        ``"pass"``, ``"fail"`` (lower case), or the text as written when it is none of
        these; None when absent.
    as_valid, as_reason
        The ARC-Seal verdict and why, as for the AMS (plus ``"chain-incomplete"`` when a
        set below is missing a field, ``"tag-forbidden"`` for an ``h=`` tag). A seal with
        ``cv=fail`` that verifies only over its own set is valid with
        ``as_reason="own-set-only"``.
    as_reason_text
        The same in words.
    as_key_source
        Where the ARC-Seal key came from.
    aar
        The set's ARC-Authentication-Results parsed into claims
        (:class:`~mailforensics.authresults.AuthResults`), or None when absent.
    header_indexes
        Positions in the header block (0 = top) of the set's AAR, AMS and AS, in that
        order; None for a field that is absent.
    defects
        Structural problems of the set: ``"missing-aar"``, ``"duplicate-ams"``, ...
    """

    instance: int
    domain: str | None = None
    selector: str | None = None
    algorithm: str | None = None
    canonicalization: str | None = None
    signed_headers: tuple[str, ...] = ()
    timestamp: datetime | None = None
    expiration: datetime | None = None
    body_hash_ok: bool | None = None
    ams_valid: bool | None = None
    ams_reason: str | None = None
    ams_reason_text: str | None = None
    ams_key_source: str | None = None
    ams_key_bits: int | None = None
    as_domain: str | None = None
    as_selector: str | None = None
    as_algorithm: str | None = None
    as_timestamp: datetime | None = None
    cv: str | None = None
    as_valid: bool | None = None
    as_reason: str | None = None
    as_reason_text: str | None = None
    as_key_source: str | None = None
    aar: authresults.AuthResults | None = None
    header_indexes: tuple[int | None, int | None, int | None] = (None, None, None)
    defects: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when the set has exactly one AAR, AMS and AS (RFC 8617 §5.2 step 3.1)."""
        return None not in self.header_indexes and not self.defects


@dataclass(frozen=True, slots=True, kw_only=True)
class ARCResult:
    """The outcome of ARC chain validation (RFC 8617 §5.2), with every set's detail.

    Parameters
    ----------
    cv
        The Chain Validation Status: ``"none"`` (no ARC fields), ``"pass"`` or ``"fail"``.
    reason
        Why, as a stable token: None for ``pass``; ``"no-arc-sets"`` for ``none``; for
        ``fail`` the first RFC 8617 §5.2 step that failed: ``"too-many-sets"`` (step 1),
        ``"newest-seal-cv-fail"`` (step 2), ``"instance-invalid"``, ``"duplicate-field"``,
        ``"missing-field"``, ``"instance-gap"``, ``"seal-cv-fail"``,
        ``"seal-cv-invalid"`` (step 3), ``"newest-ams-fail"`` (step 4), ``"seal-fail"``
        (step 6).
    reason_text
        The same in one human sentence, naming the instance.
    sets
        Every ARC Set found, by ascending instance (an instance that is absent does not
        appear; see ``reason_text``).
    oldest_pass
        The lowest instance whose AMS still validates, walking down from the newest set
        while AMSs validate (RFC 8617 §5.2, "oldest-pass"): the oldest hop from which on
        the message is unchanged. ``1`` means every AMS validates; None when the newest
        AMS does not (or there is no set).
    key_sources
        Every key lookup made, once per name, in order (name, DNS status, records and
        whether it came from DNS or ``Config.historical_keys``).
    findings
        :class:`~mailforensics.findings.Finding` records (a key lookup that failed
        temporarily is a ``dns-temperror``).
    judged_at
        The time ``t=``/``x=`` were judged at (``ctx.current_time``).
    unassigned
        Header indexes of ARC fields that belong to no set (no usable ``i=``).
    """

    cv: str
    reason: str | None
    reason_text: str | None
    sets: tuple[ARCSet, ...] = ()
    oldest_pass: int | None = None
    key_sources: tuple[KeyLookup, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), compare=False)
    judged_at: datetime | None = None
    unassigned: tuple[int, ...] = ()

    @property
    def newest(self) -> ARCSet | None:
        """The set with the highest instance (the last intermediary), or None."""
        return self.sets[-1] if self.sets else None

    def by_instance(self, instance: int) -> ARCSet | None:
        """The set with ``i=instance``, or None."""
        for s in self.sets:
            if s.instance == instance:
                return s
        return None


# --- the raw header block -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Field:
    """One header field as bytes: the name exactly as written, the value with CRLF lines."""

    index: int
    name: bytes  # before the colon, as written (trailing WSP kept, for "simple")
    value: bytes  # after the colon, each line ending in CRLF
    lname: str  # the name stripped and lower-cased, for matching

    def text(self) -> str:
        """The value as text, folding kept (``"\\n"``), leading whitespace removed."""
        raw = self.value[:-2] if self.value.endswith(b"\r\n") else self.value
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        return text.replace("\r\n", "\n").lstrip(" \t")


def _field_name_ok(name: bytes) -> bool:
    return bool(name) and all(33 <= b <= 126 for b in name)


def _split(raw: bytes) -> tuple[list[_Field], bytes]:
    """Split ``raw`` into header fields and the body, line breaks normalised to CRLF.

    The field boundaries are those of :class:`mailforensics.message.Message` (so the
    indexes agree): RFC 5322 §2.2 fields and continuations, ending at the empty line or
    at the first line that is neither.
    """
    fields: list[tuple[bytes, list[bytes]]] = []
    body_offset: int | None = None
    pos, size = 0, len(raw)
    while pos < size:
        end = raw.find(b"\n", pos)
        line_end = size if end < 0 else end + 1
        line = raw[pos:line_end].rstrip(b"\r\n")
        if line == b"":
            body_offset = line_end
            break
        if line[:1] in (b" ", b"\t"):
            if fields:
                fields[-1][1].append(line)
                pos = line_end
                continue
            body_offset = pos
            break
        colon = line.find(b":")
        name = line[:colon].rstrip(b" \t") if colon > 0 else b""
        if colon <= 0 or not _field_name_ok(name):
            body_offset = pos
            break
        fields.append((line[:colon], [line[colon + 1 :]]))
        pos = line_end
    out = [
        _Field(i, name, b"".join(x + b"\r\n" for x in lines), name.strip(b" \t").decode("latin-1").lower())
        for i, (name, lines) in enumerate(fields)
    ]
    body = b"" if body_offset is None else raw[body_offset:]
    return out, _fastverify.crlf(body) if _fastverify.ENABLED else re.sub(rb"\r?\n", b"\r\n", body)


# --- tag lists ---------------------------------------------------------------------------------
def _parse_tags(value: bytes) -> tuple[dict[str, str] | None, str | None]:
    """Parse an RFC 6376 §3.2 tag-list; return the tags or None and the error."""
    text = value.decode("latin-1").replace("\r\n", "")
    specs = text.split(";")
    if specs and not specs[-1].strip(" \t"):
        specs.pop()  # a trailing ";" is allowed
    tags: dict[str, str] = {}
    for spec in specs:
        if "=" not in spec:
            return None, f"tag-spec without '=': {spec.strip()!r}" if spec.strip() else "empty tag-spec"
        name, _, val = spec.partition("=")
        name = name.strip(" \t")
        if not _TAG_NAME.match(name):
            return None, f"invalid tag name {name!r}"
        if name in tags:
            return None, f"duplicate tag {name}="
        val = val.strip(" \t")
        if _TAG_VALUE_BAD.search(val):
            return None, f"invalid character in {name}= value"
        tags[name] = val
    return tags, None


def _instance(text: str | None) -> int | None:
    """An instance value (RFC 8617 §4.2.1: ``1*2DIGIT``, 1..50); None when unusable."""
    if text is None:
        return None
    text = text.strip(" \t\r\n")
    if not _INSTANCE.match(text) or len(text) > 6:
        return None
    value = int(text)
    return value if value >= 1 else None


def _domain_ok(value: str) -> bool:
    labels = value.split(".")
    return bool(value) and all(_LABEL.match(label) and not label.endswith("-") for label in labels)


def _b64(value: str) -> bytes | None:
    compact = _WSP.sub("", value)
    if not compact or len(compact) % 4 or not _BASE64.match(compact):
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def _epoch(value: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- canonicalization (RFC 6376 §3.4) --------------------------------------------------------------
def _relaxed(f: _Field, value: bytes | None = None) -> bytes:
    """RFC 6376 §3.4.2 relaxed header canonicalization, CRLF-terminated."""
    v = (f.value if value is None else value).replace(b"\r\n", b"")
    v = (_fastverify.compress_wsp(v) if _fastverify.ENABLED else re.sub(rb"[ \t]+", b" ", v)).strip(b" \t")
    return f.name.strip(b" \t").lower() + b":" + v + b"\r\n"


def _simple(f: _Field, value: bytes | None = None) -> bytes:
    """RFC 6376 §3.4.1 simple header canonicalization: the field unchanged."""
    return f.name + b":" + (f.value if value is None else value)


def _without_b(value: bytes) -> bytes:
    """The field value with the ``b=`` tag's value emptied (RFC 6376 §3.7)."""
    return _B_VALUE.sub(rb"\1", value, count=1)


def _select(fields: Sequence[_Field], names: Sequence[str]) -> list[_Field]:
    """The fields ``h=`` names, each taken bottom-up (RFC 6376 §5.4.2); absent ones skipped."""
    chosen: list[_Field] = []
    below: dict[str, int] = {}
    for name in names:
        i = below.get(name, len(fields)) - 1
        while i >= 0 and fields[i].lname != name:
            i -= 1
        below[name] = max(i, 0)
        if i >= 0:
            chosen.append(fields[i])
    return chosen


# --- keys --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Key:
    lookup: KeyLookup
    key: Any = None  # dkimpy's RSA key dict, or a nacl VerifyKey
    kind: str | None = None  # "rsa" | "ed25519"
    bits: int | None = None
    error: str | None = None  # reason token when the key is unusable
    detail: str = ""


def _load_key(name: str, ctx: Context) -> _Key:
    """Fetch and parse the key record at ``name`` (RFC 6376 §3.6.1, §3.6.2)."""
    found = _dkimdns.key_lookup(name, ctx=ctx)
    if found.temporary_failure:
        return _Key(found, error="key-temperror", detail=f"{found.status} for {found.name} TXT")
    if not found.records:
        why = "no such name" if found.status == "NXDOMAIN" else "no TXT record"
        return _Key(found, error="key-missing", detail=f"no key record at {found.name} ({why})")
    record = found.records[0]  # RFC 6376 §3.6.2.2 leaves several records undefined; take the first
    tags, err = _parse_tags(record.encode("utf-8", errors="replace"))
    if tags is None:
        return _Key(found, error="key-invalid", detail=f"key record does not parse: {err}")
    if "p" in tags and not _WSP.sub("", tags["p"]):
        return _Key(found, error="key-revoked", detail=f"the key at {found.name} is revoked (empty p=)")
    hashes = tags.get("h")
    if hashes is not None and "sha256" not in [h.strip(" \t").lower() for h in hashes.split(":")]:
        return _Key(found, error="key-invalid", detail=f"key record h={hashes} does not allow sha256")
    try:
        pk, bits, ktag, _tlsrpt = _dkimpy.evaluate_pk(found.name, record.encode("utf-8", errors="replace"))
    except (_dkimpy.DKIMException, binascii.Error, ValueError, TypeError, IndexError, KeyError) as exc:
        return _Key(found, error="key-invalid", detail=f"key record is not a usable key: {exc}")
    if pk is None:
        return _Key(found, error="key-invalid", detail=f"key record service type s={tags.get('s')} is not email")
    kind = ktag.decode("ascii") if isinstance(ktag, bytes) else str(ktag)
    if kind == "rsa" and bits is not None and bits < _MIN_RSA_BITS:
        return _Key(found, pk, kind, bits, "key-too-small", f"{bits}-bit RSA key (RFC 8301 §3.2 requires 1024)")
    return _Key(found, pk, kind, bits)


def _check_signature(key: _Key, digest_input: Any, signature: bytes) -> bool:
    """Verify ``signature`` over the hash object with the key (RFC 8017 §8.2.2 / RFC 8463 §3)."""
    try:
        if key.kind == "rsa":
            fast = _fastverify.rsa_pkcs1_verify(
                key.key["modulus"], key.key["publicExponent"], digest_input.name, digest_input.digest(), signature
            )
            if fast is not None:  # OpenSSL; dkimpy's own check below for odd signatures
                return fast
            return bool(RSASSA_PKCS1_v1_5_verify(digest_input, signature, key.key))
        if key.kind == "ed25519":
            key.key.verify(digest_input.digest(), signature)
            return True
    except Exception:  # a hostile signature or key must not crash the check: it just fails
        return False
    return False


# --- one field's verification -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Outcome:
    valid: bool | None = None
    reason: str | None = None
    detail: str = ""
    key: _Key | None = None
    body_hash_ok: bool | None = None


@dataclass(frozen=True, slots=True)
class _ArcField:
    kind: str  # "aar" | "ams" | "as"
    field: _Field
    instance: int | None
    tags: dict[str, str] | None = None
    syntax_error: str | None = None


class _Verifier:
    """Holds what one ``verify`` call shares: the fields, the body, keys and body hashes."""

    def __init__(self, fields: list[_Field], body: bytes, ctx: Context, now: datetime) -> None:
        self.fields = fields
        self.body = body
        self.ctx = ctx
        self.now = now.timestamp()
        self.tolerance = max(float(ctx.config.clock_tolerance_s), 0.0)
        self.keys: dict[str, _Key] = {}
        self.lookups: list[KeyLookup] = []
        self.body_hashes: dict[tuple[str, int | None], bytes] = {}

    def key(self, selector: str, domain: str) -> _Key:
        name = f"{selector}._domainkey.{domain}".lower()
        if name not in self.keys:
            key = _load_key(name, self.ctx)
            self.keys[name] = key
            self.lookups.append(key.lookup)
        return self.keys[name]

    def body_hash(self, policy: Any, length: int | None) -> bytes:
        cache = (policy.to_c_value().decode("ascii"), length)
        if cache not in self.body_hashes:
            canon = _fastverify.canonicalize_body(policy.body_algorithm.name.decode("ascii"), self.body)
            if length is not None:
                canon = canon[:length]
            self.body_hashes[cache] = hashlib.sha256(canon).digest()
        return self.body_hashes[cache]

    # -- common tag checks (RFC 8617 §4.1.2, §4.1.3; RFC 6376 §3.5) --
    def _common(self, f: _ArcField, required: Sequence[str]) -> _Outcome | None:
        if f.tags is None:
            return _Outcome(False, "tag-syntax", f"the tag-list does not parse: {f.syntax_error}")
        tags = f.tags
        missing = [t for t in required if t not in tags]
        if missing:
            return _Outcome(False, "tag-missing", "required tag(s) missing: " + ", ".join(f"{t}=" for t in missing))
        if tags["a"] not in _ALGORITHMS:
            return _Outcome(False, "algorithm-unsupported", f"a={tags['a']} is not a supported algorithm")
        if not _domain_ok(tags["d"]):
            return _Outcome(False, "tag-invalid", f"d={tags['d']} is not a domain name")
        if not _domain_ok(tags["s"]):
            return _Outcome(False, "tag-invalid", f"s={tags['s']} is not a selector")
        if _b64(tags["b"]) is None:
            return _Outcome(False, "tag-invalid", "b= is empty or not base64")
        t = tags.get("t")
        if t is not None:
            if not _DIGITS_12.match(t):
                return _Outcome(False, "tag-invalid", f"t={t} is not a timestamp")
            if int(t) > self.now + self.tolerance:
                return _Outcome(False, "timestamp-future", f"t={t} is after the time judged at")
        return None

    def verify_ams(self, f: _ArcField) -> _Outcome:
        """Verify an AMS like a DKIM signature (RFC 8617 §4.1.2, RFC 6376 §6.1.3)."""
        bad = self._common(f, _AMS_REQUIRED)
        if bad is not None:
            return bad
        tags = f.tags or {}
        if _b64(tags["bh"]) is None:
            return _Outcome(False, "tag-invalid", "bh= is empty or not base64")
        try:
            policy = CanonicalizationPolicy.from_c_value(tags["c"].encode("ascii") if "c" in tags else None)
        except (InvalidCanonicalizationPolicyError, UnicodeEncodeError):
            return _Outcome(False, "tag-invalid", f"c={tags.get('c')} is not a canonicalization")
        length = None
        if "l" in tags:
            if not re.fullmatch(r"[0-9]{1,76}", tags["l"]):
                return _Outcome(False, "tag-invalid", f"l={tags['l']} is not a length")
            length = int(tags["l"])
        x = tags.get("x")
        if x is not None:
            if not _DIGITS_12.match(x) or ("t" in tags and int(x) < int(tags["t"])):
                return _Outcome(False, "tag-invalid", f"x={x} is not a timestamp after t=")
            if int(x) < self.now:
                return _Outcome(False, "signature-expired", f"x={x}: the signature had expired at the time judged at")
        names = _header_list(tags["h"])
        if "arc-seal" in names:
            # RFC 8617 §4.1.2: the AMS MUST NOT sign ARC-Seal header fields.
            return _Outcome(False, "signs-arc-seal", "h= includes ARC-Seal")
        key = self.key(tags["s"], tags["d"])
        body_ok = self.body_hash(policy, length) == _b64(tags["bh"])
        if key.error is not None:
            return _Outcome(None if key.error == "key-temperror" else False, key.error, key.detail, key, body_ok)
        if key.kind != _ALGORITHMS[tags["a"]]:
            return _Outcome(False, "key-mismatch", f"a={tags['a']} with a k={key.kind} key", key, body_ok)
        canon = _relaxed if policy.header_algorithm.name == b"relaxed" else _simple
        h = hashlib.sha256()
        for selected in _select(self.fields, names):
            h.update(canon(selected))
        h.update(canon(f.field, _without_b(f.field.value)).removesuffix(b"\r\n"))
        signature = _b64(tags["b"]) or b""
        sig_ok = _check_signature(key, h, signature)
        if not body_ok:
            return _Outcome(False, "body-hash-mismatch", "the body no longer matches bh=", key, False)
        if not sig_ok:
            return _Outcome(False, "signature-mismatch", "the signature does not verify", key, True)
        return _Outcome(True, None, "", key, True)

    def verify_as(self, f: _ArcField, chain: Sequence[tuple[_Field, _Field, _Field]] | None) -> _Outcome:
        """Verify an ARC-Seal over the sets 1..i (RFC 8617 §5.1.1, §5.2 step 6)."""
        bad = self._common(f, _AS_REQUIRED)
        if bad is not None:
            return bad
        tags = f.tags or {}
        if "h" in tags:
            return _Outcome(False, "tag-forbidden", "h= is not allowed in an ARC-Seal (RFC 8617 §4.1.3)")
        if tags["cv"].lower() not in _CV_VALUES:
            return _Outcome(False, "tag-invalid", f"cv={tags['cv']} is not none, pass or fail")
        if chain is None:
            return _Outcome(None, "chain-incomplete", "a set below this one is missing or has duplicate fields")
        key = self.key(tags["s"], tags["d"])
        if key.error is not None:
            return _Outcome(None if key.error == "key-temperror" else False, key.error, key.detail, key)
        if key.kind != _ALGORITHMS[tags["a"]]:
            return _Outcome(False, "key-mismatch", f"a={tags['a']} with a k={key.kind} key", key)
        signature = _b64(tags["b"]) or b""
        if _check_signature(key, _seal_hash(chain), signature):
            return _Outcome(True, None, "", key)
        if tags["cv"].lower() == "fail" and _check_signature(key, _seal_hash(chain[-1:]), signature):
            # A sealer that found the chain failing may seal only its own set (as dkimpy does).
            return _Outcome(True, "own-set-only", "the seal covers only its own set", key)
        return _Outcome(False, "signature-mismatch", "the seal does not verify", key)


def _seal_hash(chain: Sequence[tuple[_Field, _Field, _Field]]) -> Any:
    """The ARC-Seal hash input: every set, AAR, AMS, AS, relaxed (RFC 8617 §5.1.1)."""
    h = hashlib.sha256()
    for n, (aar, ams, seal) in enumerate(chain, start=1):
        h.update(_relaxed(aar))
        h.update(_relaxed(ams))
        if n < len(chain):
            h.update(_relaxed(seal))
        else:
            h.update(_relaxed(seal, _without_b(seal.value)).removesuffix(b"\r\n"))
    return h


def _header_list(value: str) -> list[str]:
    """The ``h=`` names, lower case, empty names dropped (RFC 6376 §3.5)."""
    return [n for n in (_WSP.sub("", part).lower() for part in value.split(":")) if n]


# --- collection (RFC 8617 §5.2 step 1) ------------------------------------------------------------------
def _collect(fields: Sequence[_Field]) -> list[_ArcField]:
    out: list[_ArcField] = []
    for f in fields:
        kind = _ARC_NAMES.get(f.lname)
        if kind is None:
            continue
        if kind == "aar":
            m = _AAR_INSTANCE.match(f.value.decode("latin-1"))
            out.append(_ArcField(kind, f, _instance(m.group(1)) if m else None))
            continue
        tags, err = _parse_tags(f.value)
        if tags is not None:
            out.append(_ArcField(kind, f, _instance(tags.get("i")), tags, None))
            continue
        loose = {m.group(1) for m in _LOOSE_INSTANCE.finditer(f.value.decode("latin-1").replace("\r\n", ""))}
        instance = _instance(loose.pop()) if len(loose) == 1 else None
        out.append(_ArcField(kind, f, instance, None, err))
    return out


# --- verify --------------------------------------------------------------------------------------------
def verify(raw: bytes, *, ctx: Context) -> ARCResult:
    """Validate the ARC chain of a message (RFC 8617 §5.2), checking every set.

    Parameters
    ----------
    raw
        The message bytes exactly as read (``Message.raw``); CRLF or LF line endings.
    ctx
        The :class:`~mailforensics.context.Context`: key records are asked through
        ``Config.historical_keys`` first, then ``ctx.get_resolver()``; ``t=``/``x=`` are
        judged at ``ctx.current_time`` (for ``now="delivery"``, the top Received hop).

    Returns
    -------
    ARCResult
        ``cv`` with its reason, every set's detail, ``oldest_pass``, the key lookups and
        findings. Never raises for a malformed message.

    Raises
    ------
    InputError
        If ``raw`` is not bytes.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise InputError(f"arc.verify takes the message bytes, not {type(raw).__name__}")
    return _verify(bytes(raw), ctx=ctx, message=None)


def verify_message(message: Message, *, ctx: Context) -> ARCResult:
    """:func:`verify` of ``message.raw``, with the delivery time (``now="delivery"``) read
    once per message (:func:`~mailforensics.auth._dkimdns.message_delivery_time`).

    Parameters
    ----------
    message
        The message.
    ctx
        As for :func:`verify`.
    """
    return _verify(bytes(message.raw), ctx=ctx, message=message)


def _verify(raw: bytes, *, ctx: Context, message: Message | None) -> ARCResult:
    """:func:`verify`; ``message``, when given, is the Message of ``raw``."""
    fields: list[_Field]
    if _fastverify.ENABLED and b"arc-" not in raw.lower():
        fields, body = [], b""  # no field can be an ARC field: nothing to split
    else:
        fields, body = _split(raw)
    arc_fields = _collect(fields)
    if ctx.now != "delivery":
        delivery = None
    elif message is not None:
        delivery = _dkimdns.message_delivery_time(message)  # the same, read once per message
    else:
        delivery = _dkimdns.delivery_time(raw)
    now = ctx.current_time(delivery=delivery)
    if not arc_fields:
        # RFC 8617 §5.2 step 1: no ARC Sets, the Chain Validation Status is "none".
        return ARCResult(cv="none", reason="no-arc-sets", reason_text="The message has no ARC fields.", judged_at=now)

    groups: dict[int, dict[str, list[_ArcField]]] = {}
    unassigned: list[_ArcField] = []
    for af in arc_fields:
        if af.instance is None:
            unassigned.append(af)
        else:
            groups.setdefault(af.instance, {"aar": [], "ams": [], "as": []})[af.kind].append(af)

    verifier = _Verifier(fields, body, ctx, now)
    instances = sorted(groups)
    top = instances[-1] if instances else 0

    # The seal chain: sets 1..i, each with exactly one field of each kind (RFC 8617 §5.1.1).
    def chain_upto(i: int) -> list[tuple[_Field, _Field, _Field]] | None:
        chain = []
        for j in range(1, i + 1):
            g = groups.get(j)
            if g is None or any(len(g[k]) != 1 for k in ("aar", "ams", "as")):
                return None
            chain.append((g["aar"][0].field, g["ams"][0].field, g["as"][0].field))
        return chain

    sets: list[ARCSet] = []
    temp_failures: list[tuple[int, str, _Key]] = []
    for i in instances:
        g = groups[i]
        sets.append(_build_set(i, g, verifier, chain_upto, temp_failures))

    cv, reason, text = _chain_status(sets, groups, unassigned, top)
    oldest = _oldest_pass(sets, top)
    findings = [
        Finding(
            code=FindingCode.DNS_TEMPERROR,
            severity=Severity.WARNING,
            where=f"ARC set {i} ({label})",
            detail=f"The {label} key could not be fetched ({key.lookup.status}); the signature was not checked.",
            evidence=(("name", key.lookup.name), ("status", key.lookup.status)),
        )
        for i, label, key in temp_failures
    ]
    findings.extend(_chain_findings(cv, reason, text, sets, oldest))
    return ARCResult(
        cv=cv,
        reason=reason,
        reason_text=text,
        sets=tuple(sets),
        oldest_pass=oldest,
        key_sources=tuple(verifier.lookups),
        findings=tuple(findings),
        judged_at=now,
        unassigned=tuple(af.field.index for af in unassigned),
    )


def _chain_findings(
    cv: str, reason: str | None, text: str | None, sets: list[ARCSet], oldest: int | None
) -> list[Finding]:
    """What an analyst should know about the chain of custody, from the sets' own fields."""
    out: list[Finding] = []
    if cv == "fail":
        out.append(
            Finding(
                code=FindingCode.ARC_FAIL,
                severity=Severity.WARNING,
                where="ARC",
                detail=f"The ARC chain fails ({reason}): {text}",
                evidence=(("reason", reason or ""),),
            )
        )
    modified = [s.instance for s in sets if s.body_hash_ok is False]
    if (oldest is not None and oldest > 1) or modified:
        where = f"ARC set {oldest}" if oldest and oldest > 1 else "ARC"
        out.append(
            Finding(
                code=FindingCode.ARC_MODIFIED_IN_TRANSIT,
                severity=Severity.NOTICE,
                where=where,
                detail="The message changed while intermediaries handled it: "
                + (f"the signatures verify only from ARC set {oldest} on" if oldest and oldest > 1 else "")
                + (
                    f"{'; ' if oldest and oldest > 1 else ''}the body no longer matches set(s) {modified}"
                    if modified
                    else ""
                )
                + ". The earlier intermediaries' verdicts (their ARC-Authentication-Results) describe the "
                "message as it was before.",
            )
        )
    for s in sets:
        where = f"ARC set {s.instance}"
        if s.cv == "fail":
            out.append(
                Finding(
                    code=FindingCode.ARC_SEAL_CV_FAIL,
                    severity=Severity.NOTICE,
                    where=where,
                    detail=f"Intermediary {s.as_domain} sealed the chain as already broken (cv=fail).",
                )
            )
        for part, why in (("AMS", s.ams_reason), ("AS", s.as_reason)):
            if why in ("key-missing", "key-revoked", "key-invalid"):
                out.append(
                    Finding(code=FindingCode.ARC_NO_KEY, severity=Severity.WARNING, where=where,
                            detail=f"The {part} key of set {s.instance} is unusable ({why}).")
                )  # fmt: skip
            elif why in ("key-too-small", "algorithm-unsupported"):
                out.append(
                    Finding(code=FindingCode.ARC_WEAK_KEY, severity=Severity.NOTICE, where=where,
                            detail=f"The {part} of set {s.instance} uses a weak or unsupported key ({why}).")
                )  # fmt: skip
            elif why in ("timestamp-future", "signature-expired"):
                out.append(
                    Finding(code=FindingCode.ARC_TIMESTAMP, severity=Severity.NOTICE, where=where,
                            detail=f"The {part} of set {s.instance} is not valid at the time judged at ({why}).")
                )  # fmt: skip
        if "historical" in (s.ams_key_source, s.as_key_source):
            out.append(
                Finding(
                    code=FindingCode.ARC_HISTORICAL_KEY,
                    severity=Severity.INFO,
                    where=where,
                    detail=f"A key of set {s.instance} came from the archived keys given, not today's DNS.",
                )
            )
    return out


def _build_set(
    i: int,
    g: Mapping[str, list[_ArcField]],
    verifier: _Verifier,
    chain_upto: Callable[[int], list[tuple[_Field, _Field, _Field]] | None],
    temp_failures: list[tuple[int, str, _Key]],
) -> ARCSet:
    defects = [f"{p}-{k}" for k in ("aar", "ams", "as") for p in ("missing", "duplicate") if _count_is(g[k], p)]
    ams_list, as_list, aar_list = g["ams"], g["as"], g["aar"]
    ams = ams_list[0] if ams_list else None
    seal = as_list[0] if as_list else None
    aar = aar_list[0] if aar_list else None

    over = i > MAX_SETS
    if ams is None:
        ams_out = _Outcome(None, "field-missing", "no ARC-Message-Signature for this instance")
    elif len(ams_list) > 1:
        ams_out = _Outcome(None, "field-duplicate", "several ARC-Message-Signature fields for this instance")
    elif over:
        ams_out = _Outcome(None, "over-limit", f"instance above {MAX_SETS}: not checked")
    else:
        ams_out = verifier.verify_ams(ams)
    if seal is None:
        as_out = _Outcome(None, "field-missing", "no ARC-Seal for this instance")
    elif len(as_list) > 1:
        as_out = _Outcome(None, "field-duplicate", "several ARC-Seal fields for this instance")
    elif over:
        as_out = _Outcome(None, "over-limit", f"instance above {MAX_SETS}: not checked")
    else:
        as_out = verifier.verify_as(seal, chain_upto(i))
    for label, out in (("ARC-Message-Signature", ams_out), ("ARC-Seal", as_out)):
        if out.reason == "key-temperror" and out.key is not None:
            temp_failures.append((i, label, out.key))

    ams_tags = (ams.tags if ams is not None else None) or {}
    as_tags = (seal.tags if seal is not None else None) or {}
    cv = as_tags.get("cv")
    if cv is not None and cv.lower() in _CV_VALUES:
        cv = cv.lower()
    return ARCSet(
        instance=i,
        domain=ams_tags.get("d"),
        selector=ams_tags.get("s"),
        algorithm=ams_tags.get("a"),
        canonicalization=ams_tags.get("c"),
        signed_headers=tuple(_header_list(ams_tags["h"])) if "h" in ams_tags else (),
        timestamp=_tag_time(ams_tags.get("t")),
        expiration=_tag_time(ams_tags.get("x")),
        body_hash_ok=ams_out.body_hash_ok,
        ams_valid=ams_out.valid,
        ams_reason=ams_out.reason,
        ams_reason_text=ams_out.detail or None,
        ams_key_source=ams_out.key.lookup.source if ams_out.key is not None and ams_out.key.lookup.records else None,
        ams_key_bits=ams_out.key.bits if ams_out.key is not None else None,
        as_domain=as_tags.get("d"),
        as_selector=as_tags.get("s"),
        as_algorithm=as_tags.get("a"),
        as_timestamp=_tag_time(as_tags.get("t")),
        cv=cv,
        as_valid=as_out.valid,
        as_reason=as_out.reason,
        as_reason_text=as_out.detail or None,
        as_key_source=as_out.key.lookup.source if as_out.key is not None and as_out.key.lookup.records else None,
        aar=authresults.parse_arc_authentication_results(aar.field.text(), header_index=aar.field.index)
        if aar is not None
        else None,
        header_indexes=(
            aar.field.index if aar is not None else None,
            ams.field.index if ams is not None else None,
            seal.field.index if seal is not None else None,
        ),
        defects=tuple(defects),
    )


def _count_is(items: Sequence[object], problem: str) -> bool:
    return (problem == "missing" and not items) or (problem == "duplicate" and len(items) > 1)


def _tag_time(value: str | None) -> datetime | None:
    if value is None or not _DIGITS_12.match(value):
        return None
    return _epoch(int(value))


def _chain_status(
    sets: Sequence[ARCSet],
    groups: Mapping[int, Mapping[str, list[_ArcField]]],
    unassigned: Sequence[_ArcField],
    top: int,
) -> tuple[str, str | None, str | None]:
    """RFC 8617 §5.2 steps 1–7 over the per-set results: (cv, reason, text)."""
    # Step 1: more than 50 ARC Sets.
    if len(groups) > MAX_SETS or top > MAX_SETS:
        return "fail", "too-many-sets", f"The chain has instances up to i={top}; RFC 8617 allows {MAX_SETS}."
    # Step 2: the newest set's seal says the chain had already failed.
    if top and any((af.tags or {}).get("cv", "").lower() == "fail" for af in groups[top]["as"]):
        return "fail", "newest-seal-cv-fail", f"The newest ARC-Seal (i={top}) says cv=fail."
    # Step 3: structure — one AAR, AMS and AS per set; instances 1..N; cv values.
    if unassigned:
        af = unassigned[0]
        return (
            "fail",
            "instance-invalid",
            f"{_KIND_LABEL[af.kind]} at header {af.field.index} has no valid instance (i=).",
        )
    for s in sets:
        for defect in s.defects:
            problem, _, kind = defect.partition("-")
            token = "duplicate-field" if problem == "duplicate" else "missing-field"
            what = "more than one" if problem == "duplicate" else "no"
            return "fail", token, f"ARC set i={s.instance} has {what} {_KIND_LABEL[kind]}."
    gaps = [i for i in range(1, top + 1) if i not in groups]
    if gaps:
        listed = ", ".join(f"i={i}" for i in gaps)
        return "fail", "instance-gap", f"The chain's instances are not continuous: {listed} missing (1..{top})."
    for s in reversed(sets):
        if s.cv == "fail":
            return "fail", "seal-cv-fail", f"ARC-Seal i={s.instance} says cv=fail: the chain was already broken."
    for s in sets:
        expected = "none" if s.instance == 1 else "pass"
        if s.cv is None:
            why = "its tag-list does not parse" if s.as_reason == "tag-syntax" else "it has no cv= tag"
            return "fail", "seal-cv-invalid", f"ARC-Seal i={s.instance} has no readable cv= ({why})."
        if s.cv != expected:
            return (
                "fail",
                "seal-cv-invalid",
                f"ARC-Seal i={s.instance} says cv={s.cv}; instance {s.instance} must say cv={expected}.",
            )
    # Step 4: the newest AMS must validate.
    newest = sets[-1]
    if newest.ams_valid is not True:
        why = newest.ams_reason_text or newest.ams_reason or "invalid"
        return "fail", "newest-ams-fail", f"The newest ARC-Message-Signature (i={newest.instance}) fails: {why}."
    # Step 6: every seal, newest first, must validate.
    for s in reversed(sets):
        if s.as_valid is not True:
            why = s.as_reason_text or s.as_reason or "invalid"
            return "fail", "seal-fail", f"ARC-Seal i={s.instance} does not validate: {why}."
    return "pass", None, None


def _oldest_pass(sets: Sequence[ARCSet], top: int) -> int | None:
    """RFC 8617 §5.2 "oldest-pass": walk down from the newest AMS while AMSs validate."""
    by_instance = {s.instance: s for s in sets}
    oldest = None
    for i in range(top, 0, -1):
        s = by_instance.get(i)
        if s is None or s.ams_valid is not True:
            break
        oldest = i
    return oldest
