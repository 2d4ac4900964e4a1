"""Reverse DNS, FCrDNS, generic names, HELO checks (mailforensics.reputation.rdns).

Every answer comes from a ZoneResolver: no socket is opened.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from mailforensics.context import Config, Context
from mailforensics.errors import InputError
from mailforensics.findings import FindingCode, Severity
from mailforensics.reputation import rdns
from mailforensics.reputation.rdns import check_helo, check_ip, compare_rdns, is_generic, reverse_name
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class Counting:
    """Wraps a resolver and keeps the questions asked."""

    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


class Refusing:
    """A resolver that must not be asked anything."""

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        raise AssertionError(f"unexpected DNS query {name} {rdtype}")


ZONE: dict[str, dict[str, list[str] | str] | str] = {
    # FCrDNS passes
    "1.2.0.192.in-addr.arpa": {"PTR": ["Mail.Example.COM."]},
    "mail.example.com": {"A": ["192.0.2.1"], "AAAA": ["2001:db8::25"]},
    # PTR points to a name resolving elsewhere
    "2.2.0.192.in-addr.arpa": {"PTR": ["mx.example.org."]},
    "mx.example.org": {"A": ["198.51.100.9"]},
    # two names, the second confirms
    "3.2.0.192.in-addr.arpa": {"PTR": ["nowhere.example.org.", "relay.example.net."]},
    "relay.example.net": {"A": ["192.0.2.3"]},
    # NODATA at the reverse name
    "4.2.0.192.in-addr.arpa": {"TXT": ["no ptr here"]},
    # PTR lookup fails
    "5.2.0.192.in-addr.arpa": {"PTR": "TIMEOUT"},
    "6.2.0.192.in-addr.arpa": {"PTR": "SERVFAIL"},
    # forward lookup fails
    "7.2.0.192.in-addr.arpa": {"PTR": ["flaky.example.net."]},
    "flaky.example.net": {"A": "TIMEOUT"},
    # generic, forward-confirmed
    "88.2.0.192.in-addr.arpa": {"PTR": ["cpe-192-0-2-88.nyc.res.example.net."]},
    "cpe-192-0-2-88.nyc.res.example.net": {"A": ["192.0.2.88"]},
    # RFC 2317 classless delegation: the PTR sits behind a CNAME
    "9.2.0.192.in-addr.arpa": {"CNAME": ["9.0-25.2.0.192.in-addr.arpa."]},
    "9.0-25.2.0.192.in-addr.arpa": {"PTR": ["classless.example.com."]},
    "classless.example.com": {"A": ["192.0.2.9"]},
    # IPv6
    "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": {"PTR": ["mail.example.com."]},
    "6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": {"PTR": ["v6only.example.com."]},
    "v6only.example.com": {"AAAA": ["2001:db8::99"]},
    # HELO names
    "helo.example.com": {"A": ["192.0.2.1"]},
    "elsewhere.example.com": {"A": ["203.0.113.5"]},
    "nodata.example.com": {"MX": ["10 mail.example.com."]},
    "slow.example.com": {"A": "TIMEOUT"},
    "half.example.com": {"A": ["192.0.2.1"], "AAAA": "TIMEOUT"},
    "mail.example.org": {"A": ["192.0.2.50"]},
}


@pytest.fixture
def zone() -> ZoneResolver:
    return ZoneResolver.from_dict(ZONE)


@pytest.fixture
def ctx(zone: ZoneResolver) -> Context:
    return Context(resolver=zone, now=NOW)


def codes(result: rdns.RDNSResult | rdns.HELOResult) -> list[FindingCode]:
    return [f.code for f in result.findings]


# --- reverse_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("192.0.2.1", "1.2.0.192.in-addr.arpa"),
        ("[203.0.113.7]", "7.113.0.203.in-addr.arpa"),
        ("::ffff:192.0.2.1", "1.2.0.192.in-addr.arpa"),  # IPv4-mapped → IPv4 form
        ("::ffff:c000:0201", "1.2.0.192.in-addr.arpa"),
        (
            "2001:db8::1",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        ),
        (
            "IPv6:2001:DB8:0:0:0:0:0:1",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        ),
        ("fe80::1%eth0", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa"),
    ],
)
def test_reverse_name(ip: str, expected: str) -> None:
    assert reverse_name(ip) == expected


def test_reverse_name_ipv6_is_32_nibbles() -> None:
    name = reverse_name("2001:db8:1234:5678:9abc:def0:1234:5678")
    assert name.endswith(".ip6.arpa")
    assert len(name.removesuffix(".ip6.arpa").split(".")) == 32
    assert name.startswith("8.7.6.5.4.3.2.1.0.f.e.d")


@pytest.mark.parametrize("bad", ["", "not-an-ip", "192.0.2.256", "mail.example.com"])
def test_reverse_name_rejects_non_addresses(bad: str) -> None:
    with pytest.raises(InputError):
        reverse_name(bad)


# --- check_ip ---------------------------------------------------------------------------------


def test_fcrdns_confirmed(ctx: Context) -> None:
    r = check_ip("192.0.2.1", ctx=ctx)
    assert r.ptr_status == "NOERROR"
    assert r.ptr_names == ("mail.example.com",)  # lower case, no trailing dot
    assert r.fcrdns is True
    assert r.confirmed_name == "mail.example.com"
    assert r.name == "mail.example.com"
    assert r.generic is False
    assert r.findings == ()
    assert r.forward[0].rdtype == "A" and r.forward[0].matches


def test_fcrdns_not_confirmed(ctx: Context) -> None:
    r = check_ip("192.0.2.2", ctx=ctx)
    assert r.fcrdns is False
    assert r.confirmed_name is None
    assert r.name == "mx.example.org"
    assert codes(r) == [FindingCode.RDNS_NOT_CONFIRMED]
    assert r.findings[0].severity is Severity.WARNING
    assert ("mx.example.org A", "198.51.100.9") in r.findings[0].evidence


def test_second_ptr_name_confirms(ctx: Context) -> None:
    r = check_ip("192.0.2.3", ctx=ctx)
    assert r.ptr_names == ("nowhere.example.org", "relay.example.net")
    assert r.fcrdns is True
    assert r.confirmed_name == "relay.example.net"
    assert [f.status for f in r.forward] == ["NXDOMAIN", "NOERROR"]


def test_no_ptr_nxdomain(ctx: Context) -> None:
    r = check_ip("192.0.2.200", ctx=ctx)
    assert r.ptr_status == "NXDOMAIN"
    assert r.ptr_names == ()
    assert r.fcrdns is False
    assert codes(r) == [FindingCode.RDNS_NONE]


def test_no_ptr_nodata(ctx: Context) -> None:
    r = check_ip("192.0.2.4", ctx=ctx)
    assert r.ptr_status == "NOERROR"
    assert r.fcrdns is False
    assert codes(r) == [FindingCode.RDNS_NONE]
    assert "no PTR records" in r.findings[0].detail


@pytest.mark.parametrize(("ip", "status"), [("192.0.2.5", "TIMEOUT"), ("192.0.2.6", "SERVFAIL")])
def test_ptr_temporary_failure(ctx: Context, ip: str, status: str) -> None:
    r = check_ip(ip, ctx=ctx)
    assert r.ptr_status == status  # the status is kept
    assert r.fcrdns is None  # unknown, not False
    assert codes(r) == [FindingCode.DNS_TEMPERROR]
    assert r.findings[0].severity is Severity.ERROR


def test_forward_lookup_timeout(ctx: Context) -> None:
    r = check_ip("192.0.2.7", ctx=ctx)
    assert r.ptr_names == ("flaky.example.net",)
    assert r.fcrdns is None
    assert codes(r) == [FindingCode.DNS_TEMPERROR]
    assert r.forward[0].status == "TIMEOUT"


def test_generic_confirmed_name(ctx: Context) -> None:
    r = check_ip("192.0.2.88", ctx=ctx)
    assert r.fcrdns is True
    assert r.generic is True
    assert codes(r) == [FindingCode.RDNS_GENERIC]
    assert r.findings[0].severity is Severity.NOTICE
    assert any("192-0-2-88" in reason for reason in r.generic_reasons)
    assert any("'cpe'" in reason for reason in r.generic_reasons)


def test_classless_delegation_cname(ctx: Context) -> None:
    r = check_ip("192.0.2.9", ctx=ctx)
    assert r.ptr_names == ("classless.example.com",)
    assert r.fcrdns is True


def test_ipv6_fcrdns(ctx: Context) -> None:
    r = check_ip("2001:db8::25", ctx=ctx)
    assert r.reverse_name.endswith(".ip6.arpa")
    assert r.fcrdns is True
    assert r.forward[0].rdtype == "AAAA"
    r2 = check_ip("2001:0db8:0000::26", ctx=ctx)
    assert r2.ip == "2001:db8::26"
    assert r2.fcrdns is False  # v6only.example.com has 2001:db8::99
    assert codes(r2) == [FindingCode.RDNS_NOT_CONFIRMED]


def test_ipv4_mapped_checks_ipv4(zone: ZoneResolver) -> None:
    counting = Counting(zone)
    r = check_ip("::ffff:192.0.2.1", ctx=Context(resolver=counting, now=NOW))
    assert r.ip == "192.0.2.1"
    assert counting.asked == [("1.2.0.192.in-addr.arpa", "PTR"), ("mail.example.com", "A")]
    assert r.fcrdns is True


def test_at_most_ten_names_are_forward_checked() -> None:
    ptrs = [f"n{i}.example.net." for i in range(12)]
    data: dict[str, dict[str, list[str]]] = {"1.2.0.192.in-addr.arpa": {"PTR": ptrs}}
    for i in range(12):
        data[f"n{i}.example.net"] = {"A": ["198.51.100.1"]}
    data["n11.example.net"] = {"A": ["192.0.2.1"]}  # only the 12th name would confirm
    counting = Counting(ZoneResolver.from_dict(data))
    r = check_ip("192.0.2.1", ctx=Context(resolver=counting, now=NOW))
    forward_queries = [q for q in counting.asked if q[1] == "A"]
    assert len(forward_queries) == rdns.MAX_PTR_NAMES == 10
    assert r.ptr_truncated is True
    assert len(r.ptr_names) == 12
    assert r.fcrdns is False


def test_stops_at_first_confirmed_name() -> None:
    data = {
        "1.2.0.192.in-addr.arpa": {"PTR": ["a.example.net.", "b.example.net."]},
        "a.example.net": {"A": ["192.0.2.1"]},
        "b.example.net": {"A": ["192.0.2.1"]},
    }
    counting = Counting(ZoneResolver.from_dict(data))
    r = check_ip("192.0.2.1", ctx=Context(resolver=counting, now=NOW))
    assert r.confirmed_name == "a.example.net"
    assert ("b.example.net", "A") not in counting.asked


def test_where_is_passed_through(ctx: Context) -> None:
    r = check_ip("192.0.2.2", ctx=ctx, where="hop 3")
    assert r.findings[0].where == "hop 3"
    assert check_ip("192.0.2.2", ctx=ctx).findings[0].where == "ip 192.0.2.2"


def test_check_ip_rejects_non_address(ctx: Context) -> None:
    with pytest.raises(InputError):
        check_ip("mail.example.com", ctx=ctx)


def test_results_are_frozen(ctx: Context) -> None:
    r = check_ip("192.0.2.1", ctx=ctx)
    with pytest.raises(AttributeError):
        r.fcrdns = False  # type: ignore[misc]
    assert isinstance(r.ptr_names, tuple) and isinstance(r.findings, tuple)


# --- is_generic -------------------------------------------------------------------------------

GENERIC = [
    ("cpe-192-0-2-88.nyc.res.example.net", "192.0.2.88", "octets in order"),
    ("c-203-0-113-7.hsd1.ma.comcast.example", "203.0.113.7", "octets in order"),
    ("ip-192-0-2-1.ec2.internal", "192.0.2.1", "octets in order"),
    ("198-51-100-23.static.example.net", "198.51.100.23", "octets in order"),  # "static" does not save it
    ("host-c0000201.example.net", "192.0.2.1", "hex"),
    ("192.0.2.88.example.net", "192.0.2.88", "octets in order"),
    ("192_0_2_88.example.net", "192.0.2.88", "octets in order"),
    ("192-000-002-088.example.net", "192.0.2.88", "octets in order"),  # zero-padded
    ("074-066-241-088.example.net", "74.66.241.88", "octets in order"),
    ("88-2-0-192.example.net", "192.0.2.88", "octets reversed"),
    ("88.2.0.192.dsl.example.net", "192.0.2.88", "octets reversed"),
    ("x192000002088.example.net", "192.0.2.88", "zero-padded"),
    ("h088002000192.example.net", "192.0.2.88", "zero-padded octets reversed"),
    ("dyn-3221226072.example.net", "192.0.2.88", "decimal integer"),
    ("h3221226072.example.net", "192.0.2.88", "decimal integer"),
    ("host-c0000258.example.net", "192.0.2.88", "hex"),
    ("n580200c0.example.net", "192.0.2.88", "hex, octets reversed"),
    ("113-7.hsd.example.net", "203.0.113.7", "last two octets"),
    ("0-2-88.example.net", "192.0.2.88", "last three octets"),
    ("100-23.broadband.example.net", "198.51.100.23", "last two octets"),
    ("adsl-pool.example.net", "192.0.2.1", "generic word 'adsl'"),
    ("dynamic.nyc.example.net", "192.0.2.1", "generic word 'dynamic'"),
    ("dhcp-17.campus.example.edu", "192.0.2.1", "generic word 'dhcp'"),
    ("ppp12.isp.example.net", "192.0.2.1", "generic word 'ppp'"),
    ("customer.nyc.example.net", "192.0.2.1", "generic word 'customer'"),
    ("unassigned.example.net", "192.0.2.1", "generic word 'unassigned'"),
    ("unknown", "192.0.2.1", "generic word 'unknown'"),
    ("user-17.isp.example.net", "192.0.2.1", "generic word 'user'"),
    ("client-55.isp.example.net", "192.0.2.1", "generic word 'client'"),
    ("ip12.isp.example.net", "192.0.2.1", "'ip' prefix"),
    ("2001-db8--1.v6.example.net", "2001:db8::1", "embedded IPv6 address"),
    ("2001-db8-0-0-0-0-0-1.example.net", "2001:db8::1", "hextets"),
    ("2001-0db8-0000-0000-0000-0000-0000-0001.example.net", "2001:db8::1", "all nibbles"),
    ("20010db8000000000000000000000001.example.net", "2001:db8::1", "all nibbles"),
    ("host-1234-5678-9abc-def0.example.net", "2001:db8::1234:5678:9abc:def0", "interface identifier"),
]

NOT_GENERIC = [
    ("mail.example.com", "192.0.2.1"),
    ("mx-01.example.com", "192.0.2.1"),
    ("mx1.example.com", "192.0.2.1"),
    ("mx2.example.com", "192.0.2.2"),
    ("smtp.example.org", "198.51.100.23"),
    ("mail2.example.net", "192.0.2.2"),
    ("outbound.protection.example.com", "203.0.113.7"),
    ("mail-wr1-f41.google.example", "192.0.2.88"),
    ("a27-123.smtp-out.example.com", "192.0.2.88"),
    ("o1.email.example.com", "192.0.2.1"),
    ("relay.dynamics.example", "192.0.2.1"),  # the word is in the registrable part
    ("mail.resources.example.com", "192.0.2.1"),  # "resources" is not "res"
    ("poolside.example.com", "192.0.2.1"),
    ("mta7.am0.example.net", "192.0.2.7"),
    ("mx-2-1.example.com", "192.0.2.1"),  # too few digits to be an address fragment
    ("srv1-1-1.example.com", "10.1.1.1"),
    ("static.example.net", "192.0.2.1"),  # "static" alone is not generic
    ("host.example.net", "192.0.2.1"),  # "host" alone is not generic
    ("mail.example.com", "2001:db8::1"),
    ("mx.v6.example.net", "2001:db8::1"),
]


@pytest.mark.parametrize(("name", "ip", "reason"), GENERIC)
def test_generic_names(name: str, ip: str, reason: str) -> None:
    generic, reasons = is_generic(name, ip)
    assert generic, name
    assert any(reason in r for r in reasons), (name, reasons)


@pytest.mark.parametrize(("name", "ip"), NOT_GENERIC)
def test_not_generic_names(name: str, ip: str) -> None:
    assert is_generic(name, ip) == (False, ())


def test_generic_name_count() -> None:
    assert len(GENERIC) + len(NOT_GENERIC) >= 25


def test_generic_reason_names_the_match() -> None:
    _, reasons = is_generic("cpe-192-0-2-88.nyc.res.example.net", "192.0.2.88")
    assert reasons[0] == "embedded IP, octets in order: '192-0-2-88'"
    assert "generic word 'res'" in reasons


def test_generic_case_and_trailing_dot() -> None:
    assert is_generic("CPE-192-0-2-88.NYC.RES.EXAMPLE.NET.", "192.0.2.88")[0]


def test_generic_without_ip_uses_words() -> None:
    assert is_generic("adsl-17.example.net", None)[0]
    assert not is_generic("198-51-100-23.example.net", None)[0]
    assert not is_generic("198-51-100-23.example.net", "not an ip")[0]
    assert is_generic("", "192.0.2.1") == (False, ())


def test_generic_is_linear_time() -> None:
    hostile = ("1-" * 50_000) + "a" + ("-dsl" * 20_000) + ".example.net"
    zeros = ("0-" * 100_000) + ".example.net"  # every run matches the first octet of 0.0
    start = time.perf_counter()
    is_generic(hostile, "192.0.2.1")
    is_generic(zeros, "192.0.0.0")
    is_generic(zeros, "2001:db8::")
    assert time.perf_counter() - start < 5.0  # quadratic behaviour would take minutes


# --- check_helo -------------------------------------------------------------------------------


def test_helo_literal_matching_ip() -> None:
    ctx = Context(resolver=Refusing(), now=NOW)  # a literal needs no DNS
    r = check_helo("[192.0.2.1]", ip="192.0.2.1", ctx=ctx)
    assert r.is_ip_literal and r.literal_matches_ip is True
    assert codes(r) == [FindingCode.HELO_IS_IP_LITERAL]
    assert r.findings[0].severity is Severity.NOTICE


def test_helo_literal_other_ip() -> None:
    r = check_helo("[198.51.100.1]", ip="192.0.2.1", ctx=Context(resolver=Refusing(), now=NOW))
    assert r.literal_matches_ip is False
    assert r.findings[0].severity is Severity.WARNING
    assert "not the connecting address" in r.findings[0].detail


def test_helo_ipv6_literal_and_bare_ip() -> None:
    ctx = Context(resolver=Refusing(), now=NOW)
    r = check_helo("[IPv6:2001:db8::1]", ip="2001:db8:0::1", ctx=ctx)
    assert r.is_ip_literal and r.literal_ip == "2001:db8::1" and r.literal_matches_ip is True
    bare = check_helo("192.0.2.1", ip="192.0.2.1", ctx=ctx)
    assert bare.is_ip_literal and codes(bare) == [FindingCode.HELO_IS_IP_LITERAL]


def test_helo_resolves_to_ip(ctx: Context) -> None:
    r = check_helo("helo.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.resolves is True and r.matches_ip is True
    assert r.findings == ()


def test_helo_nxdomain(ctx: Context) -> None:
    r = check_helo("made-up.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.resolves is False
    assert codes(r) == [FindingCode.HELO_NOT_RESOLVING]
    assert r.findings[0].severity is Severity.WARNING
    assert ("A", "NXDOMAIN") in r.statuses


def test_helo_nodata(ctx: Context) -> None:
    r = check_helo("nodata.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.resolves is False
    assert codes(r) == [FindingCode.HELO_NOT_RESOLVING]


def test_helo_resolves_elsewhere(ctx: Context) -> None:
    r = check_helo("elsewhere.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.resolves is True and r.matches_ip is False
    assert r.addresses == ("203.0.113.5",)
    assert codes(r) == [FindingCode.HELO_NOT_MATCHING_IP]
    assert r.findings[0].severity is Severity.NOTICE
    assert ("reason", "other-address") in r.findings[0].evidence


def test_helo_timeout(ctx: Context) -> None:
    r = check_helo("slow.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.resolves is None and r.matches_ip is None
    assert codes(r) == [FindingCode.DNS_TEMPERROR]


def test_helo_failed_aaaa_does_not_matter_once_a_matches(ctx: Context) -> None:
    r = check_helo("half.example.com", ip="192.0.2.1", ctx=ctx)
    assert r.matches_ip is True and r.findings == ()
    assert ("AAAA", "TIMEOUT") in r.statuses
    r2 = check_helo("half.example.com", ip="198.51.100.1", ctx=ctx)
    assert r2.matches_ip is None  # the AAAA records might have held it
    assert codes(r2) == [FindingCode.DNS_TEMPERROR]


def test_helo_differs_from_rdns(ctx: Context) -> None:
    r = check_helo(
        "helo.example.com", ip="192.0.2.1", rdns_then="cpe-192-0-2-1.res.example.net", rdns_now=None, ctx=ctx
    )
    assert r.same_domain_as_rdns is False
    assert codes(r) == [FindingCode.HELO_DIFFERS_FROM_RDNS]


def test_helo_same_registrable_domain_as_rdns(ctx: Context) -> None:
    r = check_helo("helo.example.com", ip="192.0.2.1", rdns_then="Mail.Example.com.", ctx=ctx)
    assert r.same_domain_as_rdns is True
    assert r.findings == ()
    r2 = check_helo("helo.example.com", ip="192.0.2.1", rdns_now=("x.example.org", "mx.example.com"), ctx=ctx)
    assert r2.same_domain_as_rdns is True


def test_helo_unknown_rdns_is_no_name(ctx: Context) -> None:
    r = check_helo("helo.example.com", ip="192.0.2.1", rdns_then="unknown", ctx=ctx)
    assert r.rdns_names == () and r.same_domain_as_rdns is None


def test_helo_claims_recipient_domain(ctx: Context) -> None:
    r = check_helo("mail.example.org", ip="192.0.2.50", recipient_domains=("Example.ORG",), ctx=ctx)
    assert r.claims_recipient_domain is True
    assert FindingCode.HELO_CLAIMS_RECIPIENT_DOMAIN in codes(r)
    claim = next(f for f in r.findings if f.code is FindingCode.HELO_CLAIMS_RECIPIENT_DOMAIN)
    assert claim.severity is Severity.ALERT


def test_helo_recipient_domain_from_internal_ip_is_fine(zone: ZoneResolver) -> None:
    ctx = Context(resolver=zone, now=NOW, config=Config(trusted_networks=("192.0.2.0/24",)))
    r = check_helo("mail.example.org", ip="192.0.2.50", recipient_domains=("example.org",), ctx=ctx)
    assert r.claims_recipient_domain is False
    assert r.findings == ()
    # a private address is internal by default
    r2 = check_helo("mail.example.org", ip="10.1.2.3", recipient_domains=("example.org",), ctx=ctx)
    assert r2.claims_recipient_domain is False


def test_helo_lookalike_is_not_recipient_domain(ctx: Context) -> None:
    r = check_helo("mail.notexample.org", ip="192.0.2.50", recipient_domains=("example.org",), ctx=ctx)
    assert r.claims_recipient_domain is False


def test_helo_recipient_domains_must_be_a_sequence(ctx: Context) -> None:
    with pytest.raises(InputError):
        check_helo("mail.example.org", ip="192.0.2.50", recipient_domains="example.org", ctx=ctx)


def test_helo_empty() -> None:
    r = check_helo("  ", ip="192.0.2.1", ctx=Context(resolver=Refusing(), now=NOW))
    assert r.findings == () and r.resolves is None


# --- compare_rdns -----------------------------------------------------------------------------


def test_compare_rdns_same_ignores_case_and_dot() -> None:
    assert compare_rdns("Mail.Example.com.", "mail.example.com") is None
    assert compare_rdns("mail.example.com", ("other.example.net", "MAIL.example.com.")) is None
    assert compare_rdns(None, None) is None
    assert compare_rdns("unknown", None) is None


def test_compare_rdns_changed() -> None:
    f = compare_rdns("mail.example.com", "cpe-192-0-2-1.res.example.net", where="hop 2")
    assert f is not None
    assert f.code is FindingCode.RDNS_CHANGED and f.where == "hop 2"
    assert ("then", "mail.example.com") in f.evidence
    gone = compare_rdns("mail.example.com", None)
    assert gone is not None and "(none)" in gone.detail
    new = compare_rdns(None, ("mail.example.com",))
    assert new is not None and new.code is FindingCode.RDNS_CHANGED
