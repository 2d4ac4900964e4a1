"""Benchmark: stream a large mbox with ``iter_messages`` and compare with :mod:`mailbox`.

Generates an mboxrd file of at least ``--size-mb`` MB (1024 by default) with messages of
widely varying size (a few hundred bytes to several MB, some with base64
attachments), ``From `` and ``>From `` lines in bodies quoted mboxrd-style, and one in
five messages with CRLF line endings. Then, each in a fresh child process (so that peak
RSS belongs to that reader alone):

* ``iter_messages`` over the file: messages counted, seconds, MB/s, peak RSS;
* the stdlib baseline, ``for m in mailbox.mbox(path)`` (builds a table of contents,
  then reads and parses each message), and, for reference, ``mailbox.mbox.get_bytes``
  for every key (no parsing).

It prints a table and does not assert timings. Both readers run on a file the
generator has just written, so it is likely in the page cache: this measures parsing
and copying, not the disk.

Usage::

    python benchmarks/bench_mbox_stream.py                  # 1 GiB in a temp dir
    python benchmarks/bench_mbox_stream.py --size-mb 200 --path /data/bench.mbox --keep
    python benchmarks/bench_mbox_stream.py --path existing.mbox --reuse   # skip generation
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

_PEAK = textwrap.dedent(
    """
    import json, resource

    def peaks():
        try:  # this process image's own high-water mark (Linux)
            with open("/proc/self/status") as status:
                hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            hwm = None
        return {"max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "vm_hwm_kib": hwm}
    """
)
# Linux carries ru_maxrss of the forking process across exec: a reader started from this
# (large, after generating) process would report our RSS. A small launcher in between
# gives the reader a fresh count, inheriting only the launcher's few MB.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"
OURS = _PEAK + textwrap.dedent(
    """
    import sys, time
    from mailforensics.sources import iter_messages
    started = time.perf_counter()
    count = defects = 0
    for message in iter_messages(sys.argv[1]):
        count += 1
        defects += bool(message.defects)
    print(json.dumps({"count": count, "with_defects": defects, "seconds": time.perf_counter() - started,
                      **peaks()}))
    """
)
STDLIB_ITER = _PEAK + textwrap.dedent(
    """
    import mailbox, sys, time
    started = time.perf_counter()
    count = 0
    for message in mailbox.mbox(sys.argv[1], create=False):
        count += 1
    print(json.dumps({"count": count, "seconds": time.perf_counter() - started, **peaks()}))
    """
)
STDLIB_BYTES = _PEAK + textwrap.dedent(
    """
    import mailbox, sys, time
    started = time.perf_counter()
    box = mailbox.mbox(sys.argv[1], create=False)
    count = 0
    for key in box.iterkeys():
        box.get_bytes(key)
        count += 1
    print(json.dumps({"count": count, "seconds": time.perf_counter() - started, **peaks()}))
    """
)

WORDS = (
    b"the of and to in is that for it as with was on be by at this from an are or which not have but "
    b"invoice payment account wire transfer urgent please review attached document meeting schedule"
).split()


def _text(rng: random.Random, size: int) -> bytes:
    """About ``size`` bytes of wrapped text, with lines that an mbox writer must quote."""
    lines, total = [], 0
    while total < size:
        roll = rng.random()
        if roll < 0.01:
            line = b"From the desk of " + rng.choice(WORDS)  # mboxrd: >From
        elif roll < 0.015:
            line = b">From a quoted reply"  # mboxrd: >>From (the evidence for auto)
        elif roll < 0.02:
            line = b""
        else:
            line = b" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        lines.append(line)
        total += len(line) + 1
    return b"\n".join(lines) + b"\n"


def _quote_mboxrd(raw: bytes) -> bytes:
    out = []
    for line in raw.split(b"\n"):
        out.append(b">" + line if line.lstrip(b">").startswith(b"From ") else line)
    return b"\n".join(out)


def _message(rng: random.Random, number: int, blob: bytes) -> bytes:
    size = int(min(max(rng.lognormvariate(9.3, 1.6), 300), 8_000_000))  # median ~11 KB
    headers = (
        b"Received: from mx%d.example.net (mx%d.example.net [192.0.2.%d])\n"
        b"\tby mail.example.org (Postfix) with ESMTPS id %X\n"
        b"\tfor <bob@example.org>; Mon, 1 Jan 2024 00:%02d:%02d +0000\n"
        b"From: Sender %d <s%d@example.net>\nTo: bob@example.org\n"
        b"Subject: Message %d\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
        b"Message-ID: <%d.bench@example.net>\nMIME-Version: 1.0\n"
        % (number % 97, number % 97, number % 250, number, number % 60, number % 60, number, number, number, number)
    )
    if size > 60_000 and rng.random() < 0.7:  # text plus a base64 attachment
        start = rng.randrange(0, len(blob) - size)
        attachment = blob[start : start + size]
        body = (
            b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\nContent-Type: text/plain\n\n' % (number, number)
            + _text(rng, 2000)
            + b"\n--b%d\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" % number
            + attachment
            + b"\n--b%d--\n" % number
        )
    else:
        body = b"Content-Type: text/plain; charset=utf-8\n\n" + _text(rng, size)
    raw = headers + body
    if number % 5 == 0:
        raw = raw.replace(b"\n", b"\r\n")
    return raw


def generate(path: Path, size_bytes: int, seed: int = 1) -> tuple[int, int]:
    """Write an mboxrd file of at least ``size_bytes``; return (messages, bytes)."""
    rng = random.Random(seed)
    noise = random.Random(seed + 1).randbytes(6 * 1024 * 1024)
    blob = base64.encodebytes(noise)  # 76-column base64 lines, ~8 MB to slice attachments from
    count = written = 0
    with open(path, "wb", buffering=4 * 1024 * 1024) as f:
        while written < size_bytes:
            raw = _message(rng, count, blob)
            eol = b"\r\n" if count % 5 == 0 else b"\n"
            chunk = b"From s%d@example.net Mon Jan  1 00:00:00 2024" % count + eol + _quote_mboxrd(raw) + eol
            f.write(chunk)
            written += len(chunk)
            count += 1
    return count, written


def run_child(code: str, path: Path) -> dict[str, float]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", code, str(path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(f"child failed:\n{result.stderr}")
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mb", type=float, default=1024, help="file size to generate (MB, default 1024)")
    parser.add_argument("--path", type=Path, help="where to write the mbox (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--reuse", action="store_true", help="read --path as it is; do not generate")
    parser.add_argument("--no-baseline", action="store_true", help="skip the stdlib mailbox runs")
    args = parser.parse_args(argv)

    tmpdir = None
    if args.path is None:
        tmpdir = tempfile.mkdtemp(prefix="bench-mbox-")
        args.path = Path(tmpdir) / "bench.mbox"
    try:
        if args.reuse:
            written, size = -1, args.path.stat().st_size
            gen_seconds = 0.0
        else:
            started = time.perf_counter()
            written, size = generate(args.path, int(args.size_mb * 1024 * 1024))
            gen_seconds = time.perf_counter() - started
        mb = size / 1e6
        print(f"file: {args.path}  {mb:,.0f} MB  messages written: {written}  (generated in {gen_seconds:.1f} s)")
        rows = [("iter_messages", run_child(OURS, args.path))]
        if not args.no_baseline:
            rows.append(("mailbox.mbox iteration", run_child(STDLIB_ITER, args.path)))
            rows.append(("mailbox get_bytes (ref.)", run_child(STDLIB_BYTES, args.path)))
        ours = rows[0][1]["seconds"]
        print(
            f"\n{'reader':<26}{'messages':>10}{'seconds':>9}{'MB/s':>7}"
            f"{'ru_maxrss MB':>14}{'VmHWM MB':>10}{'time ours/this':>16}"
        )
        for name, r in rows:
            hwm = f"{r['vm_hwm_kib'] / 1024:.1f}" if r.get("vm_hwm_kib") else "n/a"
            print(
                f"{name:<26}{int(r['count']):>10}{r['seconds']:>9.2f}{mb / r['seconds']:>7.0f}"
                f"{r['max_rss_kib'] / 1024:>14.1f}{hwm:>10}{ours / r['seconds']:>16.2f}"
            )
        count = int(rows[0][1]["count"])
        if written < 0:
            verdict = f"not known ({count} read from a reused file)"
        else:
            verdict = "equal" if count == written else f"DIFFERENT ({count} read, {written} written)"
        print(f"\nmessages read by iter_messages vs written: {verdict}")
        print(f"messages with any finding: {int(rows[0][1]['with_defects'])}")
    finally:
        if not args.keep and not args.reuse:
            args.path.unlink(missing_ok=True)
            if tmpdir is not None:
                os.rmdir(tmpdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
