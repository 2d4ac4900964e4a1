"""Benchmark: 10,000 PTR + FCrDNS + DNSBL checks replayed from an evidence file.

1. Builds an in-memory DNS (ZoneResolver) for 10,000 distinct documentation addresses
   (the 3 × 256 IPv4 addresses of 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24, the
   rest in 2001:db8::/64): a mix of forward-confirmed, unconfirmed, generic and missing
   PTRs, and a DNSBL zone ``dnsbl.test`` listing about 1 in 20 addresses.
2. Runs every check once through a RecordingResolver and saves the evidence file.
3. Times the same checks through a ReplayResolver loaded from that file (what
   ``Context.offline`` does), against two baselines measured in the same run:
   - the floor: the same DNS questions, in the same order, as raw dict lookups;
   - ``dns.reversename.from_address`` + one dict lookup per check (what a bare script
     would do for the PTR alone).

No assertions on time: it prints totals, µs per check and the ratios. Run:

    .venv/bin/python benchmarks/bench_reputation.py
"""

from __future__ import annotations

import ipaddress
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dns.reversename

from mailforensics.context import Context
from mailforensics.reputation import dnsbl, rdns
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.recording import RecordingResolver
from mailforensics.resolvers.replay import ReplayResolver
from mailforensics.resolvers.zone import ZoneResolver

N = 10_000
REPEATS = 3
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ZONE = dnsbl.DNSBLZone(
    zone="dnsbl.test",
    kind="ip",
    label="bench DNSBL",
    codes={"127.0.0.2": "spam source", "127.0.0.10": "end-user range"},
)


def addresses(n: int) -> list[str]:
    """``n`` distinct documentation addresses: all of the three IPv4 /24s, then IPv6."""
    out = [f"{net}.{i}" for net in ("192.0.2", "198.51.100", "203.0.113") for i in range(256)]
    i = 0
    while len(out) < n:
        i += 1
        out.append(str(ipaddress.IPv6Address(f"2001:db8::{i >> 16:x}:{i & 0xFFFF:x}:{(i * 7919) & 0xFFFF:x}")))
    return out[:n]


def build_zone(ips: list[str]) -> ZoneResolver:
    """The DNS the checks run against: PTRs, forward records, the DNSBL."""
    data: dict[str, dict[str, tuple[int | None, tuple[str, ...]]]] = {}

    def put(name: str, rdtype: str, *records: str) -> None:
        data.setdefault(name, {})[rdtype] = (300, records)

    put("2.0.0.127.dnsbl.test", "A", "127.0.0.2")  # RFC 5782 §5 test point
    put("2.0.0.127.dnsbl.test", "TXT", '"test point"')
    for n, ip in enumerate(ips):
        addr = ipaddress.ip_address(ip)
        rtype = "A" if addr.version == 4 else "AAAA"
        rname = rdns.reverse_name(ip)
        kind = n % 20
        if kind < 12:  # forward-confirmed
            host = f"mail{n}.example.com"
            put(rname, "PTR", host + ".")
            put(host, rtype, ip)
        elif kind < 15:  # generic pool name, confirmed
            host = "cpe-" + ip.replace(".", "-").replace(":", "-") + ".res.example.net"
            put(rname, "PTR", host + ".")
            put(host, rtype, ip)
        elif kind < 17:  # points elsewhere
            host = f"relay{n}.example.org"
            put(rname, "PTR", host + ".")
            put(host, rtype, "198.51.100.250" if rtype == "A" else "2001:db8:ffff::1")
        # kind 17..19: no PTR (NXDOMAIN)
        if n % 20 == 3:
            qname = dnsbl.query_name(ip, ZONE)
            put(qname, "A", "127.0.0.2" if n % 40 == 3 else "127.0.0.10")
            put(qname, "TXT", f'"listed: see https://dnsbl.test/lookup?{ip}"')
    return ZoneResolver(data)


def run_checks(ips: list[str], ctx: Context, health: dict[str, dnsbl.ZoneHealth]) -> int:
    """One PTR + FCrDNS + DNSBL check per address; returns the number of findings."""
    findings = 0
    zones = (ZONE,)
    for ip in ips:
        r = rdns.check_ip(ip, ctx=ctx)
        b = dnsbl.check_ips((ip,), zones=zones, ctx=ctx, health=health)
        findings += len(r.findings) + sum(len(x.findings) for x in b)
    return findings


class Asking:
    """Keeps the questions asked (to build the dict-lookup floor)."""

    def __init__(self, inner: ReplayResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ips = addresses(N)
    assert len(set(ips)) == N
    t0 = time.perf_counter()
    zone = build_zone(ips)
    t_build = time.perf_counter() - t0

    # 1. record
    recorder = RecordingResolver(zone, clock=lambda: NOW)
    rec_ctx = Context(resolver=recorder, now=NOW)
    health = {ZONE.zone: dnsbl.probe_zone(ZONE, ctx=rec_ctx)}
    t0 = time.perf_counter()
    findings_recorded = run_checks(ips, rec_ctx, health)
    t_record = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = recorder.save(Path(tmp) / "reputation.dns.jsonl")
        size = path.stat().st_size
        t0 = time.perf_counter()
        replay = ReplayResolver(path)
        t_load = time.perf_counter() - t0

    # 2. replay (timed)
    ctx = Context(resolver=replay, now=NOW)
    health = {ZONE.zone: dnsbl.probe_zone(ZONE, ctx=ctx)}
    assert health[ZONE.zone].usable is True
    findings_replayed = run_checks(ips, ctx, health)
    assert findings_replayed == findings_recorded, (findings_replayed, findings_recorded)
    t_replay = best(lambda: run_checks(ips, ctx, health))

    # 3. baselines: the same questions as raw dict lookups (the floor) ...
    asking = Asking(replay)
    run_checks(ips, Context(resolver=asking, now=NOW), health)
    questions = asking.asked
    table = {(r.answer.name, r.answer.rdtype): r.answer for r in replay.records}

    def floor() -> None:
        get = table.__getitem__
        for q in questions:
            get(q)

    t_floor = best(floor)

    # ... and dnspython's reverse name + one dict lookup per check
    ptr_table = {name: a for (name, rdtype), a in table.items() if rdtype == "PTR"}

    def reversename() -> None:
        for ip in ips:
            name = dns.reversename.from_address(ip).to_text(omit_final_dot=True)
            ptr_table.get(name)

    t_rev = best(reversename)

    us = 1e6 / N
    print(f"bench_reputation: {N:,} PTR + FCrDNS + DNSBL checks (768 IPv4 + {N - 768:,} IPv6 doc addresses)")
    print(f"  zone built in {t_build:.2f} s; recording run {t_record:.2f} s; {findings_recorded:,} findings")
    print(f"  evidence: {len(replay):,} answers, {size / 1e6:.1f} MB, loaded in {t_load:.2f} s")
    print(f"  DNS questions per check: {len(questions) / N:.2f} ({len(questions):,} in all)")
    rows = (
        (f"replay run (best of {REPEATS})", t_replay),
        ("floor: dict lookups of the same questions", t_floor),
        ("dns.reversename + 1 dict lookup per check", t_rev),
    )
    for label, seconds in rows:
        print(f"  {label:<44} {seconds:8.3f} s {seconds * us:9.2f} µs/check")
    print(f"  {'ratio replay / floor':<44} {t_replay / t_floor:8.1f}x")
    print(f"  {'ratio replay / reversename + dict':<44} {t_replay / t_rev:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
