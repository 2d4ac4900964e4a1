"""Build the DNS world of the sample corpus and record the evidence `make demo` replays.

All of ``sample_mail/`` is synthetic, and so is its DNS: this script writes
``dns/world.zone`` — what the DNS "says" about the sample senders, in zone-file form — and
then analyses every sample message with a ``RecordingResolver`` over a ``ZoneResolver``
serving that zone, writing every answer to ``dns/evidence.jsonl``. ``make demo`` runs
``mailforensics analyze ... --offline --evidence sample_mail/dns/evidence.jsonl``: the
DNS checks then replay from that file and no socket is opened.

The world follows the messages' own Received headers (the PTR a receiver recorded is the
PTR today, and forward-confirms), with scripted exceptions that show the checks at work:

- no PTR for most end-user submission addresses; a generic (``cpe-…``) PTR for some;
- 203.0.113.7 (sample 02, "may be forged"): its PTR name resolves to another address;
- 198.51.100.12 (samples 02, 20): its PTR changed since delivery;
- 203.0.113.99 (sample 23, the phish's submission client) is on Spamhaus XBL, and
  198.51.100.66 (the phish's relay) on SpamCop; ``examp1e.example`` is a DBL phishing
  domain and on SURBL's phishing list;
- each default blocklist answers its RFC 5782 test points like the real list;
- the recipient, example.net, has two MX hosts (mx1/mx2.example.net).

Run from the repository root: ``.venv/bin/python sample_mail/make_evidence.py``.
Deterministic: a fixed clock stamps ``queried_at``, so a re-run writes identical files.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mailforensics as mf
from mailforensics.analysis import _public
from mailforensics.reputation.dnsbl import DEFAULT_ZONES, query_name
from mailforensics.reputation.rdns import reverse_name
from mailforensics.resolvers import RecordingResolver, ZoneResolver

HERE = Path(__file__).resolve().parent
RECORDED_AT = datetime(2024, 3, 22, 9, 0, tzinfo=UTC)
CONFIGS = (mf.Config(internal_domains=("example.net",)), mf.Config())

GENERIC_PTR = {
    "203.0.113.45": "cpe-203-0-113-45.res.isp.example.",
    "203.0.113.12": "dyn-203-0-113-12.pool.isp.example.",
    "203.0.113.99": "203-0-113-99.dsl.isp.example.",
}
PTR_NOW_DIFFERS = {"198.51.100.12": "mail.northwind.example."}
PTR_NOT_CONFIRMED = {"203.0.113.7": "203.0.113.70"}
IP_LISTINGS = {("zen.spamhaus.org", "203.0.113.99"): "127.0.0.4", ("bl.spamcop.net", "198.51.100.66"): "127.0.0.2"}
DOMAIN_LISTINGS = {
    ("dbl.spamhaus.org", "examp1e.example"): "127.0.1.4",
    ("multi.surbl.org", "examp1e.example"): "127.0.0.8",
}


def sample_messages() -> Iterator[mf.Message]:
    for source in ("eml", "export.mbox", "export-crlf-cl.mbox", "Maildir"):
        yield from mf.iter_messages(HERE / source)


def world_zone() -> str:
    """The zone text: PTR, A/AAAA for every public hop address, blocklist entries."""
    records: dict[tuple[str, str], list[str]] = {}

    def add(name: str, rdtype: str, value: str) -> None:
        name = name.rstrip(".").lower() + "."
        values = records.setdefault((name, rdtype), [])
        if value not in values:
            values.append(value)

    for message in sample_messages():
        for config in CONFIGS:
            path = mf.trace(message, ctx=mf.Context(config=config)).path
            for ph in path.hops:
                hop = ph.hop
                if not hop.from_ip or not _public(hop.from_ip):
                    continue
                addr = ipaddress.ip_address(hop.from_ip)
                family = "A" if addr.version == 4 else "AAAA"
                ptr = GENERIC_PTR.get(hop.from_ip) or PTR_NOW_DIFFERS.get(hop.from_ip)
                if ptr is None and hop.from_rdns:
                    ptr = hop.from_rdns + "."
                if ptr is not None:
                    add(reverse_name(hop.from_ip), "PTR", ptr)
                    add(ptr, family, PTR_NOT_CONFIRMED.get(hop.from_ip, hop.from_ip))
                helo = hop.from_helo
                if ph.number == path.boundary_hop and helo and not helo.startswith("[") and "." in helo:
                    add(helo, family, hop.from_ip)
    # The recipient organisation: example.net, its two public MX hosts.
    add("example.net", "MX", "10 mx1.example.net.")
    add("example.net", "MX", "20 mx2.example.net.")
    add("mx1.example.net", "A", "198.51.100.10")
    add("mx2.example.net", "A", "198.51.100.11")
    add("mx1.example.net", "AAAA", "2001:db8:10::25")
    for zone in DEFAULT_ZONES:
        if zone.kind == "ip":
            add(f"2.0.0.127.{zone.zone}", "A", "127.0.0.2")
            add(f"2.0.0.127.{zone.zone}", "TXT", '"test point: always listed"')
        else:
            code = "127.0.1.2" if zone.codes else "127.0.0.2"
            add(f"{zone.test_domain[0]}.{zone.zone}" if zone.test_domain else f"test.{zone.zone}", "A", code)
    for (zone_name, ip), code in IP_LISTINGS.items():
        zone = next(z for z in DEFAULT_ZONES if z.zone == zone_name)
        add(query_name(ip, zone), "A", code)
        add(query_name(ip, zone), "TXT", f'"sample listing of {ip}"')
    for (zone_name, domain), code in DOMAIN_LISTINGS.items():
        zone = next(z for z in DEFAULT_ZONES if z.zone == zone_name)
        add(query_name(domain, zone), "A", code)
        add(query_name(domain, zone), "TXT", f'"sample listing of {domain}"')
    lines = [
        "; The synthetic DNS of sample_mail/ (documentation addresses and .example names only).",
        "; Generated by sample_mail/make_evidence.py; edit that script, not this file.",
    ]
    for (name, rdtype), values in sorted(records.items()):
        lines.extend(f"{name} 3600 IN {rdtype} {value}" for value in values)
    return "\n".join(lines) + "\n"


def main(out_dir: Path = HERE / "dns") -> int:
    zone_text = world_zone()
    out_dir.mkdir(exist_ok=True)
    (out_dir / "world.zone").write_text(zone_text)
    ticks = iter(range(10**9))

    def clock() -> datetime:
        return RECORDED_AT + timedelta(milliseconds=next(ticks))

    world = ZoneResolver.from_text(zone_text)
    world.identity = "zone sample_mail/dns/world.zone"  # what the evidence names as its resolver
    recorder = RecordingResolver(world, clock=clock)
    count = 0
    for message in sample_messages():
        for config in CONFIGS:
            mf.analyze(message, ctx=mf.Context(resolver=recorder, now=RECORDED_AT, config=config))
        count += 1
    recorder.save(out_dir / "evidence.jsonl")
    print(f"{count} messages, {len(recorder.records)} DNS answers recorded", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
