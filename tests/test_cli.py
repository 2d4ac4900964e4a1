"""The command line: hops and trace tables, --json for machines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailforensics.cli import main

EML = (
    b"Return-Path: <a@example.org>\r\n"
    b"Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net (Postfix) with ESMTPS"
    b" id 4T1 for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\r\n"
    b"Received: from [192.168.1.20] (unknown [192.168.1.20]) by mail.example.org with ESMTPSA id 9Z;"
    b" Tue, 02 Jan 2024 10:00:00 +0000\r\n"
    b"From: a@example.org\r\nTo: bob@example.net\r\nSubject: hello <b>\r\n\r\nbody\r\n"
)


@pytest.fixture
def eml(tmp_path: Path) -> Path:
    p = tmp_path / "m.eml"
    p.write_bytes(EML)
    return p


def test_hops_table(eml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hops", str(eml)]) == 0
    out = capsys.readouterr().out
    assert "originating IP: 203.0.113.5" in out
    assert "mx1.example.net" in out and "ESMTPSA" in out
    assert "trust boundary: hop 2 of 2" in out


def test_trace_json(eml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(eml), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (m,) = doc["messages"]
    assert m["originating_ip"] == "203.0.113.5"
    assert [h["hop"] for h in m["hops"]] == [1, 2]
    assert m["hops"][1]["timestamp"] == "2024-01-02T10:00:05+00:00"
    assert m["hops"][1]["delay_s"] == 5.0 and m["hops"][0]["delay_s"] is None
    assert {"field": "mail_from", "value": "a@example.org"}.items() <= m["envelope"][0].items()
    assert any(f["code"] == "private-ip-outside-boundary" for f in m["findings"])


def test_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hops", str(tmp_path / "nope.eml")]) == 2
    assert "mailforensics:" in capsys.readouterr().err


def test_console_script_runs() -> None:
    exe = Path(sys.executable).with_name("mailforensics")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "hops" in out and "trace" in out


def test_one_unanalysable_message_does_not_hide_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Evidence recorded for one message cannot answer another's questions (strict replay):
    # that message gets its error in place, the others are analysed, the exit status says so.
    import mailforensics as mf
    from mailforensics.resolvers import ZoneResolver

    first = tmp_path / "a.eml"
    first.write_bytes(EML)
    other = tmp_path / "b.eml"
    other.write_bytes(EML.replace(b"203.0.113.5", b"203.0.113.77"))
    a = mf.analyze(first, ctx=mf.Context(resolver=ZoneResolver.from_dict({})))
    evidence = a.save_evidence(tmp_path / "a.dns.jsonl")
    status = main(["analyze", str(tmp_path), "--offline", "--evidence", str(evidence)])
    captured = capsys.readouterr()
    assert status == 1
    assert "== " + str(first) in captured.out
    assert "error: the evidence has no answer" in captured.out
    assert "1 of 3 message(s) could not be analysed" in captured.err  # a.eml, the evidence file, b.eml
