"""DNS blocklists (mailforensics.reputation.dnsbl).

Every zone here (``dnsbl.test``, ``uri.test``, ...) is served by a ZoneResolver; the
well-known lists in DEFAULT_ZONES are only inspected, never queried.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.findings import FindingCode, Severity
from mailforensics.reputation import dnsbl
from mailforensics.reputation.dnsbl import (
    DEFAULT_ZONES,
    DNSBLZone,
    ZoneHealth,
    check_domains,
    check_ips,
    probe_zone,
    query_name,
)
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
V6_LISTED = "2001:db8::dead"
V6_NAME = ".".join(reversed("20010db80000000000000000" + "0000dead"))

IP_ZONE = DNSBLZone(
    zone="dnsbl.test",
    kind="ip",
    label="Test DNSBL",
    codes={"127.0.0.2": "spam source", "127.0.0.4": "infected host", "127.0.0.10": "end-user range"},
    severities={"infected host": Severity.ALERT, "end-user range": Severity.NOTICE},
)
V4ONLY_ZONE = DNSBLZone(zone="v4only.test", kind="ip", ipv6=False)
URI_ZONE = DNSBLZone(
    zone="uri.test",
    kind="domain",
    label="Test URI BL",
    bitmask={8: "PH", 16: "MW", 64: "ABUSE"},
    error_codes={"127.0.0.1": "query refused"},
    severities={"PH": Severity.ALERT, "MW": Severity.ALERT},
)
RHS_ZONE = DNSBLZone(zone="rhsbl.test", kind="domain", codes={"127.0.1.2": "spam domain"})

DATA: dict[str, dict[str, list[str] | str] | str] = {
    # dnsbl.test: RFC 5782 §5 test point, listings, errors
    "2.0.0.127.dnsbl.test": {"A": ["127.0.0.2"], "TXT": ["test point"]},
    "99.2.0.192.dnsbl.test": {"A": ["127.0.0.10"], "TXT": ["end-user range, see https://dnsbl.test/q?192.0.2.99"]},
    "94.2.0.192.dnsbl.test": {"A": ["127.0.0.2", "127.0.0.4"]},
    "93.2.0.192.dnsbl.test": {"A": ["127.0.0.2"]},  # listed, no TXT
    "98.2.0.192.dnsbl.test": {"A": ["127.255.255.254"]},
    "97.2.0.192.dnsbl.test": {"A": ["203.0.113.250"]},  # outside 127/8
    "96.2.0.192.dnsbl.test": {"A": "TIMEOUT"},
    "95.2.0.192.dnsbl.test": {"A": "SERVFAIL"},
    "92.2.0.192.dnsbl.test": {"A": ["127.0.0.77"]},  # a code the map does not know
    V6_NAME + ".dnsbl.test": {"A": ["127.0.0.2"]},
    "2.0.0.127.v4only.test": {"A": ["127.0.0.2"]},
    # uri.test: bitmask domain list
    "test.uri.test": {"A": ["127.0.0.88"]},
    "phish.example.uri.test": {"A": ["127.0.0.8"], "TXT": ['"Blocked, " "see https://uri.test/"']},
    "both.example.uri.test": {"A": ["127.0.0.80"]},  # 16 + 64
    "odd.example.uri.test": {"A": ["127.0.0.12"]},  # 8 + unknown 4
    "refused.example.uri.test": {"A": ["127.0.0.1"]},
    "xn--bcher-kva.example.uri.test": {"A": ["127.0.0.64"]},
    "99.2.0.192.uri.test": {"A": ["127.0.0.64"]},  # a numeric URL host, reversed
    # rhsbl.test
    "test.rhsbl.test": {"A": ["127.0.1.2"]},
    "spam.example.rhsbl.test": {"A": ["127.0.1.2"]},
    # a resolver that rewrites NXDOMAIN under nxrewrite.test to an ad server
    "*.nxrewrite.test": {"A": ["198.51.100.200"]},
    # a zone that lists everything
    "*.listall.test": {"A": ["127.0.0.2"]},
    # a mirror that refuses us (Spamhaus-style 127.255.255.254 for everything)
    "*.refused.test": {"A": ["127.255.255.254"]},
    # a dead zone: nothing listed, not even the test point
    "ns.dead.test": {"A": ["192.0.2.53"]},
    # test points time out
    "2.0.0.127.flaky.test": {"A": "TIMEOUT"},
    "1.0.0.127.flaky.test": {"A": "TIMEOUT"},
    "99.2.0.192.flaky.test": {"A": ["127.0.0.2"]},
}


class Counting:
    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


@pytest.fixture
def resolver() -> Counting:
    return Counting(ZoneResolver.from_dict(DATA))


@pytest.fixture
def ctx(resolver: Counting) -> Context:
    return Context(resolver=resolver, now=NOW)


def one(results: tuple[dnsbl.DNSBLResult, ...]) -> dnsbl.DNSBLResult:
    assert len(results) == 1, results
    return results[0]


# --- query names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("192.0.2.99", "99.2.0.192.dnsbl.test"),
        ("[192.0.2.99]", "99.2.0.192.dnsbl.test"),
        ("::ffff:192.0.2.99", "99.2.0.192.dnsbl.test"),
        ("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.dnsbl.test"),
        ("Example.COM.", "example.com.dnsbl.test"),
        ("bücher.example", "xn--bcher-kva.example.dnsbl.test"),
        ("BÜCHER.example", "xn--bcher-kva.example.dnsbl.test"),
    ],
)
def test_query_name(item: str, expected: str) -> None:
    assert query_name(item, "dnsbl.test") == expected
    assert query_name(item, IP_ZONE) == expected


def test_query_name_ipv6_reversed_nibbles() -> None:
    name = query_name("2001:db8:1234::5678", "dnsbl.test")
    labels = name.removesuffix(".dnsbl.test").split(".")
    assert len(labels) == 32 and labels[:4] == ["8", "7", "6", "5"]


@pytest.mark.parametrize("bad", ["", "a..b", "x" * 64 + ".example", ".".join(["abcdefghi"] * 30)])
def test_query_name_rejects_bad_domains(bad: str) -> None:
    with pytest.raises(InputError):
        query_name(bad, "dnsbl.test")


# --- IP lookups -------------------------------------------------------------------------------


def test_listed_with_meaning_txt_and_severity(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.99"], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "listed" and r.listed is True
    assert r.codes == ("127.0.0.10",)
    assert r.meanings == ("end-user range",)
    assert r.txt == "end-user range, see https://dnsbl.test/q?192.0.2.99"
    assert r.query == "99.2.0.192.dnsbl.test"
    (finding,) = r.findings
    assert finding.code is FindingCode.DNSBL_LISTED
    assert finding.severity is Severity.NOTICE  # a policy (PBL-like) listing
    assert "end-user range" in finding.detail
    assert ("txt", r.txt) in finding.evidence


def test_several_codes_take_the_highest_severity(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.94"], zones=(IP_ZONE,), ctx=ctx))
    assert set(r.codes) == {"127.0.0.2", "127.0.0.4"}
    assert set(r.meanings) == {"spam source", "infected host"}
    assert r.findings[0].severity is Severity.ALERT
    assert r.txt is None


def test_unknown_code_is_still_a_listing(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.92"], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "listed" and r.meanings == ("listed (127.0.0.77)",)
    assert r.findings[0].severity is Severity.WARNING  # the zone's default


def test_not_listed(ctx: Context, resolver: Counting) -> None:
    r = one(check_ips(["192.0.2.1"], zones=(IP_ZONE,), ctx=ctx, probe=False))
    assert r.status == "not-listed" and r.listed is False
    assert r.findings == () and r.txt is None
    assert resolver.asked == [("1.2.0.192.dnsbl.test", "A")]  # no TXT when not listed


def test_txt_is_one_extra_query_when_listed(ctx: Context, resolver: Counting) -> None:
    check_ips(["192.0.2.99"], zones=(IP_ZONE,), ctx=ctx, probe=False)
    assert resolver.asked == [("99.2.0.192.dnsbl.test", "A"), ("99.2.0.192.dnsbl.test", "TXT")]


def test_127_255_255_x_is_an_error_not_a_listing(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.98"], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "error" and r.listed is None
    assert r.codes == ("127.255.255.254",)
    assert "127.255.255.0/24" in (r.error or "")
    assert [f.code for f in r.findings] == [FindingCode.DNSBL_ERROR]


def test_spamhaus_error_codes_are_named() -> None:
    zen = dnsbl.SPAMHAUS_ZEN
    resolver = ZoneResolver.from_dict(
        {
            "2.0.0.127.zen.spamhaus.org": {"A": ["127.0.0.2"]},
            "99.2.0.192.zen.spamhaus.org": {"A": ["127.255.255.254"]},
            "98.2.0.192.zen.spamhaus.org": {"A": ["127.255.255.252"]},
        }
    )
    ctx = Context(resolver=resolver, now=NOW)
    a, b = check_ips(["192.0.2.99", "192.0.2.98"], zones=(zen,), ctx=ctx)
    assert a.status == b.status == "error"
    assert "public or open resolver" in (a.error or "")
    assert "typing error" in (b.error or "")


def test_answer_outside_loopback_is_an_error(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.97"], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "error" and r.listed is None
    assert "outside 127.0.0.0/8" in (r.error or "")
    assert r.findings[0].code is FindingCode.DNSBL_ERROR


@pytest.mark.parametrize(("ip", "status"), [("192.0.2.96", "TIMEOUT"), ("192.0.2.95", "SERVFAIL")])
def test_dns_failure_is_error_with_temperror(ctx: Context, ip: str, status: str) -> None:
    r = one(check_ips([ip], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "error" and r.listed is None
    assert r.error == f"DNS {status}"
    assert [f.code for f in r.findings] == [FindingCode.DNS_TEMPERROR]


def test_ipv6_lookup(ctx: Context) -> None:
    r = one(check_ips([V6_LISTED], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "listed" and r.item == "2001:db8::dead"
    assert r.query == V6_NAME + ".dnsbl.test"


def test_ipv6_skipped_on_ipv4_only_list(ctx: Context) -> None:
    results = check_ips([V6_LISTED, "192.0.2.1"], zones=(IP_ZONE, V4ONLY_ZONE), ctx=ctx)
    assert [(r.item, r.zone) for r in results] == [
        ("2001:db8::dead", "dnsbl.test"),
        ("192.0.2.1", "dnsbl.test"),
        ("192.0.2.1", "v4only.test"),
    ]


def test_items_are_deduplicated(ctx: Context, resolver: Counting) -> None:
    results = check_ips(
        ["192.0.2.99", "192.0.2.99", "::ffff:192.0.2.99", "[192.0.2.99]", "192.0.2.1"],
        zones=(IP_ZONE,),
        ctx=ctx,
        probe=False,
    )
    assert [r.item for r in results] == ["192.0.2.99", "192.0.2.1"]
    assert resolver.asked.count(("99.2.0.192.dnsbl.test", "A")) == 1


def test_bad_item_is_an_error_result(ctx: Context) -> None:
    r = one(check_ips(["mail.example.com"], zones=(IP_ZONE,), ctx=ctx))
    assert r.status == "error" and "not an IP address" in (r.error or "")
    assert r.findings[0].code is FindingCode.DNSBL_ERROR


def test_unusable_arguments_raise(ctx: Context) -> None:
    with pytest.raises(InputError):
        check_ips("192.0.2.1", zones=(IP_ZONE,), ctx=ctx)
    with pytest.raises(InputError):
        check_ips(["192.0.2.1"], zones=IP_ZONE, ctx=ctx)  # type: ignore[arg-type]


def test_check_ips_skips_domain_zones(ctx: Context) -> None:
    results = check_ips(["192.0.2.99"], zones=(IP_ZONE, URI_ZONE), ctx=ctx)
    assert [r.zone for r in results] == ["dnsbl.test"]
    assert check_ips(["192.0.2.99"], zones=(URI_ZONE,), ctx=ctx) == ()


def test_where(ctx: Context) -> None:
    r = one(check_ips(["192.0.2.99"], zones=(IP_ZONE,), ctx=ctx, where="hop 2"))
    assert r.findings[0].where == "hop 2"
    r2 = one(check_ips(["192.0.2.99"], zones=(IP_ZONE,), ctx=ctx))
    assert r2.findings[0].where == "192.0.2.99"


# --- domain lookups and bitmasks --------------------------------------------------------------


def test_bitmask_single_bit(ctx: Context) -> None:
    r = one(check_domains(["Phish.Example."], zones=(URI_ZONE,), ctx=ctx))
    assert r.item == "phish.example"
    assert r.status == "listed" and r.meanings == ("PH",)
    assert r.txt == "Blocked, see https://uri.test/"  # character-strings joined
    assert r.findings[0].severity is Severity.ALERT


def test_bitmask_several_bits(ctx: Context) -> None:
    r = one(check_domains(["both.example"], zones=(URI_ZONE,), ctx=ctx))
    assert r.codes == ("127.0.0.80",)
    assert r.meanings == ("MW", "ABUSE")


def test_bitmask_unknown_bits_reported(ctx: Context) -> None:
    r = one(check_domains(["odd.example"], zones=(URI_ZONE,), ctx=ctx))
    assert r.meanings == ("PH", "unknown bits 4 (127.0.0.12)")


def test_zone_error_code_is_not_a_listing(ctx: Context) -> None:
    r = one(check_domains(["refused.example"], zones=(URI_ZONE,), ctx=ctx))
    assert r.status == "error" and r.listed is None
    assert "query refused" in (r.error or "")


def test_idn_domain(ctx: Context) -> None:
    r = one(check_domains(["bücher.example"], zones=(URI_ZONE,), ctx=ctx))
    assert r.item == "xn--bcher-kva.example"
    assert r.status == "listed" and r.meanings == ("ABUSE",)


def test_numeric_host_in_domain_list(ctx: Context) -> None:
    r = one(check_domains(["192.0.2.99"], zones=(URI_ZONE,), ctx=ctx))
    assert r.query == "99.2.0.192.uri.test" and r.status == "listed"


def test_domain_not_listed_and_exact_codes(ctx: Context) -> None:
    results = check_domains(["clean.example", "spam.example", "clean.example"], zones=(RHS_ZONE,), ctx=ctx)
    assert [(r.item, r.status) for r in results] == [("clean.example", "not-listed"), ("spam.example", "listed")]
    assert results[1].meanings == ("spam domain",)


def test_bad_domain_is_an_error_result(ctx: Context) -> None:
    r = one(check_domains(["a..b"], zones=(RHS_ZONE,), ctx=ctx))
    assert r.status == "error" and r.findings[0].code is FindingCode.DNSBL_ERROR


def test_check_domains_skips_ip_zones(ctx: Context) -> None:
    assert check_domains(["spam.example"], zones=(IP_ZONE,), ctx=ctx) == ()


# --- zone health ------------------------------------------------------------------------------


def test_probe_healthy_ip_zone(ctx: Context, resolver: Counting) -> None:
    h = probe_zone(IP_ZONE, ctx=ctx)
    assert h.usable is True and h.findings == ()
    assert [(p.item, p.expect_listed, p.status) for p in h.probes] == [
        ("127.0.0.2", True, "NOERROR"),
        ("127.0.0.1", False, "NXDOMAIN"),
    ]
    assert resolver.asked == [("2.0.0.127.dnsbl.test", "A"), ("1.0.0.127.dnsbl.test", "A")]


def test_probe_healthy_domain_zone(ctx: Context, resolver: Counting) -> None:
    h = probe_zone(RHS_ZONE, ctx=ctx)
    assert h.usable is True
    assert [p.query for p in h.probes] == ["test.rhsbl.test", "invalid.rhsbl.test"]


def test_nxdomain_rewriting_resolver_is_caught(ctx: Context, resolver: Counting) -> None:
    zone = DNSBLZone(zone="nxrewrite.test", kind="ip")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is False
    assert "outside 127.0.0.0/8" in h.reason
    assert [f.code for f in h.findings] == [FindingCode.DNSBL_ZONE_UNUSABLE]
    # check_ips then says "zone-unusable", never "listed"
    resolver.asked.clear()
    results = check_ips(["192.0.2.1", "192.0.2.2"], zones=(zone,), ctx=ctx)
    assert [r.status for r in results] == ["zone-unusable", "zone-unusable"]
    assert all(r.listed is None for r in results)
    # the unusable-zone finding is reported once per zone and call
    assert [f.code for f in results[0].findings] == [FindingCode.DNSBL_ZONE_UNUSABLE]
    assert results[1].findings == ()
    # and the items themselves were never looked up
    assert ("1.2.0.192.nxrewrite.test", "A") not in resolver.asked


def test_zone_listing_everything_is_unusable(ctx: Context) -> None:
    zone = DNSBLZone(zone="listall.test", kind="ip")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is False and "lists everything" in h.reason
    r = one(check_ips(["192.0.2.1"], zones=(zone,), ctx=ctx))
    assert r.status == "zone-unusable"


def test_domain_zone_listing_invalid_is_unusable(ctx: Context) -> None:
    zone = DNSBLZone(zone="listall.test", kind="domain")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is False
    assert "invalid" in h.reason


def test_refusing_mirror_is_unusable(ctx: Context) -> None:
    zone = DNSBLZone(zone="refused.test", kind="ip")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is False and "127.255.255.254" in h.reason


def test_dead_zone_is_unusable(ctx: Context) -> None:
    zone = DNSBLZone(zone="dead.test", kind="ip")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is False and "not listed" in h.reason


def test_probe_timeout_is_unknown_and_lookups_go_on(ctx: Context) -> None:
    zone = DNSBLZone(zone="flaky.test", kind="ip")
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is None and h.findings == ()
    r = one(check_ips(["192.0.2.99"], zones=(zone,), ctx=ctx))
    assert r.status == "listed"


def test_zone_without_test_points(ctx: Context, resolver: Counting) -> None:
    zone = DNSBLZone(zone="dead.test", kind="ip", test_ip=())
    h = probe_zone(zone, ctx=ctx)
    assert h.usable is None and resolver.asked == []
    assert one(check_ips(["192.0.2.1"], zones=(zone,), ctx=ctx)).status == "not-listed"


def test_probe_once_per_call(ctx: Context, resolver: Counting) -> None:
    check_ips([f"192.0.2.{i}" for i in range(10)], zones=(IP_ZONE,), ctx=ctx)
    assert resolver.asked.count(("2.0.0.127.dnsbl.test", "A")) == 1


def test_health_given_skips_probe(ctx: Context, resolver: Counting) -> None:
    health = {"dnsbl.test": ZoneHealth(zone="dnsbl.test", usable=False, reason="known bad")}
    r = one(check_ips(["192.0.2.99"], zones=(IP_ZONE,), ctx=ctx, health=health))
    assert r.status == "zone-unusable" and r.error == "known bad"
    assert resolver.asked == []
    good = {"dnsbl.test": probe_zone(IP_ZONE, ctx=ctx)}
    resolver.asked.clear()
    check_ips(["192.0.2.1"], zones=(IP_ZONE,), ctx=ctx, health=good)
    assert resolver.asked == [("1.2.0.192.dnsbl.test", "A")]


# --- the zone table ---------------------------------------------------------------------------


def test_zone_defaults_follow_rfc5782_test_points() -> None:
    assert IP_ZONE.test_ip == ("127.0.0.2", "127.0.0.1") and IP_ZONE.test_domain == ()
    assert RHS_ZONE.test_domain == ("test", "invalid") and RHS_ZONE.test_ip == ()
    assert dnsbl.SPAMHAUS_DBL.test_domain == ("dbltest.com", "invalid")
    assert dnsbl.URIBL_MULTI.test_domain == ("test.uribl.com", "invalid")


def test_zone_validation() -> None:
    with pytest.raises(InputError):
        DNSBLZone(zone="x.test", kind="url")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        DNSBLZone(zone=" ")
    with pytest.raises(InputError):
        DNSBLZone(zone="x.test", test_ip=("127.0.0.2",))
    zone = DNSBLZone(zone="X.Test.", codes={"127.0.0.2": "a"})
    assert zone.zone == "x.test" and zone.label == "x.test"
    with pytest.raises(TypeError):
        zone.codes["127.0.0.3"] = "b"  # type: ignore[index]
    assert hash(zone) == hash(DNSBLZone(zone="x.test"))


def test_default_zones_table() -> None:
    names = {z.zone for z in DEFAULT_ZONES}
    assert {
        "zen.spamhaus.org",
        "dbl.spamhaus.org",
        "multi.surbl.org",
        "multi.uribl.com",
        "b.barracudacentral.org",
        "bl.spamcop.net",
        "psbl.surriel.com",
    } <= names
    zen, dbl = dnsbl.SPAMHAUS_ZEN, dnsbl.SPAMHAUS_DBL
    assert zen.decode("127.0.0.3") == ("SBL CSS (snowshoe spam)",)
    assert all("XBL" in zen.decode(f"127.0.0.{i}")[0] for i in range(4, 8))
    assert zen.severity_of(zen.decode("127.0.0.10")) is Severity.NOTICE  # PBL
    assert zen.severity_of(zen.decode("127.0.0.4")) is Severity.ALERT  # XBL
    assert zen.severity_of(zen.decode("127.0.0.9")) is Severity.ALERT  # DROP
    assert "127.255.255.254" in zen.error_codes
    assert dbl.severity_of(dbl.decode("127.0.1.4")) is Severity.ALERT  # phish
    assert dbl.severity_of(dbl.decode("127.0.1.2")) is Severity.WARNING  # spam
    assert all("abused" in dbl.decode(f"127.0.1.{i}")[0] for i in range(102, 107))
    assert "127.0.1.255" in dbl.error_codes
    surbl = dnsbl.SURBL_MULTI
    assert surbl.decode("127.0.0.24") == ("PH (phishing)", "MW (malware)")
    assert surbl.decode("127.0.0.64") == ("ABUSE (spam and abuse)",)
    uribl = dnsbl.URIBL_MULTI
    assert len(uribl.decode("127.0.0.14")) == 3  # black + grey + red
    assert "127.0.0.1" in uribl.error_codes


def test_default_zones_read_answers_without_network() -> None:
    """The well-known tables decode answers served by a local zone (no real query)."""
    resolver = ZoneResolver.from_dict(
        {
            "dbltest.com.dbl.spamhaus.org": {"A": ["127.0.1.2"]},
            "phish.example.dbl.spamhaus.org": {"A": ["127.0.1.4"]},
            "ipquery.example.dbl.spamhaus.org": {"A": ["127.0.1.255"]},
        }
    )
    ctx = Context(resolver=resolver, now=NOW)
    results = check_domains(["phish.example", "ipquery.example"], zones=(dnsbl.SPAMHAUS_DBL,), ctx=ctx)
    assert results[0].status == "listed" and results[0].findings[0].severity is Severity.ALERT
    assert results[1].status == "error" and "IP queries prohibited" in (results[1].error or "")
