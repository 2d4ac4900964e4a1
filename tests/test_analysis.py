"""mf.analyze: hops enriched with PTR/FCrDNS/generic/DNSBL, the dns evidence, offline replay."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import mailforensics as mf
from mailforensics.errors import EvidenceMissing
from mailforensics.message import Message
from mailforensics.reputation.dnsbl import DNSBLZone
from mailforensics.resolvers import ZoneResolver
from mailforensics.resolvers.base import DNSAnswer

NOW = datetime(2024, 6, 1, tzinfo=UTC)

RAW = (
    b"Return-Path: <bounce@mail.example.org>\n"
    b"Received: from mx1.example.net (mx1.example.net [10.0.0.5]) by store.example.net with LMTP id 1"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:09 +0000\n"
    b"Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net with ESMTPS id 2"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\n"
    b"Received: from pc (cpe-198-51-100-23.res.example.com [198.51.100.23]) by mail.example.org"
    b" with ESMTPSA id 3; Tue, 02 Jan 2024 10:00:00 +0000\n"
    b"From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: hi\n\nbody\n"
)

ZONE = """
$ORIGIN example.org.
mail 300 A 203.0.113.5
$ORIGIN 113.0.203.in-addr.arpa.
5 300 PTR mail.example.org.
$ORIGIN 100.51.198.in-addr.arpa.
23 300 PTR cpe-198-51-100-23.res.example.com.
$ORIGIN example.com.
cpe-198-51-100-23.res 300 A 198.51.100.99
$ORIGIN bl.test.
2.0.0.127 300 A 127.0.0.2
23.100.51.198 300 A 127.0.0.4
23.100.51.198 300 TXT "listed: dynamic"
$ORIGIN dbl.test.
test 300 A 127.0.1.2
example.org 300 A 127.0.1.4
"""

ZONES = (
    DNSBLZone(zone="bl.test", kind="ip", codes={"127.0.0.2": "test", "127.0.0.4": "XBL"}),
    DNSBLZone(zone="dbl.test", kind="domain", codes={"127.0.1.2": "spam domain", "127.0.1.4": "phish domain"}),
)


def ctx(resolver: object) -> mf.Context:
    return mf.Context(resolver=resolver, now=NOW, config=mf.Config(dnsbl_zones=ZONES))


def test_hops_are_enriched() -> None:
    a = mf.analyze(Message.from_bytes(RAW), ctx=ctx(ZoneResolver.from_text(ZONE)))
    hops = a.hops
    assert hops["ptr"].tolist()[:2] == ["cpe-198-51-100-23.res.example.com", "mail.example.org"]
    assert pd.isna(hops["ptr"].iloc[2])  # private address: never asked
    assert hops["fcrdns"].iloc[0] == False  # noqa: E712 - resolves elsewhere
    assert hops["fcrdns"].iloc[1] == True  # noqa: E712
    assert hops["generic_rdns"].tolist()[:2] == [True, False]
    assert hops["dnsbl"].iloc[0] == "bl.test: XBL"
    assert hops["dnsbl"].iloc[1] == ""  # checked, not listed
    assert pd.isna(hops["dnsbl"].iloc[2])  # internal hop: not checked
    codes = set(a.findings["code"])
    assert {"rdns-generic", "rdns-not-forward-confirmed", "dnsbl-listed"} <= codes
    # the From domain is on the domain list
    dbl = a.dnsbl[a.dnsbl["zone"] == "dbl.test"]
    assert dbl[dbl["item"] == "example.org"]["meanings"].tolist() == ["phish domain"]
    # no question about the private 10.0.0.5
    assert not a.dns["name"].str.contains("10.in-addr.arpa").any()
    assert set(a.dns["status"]) <= {"NOERROR", "NXDOMAIN"}


def test_record_replay_round_trip_is_identical(tmp_path: Path) -> None:
    live = mf.analyze(Message.from_bytes(RAW), ctx=ctx(ZoneResolver.from_text(ZONE)))
    evidence = live.save_evidence(tmp_path / "ev.jsonl")
    offline = mf.Context.offline(evidence, now=NOW, config=mf.Config(dnsbl_zones=ZONES))
    real_socket = socket.socket

    def no_socket(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("offline replay opened a socket")

    socket.socket = no_socket  # type: ignore[misc,assignment]
    try:
        replayed = mf.analyze(Message.from_bytes(RAW), ctx=offline)
    finally:
        socket.socket = real_socket  # type: ignore[misc]
    for name in ("hops", "envelope", "headers", "findings", "dns", "dnsbl"):
        assert_frame_equal(getattr(live, name), getattr(replayed, name), check_exact=True)
    assert len(live.dns) > 10


def test_strict_replay_raises_for_unasked_questions(tmp_path: Path) -> None:
    live = mf.analyze(Message.from_bytes(RAW), ctx=ctx(ZoneResolver.from_text(ZONE)))
    evidence = live.save_evidence(tmp_path / "ev.jsonl")
    other = RAW.replace(b"203.0.113.5", b"203.0.113.77")
    with pytest.raises(EvidenceMissing):
        mf.analyze(Message.from_bytes(other), ctx=mf.Context.offline(evidence, config=mf.Config(dnsbl_zones=ZONES)))


def test_dns_checks_off_asks_nothing() -> None:
    class Refuse:
        def query(self, name: str, rdtype: str) -> object:
            raise AssertionError("asked DNS")

    a = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=Refuse(), config=mf.Config(dns_checks=False)))
    assert a.dns.empty and a.hops["ptr"].isna().all()


def test_temperror_is_a_finding_not_an_exception() -> None:
    z = ZoneResolver.from_dict({"5.113.0.203.in-addr.arpa": "TIMEOUT", "23.100.51.198.in-addr.arpa": "SERVFAIL"})
    a = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=z, now=NOW, config=mf.Config(dnsbl_zones=())))
    assert "dns-temperror" in set(a.findings["code"])
    assert a.hops["fcrdns"].isna().tolist()[:2] == [True, True]
    assert "TIMEOUT" in set(a.dns["status"])


def test_recipient_mx_places_the_trust_boundary() -> None:
    # The top hop's client is the recipient's own MX on a public address nobody configured:
    # without MX knowledge the MX would be taken for the originating relay.
    raw = (
        b"Delivered-To: bob@example.net\n"
        b"Received: from mx1.example.net (mx1.example.net [198.51.100.10]) by store.example.net with LMTP id 1"
        b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:09 +0000\n"
        b"Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net with ESMTPS id 2"
        b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\n"
        b"From: alice@example.org\n\nbody\n"
    )
    zone = ZONE + "$ORIGIN example.net.\n@ 300 MX 10 mx1\nmx1 300 A 198.51.100.10\n"
    assert mf.trace(Message.from_bytes(raw)).originating_ip == "198.51.100.10"
    a = mf.analyze(Message.from_bytes(raw), ctx=ctx(ZoneResolver.from_text(zone)))
    assert a.originating_ip == "203.0.113.5"
    assert a.path.boundary_hop == 1 and a.path.entry_hop == 1
    assert [r.domain for r in a.recipient_mx] == ["example.net"]  # from the envelope recipient
    assert ("example.net", "MX") in set(zip(a.dns["name"], a.dns["rdtype"], strict=True))


def test_content_frames_come_with_the_analysis() -> None:
    from mailforensics import frames

    html = (
        b"From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: pay\nMIME-Version: 1.0\n"
        b"Content-Type: text/html; charset=utf-8\n\n"
        b'<a href="https://paypa1.example/login">https://www.paypal.com/</a>\n'
    )
    a = mf.analyze(Message.from_bytes(html), ctx=mf.Context(resolver=ZoneResolver.from_text(ZONE), now=NOW,
                   config=mf.Config(dnsbl_zones=ZONES)))  # fmt: skip
    for name in ("urls", "attachments", "lookalikes"):
        assert list(getattr(a, name).columns) == list(frames.SCHEMAS[name])
    urls = a.urls
    assert urls["host"].tolist() == ["paypa1.example"] and urls["text_mismatch"].tolist() == [True]
    assert "url-text-mismatch" in set(a.findings["code"])
    offline = mf.analyze(Message.from_bytes(html), ctx=mf.Context(config=mf.Config(dns_checks=False)))
    assert offline.urls["host"].tolist() == ["paypa1.example"] and offline.dns.empty


def test_rows_are_the_tables_before_they_become_frames() -> None:
    from mailforensics import frames
    from mailforensics.analysis import TABLES

    a = mf.analyze(Message.from_bytes(RAW), ctx=ctx(ZoneResolver.from_text(ZONE)))
    assert set(TABLES) <= set(frames.SCHEMAS)
    for table in TABLES:
        rows = a.rows(table)
        assert all(isinstance(r, dict) and set(r) <= set(frames.SCHEMAS[table]) for r in rows), table
        assert_frame_equal(frames.conform(rows, table), getattr(a, table))
    assert len(a.rows("hops")) == 3 and a.rows("dns")
    with pytest.raises(ValueError, match="unknown table"):
        a.rows("summary")


class Counting(ZoneResolver):
    """A ZoneResolver that keeps the questions it was asked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return super().query(name, rdtype)


def test_blocklist_health_is_probed_once_per_resolver_and_kept_in_every_evidence() -> None:
    resolver = Counting.from_text(ZONE)
    asked = resolver.asked
    first = mf.analyze(Message.from_bytes(RAW), ctx=ctx(resolver))
    test_point = ("2.0.0.127.bl.test", "A")
    assert asked.count(test_point) == 1
    second = mf.analyze(Message.from_bytes(RAW), ctx=ctx(resolver))
    assert asked.count(test_point) == 1  # the second analysis used the probe
    # ... and its evidence still holds the probe's answers, so it replays on its own.
    assert [r.answer for r in second.evidence] == [r.answer for r in first.evidence]
    assert_frame_equal(second.dnsbl, first.dnsbl)


def test_relay_checks_are_kept_per_resolver_and_evidence_is_as_fresh() -> None:
    # A batch asks the same relay checks (PTR/FCrDNS, HELO, IP blocklists, the recipient
    # MX) for every message from one relay: the second analysis through one resolver asks
    # the DNS nothing, yet its evidence and frames are a fresh run's, and it replays alone.
    from mailforensics import analysis

    config = mf.Config(dnsbl_zones=ZONES, internal_domains=("example.net",))
    resolver = Counting.from_text(ZONE)
    asked = resolver.asked
    first = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=resolver, now=NOW, config=config))
    n_first = len(asked)
    assert ("5.113.0.203.in-addr.arpa", "PTR") in asked and ("23.100.51.198.bl.test", "A") in asked
    second = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=resolver, now=NOW, config=config))
    relay_questions = {("5.113.0.203.in-addr.arpa", "PTR"), ("23.100.51.198.bl.test", "A"), ("example.net", "MX")}
    assert not relay_questions & set(asked[n_first:])  # answered from the memo
    assert [r.answer for r in second.evidence] == [r.answer for r in first.evidence]
    for table in ("hops", "dnsbl", "findings"):
        assert_frame_equal(getattr(second, table), getattr(first, table))
    # (A remembered answer keeps the time it was asked: queried_at is provenance.)
    assert_frame_equal(second.dns.drop(columns="queried_at"), first.dns.drop(columns="queried_at"))

    # Another resolver does not share the first one's results.
    other = Counting.from_text(ZONE)
    mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=other, now=NOW, config=config))
    assert ("5.113.0.203.in-addr.arpa", "PTR") in other.asked

    # The memo off: the same evidence and frames (it changes the cost, not the result).
    analysis._CHECKS.clear()
    fresh_ctx = mf.Context(resolver=ZoneResolver.from_text(ZONE), now=NOW, config=config)
    fresh = mf.analyze(Message.from_bytes(RAW), ctx=fresh_ctx)
    assert [r.answer for r in fresh.evidence] == [r.answer for r in second.evidence]
    for table in ("hops", "dnsbl", "findings", "envelope"):
        assert_frame_equal(getattr(fresh, table), getattr(second, table))


def test_relay_check_results_follow_the_configuration() -> None:
    # The HELO check reads the configuration (trusted networks): a changed Config is a
    # different memo key, never a stale result.
    resolver = ZoneResolver.from_text(ZONE)

    def run(zones: tuple[DNSBLZone, ...]) -> mf.Analysis:
        config = mf.Config(dnsbl_zones=zones)
        return mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=resolver, now=NOW, config=config))

    plain, listed, again = run(()), run(ZONES), run(())
    assert plain.dnsbl.empty and not listed.dnsbl.empty
    assert again.dnsbl.empty
