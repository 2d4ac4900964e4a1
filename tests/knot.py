"""A Knot DNS server for the integration tests, on 127.0.0.1 only.

:func:`start_knot` writes a configuration and zone files into a fresh temporary
directory (config, zones, KASP database, journal, rundir: nothing outside it), starts
``knotd`` in the foreground on a free loopback port, lets it sign its zones (ECDSA
P-256), waits until every zone answers as it should, and reads the trust anchors (DS
records) with ``keymgr``. The session fixture ``knot`` (:func:`knot_fixture`) does that
once per test session and stops the server (terminate, wait, kill) at the end.

If knotd is missing or will not come up, the fixture fails every test that uses it,
with knotd's log in the message: it never skips (``scripts/install-test-deps.sh``
installs it). Run ``python -m tests.knot`` to start the same server by hand and print
its port and anchors.

The zones use documentation names and addresses only (RFC 2606 ``.test``, RFC 5737
192.0.2.0/24, RFC 3849 2001:db8::/32):

``example.test.``
    signed, KSK + ZSK, NSEC: A, AAAA, MX, SPF/DMARC TXT, a TXT with escapes, a TXT
    RRset too large for UDP (:data:`BIG_TXT_NAME`), TLSA ``_25._tcp.mx``, a CNAME chain
    ``www → web → host``, a dangling CNAME, a CNAME into ``unsigned.test``, a wildcard
    ``*.wild`` beside an existing ``sub.wild``.
``2.0.192.in-addr.arpa.`` and ``8.b.d.0.1.0.0.2.ip6.arpa.``
    signed (single-type key, NSEC): PTR records for 192.0.2.x and 2001:db8::x.
``dnsbl.test.``
    signed (single-type key, NSEC3 without salt or extra iterations): a DNS blocklist.
``unsigned.test.``
    not signed.
``parent.test.``
    signed (NSEC); delegates ``secure.parent.test.`` (signed; its DS is published in
    parent.test at start-up with a ``knotc`` transaction) and ``insecure.parent.test.``
    (unsigned, no DS): a chain of trust, and a proven insecure delegation.
``dane.test.``
    signed (single-type key, NSEC), for DANE, MTA-STS and the domain posture: every mail
    host resolves to 127.0.0.1 (the tests run their SMTP and HTTPS servers there). The
    apex has MX, SPF, DMARC, ``_mta-sts``, ``_smtp._tls`` and BIMI records; each
    scenario of :data:`DANE_SCENARIOS` is a sub-domain ``<name>.dane.test`` with MX
    ``mx.<name>.dane.test``. TLSA records are not in the zone file: the tests make their
    certificates, then publish the matching TLSA with :meth:`KnotServer.set_rrset`.
``dane-unsigned.test.``
    not signed: the same shape (MX ``mx.dane-unsigned.test`` at 127.0.0.1), for
    "DANE does not apply".
``broken.test.`` and ``garbled.test.``
    configured, but one has no zone file and the other's is not valid zone text: knot
    never loads them and answers SERVFAIL for them (Knot 3.2 does; checked at start-up).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import pytest

__all__ = [
    "BIG_TXT_NAME",
    "BIG_TXT_STRINGS",
    "BROKEN_ZONE",
    "DANE_SCENARIOS",
    "DANE_UNSIGNED_ZONE",
    "DANE_ZONE",
    "DNSBL_LISTINGS",
    "GARBLED_ZONE",
    "INSECURE_CHILD",
    "SECURE_CHILD",
    "SIGNED_ZONES",
    "TLSA_DIGEST",
    "KnotError",
    "KnotServer",
    "knot_fixture",
    "reverse_v4",
    "reverse_v6",
    "shared_knot",
    "start_knot",
    "stop_shared_knot",
    "zone_texts",
]

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for knotd to load and sign every zone
STOP_TIMEOUT = 10.0

#: Zones knotd signs → the ``policy`` id it signs them with (see :func:`_config`).
SIGNED_ZONES: Mapping[str, str] = {
    "example.test": "kskzsk_nsec",
    "2.0.192.in-addr.arpa": "csk_nsec",
    "8.b.d.0.1.0.0.2.ip6.arpa": "csk_nsec",
    "dnsbl.test": "csk_nsec3",
    "parent.test": "csk_nsec",
    "secure.parent.test": "csk_nsec",
    "dane.test": "csk_nsec",
}
UNSIGNED_ZONES = ("unsigned.test", "insecure.parent.test", "dane-unsigned.test")
#: The DANE / MTA-STS zones (see the module docstring): a signed one and an unsigned one.
DANE_ZONE = "dane.test"
DANE_UNSIGNED_ZONE = "dane-unsigned.test"
#: Sub-domains of dane.test, one per DANE test scenario: ``<name>.dane.test`` has the MX
#: ``mx.<name>.dane.test``, which resolves to 127.0.0.1.
DANE_SCENARIOS = ("pass", "wrong", "plain", "ta", "notlsa", "unusable", "spki", "full", "sha512")
#: Child zones of parent.test: the secure one gets its DS published in parent.test at start-up.
SECURE_CHILD = "secure.parent.test"
INSECURE_CHILD = "insecure.parent.test"
#: Configured but never loaded, so knot answers SERVFAIL: no zone file / a zone file with a syntax error.
BROKEN_ZONE = "broken.test"
GARBLED_ZONE = "garbled.test"
_GARBLED_TEXT = "$ORIGIN garbled.test.\n@ 300 IN SOA this is not ( a valid SOA\nwww IN A 192.0.2.300\n"

#: A TXT RRset whose answer is larger than 1232 bytes (and so than 512): truncated over UDP.
BIG_TXT_NAME = "big.example.test"
BIG_TXT_STRINGS = tuple(f"{i:02d}-" + ("abcdefghijklmnopqrstuvwxyz0123456789"[i % 36] * 240) for i in range(6))

TLSA_DIGEST = "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d"

#: 192.0.2.x listed in dnsbl.test → the A record the list answers.
DNSBL_LISTINGS: Mapping[str, str] = {
    "192.0.2.66": "127.0.0.2",  # listed: spam source
    "192.0.2.67": "127.0.0.4",  # listed: exploited host
    "192.0.2.68": "127.0.0.10",  # listed: policy (dynamic range)
    "192.0.2.69": "127.255.255.254",  # the list refuses the query (e.g. an open resolver)
}

_SOA = "@ 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"


def _txt(*strings: str) -> str:
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)


def zone_texts() -> dict[str, str]:
    """The zone files knotd serves, by zone name (no trailing dot), unsigned: knotd signs them."""
    big = "\n".join(f"big 300 IN TXT {_txt(s)}" for s in BIG_TXT_STRINGS)
    example = f"""$ORIGIN example.test.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
ns1 IN A 192.0.2.53
@ IN A 192.0.2.10
@ IN AAAA 2001:db8::10
@ IN MX 10 mx.example.test.
@ IN MX 20 mx2.example.test.
@ IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 " "include:_spf.example.test -all"
@ IN TXT "google-site-verification=not-a-real-token"
_spf IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"
escapes IN TXT "say \\"hi\\"" "back\\\\slash" "caf\\195\\169"
mx IN A 192.0.2.25
mx IN AAAA 2001:db8::25
mx2 IN A 192.0.2.26
_25._tcp.mx IN TLSA 3 1 1 {TLSA_DIGEST}
www IN CNAME web.example.test.
web IN CNAME host.example.test.
host IN A 192.0.2.80
host IN AAAA 2001:db8::80
dangling IN CNAME nowhere.example.test.
ext IN CNAME www.unsigned.test.
*.wild IN A 192.0.2.99
*.wild IN TXT "wildcard"
sub.wild IN A 192.0.2.98
{big}
"""
    reverse4 = f"""$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
10 IN PTR example.test.
25 IN PTR mx.example.test.
26 IN PTR mx2.example.test.
80 IN PTR host.example.test.
"""
    rev6_origin = dns.name.from_text("8.b.d.0.1.0.0.2.ip6.arpa.")
    rev6_lines = [f"$ORIGIN {rev6_origin}", "$TTL 300", _SOA, "@ IN NS ns1.example.test."]
    for address, target in (("2001:db8::10", "example.test."), ("2001:db8::25", "mx.example.test.")):
        rev6_owner = dns.reversename.from_address(address).relativize(rev6_origin)
        rev6_lines.append(f"{rev6_owner} IN PTR {target}")
    reverse6 = "\n".join(rev6_lines) + "\n"
    dnsbl_lines = ["$ORIGIN dnsbl.test.", "$TTL 300", _SOA, "@ IN NS ns1.example.test."]
    dnsbl_lines += ["2.0.0.127 IN A 127.0.0.2", '2.0.0.127 IN TXT "test point: always listed"']
    for address, code in DNSBL_LISTINGS.items():
        owner = ".".join(reversed(address.split(".")))
        dnsbl_lines.append(f"{owner} IN A {code}")
        dnsbl_lines.append(f'{owner} IN TXT "listed {address}: code {code}"')
    dnsbl = "\n".join(dnsbl_lines) + "\n"
    unsigned = f"""$ORIGIN unsigned.test.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
@ IN A 192.0.2.200
@ IN MX 10 mail.unsigned.test.
@ IN TXT "v=spf1 -all"
mail IN A 192.0.2.201
www IN A 192.0.2.202
"""
    parent = f"""$ORIGIN parent.test.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
@ IN A 192.0.2.30
secure IN NS ns1.example.test.
insecure IN NS ns1.example.test.
"""
    secure_child = f"""$ORIGIN secure.parent.test.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
@ IN MX 10 mx.example.test.
www IN A 192.0.2.31
"""
    insecure_child = f"""$ORIGIN insecure.parent.test.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
@ IN MX 10 mx.example.test.
www IN A 192.0.2.32
"""
    dane_lines = [
        f"$ORIGIN {DANE_ZONE}.",
        "$TTL 300",
        _SOA,
        "@ IN NS ns1.example.test.",
        "@ IN MX 10 mx.dane.test.",
        '@ IN TXT "v=spf1 mx include:_spf.dane.test -all"',
        '_spf IN TXT "v=spf1 ip4:127.0.0.1 ~all"',
        '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@dane.test"',
        '_mta-sts IN TXT "v=STSv1; id=20240101T000000"',
        '_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@dane.test,https://report.dane.test/tlsrpt"',
        'default._bimi IN TXT "v=BIMI1; l=https://dane.test/logo.svg; a=https://dane.test/vmc.pem"',
        "mx IN A 127.0.0.1",
        "mta-sts IN A 127.0.0.1",
    ]
    for scenario in DANE_SCENARIOS:
        dane_lines.append(f"{scenario} IN MX 10 mx.{scenario}.dane.test.")
        dane_lines.append(f"mx.{scenario} IN A 127.0.0.1")
    dane = "\n".join(dane_lines) + "\n"
    dane_unsigned = f"""$ORIGIN {DANE_UNSIGNED_ZONE}.
$TTL 300
{_SOA}
@ IN NS ns1.example.test.
@ IN MX 10 mx.dane-unsigned.test.
mx IN A 127.0.0.1
"""
    return {
        DANE_ZONE: dane,
        DANE_UNSIGNED_ZONE: dane_unsigned,
        "parent.test": parent,
        "secure.parent.test": secure_child,
        "insecure.parent.test": insecure_child,
        "example.test": example,
        "2.0.192.in-addr.arpa": reverse4,
        "8.b.d.0.1.0.0.2.ip6.arpa": reverse6,
        "dnsbl.test": dnsbl,
        "unsigned.test": unsigned,
    }


def _config(workdir: Path, port: int) -> str:
    zones = []
    for zone, policy in SIGNED_ZONES.items():
        zones.append(f"  - domain: {zone}\n    dnssec-signing: on\n    dnssec-policy: {policy}\n")
    for zone in (*UNSIGNED_ZONES, BROKEN_ZONE, GARBLED_ZONE):
        zones.append(f"  - domain: {zone}\n")
    return f"""# knotd configuration written by tests/knot.py (Knot DNS 3.2 syntax)
server:
    rundir: "{workdir}/run"
    pidfile: "{workdir}/run/knot.pid"
    user: root:root
    listen: {HOST}@{port}
    udp-workers: 2
    tcp-workers: 2
    background-workers: 2
    identity: ""
    version: ""

database:
    storage: "{workdir}/db"
    kasp-db: "{workdir}/db/keys"
    kasp-db-max-size: 64M
    journal-db: "{workdir}/db/journal"
    journal-db-max-size: 64M
    timer-db: "{workdir}/db/timers"
    timer-db-max-size: 16M
    catalog-db: "{workdir}/db/catalog"
    catalog-db-max-size: 16M

control:
    listen: "{workdir}/run/knot.sock"

log:
  - target: "{workdir}/knot.log"
    any: info

policy:
  - id: kskzsk_nsec
    algorithm: ecdsap256sha256
    single-type-signing: off
    nsec3: off
    cds-cdnskey-publish: none
  - id: csk_nsec
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: off
    cds-cdnskey-publish: none
  - id: csk_nsec3
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: off
    cds-cdnskey-publish: none

template:
  - id: default
    storage: "{workdir}/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none

zone:
{"".join(zones)}"""


class KnotError(RuntimeError):
    """knotd could not be started or did not come up as configured."""


@dataclass
class KnotServer:
    """A running knotd: where it listens, its trust anchors, how to stop it."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None
    host: str = HOST
    #: zone (no trailing dot) → DS records (presentation text) of its key-signing key(s)
    trust_anchors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: zone → its DNSKEY records (presentation text), as served
    dnskeys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: str = ""

    @property
    def log_path(self) -> Path:
        return self.workdir / "knot.log"

    def log(self) -> str:
        """knotd's log so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"

    def anchors(self, *zones: str) -> dict[str, tuple[str, ...]]:
        """``trust_anchors=`` for LiveResolver: the given zones', or by default every signed
        zone's but :data:`SECURE_CHILD`'s (that one is reached through its DS in parent.test)."""
        chosen = zones or tuple(z for z in self.trust_anchors if z != SECURE_CHILD)
        return {z: self.trust_anchors[z] for z in chosen}

    def ask(
        self, name: str, rdtype: str, *, payload: int = 1232, dnssec: bool = True, tcp: bool = False
    ) -> dns.message.Message:
        """One raw question to knotd with dnspython (for tests that look at the wire)."""
        query = dns.message.make_query(name, rdtype, want_dnssec=dnssec, use_edns=0, payload=payload)
        if tcp:
            return dns.query.tcp(query, self.host, port=self.port, timeout=2.0)
        return dns.query.udp(query, self.host, port=self.port, timeout=2.0)

    def set_rrset(
        self, zone: str, owner: str, rdtype: str, rdatas: tuple[str, ...], *, ttl: int = 300, timeout: float = 10.0
    ) -> None:
        """Replace the RRset ``owner``/``rdtype`` in ``zone`` with ``rdatas`` (a knotc
        transaction; knotd re-signs a signed zone), and wait until it is served, signed.

        ``owner`` is an absolute name without the trailing dot. Used by the DANE tests to
        publish TLSA records for certificates they make at run time.
        """
        conf = self.workdir / "knot.conf"
        fqdn = owner.rstrip(".") + "."
        wanted = {dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), r) for r in rdatas}
        _knotc(conf, "zone-begin", zone)
        try:
            current = _ask(self.port, fqdn, dns.rdatatype.from_text(rdtype), timeout=2.0)
            if current is not None and any(r.rdtype == dns.rdatatype.from_text(rdtype) for r in current.answer):
                _knotc(conf, "zone-unset", zone, fqdn, rdtype)
            for rdata in rdatas:
                _knotc(conf, "zone-set", zone, fqdn, str(ttl), rdtype, *rdata.split())
            _knotc(conf, "zone-commit", zone)
        except BaseException:
            with contextlib.suppress(KnotError):
                _knotc(conf, "zone-abort", zone)
            raise
        signed = zone in SIGNED_ZONES
        deadline = time.monotonic() + timeout
        qname = dns.name.from_text(fqdn)
        qtype = dns.rdatatype.from_text(rdtype)
        while time.monotonic() < deadline:
            response = _ask(self.port, fqdn, qtype)
            if response is not None:
                try:
                    served = response.find_rrset(response.answer, qname, dns.rdataclass.IN, qtype)
                    if set(served) == wanted and (
                        not signed
                        or response.find_rrset(response.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, qtype)
                    ):
                        return
                except KeyError:
                    pass
            time.sleep(0.05)
        raise KnotError(f"{owner} {rdtype} was not served{' signed' if signed else ''} within {timeout:.0f}s")

    def stop(self) -> None:
        """Terminate knotd (SIGTERM, wait, then SIGKILL) and remove its directory."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM knotd if the test process dies without stopping it
    (Linux PR_SET_PDEATHSIG), so a killed pytest leaves no server behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _which(name: str) -> str | None:
    """Find a Knot tool; they live in /usr/sbin, which a non-login PATH may lack."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    return shutil.which(name, path=path)


def _tool(name: str) -> str:
    found = _which(name)
    if found is None:
        raise KnotError(f"{name} not found: run scripts/install-test-deps.sh (Debian package 'knot')")
    return found


def free_port(host: str = HOST, attempts: int = 50) -> int:
    """A port free on ``host`` for both UDP and TCP (bind port 0 on TCP, then UDP)."""
    for _ in range(attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError:
                    continue
                return port
    raise KnotError(f"no port free for both UDP and TCP on {host} after {attempts} attempts")


def _ask(port: int, name: str, rdtype: dns.rdatatype.RdataType, timeout: float = 0.5) -> dns.message.Message | None:
    query = dns.message.make_query(name, rdtype, want_dnssec=True, use_edns=0, payload=1232)
    try:
        response = dns.query.udp(query, HOST, port=port, timeout=timeout)
        if response.flags & dns.flags.TC:
            response = dns.query.tcp(query, HOST, port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError, EOFError):
        return None
    return response


def _zone_ready(port: int, zone: str, signed: bool) -> bool:
    """The zone answers its SOA authoritatively (and, if signed, with RRSIGs and DNSKEYs)."""
    soa = _ask(port, zone, dns.rdatatype.SOA)
    if soa is None or soa.rcode() != dns.rcode.NOERROR or not soa.flags & dns.flags.AA:
        return False
    if not signed:
        return True
    qname = dns.name.from_text(zone)
    keys = _ask(port, zone, dns.rdatatype.DNSKEY)
    if keys is None:
        return False
    try:
        soa.find_rrset(soa.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.SOA)
        keys.find_rrset(keys.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
        keys.find_rrset(keys.answer, qname, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    except KeyError:
        return False
    return True


def _keymgr_ds(conf: Path, zone: str) -> tuple[str, ...]:
    """The DS records of the zone's KSK(s), SHA-256 digests, from keymgr."""
    out = subprocess.run(
        [_tool("keymgr"), "-c", str(conf), zone, "ds"], capture_output=True, text=True, timeout=30, check=False
    )
    if out.returncode != 0:
        raise KnotError(f"keymgr {zone} ds failed ({out.returncode}): {out.stderr.strip()}")
    ds = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if "DS" in parts:
            rdata = " ".join(parts[parts.index("DS") + 1 :])
            if rdata.split()[2] == "2":  # digest type SHA-256
                ds.append(rdata)
    if not ds:
        raise KnotError(f"keymgr {zone} ds printed no SHA-256 DS record: {out.stdout!r}")
    return tuple(ds)


def _served_dnskeys(port: int, zone: str) -> tuple[str, ...]:
    response = _ask(port, zone, dns.rdatatype.DNSKEY, timeout=2.0)
    if response is None:
        raise KnotError(f"no DNSKEY answer for {zone}")
    try:
        keys = response.find_rrset(response.answer, dns.name.from_text(zone), dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    except KeyError:
        raise KnotError(f"knotd served no DNSKEY for {zone}") from None
    return tuple(k.to_text() for k in keys)


def _check_anchor(zone: str, ds_texts: tuple[str, ...], dnskeys: tuple[str, ...]) -> None:
    """The DS from keymgr must match a key the server serves (else the harness is wrong)."""
    origin = dns.name.from_text(zone)
    served = {
        dns.dnssec.make_ds(origin, dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, k), "SHA256")
        for k in dnskeys
    }
    for text in ds_texts:
        ds = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
        if ds not in served:
            raise KnotError(f"keymgr's DS for {zone} ({text}) matches no DNSKEY knotd serves: {dnskeys}")


def knotd_version() -> str:
    out = subprocess.run([_tool("knotd"), "--version"], capture_output=True, text=True, timeout=10, check=False)
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "knotd (unknown version)"


def start_knot(workdir: Path | None = None, *, timeout: float = START_TIMEOUT) -> KnotServer:
    """Start knotd on 127.0.0.1 at a free port and wait until every zone is served."""
    missing = [t for t in ("knotd", "knotc", "keymgr") if _which(t) is None]
    if missing:
        raise KnotError(f"{'/'.join(missing)} not found: run scripts/install-test-deps.sh (Debian package 'knot')")
    knotd = _tool("knotd")
    workdir = Path(tempfile.mkdtemp(prefix="mf-knot-")) if workdir is None else workdir
    for sub in ("run", "db", "zones"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    for zone, text in zone_texts().items():
        (workdir / "zones" / f"{zone}.zone").write_text(text, encoding="utf-8")
    # broken.test: configured, but its zone file is deliberately absent; garbled.test's is not a zone.
    (workdir / "zones" / f"{GARBLED_ZONE}.zone").write_text(_GARBLED_TEXT, encoding="utf-8")
    port = free_port()
    conf = workdir / "knot.conf"
    conf.write_text(_config(workdir, port), encoding="utf-8")

    check = subprocess.run(
        [_tool("knotc"), "-c", str(conf), "conf-check"], capture_output=True, text=True, timeout=30, check=False
    )
    if check.returncode != 0:
        raise KnotError(f"knotc conf-check rejected the configuration:\n{check.stdout}{check.stderr}")

    stdio = (workdir / "knotd.out").open("wb")
    process = subprocess.Popen(
        [knotd, "-c", str(conf)],
        stdout=stdio,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=workdir,
        preexec_fn=_die_with_parent,
    )
    stdio.close()
    server = KnotServer(port=port, workdir=workdir, process=process, version=knotd_version())
    atexit.register(server.stop)
    try:
        _wait_ready(server, timeout)
        for zone in SIGNED_ZONES:
            server.dnskeys[zone] = _served_dnskeys(port, zone)
            server.trust_anchors[zone] = _keymgr_ds(conf, zone)
            _check_anchor(zone, server.trust_anchors[zone], server.dnskeys[zone])
        _publish_ds(server, conf, SECURE_CHILD, timeout)
    except BaseException as exc:
        log = server.log()
        out = (workdir / "knotd.out").read_text(encoding="utf-8", errors="replace")
        keep = Path(tempfile.mkdtemp(prefix="mf-knot-failed-"))
        with contextlib.suppress(OSError):
            shutil.copytree(workdir, keep, dirs_exist_ok=True)
        server.stop()
        if isinstance(exc, KnotError):
            detail = f"--- knotd output ---\n{out}\n--- knot.log ---\n{log}\n(files kept in {keep})"
            raise KnotError(f"{exc}\n{detail}") from exc
        raise
    return server


def _knotc(conf: Path, *args: str) -> None:
    out = subprocess.run(
        [_tool("knotc"), "-c", str(conf), *args], capture_output=True, text=True, timeout=30, check=False
    )
    if out.returncode != 0:
        raise KnotError(f"knotc {' '.join(args)} failed ({out.returncode}): {out.stdout}{out.stderr}")


def _publish_ds(server: KnotServer, conf: Path, child: str, timeout: float) -> None:
    """Put the child's DS into its parent zone (a knotc transaction; knot re-signs it)."""
    parent = child.split(".", 1)[1]
    label = child.split(".", 1)[0]
    _knotc(conf, "zone-begin", parent)
    for ds in server.trust_anchors[child]:
        _knotc(conf, "zone-set", parent, label, "300", "DS", *ds.split())
    _knotc(conf, "zone-commit", parent)
    deadline = time.monotonic() + timeout
    qname = dns.name.from_text(child)
    while time.monotonic() < deadline:
        response = _ask(server.port, child, dns.rdatatype.DS)
        if response is not None:
            try:
                response.find_rrset(response.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DS)
                return
            except KeyError:
                pass
        time.sleep(0.05)
    raise KnotError(f"the DS of {child} did not appear, signed, in {parent}")


def _wait_ready(server: KnotServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = {**{z: True for z in SIGNED_ZONES}, **{z: False for z in UNSIGNED_ZONES}}
    servfail_pending = {BROKEN_ZONE, GARBLED_ZONE}
    assert server.process is not None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise KnotError(f"knotd exited with status {server.process.returncode} while starting")
        for zone, signed in list(pending.items()):
            if _zone_ready(server.port, zone, signed):
                del pending[zone]
        for zone in list(servfail_pending):
            response = _ask(server.port, zone, dns.rdatatype.SOA)
            if response is not None and response.rcode() == dns.rcode.SERVFAIL:
                servfail_pending.discard(zone)
        if not pending and not servfail_pending:
            return
        time.sleep(0.05)
    missing = ", ".join(sorted(pending)) or "(all zones ready)"
    raise KnotError(
        f"knotd on {HOST}@{server.port} not ready after {timeout:.0f}s: zones not served/signed: {missing}; "
        f"no SERVFAIL yet for: {', '.join(sorted(servfail_pending)) or '(none)'}"
    )


def reverse_v4(address: str) -> str:
    """``192.0.2.10`` → ``10.2.0.192.in-addr.arpa`` (no trailing dot)."""
    return dns.reversename.from_address(address).to_text(omit_final_dot=True)


def reverse_v6(address: str) -> str:
    """``2001:db8::10`` → its ip6.arpa name (no trailing dot)."""
    return dns.reversename.from_address(str(ipaddress.IPv6Address(address))).to_text(omit_final_dot=True)


_shared: KnotServer | None = None
_shared_lock = threading.Lock()


def shared_knot() -> KnotServer:
    """The session's knotd, started on first use (one per process, however many modules ask)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.process is None or _shared.process.poll() is not None:
            _shared = start_knot()
        return _shared


def stop_shared_knot() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None


@pytest.fixture(scope="session", name="knot")
def knot_fixture() -> Iterator[KnotServer]:
    """A knotd serving the test zones on 127.0.0.1 for the whole session; fails, never skips.

    Use it with ``from tests.knot import knot_fixture  # noqa: F401`` in a test module and a
    ``knot`` argument (the fixture is *named* ``knot``; importing it under another name
    keeps test arguments from shadowing the import).
    """
    try:
        server = shared_knot()
    except KnotError as exc:
        pytest.fail(f"Knot DNS test server did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_shared_knot()


def main() -> int:
    """``python -m tests.knot``: start the server, print where it is, wait for Ctrl-C."""
    server = start_knot()
    print(f"{server.version} on {server.host} port {server.port}, files in {server.workdir}")
    for zone, ds in server.trust_anchors.items():
        for text in ds:
            print(f"  {zone}. DS {text}")
    print(f"  e.g.: kdig @{server.host} -p {server.port} +dnssec example.test MX  (kdig: package knot-dnsutils)")
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("note: knotd is configured with 'user: root:root'", file=sys.stderr)
    sys.exit(main())
