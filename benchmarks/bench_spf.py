"""Benchmark: ``spf.check`` against pyspf's ``check2`` on the same zone data, same run.

A few record shapes (a simple ip4 list, an include chain, mx, a, redirect, macros with
exists, a fail with an ``exp=`` explanation, ptr), each checked many times by both
engines. Both are fed the same in-memory DNS, never real DNS:

- ``spf.check`` gets a resolver answering from a dict of the ``DNSAnswer`` values that
  a :class:`ZoneResolver` gave for the same questions;
- pyspf gets the same answers, converted once to its own format, through its
  ``spf.DNSLookup`` hook (monkeypatched for the run, restored after).

So both sides pay one dict lookup per DNS question and the engines are what is
compared. A second column times ``spf.check`` on the ``ZoneResolver`` itself, for
scale. Both engines must give the same result on every shape (checked first).

No assertions on time: it prints per-check µs and the ratio ours / pyspf (below 1.0 is
faster). Needs the ``pyspf`` package (``pip install pyspf``; tested with 2.0.14). Run:

    .venv/bin/python benchmarks/bench_spf.py
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from mailforensics.auth import spf
from mailforensics.context import Context
from mailforensics.resolvers.base import DNSAnswer, normalize_name
from mailforensics.resolvers.zone import ZoneResolver

try:
    import spf as pyspf  # the pyspf package installs a top-level module named "spf"
except ImportError:  # pragma: no cover - the benchmark needs it
    pyspf = None

ITERATIONS = 2_000
REPEATS = 5
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

ZONE: dict[str, dict[str, list[str]]] = {
    # simple ip4 list; the client is in the third network
    "ip4.example": {"TXT": ["v=spf1 ip4:192.0.2.0/26 ip4:192.0.2.64/26 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all"]},
    # an include chain, three deep, matched at the bottom
    "inc.example": {"TXT": ["v=spf1 include:_s1.inc.example include:_s2.inc.example ~all"]},
    "_s1.inc.example": {"TXT": ["v=spf1 ip4:203.0.113.0/28 -all"]},
    "_s2.inc.example": {"TXT": ["v=spf1 ip4:203.0.113.16/28 include:_s3.inc.example -all"]},
    "_s3.inc.example": {"TXT": ["v=spf1 ip4:203.0.113.32/28 ip4:198.51.100.0/24 -all"]},
    # mx: three exchangers, the client is the last
    "mx.example": {
        "TXT": ["v=spf1 mx -all"],
        "MX": ["10 mx1.mx.example.", "20 mx2.mx.example.", "30 mx3.mx.example."],
    },
    "mx1.mx.example": {"A": ["192.0.2.10", "192.0.2.11"]},
    "mx2.mx.example": {"A": ["192.0.2.20"]},
    "mx3.mx.example": {"A": ["198.51.100.7"]},
    # a and a:host/24
    "a.example": {"TXT": ["v=spf1 a a:out.a.example/24 -all"], "A": ["192.0.2.99"]},
    "out.a.example": {"A": ["198.51.100.1"]},
    # redirect to a shared policy
    "red.example": {"TXT": ["v=spf1 redirect=_spf.shared.example"]},
    "_spf.shared.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all"]},
    # macros and exists
    "mac.example": {"TXT": ["v=spf1 exists:%{ir}.%{l1r-}._spf.%{d} -all"]},
    "7.100.51.198.alice._spf.mac.example": {"A": ["127.0.0.2"]},
    # a fail with an explanation
    "exp.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all exp=why._spf.%{d}"]},
    "why._spf.exp.example": {"TXT": ["%{i} is not one of %{d}'s designated mail servers; see %{h}"]},
    # ptr (discouraged, but still published)
    "ptr.example": {"TXT": ["v=spf1 ptr -all"]},
    "7.100.51.198.in-addr.arpa": {"PTR": ["relay.ptr.example."]},
    "relay.ptr.example": {"A": ["198.51.100.7"]},
}

SHAPES: tuple[tuple[str, str], ...] = (
    ("simple ip4", "ip4.example"),
    ("include chain (3 deep)", "inc.example"),
    ("mx (3 hosts)", "mx.example"),
    ("a + a:host/24", "a.example"),
    ("redirect", "red.example"),
    ("macros + exists", "mac.example"),
    ("fail + exp= explanation", "exp.example"),
    ("ptr", "ptr.example"),
)
CLIENT = "198.51.100.7"
HELO = "mail.sender.example"


class DictResolver:
    """Answers from a dict filled from a ZoneResolver (one dict lookup per question)."""

    def __init__(self, zone: ZoneResolver) -> None:
        self.zone = zone
        self.answers: dict[tuple[str, str], DNSAnswer] = {}

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        key = (name, rdtype)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = self.zone.query(name, rdtype)
        return answer


def to_pyspf(answer: DNSAnswer, name: str) -> list[tuple[tuple[str, str], Any]]:
    """One DNSAnswer in the form pyspf's DNSLookup returns (as its dnspython driver does)."""
    if answer.temporary_failure:
        raise pyspf.TempError(f"DNS {answer.status}")
    rt = answer.rdtype
    out: list[tuple[tuple[str, str], Any]] = []
    for record in answer.records:
        if rt in ("A", "AAAA"):
            value: Any = record
        elif rt == "MX":
            pref, host = record.split()
            value = (int(pref), host.rstrip("."))
        elif rt == "PTR":
            value = record.rstrip(".")
        elif rt in ("TXT", "SPF"):
            value = getattr(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, record), "strings")  # noqa: B009
        else:
            continue
        out.append(((name, rt), value))
    return out


class PyspfDNS:
    """pyspf's ``DNSLookup`` hook, answering from the same dict of DNSAnswers."""

    def __init__(self, resolver: DictResolver) -> None:
        self.resolver = resolver
        self.converted: dict[tuple[str, str], list[tuple[tuple[str, str], Any]]] = {}

    def __call__(
        self, name: str, qtype: str, strict: Any = True, timeout: Any = None
    ) -> list[tuple[tuple[str, str], Any]]:
        key = (normalize_name(name), qtype)
        found = self.converted.get(key)
        if found is None:
            found = self.converted[key] = to_pyspf(self.resolver.query(key[0], qtype), key[0])
        return found


def sender(domain: str) -> str:
    return f"alice@{domain}"


def best_per_check(fns: tuple[Callable[[], object], ...], iterations: int) -> list[float]:
    """Best of REPEATS runs of ``iterations`` calls of each function, in µs per call.

    The functions take turns within each repeat, so a change in machine load or clock
    speed during the run affects them alike.
    """
    best = [float("inf")] * len(fns)
    for _ in range(REPEATS):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(iterations):
                fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return [t / iterations * 1e6 for t in best]


@contextlib.contextmanager
def patched_pyspf(hook: PyspfDNS) -> Iterator[None]:
    """pyspf's DNS hook replaced by ``hook`` for the duration, then restored."""
    saved = pyspf.DNSLookup
    pyspf.DNSLookup = hook
    try:
        yield
    finally:
        pyspf.DNSLookup = saved


def main() -> int:
    if pyspf is None:
        print("bench_spf: needs pyspf (pip install pyspf)", file=sys.stderr)
        return 2
    zone = ZoneResolver.from_dict(ZONE)
    shared = DictResolver(zone)
    ctx = Context(resolver=shared, now=NOW)
    zone_ctx = Context(resolver=zone, now=NOW)
    hook = PyspfDNS(shared)
    rows = []
    with patched_pyspf(hook):
        for label, domain in SHAPES:
            s = sender(domain)
            ours = spf.check(CLIENT, s, HELO, ctx=ctx)
            theirs, _exp = pyspf.check2(i=CLIENT, s=s, h=HELO)
            if ours.result != theirs:
                print(f"bench_spf: results differ for {label}: ours {ours.result}, pyspf {theirs}", file=sys.stderr)
                return 1

            def run_ours(s: str = s) -> object:
                return spf.check(CLIENT, s, HELO, ctx=ctx)

            def run_zone(s: str = s) -> object:
                return spf.check(CLIENT, s, HELO, ctx=zone_ctx)

            def run_pyspf(s: str = s) -> object:
                return pyspf.check2(i=CLIENT, s=s, h=HELO)

            t_ours, t_pyspf, t_zone = best_per_check((run_ours, run_pyspf, run_zone), ITERATIONS)
            rows.append((label, ours.result, ours.lookups, len(ours.trace), t_ours, t_pyspf, t_zone))

    print(
        f"bench_spf: spf.check vs pyspf {pyspf.__version__} check2, same DNS answers from a dict; "
        f"{ITERATIONS:,} checks per shape, best of {REPEATS}"
    )
    header = f"  {'shape':<26} {'result':<8} {'lookups':>7} {'steps':>5} {'ours µs':>9} {'pyspf µs':>9} {'ratio':>6}"
    print(header + f" {'ours on ZoneResolver µs':>24}")
    total_ours = total_pyspf = 0.0
    for label, result, lookups, steps, t_ours, t_pyspf, t_zone in rows:
        total_ours += t_ours
        total_pyspf += t_pyspf
        print(
            f"  {label:<26} {result:<8} {lookups:>7} {steps:>5} {t_ours:>9.1f} {t_pyspf:>9.1f} "
            f"{t_ours / t_pyspf:>6.2f} {t_zone:>24.1f}"
        )
    print(
        f"  {'all shapes':<26} {'':<8} {'':>7} {'':>5} {total_ours:>9.1f} {total_pyspf:>9.1f} "
        f"{total_ours / total_pyspf:>6.2f}"
    )
    print("  ratio = ours / pyspf per check (below 1.00: spf.check is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
