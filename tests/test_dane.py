"""DANE for SMTP (RFC 7672): Knot serving signed TLSA records, aiosmtpd with STARTTLS.

Everything runs on 127.0.0.1: knotd (tests/knot.py) serves ``dane.test`` (signed) and
``dane-unsigned.test``, whose MX hosts all resolve to 127.0.0.1; two aiosmtpd servers
listen on free loopback ports, one offering STARTTLS with a certificate chain made
here (a CA and a leaf), one without STARTTLS. The TLSA records are published into the
running zone once the certificates exist. The probe connects to the port the test
gives, never to port 25.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.message
import dns.rdatatype
import dns.rrset
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.live import LiveResolver
from mailforensics.resolvers.replay import ReplayResolver
from mailforensics.resolvers.zone import ZoneResolver
from mailforensics.transport import dane
from mailforensics.transport.dane import match_chain, parse_tlsa, spki_der
from tests.knot import (
    DANE_SCENARIOS,
    DANE_UNSIGNED_ZONE,
    DANE_ZONE,
    KnotServer,
    free_port,
    knot_fixture,  # noqa: F401  (the session fixture ``knot``)
)

LOOPBACK = "127.0.0.1"
PROBE_TIMEOUT = 5.0


# --- a small PKI, made per test module ---------------------------------------------------------
@dataclass
class PKI:
    """A CA and a leaf it issued, as objects and as PEM files for servers."""

    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey
    leaf_cert: x509.Certificate
    chain_pem: Path  # leaf then CA
    key_pem: Path
    ca_pem: Path

    @property
    def leaf_der(self) -> bytes:
        return self.leaf_cert.public_bytes(serialization.Encoding.DER)

    @property
    def ca_der(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.DER)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.chain_pem, self.key_pem)
        return context


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailforensics tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])  # fmt: skip


def make_certificate(
    subject: str,
    names: tuple[str, ...],
    *,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    issuer: x509.Certificate | None = None,
    ca: bool = False,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """An EC P-256 key and a certificate for it (self-signed without an issuer)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer is not None else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(hours=1))
        .not_valid_after(not_after or now + timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def make_pki(directory: Path, names: tuple[str, ...]) -> PKI:
    """A CA ("mailforensics test CA") and a leaf for ``names`` (its first name as CN)."""
    ca_key, ca_cert = make_certificate("mailforensics test CA", (), ca=True)
    leaf_key, leaf_cert = make_certificate(names[0], names, issuer_key=ca_key, issuer=ca_cert)
    directory.mkdir(parents=True, exist_ok=True)
    chain = directory / "chain.pem"
    chain.write_bytes(
        leaf_cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    key_file = directory / "key.pem"
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return PKI(ca_key, ca_cert, leaf_key, leaf_cert, chain, key_file, ca_file)


def tlsa_for(der: bytes, usage: int, selector: int, matching: int) -> str:
    """The TLSA record (presentation) that matches a DER certificate."""
    selected = der if selector == 0 else spki_der(der)
    data = {0: selected.hex(), 1: hashlib.sha256(selected).hexdigest(), 2: hashlib.sha512(selected).hexdigest()}
    return f"{usage} {selector} {matching} {data[matching]}"


# --- SMTP servers on loopback ----------------------------------------------------------------
@dataclass
class SMTPServers:
    tls_port: int  # offers STARTTLS with the PKI's chain
    plain_port: int  # offers no STARTTLS


@contextlib.contextmanager
def smtp_servers(pki: PKI, hostname: str) -> Iterator[SMTPServers]:
    """Two aiosmtpd servers on 127.0.0.1 (with and without STARTTLS), stopped on exit.

    ``server_hostname`` is given so aiosmtpd never asks the system for its FQDN (a DNS
    query that could leave the machine).
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    started: list[Controller] = []
    try:
        tls = Controller(Sink(), hostname=LOOPBACK, port=free_port(), tls_context=pki.server_context(),
                         server_hostname=hostname, ready_timeout=10.0)  # fmt: skip
        tls.start()
        started.append(tls)
        plain = Controller(Sink(), hostname=LOOPBACK, port=free_port(), server_hostname=hostname, ready_timeout=10.0)
        plain.start()
        started.append(plain)
        yield SMTPServers(tls_port=tls.port, plain_port=plain.port)
    finally:
        for controller in started:
            stopper = threading.Thread(target=controller.stop, daemon=True)
            stopper.start()
            stopper.join(timeout=10.0)


# --- a UDP proxy in front of knot that can tamper with answers --------------------------------
class TamperProxy:
    """A UDP DNS proxy on 127.0.0.1; ``tamper(qname, qtype, response)`` may rewrite answers.

    (LiveResolver falls back to TCP only on truncation; these answers are small.)
    """

    def __init__(self, upstream_port: int, tamper: Callable[[str, str, dns.message.Message], None]) -> None:
        self.upstream = (LOOPBACK, upstream_port)
        self.tamper = tamper
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, client = self.sock.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                    up.settimeout(2.0)
                    up.sendto(wire, self.upstream)
                    reply = up.recv(65535)
                response = dns.message.from_wire(reply)
                question = response.question[0]
                self.tamper(question.name.to_text(True).lower(), dns.rdatatype.to_text(question.rdtype), response)
                self.sock.sendto(response.to_wire(), client)
            except (OSError, dns.exception.DNSException):
                continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3.0)
        self.sock.close()


def flip_tlsa_signatures(qname: str, qtype: str, response: dns.message.Message) -> None:
    """Corrupt the RRSIG over every TLSA RRset (the records themselves are untouched)."""
    if qtype != "TLSA":
        return
    for i, rrset in enumerate(response.answer):
        if rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers == dns.rdatatype.TLSA:
            bad = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
            for sig in rrset:
                flipped = bytearray(sig.signature)
                flipped[7] ^= 0x40
                bad.add(sig.replace(signature=bytes(flipped)), rrset.ttl)
            response.answer[i] = bad


# --- fixtures ----------------------------------------------------------------------------------
def mx_of(scenario: str) -> str:
    return f"mx.{scenario}.{DANE_ZONE}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    names = (*(mx_of(s) for s in DANE_SCENARIOS), f"mx.{DANE_UNSIGNED_ZONE}")
    return make_pki(tmp_path_factory.mktemp("dane-pki"), names)


@pytest.fixture(scope="module")
def servers(pki: PKI) -> Iterator[SMTPServers]:
    with smtp_servers(pki, mx_of("pass")) as running:
        yield running


@pytest.fixture(scope="module")
def published(knot: KnotServer, pki: PKI) -> dict[str, str]:
    """TLSA records for each scenario, published in the running zones."""
    leaf, ca = pki.leaf_der, pki.ca_der
    records = {
        "pass": tlsa_for(leaf, 3, 1, 1),
        "wrong": "3 1 1 " + hashlib.sha256(b"not this certificate").hexdigest(),
        "plain": tlsa_for(leaf, 3, 1, 1),
        "ta": tlsa_for(ca, 2, 0, 1),
        "unusable": tlsa_for(leaf, 1, 1, 1),  # PKIX-EE: unusable for SMTP
        "spki": tlsa_for(ca, 2, 1, 1),
        "full": tlsa_for(leaf, 3, 0, 0),
        "sha512": tlsa_for(leaf, 3, 1, 2),
    }
    for scenario, record in records.items():
        knot.set_rrset(DANE_ZONE, f"_25._tcp.{mx_of(scenario)}", "TLSA", (record,))
    knot.set_rrset(DANE_UNSIGNED_ZONE, f"_25._tcp.mx.{DANE_UNSIGNED_ZONE}", "TLSA", (tlsa_for(leaf, 3, 1, 1),))
    return records


def validating_ctx(port: int, knot: KnotServer) -> Context:
    return Context(resolver=LiveResolver([LOOPBACK], port=port, timeout=1.0, lifetime=3.0,
                                         trust_anchors=knot.anchors()))  # fmt: skip


@pytest.fixture
def ctx(knot: KnotServer, published: dict[str, str]) -> Context:
    return validating_ctx(knot.port, knot)


def run(domain: str, ctx: Context, port: int, *, probe: bool = True) -> dane.DANEHost:
    result = dane.check(domain, ctx=ctx, probe=probe, port=port, timeout=PROBE_TIMEOUT)
    assert result.mx_secure is True or domain.endswith(DANE_UNSIGNED_ZONE)
    assert len(result.hosts) == 1
    return result.hosts[0]


# --- the scenarios of issue #9 -----------------------------------------------------------------
def test_dane_ee_match_passes(ctx: Context, servers: SMTPServers, pki: PKI, published: dict[str, str]) -> None:
    host = run(f"pass.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "pass", host.reason
    assert host.tlsa_secure is True and host.address_secure is True
    assert host.tlsa[0].text == published["pass"] and host.tlsa[0].usable
    p = host.probe
    assert p is not None and p.port == servers.tls_port and p.address == LOOPBACK
    assert p.connected and p.starttls_offered and p.tls and p.tls_version in ("TLSv1.2", "TLSv1.3")
    assert any(k.upper() == "STARTTLS" for k in p.ehlo)
    # the chain: leaf then CA, with subject, issuer and validity
    assert [c.subject for c in p.chain] == [
        pki.leaf_cert.subject.rfc4514_string(),
        pki.ca_cert.subject.rfc4514_string(),
    ]
    leaf = p.chain[0]
    assert leaf.issuer == pki.ca_cert.subject.rfc4514_string()
    assert leaf.not_before <= datetime.now(UTC) <= leaf.not_after
    assert leaf.sha256 == hashlib.sha256(pki.leaf_der).hexdigest()
    assert mx_of("pass") in leaf.dns_names
    # the digests compared
    assert host.matched is not None and host.matched.position == 0
    assert host.matched.expected == host.matched.computed == leaf.spki_sha256
    assert host.matches == (host.matched,)


def test_wrong_digest_fails(ctx: Context, servers: SMTPServers, published: dict[str, str]) -> None:
    host = run(f"wrong.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "fail"
    assert "no usable TLSA record matches" in host.reason
    assert host.matched is None
    (compared,) = host.matches
    assert compared.expected == published["wrong"].split()[3]
    assert compared.computed == host.probe.chain[0].spki_sha256  # type: ignore[union-attr]
    assert not compared.matched


def test_unsigned_zone_is_insecure(ctx: Context, servers: SMTPServers) -> None:
    result = dane.check(DANE_UNSIGNED_ZONE, ctx=ctx, probe=True, port=servers.tls_port, timeout=PROBE_TIMEOUT)
    assert result.mx_secure is None
    (host,) = result.hosts
    assert host.outcome == "insecure" and "DANE does not apply" in host.reason
    assert host.tlsa and host.tlsa_secure is None  # the TLSA record is there, but unvalidated
    assert host.probe is not None and host.probe.tls  # probed: the facts are reported ...
    assert host.matches == ()  # ... but DANE does not apply: nothing is matched
    assert result.outcome == "insecure"


def test_tampered_tlsa_signature_is_bogus_and_fails(knot: KnotServer, published: dict[str, str],
                                                    servers: SMTPServers) -> None:  # fmt: skip
    proxy = TamperProxy(knot.port, flip_tlsa_signatures)
    try:
        ctx = validating_ctx(proxy.port, knot)
        host = run(f"pass.{DANE_ZONE}", ctx, servers.tls_port)
    finally:
        proxy.stop()
    assert host.tlsa_secure is False
    assert host.outcome == "fail" and "bogus" in host.reason
    assert host.matches == ()  # a bogus TLSA RRset: no delivery, whatever the server shows


def test_no_starttls_where_tlsa_exists_fails(ctx: Context, servers: SMTPServers) -> None:
    host = run(f"plain.{DANE_ZONE}", ctx, servers.plain_port)
    assert host.outcome == "fail" and "STARTTLS" in host.reason
    assert host.probe is not None and host.probe.connected and not host.probe.starttls_offered
    assert host.probe.chain == ()


def test_dane_ta_with_generated_ca_passes(ctx: Context, servers: SMTPServers, pki: PKI) -> None:
    host = run(f"ta.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "pass", host.reason
    assert host.matched is not None and host.matched.position == 1  # the CA, second in the chain
    assert host.matched.computed == hashlib.sha256(pki.ca_der).hexdigest()
    assert [m.matched for m in host.matches] == [False, True]  # the leaf was compared too


@pytest.mark.parametrize("scenario", ["spki", "full", "sha512"])
def test_other_selectors_and_matching_types_pass(ctx: Context, servers: SMTPServers, scenario: str) -> None:
    host = run(f"{scenario}.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "pass", host.reason


def test_secure_denial_is_no_tlsa(ctx: Context, servers: SMTPServers) -> None:
    host = run(f"notlsa.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "no-tlsa" and host.tlsa == ()
    assert host.tlsa_status == "NXDOMAIN" and host.tlsa_secure is True
    assert host.probe is not None and host.probe.tls  # probed anyway: the STARTTLS facts are reported


def test_pkix_usage_is_unusable(ctx: Context, servers: SMTPServers) -> None:
    host = run(f"unusable.{DANE_ZONE}", ctx, servers.tls_port)
    assert host.outcome == "no-tlsa" and "none is usable" in host.reason
    assert not host.tlsa[0].usable and "RFC 7672 §3.1.3" in (host.tlsa[0].problem or "")


def test_without_probe_usable_tlsa_is_untested(ctx: Context) -> None:
    result = dane.check(f"pass.{DANE_ZONE}", ctx=ctx)
    (host,) = result.hosts
    assert host.outcome == "untested" and host.probe is None and not result.probed
    assert result.outcome == "untested"


def test_probe_of_a_closed_port_is_an_error_not_a_verdict(ctx: Context) -> None:
    with socket.socket() as s:  # bound, never listening: connections are refused
        s.bind((LOOPBACK, 0))
        port = s.getsockname()[1]
        start = time.monotonic()
        host = run(f"pass.{DANE_ZONE}", ctx, port)
    assert host.outcome == "error" and "cannot connect" in host.reason
    assert time.monotonic() - start < PROBE_TIMEOUT


def test_probe_resolves_through_the_context(ctx: Context, servers: SMTPServers, pki: PKI) -> None:
    p = dane.probe(mx_of("pass"), ctx=ctx, port=servers.tls_port, timeout=PROBE_TIMEOUT)
    assert p.address == LOOPBACK and p.tls and len(p.chain) == 2
    assert p.banner is not None and mx_of("pass") in p.banner
    assert p.leaf is not None and p.leaf.spki_sha256 == hashlib.sha256(spki_der(pki.leaf_der)).hexdigest()
    nowhere = dane.probe("nowhere.dane.test", ctx=ctx, port=servers.tls_port, timeout=PROBE_TIMEOUT)
    assert not nowhere.connected and "no address" in (nowhere.error or "")


def test_probe_times_out_against_a_silent_server(ctx: Context) -> None:
    with socket.socket() as s:  # accepts connections (backlog) but never greets
        s.bind((LOOPBACK, 0))
        s.listen(1)
        start = time.monotonic()
        p = dane.probe(mx_of("pass"), LOOPBACK, ctx=ctx, port=s.getsockname()[1], timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert not p.connected and "no answer within" in (p.error or "")


# --- offline mode --------------------------------------------------------------------------------
def offline_context(directory: Path) -> Context:
    """An offline context: evidence recorded from a ZoneResolver, replayed strictly."""
    from mailforensics.resolvers.recording import RecordingResolver

    recorder = RecordingResolver(ZoneResolver.from_dict({"example.test": {"MX": ["10 mx.example.test."]}}))
    recorder.query("example.test", "MX")
    evidence = recorder.save(directory / "evidence.jsonl")
    return Context.offline(evidence)


def test_probing_is_refused_in_offline_mode(tmp_path: Path) -> None:
    offline = offline_context(tmp_path)
    assert isinstance(offline.resolver, ReplayResolver)
    with pytest.raises(InputError, match="offline"):
        dane.check("example.test", ctx=offline, probe=True)
    with pytest.raises(InputError, match="offline"):
        dane.probe("mx.example.test", LOOPBACK, ctx=offline, port=1)
    # without probing, the replay answers as recorded (and the missing TLSA is its error)


# --- unit tests: no socket ---------------------------------------------------------------------
ZONE = f"""
$ORIGIN unit.test.
$TTL 300
@ IN MX 10 mx
mx IN A 192.0.2.25
_25._tcp.mx IN TLSA 3 1 1 {"ab" * 32}
$ORIGIN notlsa.test.
@ IN MX 10 mx
mx IN A 192.0.2.26
$ORIGIN failing.test.
@ IN MX 10 mx
mx IN A 192.0.2.27
"""


class FailingResolver:
    """Answers from ``inner``, except SERVFAIL for the questions in ``failing``."""

    def __init__(self, inner: ZoneResolver, failing: set[tuple[str, str]]) -> None:
        self.inner = inner
        self.failing = failing

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        if (name, rdtype) in self.failing:
            return DNSAnswer(name=name, rdtype=rdtype, status="SERVFAIL")
        return self.inner.query(name, rdtype)


def zone_ctx(secure: bool | None) -> Context:
    resolver = ZoneResolver.from_text(ZONE, secure=secure)
    return Context(resolver=FailingResolver(resolver, {("_25._tcp.mx.failing.test", "TLSA")}))


def test_bogus_addresses_are_not_contacted() -> None:
    bogus = zone_ctx(False)
    host = dane.check("unit.test", ctx=bogus, probe=True, port=9, timeout=0.5).hosts[0]
    assert host.outcome == "fail" and host.probe is None  # 192.0.2.25 failed validation: no connection


def test_zone_resolver_outcomes_without_probe() -> None:
    secure = zone_ctx(True)
    assert dane.check("unit.test", ctx=secure).hosts[0].outcome == "untested"
    assert dane.check("notlsa.test", ctx=secure).hosts[0].outcome == "no-tlsa"
    failing = dane.check("failing.test", ctx=secure).hosts[0]
    assert failing.outcome == "fail" and "SERVFAIL" in failing.reason
    unknown = zone_ctx(None)
    assert dane.check("unit.test", ctx=unknown).hosts[0].outcome == "insecure"
    assert dane.check("unit.test", ctx=unknown).outcome == "insecure"
    bogus = zone_ctx(False)
    host = dane.check("unit.test", ctx=bogus).hosts[0]
    assert host.outcome == "fail" and "bogus" in host.reason


def test_domain_outcome_aggregation() -> None:
    assert dane.check("nomx.test", ctx=zone_ctx(True)).outcome == "insecure"  # no host at all


def test_parse_tlsa() -> None:
    r = parse_tlsa("3 1 1 " + "AB" * 32)
    assert (r.usage, r.selector, r.matching_type, r.data, r.usable) == (3, 1, 1, "ab" * 32, True)
    assert r.mnemonic == "DANE-EE(3) SPKI(1) SHA2-256(1)"
    split = parse_tlsa("3 0 0 " + "ab" * 64 + " " + "cd" * 10)  # dnspython splits long data
    assert split.data == "ab" * 64 + "cd" * 10 and split.usable
    for text, problem in [
        ("0 0 1 " + "ab" * 32, "PKIX-TA(0) is unusable"),
        ("1 1 1 " + "ab" * 32, "PKIX-EE(1) is unusable"),
        ("4 1 1 " + "ab" * 32, "unknown certificate usage"),
        ("3 2 1 " + "ab" * 32, "unknown selector"),
        ("3 1 3 " + "ab" * 32, "unknown matching type"),
        ("3 1 1 " + "ab" * 31, "must be 32 bytes"),
        ("3 1 2 " + "ab" * 32, "must be 64 bytes"),
        ("3 1 1 zz", "not hexadecimal"),
        ("3 1", "not a TLSA record"),
        ("x y z 00", "must be numbers"),
    ]:
        parsed = parse_tlsa(text)
        assert not parsed.usable and problem in (parsed.problem or ""), text


def test_spki_der_is_the_certificates_own_encoding(pki: PKI) -> None:
    expected = pki.leaf_cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki_der(pki.leaf_der) == expected
    info = dane.certificate_info(pki.leaf_der)
    assert info.spki_sha256 == hashlib.sha256(expected).hexdigest() and not info.is_ca
    assert dane.certificate_info(pki.ca_der, 1).is_ca
    with pytest.raises(InputError):
        dane.certificate_info(b"not a certificate")


def test_match_chain_rules(pki: PKI) -> None:
    chain = [pki.leaf_der, pki.ca_der]
    now = datetime.now(UTC)
    ee = parse_tlsa(tlsa_for(pki.leaf_der, 3, 1, 1))
    ta = parse_tlsa(tlsa_for(pki.ca_der, 2, 0, 1))
    name = mx_of("ta")
    assert match_chain([ee], chain, names=(name,), now=now)[0]
    assert match_chain([ta], chain, names=(name,), now=now)[0]
    # DANE-TA(2): the leaf must name the host (RFC 7672 §3.2.3) ...
    ok, _, _, why = match_chain([ta], chain, names=("other.test",), now=now)
    assert not ok and "names" in why
    # ... the next-hop domain is accepted too, and wildcards match one label
    assert match_chain([ta], chain, names=("other.test", name), now=now)[0]
    # ... and be in date; DANE-EE(3) ignores dates (§3.1.1)
    later = now + timedelta(days=30)
    ok, _, _, why = match_chain([ta], chain, names=(name,), now=later)
    assert not ok and "out of date" in why
    assert match_chain([ee], chain, names=(name,), now=later)[0]
    # DANE-TA(2) whose CA did not issue the leaf: no chain
    _, other_ca = make_certificate("another CA", (), ca=True)
    stranger = parse_tlsa(tlsa_for(other_ca.public_bytes(serialization.Encoding.DER), 2, 0, 1))
    with_stranger = [pki.leaf_der, other_ca.public_bytes(serialization.Encoding.DER)]
    ok, _, _, why = match_chain([stranger], with_stranger, names=(name,), now=now)
    assert not ok and "no presented certificate issued" in why
    # DANE-EE(3) never matches an intermediate
    ee_on_ca = parse_tlsa(tlsa_for(pki.ca_der, 3, 1, 1))
    ok, comparisons, _, _ = match_chain([ee_on_ca], chain, names=(name,), now=now)
    assert not ok and [c.position for c in comparisons] == [0]
    # unusable records are not compared; an empty chain matches nothing
    pkix = parse_tlsa(tlsa_for(pki.leaf_der, 1, 1, 1))
    assert match_chain([pkix], chain, names=(name,), now=now)[1] == ()
    assert not match_chain([ee], [], names=(name,), now=now)[0]
    assert dane._name_matches("*.dane.test", "mx.dane.test")
    assert not dane._name_matches("*.dane.test", "a.mx.dane.test")
    assert not dane._name_matches("*.dane.test", "dane.test")


def test_tlsa_name() -> None:
    assert dane.tlsa_name("MX.Example.TEST.") == "_25._tcp.mx.example.test"


ALIAS_ZONE = f"""
$ORIGIN provider.test.
$TTL 300
mx1 IN A 192.0.2.31
_25._tcp.mx1 IN TLSA 3 1 1 {"cd" * 32}
mx2 IN A 192.0.2.32
mx3 IN A 192.0.2.33
$ORIGIN expanded.test.
@ IN MX 10 mx
mx IN CNAME mx1.provider.test.
_25._tcp.mx IN TLSA 3 1 1 {"ef" * 32}
$ORIGIN fallback.test.
@ IN MX 10 mx
mx IN CNAME mx2.provider.test.
_25._tcp.mx IN TLSA 3 1 1 {"ef" * 32}
$ORIGIN failing-alias.test.
@ IN MX 10 mx
mx IN CNAME mx3.provider.test.
_25._tcp.mx IN TLSA 3 1 1 {"ef" * 32}
"""


def test_an_alias_mx_host_uses_the_expanded_name_first() -> None:
    # RFC 7672 §2.2.2: a secure CNAME chain makes the expanded name the TLSA base domain;
    # a validated denial there sends the lookup back to the MX host name; a failed lookup
    # at the expanded name decides (the sender defers), as in Postfix.
    resolver = FailingResolver(
        ZoneResolver.from_text(ALIAS_ZONE, secure=True), {("_25._tcp.mx3.provider.test", "TLSA")}
    )
    ctx = Context(resolver=resolver)
    expanded = dane.check("expanded.test", ctx=ctx).hosts[0]
    assert expanded.host == "mx.expanded.test" and expanded.tlsa_name == "_25._tcp.mx1.provider.test"
    assert [r.data for r in expanded.tlsa] == ["cd" * 32] and expanded.outcome == "untested"
    fallback = dane.check("fallback.test", ctx=ctx).hosts[0]
    assert fallback.tlsa_name == "_25._tcp.mx.fallback.test" and [r.data for r in fallback.tlsa] == ["ef" * 32]
    failing = dane.check("failing-alias.test", ctx=ctx).hosts[0]
    assert failing.tlsa_name == "_25._tcp.mx3.provider.test" and failing.outcome == "fail"
    # Without DNSSEC the chain proves nothing: the MX host name, and DANE does not apply.
    insecure = dane.check("expanded.test", ctx=Context(resolver=ZoneResolver.from_text(ALIAS_ZONE))).hosts[0]
    assert insecure.tlsa_name == "_25._tcp.mx.expanded.test" and insecure.outcome == "insecure"
