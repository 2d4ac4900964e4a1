"""SPF (RFC 7208): the trace, macros, processing limits, identities and error paths.

The conformance suites are in ``test_spf_conformance.py``; these tests pin down what the
suites do not look at: the evidence a check returns (every step, the DNS answers used,
the counters) and the choices this implementation makes where RFC 7208 leaves one.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from mailforensics.auth import spf
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

Zone = Mapping[str, Mapping[str, Sequence[str] | str] | str]
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
IP = "192.0.2.10"
HELO = "mail.example.org"


class CountingResolver:
    """Wraps a resolver and keeps the questions asked, in order."""

    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


def ctx_for(records: Zone) -> tuple[Context, CountingResolver]:
    resolver = CountingResolver(ZoneResolver.from_dict(records))
    return Context(resolver=resolver, now=NOW), resolver


def run(
    records: Zone, ip: str = IP, mail_from: str | None = "alice@example.com", helo: str | None = HELO, **kw: typing.Any
) -> spf.SPFResult:
    ctx, _ = ctx_for(records)
    return spf.check(ip, mail_from, helo, ctx=ctx, **kw)


def steps(r: spf.SPFResult) -> list[tuple[int, str, str, str]]:
    """(depth, domain, term, outcome) of every step."""
    return [(s.depth, s.domain, s.term, s.outcome) for s in r.trace]


def expanded(spec: str, ip: str = IP, mail_from: str | None = "alice@example.com", helo: str | None = HELO) -> str:
    """The target name ``exists:<spec>`` is evaluated against."""
    r = run({"example.com": {"TXT": [f"v=spf1 exists:{spec} -all"]}}, ip=ip, mail_from=mail_from, helo=helo)
    (step,) = [s for s in r.trace if s.name == "exists"]
    assert step.target is not None, r
    return step.target


def explained(text: str, ip: str = IP, mail_from: str = "alice@example.com", **kw: typing.Any) -> str | None:
    """The explanation a ``-all exp=`` record gives with ``text`` as the exp TXT."""
    zone: dict[str, dict[str, list[str]]] = {
        "example.com": {"TXT": ["v=spf1 -all exp=why.example.com"]},
        "why.example.com": {"TXT": [text]},
    }
    r = run(zone, ip=ip, mail_from=mail_from, **kw)
    assert r.result == "fail"
    return r.explanation


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
def test_records_are_frozen_flat_and_typed() -> None:
    scalar = (int, str, type(None))
    for cls in (spf.SPFStep, spf.SPFResult):
        assert getattr(cls, "__dataclass_params__").frozen  # noqa: B009
        assert all(f.kw_only for f in dataclasses.fields(cls))
        assert hasattr(cls, "__slots__")
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 include:_spf.example.com -all"]},
            "_spf.example.com": {"TXT": ["v=spf1 a -all"], "A": ["192.0.2.10"]},
        }
    )
    for step in r.trace:
        for f in dataclasses.fields(step):
            value = getattr(step, f.name)
            if f.name == "queries":
                assert isinstance(value, tuple)
                for q in value:
                    assert isinstance(q, spf.SPFQuery) and isinstance(q, tuple)
                    assert isinstance(q.records, tuple) and isinstance(q.cname_chain, tuple)
            else:
                assert isinstance(value, scalar), (f.name, value)
        assert step.outcome in spf.OUTCOMES
        assert step.kind in ("record", "mechanism", "modifier")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.result = "fail"  # type: ignore[misc]
    assert "trace=" not in repr(r)  # the repr stays one readable line in a notebook


def test_result_fields() -> None:
    r = run({"example.com": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]}})
    assert r.result == "pass"
    assert r.mechanism == "ip4:192.0.2.0/24"
    assert r.mechanism_domain == "example.com"
    assert r.identity == "mailfrom"
    assert r.domain == "example.com"
    assert r.sender == "alice@example.com"
    assert r.ip == IP
    assert r.helo == HELO
    assert r.record == "v=spf1 ip4:192.0.2.0/24 -all"
    assert r.problem is None and r.explanation is None
    assert (r.lookups, r.void_lookups) == (0, 0)
    assert set(spf.RESULTS) == {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}


@pytest.mark.parametrize(
    ("qualifier", "result"), [("", "pass"), ("+", "pass"), ("-", "fail"), ("~", "softfail"), ("?", "neutral")]
)
def test_qualifiers(qualifier: str, result: str) -> None:
    r = run({"example.com": {"TXT": [f"v=spf1 {qualifier}ip4:192.0.2.10"]}})
    assert r.result == result
    assert r.trace[-1].qualifier == (qualifier or "+")
    assert r.trace[-1].result == result


def test_record_selection() -> None:
    # RFC 7208 §4.5: "v=spf1" then SP or the end, case-insensitively; other TXT ignored.
    r = run({"example.com": {"TXT": ["google-site-verification=x", "V=SPF1 -all", "v=spf10 +all"]}})
    assert (r.result, r.record) == ("fail", "V=SPF1 -all")
    assert run({"example.com": {"TXT": ["v=spf1"]}}).result == "neutral"  # §4.7 default
    # Several records: permerror, even identical ones (§4.5).
    r = run({"example.com": {"TXT": ['"v=spf1 -all"', '"v=spf1 " "-all"']}})
    assert r.result == "permerror" and "2 SPF records" in (r.problem or "")
    # Character-strings are joined with no separator (§3.3).
    assert run({"example.com": {"TXT": ['"v=spf1 ip4:192." "0.2.10 -all"']}}).result == "pass"
    assert run({"example.com": {"TXT": ['"v=spf1" "ip4:192.0.2.10"']}}).result == "none"


def test_type_spf_is_never_asked() -> None:
    ctx, resolver = ctx_for({"example.com": {"SPF": ["v=spf1 -all"]}})
    r = spf.check(IP, "a@example.com", HELO, ctx=ctx)
    assert r.result == "none"  # §3.1: TXT only
    assert all(rdtype != "SPF" for _, rdtype in resolver.asked)


def test_no_record_and_nxdomain_are_none() -> None:
    r = run({"example.com": {"A": ["192.0.2.1"]}})
    assert (r.result, r.record, r.problem) == ("none", None, None)
    assert r.trace[0].outcome == "none" and "no SPF record" in (r.trace[0].note or "")
    r = run({})
    assert r.result == "none" and "NXDOMAIN" in (r.trace[0].note or "")


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 ip4:192.0.2.10 -all moo",  # unknown mechanism, after the match (§4.6)
        "v=spf1 a:foo.example.com\tptr",  # not SP-separated
        "v=spf1 ip4:192.0.2.10/33",
        "v=spf1 ip4:192.0.2.010",
        "v=spf1 ip6:2001:db8::%1",
        "v=spf1 a/24/64",
        "v=spf1 ptr/24",
        "v=spf1 include",
        "v=spf1 exp=",
        "v=spf1 redirect=a.example redirect=b.example",
        "v=spf1 1up=x",
        "v=spf1 foo=%x",
        "v=spf1 a:%{d0}.example.com",
        "v=spf1 a:%{c}.example.com",  # c r t only in exp text (§7.3)
        "v=spf1 exp=%{t}.example.com -all",
        "v=spf1 a:example.123",
        "v=spf1 a:example",
        "v=spf1 ip4:192.0.2.10 \u00e9",
    ],
)
def test_syntax_errors_are_permerror(record: str) -> None:
    r = run({"example.com": {"TXT": [record]}})
    assert r.result == "permerror", record
    assert r.problem and "RFC 7208" in r.problem
    assert [s.outcome for s in r.trace] == ["error"]  # detected before any term is evaluated


def test_unknown_modifiers_are_ignored_and_traced() -> None:
    r = run({"example.com": {"TXT": ["v=spf1 default=deny foo.bar=%{d} ip4:192.0.2.10"]}})
    assert r.result == "pass"
    assert [(s.kind, s.name, s.outcome) for s in r.trace[1:3]] == [
        ("modifier", "default", "ignored"),
        ("modifier", "foo.bar", "ignored"),
    ]


def test_case_insensitive_names() -> None:
    r = run({"example.com": {"TXT": ["v=spf1 IP4:192.0.2.0/24 INCLUDE:Other.Example.COM -ALL"]}})
    assert r.result == "pass"
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 Include:Other.Example.COM -all"]},
            "other.example.com": {"TXT": ["v=spf1 +All"]},
        }
    )
    assert r.result == "pass" and r.mechanism == "Include:Other.Example.COM"


# ---------------------------------------------------------------------------------------
# The trace
# ---------------------------------------------------------------------------------------
def test_trace_has_every_term_in_order() -> None:
    zone = {
        "example.com": {
            "TXT": ["v=spf1 ip4:198.51.100.0/24 a mx ptr:example.net exists:x.example.com ip6:2001:db8::/32 ~all"],
            "A": ["198.51.100.1"],
            "MX": ["10 mx.example.com."],
        },
        "mx.example.com": {"A": ["198.51.100.2"]},
        "x.example.com": {"AAAA": ["2001:db8::1"]},
    }
    r = run(zone)
    assert r.result == "softfail" and r.mechanism == "~all"
    assert [s.term for s in r.trace] == [
        zone["example.com"]["TXT"][0],
        "ip4:198.51.100.0/24",
        "a",
        "mx",
        "ptr:example.net",
        "exists:x.example.com",
        "ip6:2001:db8::/32",
        "~all",
    ]
    assert [s.outcome for s in r.trace] == [
        "found",
        "no-match",
        "no-match",
        "no-match",
        "void",
        "void",
        "no-match",
        "match",
    ]
    assert [s.lookups for s in r.trace] == [0, 0, 1, 2, 3, 4, 4, 4]
    assert [s.void_lookups for s in r.trace] == [0, 0, 0, 0, 1, 2, 2, 2]
    assert r.lookups == 4 and r.void_lookups == 2
    by_term = {s.term: s for s in r.trace}
    assert by_term["a"].target == "example.com"
    assert by_term["a"].queries == (spf.SPFQuery("example.com", "A", "NOERROR", ("198.51.100.1",)),)
    assert [(q.name, q.rdtype) for q in by_term["mx"].queries] == [("example.com", "MX"), ("mx.example.com", "A")]
    assert by_term["ptr:example.net"].queries[0] == spf.SPFQuery("10.2.0.192.in-addr.arpa", "PTR", "NXDOMAIN", ())
    assert by_term["exists:x.example.com"].queries[0].status == "NOERROR"  # NODATA: void too
    assert by_term["ip4:198.51.100.0/24"].target == "198.51.100.0/24"
    assert by_term["ip4:198.51.100.0/24"].queries == ()
    assert by_term["~all"].result == "softfail"
    assert r.trace[0].queries == (
        spf.SPFQuery("example.com", "TXT", "NOERROR", (f'"{zone["example.com"]["TXT"][0]}"',)),
    )


def test_trace_include_nesting_and_redirect() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 include:a.example.com include:b.example.com redirect=c.example.com"]},
        "a.example.com": {"TXT": ["v=spf1 include:aa.example.com -all"]},
        "aa.example.com": {"TXT": ["v=spf1 ip4:203.0.113.0/24"]},
        "b.example.com": {"TXT": ["v=spf1 ?all"]},
        "c.example.com": {"TXT": ["v=spf1 ip4:192.0.2.0/28 -all"]},
    }
    r = run(zone)
    assert r.result == "pass"
    assert steps(r) == [
        (0, "example.com", zone["example.com"]["TXT"][0], "found"),
        (0, "example.com", "include:a.example.com", "no-match"),
        (1, "a.example.com", "v=spf1 include:aa.example.com -all", "found"),
        (1, "a.example.com", "include:aa.example.com", "no-match"),
        (2, "aa.example.com", "v=spf1 ip4:203.0.113.0/24", "found"),
        (2, "aa.example.com", "ip4:203.0.113.0/24", "no-match"),
        (1, "a.example.com", "-all", "match"),
        (0, "example.com", "include:b.example.com", "no-match"),
        (1, "b.example.com", "v=spf1 ?all", "found"),
        (1, "b.example.com", "?all", "match"),
        (0, "example.com", "redirect=c.example.com", "followed"),
        (1, "c.example.com", "v=spf1 ip4:192.0.2.0/28 -all", "found"),
        (1, "c.example.com", "ip4:192.0.2.0/28", "match"),
    ]
    inc = r.trace[1]
    assert (inc.kind, inc.name, inc.target, inc.lookups) == ("mechanism", "include", "a.example.com", 1)
    assert "included result fail" in (inc.note or "")
    red = r.trace[10]
    assert (red.kind, red.result, red.lookups) == ("modifier", "pass", 4)
    # After a redirect, the deciding term is the one in the record redirected to (§6.1).
    assert (r.mechanism, r.mechanism_domain, r.record) == (
        "ip4:192.0.2.0/28",
        "c.example.com",
        zone["example.com"]["TXT"][0],
    )


def test_include_match_names_the_include() -> None:
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 -include:bad.example.com +include:good.example.com -all"]},
            "bad.example.com": {"TXT": ["v=spf1 ip4:203.0.113.1 -all"]},
            "good.example.com": {"TXT": ["v=spf1 ip4:192.0.2.10 -all"]},
        }
    )
    assert (r.result, r.mechanism, r.mechanism_domain) == ("pass", "+include:good.example.com", "example.com")


@pytest.mark.parametrize(
    ("inner", "outer"),
    [("+all", "pass"), ("-all", "-"), ("~all", "-"), ("?all", "-"), ("", "-")],
)
def test_include_result_mapping(inner: str, outer: str) -> None:
    # RFC 7208 §5.2: pass matches; fail, softfail, neutral do not.
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 include:i.example.com ~all"]},
            "i.example.com": {"TXT": [f"v=spf1 {inner}".strip()]},
        }
    )
    assert r.result == ("pass" if outer == "pass" else "softfail")


def test_include_errors() -> None:
    # none → permerror (§5.2); temperror and permerror propagate.
    none = run({"example.com": {"TXT": ["v=spf1 include:nothing.example.com"]}})
    assert none.result == "permerror" and "no SPF record" in (none.problem or "")
    assert none.trace[1].outcome == "error" and none.trace[1].result == "permerror"
    temp = run({"example.com": {"TXT": ["v=spf1 include:slow.example.com"]}, "slow.example.com": "TIMEOUT"})
    assert temp.result == "temperror" and "TIMEOUT" in (temp.problem or "")
    assert [s.outcome for s in temp.trace] == ["found", "error", "error"]
    perm = run({"example.com": {"TXT": ["v=spf1 include:bad.example.com"]}, "bad.example.com": {"TXT": ["v=spf1 moo"]}})
    assert perm.result == "permerror" and "unknown mechanism" in (perm.problem or "")
    redir = run({"example.com": {"TXT": ["v=spf1 redirect=nothing.example.com"]}})
    assert redir.result == "permerror" and redir.trace[1].name == "redirect"


def test_redirect_is_ignored_after_a_match_and_exp_follows_the_redirect() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 exp=e1.example.com redirect=r.example.com"]},
        "r.example.com": {"TXT": ["v=spf1 -all exp=e2.example.com"]},
        "e1.example.com": {"TXT": ["not me"]},
        "e2.example.com": {"TXT": ["%{d} says no to %{i}"]},
    }
    r = run(zone)
    assert r.result == "fail" and r.explanation == "r.example.com says no to 192.0.2.10"
    last = r.trace[-1]
    assert (last.depth, last.domain, last.name, last.outcome) == (1, "r.example.com", "exp", "explained")
    assert run({"example.com": {"TXT": ["v=spf1 ~all redirect=nothing.example.com"]}}).result == "softfail"


def test_queries_are_cached_per_check_only() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 a:h.example.com a:h.example.com/24 include:i.example.com -all"]},
        "i.example.com": {"TXT": ["v=spf1 a:h.example.com -all"]},
        "h.example.com": {"A": ["203.0.113.5"]},
    }
    ctx, resolver = ctx_for(zone)
    r = spf.check(IP, "a@example.com", HELO, ctx=ctx)
    assert r.result == "fail"
    assert resolver.asked.count(("h.example.com", "A")) == 1  # asked once
    assert sum(1 for s in r.trace for q in s.queries if q.name == "h.example.com") == 3  # shown thrice
    spf.check(IP, "a@example.com", HELO, ctx=ctx)
    assert resolver.asked.count(("h.example.com", "A")) == 2  # a new check asks again


def test_cname_chain_is_recorded() -> None:
    r = run(
        {
            "example.com": {"CNAME": ["spf.provider.example."]},
            "spf.provider.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
        }
    )
    assert r.result == "pass"
    assert r.trace[0].queries[0].cname_chain == ("example.com",)


def test_exp_problems_are_ignored() -> None:
    # RFC 7208 §6.2: any problem → as if there were no exp=; never a permerror.
    base = {"example.com": {"TXT": ["v=spf1 -all exp=why.example.com"]}}
    cases: list[dict[str, typing.Any]] = [
        {},  # NXDOMAIN
        {"why.example.com": {"TXT": ["one", "two"]}},
        {"why.example.com": "TIMEOUT"},
        {"why.example.com": {"TXT": ["bad %{x} macro"]}},
        {"why.example.com": {"TXT": ["caf\u00e9"]}},
    ]
    for extra in cases:
        r = run({**base, **extra})
        assert r.result == "fail" and r.explanation is None, extra
        assert r.trace[-1].outcome == "ignored" and "§6.2" in (r.trace[-1].note or "")
        assert r.lookups == 0 and r.void_lookups == 0  # exp= is not a counted lookup
    # exp= is looked up for a fail only.
    ctx, resolver = ctx_for({"example.com": {"TXT": ["v=spf1 ~all exp=why.example.com"]}})
    assert spf.check(IP, "a@example.com", HELO, ctx=ctx).explanation is None
    assert ("why.example.com", "TXT") not in resolver.asked


def test_explanation_is_printable_ascii_after_expansion() -> None:
    assert explained("sender %{l}", mail_from="j\u00f6rg@example.com") is None
    assert explained("sender %{L}", mail_from="j\u00f6rg@example.com") == "sender j%C3%B6rg"


# ---------------------------------------------------------------------------------------
# Macros (RFC 7208 §7)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "target"),
    [
        ("%{s}.m.test", "strong-bad@email.example.com.m.test"),
        ("%{l}.m.test", "strong-bad.m.test"),
        ("%{o}.m.test", "email.example.com.m.test"),
        ("%{d}.m.test", "email.example.com.m.test"),
        ("%{i}.m.test", "192.0.2.3.m.test"),
        ("%{v}.m.test", "in-addr.m.test"),
        ("%{h}.m.test", "mx.example.org.m.test"),
        ("%{d4}.m.test", "email.example.com.m.test"),
        ("%{d3}.m.test", "email.example.com.m.test"),
        ("%{d2}.m.test", "example.com.m.test"),
        ("%{d1}.m.test", "com.m.test"),
        ("%{dr}.m.test", "com.example.email.m.test"),
        ("%{d2r}.m.test", "example.email.m.test"),
        ("%{l-}.m.test", "strong.bad.m.test"),
        ("%{lr}.m.test", "strong-bad.m.test"),
        ("%{lr-}.m.test", "bad.strong.m.test"),
        ("%{l1r-}.m.test", "strong.m.test"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{D}.%{I}.m.test", "email.example.com.192.0.2.3.m.test"),  # upper case: URL-escaped, same here
        ("%{S}.m.test", "strong-bad%40email.example.com.m.test"),
        ("%%.%_.%-.m.test", "%. .%20.m.test"),
        ("%{l+-}.m.test", "strong.bad.m.test"),
        ("x.%{d}", "x.email.example.com"),
        ("%{d}.m.test.", "email.example.com.m.test"),  # a trailing dot is ignored (§7.3)
    ],
)
def test_macro_letters_and_transformers(spec: str, target: str) -> None:
    # The examples of RFC 7208 §7.4 (sender strong-bad@email.example.com, IP 192.0.2.3).
    zone = {"email.example.com": {"TXT": [f"v=spf1 exists:{spec} -all"]}}
    r = run(zone, ip="192.0.2.3", mail_from="strong-bad@email.example.com", helo="mx.example.org")
    (step,) = [s for s in r.trace if s.name == "exists"]
    assert step.target == target


def test_macro_delimiters() -> None:
    mail_from = "a.b-c+d,e/f_g=h@example.com"
    assert expanded("%{l}.m.test", mail_from=mail_from) == "a.b-c+d,e/f_g=h.m.test"
    assert expanded("%{lr-+}.m.test", mail_from=mail_from) == "d,e/f_g=h.c.a.b.m.test"
    assert expanded("%{l1r.-+,/_=}.m.test", mail_from=mail_from) == "a.m.test"
    assert expanded("%{l100}.m.test", mail_from=mail_from) == "a.b-c+d,e/f_g=h.m.test"


def test_macro_url_escaping_keeps_unreserved_only() -> None:
    # §7.3: upper-case letters URL-escape all but ALPHA DIGIT "-" "." "_" "~".
    assert explained("%{L}", mail_from="~a&b=c d-e_f.g+h/i@example.com") == "~a%26b%3Dc%20d-e_f.g%2Bh%2Fi"


def test_macro_ipv6() -> None:
    nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2"
    assert expanded("%{ir}.%{v}.arpa.test", ip="2001:db8::1").lower() == (nibbles + ".ip6.arpa.test").lower()
    assert explained("%{c} %{i} %{v}", ip="2001:DB8::1") == f"2001:db8::1 {nibbles[::-1]} ip6"


def test_exp_only_macros_c_r_t() -> None:
    assert explained("%{c}") == IP
    assert explained("%{r}") == "unknown"
    assert explained("%{r}", receiver="mx.receiver.example") == "mx.receiver.example"
    assert explained("%{t}") == str(int(NOW.timestamp()))
    # ctx.now == "delivery": %{t} is the delivery time given.
    delivered = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    zone = {"example.com": {"TXT": ["v=spf1 -all exp=why.example.com"]}, "why.example.com": {"TXT": ["%{t}"]}}
    ctx = Context(resolver=ZoneResolver.from_dict(zone), now="delivery")
    r = spf.check(IP, "a@example.com", HELO, ctx=ctx, delivery=delivered)
    assert r.explanation == str(int(delivered.timestamp()))


def test_macro_p_validation() -> None:
    zone: dict[str, dict[str, list[str]]] = {
        "example.com": {"TXT": ["v=spf1 -all exp=why.example.com"]},
        "why.example.com": {"TXT": ["%{p}"]},
        "10.2.0.192.in-addr.arpa": {
            "PTR": ["unconfirmed.example.com.", "other.example.net.", "mail.example.com.", "example.com."]
        },
        "unconfirmed.example.com": {"A": ["203.0.113.1"]},
        "other.example.net": {"A": [IP]},
        "mail.example.com": {"A": [IP]},
        "example.com.": {"A": [IP]},
    }
    # §7.3: the domain itself if validated, else a validated subdomain, else any validated name.
    assert run(zone).explanation == "example.com"
    zone["example.com."] = {"A": ["203.0.113.9"]}
    assert run(zone).explanation == "mail.example.com"
    zone["mail.example.com"] = {"A": ["203.0.113.9"]}
    assert run(zone).explanation == "other.example.net"
    zone["other.example.net"] = {"AAAA": ["2001:db8::1"]}
    assert run(zone).explanation == "unknown"
    zone["10.2.0.192.in-addr.arpa"] = "SERVFAIL"  # type: ignore[assignment]
    r = run(zone)
    assert r.explanation == "unknown" and r.result == "fail"


def test_macro_p_in_a_mechanism_records_its_queries() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 exists:%{p}._v.example.com -all"]},
        "10.2.0.192.in-addr.arpa": {"PTR": ["host.example.com."]},
        "host.example.com": {"A": [IP]},
        "host.example.com._v.example.com": {"A": ["127.0.0.2"]},
    }
    r = run(zone)
    assert r.result == "pass"
    assert [(q.name, q.rdtype) for q in r.trace[1].queries] == [
        ("10.2.0.192.in-addr.arpa", "PTR"),
        ("host.example.com", "A"),
        ("host.example.com._v.example.com", "A"),
    ]
    assert r.lookups == 1  # %{p} is part of the exists term, not a term of its own


def test_long_expansions_are_truncated_on_the_left() -> None:
    # §7.3: over 253 characters, labels are removed from the left until it fits.
    local = ".".join(["x" * 60] * 5)  # 304 characters
    target = expanded("%{l}.m.test", mail_from=f"{local}@example.com")
    assert len(target) <= 253 and target.endswith(".m.test") and target.startswith("x")
    assert target == ".".join(["x" * 60] * 4) + ".m.test"


def test_unusable_target_names_do_not_match() -> None:
    r = run({"example.com": {"TXT": ["v=spf1 a:%{l}.example.com -all"]}}, mail_from="a..b@example.com")
    assert r.result == "fail"
    assert r.trace[1].outcome == "no-match" and "empty label" in (r.trace[1].note or "")
    assert r.trace[1].queries == ()
    r = run({"example.com": {"TXT": ["v=spf1 a:%{l}.example.com -all"]}}, mail_from=("y" * 64) + "@example.com")
    assert r.result == "fail" and "63" in (r.trace[1].note or "")
    r = run({"example.com": {"TXT": ["v=spf1 include:%{l}.example.com -all"]}}, mail_from="a..b@example.com")
    assert r.result == "permerror"  # include of an unusable name: no record there (§5.2)


# ---------------------------------------------------------------------------------------
# Processing limits (RFC 7208 §4.6.4)
# ---------------------------------------------------------------------------------------
def _a_terms(n: int) -> str:
    return " ".join(f"a:h{i}.example.com" for i in range(n))


def _hosts(n: int) -> dict[str, dict[str, list[str]]]:
    return {f"h{i}.example.com": {"A": ["203.0.113.1"]} for i in range(n)}


def test_ten_dns_terms_are_allowed_eleven_are_not() -> None:
    ok = run({"example.com": {"TXT": [f"v=spf1 {_a_terms(10)} ip4:{IP} -all"]}, **_hosts(11)})
    assert (ok.result, ok.lookups) == ("pass", 10)
    over = run({"example.com": {"TXT": [f"v=spf1 {_a_terms(11)} ip4:{IP} -all"]}, **_hosts(11)})
    assert (over.result, over.lookups) == ("permerror", 11)
    assert over.trace[-1].outcome == "limit" and over.trace[-1].term == "a:h10.example.com"
    assert over.trace[-1].queries == ()  # the 11th term asks nothing
    assert "more than 10" in (over.problem or "")
    # Terms after the match are not counted (§4.6.4 counts terms as they are evaluated).
    assert run({"example.com": {"TXT": [f"v=spf1 ip4:{IP} {_a_terms(11)}"]}}).result == "pass"


def test_includes_and_redirects_count() -> None:
    zone: dict[str, typing.Any] = {
        "example.com": {"TXT": ["v=spf1 include:i.example.com redirect=r.example.com"]},
        "i.example.com": {"TXT": [f"v=spf1 {_a_terms(7)}"]},
        "r.example.com": {"TXT": [f"v=spf1 ip4:{IP}"]},
        **_hosts(11),
    }
    assert (run(zone).result, run(zone).lookups) == ("pass", 9)
    zone["i.example.com"] = {"TXT": [f"v=spf1 {_a_terms(8)}"]}
    assert (run(zone).result, run(zone).lookups) == ("pass", 10)
    zone["i.example.com"] = {"TXT": [f"v=spf1 {_a_terms(9)}"]}
    r = run(zone)
    assert (r.result, r.lookups) == ("permerror", 11)
    assert (r.trace[-1].name, r.trace[-1].outcome) == ("redirect", "limit")


def test_void_lookups() -> None:
    two = run({"example.com": {"TXT": ["v=spf1 a:n1.example.com mx:n2.example.com ?all"]}})
    assert (two.result, two.void_lookups) == ("neutral", 2)
    three = run({"example.com": {"TXT": ["v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com ?all"]}})
    assert (three.result, three.void_lookups) == ("permerror", 3)
    assert three.trace[-1].outcome == "limit" and "void" in (three.problem or "")
    # NODATA counts like NXDOMAIN; ptr's PTR query counts; a non-void answer does not.
    zone = {
        "example.com": {"TXT": ["v=spf1 a:v4only.example.com ptr exists:v4only.example.com a:v4only.example.com ?all"]},
        "v4only.example.com": {"AAAA": ["2001:db8::5"]},
    }
    r = run(zone)
    assert (r.result, r.void_lookups) == ("permerror", 3)


def _mx_zone(n: int) -> dict[str, typing.Any]:
    return {
        "example.com": {"TXT": ["v=spf1 mx -all"], "MX": [f"{i} mx{i}.example.com." for i in range(n)]},
        **{f"mx{i}.example.com": {"A": [IP if i == n - 1 else "203.0.113.1"]} for i in range(n)},
    }


def test_mx_names_limit() -> None:
    ten = run(_mx_zone(10))
    assert ten.result == "pass"
    assert len(ten.trace[1].queries) == 11  # the MX query and ten address queries
    eleven = run(_mx_zone(11))
    assert eleven.result == "permerror" and eleven.trace[1].outcome == "limit"
    assert len(eleven.trace[1].queries) == 1  # refused before any address lookup


def test_mx_are_tried_by_preference_and_null_mx_is_skipped() -> None:
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 mx -all"], "MX": ["20 b.example.com.", "10 a.example.com.", "30 ."]},
            "a.example.com": {"A": ["203.0.113.1"]},
            "b.example.com": {"A": [IP]},
        }
    )
    assert r.result == "pass"
    assert [q.name for q in r.trace[1].queries] == ["example.com", "a.example.com", "b.example.com"]
    assert run({"example.com": {"TXT": ["v=spf1 mx -all"], "MX": ["0 ."]}}).result == "fail"


def test_ptr_names_limit() -> None:
    names = [f"h{i}.example.com." for i in range(11)]
    zone: dict[str, typing.Any] = {
        "example.com": {"TXT": ["v=spf1 ptr -all"]},
        "10.2.0.192.in-addr.arpa": {"PTR": names},
        **{f"h{i}.example.com": {"A": ["203.0.113.1"]} for i in range(10)},
        "h10.example.com": {"A": [IP]},
    }
    r = run(zone)
    assert r.result == "fail"  # the 11th PTR name, the only valid one, is ignored
    assert len(r.trace[1].queries) == 11  # the PTR query and ten forward lookups
    zone["h9.example.com"] = {"A": [IP]}
    assert run(zone).result == "pass"


def test_ptr_matches_validated_names_in_the_target_only() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 ptr -all"]},
        "10.2.0.192.in-addr.arpa": {"PTR": ["evil.example.net.", "Mail.Example.COM."]},
        "evil.example.net": {"A": [IP]},
        "mail.example.com": {"A": [IP]},
    }
    r = run(zone)
    assert r.result == "pass"
    assert [q.name for q in r.trace[1].queries] == ["10.2.0.192.in-addr.arpa", "mail.example.com"]
    zone["mail.example.com"] = {"A": ["203.0.113.1"]}
    assert run(zone).result == "fail"


# ---------------------------------------------------------------------------------------
# Identities (RFC 7208 §2.3, §2.4, §4.3)
# ---------------------------------------------------------------------------------------
IDENTITY_ZONE = {
    "example.com": {"TXT": ["v=spf1 -all"]},
    "mail.example.org": {"TXT": ["v=spf1 ip4:192.0.2.10 -all exp=why.example.org"]},
    "why.example.org": {"TXT": ["%{s} %{l} %{o} %{d} %{h}"]},
}


def test_identity_mailfrom_and_helo() -> None:
    ctx, _ = ctx_for(IDENTITY_ZONE)
    mf = spf.check(IP, "alice@example.com", HELO, ctx=ctx)
    assert (mf.identity, mf.domain, mf.sender, mf.result) == ("mailfrom", "example.com", "alice@example.com", "fail")
    helo = spf.check(IP, "alice@example.com", HELO, ctx=ctx, identity="helo")
    assert (helo.identity, helo.domain, helo.sender, helo.result) == ("helo", HELO, f"postmaster@{HELO}", "pass")
    both = spf.check_both(IP, "alice@example.com", HELO, ctx=ctx)
    assert [(r.identity, r.result) for r in both] == [("mailfrom", "fail"), ("helo", "pass")]


@pytest.mark.parametrize("null", ["", "<>", None, "  "])
def test_null_sender_checks_postmaster_at_helo(null: str | None) -> None:
    ctx, _ = ctx_for(IDENTITY_ZONE)
    r = spf.check("192.0.2.99", null, HELO, ctx=ctx)
    assert (r.identity, r.domain, r.sender, r.result) == ("mailfrom", HELO, f"postmaster@{HELO}", "fail")
    assert r.explanation == f"postmaster@{HELO} postmaster {HELO} {HELO} {HELO}"


def test_sender_forms() -> None:
    ctx, _ = ctx_for(IDENTITY_ZONE)
    assert spf.check(IP, "<alice@example.com>", HELO, ctx=ctx).domain == "example.com"
    r = spf.check(IP, "@example.com", HELO, ctx=ctx)  # §4.3: no local-part → postmaster
    assert r.sender == "postmaster@example.com"
    assert spf.check(IP, "example.com", HELO, ctx=ctx).sender == "postmaster@example.com"
    assert spf.check(IP, '"a@b"@example.com', HELO, ctx=ctx).domain == "example.com"


@pytest.mark.parametrize(
    "helo", ["[192.0.2.10]", "192.0.2.10", "localhost", "OEMCOMPUTER", "", None, "a..example.com", "x" * 64 + ".com"]
)
def test_unusable_helo_is_none(helo: str | None) -> None:
    ctx, resolver = ctx_for({"localhost": {"TXT": ["v=spf1 +all"]}})
    r = spf.check(IP, "", helo, ctx=ctx, identity="helo")
    assert r.result == "none"
    assert resolver.asked == []  # nothing to ask (§4.3)
    assert spf.check(IP, None, helo, ctx=ctx).result == "none"


@pytest.mark.parametrize("domain", ["a..example.com", "x" * 64 + ".example.com", "[192.0.2.1]", "com", "a b.example"])
def test_malformed_mailfrom_domain_is_none(domain: str) -> None:
    r = run({}, mail_from=f"alice@{domain}")
    assert r.result == "none" and r.trace[0].outcome == "none" and "§4.3" in (r.trace[0].note or "")


def test_internationalized_domain_is_checked_as_a_labels() -> None:
    r = run({"xn--bcher-kva.example": {"TXT": ["v=spf1 ip4:192.0.2.10 -all"]}}, mail_from="a@b\u00fccher.example")
    assert (r.result, r.domain) == ("pass", "xn--bcher-kva.example")


def test_bad_arguments_raise() -> None:
    ctx, _ = ctx_for({})
    with pytest.raises(InputError):
        spf.check("not-an-ip", "a@example.com", HELO, ctx=ctx)
    with pytest.raises(InputError):
        spf.check(IP, "a@example.com", HELO, ctx=ctx, identity="pra")


# ---------------------------------------------------------------------------------------
# DNS errors (RFC 7208 §2.6.6, §4.4, §5)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["TIMEOUT", "SERVFAIL", "REFUSED"])
def test_record_lookup_failure_is_temperror(status: str) -> None:
    r = run({"example.com": {"TXT": status}})
    assert r.result == "temperror" and status in (r.problem or "")
    assert r.trace[0].outcome == "error" and r.trace[0].queries[0].status == status


@pytest.mark.parametrize(
    ("record", "failing"),
    [
        ("v=spf1 a:slow.example.com -all", {"slow.example.com": {"A": "TIMEOUT"}}),
        ("v=spf1 mx:slow.example.com -all", {"slow.example.com": {"MX": "SERVFAIL"}}),
        (
            "v=spf1 mx:m.example.com -all",
            {"m.example.com": {"MX": ["10 slow.example.com."]}, "slow.example.com": {"A": "TIMEOUT"}},
        ),
        ("v=spf1 exists:slow.example.com -all", {"slow.example.com": "TIMEOUT"}),
        ("v=spf1 include:slow.example.com -all", {"slow.example.com": {"TXT": "TIMEOUT"}}),
        ("v=spf1 redirect=slow.example.com", {"slow.example.com": {"TXT": "REFUSED"}}),
    ],
)
def test_mechanism_lookup_failure_is_temperror(record: str, failing: Zone) -> None:
    r = run({"example.com": {"TXT": [record]}, **failing})
    assert r.result == "temperror", r
    assert r.problem and "slow.example.com" in r.problem
    assert r.trace[1].outcome == "error" and r.trace[1].result == "temperror"


def test_ptr_lookup_failure_is_no_match() -> None:
    # RFC 7208 §5.5: a DNS error on the PTR query → no match; on a name's A query → skip it.
    r = run({"example.com": {"TXT": ["v=spf1 ptr ?all"]}, "10.2.0.192.in-addr.arpa": "TIMEOUT"})
    assert r.result == "neutral" and r.trace[1].outcome == "no-match" and "§5.5" in (r.trace[1].note or "")
    r = run(
        {
            "example.com": {"TXT": ["v=spf1 ptr ?all"]},
            "10.2.0.192.in-addr.arpa": {"PTR": ["a.example.com.", "b.example.com."]},
            "a.example.com": "SERVFAIL",
            "b.example.com": {"A": [IP]},
        }
    )
    assert r.result == "pass"


# ---------------------------------------------------------------------------------------
# Addresses (RFC 7208 §5)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ip",
    ["::ffff:192.0.2.10", "::FFFF:192.0.2.10", "[IPv6:::ffff:192.0.2.10]", ipaddress.ip_address("::ffff:c000:20a")],
)
def test_ipv4_mapped_ipv6_is_checked_as_ipv4(ip: typing.Any) -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 ip6:::ffff:0:0/96 a -all exp=why.example.com"], "A": ["203.0.113.1"]},
        "why.example.com": {"TXT": ["%{i} %{v}"]},
    }
    r = run(zone, ip=ip)
    assert r.ip == IP
    assert r.result == "fail"  # ip6 does not match an IPv4 client, a queries A
    assert r.trace[1].outcome == "no-match"
    assert r.trace[2].queries[0].rdtype == "A"
    assert r.explanation == f"{IP} in-addr"
    assert run({"example.com": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]}}, ip=ip).result == "pass"


def test_ipv6_client() -> None:
    zone = {
        "example.com": {"TXT": ["v=spf1 ip4:0.0.0.0/0 a//64 -all"], "AAAA": ["2001:db8:1:2::1"], "A": ["192.0.2.10"]},
    }
    r = run(zone, ip="2001:db8:1:2:ffff::9")
    assert r.result == "pass" and r.mechanism == "a//64"
    assert r.trace[2].queries[0].rdtype == "AAAA"
    assert run(zone, ip="2001:db8:1:3::9").result == "fail"


@pytest.mark.parametrize(
    ("term", "ip", "matched"),
    [
        ("ip4:192.0.2.0/24", "192.0.2.255", True),
        ("ip4:192.0.2.0/25", "192.0.2.128", False),
        ("ip4:0.0.0.0/0", "203.0.113.9", True),
        ("ip4:192.0.2.10", "192.0.2.10", True),
        ("ip6:2001:db8::/32", "2001:db8:ffff::1", True),
        ("ip6:2001:db8::/33", "2001:db8:8000::1", False),
        ("ip6:::/0", "192.0.2.10", False),
        ("a/24", "192.0.2.99", True),
        ("a:example.com/31", "192.0.2.11", True),
        ("a:example.com/32", "192.0.2.11", False),
    ],
)
def test_cidr_matching(term: str, ip: str, matched: bool) -> None:
    r = run({"example.com": {"TXT": [f"v=spf1 {term} -all"], "A": ["192.0.2.10"]}}, ip=ip)
    assert (r.result == "pass") is matched, r
