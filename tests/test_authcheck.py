"""Re-verification beside the message's claims: placement, trust, matching, findings."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from unittest.mock import patch

import dkim as dkimpy
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import mailforensics as mf
from mailforensics.claims import locate, signature_b
from mailforensics.message import Message
from mailforensics.resolvers import ZoneResolver

NOW = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> tuple[bytes, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(der).decode()


BODY = (
    b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: invoice\r\n"
    b"Date: Tue, 02 Jan 2024 09:59:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nPlease pay.\r\n"
)
BOUNDARY_HOP = (
    b"Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net with ESMTPS id 2"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\r\n"
)


def world(public_key: str, *, with_key: bool = True) -> ZoneResolver:
    data: dict[str, dict[str, list[str]]] = {
        "example.org": {"TXT": ["v=spf1 ip4:203.0.113.5 -all"]},
        "_dmarc.example.org": {"TXT": ["v=DMARC1; p=reject"]},
        "mail.example.org": {"A": ["203.0.113.5"]},
    }
    if with_key:
        data["sel._domainkey.example.org"] = {"TXT": [f"v=DKIM1; k=rsa; p={public_key}"]}
    return ZoneResolver.from_dict(data)


def signed(pem: bytes) -> bytes:
    # dkimpy stamps t= from time.time(): sign "at" the message's date, not today.
    with patch("time.time", return_value=datetime(2024, 1, 2, 9, 59, 30, tzinfo=UTC).timestamp()):
        sig = dkimpy.sign(BODY, b"sel", b"example.org", pem, include_headers=[b"from", b"to", b"subject", b"date"])
    return sig + BODY


def analyze(raw: bytes, resolver: ZoneResolver) -> mf.Analysis:
    config = mf.Config(internal_domains=("example.net",), dnsbl_zones=())
    return mf.analyze(Message.from_bytes(raw), ctx=mf.Context(resolver=resolver, now=NOW, config=config))


def test_everything_passes_and_claims_line_up(key: tuple[bytes, str]) -> None:
    pem, public = key
    message = signed(pem)
    b = signature_b(message.split(b"\r\n\r\n")[0].decode())
    ar = (
        f"Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=alice@example.org;"
        f" dkim=pass header.d=example.org header.s=sel header.b={b[:8]}; dmarc=pass header.from=example.org\r\n"
    ).encode()
    raw = b"Return-Path: <alice@example.org>\r\n" + ar + BOUNDARY_HOP + message
    a = analyze(raw, world(public))
    auth = a.auth.set_index(["method", "instance"], drop=False)
    assert auth.loc[("spf", "mailfrom"), "result"] == "pass"
    assert auth.loc[("dkim", "1"), ["result", "aligned", "claimed", "claim_trusted"]].tolist() == [
        "pass", True, "pass", True,
    ]  # fmt: skip
    dmarc = a.auth[a.auth["method"] == "dmarc"].iloc[0]
    assert (dmarc["result"], dmarc["claimed"], dmarc["aligned"]) == ("pass", "pass", True)
    assert "mx1.example.net (Authentication-Results, header 1, hop 1, trusted)" in dmarc["claimed_by"]
    codes = set(a.findings["code"])
    assert "auth-claim-untrusted" not in codes and "auth-claim-mismatch" not in codes
    assert a.summary["dmarc"].startswith("pass")


def test_forged_results_below_the_boundary(key: tuple[bytes, str]) -> None:
    _, public = key
    forged = b"Authentication-Results: mx1.example.net; dkim=pass header.d=example.org; dmarc=pass\r\n"
    # The forged field stands below the MX's Received field: it came with the message.
    raw = BOUNDARY_HOP + forged + BODY
    a = analyze(raw, world(public))
    placed = locate(a.message, a.path)
    assert [(p.claim.method, p.hop, p.trusted) for p in placed] == [("dkim", None, False), ("dmarc", None, False)]
    untrusted = a.findings[a.findings["code"] == "auth-claim-untrusted"]
    assert len(untrusted) == 2 and set(untrusted["severity"]) == {"alert"}
    dmarc = a.auth[a.auth["method"] == "dmarc"].iloc[0]
    assert (dmarc["result"], dmarc["claimed"], dmarc["claim_trusted"]) == ("fail", "pass", False)


def test_rotated_key_mismatch_and_historical_keys(key: tuple[bytes, str]) -> None:
    pem, public = key
    message = signed(pem)
    ar = b"Authentication-Results: mx1.example.net; dkim=pass header.d=example.org header.s=sel\r\n"
    raw = ar + BOUNDARY_HOP + message
    gone = analyze(raw, world(public, with_key=False))
    row = gone.auth[gone.auth["method"] == "dkim"].iloc[0]
    assert (row["result"], row["reason"], row["claimed"]) == ("permerror", "no-key", "pass")
    mismatch = gone.findings[gone.findings["code"] == "auth-claim-mismatch"]
    assert mismatch["detail"].str.contains("historical_keys").any()
    archive = ZoneResolver.from_dict({"sel._domainkey.example.org": {"TXT": [f"v=DKIM1; k=rsa; p={public}"]}})
    config = mf.Config(internal_domains=("example.net",), dnsbl_zones=(), historical_keys=archive)
    ctx = mf.Context(resolver=world(public, with_key=False), now=NOW, config=config)
    back = mf.analyze(Message.from_bytes(raw), ctx=ctx)
    assert back.auth[back.auth["method"] == "dkim"].iloc[0]["result"] == "pass"
    assert "dkim-historical-key-used" in set(back.findings["code"])


def test_dkim_claim_matched_by_header_b(key: tuple[bytes, str]) -> None:
    pem, public = key
    message = signed(pem)
    ar = (
        b"Authentication-Results: mx1.example.net; dkim=fail header.d=example.org header.b=ZZZZZZZZ;"
        b" dkim=pass header.d=example.org header.b=" + signature_b(message.split(b"\r\n\r\n")[0].decode())[:10].encode()
        + b"\r\n"
    )  # fmt: skip
    a = analyze(ar + BOUNDARY_HOP + message, world(public))
    assert a.auth[a.auth["method"] == "dkim"].iloc[0]["claimed"] == "pass"


def test_no_external_client_means_no_spf_verdict(key: tuple[bytes, str]) -> None:
    _, public = key
    internal = (
        b"Received: from pc (pc [10.0.0.9]) by mail.example.net with ESMTPSA id 1; Tue, 02 Jan 2024 10:00:00 +0000\r\n"
    )
    a = analyze(internal + BODY, world(public))
    spf = a.auth[a.auth["method"] == "spf"].iloc[0]
    assert pd_isna(spf["result"]) and spf["reason"] == "no originating IP to check"


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_spf_trace_and_arc_frames_follow_their_schemas(key: tuple[bytes, str]) -> None:
    from mailforensics import frames

    pem, public = key
    a = analyze(b"Return-Path: <alice@example.org>\r\n" + BOUNDARY_HOP + signed(pem), world(public))
    trace = a.spf_trace
    assert list(trace.columns) == list(frames.SCHEMAS["spf_trace"])
    mailfrom = trace[trace["identity"] == "mailfrom"]
    assert (
        mailfrom["term"].tolist()[-2:] == ["ip4:203.0.113.5", "-all"] or "ip4:203.0.113.5" in mailfrom["term"].tolist()
    )
    assert "match" in set(mailfrom["outcome"])
    assert list(a.arc.columns) == list(frames.SCHEMAS["arc"]) and a.arc.empty


def test_address_shown_as_the_display_name_is_one_author(key: tuple[bytes, str]) -> None:
    # "billing@other.example <alice@example.org>": one mailbox, alice's (mail clients
    # show and reply to the angle-addr). DMARC is judged for example.org, not given up as
    # "several authors"; the lie in the display name and the unquoted "@" are reported.
    _, public = key
    raw = (
        b"Return-Path: <alice@example.org>\r\n"
        + BOUNDARY_HOP
        + BODY.replace(b"From: Alice <alice@example.org>", b"From: billing@other.example <alice@example.org>")
    )
    a = analyze(raw, world(public, with_key=False))
    dmarc = a.auth[a.auth["method"] == "dmarc"].iloc[0]
    assert (dmarc["domain"], dmarc["result"]) == ("example.org", "pass")
    codes = set(a.findings["code"])
    assert {"from-display-name-address", "message-header-syntax"} <= codes
    assert "from-multiple" not in codes


def test_two_authors_still_make_dmarc_inapplicable(key: tuple[bytes, str]) -> None:
    _, public = key
    raw = (
        b"Return-Path: <alice@example.org>\r\n"
        + BOUNDARY_HOP
        + BODY.replace(b"From: Alice <alice@example.org>", b"From: alice@example.org, mallory@other.example")
    )
    a = analyze(raw, world(public, with_key=False))
    dmarc = a.auth[a.auth["method"] == "dmarc"].iloc[0]
    assert dmarc["result"] == "permerror"
    assert list(a.findings["code"]).count("from-multiple") == 1  # the DMARC and header checks' copies are one
