"""The bundled corpus: every message reads, and the Received chains match the ground truth
written independently of the parser (sample_mail/expected.json)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import mailforensics as mf
from mailforensics.path import reconstruct

from .conftest import SAMPLE_MAIL

EXPECTED: dict[str, list[dict[str, Any]]] = json.loads((SAMPLE_MAIL / "expected.json").read_text())
FIELDS = ("from_helo", "from_rdns", "from_ip", "by_host", "protocol", "tls", "envelope_for", "timestamp")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hops_match_ground_truth(name: str) -> None:
    message = mf.load(SAMPLE_MAIL / name)
    path = reconstruct(message)
    expected = EXPECTED[name]
    assert len(path.hops) == len(expected)
    for want, got in zip(expected, path.hops, strict=True):
        assert len(path.hops) - got.number == want["received_index"]  # 0 = topmost Received
        if want.get("unparseable"):
            assert got.hop.parsed is False
            continue
        for field in FIELDS:
            value = getattr(got.hop, field)
            if field == "timestamp" and value is not None:
                value = value.isoformat()
                want_value = datetime.fromisoformat(want[field].replace("Z", "+00:00")).isoformat()
            else:
                want_value = want.get(field)
            assert value == want_value, (name, got.number, field)


def test_every_sample_reads_without_exception() -> None:
    counts = {"eml": 0, "mbox": 0, "maildir": 0}
    for sub, kind in (("eml", "eml"), ("export.mbox", "mbox"), ("export-crlf-cl.mbox", "mbox"), ("Maildir", "maildir")):
        for message in mf.iter_messages(SAMPLE_MAIL / sub):
            counts[kind] += 1
            t = mf.trace(message)
            assert t.hops["hop"].tolist() == list(range(1, len(t.hops) + 1))
    assert counts == {"eml": len(EXPECTED), "mbox": 64 + 5, "maildir": 7}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("eml/19-negative-delay.eml", "hop-negative-delay"),
        ("eml/20-future-hop-2031.eml", "hop-in-future"),
        ("eml/21-date-after-first-hop.eml", "date-after-first-hop"),
        ("eml/22-garbled-received.eml", "received-unparsed"),
        ("eml/23-envelope-conflict.eml", "envelope-from-conflict"),
        ("eml/23-envelope-conflict.eml", "envelope-rcpt-conflict"),
        ("eml/24-private-ip-outside-boundary.eml", "private-ip-outside-boundary"),
        ("eml/25-null-sender-dsn.eml", "envelope-null-sender"),
        ("eml/02-sendmail-may-be-forged.eml", "rdns-not-forward-confirmed"),
    ],
)
def test_scenarios_raise_their_findings(name: str, code: str) -> None:
    ctx = mf.Context(
        now=datetime.fromisoformat("2025-01-01T00:00:00+00:00"), config=mf.Config(internal_domains=("example.net",))
    )
    t = mf.trace(SAMPLE_MAIL / name, ctx=ctx)
    assert code in set(t.findings["code"])


def test_recorded_evidence_is_current(tmp_path: Path) -> None:
    """The committed world zone and evidence are what make_evidence.py produces now."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_evidence", SAMPLE_MAIL / "make_evidence.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(tmp_path) == 0
    for name in ("world.zone", "evidence.jsonl"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_MAIL / "dns" / name).read_bytes(), name


def test_demo_replays_offline_without_a_socket(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from mailforensics.cli import main

    def no_socket(*args: object, **kwargs: object) -> None:
        raise AssertionError("the offline demo opened a socket")

    monkeypatch.setattr(socket, "socket", no_socket)
    evidence = str(SAMPLE_MAIL / "dns" / "evidence.jsonl")
    for extra in (["--internal-domain", "example.net"], []):
        assert main(["analyze", str(SAMPLE_MAIL / "eml"), "--offline", "--evidence", evidence, *extra]) == 0
    out = capsys.readouterr().out
    assert "zen.spamhaus.org: XBL" in out and "cpe-203-0-113-45.res.isp.example" in out
