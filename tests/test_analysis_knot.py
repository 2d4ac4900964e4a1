"""Issue #3's acceptance: analyse with a recording live resolver against Knot, save the
evidence, replay it offline (no socket), and get identical frames."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

import mailforensics as mf
from mailforensics.message import Message
from mailforensics.reputation.dnsbl import DNSBLZone
from mailforensics.resolvers import LiveResolver, RecordingResolver
from tests.knot import KnotServer, knot_fixture  # noqa: F401

NOW = datetime(2024, 6, 1, tzinfo=UTC)

RAW = (
    b"Received: from mx.example.test (mx.example.test [192.0.2.25]) by store.example.net with ESMTPS id 1"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:09 +0000\n"
    b"Received: from host.example.test (unknown [192.0.2.67]) by mx.example.test with ESMTP id 2"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\n"
    b"Received: from laptop (mx.example.test [2001:db8::25]) by host.example.test with ESMTPSA id 3;"
    b" Tue, 02 Jan 2024 10:00:00 +0000\n"
    b"From: a@example.test\nTo: bob@example.net\nSubject: knot\n\nbody\n"
)
ZONES = (DNSBLZone(zone="dnsbl.test", kind="ip", codes={"127.0.0.2": "spam source", "127.0.0.4": "exploited host"}),)


def config() -> mf.Config:
    # example.net is the recipient; its MX took the message from 192.0.2.25 (a trusted relay)
    return mf.Config(dnsbl_zones=ZONES, trusted_networks=("192.0.2.25/32",))


def test_live_record_then_offline_replay_gives_identical_frames(knot: KnotServer, tmp_path: Path) -> None:
    live = LiveResolver(["127.0.0.1"], port=knot.port, timeout=1.0, lifetime=3.0, trust_anchors=knot.anchors())
    recorder = RecordingResolver(live)
    recorded = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=recorder, now=NOW, config=config()))

    hops = recorded.hops
    assert recorded.originating_ip == "192.0.2.67"
    assert hops["ptr"].tolist()[2] == "mx.example.test"
    assert hops["fcrdns"].tolist()[2] == True  # noqa: E712
    assert hops["dnsbl"].tolist()[1] == "dnsbl.test: exploited host"
    assert hops["ptr"].tolist()[0] == "mx.example.test"  # ip6.arpa PTR, forward-confirmed by AAAA
    assert hops["fcrdns"].tolist()[0] == True  # noqa: E712
    dns = recorded.dns
    assert dns["secure"].eq(True).any()  # answers from the signed zones validated
    assert set(dns["resolver"]) == {live.identity}
    assert len(recorder.records) == len(dns)

    evidence = recorded.save_evidence(tmp_path / "knot.dns.jsonl")
    real_socket = socket.socket

    def no_socket(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("offline replay opened a socket")

    socket.socket = no_socket  # type: ignore[misc,assignment]
    try:
        replayed = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context.offline(evidence, now=NOW, config=config()))
    finally:
        socket.socket = real_socket  # type: ignore[misc]
    for name in ("hops", "envelope", "headers", "findings", "dns", "dnsbl"):
        assert_frame_equal(getattr(recorded, name), getattr(replayed, name), check_exact=True)


def test_replay_of_other_message_is_strict(knot: KnotServer, tmp_path: Path) -> None:
    live = LiveResolver(["127.0.0.1"], port=knot.port, trust_anchors=knot.anchors())
    a = mf.analyze(Message.from_bytes(RAW), ctx=mf.Context(resolver=live, now=NOW, config=config()))
    evidence = a.save_evidence(tmp_path / "e.jsonl")
    with pytest.raises(mf.EvidenceMissing):
        mf.analyze(
            Message.from_bytes(RAW.replace(b"192.0.2.67", b"192.0.2.68")),
            ctx=mf.Context.offline(evidence, config=config()),
        )


def test_cli_records_live_then_replays_offline(
    knot: KnotServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from mailforensics.cli import main

    eml = tmp_path / "m.eml"
    eml.write_bytes(RAW)
    evidence = tmp_path / "cli.dns.jsonl"
    common = ["analyze", str(eml), "--json", "--trusted-network", "192.0.2.25/32"]
    assert main([*common, "--nameserver", "127.0.0.1", "--dns-port", str(knot.port), "--evidence", str(evidence)]) == 0
    live = json.loads(capsys.readouterr().out)
    assert evidence.is_file() and live["messages"][0]["originating_ip"] == "192.0.2.67"
    assert main([*common, "--offline", "--evidence", str(evidence)]) == 0
    offline = json.loads(capsys.readouterr().out)
    assert offline == live


def test_cli_domain_posture(knot: KnotServer, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from mailforensics.cli import main

    assert main(["domain", "example.test", "--json", "--nameserver", "127.0.0.1", "--dns-port", str(knot.port)]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["rows"]
    assert any(r["section"] == "mx" and "mx.example.test" in (r["value"] or "") for r in rows)
    assert {r["section"] for r in rows} >= {"mx", "spf", "dmarc", "dnssec"}
