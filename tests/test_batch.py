"""mf.analyze_many: one row per input message always, resume after SIGKILL, identical
frames on every backend, DNS asked once across workers, errors recorded not lost."""

from __future__ import annotations

import contextlib
import gzip
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import mailforensics as mf
from mailforensics import batch as batch_mod
from mailforensics.batch import Batch, analyze_many, run_cli
from mailforensics.resolvers import ZoneResolver
from mailforensics.resolvers.base import DNSAnswer, normalize_name, normalize_rdtype

from .conftest import ROOT, SAMPLE_MAIL

NOW = datetime(2025, 1, 1, tzinfo=UTC)
EVIDENCE = SAMPLE_MAIL / "dns" / "evidence.jsonl"
CONFIG = mf.Config(internal_domains=("example.net",))
EML = sorted((SAMPLE_MAIL / "eml").glob("*.eml"))


def offline() -> mf.Context:
    return mf.Context.offline(EVIDENCE, now=NOW, config=CONFIG)


def world() -> ZoneResolver:
    return ZoneResolver.from_text((SAMPLE_MAIL / "dns" / "world.zone").read_text())


def frames_of(b: Batch) -> dict[str, pd.DataFrame]:
    return {name: b.table(name) for name in ("messages", *b.tables)}


def assert_same(a: Batch, b: Batch) -> None:
    fa, fb = frames_of(a), frames_of(b)
    assert fa.keys() == fb.keys()
    for name in fa:
        assert_frame_equal(fa[name], fb[name], obj=name)


def variants(copies: int) -> Iterator[bytes]:
    """The sample messages, ``copies`` times each, every copy with its own Message-ID (so
    its own SHA-256) and the same DNS questions as the original."""
    raws = [p.read_bytes() for p in EML]
    for n in range(copies):
        for k, raw in enumerate(raws):
            nl = b"\r\n" if b"\r\n" in raw else b"\n"
            yield b"X-Batch-Copy: " + f"{n}.{k}".encode() + nl + raw


def write_mbox(path: Path, raws: Iterator[bytes]) -> int:
    count = 0
    with open(path, "wb") as f:
        for raw in raws:
            body = raw.replace(b"\r\n", b"\n")
            body = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in body.split(b"\n"))
            f.write(b"From sender@example.org Tue Jan  2 10:00:00 2024\n" + body.rstrip(b"\n") + b"\n\n")
            count += 1
    return count


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# --- one row per input message, always --------------------------------------------------------


def test_row_count_is_conserved_on_messy_input(tmp_path: Path) -> None:
    messy = tmp_path / "messy"
    (messy / "sub" / "deeper").mkdir(parents=True)
    (messy / "empty.eml").write_bytes(b"")
    (messy / "garbage.bin").write_bytes(bytes(range(256)) * 7)
    (messy / "nul.eml").write_bytes(b"Subject: x\n\n\x00\x00\x00")
    (messy / "text.txt").write_text("just some notes, no header at all\n")
    (messy / "valid.eml").write_bytes(EML[0].read_bytes())
    (messy / "sub" / "fake.gz").write_bytes(b"\x1f\x8b\x08garbage that is not gzip")
    (messy / "sub" / "real.mbox.gz").write_bytes(gzip.compress((SAMPLE_MAIL / "export.mbox").read_bytes()[:20000]))
    write_mbox(messy / "sub" / "deeper" / "three.mbox", iter([EML[1].read_bytes(), b"", b"not a message"]))
    (messy / "sub" / "deeper" / "only-separator.mbox").write_bytes(b"From nobody")
    maildir = messy / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(EML[2].read_bytes())
    (maildir / "tmp" / "2.host").write_bytes(b"From: half a delivery")
    expected = [m.origin for m in mf.iter_messages(messy)]
    assert len(expected) > 15
    ctx = mf.Context(resolver=ZoneResolver(), now=NOW, config=CONFIG)
    serial = analyze_many(messy, ctx=ctx, backend="serial", progress=False)
    process = analyze_many(messy, ctx=ctx, workers=2, progress=False, chunk_size=3)
    for b in (serial, process):
        assert b.messages["message"].tolist() == expected
        assert b.messages["position"].tolist() == list(range(len(expected)))
        assert b.stats["errors"] == 0
    assert_same(serial, process)
    sizes = dict(zip(serial.messages["message"], serial.messages["size"], strict=True))
    assert sizes[str(messy / "empty.eml")] == 0
    assert set(serial.hops["message"]) <= set(expected)


def test_errors_are_recorded_not_lost(tmp_path: Path) -> None:
    # Strict replay of evidence that answers only some questions: the messages that need
    # another answer raise EvidenceMissing inside analyze; each still has its row.
    lines = EVIDENCE.read_text().splitlines()
    partial = tmp_path / "partial.jsonl"
    partial.write_text("\n".join(lines[: len(lines) // 3]) + "\n")
    ctx = mf.Context.offline(partial, now=NOW, config=CONFIG)
    expected = [m.origin for m in mf.iter_messages(SAMPLE_MAIL / "eml")]
    for backend in ("serial", "process"):
        b = analyze_many(SAMPLE_MAIL / "eml", ctx=ctx, backend=backend, workers=2, progress=False)
        m = b.messages
        assert m["message"].tolist() == expected
        failed = m[m["error"].notna()]
        assert len(failed) == b.stats["errors"] > 0
        assert failed["error"].str.startswith("EvidenceMissing").all()
        assert failed["sha256"].notna().all() and failed["subject"].notna().any()
        assert set(b.hops["message"]).isdisjoint(failed["message"])  # no partial rows
        assert len(b.errors) == len(failed)


def test_a_message_that_kills_its_worker_gets_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailforensics import analysis

    real = analysis.analyze

    def deadly(message: mf.Message, *, ctx: mf.Context | None = None) -> mf.Analysis:
        if b"X-Kill-Worker" in message.raw:
            os._exit(3)  # a crash in C code, the OOM killer: the process is gone
        return real(message, ctx=ctx)

    monkeypatch.setattr(analysis, "analyze", deadly)  # forked workers inherit it
    raws = list(variants(1))[:12]
    raws[5] = b"X-Kill-Worker: yes\n" + raws[5]
    mbox = tmp_path / "deadly.mbox"
    write_mbox(mbox, iter(raws))
    b = analyze_many(mbox, ctx=offline(), workers=2, progress=False, chunk_size=4)
    m = b.messages
    assert m["message"].tolist() == [f"{mbox}#{i}" for i in range(12)]
    assert m["error"].notna().tolist() == [i == 5 for i in range(12)]
    assert m.loc[5, "error"].startswith("WorkerDied")


# --- backends agree ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["sample_mail", "sample_mail/export.mbox", "sample_mail/eml"])
def test_process_dask_and_serial_give_identical_frames(source: str, dask_client: object) -> None:
    path = ROOT / source
    serial = analyze_many(path, ctx=offline(), backend="serial", progress=False)
    process = analyze_many(path, ctx=offline(), workers=2, progress=False, chunk_size=9)
    dask = analyze_many(path, ctx=offline(), backend="dask", client=dask_client, progress=False, chunk_size=7)
    assert process.stats["byte_ranges"] == dask.stats["byte_ranges"] == source.endswith(".mbox")
    assert len(serial.messages) == sum(1 for _ in mf.iter_messages(path))
    if source != "sample_mail":  # the whole folder has scripts whose URLs the evidence lacks
        assert serial.stats["errors"] == 0
    assert serial.stats["errors"] == process.stats["errors"] == dask.stats["errors"]
    assert not serial.hops.empty and not serial.auth.empty and not serial.findings.empty
    assert_same(serial, process)
    assert_same(serial, dask)
    assert [r.answer for r in serial.evidence] == [r.answer for r in process.evidence]
    assert [r.answer for r in serial.evidence] == [r.answer for r in dask.evidence]
    # The long tables are keyed by message and match mf.analyze row for row.
    one = serial.messages["message"].iloc[-1]
    single = mf.analyze(next(m for m in mf.iter_messages(path) if m.origin == one), ctx=offline())
    hops = serial.hops[serial.hops["message"] == one].drop(columns="message").reset_index(drop=True)
    assert_frame_equal(hops, single.hops)


def test_batch_evidence_replays_to_the_same_frames(tmp_path: Path) -> None:
    live = mf.Context(resolver=world(), now=NOW, config=CONFIG)
    first = analyze_many(SAMPLE_MAIL, ctx=live, workers=2, progress=False)
    saved = first.save_evidence(tmp_path / "batch.jsonl")
    assert saved.read_text().count("\n") == len(first.evidence) + 1
    replay = analyze_many(SAMPLE_MAIL, ctx=mf.Context.offline(saved, now=NOW, config=CONFIG), workers=2, progress=False)
    assert replay.stats["errors"] == 0
    assert_same(first, replay)


# --- DNS -------------------------------------------------------------------------------------


class CountingResolver:
    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        with self.lock:
            self.asked[(normalize_name(name), normalize_rdtype(rdtype))] += 1
        return self.inner.query(name, rdtype)


def test_dns_is_asked_once_across_workers(tmp_path: Path) -> None:
    mbox = tmp_path / "copies.mbox"
    n = write_mbox(mbox, variants(8))
    counting = CountingResolver(world())
    b = analyze_many(
        mbox, ctx=mf.Context(resolver=counting, now=NOW, config=CONFIG), workers=2, progress=False, chunk_size=10
    )
    assert len(b.messages) == n and b.stats["errors"] == 0
    assert counting.asked and max(counting.asked.values()) == 1
    assert {(r.answer.name, r.answer.rdtype) for r in b.evidence} == set(counting.asked)
    # Each worker process asks the broker a question once at most.
    assert b.stats["dns_requests"] <= 2 * len(counting.asked)


def test_broker_serves_answers_and_errors() -> None:
    from mailforensics.errors import EvidenceMissing
    from mailforensics.resolvers import ReplayResolver
    from mailforensics.resolvers.broker import DNSBroker

    with DNSBroker(ReplayResolver(EVIDENCE)) as broker:
        client = broker.client()
        import pickle

        client = pickle.loads(pickle.dumps(client))
        answer = client.query("example.net", "MX")
        assert answer.status == "NOERROR" and answer.records
        assert client.evidence_record("EXAMPLE.NET.", "mx") is not None
        with pytest.raises(EvidenceMissing):
            client.query("not-in-the-evidence.example", "TXT")
        client.query("example.net", "MX")
        assert broker.requests == 2


# --- resume ------------------------------------------------------------------------------------

_RUNNER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, UTC
    import mailforensics as mf
    from mailforensics.batch import analyze_many
    ctx = mf.Context.offline(sys.argv[3], now=datetime(2025, 1, 1, tzinfo=UTC),
                             config=mf.Config(internal_domains=("example.net",)))
    analyze_many(sys.argv[1], ctx=ctx, out=sys.argv[2], workers=2, chunk_size=25, progress=False)
    """
)


def _committed(out: Path) -> int:
    return len(list((out / "messages").glob("part-*.parquet"))) if (out / "messages").is_dir() else 0


def test_resume_after_sigkill_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    mbox = tmp_path / "export.mbox"
    n = write_mbox(mbox, variants(16))
    out = tmp_path / "results.parquet"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(mbox), str(out), str(EVIDENCE)], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while _committed(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # the parent, mid-run; its workers are orphaned
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        partial = Batch.read(out)
        done_before = len(partial.messages)
        assert 0 < done_before < n, "the run was not killed part-way"
        # Resumed at once, while the orphaned workers may still be finishing their chunk:
        # they must not hold the dataset's lock.
        resumed = analyze_many(mbox, ctx=offline(), out=out, workers=2, chunk_size=25, progress=False)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the orphaned workers, if still there
    assert resumed.stats["skipped"] == done_before
    assert resumed.stats["analysed"] == n - done_before
    whole = analyze_many(mbox, ctx=offline(), workers=2, progress=False)
    m = resumed.messages
    assert m["message"].is_unique and len(m) == n
    assert_same(Batch.read(out), whole)
    assert [r.answer for r in Batch.read(out).evidence] == [r.answer for r in whole.evidence]
    # Nothing half-written is left behind, and a third run has nothing to do.
    assert not list(out.rglob("*.tmp"))
    again = analyze_many(mbox, ctx=offline(), out=out, workers=2, progress=False)
    assert again.stats["analysed"] == 0 and again.stats["skipped"] == n
    assert len(again.messages) == n


def test_out_dataset_round_trips_and_resumes_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "eml.parquet"
    first = analyze_many(SAMPLE_MAIL / "eml", ctx=offline(), out=out, progress=False, chunk_size=5)
    memory = analyze_many(SAMPLE_MAIL / "eml", ctx=offline(), backend="serial", progress=False)
    assert_same(first, memory)  # Parquet keeps every dtype
    assert first.path == out and repr(first).startswith("<Batch")
    # A half-written chunk left by a killed run is ignored and cleaned up.
    (out / "hops" / "part-000000000099-dead-000001.parquet").write_bytes(b"orphan")
    (out / "messages" / ".part-000000000099-dead-000001.parquet.tmp").write_bytes(b"half")
    again = analyze_many(SAMPLE_MAIL / "eml", ctx=offline(), out=out, backend="serial", progress=False)
    assert again.stats["analysed"] == 0
    assert not (out / "hops" / "part-000000000099-dead-000001.parquet").exists()
    assert_same(Batch.read(out), memory)


def test_out_is_checked(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(mf.InputError, match="not a mailforensics batch dataset"):
        analyze_many(SAMPLE_MAIL / "eml", ctx=offline(), out=tmp_path / "other", progress=False)
    out = tmp_path / "x.parquet"
    analyze_many(EML[0], ctx=offline(), out=out, progress=False, backend="serial")
    with pytest.raises(mf.InputError, match="tables"):
        analyze_many(EML[0], ctx=offline(), out=out, progress=False, tables=("hops",))
    with pytest.raises(mf.InputError, match="backend"):
        analyze_many(EML[0], ctx=offline(), backend="threads", progress=False)
    with pytest.raises(mf.InputError, match=r"unknown table.*'summary'"):
        analyze_many(EML[0], ctx=offline(), backend="serial", progress=False, tables=("hops", "summary"))
    with pytest.raises(mf.InputError, match="sequence"):
        analyze_many(EML[0], ctx=offline(), backend="serial", progress=False, tables="hops")
    with pytest.raises(mf.InputError):
        analyze_many(tmp_path / "missing.mbox", ctx=offline(), progress=False)


# --- mbox byte ranges ---------------------------------------------------------------------------


def _ranges(path: Path, variant: str = "auto", chunk: int = 2) -> list[mf.Message] | None:
    plan = batch_mod._scan_mbox(str(path), str(path), variant)
    if plan is None:
        return None
    out: list[mf.Message] = []
    seq = iter(range(10**9))
    for ship in (False, True):
        got = [
            m
            for task in batch_mod._range_tasks(plan, chunk, {}, seq, ship_bytes=ship)
            for m in batch_mod._range_messages(task)
        ]
        if ship:
            assert [(m.origin, m.raw) for m in got] == [(m.origin, m.raw) for m in out]
        else:
            out = got
    return out


def _same_messages(a: list[mf.Message], b: list[mf.Message]) -> None:
    assert [(m.origin, m.raw, m.source_format, m.defects) for m in a] == [
        (m.origin, m.raw, m.source_format, m.defects) for m in b
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "mboxo",
            b"From a\nSubject: 1\n\n>From here\nbody\n\nFrom b\nSubject: 2\n\nx\n\nFrom c\nSubject: 3\n\n>From y\n",
        ),
        ("mboxrd", b"From a\nSubject: 1\n\nx\n\nFrom b\nSubject: 2\n\n>>From q\n>From r\n\nFrom c\n\n>From s\n"),
        ("crlf", b"From a\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b\r\nSubject: 2\r\n\r\ny\r\n\r\nFrom c\r\n\r\n"),
        ("empties", b"From a\nFrom b\n\nFrom c\nSubject: x\n\ny\nFrom d"),
        ("no-final-newline", b"From a\nSubject: 1\n\nx\nFrom b\nSubject: 2\n\ny"),
        ("cl-in-body", b"From a\nSubject: 1\n\nContent-Length: 3\n\nFrom b\nSubject: 2\n\ny\n"),
        (
            "from-colon-field",
            b"From a@example.org Mon Jan  1 00:00:00 2024\nReceived: from x\nFrom  :<a@example.org>\nSubject: 1\n\n"
            b"x\n\nFrom b\nSubject: 2\n\nFrom :not a separator\n\nFrom c\nFrom\t:\n",
        ),
    ],
)
def test_byte_ranges_give_the_messages_iter_messages_gives(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / f"{name}.mbox"
    path.write_bytes(data)
    for variant in ("auto", "mboxo", "mboxrd"):
        got = _ranges(path, variant)
        assert got is not None
        _same_messages(got, list(mf.iter_messages(path, variant=variant)))


@pytest.mark.parametrize("scan_chunk", [1, 3, 8, 11, 17, 64])
def test_byte_ranges_read_from_colon_fields_at_any_scan_chunk(
    tmp_path: Path, scan_chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    blanks = b"From" + b" " * 12
    path = tmp_path / "obs.mbox"
    path.write_bytes(
        b"From a\nSubject: 1\n" + blanks + b":<a@example.org>\n\nx\n\n"
        + b"From b\nSubject: 2\n\n" + blanks + b"body\n\n"  # blanks then text: a separator
        + b"From c\nSubject: 3\n\n" + blanks  # blanks to the end of the file: a separator
    )  # fmt: skip
    serial = list(mf.iter_messages(path))
    assert len(serial) == 5
    monkeypatch.setattr(batch_mod, "_SCAN_CHUNK", scan_chunk)
    got = _ranges(path)
    assert got is not None
    _same_messages(got, serial)


def test_a_file_starting_with_a_from_colon_field_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "obs.eml"
    path.write_bytes(b"From  :<a@example.org>\nTo: b@example.net\nSubject: s\n\nFrom b\nbody\n")
    assert _ranges(path) is None
    b = analyze_many(path, ctx=offline(), backend="serial", progress=False)
    assert b.messages["message"].tolist() == [str(path)]
    assert b.messages["from_address"].tolist() == ["a@example.org"]


def test_date_column_reads_a_12_hour_clock_and_keeps_zoneless_times_as_written() -> None:
    def utc(*args: int) -> datetime:
        return datetime(*args, tzinfo=UTC)  # type: ignore[misc]

    assert batch_mod._date("18 Feb 01 12:29:13 AM") == utc(2001, 2, 18, 0, 29, 13)
    assert batch_mod._date("Sun, 18 Feb 2001 12:29:13 PM") == utc(2001, 2, 18, 12, 29, 13)
    assert batch_mod._date("Sun, 18 Feb 2001 1:05 pm -0500") == utc(2001, 2, 18, 18, 5)  # the zone is kept
    assert batch_mod._date("Sun, 18 Feb 2001 11:05:00 a.m. +0100") == utc(2001, 2, 18, 10, 5)
    assert batch_mod._date("Mon, 1 Jan 2024 13:00:00 PM +0000") == utc(2024, 1, 1, 13)  # contradictory: as written
    assert batch_mod._date("Mon, 1 Jan 2024 10:00:00 AMT") == utc(2024, 1, 1, 10)  # a zone name, not a suffix
    assert batch_mod._date("Fri, 7 Dec 2001 07:01:03") == utc(2001, 12, 7, 7, 1, 3)  # no zone: UTC as written
    assert batch_mod._date("Fri, 7 Dec 2001 07:01:03 -0000") == utc(2001, 12, 7, 7, 1, 3)
    assert batch_mod._date("not a date") is None
    # RFC 5322 §3.3/§4.3: CFWS may follow the seconds; the comment is not the zone.
    assert batch_mod._date("Wed, 20 Sep 1995 00:19:00 (EDT) -0400") == utc(1995, 9, 20, 4, 19)


def test_date_column_in_the_messages_table() -> None:
    raw = b"From: a@example.org\nTo: b@example.net\nSubject: s\nDATE: 18 Feb 01 12:29:13 AM\n\nbody\n"
    b = analyze_many([mf.Message.from_bytes(raw)], ctx=offline(), backend="serial", progress=False)
    assert b.messages["date"].tolist() == [pd.Timestamp("2001-02-18 00:29:13", tz="UTC")]


def test_content_length_headers_are_read_serially(tmp_path: Path) -> None:
    path = tmp_path / "cl.mbox"
    path.write_bytes(b"From a\nContent-Length: 12\n\nFrom inside\n\nFrom b\nSubject: 2\n\ny\n")
    assert _ranges(path) is None  # the length, not the separator, may delimit
    b = analyze_many(path, ctx=mf.Context(resolver=ZoneResolver(), now=NOW), workers=2, progress=False)
    assert not b.stats["byte_ranges"]
    assert b.messages["message"].tolist() == [m.origin for m in mf.iter_messages(path)]
    crlf_cl = SAMPLE_MAIL / "export-crlf-cl.mbox"
    assert _ranges(crlf_cl) is None


def test_byte_ranges_of_the_sample_mbox(tmp_path: Path) -> None:
    got = _ranges(SAMPLE_MAIL / "export.mbox", chunk=5)
    assert got is not None
    _same_messages(got, list(mf.iter_messages(SAMPLE_MAIL / "export.mbox")))
    mbox = tmp_path / "big.mbox"
    write_mbox(mbox, variants(3))
    got = _ranges(mbox, chunk=7)
    assert got is not None
    _same_messages(got, list(mf.iter_messages(mbox)))


# --- CLI ----------------------------------------------------------------------------------------


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.parquet"
    argv = [str(SAMPLE_MAIL / "eml"), "-o", str(out), "--offline", "--evidence", str(EVIDENCE)]
    argv += ["--internal-domain", "example.net", "--workers", "2", "--no-progress"]
    assert run_cli(argv) == 0
    assert f"{len(EML)} messages in {out}" in capsys.readouterr().out
    assert len(Batch.read(out).messages) == len(EML)
    assert run_cli([str(SAMPLE_MAIL / "eml"), "-o", str(tmp_path / "y"), "--offline"]) == 2
    assert "needs --evidence" in capsys.readouterr().err
    assert run_cli([str(SAMPLE_MAIL / "eml"), "-o", str(tmp_path / "z"), "--scheduler", "127.0.0.1:1"]) == 2


# --- the fast verification path ------------------------------------------------------------------

_VECTOR_TESTS = ("test_dkim.py", "test_dkim_conformance.py", "test_arc.py", "test_arc_conformance.py")


class _HashShim:
    """What dkimpy's RSASSA_PKCS1_v1_5_verify reads of a hash object."""

    def __init__(self, name: str, digest: bytes) -> None:
        self.name = name
        self._digest = digest

    def digest(self) -> bytes:
        return self._digest


def _same(fast: object, ref: object) -> bool:
    """Equal results, but for the time they were judged at when that is the system clock
    (``ctx.now`` None): both calls read the clock, microseconds apart."""
    a, b = repr(fast), repr(ref)
    for text, results in ((a, fast), (b, ref)):
        for r in results if isinstance(results, tuple) else (results,):
            at = getattr(r, "judged_at", None)
            if at is not None:
                text = text.replace(at.isoformat(), "<T>").replace(repr(at), "<T>")
        if results is fast:
            a = text
        else:
            b = text
    return a == b


def test_fast_path_gives_dkimpys_and_our_results_on_every_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the DKIM and ARC test modules with every verification done twice, fast path
    and reference (dkimpy canonicalization, pure-Python RSA / dkimpy's RSA), and every
    fast primitive checked against dkimpy's on the very inputs the vectors produce."""
    import re

    import dkim as dkimpy
    from dkim.canonicalization import Relaxed, Simple
    from dkim.crypto import RSASSA_PKCS1_v1_5_verify

    from mailforensics.auth import _fastverify, arc, dkim

    counts: Counter[str] = Counter()
    mismatches: list[str] = []

    details: list[object] = []

    def check(label: str, ok: bool, *detail: object) -> None:
        counts[label] += 1
        if not ok:
            mismatches.append(label)
            details.append((label, *detail))

    fv = {
        name: getattr(_fastverify, name)
        for name in ("canonicalize_body", "relaxed_headers", "compress_wsp", "crlf", "rsa_pkcs1_verify")
    }

    def canonicalize_body(algorithm: str, body: bytes) -> bytes:
        got = fv["canonicalize_body"](algorithm, body)
        if _fastverify.ENABLED:
            check("body", got == (Relaxed if algorithm == "relaxed" else Simple).canonicalize_body(body))
        return got

    def relaxed_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        got = fv["relaxed_headers"](headers)
        if _fastverify.ENABLED:
            check("headers", got == list(Relaxed.canonicalize_headers(headers)))
        return got

    def compress_wsp(value: bytes) -> bytes:
        got = fv["compress_wsp"](value)
        check("wsp", got == re.sub(rb"[ \t]+", b" ", value))
        return got

    def crlf(data: bytes) -> bytes:
        got = fv["crlf"](data)
        check("crlf", got == re.sub(rb"\r?\n", b"\r\n", data))
        return got

    def rsa_pkcs1_verify(n: int, e: int, hash_name: str, digest: bytes, signature: bytes) -> bool | None:
        got = fv["rsa_pkcs1_verify"](n, e, hash_name, digest, signature)
        if got is not None:
            ref = RSASSA_PKCS1_v1_5_verify(_HashShim(hash_name, digest), signature, {"modulus": n, "publicExponent": e})
            check(f"rsa {got}", got == bool(ref))
        return got

    for name, fn in (
        ("canonicalize_body", canonicalize_body),
        ("relaxed_headers", relaxed_headers),
        ("compress_wsp", compress_wsp),
        ("crlf", crlf),
        ("rsa_pkcs1_verify", rsa_pkcs1_verify),
    ):
        monkeypatch.setattr(_fastverify, name, fn)

    real_dkim, real_arc = dkim.verify, arc.verify

    def dkim_verify(raw: bytes, *, ctx: mf.Context, verifier: object = None) -> object:
        with _fastverify.disabled():
            ref = real_dkim(raw, ctx=ctx, verifier=verifier)  # type: ignore[arg-type]
        fast = real_dkim(raw, ctx=ctx, verifier=verifier)  # type: ignore[arg-type]
        check("dkim verify", _same(fast, ref), fast, ref)
        if verifier is None and fast:
            prepared = dkim.PreparedMessage.from_bytes(raw)
            for number, r in enumerate(fast):
                if r.body_hash_ok is None or r.signature_ok is None or r.line_endings == "mixed":
                    continue  # not evaluated; dkimpy normalises bare LF everywhere
                if "from-duplicated" in r.reasons:
                    continue  # dkimpy refuses such a message outright (RFC 6376 §8.15), we say why
                theirs = dkim.dkimpy_verifier(prepared, number, ctx=ctx, at=NOW)
                if theirs.result == "pass":
                    check("dkimpy pass", bool(r.body_hash_ok and r.signature_ok))
                elif theirs.result == "fail" and theirs.reason == "body-hash-mismatch":
                    check("dkimpy body fail", r.body_hash_ok is False)
                elif theirs.result == "fail" and theirs.reason is None:
                    check("dkimpy signature fail", r.body_hash_ok is True and r.signature_ok is False, r, theirs)
        return fast

    def arc_verify(raw: bytes, *, ctx: mf.Context) -> object:
        with _fastverify.disabled():
            ref = real_arc(raw, ctx=ctx)
        fast = real_arc(raw, ctx=ctx)
        check("arc verify", _same(fast, ref), fast, ref)
        return fast

    monkeypatch.setattr(dkim, "verify", dkim_verify)
    monkeypatch.setattr(arc, "verify", arc_verify)
    assert dkimpy is not None
    files = [str(ROOT / "tests" / name) for name in _VECTOR_TESTS]
    pytest.main(["-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=", *files])
    print("fast-path vectors:", dict(counts))
    assert not mismatches, (Counter(mismatches), details[:5])
    assert counts["dkim verify"] > 200 and counts["arc verify"] > 300, counts
    assert counts["rsa True"] > 50 and counts["rsa False"] > 5, counts  # tampered ones too
    assert counts["dkimpy pass"] > 20 and counts["dkimpy body fail"] > 5 and counts["dkimpy signature fail"] > 5, counts
    assert counts["body"] > 100 and counts["headers"] > 100 and counts["wsp"] > 100, counts


@pytest.mark.parametrize("data", [b"", b"\r\n", b"a \t b\r\n\r\n\r\n", b"\t\r\n \r\n", b"x\n\r\n", b"a\r\r\n  \tb  "])
def test_fast_canonicalization_matches_dkimpy(data: bytes) -> None:
    from dkim.canonicalization import Relaxed, Simple

    from mailforensics.auth import _fastverify

    assert _fastverify.relaxed_body(data) == Relaxed.canonicalize_body(data)
    assert _fastverify.simple_body(data) == Simple.canonicalize_body(data)
    headers = [(b"Subject ", data), (b"FROM", b" a\r\n\tb \t c \r\n")]
    assert _fastverify.relaxed_headers(headers) == list(Relaxed.canonicalize_headers(headers))


def test_fast_canonicalization_matches_dkimpy_on_arbitrary_bytes() -> None:
    import re

    from dkim.canonicalization import Relaxed, Simple
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mailforensics.auth import _fastverify

    alphabet = st.sampled_from([b" ", b"\t", b"\r", b"\n", b"\r\n", b"a", b"b", b"\x00", b"\xff"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(alphabet, max_size=40).map(b"".join))
    def run(data: bytes) -> None:
        assert _fastverify.relaxed_body(data) == Relaxed.canonicalize_body(data)
        assert _fastverify.simple_body(data) == Simple.canonicalize_body(data)
        assert _fastverify.compress_wsp(data) == re.sub(rb"[ \t]+", b" ", data)
        assert _fastverify.crlf(data) == re.sub(rb"\r?\n", b"\r\n", data)
        assert _fastverify.relaxed_headers([(data, data)]) == list(Relaxed.canonicalize_headers([(data, data)]))

    run()


def test_fast_rsa_falls_back_on_odd_signatures() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    from mailforensics.auth import _fastverify
    from mailforensics.auth.dkim import _rsa_verify

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    n, e = key.public_key().public_numbers().n, 65537
    digest = bytes(range(32))
    sig = key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    assert _fastverify.rsa_pkcs1_verify(n, e, "sha256", digest, sig) is True
    assert _fastverify.rsa_pkcs1_verify(n, e, "sha256", bytes(32), sig) is False
    too_big = (
        (int.from_bytes(sig, "big") + n).to_bytes(128, "big") if int.from_bytes(sig, "big") + n < 1 << 1024 else None
    )
    for odd in (sig[1:], b"\x00" + sig, too_big):
        if odd is not None:
            assert _fastverify.rsa_pkcs1_verify(n, e, "sha256", digest, odd) is None
    for odd in (b"\x00" + sig, sig + b"\x00"):
        with _fastverify.disabled():
            ref = _rsa_verify(n, e, "sha256", digest, odd)
        assert _rsa_verify(n, e, "sha256", digest, odd) == ref
    with _fastverify.disabled():
        assert _fastverify.rsa_pkcs1_verify(n, e, "sha256", digest, sig) is None


def test_serial_batch_restores_the_garbage_collector_settings() -> None:
    import gc

    before = gc.get_threshold()
    b = analyze_many([mf.load(p) for p in EML[:3]], ctx=offline(), backend="serial", progress=False)
    assert len(b.messages) == 3 and gc.get_threshold() == before


# --- the From columns read the field as a mail client does ----------------------------------------


@pytest.mark.parametrize("dns_checks", [True, False])
def test_from_columns_take_the_angle_addr_not_an_address_shown_as_the_name(tmp_path: Path, dns_checks: bool) -> None:
    # "billing@bank.example <collect@drop.example>": the phrase is an address written as
    # the display name (RFC 5322 §3.4 forbids the unquoted "@"); the mailbox, the one a
    # reply goes to and DMARC judges, is the angle-addr.
    raw = (
        b"From: billing@bank.example <collect@drop.example>\n"
        b"To: victim@example.net\nSubject: invoice\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n"
        b"Message-ID: <m1@drop.example>\n\nplease pay\n"
    )
    (tmp_path / "m.eml").write_bytes(raw)
    config = mf.Config(internal_domains=("example.net",), dns_checks=dns_checks)
    ctx = mf.Context(resolver=ZoneResolver(), now=NOW, config=config)
    row = analyze_many(tmp_path, ctx=ctx, backend="serial", progress=False).messages.iloc[0]
    assert (row["from_address"], row["from_domain"]) == ("collect@drop.example", "drop.example")
