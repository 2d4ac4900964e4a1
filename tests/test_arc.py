"""ARC chain validation on chains sealed in the test with dkimpy (RFC 8617).

Keys are made here (RSA 2048 with ``cryptography``, Ed25519 with PyNaCl); DNS is a
``ZoneResolver``; the clock is pinned. Each intermediary adds an Authentication-Results
field and seals with ``dkim.arc_sign`` exactly as an MTA would.
"""

from __future__ import annotations

import base64
import re
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dkim
import nacl.signing
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailforensics.auth import arc
from mailforensics.context import Config, Context
from mailforensics.errors import InputError
from mailforensics.findings import FindingCode
from mailforensics.message import Message
from mailforensics.resolvers.zone import ZoneResolver

T0 = 1709632800  # 2024-03-05 10:00:00 UTC, when the first intermediary sealed
NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)

BASE = (
    b"From: Alice Example <alice@origin.example>\r\n"
    b"To: team@lists.example.org\r\n"
    b"Subject: Quarterly numbers\r\n"
    b"Date: Tue, 05 Mar 2024 09:59:00 +0000\r\n"
    b"Message-ID: <q1-2024@origin.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello team,\r\n"
    b"the numbers are in the shared folder.\r\n"
    b"-- \r\n"
    b"Alice\r\n"
)


# --- dkimpy's ARC signer needs the authres package; stand in for it when it is absent --------
class _ARResult:
    def __init__(self, text: str) -> None:
        self.text = text.strip()
        method, _, rest = self.text.partition("=")
        self.method = method.strip()
        self.result = rest.split()[0] if rest.split() else ""

    def __str__(self) -> str:
        return self.text


class _ARHeader:
    authserv_id: str
    results: list[_ARResult]

    @classmethod
    def parse(cls, text: str) -> _ARHeader:
        value = text.split(":", 1)[1]
        parts = [p.strip() for p in value.split(";") if p.strip()]
        header = cls()
        header.authserv_id = parts[0]
        header.results = [_ARResult(p) for p in parts[1:] if p != "none"]
        return header


@pytest.fixture(autouse=True)
def _authres(monkeypatch: pytest.MonkeyPatch) -> None:
    if getattr(dkim, "authres", None) is None:
        shim = types.SimpleNamespace(
            AuthenticationResultsHeader=_ARHeader, core=types.SimpleNamespace(SyntaxError=ValueError)
        )
        monkeypatch.setattr(dkim, "authres", shim, raising=False)


# --- keys ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    domain: str
    selector: str
    algorithm: str  # "rsa-sha256" | "ed25519-sha256"
    private: Any  # PEM bytes (RSA) or a nacl SigningKey
    record: str  # the DNS TXT record

    @property
    def name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"


def _rsa_signer(domain: str, selector: str) -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Signer(domain, selector, "rsa-sha256", pem, f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}")


def _ed25519_signer(domain: str, selector: str) -> Signer:
    key = nacl.signing.SigningKey.generate()
    public = base64.b64encode(bytes(key.verify_key)).decode()
    return Signer(domain, selector, "ed25519-sha256", key, f"v=DKIM1; k=ed25519; p={public}")


@pytest.fixture(scope="module")
def hops() -> tuple[Signer, Signer, Signer]:
    """Three intermediaries: a list, a forwarder (Ed25519) and a gateway."""
    return (
        _rsa_signer("lists.example.org", "arc2024"),
        _ed25519_signer("forwarder.example.net", "ed1"),
        _rsa_signer("gateway.example.com", "gw"),
    )


def _zone(signers: Sequence[Signer]) -> ZoneResolver:
    return ZoneResolver.from_dict({s.name: {"TXT": [s.record]} for s in signers})


def _ctx(signers: Sequence[Signer], **kw: Any) -> Context:
    return Context(resolver=_zone(signers), now=kw.pop("now", NOW), **kw)


# --- sealing ------------------------------------------------------------------------------------
def seal(
    message: bytes,
    signer: Signer,
    *,
    arc_result: str | None,
    results: str,
    when: int,
    monkeypatch: pytest.MonkeyPatch,
) -> bytes:
    """What an intermediary does: a Received and an Authentication-Results, then an ARC set.

    ``arc_result`` is the ``arc=`` the intermediary found (None for no chain), which
    dkimpy turns into the seal's ``cv=``.
    """
    stamp = datetime.fromtimestamp(when, UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    ar = f"Authentication-Results: {signer.domain};"
    if arc_result is not None:
        ar += f" arc={arc_result};"
    ar += f" {results}\r\n"
    received = f"Received: from upstream.example (upstream.example [192.0.2.7])\r\n\tby mx.{signer.domain}; {stamp}\r\n"
    message = received.encode() + ar.encode() + message
    with monkeypatch.context() as mp:
        private = signer.private
        if signer.algorithm == "ed25519-sha256":
            # dkimpy's ARC signer reads only PEM RSA keys; hand it the Ed25519 key directly.
            real = dkim.parse_pem_private_key
            mp.setattr(dkim, "parse_pem_private_key", lambda data: signer.private if data == b"ed25519" else real(data))
            private = b"ed25519"
        sealer = dkim.ARC(message, signature_algorithm=signer.algorithm.encode())
        headers = sealer.sign(
            signer.selector.encode(),
            signer.domain.encode(),
            private,
            signer.domain.encode(),
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"],
            timestamp=when,
        )
    assert len(headers) == 3, "dkimpy did not seal"
    return b"".join(headers) + message


HOP_RESULTS = (
    "spf=pass smtp.mailfrom=alice@origin.example; dkim=pass header.d=origin.example header.s=s1; "
    "dmarc=pass header.from=origin.example",
    "spf=fail smtp.mailfrom=alice@origin.example smtp.remote-ip=198.51.100.20; dkim=pass header.d=origin.example; "
    "dmarc=pass header.from=origin.example",
    'spf=none smtp.mailfrom=alice@origin.example; dkim=fail reason="body hash did not verify" '
    "header.d=origin.example; dmarc=fail header.from=origin.example",
)


def chain(
    signers: Sequence[Signer], monkeypatch: pytest.MonkeyPatch, *, base: bytes = BASE, between: Any = None
) -> bytes:
    """Seal ``base`` once per signer, in order; ``between(i, msg)`` may alter it before hop ``i``."""
    message = base
    for n, signer in enumerate(signers, start=1):
        if between is not None:
            message = between(n, message)
        message = seal(
            message,
            signer,
            arc_result=None if n == 1 else "pass",
            results=HOP_RESULTS[n - 1],
            when=T0 + 60 * (n - 1),
            monkeypatch=monkeypatch,
        )
    return message


def _iter_fields(message: bytes) -> Iterator[bytes]:
    """The header fields of ``message``, each with its folding."""
    yield from re.split(rb"\r\n(?=\S)", message.partition(b"\r\n\r\n")[0])


def _drop_set(message: bytes, instance: int) -> bytes:
    """Remove the three fields of one ARC set (a gap)."""
    m = Message.from_bytes(message)
    doomed = {
        h.index
        for h in m.headers
        if h.name.lower().startswith("arc-") and re.match(rf"\s*i\s*=\s*{instance}\s*;", _tag_i(h.name, h.value))
    }
    return _rebuild(message, doomed)


def _tag_i(name: str, value: str) -> str:
    if name.lower() == "arc-authentication-results":
        return value
    found = re.search(r"(?:^|;)\s*(i\s*=\s*\d+\s*;)", " ".join(value.split()))
    return found.group(1) if found else ""


def _rebuild(message: bytes, drop: set[int]) -> bytes:
    head, _, body = message.partition(b"\r\n\r\n")
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    kept = [f for i, f in enumerate(fields) if i not in drop]
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


# --- tests ----------------------------------------------------------------------------------------
def test_no_arc_fields_is_none() -> None:
    result = arc.verify(BASE, ctx=Context(resolver=ZoneResolver(), now=NOW))
    assert (result.cv, result.reason, result.sets, result.oldest_pass) == ("none", "no-arc-sets", (), None)
    assert result.key_sources == ()


def test_one_set_chain_passes(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    lists = hops[0]
    message = chain([lists], monkeypatch)
    result = arc.verify(message, ctx=_ctx([lists]))
    assert (result.cv, result.reason, result.reason_text, result.oldest_pass) == ("pass", None, None, 1)
    (s,) = result.sets
    assert s.instance == 1
    assert (s.domain, s.selector, s.algorithm) == ("lists.example.org", "arc2024", "rsa-sha256")
    assert (s.as_domain, s.as_selector, s.as_algorithm) == ("lists.example.org", "arc2024", "rsa-sha256")
    assert (s.ams_valid, s.as_valid, s.body_hash_ok, s.cv) == (True, True, True, "none")
    assert s.ams_reason is None and s.as_reason is None and s.defects == ()
    assert s.timestamp == s.as_timestamp == datetime.fromtimestamp(T0, UTC)
    assert s.ams_key_bits == 2048 and s.ams_key_source == s.as_key_source == "dns"
    assert s.signed_headers == ("from", "to", "subject", "date", "message-id", "mime-version", "content-type")
    # One lookup for the AMS and the AS: the same key.
    assert [(k.name, k.status, k.source) for k in result.key_sources] == [
        ("arc2024._domainkey.lists.example.org", "NOERROR", "dns")
    ]
    # The header indexes point at the AAR, AMS and AS fields of the message.
    headers = Message.from_bytes(message).headers
    assert [headers[i].name for i in s.header_indexes if i is not None] == [
        "ARC-Authentication-Results",
        "ARC-Message-Signature",
        "ARC-Seal",
    ]
    assert result.judged_at == NOW


def test_three_set_chain_passes_with_every_claim(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    message = chain(hops, monkeypatch)
    result = arc.verify(message, ctx=_ctx(hops))
    assert (result.cv, result.reason, result.oldest_pass) == ("pass", None, 1)
    assert [s.instance for s in result.sets] == [1, 2, 3]
    assert [s.cv for s in result.sets] == ["none", "pass", "pass"]
    assert [s.domain for s in result.sets] == ["lists.example.org", "forwarder.example.net", "gateway.example.com"]
    assert [s.algorithm for s in result.sets] == ["rsa-sha256", "ed25519-sha256", "rsa-sha256"]
    assert [s.ams_key_bits for s in result.sets] == [2048, 256, 2048]
    assert all(s.ams_valid and s.as_valid for s in result.sets)
    assert [k.name for k in result.key_sources] == [s.name for s in hops]

    # What each intermediary said it saw when the message reached it.
    claims = []
    for s in result.sets:
        assert s.aar is not None and s.aar.instance == s.instance
        assert s.aar.authserv_id == hops[s.instance - 1].domain
        claims.append({c.method: c for c in s.aar.claims})
    assert [(c["spf"].result, c["dkim"].result, c["dmarc"].result) for c in claims] == [
        ("pass", "pass", "pass"),
        ("fail", "pass", "pass"),
        ("none", "fail", "fail"),
    ]
    assert claims[0]["spf"].get("smtp.mailfrom") == "alice@origin.example"
    assert claims[0]["dkim"].get("header.s") == "s1"
    assert claims[1]["spf"].get("smtp.remote-ip") == "198.51.100.20"
    assert claims[2]["dkim"].reason == "body hash did not verify"
    assert claims[2]["dmarc"].get("header.from") == "origin.example"
    # The intermediaries after the first recorded the chain they found (arc=pass).
    assert all(c["arc"].result == "pass" for c in claims[1:]) and "arc" not in claims[0]


def test_body_modified_after_the_last_set(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest AMS fails (RFC 8617 §5.2 step 4): cv=fail.

    oldest-pass walks down from the newest AMS while AMSs validate; here the newest one
    already fails (every AMS signed the original body), so there is no oldest passing set
    (None) — not 2. The seals do not cover the body and still verify.
    """
    message = chain(hops[:2], monkeypatch).replace(b"shared folder", b"attached invoice")
    result = arc.verify(message, ctx=_ctx(hops))
    assert (result.cv, result.reason, result.oldest_pass) == ("fail", "newest-ams-fail", None)
    assert "i=2" in (result.reason_text or "")
    assert [(s.ams_valid, s.ams_reason, s.body_hash_ok) for s in result.sets] == [
        (False, "body-hash-mismatch", False),
        (False, "body-hash-mismatch", False),
    ]
    assert [s.as_valid for s in result.sets] == [True, True]


def test_body_modified_between_sets_2_and_3(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The third intermediary changed the body (a list footer) and sealed a chain it found intact.

    Its own AMS validates, those of sets 1 and 2 do not: oldest_pass = 3 says the message
    is as hop 3 sent it, not as hop 2 did. The chain still passes (RFC 8617 §5.2 needs
    only the newest AMS).
    """

    def footer(n: int, msg: bytes) -> bytes:
        return msg + b"--\r\nTo unsubscribe, write to team-leave@lists.example.org\r\n" if n == 3 else msg

    result = arc.verify(chain(hops, monkeypatch, between=footer), ctx=_ctx(hops))
    assert (result.cv, result.oldest_pass) == ("pass", 3)
    assert [s.ams_valid for s in result.sets] == [False, False, True]
    assert [s.body_hash_ok for s in result.sets] == [False, False, True]
    assert all(s.as_valid for s in result.sets)


def test_body_modified_between_sets_1_and_2(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    def footer(n: int, msg: bytes) -> bytes:
        return msg + b"[list footer]\r\n" if n == 2 else msg

    result = arc.verify(chain(hops, monkeypatch, between=footer), ctx=_ctx(hops))
    assert (result.cv, result.oldest_pass) == ("pass", 2)
    assert [s.ams_valid for s in result.sets] == [False, True, True]


def test_honest_sealer_records_the_broken_chain(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The body changed after set 2; the third sealer found arc=fail and sealed cv=fail."""
    message = chain(hops[:2], monkeypatch).replace(b"shared folder", b"attached invoice")
    message = seal(message, hops[2], arc_result="fail", results=HOP_RESULTS[2], when=T0 + 120, monkeypatch=monkeypatch)
    result = arc.verify(message, ctx=_ctx(hops))
    assert (result.cv, result.reason, result.oldest_pass) == ("fail", "newest-seal-cv-fail", 3)
    assert [s.cv for s in result.sets] == ["none", "pass", "fail"]
    assert [s.ams_valid for s in result.sets] == [False, False, True]
    # dkimpy seals only its own set when the chain failed; the seal is authentic.
    assert (result.sets[2].as_valid, result.sets[2].as_reason) == (True, "own-set-only")


def test_seal_tampered(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """A rewritten claim in AAR 1 (spf=fail → pass) breaks seal 1 and every seal above it."""
    message = chain(hops[:2], monkeypatch)
    first_aar = message.rindex(b"ARC-Authentication-Results: i=1;")
    tampered = message[:first_aar] + message[first_aar:].replace(b"dkim=pass", b"dkim=pass (verified)", 1)
    result = arc.verify(tampered, ctx=_ctx(hops))
    assert (result.cv, result.reason) == ("fail", "seal-fail")
    assert "i=2" in (result.reason_text or "")
    assert [(s.as_valid, s.as_reason) for s in result.sets] == [
        (False, "signature-mismatch"),
        (False, "signature-mismatch"),
    ]
    assert [s.ams_valid for s in result.sets] == [True, True]  # the AMSs do not sign AARs here
    assert result.oldest_pass == 1


def test_seal_signature_bits_flipped(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    message = chain(hops[:1], monkeypatch)
    head, _, rest = message.partition(b"ARC-Seal: ")
    b_at = rest.index(b" b=") + 3
    flipped = rest[:b_at] + (b"A" if rest[b_at : b_at + 1] != b"A" else b"B") + rest[b_at + 1 :]
    result = arc.verify(head + b"ARC-Seal: " + flipped, ctx=_ctx(hops))
    assert (result.cv, result.reason) == ("fail", "seal-fail")
    assert (result.sets[0].as_valid, result.sets[0].as_reason, result.sets[0].ams_valid) == (
        False,
        "signature-mismatch",
        True,
    )


def test_gap_in_instances(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    message = _drop_set(chain(hops, monkeypatch), 2)
    result = arc.verify(message, ctx=_ctx(hops))
    assert (result.cv, result.reason) == ("fail", "instance-gap")
    assert "i=2" in (result.reason_text or "")
    assert [s.instance for s in result.sets] == [1, 3]
    one, three = result.sets
    assert (one.ams_valid, one.as_valid) == (True, True)
    # Set 3's AMS still verifies; its seal cannot be checked without set 2.
    assert (three.ams_valid, three.as_valid, three.as_reason) == (True, None, "chain-incomplete")
    assert result.oldest_pass == 3


def test_duplicate_and_missing_fields(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    message = chain(hops[:1], monkeypatch)
    m = Message.from_bytes(message)
    (seal_index,) = [h.index for h in m.headers if h.name == "ARC-Seal"]
    missing = arc.verify(_rebuild(message, {seal_index}), ctx=_ctx(hops))
    assert (missing.cv, missing.reason) == ("fail", "missing-field")
    assert missing.sets[0].defects == ("missing-as",)
    assert missing.sets[0].header_indexes[2] is None

    ams = next(f for f in _iter_fields(message) if f.startswith(b"ARC-Message-Signature"))
    doubled = arc.verify(ams + b"\r\n" + message, ctx=_ctx(hops))
    assert (doubled.cv, doubled.reason) == ("fail", "duplicate-field")
    assert doubled.sets[0].defects == ("duplicate-ams",)
    assert (doubled.sets[0].ams_valid, doubled.sets[0].ams_reason) == (None, "field-duplicate")


def test_historical_keys(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """The list rotated its selector away: DNS has nothing, the analyst holds the old key."""
    lists = hops[0]
    message = chain([lists], monkeypatch)
    gone = Context(resolver=ZoneResolver(), now=NOW)
    without = arc.verify(message, ctx=gone)
    assert (without.cv, without.reason) == ("fail", "newest-ams-fail")
    assert (without.sets[0].ams_reason, without.sets[0].as_reason) == ("key-missing", "key-missing")
    assert without.key_sources[0].status == "NXDOMAIN"

    historical = ZoneResolver.from_text(f'{lists.name}. 300 IN TXT "{lists.record[:200]}" "{lists.record[200:]}"\n')
    ctx = Context(resolver=ZoneResolver(), now=NOW, config=Config(historical_keys=historical))
    result = arc.verify(message, ctx=ctx)
    assert result.cv == "pass"
    assert (result.sets[0].ams_key_source, result.sets[0].as_key_source) == ("historical", "historical")
    assert [(k.name, k.source) for k in result.key_sources] == [(lists.name, "historical")]


def test_historical_key_wins_over_a_rotated_dns_key(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    lists = hops[0]
    message = chain([lists], monkeypatch)
    rotated = _rsa_signer(lists.domain, lists.selector)  # same selector, new key in DNS
    now_dns = arc.verify(message, ctx=_ctx([rotated]))
    assert now_dns.cv == "fail" and now_dns.sets[0].ams_reason == "signature-mismatch"
    ctx = Context(resolver=_zone([rotated]), now=NOW, config=Config(historical_keys=_zone([lists])))
    assert arc.verify(message, ctx=ctx).cv == "pass"


def test_lf_and_crlf_verify_alike(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    crlf = chain(hops, monkeypatch)
    lf = crlf.replace(b"\r\n", b"\n")
    a, b = arc.verify(crlf, ctx=_ctx(hops)), arc.verify(lf, ctx=_ctx(hops))
    assert a.cv == b.cv == "pass"
    assert [(s.ams_valid, s.as_valid, s.header_indexes) for s in a.sets] == [
        (s.ams_valid, s.as_valid, s.header_indexes) for s in b.sets
    ]
    # Sealed as an LF message (an mbox), verified as the CRLF wire form.
    sealed_lf = seal(
        BASE.replace(b"\r\n", b"\n"), hops[0], arc_result=None, results=HOP_RESULTS[0], when=T0, monkeypatch=monkeypatch
    )
    assert arc.verify(sealed_lf.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), ctx=_ctx(hops)).cv == "pass"


def test_key_temperror(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    lists = hops[0]
    message = chain([lists], monkeypatch)
    ctx = Context(resolver=ZoneResolver.from_dict({lists.name: {"TXT": "TIMEOUT"}}), now=NOW)
    result = arc.verify(message, ctx=ctx)
    assert (result.cv, result.reason) == ("fail", "newest-ams-fail")
    s = result.sets[0]
    assert (s.ams_valid, s.ams_reason, s.as_valid, s.as_reason) == (None, "key-temperror", None, "key-temperror")
    assert {f.code for f in result.findings} == {FindingCode.DNS_TEMPERROR, FindingCode.ARC_FAIL}
    assert [f.where for f in result.findings] == [
        "ARC set 1 (ARC-Message-Signature)",
        "ARC set 1 (ARC-Seal)",
        "ARC",
    ]


def test_time_is_judged_at_delivery(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """A seal stamped after the final receiver took the message: t= in the future."""
    message = chain(hops[:1], monkeypatch)
    early = b"Received: from mx.lists.example.org by mx.example.net; Mon, 04 Mar 2024 10:00:00 +0000\r\n" + message
    result = arc.verify(early, ctx=Context(resolver=_zone(hops), now="delivery"))
    assert result.judged_at == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert (result.cv, result.sets[0].ams_reason, result.sets[0].as_reason) == (
        "fail",
        "timestamp-future",
        "timestamp-future",
    )
    later = b"Received: from mx.lists.example.org by mx.example.net; Tue, 05 Mar 2024 10:05:00 +0000\r\n" + message
    assert arc.verify(later, ctx=Context(resolver=_zone(hops), now="delivery")).cv == "pass"


def test_expired_ams(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """An AMS whose x= lies before the time judged at no longer counts (RFC 6376 §3.5)."""
    lists = hops[0]
    real_gen = dkim.ARC.gen_header

    def with_expiry(self: Any, fields: list[Any], *args: Any, **kw: Any) -> Any:
        if args and args[2] == b"ARC-Message-Signature":
            fields.insert(-1, (b"x", str(T0 + 3600).encode()))
        return real_gen(self, fields, *args, **kw)

    with monkeypatch.context() as mp:
        mp.setattr(dkim.ARC, "gen_header", with_expiry)
        message = chain([lists], monkeypatch)
    fresh = arc.verify(message, ctx=_ctx([lists], now=datetime.fromtimestamp(T0 + 60, UTC)))
    assert fresh.cv == "pass" and fresh.sets[0].expiration == datetime.fromtimestamp(T0 + 3600, UTC)
    stale = arc.verify(message, ctx=_ctx([lists], now=datetime.fromtimestamp(T0 + 7200, UTC)))
    assert (stale.cv, stale.sets[0].ams_reason) == ("fail", "signature-expired")


def test_more_than_fifty_sets_fail() -> None:
    fields = b"".join(b"ARC-Authentication-Results: i=%d; relay%d.example; none\r\n" % (i, i) for i in range(51, 0, -1))
    result = arc.verify(fields + BASE, ctx=Context(resolver=ZoneResolver(), now=NOW))
    assert (result.cv, result.reason) == ("fail", "too-many-sets")
    assert len(result.sets) == 51
    assert result.sets[-1].ams_reason == "field-missing"


def test_invalid_instance_is_unassigned(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    message = chain(hops[:1], monkeypatch).replace(b"Results: i=1;", b"Results: i=0;")
    result = arc.verify(message, ctx=_ctx(hops))
    assert (result.cv, result.reason) == ("fail", "instance-invalid")
    aar_index = next(h.index for h in Message.from_bytes(message).headers if h.name == "ARC-Authentication-Results")
    assert result.unassigned == (aar_index,)


def test_malformed_input_never_raises() -> None:
    ctx = Context(resolver=ZoneResolver(), now=NOW)
    for raw in (b"", b"\x00\xff", b"ARC-Seal: ;;;\r\n\r\n", b"ARC-Seal: i=1; b=%%%\r\n", b" folded\r\nx"):
        assert arc.verify(raw, ctx=ctx).cv in ("none", "fail")


def test_rejects_non_bytes() -> None:
    with pytest.raises(InputError):
        arc.verify("From: a@b.example\r\n\r\n", ctx=Context(resolver=ZoneResolver(), now=NOW))  # type: ignore[arg-type]


def test_signature_algorithm_swapped(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """a=ed25519-sha256 on an RSA key: the key type does not fit the algorithm."""
    message = chain(hops[:1], monkeypatch)
    head, sep, rest = message.partition(b"ARC-Message-Signature: ")
    swapped = head + sep + rest.replace(b"a=rsa-sha256", b"a=ed25519-sha256", 1)
    result = arc.verify(swapped, ctx=_ctx(hops))
    assert (result.cv, result.sets[0].ams_reason) == ("fail", "key-mismatch")


def test_sets_are_in_instance_order_whatever_the_field_order(
    hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seal hash is built from the sets by instance (RFC 8617 §5.1.1), not by position."""
    message = chain(hops[:2], monkeypatch)
    fields = list(_iter_fields(message))
    body = message.partition(b"\r\n\r\n")[2]
    arc_fields = [f for f in fields if f.lower().startswith(b"arc-")]
    others = [f for f in fields if not f.lower().startswith(b"arc-")]
    shuffled = b"\r\n".join(list(reversed(arc_fields)) + others) + b"\r\n\r\n" + body
    result = arc.verify(shuffled, ctx=_ctx(hops))
    assert [s.as_valid for s in result.sets] == [True, True]
    assert result.cv == "pass"


_ARC_LINES = st.sampled_from(
    [
        b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=s; t=1; b=AAAA",
        b"ARC-Seal: i=2; cv=pass; a=ed25519-sha256; d=example.org; s=s; b=AAAA; h=from",
        b"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=s; h=from:to; bh=AAAA; b=AAAA",
        b"ARC-Message-Signature: i=1; a=rsa-sha256; x=5; t=9; l=3; d=example.org; s=s; h=arc-seal; bh=AA; b=AAAA",
        b"ARC-Authentication-Results: i=1; example.org; spf=pass smtp.mailfrom=a@b.example",
        b"ARC-Authentication-Results: i=99; (c) x; dkim=pass",
        b"ARC-Seal: i=1; i=1; ;",
        b"arc-seal:i=1;cv=fail;b=;d=;s=;a=",
        b"From: a@example.org",
        b" folded continuation",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(_ARC_LINES, st.binary(max_size=40)), max_size=8), lf=st.booleans())
def test_never_raises_on_arbitrary_headers(lines: list[bytes], lf: bool) -> None:
    ctx = Context(
        resolver=ZoneResolver.from_dict({"s._domainkey.example.org": {"TXT": ["v=DKIM1; k=rsa; p=MIGfMA0GCSq"]}}),
        now=NOW,
    )
    sep = b"\n" if lf else b"\r\n"
    raw = sep.join(lines) + sep + sep + b"body" + sep
    result = arc.verify(raw, ctx=ctx)
    assert result.cv in ("none", "pass", "fail")
    assert result.cv != "pass"
    assert (result.reason is None) == (result.cv == "pass")


def test_chain_findings(hops: tuple[Signer, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """A body changed after the first intermediary: the chain says so, set by set."""
    message = chain(hops[:1], monkeypatch)
    assert arc.verify(message, ctx=Context(resolver=_zone(hops), now=NOW)).findings == ()
    tampered = message.replace(b"the numbers are in the shared folder.", b"wire the money to account 1234.")
    assert tampered != message
    result = arc.verify(tampered, ctx=Context(resolver=_zone(hops), now=NOW))
    codes = [f.code for f in result.findings]
    assert FindingCode.ARC_FAIL in codes and FindingCode.ARC_MODIFIED_IN_TRANSIT in codes
