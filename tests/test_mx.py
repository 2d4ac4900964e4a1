"""MX lookup (RFC 5321 §5.1, RFC 7505) and the recipient's entry hop."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mailforensics.context import Context
from mailforensics.findings import FindingCode
from mailforensics.path import build_path
from mailforensics.received import Hop, parse_received
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver
from mailforensics.transport import mx
from mailforensics.transport.mx import MAX_MX_HOSTS, MXResult, entry_hop, is_recipient_mx, lookup_mx

ZONE = """
$ORIGIN example.com.
$TTL 300
@           IN MX   20 mx2
@           IN MX   10 mx1
@           IN MX   10 MX0.Example.COM.
mx0         IN A    192.0.2.10
mx1         IN A    192.0.2.11
mx1         IN AAAA 2001:db8::11
mx2         IN A    192.0.2.12

$ORIGIN implicit.example.
@           IN A    198.51.100.7
@           IN AAAA 2001:db8::7

$ORIGIN v6only.example.
@           IN AAAA 2001:db8::66

$ORIGIN nomail.example.
@           IN MX   0 .
@           IN A    198.51.100.9

$ORIGIN bare.example.
@           IN TXT  "v=spf1 -all"

$ORIGIN aliased.example.
@           IN MX   10 mail
mail        IN CNAME real.hosting.example.

$ORIGIN hosting.example.
real        IN A    203.0.113.25

$ORIGIN mixed.example.
@           IN MX   0 .
@           IN MX   10 mx
mx          IN A    192.0.2.40
"""


class CountingResolver:
    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


@pytest.fixture
def ctx() -> Context:
    return Context(resolver=ZoneResolver.from_text(ZONE))


def codes(result: MXResult) -> list[FindingCode]:
    return [f.code for f in result.findings]


# --- lookup_mx ------------------------------------------------------------------------------


def test_mx_sorted_by_preference_then_name(ctx: Context) -> None:
    result = lookup_mx("example.com", ctx=ctx)
    assert result.status == "ok" and result.accepts_mail is True
    assert not result.implicit and not result.null_mx
    assert result.host_names == ("mx0.example.com", "mx1.example.com", "mx2.example.com")
    assert [h.preference for h in result.hosts] == [10, 10, 20]
    mx1 = result.hosts[1]
    assert mx1.ipv4 == ("192.0.2.11",) and mx1.ipv6 == ("2001:db8::11",)
    assert mx1.addresses == ("192.0.2.11", "2001:db8::11")
    assert mx1.a_status == "NOERROR" and mx1.aaaa_status == "NOERROR"
    assert result.hosts[0].aaaa_status == "NOERROR" and result.hosts[0].ipv6 == ()  # NODATA
    assert result.addresses == ("192.0.2.10", "192.0.2.11", "2001:db8::11", "192.0.2.12")
    assert result.findings == ()
    assert len(result.records) == 3


def test_dnssec_flags_are_carried() -> None:
    secure = Context(resolver=ZoneResolver.from_text(ZONE, secure=True))
    result = lookup_mx("example.com", ctx=secure)
    assert result.mx_secure is True
    assert all(h.secure is True and h.a_secure is True for h in result.hosts)
    unknown = lookup_mx("example.com", ctx=Context(resolver=ZoneResolver.from_text(ZONE)))
    assert unknown.mx_secure is None and unknown.hosts[0].secure is None


def test_case_and_trailing_dot(ctx: Context) -> None:
    a = lookup_mx("EXAMPLE.com.", ctx=ctx)
    assert a.domain == "example.com"
    assert a.host_names == lookup_mx("example.com", ctx=ctx).host_names


def test_implicit_mx_a_and_aaaa(ctx: Context) -> None:
    result = lookup_mx("implicit.example", ctx=ctx)
    assert result.status == "ok" and result.implicit
    (host,) = result.hosts
    assert host.implicit and host.preference == 0 and host.host == "implicit.example"
    assert host.ipv4 == ("198.51.100.7",) and host.ipv6 == ("2001:db8::7",)
    assert result.mx_status == "NOERROR" and result.records == ()


def test_implicit_mx_aaaa_only(ctx: Context) -> None:
    result = lookup_mx("v6only.example", ctx=ctx)
    assert result.implicit and result.hosts[0].addresses == ("2001:db8::66",)


def test_null_mx(ctx: Context) -> None:
    result = lookup_mx("nomail.example", ctx=ctx)
    assert result.status == "null" and result.null_mx
    assert result.accepts_mail is False
    assert result.hosts == ()  # the domain's A record is not an implicit MX (RFC 7505 §3)
    assert codes(result) == [FindingCode.MX_NULL]


def test_null_mx_beside_other_mx_is_ignored_with_a_finding(ctx: Context) -> None:
    result = lookup_mx("mixed.example", ctx=ctx)
    assert result.status == "ok" and not result.null_mx
    assert result.host_names == ("mx.mixed.example",)
    assert codes(result) == [FindingCode.MX_NULL]


def test_null_mx_written_relative_to_the_root() -> None:
    zone = ZoneResolver.from_dict({"n.example": {"MX": ["0 ."]}})  # from_dict prints it as "0 @"
    assert lookup_mx("n.example", ctx=Context(resolver=zone)).null_mx


def test_nxdomain(ctx: Context) -> None:
    result = lookup_mx("no-such-domain.example", ctx=ctx)
    assert result.status == "nxdomain" and result.accepts_mail is False
    assert result.hosts == ()
    assert codes(result) == [FindingCode.MX_NONE]


def test_nodata_and_no_address(ctx: Context) -> None:
    result = lookup_mx("bare.example", ctx=ctx)
    assert result.status == "none" and result.accepts_mail is False
    assert not result.implicit and result.hosts == ()
    assert codes(result) == [FindingCode.MX_NONE]


@pytest.mark.parametrize("status", ["TIMEOUT", "SERVFAIL"])
def test_mx_query_failure_is_temperror(status: str) -> None:
    zone = ZoneResolver.from_dict({"slow.example": {"MX": status}})
    result = lookup_mx("slow.example", ctx=Context(resolver=zone))
    assert result.status == "temperror" and result.mx_status == status
    assert result.accepts_mail is None
    assert codes(result) == [FindingCode.DNS_TEMPERROR]


def test_timeout_on_an_mx_host_address() -> None:
    zone = ZoneResolver.from_dict(
        {
            "t.example": {"MX": ["10 a.t.example.", "20 b.t.example."]},
            "a.t.example": {"A": "TIMEOUT", "AAAA": ["2001:db8::a"]},
            "b.t.example": {"A": ["192.0.2.2"]},
        }
    )
    result = lookup_mx("t.example", ctx=Context(resolver=zone))
    assert result.status == "ok"
    assert result.hosts[0].a_status == "TIMEOUT" and result.hosts[0].addresses == ("2001:db8::a",)
    assert codes(result) == [FindingCode.DNS_TEMPERROR]
    assert "a.t.example" in result.findings[0].detail


def test_implicit_mx_timeout_is_temperror() -> None:
    zone = ZoneResolver.from_dict({"q.example": {"TXT": ["x"], "A": "TIMEOUT"}})
    result = lookup_mx("q.example", ctx=Context(resolver=zone))
    assert result.status == "temperror"
    assert codes(result) == [FindingCode.DNS_TEMPERROR]


def test_cnamed_mx_target(ctx: Context) -> None:
    result = lookup_mx("aliased.example", ctx=ctx)
    (host,) = result.hosts
    assert host.host == "mail.aliased.example"
    assert host.ipv4 == ("203.0.113.25",)
    assert host.alias == ("mail.aliased.example",)  # RFC 2181 §10.3 says it should not be an alias


def test_host_cap() -> None:
    n = MAX_MX_HOSTS + 5
    data: dict[str, dict[str, list[str]]] = {"big.example": {"MX": [f"{i} h{i:03d}.big.example." for i in range(n)]}}
    for i in range(n):
        data[f"h{i:03d}.big.example"] = {"A": [f"192.0.2.{i + 1}"]}
    resolver = CountingResolver(ZoneResolver.from_dict(data))
    result = lookup_mx("big.example", ctx=Context(resolver=resolver))
    assert result.truncated and len(result.hosts) == n
    assert [h.resolved for h in result.hosts] == [True] * MAX_MX_HOSTS + [False] * 5
    assert len(resolver.asked) == 1 + 2 * MAX_MX_HOSTS


def test_duplicate_host_keeps_best_preference() -> None:
    zone = ZoneResolver.from_dict(
        {"d.example": {"MX": ["30 m.d.example.", "5 m.d.example."]}, "m.d.example": {"A": ["192.0.2.5"]}}
    )
    result = lookup_mx("d.example", ctx=Context(resolver=zone))
    assert [(h.preference, h.host) for h in result.hosts] == [(5, "m.d.example")]


@pytest.mark.parametrize("bad", ["", ".", "a..b", "bad name.example"])
def test_invalid_domain(bad: str) -> None:
    resolver = CountingResolver(ZoneResolver.from_dict({}))
    result = lookup_mx(bad, ctx=Context(resolver=resolver))
    assert result.status == "invalid" and resolver.asked == []


# --- is_recipient_mx / entry_hop ---------------------------------------------------------------


def test_is_recipient_mx_by_name_and_address(ctx: Context) -> None:
    result = lookup_mx("example.com", ctx=ctx)
    assert is_recipient_mx("mx1.example.com", result)
    assert is_recipient_mx("MX1.Example.Com.", result)
    assert is_recipient_mx("192.0.2.12", result)
    assert is_recipient_mx("[192.0.2.12]", result)
    assert is_recipient_mx("[IPv6:2001:DB8:0::11]", result)
    assert is_recipient_mx("::ffff:192.0.2.10", result)
    assert not is_recipient_mx("mx9.example.com", result)
    assert not is_recipient_mx("example.com", result)
    assert not is_recipient_mx("192.0.2.99", result)
    assert not is_recipient_mx(None, result)
    assert not is_recipient_mx("", result)


@dataclass(frozen=True)
class FakeHop:
    by_host: str | None = None
    by_ip: str | None = None


@dataclass(frozen=True)
class FakePathHop:
    number: int
    hop: FakeHop


def test_entry_hop_by_name(ctx: Context) -> None:
    hops = [
        FakePathHop(3, FakeHop(by_host="mailstore.example.com")),
        FakePathHop(1, FakeHop(by_host="smtp.sender.example")),
        FakePathHop(2, FakeHop(by_host="MX2.example.com.")),
    ]
    assert entry_hop(hops, "example.com", ctx=ctx) == 2


def test_entry_hop_by_ip_and_oldest_wins(ctx: Context) -> None:
    hops = [
        FakePathHop(1, FakeHop(by_host="relay.sender.example")),
        FakePathHop(2, FakeHop(by_host="edge-7", by_ip="192.0.2.11")),
        FakePathHop(3, FakeHop(by_host="mx0.example.com")),
    ]
    assert entry_hop(hops, "example.com", ctx=ctx) == 2


def test_entry_hop_none(ctx: Context) -> None:
    hops = [FakePathHop(1, FakeHop(by_host="smtp.sender.example")), FakePathHop(2, FakeHop())]
    assert entry_hop(hops, "example.com", ctx=ctx) is None
    assert entry_hop([], "example.com", ctx=ctx) is None
    # No usable MX: no entry hop.
    assert entry_hop([FakePathHop(1, FakeHop(by_host="nomail.example"))], "nomail.example", ctx=ctx) is None


def test_entry_hop_reuses_a_given_result(ctx: Context) -> None:
    known = lookup_mx("example.com", ctx=ctx)
    resolver = CountingResolver(ZoneResolver.from_dict({}))
    hops = [FakePathHop(1, FakeHop(by_host="mx1.example.com"))]
    assert entry_hop(hops, "example.com", ctx=Context(resolver=resolver), mx=known) == 1
    assert resolver.asked == []


def test_entry_hop_with_real_path(ctx: Context) -> None:
    headers = [  # top (newest) first
        "from mx1.example.com (mx1.example.com [192.0.2.11]) by store.example.com (Postfix) "
        "with LMTP id AAA1; Tue, 2 Jan 2024 10:00:03 +0000",
        "from out.sender.example (out.sender.example [203.0.113.5]) by mx1.example.com (Postfix) "
        "with ESMTPS id BBB2 for <bob@example.com>; Tue, 2 Jan 2024 10:00:02 +0000",
        "from [10.0.0.5] (unknown [10.0.0.5]) by out.sender.example (Postfix) with ESMTPSA id CCC3; "
        "Tue, 2 Jan 2024 10:00:01 +0000",
    ]
    parsed: list[Hop] = [parse_received(h) for h in headers]
    path = build_path(parsed, ctx=ctx)
    assert [ph.hop.by_host for ph in path.hops] == ["out.sender.example", "mx1.example.com", "store.example.com"]
    assert entry_hop(path.hops, "example.com", ctx=ctx) == 2


def test_module_exports() -> None:
    assert set(mx.__all__) >= {"lookup_mx", "is_recipient_mx", "entry_hop", "MXResult", "MXHost"}
