"""Points where another implementation's test suite expects a different answer.

A cross-check against the test resources of a Rust mail-authentication library found no
fault here; it did find cases where that library answers otherwise, by a choice of its
own that RFC 7208 / RFC 6376 do not make. These tests pin our reading, with our own zones,
keys and messages, so that a later "fix" towards the other answer is a decision and not
an accident.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization

from mailforensics.auth import dkim, spf
from mailforensics.context import Context
from mailforensics.resolvers.zone import ZoneResolver
from tests.test_dkim import NOW, rsa_key, sign

SPF_NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def spf_result(records: dict[str, dict[str, list[str]]], ip: str) -> spf.SPFResult:
    ctx = Context(resolver=ZoneResolver.from_dict(records), now=SPF_NOW)
    return spf.check(ip, "someone@example.org", "mx.example.org", ctx=ctx)


@pytest.mark.parametrize("ip", ["198.51.100.7", "2001:db8::7"])
def test_spf_exists_looks_for_a_records_only(ip: str) -> None:
    # RFC 7208 §5.7: "used for a DNS A RR lookup (even when the connection type is IPv6)".
    # A name with only AAAA records does not make "exists" match, whatever the client.
    aaaa_only = {
        "example.org": {"TXT": ["v=spf1 exists:flag.example.org -all"]},
        "flag.example.org": {"AAAA": ["2001:db8::53"]},
    }
    r = spf_result(aaaa_only, ip)
    assert r.result == "fail" and r.mechanism == "-all"
    (step,) = [s for s in r.trace if s.name == "exists"]
    assert [q.rdtype for q in step.queries] == ["A"]
    with_a = {**aaaa_only, "flag.example.org": {"A": ["127.0.0.2"]}}
    assert spf_result(with_a, ip).result == "pass"


def test_spf_unknown_mechanism_after_all_is_a_syntax_error() -> None:
    # Mechanisms after "all" are never evaluated (§5.1), but a term that is not a
    # mechanism is a syntax error of the record, and syntax errors anywhere give
    # permerror before any evaluation (§4.6).
    r = spf_result({"example.org": {"TXT": ["v=spf1 -all ipv4:198.51.100.7"]}}, "198.51.100.7")
    assert r.result == "permerror"
    assert r.trace[-1].outcome == "error"


def test_spf_ip6_network_does_not_match_an_ipv4_client() -> None:
    # An IPv4 client is compared with ip4 networks (§5, §5.6), even when an ip6 network
    # is written as an IPv4-mapped address.
    records = {"example.org": {"TXT": ["v=spf1 ip6:::ffff:198.51.100.7 -all"]}}
    assert spf_result(records, "198.51.100.7").result == "fail"
    assert spf_result(records, "::ffff:198.51.100.7").result == "fail"  # mapped: checked as IPv4


def test_dkim_key_published_as_pkcs1_rsapublickey() -> None:
    # p= holding the bare RSAPublicKey (the form of RFC 6376 Appendix C's example key)
    # verifies like the SubjectPublicKeyInfo form.
    pem, spki_b64 = rsa_key(2048)
    private = serialization.load_pem_private_key(pem, password=None)
    pkcs1 = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    signed = sign(bits=2048)  # selector "sel", domain example.com, with the same key
    for public in (base64.b64encode(pkcs1).decode(), spki_b64):
        zone = ZoneResolver.from_dict({"sel._domainkey.example.com": {"TXT": [f"v=DKIM1; k=rsa; p={public}"]}})
        (r,) = dkim.verify(signed, ctx=Context(resolver=zone, now=NOW))
        assert (r.result, r.key_bits) == ("pass", 2048)
