"""DKIM behaviours found by cross-checking other verifiers' test suites (the DKIM Verifier
add-on's unit tests, Perl Mail::DKIM's corpus): key records every verifier accepts or
refuses, an unknown key type, and an ``l=`` beyond the body. Keys and messages are made
here with the helpers of ``test_dkim``; every case runs on the fast and the reference path.
"""

from __future__ import annotations

import pytest

from mailforensics.auth import _fastverify
from mailforensics.auth import dkim as mf_dkim
from mailforensics.auth.dkim import DKIMResult, PreparedMessage
from mailforensics.context import Context
from mailforensics.findings import FindingCode
from tests.test_dkim import MESSAGE, RSA_ZONE, ctx_for, forge, one, rsa_key, sign

NAME = "sel._domainkey.example.com"
KEY = rsa_key(2048)[1]


def checked(raw: bytes, ctx: Context) -> DKIMResult:
    """The single result, after checking that the reference path says the same."""
    fast = one(raw, ctx)
    with _fastverify.disabled():
        ref = one(raw, ctx)
    assert fast == ref
    return fast


# --- key records -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "txt",
    [
        f"v=DKIM1;n=;p={KEY}",  # an empty note
        f"v=DKIM1;h=sha1:sha256;p={KEY}",  # several hashes, ours among them
        f"v=DKIM1;s=*;p={KEY}",
        f"v=DKIM1;s=email;p={KEY}",
        f"v=DKIM1;g=*;p={KEY}",  # g= was dropped by RFC 6376: an unknown tag, ignored
        f"v=DKIM1; g=; p={KEY}",
        f"v=DKIM1; s=email:web:fine; x1 = extra ; t = n:extra; h=md5:sha256; p={KEY} ; ",
        f"k=rsa; p={KEY}; n=a note with spaces;",  # no v=; unknown list members; trailing ;
    ],
)
def test_key_records_that_verify(txt: str) -> None:
    r = checked(sign(), ctx_for({NAME: txt}))
    assert (r.result, r.reason) == ("pass", None)
    assert r.body_hash_ok is True and r.signature_ok is True


@pytest.mark.parametrize(
    ("txt", "reason", "checks_run"),
    [
        (f"v=DKIM3; p={KEY}", "key-malformed", False),  # other version: the record is discarded
        (f"k=rsa; t; p={KEY}", "key-malformed", False),  # a tag without "=": not a tag list
        (f"v=DKIM1; h=bad; p={KEY}", "key-mismatch", True),  # no hash we sign with
        (f"v=DKIM1; s=chat; p={KEY}", "key-mismatch", True),  # not an e-mail key
        (f"v=DKIM1; k=foobar; p={KEY}", "key-mismatch", False),  # unknown key type
        ("v=DKIM1; k=foobar; p=", "key-revoked", False),  # revocation says more than the type
    ],
)
def test_key_records_that_refuse(txt: str, reason: str, checks_run: bool) -> None:
    r = checked(sign(), ctx_for({NAME: txt}))
    assert (r.result, r.reason) == ("permerror", reason)
    expected = True if checks_run else None
    assert (r.body_hash_ok, r.signature_ok) == (expected, expected)
    assert FindingCode.DKIM_UNVERIFIABLE in {f.code for f in r.findings} or reason == "key-revoked"


def test_unknown_key_type_says_which() -> None:
    r = checked(sign(), ctx_for({NAME: f"v=DKIM1; k=foobar; p={KEY}"}))
    assert r.key_type == "foobar" and r.key_bits is None
    assert "k=foobar" in r.detail


# --- l= and the body length --------------------------------------------------------------------------
def _relaxed_body_size(raw: bytes = MESSAGE) -> int:
    return len(PreparedMessage.from_bytes(raw).canonical_body("relaxed"))


def test_length_beyond_body_is_malformed_but_checked() -> None:
    """RFC 6376 §3.5: l= must not exceed the canonicalized body. Such a tag is invalid
    (neutral, malformed); the two checks still say whether the bytes are intact."""
    size = _relaxed_body_size()
    r = checked(forge(tags=[("l", str(size + 10))]), ctx_for(RSA_ZONE))
    assert (r.result, r.reason, r.reasons) == ("neutral", "malformed", ("malformed",))
    assert r.body_hash_ok is True and r.signature_ok is True
    assert (r.length, r.unsigned_body_bytes) == (size + 10, 0)
    assert f"l={size + 10}" in r.detail and f"{size}-octet" in r.detail
    assert FindingCode.DKIM_UNVERIFIABLE in {f.code for f in r.findings}


def test_length_equal_to_body_passes() -> None:
    size = _relaxed_body_size()
    r = checked(forge(tags=[("l", str(size))]), ctx_for(RSA_ZONE))
    assert (r.result, r.length, r.unsigned_body_bytes) == ("pass", size, 0)
    r = checked(forge(tags=[("l", str(size))]) + b"appended\r\n", ctx_for(RSA_ZONE))
    assert (r.result, r.unsigned_body_bytes) == ("pass", len(b"appended\r\n"))


def test_body_cut_below_length_is_malformed_and_body_changed() -> None:
    """Signed with l= over the whole body, then the last line removed in transit."""
    size = _relaxed_body_size()
    raw = forge(tags=[("l", str(size))])
    cut = raw[: raw.rindex(b"Alice\r\n")]
    r = checked(cut, ctx_for(RSA_ZONE))
    assert (r.result, r.reasons) == ("neutral", ("malformed", "body-hash-mismatch"))
    assert r.body_hash_ok is False and r.signature_ok is True


def test_length_beyond_body_does_not_hide_other_reasons() -> None:
    size = _relaxed_body_size()
    raw = forge(tags=[("l", str(size + 1))], algorithm="rsa-sha1")
    r = checked(raw, ctx_for(RSA_ZONE))
    assert r.reasons == ("malformed", "algorithm-forbidden")
    assert mf_dkim.REASONS[r.reason or ""] == r.result == "neutral"
