"""LiveResolver against a real authoritative server: Knot DNS on 127.0.0.1 (tests/knot.py).

Every packet goes to 127.0.0.1: to knotd, to a proxy in front of it (which counts
packets and tampers with answers), or to a socket that never answers.
"""

from __future__ import annotations

import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from mailforensics.resolvers import live
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.live import LiveResolver
from mailforensics.resolvers.zone import ZoneResolver
from tests.knot import (
    BIG_TXT_NAME,
    BIG_TXT_STRINGS,
    BROKEN_ZONE,
    DNSBL_LISTINGS,
    GARBLED_ZONE,
    TLSA_DIGEST,
    KnotServer,
    knot_fixture,  # noqa: F401  (the session fixture ``knot``)
    reverse_v4,
    reverse_v6,
    zone_texts,
)

LOOPBACK = "127.0.0.1"

# --- helpers -------------------------------------------------------------------------------------

Forward = Callable[[bytes, bool], bytes]
Handler = Callable[[bytes, bool, Forward], "bytes | None"]


class DNSProxy:
    """A UDP+TCP DNS proxy on 127.0.0.1 in front of knotd.

    It forwards each query over the transport it came in on, logs
    ``(transport, qname, qtype)``, and lets a ``handler`` rewrite the answer (or make one
    up). Threads stop at :meth:`stop`; every socket has a timeout, so nothing hangs.
    """

    def __init__(self, upstream_port: int, handler: Handler | None = None) -> None:
        self.upstream = (LOOPBACK, upstream_port)
        self.handler = handler
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.udp, self.tcp, self.port = _bind_pair()
        self.udp.settimeout(0.1)
        self.tcp.settimeout(0.1)
        self.tcp.listen(16)
        self._threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]
        for t in self._threads:
            t.start()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.log)

    def forward(self, wire: bytes, via_tcp: bool) -> bytes:
        if via_tcp:
            with socket.create_connection(self.upstream, timeout=2.0) as s:
                s.sendall(len(wire).to_bytes(2, "big") + wire)
                return _recv_tcp_message(s)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2.0)
            s.sendto(wire, self.upstream)
            return s.recv(65535)

    def _answer(self, wire: bytes, via_tcp: bool) -> bytes | None:
        try:
            q = dns.message.from_wire(wire)
            entry = ("tcp" if via_tcp else "udp", q.question[0].name.to_text(True).lower(), _type(q))
        except Exception:  # a proxy must not die on odd input
            entry = ("tcp" if via_tcp else "udp", "?", "?")
        with self._lock:
            self.log.append(entry)
        if self.handler is not None:
            return self.handler(wire, via_tcp, self.forward)
        return self.forward(wire, via_tcp)

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                wire, client = self.udp.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            try:
                reply = self._answer(wire, False)
            except OSError:
                continue
            if reply is not None:
                self.udp.sendto(reply, client)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve_conn, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve_conn(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2.0)
            while not self._stop.is_set():
                try:
                    wire = _recv_tcp_message(conn)
                except (OSError, EOFError):
                    return
                reply = self._answer(wire, True)
                if reply is None:
                    return
                conn.sendall(len(reply).to_bytes(2, "big") + reply)

    def stop(self) -> None:
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout=3.0)
        self.udp.close()
        self.tcp.close()


def _bind_pair() -> tuple[socket.socket, socket.socket, int]:
    """A UDP and a TCP socket bound to the same free port on 127.0.0.1."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((LOOPBACK, 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind((LOOPBACK, port))
        except OSError:
            udp.close()
            tcp.close()
            continue
        return udp, tcp, port
    raise RuntimeError("no free port pair on 127.0.0.1")


def _recv_exact(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _recv_tcp_message(s: socket.socket) -> bytes:
    return _recv_exact(s, int.from_bytes(_recv_exact(s, 2), "big"))


def _type(message: dns.message.Message) -> str:
    return dns.rdatatype.to_text(message.question[0].rdtype)


def _qname(wire: bytes) -> tuple[str, str]:
    q = dns.message.from_wire(wire)
    return q.question[0].name.to_text(True).lower(), _type(q)


def _retarget(wire: bytes, name: str) -> bytes:
    """The same query for another name."""
    q = dns.message.from_wire(wire)
    other = dns.message.make_query(name, q.question[0].rdtype, want_dnssec=True, use_edns=0, payload=1232)
    other.id = q.id
    return other.to_wire()


def _as_answer_to(original: bytes, response: dns.message.Message) -> bytes:
    """``response`` dressed up as the answer to the ``original`` query (id and question)."""
    q = dns.message.from_wire(original)
    response.id = q.id
    response.question = q.question
    return response.to_wire()


@pytest.fixture
def proxy(knot: KnotServer) -> Iterator[Callable[..., DNSProxy]]:
    """``proxy(handler=None)`` → a started DNSProxy in front of knot, stopped after the test."""
    made: list[DNSProxy] = []

    def make(handler: Handler | None = None) -> DNSProxy:
        p = DNSProxy(knot.port, handler)
        made.append(p)
        return p

    yield make
    for p in made:
        p.stop()


def resolver(port: int, **kwargs: Any) -> LiveResolver:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("lifetime", 4.0)
    return LiveResolver([LOOPBACK], port=port, **kwargs)


# --- answers in DNSAnswer's conventions ----------------------------------------------------------


@pytest.fixture(scope="module")
def plain(knot: KnotServer) -> LiveResolver:
    """No DNSSEC validation (``trust_anchors={}``): secure is None throughout."""
    return resolver(knot.port, trust_anchors={})


@pytest.mark.parametrize(
    ("name", "rdtype", "records"),
    [
        ("example.test", "A", ("192.0.2.10",)),
        ("example.test", "AAAA", ("2001:db8::10",)),
        ("mx.example.test", "AAAA", ("2001:db8::25",)),
        ("example.test", "MX", ("10 mx.example.test.", "20 mx2.example.test.")),
        ("_dmarc.example.test", "TXT", ('"v=DMARC1; p=reject; rua=mailto:dmarc@example.test"',)),
        ("_25._tcp.mx.example.test", "TLSA", (f"3 1 1 {TLSA_DIGEST}",)),
        (reverse_v4("192.0.2.25"), "PTR", ("mx.example.test.",)),
        (reverse_v4("192.0.2.10"), "PTR", ("example.test.",)),
        (reverse_v6("2001:db8::25"), "PTR", ("mx.example.test.",)),
        (reverse_v6("2001:db8::10"), "PTR", ("example.test.",)),
        ("example.test", "NS", ("ns1.example.test.",)),
    ],
)
def test_answers_in_presentation_format(plain: LiveResolver, name: str, rdtype: str, records: tuple[str, ...]) -> None:
    a = plain.query(name, rdtype)
    assert a.status == "NOERROR"
    assert a.name == name and a.rdtype == rdtype
    assert sorted(a.records) == sorted(records)
    assert a.ttl == 300
    assert a.secure is None
    assert a.cname_chain == ()
    assert a.ok and not a.nodata and not a.temporary_failure


def test_reverse_names_are_the_documentation_ones() -> None:
    assert reverse_v4("192.0.2.25") == "25.2.0.192.in-addr.arpa"
    assert reverse_v6("2001:db8::25").endswith(".8.b.d.0.1.0.0.2.ip6.arpa")
    assert reverse_v6("2001:db8::25").startswith("5.2.0.0.")


def test_txt_spf_record_and_strings(plain: LiveResolver) -> None:
    a = plain.query("example.test", "TXT")
    assert '"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 " "include:_spf.example.test -all"' in a.records
    assert sorted(a.txt_strings()) == [
        "google-site-verification=not-a-real-token",
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.test -all",
    ]


def test_txt_escapes_survive_the_wire(plain: LiveResolver) -> None:
    a = plain.query("escapes.example.test", "TXT")
    assert a.records == ('"say \\"hi\\"" "back\\\\slash" "caf\\195\\169"',)
    assert a.txt_strings() == ('say "hi"back\\slashcafé',)


def test_names_are_normalised(plain: LiveResolver) -> None:
    a = plain.query("MX.Example.TEST.", "a")
    assert (a.name, a.rdtype, a.records) == ("mx.example.test", "A", ("192.0.2.25",))


def test_same_answers_as_zone_resolver_on_the_same_zone_text(plain: LiveResolver) -> None:
    """Knot serving a zone and ZoneResolver reading the same text agree (records, status, chain)."""
    zone = ZoneResolver.from_text("\n".join(zone_texts().values()))
    questions = [
        ("example.test", "MX"),
        ("example.test", "TXT"),
        ("escapes.example.test", "TXT"),
        (BIG_TXT_NAME, "TXT"),
        ("_25._tcp.mx.example.test", "TLSA"),
        ("www.example.test", "A"),
        ("www.example.test", "AAAA"),
        ("dangling.example.test", "A"),
        ("ext.example.test", "A"),
        ("x.wild.example.test", "A"),
        ("x.wild.example.test", "TXT"),
        ("x.wild.example.test", "MX"),
        ("sub.wild.example.test", "A"),
        ("sub.wild.example.test", "TXT"),
        ("y.sub.wild.example.test", "A"),
        ("_tcp.mx.example.test", "A"),
        ("nope.example.test", "A"),
        ("mx.example.test", "TXT"),
        (reverse_v4("192.0.2.80"), "PTR"),
        (reverse_v6("2001:db8::10"), "PTR"),
        ("2.0.0.127.dnsbl.test", "TXT"),
        ("1.2.0.192.dnsbl.test", "A"),
        ("www.insecure.parent.test", "A"),
        ("unsigned.test", "MX"),
    ]
    for name, rdtype in questions:
        got, want = plain.query(name, rdtype), zone.query(name, rdtype)
        assert (got.status, sorted(got.records), got.cname_chain) == (
            want.status,
            sorted(want.records),
            want.cname_chain,
        ), (name, rdtype)
        if got.records:
            assert got.ttl == want.ttl


def test_nxdomain_versus_nodata(plain: LiveResolver) -> None:
    nx = plain.query("nope.example.test", "A")
    assert nx.status == "NXDOMAIN" and nx.records == () and not nx.nodata
    assert nx.ttl == 300  # RFC 2308 §5: min(SOA TTL 3600, SOA MINIMUM 300)
    nodata = plain.query("mx.example.test", "TXT")
    assert nodata.status == "NOERROR" and nodata.nodata and nodata.ok
    assert nodata.ttl == 300
    ent = plain.query("_tcp.mx.example.test", "A")  # an empty non-terminal exists
    assert ent.status == "NOERROR" and ent.nodata
    below = plain.query("nope.mx.example.test", "A")
    assert below.status == "NXDOMAIN"


def test_cname_chain(plain: LiveResolver) -> None:
    a = plain.query("www.example.test", "A")
    assert a.records == ("192.0.2.80",)
    assert a.cname_chain == ("www.example.test", "web.example.test")
    assert a.name == "www.example.test"
    cname_itself = plain.query("www.example.test", "CNAME")
    assert cname_itself.records == ("web.example.test.",) and cname_itself.cname_chain == ()
    dangling = plain.query("dangling.example.test", "A")
    assert dangling.status == "NXDOMAIN" and dangling.cname_chain == ("dangling.example.test",)
    across = plain.query("ext.example.test", "A")  # into another zone: a second question
    assert across.records == ("192.0.2.202",) and across.cname_chain == ("ext.example.test",)


def test_wildcards(plain: LiveResolver) -> None:
    assert plain.query("x.wild.example.test", "A").records == ("192.0.2.99",)
    assert plain.query("a.b.wild.example.test", "TXT").txt_strings() == ("wildcard",)
    assert plain.query("sub.wild.example.test", "A").records == ("192.0.2.98",)
    assert plain.query("sub.wild.example.test", "TXT").nodata  # an existing name: no wildcard
    assert plain.query("y.sub.wild.example.test", "A").status == "NXDOMAIN"  # RFC 4592 §3.3.1


def test_dnsbl_zone(plain: LiveResolver) -> None:
    test_point = plain.query("2.0.0.127.dnsbl.test", "A")
    assert test_point.records == ("127.0.0.2",)
    assert plain.query("2.0.0.127.dnsbl.test", "TXT").txt_strings() == ("test point: always listed",)
    for address, code in DNSBL_LISTINGS.items():
        name = ".".join(reversed(address.split("."))) + ".dnsbl.test"
        assert plain.query(name, "A").records == (code,)
        assert plain.query(name, "TXT").txt_strings() == (f"listed {address}: code {code}",)
    assert plain.query("1.2.0.192.dnsbl.test", "A").status == "NXDOMAIN"
    refused = plain.query("69.2.0.192.dnsbl.test", "A")
    assert refused.records == ("127.255.255.254",)


# --- truncation and TCP ----------------------------------------------------------------------------


def test_big_txt_is_truncated_over_udp(knot: KnotServer) -> None:
    small = knot.ask(BIG_TXT_NAME, "TXT", payload=512, dnssec=False)
    assert small.flags & dns.flags.TC
    as_live_asks = knot.ask(BIG_TXT_NAME, "TXT", payload=1232, dnssec=True)
    assert as_live_asks.flags & dns.flags.TC  # bigger than LiveResolver's 1232-byte EDNS buffer too
    full = knot.ask(BIG_TXT_NAME, "TXT", tcp=True)
    assert not full.flags & dns.flags.TC
    assert len(full.to_wire()) > 1232


def test_big_txt_udp_then_tcp(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors=knot.anchors("example.test"))
    a = r.query(BIG_TXT_NAME, "TXT")
    assert a.status == "NOERROR"
    assert sorted(a.txt_strings()) == sorted(BIG_TXT_STRINGS)
    assert a.secure is True
    asked = [entry for entry in p.log if entry[1:] == (BIG_TXT_NAME, "TXT")]
    assert asked == [("udp", BIG_TXT_NAME, "TXT"), ("tcp", BIG_TXT_NAME, "TXT")]
    # Everything else went over UDP: TCP only after truncation.
    assert [e for e in p.log if e[0] == "tcp"] == [("tcp", BIG_TXT_NAME, "TXT")]


# --- failures are answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [(BROKEN_ZONE, "SOA"), (f"www.{BROKEN_ZONE}", "A"), (GARBLED_ZONE, "MX"), (f"www.{GARBLED_ZONE}", "A")],
)
def test_servfail_from_a_zone_knot_could_not_load(knot: KnotServer, name: str, rdtype: str) -> None:
    assert knot.ask(name, rdtype).rcode() == dns.rcode.SERVFAIL  # what knot really says
    a = resolver(knot.port).query(name, rdtype)
    assert a.status == "SERVFAIL" and a.temporary_failure
    assert a.records == () and a.secure is None


@pytest.mark.parametrize("name", ["not-served.test", "www.example.invalid", "example.com"])
def test_refused_for_a_zone_knot_does_not_serve(knot: KnotServer, name: str) -> None:
    assert knot.ask(name, "A").rcode() == dns.rcode.REFUSED
    a = resolver(knot.port).query(name, "A")
    assert a.status == "REFUSED" and a.temporary_failure and a.records == ()


def test_failures_are_not_cached(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors={})
    assert r.query(BROKEN_ZONE, "A").status == "SERVFAIL"
    assert r.query(BROKEN_ZONE, "A").status == "SERVFAIL"
    assert r.query("not-served.test", "A").status == "REFUSED"
    assert r.query("not-served.test", "A").status == "REFUSED"
    assert p.count == 4


@pytest.fixture
def silent_port() -> Iterator[tuple[socket.socket, int]]:
    """A UDP socket on 127.0.0.1 that never answers; nothing listens on TCP there."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOOPBACK, 0))
        yield s, s.getsockname()[1]


def _drain(s: socket.socket) -> list[bytes]:
    s.setblocking(False)
    got = []
    while True:
        try:
            got.append(s.recv(65535))
        except BlockingIOError:
            return got


def test_timeout_against_a_silent_port(silent_port: tuple[socket.socket, int]) -> None:
    sock, port = silent_port
    r = LiveResolver([LOOPBACK], port=port, timeout=0.4, lifetime=1.0)
    start = time.monotonic()
    a = r.query("example.test", "MX")
    elapsed = time.monotonic() - start
    assert a == DNSAnswer(name="example.test", rdtype="MX", status="TIMEOUT")
    assert a.temporary_failure
    assert 0.35 <= elapsed < 1.0 + 0.5
    # What was sent: one UDP query with EDNS0, the DO bit and RD (RFC 3225).
    packets = _drain(sock)
    assert len(packets) == 2  # tries=2: one retry, so a single lost datagram is not a TIMEOUT
    q = dns.message.from_wire(packets[0])
    assert q.question[0].name == dns.name.from_text("example.test")
    assert q.edns == 0 and q.ednsflags & dns.flags.DO and q.payload == 1232
    assert q.flags & dns.flags.RD


def test_timeout_respects_lifetime_across_servers(silent_port: tuple[socket.socket, int]) -> None:
    sock, port = silent_port
    r = LiveResolver([LOOPBACK] * 5, port=port, timeout=0.4, lifetime=1.0)
    start = time.monotonic()
    assert r.query("example.test", "A").status == "TIMEOUT"
    elapsed = time.monotonic() - start
    assert elapsed < 1.0 + 0.5  # five servers × 0.4 s would be 2 s
    assert 2 <= len(_drain(sock)) <= 3


def test_timeouts_are_not_cached(silent_port: tuple[socket.socket, int]) -> None:
    sock, port = silent_port
    r = LiveResolver([LOOPBACK], port=port, timeout=0.2, lifetime=0.5)
    assert r.query("example.test", "A").status == "TIMEOUT"
    assert r.query("example.test", "A").status == "TIMEOUT"
    assert len(_drain(sock)) == 4  # two questions, two tries each: nothing cached


def test_truncated_answer_with_tcp_closed_is_a_temporary_failure() -> None:
    """UDP answers TC, nothing listens on TCP: a temporary failure, quickly, no exception."""
    stop = threading.Event()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOOPBACK, 0))
        s.settimeout(0.1)
        port = s.getsockname()[1]

        def serve() -> None:
            while not stop.is_set():
                try:
                    wire, client = s.recvfrom(65535)
                except (TimeoutError, OSError):
                    continue
                reply = dns.message.make_response(dns.message.from_wire(wire))
                reply.flags |= dns.flags.TC
                s.sendto(reply.to_wire(), client)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            start = time.monotonic()
            a = LiveResolver([LOOPBACK], port=port, timeout=0.5, lifetime=1.0).query("example.test", "TXT")
            assert time.monotonic() - start < 1.5
        finally:
            stop.set()
            t.join(timeout=2)
    assert a.status == "TIMEOUT" and a.temporary_failure and a.records == ()


def test_unaskable_name_is_nxdomain_without_a_packet(silent_port: tuple[socket.socket, int]) -> None:
    sock, port = silent_port
    r = LiveResolver([LOOPBACK], port=port, timeout=0.2, lifetime=0.4)
    assert r.query("a" * 64 + ".example.test", "A").status == "NXDOMAIN"
    assert r.query("a..example.test", "A").status == "NXDOMAIN"
    assert _drain(sock) == []


# --- DNSSEC ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validating(knot: KnotServer) -> LiveResolver:
    return resolver(knot.port, trust_anchors=knot.anchors())


def test_knot_served_the_anchors_it_signed_with(knot: KnotServer) -> None:
    for zone, ds_texts in knot.trust_anchors.items():
        assert ds_texts and all(t.split()[1] == "13" for t in ds_texts), zone  # ECDSAP256SHA256
    assert len(knot.dnskeys["example.test"]) == 2  # KSK + ZSK
    assert len(knot.dnskeys["dnsbl.test"]) == 1  # one combined signing key


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [
        ("example.test", "A"),
        ("example.test", "AAAA"),
        ("example.test", "MX"),
        ("example.test", "TXT"),
        ("_dmarc.example.test", "TXT"),
        ("_25._tcp.mx.example.test", "TLSA"),
        ("www.example.test", "A"),  # a CNAME chain: every link signed
        ("x.wild.example.test", "A"),  # a wildcard expansion, with its NSEC proof
        ("sub.wild.example.test", "A"),
        (reverse_v4("192.0.2.25"), "PTR"),
        (reverse_v6("2001:db8::25"), "PTR"),
        ("66.2.0.192.dnsbl.test", "A"),  # NSEC3 zone
        ("parent.test", "A"),
        ("www.secure.parent.test", "A"),  # a DS in parent.test → secure.parent.test's keys
    ],
)
def test_secure_positive_answers(validating: LiveResolver, name: str, rdtype: str) -> None:
    a = validating.query(name, rdtype)
    assert a.status == "NOERROR" and a.records
    assert a.secure is True


@pytest.mark.parametrize(
    ("name", "rdtype", "status"),
    [
        ("nope.example.test", "A", "NXDOMAIN"),  # NSEC covers the name and the wildcard
        ("nope.mx.example.test", "A", "NXDOMAIN"),  # closest encloser mx.example.test
        ("y.sub.wild.example.test", "A", "NXDOMAIN"),  # under an existing name, no wildcard
        ("dangling.example.test", "A", "NXDOMAIN"),  # CNAME to a name that does not exist
        ("mx.example.test", "TXT", "NOERROR"),  # NODATA: NSEC at the name without TXT
        ("_tcp.mx.example.test", "A", "NOERROR"),  # NODATA at an empty non-terminal
        ("x.wild.example.test", "MX", "NOERROR"),  # wildcard NODATA
        ("nope.secure.parent.test", "A", "NXDOMAIN"),
        ("secure.parent.test", "TXT", "NOERROR"),
        ("insecure.parent.test", "DS", "NOERROR"),  # the proof of an insecure delegation
        ("1.2.0.192.dnsbl.test", "A", "NXDOMAIN"),  # NSEC3 closest-encloser proof
        ("nope.dnsbl.test", "MX", "NXDOMAIN"),
        ("66.2.0.192.dnsbl.test", "MX", "NOERROR"),  # NSEC3 NODATA
        ("2.0.192.dnsbl.test", "A", "NOERROR"),  # NSEC3 empty non-terminal
        (reverse_v4("192.0.2.1"), "PTR", "NXDOMAIN"),
    ],
)
def test_secure_denials(validating: LiveResolver, name: str, rdtype: str, status: str) -> None:
    a = validating.query(name, rdtype)
    assert a.status == status and a.records == ()
    assert a.secure is True


def test_unsigned_zone_without_anchor_is_unknown(validating: LiveResolver) -> None:
    for name, rdtype in [("unsigned.test", "A"), ("nope.unsigned.test", "A"), ("unsigned.test", "TLSA")]:
        assert validating.query(name, rdtype).secure is None
    into_unsigned = validating.query("ext.example.test", "A")  # signed CNAME, unsigned target
    assert into_unsigned.records == ("192.0.2.202",) and into_unsigned.secure is None


def test_insecure_delegation_is_unknown_not_bogus(knot: KnotServer) -> None:
    """Under an anchor, a child zone with no DS (proven by parent.test's NSEC) is insecure."""
    r = resolver(knot.port, trust_anchors=knot.anchors("parent.test"))
    for name, rdtype in [
        ("www.insecure.parent.test", "A"),
        ("insecure.parent.test", "MX"),
        ("nope.insecure.parent.test", "A"),
        ("insecure.parent.test", "TXT"),
    ]:
        assert r.query(name, rdtype).secure is None, (name, rdtype)
    assert r.query("www.secure.parent.test", "A").secure is True
    assert r.query("parent.test", "A").secure is True
    assert r.query("example.test", "A").secure is None  # no anchor covers it


def test_no_trust_anchors_means_unknown(knot: KnotServer) -> None:
    r = resolver(knot.port, trust_anchors={})
    assert r.query("example.test", "MX").secure is None
    assert r.query("nope.example.test", "A").secure is None


def test_wrong_trust_anchor_is_bogus(knot: KnotServer) -> None:
    ds = knot.trust_anchors["example.test"][0].split()
    ds[3] = ("0" if ds[3][0] != "0" else "1") + ds[3][1:]  # another digest
    r = resolver(knot.port, trust_anchors={"example.test": (" ".join(ds),)})
    assert r.query("example.test", "MX").secure is False
    assert r.query("nope.example.test", "A").secure is False


def test_dnskey_as_trust_anchor(knot: KnotServer) -> None:
    ksk = [k for k in knot.dnskeys["example.test"] if k.startswith("257 ")]
    r = resolver(knot.port, trust_anchors={"example.test": tuple(ksk)})
    assert r.query("example.test", "MX").secure is True


def test_trust_ad_semantics(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """trust_ad=True reports the AD bit; knot is authoritative and never sets it."""
    q = dns.message.make_query("example.test", "A", want_dnssec=True)
    q.flags |= dns.flags.AD
    raw = dns.message.from_wire(_forward_udp(knot.port, q.to_wire()))
    assert raw.flags & dns.flags.AA and not raw.flags & dns.flags.AD
    # The anchors are ignored when trusting AD: the server's word is taken, and knot gives none.
    r = resolver(knot.port, trust_ad=True, trust_anchors=knot.anchors())
    assert r.query("example.test", "A").secure is None
    assert r.query("nope.example.test", "A").secure is None
    assert r.query("www.example.test", "A").secure is None

    def set_ad(wire: bytes, via_tcp: bool, forward: Forward) -> bytes:
        m = dns.message.from_wire(forward(wire, via_tcp))
        m.flags |= dns.flags.AD
        return m.to_wire()

    p = proxy(set_ad)  # a "validating resolver" we are told to trust
    r = resolver(p.port, trust_ad=True, trust_anchors={})
    assert r.query("example.test", "A").secure is True
    assert r.query("nope.example.test", "A").secure is True
    assert resolver(p.port, trust_ad=False, trust_anchors={}).query("example.test", "A").secure is None


def _forward_udp(port: int, wire: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2.0)
        s.sendto(wire, (LOOPBACK, port))
        return s.recv(65535)


# --- tampering: a proxy between LiveResolver and knot ------------------------------------------------


def _only(name: str, rdtype: str, change: Callable[[bytes, bytes, bool, Forward], bytes]) -> Handler:
    """A handler that applies ``change`` to the answers for (name, rdtype) and forwards the rest."""

    def handler(wire: bytes, via_tcp: bool, forward: Forward) -> bytes:
        if _qname(wire) == (name, rdtype):
            return change(wire, forward(wire, via_tcp), via_tcp, forward)
        return forward(wire, via_tcp)

    return handler


def _edit(response: bytes, edit: Callable[[dns.message.Message], None]) -> bytes:
    m = dns.message.from_wire(response)
    edit(m)
    return m.to_wire()


def test_untampered_through_the_proxy_is_secure(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors=knot.anchors())
    assert r.query("mx.example.test", "A").secure is True
    assert r.query("nope.example.test", "A").secure is True
    assert r.query("66.2.0.192.dnsbl.test", "A").secure is True


def test_flipped_a_record_byte_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def flip(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        rdata = socket.inet_aton("192.0.2.25")
        at = response.find(rdata)
        assert at > 0 and response.count(rdata) == 1
        return response[: at + 3] + bytes([response[at + 3] ^ 0x01]) + response[at + 4 :]

    p = proxy(_only("mx.example.test", "A", flip))
    r = resolver(p.port, trust_anchors=knot.anchors())
    a = r.query("mx.example.test", "A")
    assert a.records == ("192.0.2.24",)  # the lie got through...
    assert a.secure is False  # ...and was caught
    assert r.query("mx.example.test", "AAAA").secure is True  # other answers unaffected


def test_flipped_rrsig_byte_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def corrupt(m: dns.message.Message) -> None:
        for i, rrset in enumerate(m.answer):
            if rrset.rdtype == dns.rdatatype.RRSIG:
                bad = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
                for sig in rrset:
                    flipped = bytearray(sig.signature)
                    flipped[10] ^= 0x80
                    bad.add(sig.replace(signature=bytes(flipped)), rrset.ttl)
                m.answer[i] = bad

    p = proxy(_only("example.test", "MX", lambda q, resp, t, f: _edit(resp, corrupt)))
    r = resolver(p.port, trust_anchors=knot.anchors())
    a = r.query("example.test", "MX")
    assert a.records and a.secure is False


def test_stripped_rrsig_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def strip(m: dns.message.Message) -> None:
        m.answer = [r for r in m.answer if r.rdtype != dns.rdatatype.RRSIG]

    p = proxy(_only("example.test", "MX", lambda q, resp, t, f: _edit(resp, strip)))
    assert resolver(p.port, trust_anchors=knot.anchors()).query("example.test", "MX").secure is False


def test_stripped_nsec_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def strip(m: dns.message.Message) -> None:
        m.authority = [r for r in m.authority if dns.rdatatype.NSEC not in (r.rdtype, r.covers)]

    p = proxy(_only("nope.example.test", "A", lambda q, resp, t, f: _edit(resp, strip)))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("nope.example.test", "A")
    assert a.status == "NXDOMAIN" and a.secure is False


def test_forged_nxdomain_with_a_real_nsec_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """NXDOMAIN for mx.example.test, proven by knot's (validly signed) NSECs for another name."""

    def forge(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        other = dns.message.from_wire(forward(_retarget(query, "nope.example.test"), via_tcp))
        assert other.rcode() == dns.rcode.NXDOMAIN
        return _as_answer_to(query, other)

    p = proxy(_only("mx.example.test", "A", forge))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("mx.example.test", "A")
    assert a.status == "NXDOMAIN" and a.secure is False


def test_forged_nxdomain_with_another_zones_nsec_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """The last NSEC of 2.0.192.in-addr.arpa "covers" every name after it, mx.example.test too;
    it is validly signed, but by a zone that does not hold mx.example.test."""

    def forge(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        other = dns.message.from_wire(forward(_retarget(query, "99.2.0.192.in-addr.arpa"), via_tcp))
        assert other.rcode() == dns.rcode.NXDOMAIN
        return _as_answer_to(query, other)

    p = proxy(_only("mx.example.test", "A", forge))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("mx.example.test", "A")
    assert a.status == "NXDOMAIN" and a.secure is False


def test_forged_dnsbl_not_listed_nsec3_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """A listed address made to look unlisted with real NSEC3 records for another name."""

    def forge(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        other = dns.message.from_wire(forward(_retarget(query, "1.2.0.192.dnsbl.test"), via_tcp))
        assert other.rcode() == dns.rcode.NXDOMAIN
        return _as_answer_to(query, other)

    p = proxy(_only("66.2.0.192.dnsbl.test", "A", forge))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("66.2.0.192.dnsbl.test", "A")
    assert a.status == "NXDOMAIN" and a.secure is False


def test_forged_nodata_with_a_real_nsec_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """NODATA for mx.example.test A, with the NSEC that knot gives for mx.example.test TXT
    (whose bitmap says A exists)."""

    def forge(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        q = dns.message.from_wire(query)
        other_q = dns.message.make_query("mx.example.test", "TXT", want_dnssec=True, use_edns=0, payload=1232)
        other = dns.message.from_wire(forward(other_q.to_wire(), via_tcp))
        assert other.rcode() == dns.rcode.NOERROR and not other.answer
        other.id = q.id
        other.question = q.question
        return other.to_wire()

    p = proxy(_only("mx.example.test", "A", forge))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("mx.example.test", "A")
    assert a.nodata and a.secure is False


def test_replayed_wildcard_expansion_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    """*.wild's signed expansion (192.0.2.99) passed off as the answer for sub.wild, which
    exists with its own record: the signature fits, the NSEC proof does not."""

    def replay(query: bytes, response: bytes, via_tcp: bool, forward: Forward) -> bytes:
        other = dns.message.from_wire(forward(_retarget(query, "x.wild.example.test"), via_tcp))
        target = dns.name.from_text("sub.wild.example.test")
        renamed = []
        for rrset in other.answer:
            moved = dns.rrset.RRset(target, rrset.rdclass, rrset.rdtype, rrset.covers)
            moved.update(rrset)
            renamed.append(moved)
        other.answer = renamed
        return _as_answer_to(query, other)

    p = proxy(_only("sub.wild.example.test", "A", replay))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("sub.wild.example.test", "A")
    assert a.records == ("192.0.2.99",) and a.secure is False


def test_wildcard_answer_without_its_nsec_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def strip(m: dns.message.Message) -> None:
        m.authority = []

    p = proxy(_only("x.wild.example.test", "A", lambda q, resp, t, f: _edit(resp, strip)))
    a = resolver(p.port, trust_anchors=knot.anchors()).query("x.wild.example.test", "A")
    assert a.records == ("192.0.2.99",) and a.secure is False


def test_tampered_dnskey_is_bogus(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    def corrupt(m: dns.message.Message) -> None:
        for i, rrset in enumerate(m.answer):
            if rrset.rdtype == dns.rdatatype.DNSKEY:
                bad = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype)
                for key in rrset:
                    raw = bytearray(key.key)
                    raw[5] ^= 0x01
                    bad.add(key.replace(key=bytes(raw)), rrset.ttl)
                m.answer[i] = bad

    p = proxy(_only("example.test", "DNSKEY", lambda q, resp, t, f: _edit(resp, corrupt)))
    r = resolver(p.port, trust_anchors=knot.anchors("example.test"))
    assert r.query("example.test", "MX").secure is False
    assert r.query("nope.example.test", "A").secure is False


def test_signature_by_a_zone_that_does_not_hold_the_name_is_bogus(
    knot: KnotServer, proxy: Callable[..., DNSProxy]
) -> None:
    """A key we trust (evil.test's) signs a forged mx.example.test A: the signer must be the
    zone holding the name (RFC 4035 §5.3.1), so this must not validate."""
    key = ec.generate_private_key(ec.SECP256R1())
    evil = dns.name.from_text("evil.test")
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
    keyset = dns.rrset.from_rdata(evil, 300, dnskey)
    keyset_sig = dns.rrset.from_rdata(evil, 300, dns.dnssec.sign(keyset, key, evil, dnskey, lifetime=3600))
    owner = dns.name.from_text("mx.example.test")
    forged = dns.rrset.from_text(owner, 300, "IN", "A", "192.0.2.66")
    forged_sig = dns.rrset.from_rdata(owner, 300, dns.dnssec.sign(forged, key, evil, dnskey, lifetime=3600))

    def handler(wire: bytes, via_tcp: bool, forward: Forward) -> bytes:
        q = dns.message.from_wire(wire)
        question = _qname(wire)
        if question in (("evil.test", "DNSKEY"), ("mx.example.test", "A")):
            reply = dns.message.make_response(q)
            reply.flags |= dns.flags.AA
            reply.answer = [keyset, keyset_sig] if question[0] == "evil.test" else [forged, forged_sig]
            return reply.to_wire()
        return forward(wire, via_tcp)

    p = proxy(handler)
    anchors = {**knot.anchors("example.test"), "evil.test": (dnskey.to_text(),)}
    r = resolver(p.port, trust_anchors=anchors)
    assert r.query("evil.test", "DNSKEY").secure is True  # the key itself is trusted
    a = r.query("mx.example.test", "A")
    assert a.records == ("192.0.2.66",) and a.secure is False


# --- cache ---------------------------------------------------------------------------------------------


def test_ttl_cache_serves_without_network(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors=knot.anchors())
    first = r.query("example.test", "MX")
    nx = r.query("nope.example.test", "A")
    sent = p.count
    assert sent >= 2
    assert r.query("EXAMPLE.test.", "mx") == first  # same question, another spelling
    assert r.query("nope.example.test", "A") == nx  # negative answers too (RFC 2308)
    assert p.count == sent


def test_ttl_cache_expires(knot: KnotServer, proxy: Callable[..., DNSProxy], monkeypatch: pytest.MonkeyPatch) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors={})
    r.query("example.test", "MX")
    r.query("example.test", "MX")
    assert p.count == 1
    real = time.monotonic
    monkeypatch.setattr(live, "time", types.SimpleNamespace(monotonic=lambda: real() + 301))
    r.query("example.test", "MX")
    assert p.count == 2


def test_cache_off_asks_every_time(knot: KnotServer, proxy: Callable[..., DNSProxy]) -> None:
    p = proxy()
    r = resolver(p.port, trust_anchors={}, cache=False)
    for _ in range(3):
        r.query("example.test", "MX")
    assert p.count == 3


# --- many questions, many threads --------------------------------------------------------------------

_MIXED = [
    ("example.test", "A"),
    ("example.test", "AAAA"),
    ("example.test", "MX"),
    ("example.test", "TXT"),
    ("mx.example.test", "A"),
    ("mx.example.test", "TXT"),
    ("_25._tcp.mx.example.test", "TLSA"),
    ("www.example.test", "A"),
    ("dangling.example.test", "A"),
    ("ext.example.test", "A"),
    ("x.wild.example.test", "A"),
    ("x.wild.example.test", "MX"),
    ("nope.example.test", "A"),
    ("_tcp.mx.example.test", "A"),
    (BIG_TXT_NAME, "TXT"),
    (reverse_v4("192.0.2.10"), "PTR"),
    (reverse_v6("2001:db8::25"), "PTR"),
    ("2.0.0.127.dnsbl.test", "A"),
    ("66.2.0.192.dnsbl.test", "TXT"),
    ("1.2.0.192.dnsbl.test", "A"),
    ("www.secure.parent.test", "A"),
    ("www.insecure.parent.test", "A"),
    ("unsigned.test", "MX"),
    (BROKEN_ZONE, "A"),
    ("not-served.test", "A"),
]


def _two_hundred() -> list[tuple[str, str]]:
    questions = []
    for i in range(200):
        name, rdtype = _MIXED[i % len(_MIXED)]
        if i % 3 == 1:
            name = name.upper()
        elif i % 3 == 2:
            name += "."
        if i % 7 == 0:
            name, rdtype = f"host{i}.example.test", "A"  # distinct NXDOMAINs
        questions.append((name, rdtype))
    return questions


def test_query_many_matches_serial(knot: KnotServer) -> None:
    questions = _two_hundred()
    serial = resolver(knot.port, trust_anchors=knot.anchors())
    expected = [serial.query(n, t) for n, t in questions]
    parallel = resolver(knot.port, trust_anchors=knot.anchors())
    assert parallel.query_many(questions, max_workers=32) == expected
    uncached = resolver(knot.port, trust_anchors=knot.anchors(), cache=False)
    assert uncached.query_many(questions, max_workers=32) == expected
    statuses = {a.status for a in expected}
    assert statuses == {"NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED"}
    assert {a.secure for a in expected} == {True, None}


def test_query_many_edge_cases(knot: KnotServer) -> None:
    r = resolver(knot.port, trust_anchors={})
    assert r.query_many([]) == []
    assert r.query_many(iter([("example.test", "A")]), max_workers=0)[0].records == ("192.0.2.10",)


def test_repr_and_identity(knot: KnotServer) -> None:
    r = resolver(knot.port)
    assert r.identity == f"live 127.0.0.1:{knot.port}"
    assert "LiveResolver" in repr(r)
    assert resolver(knot.port, trust_ad=True).identity.endswith(" trust-ad")


def test_single_try_and_unknown_type(silent_port: tuple[socket.socket, int]) -> None:
    from mailforensics.errors import InputError

    sock, port = silent_port
    r = LiveResolver([LOOPBACK], port=port, timeout=0.2, lifetime=1.0, tries=1)
    assert r.query("example.test", "A").status == "TIMEOUT"
    assert len(_drain(sock)) == 1
    with pytest.raises(InputError):
        r.query("example.test", "NOSUCHTYPE")
