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
- the recipient, example.net, has two MX hosts (mx1/mx2.example.net);
- the senders of samples 29-34 publish SPF, DMARC and DKIM key records
  (:data:`AUTH_RECORDS`; the key records are derived from the sample-only keys in
  ``keys/``), except the rotated selector ``2024jan._domainkey.contoso.example``: it is
  gone from the world (NXDOMAIN) and written to ``dns/archived-keys.zone`` instead, for
  ``--historical-keys``; the look-alike ``bank-secure.example`` is a DBL phishing domain;
- every other sender publishes SPF for the relay that handed its mail to example.net
  where the verdict recorded at delivery said pass.

Besides the two configurations ``make demo`` and the tests use (``--internal-domain
example.net`` or not), every ``eml/`` sample is also analysed as of its delivery
(``Context(now="delivery")``) and with the archived keys (``Config.historical_keys``), so
the evidence answers those analyses too; the script reports whether they asked anything
the others did not (they should not: a key found in the archive is not asked of the DNS,
and ``t=``/``x=`` change verdicts, not questions).

Run from the repository root: ``.venv/bin/python sample_mail/make_evidence.py``.
Deterministic: a fixed clock stamps ``queried_at``, so a re-run writes identical files.
"""

from __future__ import annotations

import base64
import ipaddress
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

import mailforensics as mf
from mailforensics.analysis import _public
from mailforensics.authresults import message_claims
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
    ("dbl.spamhaus.org", "bank-secure.example"): "127.0.1.4",
}

#: SPF, DMARC and host records of the senders of samples 29-34 (zone presentation format).
AUTH_RECORDS: tuple[tuple[str, str, str], ...] = (
    # 29: a legitimate newsletter, signed twice (RSA and Ed25519), p=reject
    ("shop.example", "TXT", '"v=spf1 a:mail.shop.example -all"'),
    ("shop.example", "MX", "10 mail.shop.example."),
    ("mail.shop.example", "TXT", '"v=spf1 a -all"'),
    ("_dmarc.shop.example", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc-reports@shop.example"'),
    # 30 and 32: the bank (p=reject) and its look-alike, which has SPF and DKIM of its own
    ("bank.example", "TXT", '"v=spf1 ip4:198.51.100.126 -all"'),
    ("bank.example", "MX", "10 mail.bank.example."),
    ("mail.bank.example", "A", "198.51.100.126"),
    ("_dmarc.bank.example", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc-reports@bank.example"'),
    ("bank-secure.example", "TXT", '"v=spf1 ip4:198.51.100.121 -all"'),
    ("bank-secure.example", "MX", "10 mail.bank-secure.example."),
    # 31: the author's domain (p=reject) and the mailing list
    ("adventure-works.example", "TXT", '"v=spf1 ip4:198.51.100.122 -all"'),
    ("adventure-works.example", "MX", "10 mail.adventure-works.example."),
    ("_dmarc.adventure-works.example", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@adventure-works.example"'),
    ("lists.example.org", "TXT", '"v=spf1 ip4:198.51.100.123 -all"'),
    ("lists.example.org", "MX", "10 mail.lists.example.org."),
    ("mail.lists.example.org", "TXT", '"v=spf1 a -all"'),
    # 33: a shop sending through an ESP (the ESP's bounce domain passes SPF, unaligned)
    ("bounces.mailrelay.example", "TXT", '"v=spf1 ip4:198.51.100.124 -all"'),
    ("mta7.mailrelay.example", "TXT", '"v=spf1 a -all"'),
    ("wideworldimporters.example", "TXT", '"v=spf1 -all"'),
    (
        "_dmarc.wideworldimporters.example",
        "TXT",
        '"v=DMARC1; p=quarantine; rua=mailto:dmarc@wideworldimporters.example"',
    ),
    # 34: the domain whose DKIM selector was rotated since delivery
    ("contoso.example", "TXT", '"v=spf1 ip4:198.51.100.125 -all"'),
    ("contoso.example", "MX", "10 smtp.contoso.example."),
    ("smtp.contoso.example", "TXT", '"v=spf1 a -all"'),
    ("_dmarc.contoso.example", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@contoso.example"'),
)
#: Key records that are no longer in the world (rotated away): dns/archived-keys.zone.
ARCHIVED_KEYS = ("2024jan._domainkey.contoso.example",)


def sample_messages() -> Iterator[mf.Message]:
    for source in ("eml", "export.mbox", "export-crlf-cl.mbox", "Maildir"):
        yield from mf.iter_messages(HERE / source)


def txt_strings(text: str) -> str:
    """A TXT value as quoted character-strings of at most 255 bytes (RFC 1035 §3.3.14)."""
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def dkim_records() -> dict[str, str]:
    """``{"<selector>._domainkey.<domain>": TXT value}`` for every key in ``keys/``."""
    out: dict[str, str] = {}
    for pem in sorted((HERE / "keys").glob("*._domainkey.*.pem")):
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            der = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            record = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            record = f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode()}"
        else:
            raise ValueError(f"{pem.name}: not an RSA or Ed25519 key")
        out[pem.name.removesuffix(".pem")] = txt_strings(record)
    return out


def archived_zone() -> str:
    """The archived key records (rotated away since the samples were delivered)."""
    records = dkim_records()
    lines = [
        "; DKIM key records of sample_mail/ that are no longer published (rotated away since delivery).",
        "; Generated by sample_mail/make_evidence.py from sample_mail/keys/; edit that script, not this file.",
        "; mailforensics analyze sample_mail/eml ... --historical-keys sample_mail/dns/archived-keys.zone",
    ]
    lines.extend(f"{name}. 3600 IN TXT {records[name]}" for name in ARCHIVED_KEYS)
    return "\n".join(lines) + "\n"


def world_zone() -> str:
    """The zone text: PTR, A/AAAA for every public hop address, blocklist entries, and the
    SPF, DMARC and DKIM records of the signed samples."""
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
    for name, rdtype, value in AUTH_RECORDS:
        add(name, rdtype, value)
    for name, value in dkim_records().items():
        if name not in ARCHIVED_KEYS:
            add(name, "TXT", value)
    # Every other sender publishes SPF for the relay that handed its mail to example.net,
    # where the SPF verdict recorded at delivery (Received-SPF, Authentication-Results)
    # said pass. The boundary is placed
    # knowing example.net's MX hosts, as mf.analyze places it.
    mx_hosts = {"mx1.example.net", "mx2.example.net", "198.51.100.10", "198.51.100.11", "2001:db8:10::25"}

    def is_mx(value: str | None) -> bool:
        return bool(value) and value.lower().rstrip(".") in mx_hosts  # type: ignore[union-attr]

    senders: dict[str, list[str]] = {}
    for message in sample_messages():
        t = mf.trace(message, ctx=mf.Context(config=CONFIGS[0]), is_recipient_mx=is_mx)
        ip, env = t.path.originating_ip, t.smtp_envelope
        recorded = [
            c.result
            for h in message_claims(message)
            if h.field.lower() in ("received-spf", "authentication-results")
            for c in h.claims
            if c.method == "spf"
        ]
        domain = (env.mail_from or "").rpartition("@")[2] or (env.helo if env.mail_from == "" else None)
        if ip and domain and recorded[:1] == ["pass"] and not domain.startswith("[") and _public(ip):
            key = domain.lower().rstrip(".")
            senders.setdefault(key, [])
            if ip not in senders[key]:
                senders[key].append(ip)
    for domain, ips in sorted(senders.items()):
        if (domain + ".", "TXT") in records:
            continue  # the signed samples publish their own policies
        terms = " ".join(("ip6:" if ":" in ip else "ip4:") + ip for ip in ips)
        add(domain, "TXT", f'"v=spf1 {terms} -all"')
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
    archive_text = archived_zone()
    (out_dir / "archived-keys.zone").write_text(archive_text)
    archive = ZoneResolver.from_text(archive_text)
    ticks = iter(range(10**9))

    def clock() -> datetime:
        return RECORDED_AT + timedelta(milliseconds=next(ticks))

    world = ZoneResolver.from_text(zone_text)
    world.identity = "zone sample_mail/dns/world.zone"  # what the evidence names as its resolver
    recorder = RecordingResolver(world, clock=clock)
    count = extra = 0
    for message in sample_messages():
        for config in CONFIGS:
            mf.analyze(message, ctx=mf.Context(resolver=recorder, now=RECORDED_AT, config=config))
        if Path(message.origin).parent == HERE / "eml":
            # As of delivery, and with the archived keys: normally nothing new to ask.
            before = len(recorder.records)
            for config in CONFIGS:
                mf.analyze(message, ctx=mf.Context(resolver=recorder, now="delivery", config=config))
                with_archive = replace(config, historical_keys=archive)
                mf.analyze(message, ctx=mf.Context(resolver=recorder, now=RECORDED_AT, config=with_archive))
            extra += len(recorder.records) - before
        count += 1
    recorder.save(out_dir / "evidence.jsonl")
    print(f"{count} messages, {len(recorder.records)} DNS answers recorded", file=sys.stderr)
    print(f"now='delivery' and --historical-keys asked {extra} question(s) the others did not", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
