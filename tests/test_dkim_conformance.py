"""DKIM conformance: the RFC 8463 and RFC 6376 examples in ../shared/conformance/dkim/.

The directory must exist: a missing suite fails these tests, it never skips them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dkim.canonicalization import CanonicalizationPolicy

import mailforensics as mf
from mailforensics.auth import dkim
from mailforensics.auth.dkim import PreparedMessage
from mailforensics.context import Context
from mailforensics.resolvers.zone import ZoneResolver

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"
DKIM_DIR = CONFORMANCE / "dkim"
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    path = DKIM_DIR / name
    assert path.is_file(), f"conformance file missing: {path} (the suite must not be skipped)"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def ctx_from(case: dict[str, Any]) -> Context:
    """A ZoneResolver holding the case's key records (unquoted TXT values)."""
    resolver = ZoneResolver.from_dict({name: {"TXT": [txt]} for name, txt in case["dns"].items()})
    return Context(resolver=resolver, now=NOW)


def test_conformance_directory_present() -> None:
    assert DKIM_DIR.is_dir(), f"{DKIM_DIR} is missing"


# --- RFC 8463 Appendix A: ed25519-sha256 and rsa-sha256 over the same message ----------------------
@pytest.mark.parametrize("line_endings", ["lf", "crlf"])
def test_rfc8463_appendix_a(line_endings: str) -> None:
    case = load("rfc8463-appendix-a.json")
    raw = case["message"].encode()
    if line_endings == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    results = dkim.verify(raw, ctx=ctx_from(case))
    assert len(results) == len(case["expected"]) == 2
    for result, expected in zip(results, case["expected"], strict=True):
        assert result.header_index == expected["index"]
        assert (result.domain, result.selector, result.algorithm) == (expected["d"], expected["s"], expected["a"])
        assert result.result == expected["result"] == "pass"
        assert result.body_hash_ok is True and result.signature_ok is True
        assert result.line_endings == line_endings
        assert result.canonicalization == "relaxed/relaxed"
        assert result.timestamp == datetime.fromtimestamp(1528637909, UTC)
    assert [(r.key_type, r.key_bits) for r in results] == [("ed25519", 256), ("rsa", 1024)]


def test_rfc8463_eml_file_through_load() -> None:
    case = load("rfc8463-appendix-a.json")
    path = DKIM_DIR / "rfc8463-appendix-a3.eml"
    assert path.is_file()
    message = mf.load(path)
    results = dkim.verify_message(message, ctx=ctx_from(case))
    assert [r.result for r in results] == ["pass", "pass"]


def test_rfc8463_tampered() -> None:
    case = load("rfc8463-appendix-a.json")
    raw = case["message"].replace("Is dinner ready?", "Is lunch ready?").encode()
    results = dkim.verify(raw, ctx=ctx_from(case))
    assert [(r.result, r.reason, r.body_hash_ok, r.signature_ok) for r in results] == [
        ("fail", "signature-mismatch", True, False)
    ] * 2


# --- RFC 6376 Appendix A.2: does not verify as printed --------------------------------------------
def test_rfc6376_appendix_a2_as_printed() -> None:
    """The JSON: expected_per_rfc is pass, but the printed body (two spaces in "game.  Are")
    does not match bh=, which was computed over one space. As printed: fail, body hash."""
    case = load("rfc6376-appendix-a2.json")
    assert case["expected_per_rfc"].startswith("pass")
    observed = case["observed_with_dkimpy"][0]
    assert observed.startswith("fail: body hash mismatch")
    (r,) = dkim.verify(case["message"].encode(), ctx=ctx_from(case))
    assert (r.result, r.reason) == ("fail", "body-hash-mismatch")
    assert r.body_hash_ok is False
    assert r.computed_body_hash is not None and f"computed {r.computed_body_hash}," in observed
    assert (r.domain, r.selector, r.canonicalization) == ("example.com", "brisbane", "simple/simple")
    assert (r.identity, r.identity_ok) == ("joe@football.example.com", True)
    assert (r.key_type, r.key_bits, r.key_source) == ("rsa", 1024, "dns")
    assert r.signed_headers == ("Received", "From", "To", "Subject", "Date", "Message-ID")


def test_rfc6376_appendix_a2_single_space_body_matches_bh() -> None:
    """The note's explanation, checked: with one space the body hash matches bh=."""
    case = load("rfc6376-appendix-a2.json")
    raw = case["message"].replace("game.  Are", "game. Are").encode()
    (r,) = dkim.verify(raw, ctx=ctx_from(case))
    assert r.body_hash_ok is True
    # The header signature does not verify either way (dkimpy agrees): the printed
    # example's b= is not over these header bytes.
    assert r.signature_ok is False and r.reason == "signature-mismatch"


# --- RFC 6376 §3.4.5 canonicalization examples --------------------------------------------------------
def _canonicalization_cases() -> list[tuple[str, str, str, str]]:
    case = load("rfc6376-canonicalization-examples.json")
    return [(c, case["message"], exp["header"], exp["body"]) for c, exp in case["expected"].items()]


@pytest.mark.parametrize(("c", "message", "header", "body"), _canonicalization_cases())
def test_rfc6376_canonicalization_examples(c: str, message: str, header: str, body: str) -> None:
    """Our header split (which keeps "B :" of RFC 5322 §4.5) fed to dkimpy's canonicalization."""
    prepared = PreparedMessage.from_bytes(message.encode())
    assert len(prepared.fields) == 2
    policy = CanonicalizationPolicy.from_c_value(c.encode())
    canon_headers = policy.canonicalize_headers(list(prepared.fields))
    assert b"".join(n + b":" + v for n, v in canon_headers) == header.encode()
    assert prepared.canonical_body(c.split("/")[1]) == body.encode()
