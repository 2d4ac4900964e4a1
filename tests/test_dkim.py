"""DKIM verification: one test per reason token, the two checks independently, as-of-when,
historical keys, LF/CRLF/mbox input, several signatures, and a differential test against
plain dkimpy. Keys are generated here; messages are signed with dkimpy (``dkim.sign``, or
dkimpy's own header hashing and RSA/Ed25519 signing when a test needs tags ``dkim.sign``
does not write, such as ``x=`` or an ``h=`` without From)."""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import dkim
import nacl.encoding
import nacl.signing
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import CanonicalizationPolicy, InvalidCanonicalizationPolicyError
from dkim.crypto import RSASSA_PKCS1_v1_5_sign, parse_pem_private_key

import mailforensics as mf
from mailforensics.auth import _dkimdns
from mailforensics.auth import dkim as mf_dkim
from mailforensics.auth.dkim import REASONS, DKIMResult, PreparedMessage
from mailforensics.context import Config, Context
from mailforensics.findings import FindingCode
from mailforensics.message import Message
from mailforensics.resolvers.zone import ZoneResolver

NOW = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
T_SIGN = int(datetime(2024, 5, 6, 11, 58, tzinfo=UTC).timestamp())

MESSAGE = (
    b"Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n"
    b"\tby mx.receiver.example with ESMTPS id ABC; Mon, 6 May 2024 12:00:00 +0000\r\n"
    b"From: Alice <alice@example.com>\r\n"
    b"To: Bob <bob@receiver.example>\r\n"
    b"Subject: Quarterly figures\r\n"
    b"Date: Mon, 6 May 2024 11:58:00 +0000\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello Bob,\r\n"
    b"\r\n"
    b"the figures are attached.  Regards,\r\n"
    b"Alice\r\n"
)
HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]


# --- keys ------------------------------------------------------------------------------------------
def _fermat_prime(bits: int, rnd: random.Random) -> int:
    while True:
        n = rnd.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits: p*q has 2*bits bits
        if all(pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)):
            return n


def _rsa_pair(key: rsa.RSAPrivateKey) -> tuple[bytes, str]:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(spki).decode()


@cache
def rsa_key(bits: int) -> tuple[bytes, str]:
    """(PKCS#1 PEM private key, base64 SPKI public key) of ``bits`` bits."""
    if bits >= 1024:
        return _rsa_pair(rsa.generate_private_key(public_exponent=65537, key_size=bits))
    # cryptography will not generate keys under 1024 bits; build one from primes.
    rnd = random.Random(bits)
    e = 65537
    while True:
        p, q = _fermat_prime(bits // 2, rnd), _fermat_prime(bits // 2, rnd)
        if p != q and (p - 1) % e and (q - 1) % e:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q))
    return _rsa_pair(numbers.private_key())


@cache
def ed_key() -> tuple[bytes, str]:
    """(base64 Ed25519 seed as dkimpy wants it, base64 raw public key)."""
    sk = nacl.signing.SigningKey(bytes(range(32)))
    return sk.encode(encoder=nacl.encoding.Base64Encoder), base64.b64encode(bytes(sk.verify_key)).decode()


def record(public: str, k: str = "rsa", extra: str = "") -> str:
    return f"v=DKIM1; k={k}; {extra}p={public}"


def zone(records: Mapping[str, str | Sequence[str]]) -> ZoneResolver:
    """A resolver from ``{"sel._domainkey.example.com": "v=DKIM1; ..." or a status}``."""
    data: dict[str, Any] = {}
    for name, value in records.items():
        if isinstance(value, str) and value.upper() in ("TIMEOUT", "SERVFAIL", "REFUSED", "NXDOMAIN"):
            if value.upper() != "NXDOMAIN":
                data[name] = {"TXT": value.upper()}
            continue
        data[name] = {"TXT": [value] if isinstance(value, str) else list(value)}
    return ZoneResolver.from_dict(data)


def ctx_for(records: Mapping[str, str | Sequence[str]], **kw: Any) -> Context:
    kw.setdefault("now", NOW)
    return Context(resolver=zone(records), **kw)


# --- signing ---------------------------------------------------------------------------------------
def sign(
    raw: bytes = MESSAGE,
    *,
    selector: str = "sel",
    domain: str = "example.com",
    algorithm: str = "rsa-sha256",
    bits: int = 2048,
    headers: Sequence[bytes] = HEADERS,
    length: bool = False,
    identity: str | None = None,
    canon: tuple[bytes, bytes] = (b"relaxed", b"simple"),
) -> bytes:
    """Sign with ``dkim.sign`` and return the signed message (t= pinned to T_SIGN)."""
    private = ed_key()[0] if algorithm.startswith("ed25519") else rsa_key(bits)[0]
    with mock.patch.object(dkim.time, "time", return_value=float(T_SIGN)):  # pins t=
        sig = dkim.sign(
            raw,
            selector.encode(),
            domain.encode(),
            private,
            identity=identity.encode() if identity else None,
            canonicalize=canon,
            include_headers=list(headers),
            length=length,
            signature_algorithm=algorithm.encode(),
        )
    return sig + raw


def forge(
    raw: bytes = MESSAGE,
    *,
    tags: Sequence[tuple[str, str]] = (),
    algorithm: str = "rsa-sha256",
    bits: int = 2048,
    headers: Sequence[str] = ("from", "to", "subject", "date"),
    canon: str = "relaxed/relaxed",
) -> bytes:
    """Sign with dkimpy's primitives, writing exactly the tags given (in that order).

    ``tags`` may override v, a, c, d, s, t, h or add any (x=, i=, l=, ...). The signature
    is valid for what is written: dkimpy's body canonicalization and ``hash_headers``.
    """
    fields: dict[str, str] = {
        "v": "1",
        "a": algorithm,
        "c": canon,
        "d": "example.com",
        "s": "sel",
        "t": str(T_SIGN),
        "h": ":".join(headers),
    }
    fields.update(dict(tags))
    try:
        policy = CanonicalizationPolicy.from_c_value(fields["c"].encode())
    except InvalidCanonicalizationPolicyError:
        policy = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
    headers_list, body = dkim.rfc822_parse(raw)
    hash_name = "sha1" if fields["a"] == "rsa-sha1" else "sha256"
    body_c = policy.canonicalize_body(body)
    if fields.get("l", "").isdigit():
        body_c = body_c[: int(fields["l"])]
    hasher = getattr(hashlib, hash_name)
    fields.setdefault("bh", base64.b64encode(hasher(body_c).digest()).decode())
    value = "; ".join(f"{k}={v}" for k, v in fields.items()) + ";\r\n\tb="
    include = [h.strip().lower().encode() for h in fields["h"].split(":")]
    h = hasher()
    dkim.hash_headers(
        h, policy, policy.canonicalize_headers(headers_list), include, (b"DKIM-Signature", b" " + value.encode()), {}
    )
    if fields["a"].startswith("ed25519"):
        sig = nacl.signing.SigningKey(ed_key()[0], encoder=nacl.encoding.Base64Encoder).sign(h.digest()).signature
    else:
        sig = bytes(RSASSA_PKCS1_v1_5_sign(h, parse_pem_private_key(rsa_key(bits)[0])))
    return b"DKIM-Signature: " + value.encode() + base64.b64encode(sig) + b"\r\n" + raw


RSA_ZONE = {"sel._domainkey.example.com": record(rsa_key(2048)[1])}
ED_ZONE = {"sel._domainkey.example.com": record(ed_key()[1], "ed25519")}


def one(raw: bytes, ctx: Context) -> DKIMResult:
    results = mf_dkim.verify(raw, ctx=ctx)
    assert len(results) == 1
    assert results[0].result == REASONS.get(results[0].reason or "", "pass")
    return results[0]


# --- pass, and the record's fields -----------------------------------------------------------------
@pytest.mark.parametrize("bits", [1024, 2048])
def test_rsa_pass_fields(bits: int) -> None:
    raw = sign(bits=bits, identity="alice@mail.example.com")
    r = one(raw, ctx_for({"sel._domainkey.example.com": record(rsa_key(bits)[1])}))
    assert (r.result, r.reason, r.reasons) == ("pass", None, ())
    assert r.body_hash_ok is True and r.signature_ok is True
    assert (r.domain, r.selector, r.algorithm) == ("example.com", "sel", "rsa-sha256")
    assert (r.key_type, r.key_bits, r.key_source) == ("rsa", bits, "dns")
    assert r.canonicalization == "relaxed/simple"
    assert r.signed_headers == ("from", "to", "subject", "date", "message-id", "mime-version", "content-type")
    assert (r.identity, r.identity_ok) == ("alice@mail.example.com", True)
    assert r.length is None and r.unsigned_body_bytes is None
    assert r.timestamp == datetime.fromtimestamp(T_SIGN, UTC) and r.expiration is None
    assert r.judged_at == NOW
    assert r.header_index == 0 and r.raw.startswith("v=1; a=rsa-sha256;")
    assert r.line_endings == "crlf"
    assert r.key_record is not None and r.key_record.startswith("v=DKIM1")
    assert r.computed_body_hash is not None
    assert r.findings == ()
    with pytest.raises(FrozenInstanceError):
        r.result = "fail"  # type: ignore[misc]


def test_ed25519_pass() -> None:
    r = one(sign(algorithm="ed25519-sha256"), ctx_for(ED_ZONE))
    assert (r.result, r.algorithm, r.key_type, r.key_bits) == ("pass", "ed25519-sha256", "ed25519", 256)
    assert r.body_hash_ok and r.signature_ok


def test_no_signature() -> None:
    assert mf_dkim.verify(MESSAGE, ctx=ctx_for({})) == ()


# --- the two checks independently ------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ed25519-sha256"])
def test_footer_appended_body_fails_signature_holds(algorithm: str) -> None:
    raw = sign(algorithm=algorithm) + b"--\r\nSent via the list\r\n"
    r = one(raw, ctx_for(ED_ZONE if algorithm.startswith("ed") else RSA_ZONE))
    assert (r.result, r.reason, r.reasons) == ("fail", "body-hash-mismatch", ("body-hash-mismatch",))
    assert r.body_hash_ok is False and r.signature_ok is True


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ed25519-sha256"])
def test_subject_replaced_signature_fails_body_holds(algorithm: str) -> None:
    raw = sign(algorithm=algorithm).replace(b"Subject: Quarterly figures", b"Subject: Urgent wire transfer")
    r = one(raw, ctx_for(ED_ZONE if algorithm.startswith("ed") else RSA_ZONE))
    assert (r.result, r.reason) == ("fail", "signature-mismatch")
    assert r.body_hash_ok is True and r.signature_ok is False


def test_both_changed() -> None:
    raw = sign().replace(b"Subject: Quarterly", b"Subject: Monthly") + b"extra\r\n"
    r = one(raw, ctx_for(RSA_ZONE))
    assert r.reason == "body-hash-mismatch" and r.reasons == ("body-hash-mismatch", "signature-mismatch")
    assert r.body_hash_ok is False and r.signature_ok is False


# --- key reasons -----------------------------------------------------------------------------------
def test_no_key_nxdomain_and_nodata() -> None:
    r = one(sign(), ctx_for({}))
    assert (r.result, r.reason, r.key_source) == ("permerror", "no-key", None)
    assert r.body_hash_ok is None and r.signature_ok is None
    nodata = Context(resolver=ZoneResolver.from_dict({"sel._domainkey.example.com": {"A": ["192.0.2.1"]}}), now=NOW)
    assert one(sign(), nodata).reason == "no-key"


def test_key_revoked() -> None:
    r = one(sign(), ctx_for({"sel._domainkey.example.com": "v=DKIM1; k=rsa; p="}))
    assert (r.result, r.reason) == ("permerror", "key-revoked")


@pytest.mark.parametrize(
    "txt",
    [
        "v=DKIM1; k=rsa; p=!!notbase64!!",
        "v=DKIM1; k=rsa; p=" + base64.b64encode(b"not a key at all").decode(),
        "v=DKIM2; k=rsa; p=" + rsa_key(2048)[1],
        "v=DKIM1; k=rsa",
        "v=DKIM1; k=rsa; p=abc; p=abc",
    ],
)
def test_key_malformed(txt: str) -> None:
    r = one(sign(), ctx_for({"sel._domainkey.example.com": txt}))
    assert (r.result, r.reason) == ("permerror", "key-malformed")
    assert r.key_record == txt and r.key_source == "dns"


def test_key_too_small_is_policy_with_checks_run() -> None:
    raw = sign(bits=768)
    r = one(raw, ctx_for({"sel._domainkey.example.com": record(rsa_key(768)[1])}))
    assert (r.result, r.reason, r.key_bits) == ("policy", "key-too-small", 768)
    assert r.body_hash_ok is True and r.signature_ok is True
    # the check still tells a tampered one apart
    r = one(raw + b"x\r\n", ctx_for({"sel._domainkey.example.com": record(rsa_key(768)[1])}))
    assert r.result == "fail" and r.reasons == ("body-hash-mismatch", "key-too-small")


@pytest.mark.parametrize(
    ("txt", "algorithm"),
    [
        (record(ed_key()[1], "ed25519"), "rsa-sha256"),  # k= vs a=
        (record(rsa_key(2048)[1]), "ed25519-sha256"),
        (record(rsa_key(2048)[1], extra="h=sha1; "), "rsa-sha256"),  # hash not allowed
        (record(rsa_key(2048)[1], extra="s=tlsrpt; "), "rsa-sha256"),  # service
    ],
)
def test_key_mismatch(txt: str, algorithm: str) -> None:
    r = one(sign(algorithm=algorithm), ctx_for({"sel._domainkey.example.com": txt}))
    assert (r.result, r.reason) == ("permerror", "key-mismatch")


def test_key_flag_s_forbids_subdomain_identity() -> None:
    txt = record(rsa_key(2048)[1], extra="t=s; ")
    ctx = ctx_for({"sel._domainkey.example.com": txt})
    assert one(sign(identity="alice@example.com"), ctx).result == "pass"
    r = one(sign(identity="alice@mail.example.com"), ctx)
    assert (r.result, r.reason, r.identity_ok) == ("permerror", "key-mismatch", True)


def test_key_service_email_and_testing_flag() -> None:
    txt = record(rsa_key(2048)[1], extra="s=email; t=y; h=sha256; ")
    r = one(sign(), ctx_for({"sel._domainkey.example.com": txt}))
    assert r.result == "pass" and r.key_testing is True


def test_unknown_key_type_is_key_mismatch() -> None:
    """RFC 6376 §3.6.1 ignores unknown k=; no key fits a=: PERMFAIL (§6.1.2), not neutral."""
    r = one(sign(), ctx_for({"sel._domainkey.example.com": "v=DKIM1; k=dsa; p=AAAA"}))
    assert (r.result, r.reason, r.key_type) == ("permerror", "key-mismatch", "dsa")
    assert r.body_hash_ok is None and r.signature_ok is None


@pytest.mark.parametrize("status", ["TIMEOUT", "SERVFAIL"])
def test_dns_temperror(status: str) -> None:
    r = one(sign(), ctx_for({"sel._domainkey.example.com": status}))
    assert (r.result, r.reason, r.key_source) == ("temperror", "dns-temperror", None)
    assert [f.code for f in r.findings] == [FindingCode.DNS_TEMPERROR]
    assert dict(r.findings[0].evidence)["status"] == status


# --- signature-field reasons ----------------------------------------------------------------------
def test_algorithm_forbidden_rsa_sha1() -> None:
    """RFC 8301 §3.1: never pass; policy when the checks succeed, fail when they do not."""
    raw = sign(algorithm="rsa-sha1")
    r = one(raw, ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("policy", "algorithm-forbidden")
    assert r.body_hash_ok and r.signature_ok
    r = one(raw.replace(b"Quarterly", b"Monthly"), ctx_for(RSA_ZONE))
    assert (r.result, r.reason, r.reasons) == (
        "fail",
        "signature-mismatch",
        ("signature-mismatch", "algorithm-forbidden"),
    )


@pytest.mark.parametrize(
    "tags",
    [
        [("a", "rsa-sha512")],
        [("c", "relaxed/fancy")],
        [("c", "exotic")],
        [("q", "dns/other")],
    ],
)
def test_algorithm_unsupported(tags: list[tuple[str, str]]) -> None:
    r = one(forge(tags=tags), ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("neutral", "algorithm-unsupported")
    assert r.body_hash_ok is None and r.signature_ok is None


def test_forge_helper_itself_passes() -> None:
    assert one(forge(), ctx_for(RSA_ZONE)).result == "pass"
    assert one(forge(algorithm="ed25519-sha256"), ctx_for(ED_ZONE)).result == "pass"
    assert one(forge(tags=[("q", "dns/txt"), ("c", "simple")]), ctx_for(RSA_ZONE)).canonicalization == "simple/simple"


@pytest.mark.parametrize(
    "raw",
    [
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; d=example.org; s=sel\r\n" + MESSAGE,  # duplicate tag
        b"DKIM-Signature: v=1; a=rsa-sha256; =x; s=sel\r\n" + MESSAGE,  # not a tag list
        forge(tags=[("v", "2")]),
        forge(tags=[("l", "ten")]),
        forge(tags=[("t", "soon")]),
        forge(tags=[("x", str(T_SIGN - 10))]),  # x= not after t=
        forge(tags=[("d", "exa mple.com")]),
        forge(tags=[("bh", "%%%%")]),
        re.sub(rb"; h=[^;]*", b"", forge()),  # no h=
    ],
)
def test_malformed(raw: bytes) -> None:
    r = one(raw, ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("neutral", "malformed")
    assert r.body_hash_ok is None and r.signature_ok is None


def test_malformed_keeps_what_it_could_read() -> None:
    r = one(forge(tags=[("v", "2")]), ctx_for(RSA_ZONE))
    assert (r.domain, r.selector, r.algorithm) == ("example.com", "sel", "rsa-sha256")


def test_from_not_signed_still_runs_checks() -> None:
    r = one(forge(headers=("to", "subject")), ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("permerror", "from-not-signed")
    assert r.body_hash_ok is True and r.signature_ok is True
    assert "From" in r.addable_headers


def test_identity_mismatch() -> None:
    r = one(forge(tags=[("i", "ceo@other.example")]), ctx_for(RSA_ZONE))
    assert (r.result, r.reason, r.identity_ok) == ("permerror", "identity-mismatch", False)
    # i= in a look-alike domain that merely ends with d=
    r = one(forge(tags=[("i", "@notexample.com")]), ctx_for(RSA_ZONE))
    assert r.reason == "identity-mismatch"


def test_default_identity() -> None:
    r = one(forge(), ctx_for(RSA_ZONE))
    assert (r.identity, r.identity_ok) == ("@example.com", True)


# --- as of when: x= and t= -------------------------------------------------------------------------
DELIVERED = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)  # the top Received hop of MESSAGE


def test_expired_judged_at_explicit_now_and_at_delivery() -> None:
    x = int((DELIVERED + timedelta(days=1)).timestamp())
    raw = forge(tags=[("x", str(x))])
    later = DELIVERED + timedelta(days=30)
    r = one(raw, ctx_for(RSA_ZONE, now=later))
    assert (r.result, r.reason, r.judged_at) == ("policy", "expired", later)
    assert r.body_hash_ok and r.signature_ok  # sound, but expired
    assert r.expiration == datetime.fromtimestamp(x, UTC)
    r = one(raw, ctx_for(RSA_ZONE, now="delivery"))
    assert (r.result, r.judged_at) == ("pass", DELIVERED)
    r = one(raw, ctx_for(RSA_ZONE, now=DELIVERED))
    assert r.result == "pass"


def test_expired_at_delivery() -> None:
    x = int((DELIVERED - timedelta(hours=2)).timestamp())
    raw = forge(tags=[("t", str(x - 86400)), ("x", str(x))])
    assert one(raw, ctx_for(RSA_ZONE, now="delivery")).reason == "expired"
    assert one(raw, ctx_for(RSA_ZONE, now=DELIVERED - timedelta(days=1))).result == "pass"


def test_now_none_uses_system_clock() -> None:
    x = int((datetime.now(UTC) - timedelta(days=1)).timestamp())
    raw = forge(tags=[("t", str(x - 60)), ("x", str(x))])
    r = one(raw, Context(resolver=zone(RSA_ZONE)))
    assert r.reason == "expired"
    assert r.judged_at is not None and abs((r.judged_at - datetime.now(UTC)).total_seconds()) < 60


def test_delivery_without_received_falls_back_to_clock() -> None:
    raw = forge(MESSAGE[MESSAGE.index(b"From:") :])  # no Received field
    r = one(raw, ctx_for(RSA_ZONE, now="delivery"))
    assert r.result == "pass"
    assert r.judged_at is not None and abs((r.judged_at - datetime.now(UTC)).total_seconds()) < 60


def test_future_timestamp() -> None:
    t = int((DELIVERED + timedelta(days=2)).timestamp())
    raw = forge(tags=[("t", str(t))])
    r = one(raw, ctx_for(RSA_ZONE, now="delivery"))
    assert (r.result, r.reason) == ("policy", "future-timestamp")
    assert r.body_hash_ok and r.signature_ok
    assert one(raw, ctx_for(RSA_ZONE, now=DELIVERED + timedelta(days=3))).result == "pass"


def test_clock_tolerance() -> None:
    t = int((DELIVERED + timedelta(seconds=100)).timestamp())
    raw = forge(tags=[("t", str(t))])
    assert one(raw, ctx_for(RSA_ZONE, now="delivery")).result == "pass"  # within 300 s
    strict = Config(clock_tolerance_s=10)
    assert one(raw, ctx_for(RSA_ZONE, now="delivery", config=strict)).reason == "future-timestamp"


# --- headers: l=, addable, duplicated, From injection ----------------------------------------------
def test_length_tag_and_unsigned_body_bytes() -> None:
    raw = sign(length=True)
    r = one(raw, ctx_for(RSA_ZONE))
    assert r.result == "pass" and r.length is not None and r.unsigned_body_bytes == 0
    footer = b"Click here: https://evil.example/\r\n"
    r = one(raw + footer, ctx_for(RSA_ZONE))
    assert r.result == "pass" and r.unsigned_body_bytes == len(footer)


def test_addable_headers_and_oversigning() -> None:
    r = one(sign(headers=[b"from", b"subject"]), ctx_for(RSA_ZONE))
    assert r.addable_headers == ("From", "Subject", "To", "Date", "Reply-To", "Cc", "Content-Type", "MIME-Version")
    over = [b"from", b"from", b"subject", b"subject", b"to", b"date", b"reply-to", b"cc", b"content-type"]
    r = one(sign(headers=over), ctx_for(RSA_ZONE))
    # Content-Type signed once and present once: a second one could still be added
    assert r.addable_headers == ("To", "Date", "Content-Type", "MIME-Version")


def test_added_from_on_top_is_from_duplicated() -> None:
    raw = sign(headers=[b"from", b"to", b"subject"])
    forged = b"From: CEO <ceo@example.com>\r\n" + raw
    r = one(forged, ctx_for(RSA_ZONE))
    # RFC 6376 §5.4.2 picks the bottom From, which is intact: the crypto holds ...
    assert r.body_hash_ok and r.signature_ok
    # ... but the reader sees the unsigned top one.
    assert (r.result, r.reason) == ("policy", "from-duplicated")
    assert r.duplicated_headers == ("From",)
    assert r.header_index == 1
    # over-signed From: the added instance breaks the signature
    raw = sign(headers=[b"from", b"from", b"to", b"subject"])
    r = one(b"From: CEO <ceo@example.com>\r\n" + raw, ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("fail", "signature-mismatch")
    assert "From" not in one(raw, ctx_for(RSA_ZONE)).addable_headers


def test_duplicated_subject() -> None:
    raw = sign().replace(b"Subject: Quarterly figures\r\n", b"Subject: Quarterly figures\r\nSubject: Second\r\n")
    r = one(raw, ctx_for(RSA_ZONE))
    assert r.duplicated_headers == ("Subject",)


# --- line endings and mbox ------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ed25519-sha256"])
@pytest.mark.parametrize("canon", [(b"simple", b"simple"), (b"relaxed", b"relaxed")])
def test_lf_message_verifies_like_crlf(algorithm: str, canon: tuple[bytes, bytes]) -> None:
    crlf = sign(algorithm=algorithm, canon=canon)
    lf = crlf.replace(b"\r\n", b"\n")
    ctx = ctx_for(ED_ZONE if algorithm.startswith("ed") else RSA_ZONE)
    a, b = one(crlf, ctx), one(lf, ctx)
    assert (a.result, a.line_endings) == ("pass", "crlf")
    assert (b.result, b.line_endings) == ("pass", "lf")
    assert b.raw == a.raw and b.header_index == a.header_index
    # tampering is still seen in LF form
    assert one(lf.replace(b"Quarterly", b"Monthly"), ctx).reason == "signature-mismatch"


def test_mixed_line_endings_verified_as_is() -> None:
    raw = sign(canon=(b"simple", b"simple")).replace(b"Alice\r\n", b"Alice\n")
    r = one(raw, ctx_for(RSA_ZONE))
    assert r.line_endings == "mixed"
    assert (r.body_hash_ok, r.signature_ok) == (False, True)


def test_mbox_messages(tmp_path: Path) -> None:
    first = sign()
    second = sign(MESSAGE.replace(b"Quarterly", b"Annual"), algorithm="ed25519-sha256", selector="ed")
    mbox = tmp_path / "export.mbox"
    with mbox.open("wb") as fh:
        for raw in (first, second):
            fh.write(b"From alice@example.com Mon May  6 12:00:00 2024\n")
            fh.write(raw.replace(b"\r\n", b"\n"))
            fh.write(b"\n")
    messages = list(mf.iter_messages(mbox))
    assert len(messages) == 2 and all(b"\r" not in m.raw for m in messages)
    ctx = ctx_for({**RSA_ZONE, "ed._domainkey.example.com": record(ed_key()[1], "ed25519")})
    results = [mf_dkim.verify_message(m, ctx=ctx) for m in messages]
    assert [(r[0].result, r[0].algorithm, r[0].line_endings) for r in results] == [
        ("pass", "rsa-sha256", "lf"),
        ("pass", "ed25519-sha256", "lf"),
    ]


def test_converted_message_is_never_judged() -> None:
    message = Message.from_bytes(sign(), origin="mail.msg", source_format="msg", raw_is_original=False)
    (r,) = mf_dkim.verify_message(message, ctx=ctx_for(RSA_ZONE))
    assert (r.result, r.reason) == ("policy", "converted-message")
    assert (r.domain, r.selector, r.algorithm) == ("example.com", "sel", "rsa-sha256")
    assert r.body_hash_ok is None and r.signature_ok is None
    assert [f.code for f in r.findings] == [FindingCode.MESSAGE_CONVERTED]
    original = Message.from_bytes(sign())
    assert mf_dkim.verify_message(original, ctx=ctx_for(RSA_ZONE))[0].result == "pass"


# --- several signatures ---------------------------------------------------------------------------
def test_several_signatures_top_first() -> None:
    raw = sign(domain="author.example", selector="a")  # author's signature
    raw = sign(raw, domain="esp.example", selector="e", algorithm="ed25519-sha256")  # the ESP's
    raw = sign(raw, domain="gone.example", selector="g")  # key no longer published
    ctx = ctx_for(
        {
            "a._domainkey.author.example": record(rsa_key(2048)[1]),
            "e._domainkey.esp.example": record(ed_key()[1], "ed25519"),
        }
    )
    results = mf_dkim.verify(raw, ctx=ctx)
    assert [(r.domain, r.result, r.reason) for r in results] == [
        ("gone.example", "permerror", "no-key"),
        ("esp.example", "pass", None),
        ("author.example", "pass", None),
    ]
    assert [r.header_index for r in results] == [0, 1, 2]
    # a footer breaks all bodies, no header signature
    results = mf_dkim.verify(raw + b"footer\r\n", ctx=ctx)
    assert [(r.body_hash_ok, r.signature_ok) for r in results[1:]] == [(False, True), (False, True)]


# --- historical keys -------------------------------------------------------------------------------
def test_historical_keys_override_dns() -> None:
    raw = sign(selector="2019")
    historical = ZoneResolver.from_dict({"2019._domainkey.example.com": {"TXT": [record(rsa_key(2048)[1])]}})
    # selector rotated away: NXDOMAIN without historical keys
    r = one(raw, ctx_for({}))
    assert (r.reason, r.key_source) == ("no-key", None)
    r = one(raw, ctx_for({}, config=Config(historical_keys=historical)))
    assert (r.result, r.key_source) == ("pass", "historical")
    # the selector now holds another key: DNS says signature-mismatch, history says pass
    other = {"2019._domainkey.example.com": record(rsa_key(1024)[1])}
    assert one(raw, ctx_for(other)).reason == "signature-mismatch"
    r = one(raw, ctx_for(other, config=Config(historical_keys=historical)))
    assert (r.result, r.key_source) == ("pass", "historical")


def test_historical_keys_without_the_name_fall_back_to_dns() -> None:
    historical = ZoneResolver.from_dict({"other._domainkey.example.com": {"TXT": ["v=DKIM1; p="]}})
    r = one(sign(), ctx_for(RSA_ZONE, config=Config(historical_keys=historical)))
    assert (r.result, r.key_source) == ("pass", "dns")


# --- the shared DNS adapter -----------------------------------------------------------------------
def test_dkimdns_key_lookup_and_dnsfunc() -> None:
    historical = ZoneResolver.from_dict({"h._domainkey.example.com": {"TXT": ['"v=DKIM1; " "p=abc"']}})
    ctx = ctx_for(
        {"sel._domainkey.example.com": "v=DKIM1; p=xyz", "t._domainkey.example.com": "TIMEOUT"},
        config=Config(historical_keys=historical),
    )
    found = _dkimdns.key_lookup("H._domainkey.Example.com.", ctx=ctx)
    assert found == _dkimdns.KeyLookup(
        name="h._domainkey.example.com", status="NOERROR", records=("v=DKIM1; p=abc",), source="historical"
    )
    lookups: list[_dkimdns.KeyLookup] = []
    fn = _dkimdns.dnsfunc_for(ctx, lookups)
    assert fn(b"sel._domainkey.example.com.", timeout=5) == b"v=DKIM1; p=xyz"
    assert fn("none._domainkey.example.com.") is None
    with pytest.raises(dkim.DnsTimeoutError):
        fn(b"t._domainkey.example.com.")
    assert [(x.status, x.source) for x in lookups] == [("NOERROR", "dns"), ("NXDOMAIN", "dns"), ("TIMEOUT", "dns")]
    assert lookups[2].temporary_failure


def test_dkimdns_delivery_time() -> None:
    assert _dkimdns.delivery_time(MESSAGE) == DELIVERED
    assert _dkimdns.delivery_time(b"From: a@example.com\r\n\r\nx") is None


def test_dkimdns_works_with_dkimpy_verify() -> None:
    lookups: list[_dkimdns.KeyLookup] = []
    assert dkim.verify(sign(), dnsfunc=_dkimdns.dnsfunc_for(ctx_for(RSA_ZONE), lookups))
    assert lookups[0].source == "dns"


# --- the swappable verifier, and the differential test against dkimpy -------------------------------
def test_verifier_is_swappable() -> None:
    seen: list[int] = []

    def fake(message: PreparedMessage, number: int, *, ctx: Context, at: datetime) -> DKIMResult:
        seen.append(number)
        return DKIMResult(result="neutral", reason=None, header_index=message.signatures[number], raw="")

    raw = sign(sign(), selector="b")
    assert [r.result for r in mf_dkim.verify(raw, ctx=ctx_for(RSA_ZONE), verifier=fake)] == ["neutral", "neutral"]
    assert seen == [0, 1]


BOTH_ZONE = {**RSA_ZONE, "ed._domainkey.example.com": record(ed_key()[1], "ed25519")}


def _corpus() -> list[tuple[str, bytes]]:
    """Messages whose plain-dkimpy verdict is meaningful: signed now, RSA ≥ 1024 or Ed25519."""
    out: list[tuple[str, bytes]] = []
    for algorithm, selector in (("rsa-sha256", "sel"), ("ed25519-sha256", "ed")):
        for canon in ((b"relaxed", b"simple"), (b"simple", b"simple"), (b"relaxed", b"relaxed")):
            raw = sign(algorithm=algorithm, selector=selector, canon=canon)
            tag = f"{algorithm}-{canon[0].decode()}/{canon[1].decode()}"
            out += [
                (tag, raw),
                (tag + "-lf", raw.replace(b"\r\n", b"\n")),
                (tag + "-footer", raw + b"footer\r\n"),
                (tag + "-subject", raw.replace(b"Quarterly", b"Monthly")),
                (tag + "-from-added", b"From: x@example.com\r\n" + raw),
                (tag + "-refolded", raw.replace(b"Subject: Quarterly figures", b"Subject: Quarterly\r\n figures")),
                (tag + "-wsp", raw.replace(b"the figures are", b"the  figures   are")),
                (tag + "-trailing-lines", raw + b"\r\n\r\n"),
            ]
    out.append(("length", sign(length=True) + b"more\r\n"))
    out.append(("no-key", sign(selector="missing")))
    out.append(("two", sign(sign(), algorithm="ed25519-sha256", selector="ed")))
    out.append(("rsa-1024", sign(bits=1024)))  # the zone has the 2048-bit key: mismatch
    return out


CORPUS = _corpus()


@pytest.mark.parametrize(("name", "raw"), CORPUS, ids=[n for n, _ in CORPUS])
def test_differential_against_dkimpy(name: str, raw: bytes) -> None:
    """The detailed verifier and plain dkimpy agree on pass / not pass, signature by signature."""
    ctx = Context(resolver=zone(BOTH_ZONE))  # now=None: dkimpy judges t= at the system clock too
    detailed = mf_dkim.verify(raw, ctx=ctx)
    plain = mf_dkim.verify(raw, ctx=ctx, verifier=mf_dkim.dkimpy_verifier)
    assert len(detailed) == len(plain) >= 1
    assert [r.result == "pass" for r in detailed] == [r.result == "pass" for r in plain]
    for i, d in enumerate(detailed):
        try:
            ok = dkim.DKIM(raw).verify(idx=i, dnsfunc=_dkimdns.dnsfunc_for(ctx, []))
        except dkim.DKIMException:
            ok = False
        assert (d.result == "pass") == bool(ok)
    broken = name.endswith(("-footer", "-subject", "-from-added")) or name in ("no-key", "rsa-1024")
    broken = broken or (name.endswith("-wsp") and "/simple" in name)  # simple body: spaces count
    broken = broken or (name.endswith("-refolded") and "-simple/" in name)  # simple header: folding counts
    expect_pass = not broken
    assert (detailed[0].result == "pass") is expect_pass


def test_findings_say_what_changed() -> None:
    from mailforensics.findings import FindingCode

    footer = one(sign() + b"--\r\nSent via the list\r\n", ctx_for(RSA_ZONE))
    assert [f.code for f in footer.findings] == [FindingCode.DKIM_BODY_MODIFIED]
    subject = one(sign().replace(b"Subject: Quarterly figures", b"Subject: Urgent wire transfer"), ctx_for(RSA_ZONE))
    assert [f.code for f in subject.findings] == [FindingCode.DKIM_HEADER_MODIFIED]
    assert subject.findings[0].severity == "alert"
    nokey = one(sign(), ctx_for({}))
    assert FindingCode.DKIM_NO_KEY in {f.code for f in nokey.findings}
    appended = one(sign(length=True) + b"Click here: https://evil.example/\r\n", ctx_for(RSA_ZONE))
    assert FindingCode.DKIM_UNSIGNED_BODY_CONTENT in {f.code for f in appended.findings}
    assert one(sign(), ctx_for(RSA_ZONE)).findings == ()


def test_historical_keys_from_an_evidence_file_hold_only_some_names(tmp_path: Path) -> None:
    """An archive recorded as evidence answers its own names; other keys come from DNS."""
    from mailforensics.resolvers import RecordingResolver, ReplayResolver

    zone_records = dict(RSA_ZONE)
    archive = RecordingResolver(zone(zone_records))
    name = next(iter(zone_records))
    archive.query(name, "TXT")
    path = archive.save(tmp_path / "archive.jsonl")
    ctx = ctx_for(RSA_ZONE, config=Config(historical_keys=ReplayResolver(path)))
    r = one(sign(), ctx)
    assert r.result == "pass" and r.key_source == "historical"
    # A key the archive never recorded comes from DNS; strict replay does not raise here.
    dns_zone = {"other._domainkey.example.com": RSA_ZONE[name]}
    other = one(sign(selector="other"), ctx_for(dns_zone, config=Config(historical_keys=ReplayResolver(path))))
    assert other.result == "pass" and other.key_source == "dns"
