"""Benchmark: ``mf.analyze`` on one signed sample, offline from the recorded evidence.

The message is ``sample_mail/eml/29-dkim-rsa-ed25519-pass.eml`` (a newsletter with two
DKIM signatures, RSA-2048 and Ed25519, SPF and DMARC pass): the analysis re-verifies SPF
(MAIL FROM and HELO), both signatures and DMARC, checks PTR / FCrDNS / HELO / DNSBL for
its hops and looks up the recipient's MX, every answer replayed from
``sample_mail/dns/evidence.jsonl`` (``mf.Context.offline``: no socket).

Baseline, measured in the same run on the same message and context: ``mf.trace`` (the
path and envelope from the headers alone, no DNS), so the ratio is the cost of the DNS
checks and the re-verification on top of parsing.

The message is loaded once and the context made once (the evidence file is parsed once);
each function gets 5 warm-up calls, then 100 timed calls (``time.perf_counter``); the
table shows the median, the 10th and 90th percentiles and the ratio of the medians. No
assertion on time. Run:

    .venv/bin/python benchmarks/bench_analyze.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mailforensics as mf

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_mail" / "eml" / "29-dkim-rsa-ed25519-pass.eml"
EVIDENCE = ROOT / "sample_mail" / "dns" / "evidence.jsonl"
WARMUP = 5
RUNS = 100


def timed(fn: Callable[[], Any]) -> list[float]:
    """Seconds per call: ``WARMUP`` untimed calls, then ``RUNS`` timed ones."""
    for _ in range(WARMUP):
        fn()
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    message = mf.load(SAMPLE)
    ctx = mf.Context.offline(EVIDENCE, config=mf.Config(internal_domains=("example.net",)))

    check = mf.analyze(message, ctx=ctx)
    assert check.verification is not None and check.verification.dmarc.result == "pass"
    dns_answers = len(check.evidence)

    results = {
        "mf.trace": timed(lambda: mf.trace(message, ctx=ctx)),
        "mf.analyze": timed(lambda: mf.analyze(message, ctx=ctx)),
    }
    base = statistics.median(results["mf.trace"])

    print(f"sample: {SAMPLE.relative_to(ROOT)} ({SAMPLE.stat().st_size} bytes)")
    print(f"evidence: {EVIDENCE.relative_to(ROOT)} (offline; {dns_answers} DNS answers per analysis)")
    print(f"python {platform.python_version()} on {platform.machine()}; {WARMUP} warm-ups, {RUNS} timed runs each")
    print()
    print(f"{'function':<12} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8} {'x trace':>8}")
    for name, times in results.items():
        q = statistics.quantiles(times, n=10)
        median = statistics.median(times)
        print(f"{name:<12} {median * 1e3:>10.3f} {q[0] * 1e3:>8.3f} {q[-1] * 1e3:>8.3f} {median / base:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
