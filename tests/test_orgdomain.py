"""The organizational domain: the PSL method's input handling and the RFC 9989 tree walk."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from mailforensics.auth import orgdomain
from mailforensics.auth.orgdomain import organizational_domain, walk
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

# --- helpers -------------------------------------------------------------------------------


class CountingResolver:
    """Wraps a resolver and keeps the questions asked, in order."""

    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append((name, rdtype))
        return self.inner.query(name, rdtype)


Zone = Mapping[str, Mapping[str, Sequence[str] | str] | str]


def ctx_for(records: Zone) -> tuple[Context, CountingResolver]:
    resolver = CountingResolver(ZoneResolver.from_dict(records))
    return Context(resolver=resolver), resolver


def dmarc(name: str, *records: str) -> dict[str, Mapping[str, Sequence[str] | str] | str]:
    return {f"_dmarc.{name}": {"TXT": list(records)}}


# --- PSL method ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("mail.example.com", "example.com"),
        ("Mail.Example.COM.", "example.com"),  # case, trailing dot
        ("example.com", "example.com"),
        ("com", None),  # a public suffix itself
        ("co.uk", None),
        ("a.b.example.co.uk", "example.co.uk"),
        (".example.com", None),  # leading dot
        ("a..example.com", None),  # empty label
        ("", None),
        (".", None),
        (None, None),
        ("exa mple.com", None),
        ("192.0.2.1", None),  # an address has no organizational domain
        ("2001:db8::1", None),
        ("x" * 64 + ".example.com", None),  # a label longer than 63 octets
        ("www.食狮.公司.cn", "食狮.公司.cn"),  # U-labels in, U-labels out
        ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ],
)
def test_psl_method(domain: str | None, expected: str | None) -> None:
    assert organizational_domain(domain) == expected


def test_psl_private_section_is_used_by_default() -> None:
    # blogspot.com is in the PRIVATE section of the list.
    assert organizational_domain("foo.blogspot.com") == "foo.blogspot.com"
    assert organizational_domain("foo.blogspot.com", private=False) == "blogspot.com"


def test_psl_missing_file_is_input_error() -> None:
    with pytest.raises(InputError, match="Public Suffix List"):
        organizational_domain("example.com", psl_file="/nonexistent/public_suffix_list.dat")


def test_psl_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "tiny.dat"
    path.write_text("// ===BEGIN ICANN DOMAINS===\nexample\nco.example\n// ===END ICANN DOMAINS===\n")
    assert organizational_domain("a.b.co.example", psl_file=path) == "b.co.example"
    assert organizational_domain("co.example", psl_file=path) is None


def test_psl_load_is_thread_safe(tmp_path: Path) -> None:
    path = tmp_path / "list.dat"
    path.write_text("com\n")
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(orgdomain.load_psl(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(s is seen[0] for s in seen)


def test_unknown_method_and_missing_ctx() -> None:
    with pytest.raises(InputError, match="unknown method"):
        organizational_domain("example.com", method="guess")
    with pytest.raises(InputError, match="ctx"):
        organizational_domain("example.com", method="rfc9989")


# --- RFC 9989 tree walk --------------------------------------------------------------------


def test_walk_query_list_short_domain() -> None:
    ctx, resolver = ctx_for({})
    result = walk("a.mail.example.com", ctx=ctx)
    assert result.query_names == (
        "_dmarc.a.mail.example.com",
        "_dmarc.mail.example.com",
        "_dmarc.example.com",
        "_dmarc.com",
    )
    assert resolver.asked == [(n, "TXT") for n in result.query_names]


def test_no_records_at_all_the_domain_is_its_own_org_domain() -> None:
    # §4.10.2: "If this process does not determine the Organizational Domain, then the
    # initial target domain is the Organizational Domain." No record: no policy.
    ctx, _ = ctx_for({})
    result = walk("a.mail.example.com", ctx=ctx)
    assert result.status == "ok"
    assert result.org_domain == "a.mail.example.com"
    assert result.org_rule == "no-record"
    assert result.policy_domain is None and result.policy_record is None and result.policy_source is None
    assert [q.status for q in result.queries] == ["NXDOMAIN"] * 4
    assert organizational_domain("a.mail.example.com", method="rfc9989", ctx=ctx) == "a.mail.example.com"


def test_record_with_fewest_labels_wins() -> None:
    # §4.10.2 example: records at mail.example.com and example.com, none at
    # a.mail.example.com or com → example.com.
    ctx, _ = ctx_for(
        dmarc("mail.example.com", "v=DMARC1; p=none") | dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine")
    )
    result = walk("a.mail.example.com", ctx=ctx)
    assert len(result.queries) == 4  # no psd tag: the walk goes on to the TLD
    assert result.org_domain == "example.com"
    assert result.org_rule == "fewest-labels"
    assert [q.name for q in result.records] == ["mail.example.com", "example.com"]
    # §4.10.1: no record at the Author Domain → the Organizational Domain's record.
    assert result.policy_domain == "example.com"
    assert result.policy_source == "organizational"
    assert result.policy_record == "v=DMARC1; p=reject; sp=quarantine"


def test_psd_n_stops_the_walk() -> None:
    ctx, resolver = ctx_for(
        dmarc("mail.example.com", "v=DMARC1; p=none; psd=n") | dmarc("example.com", "v=DMARC1; p=reject")
    )
    result = walk("a.mail.example.com", ctx=ctx)
    assert result.query_names == ("_dmarc.a.mail.example.com", "_dmarc.mail.example.com")
    assert len(resolver.asked) == 2
    assert result.org_domain == "mail.example.com"
    assert result.org_rule == "psd=n"
    assert result.queries[1].psd == "n"
    assert result.policy_domain == "mail.example.com"
    assert result.policy_source == "organizational"


def test_psd_y_at_a_tld_like_level() -> None:
    # §4.10.2 last example: only _dmarc.com, with psd=y → example.com; the policy is the
    # PSD's (§4.10.1, third preference) because example.com publishes none.
    ctx, _ = ctx_for(dmarc("com", "v=DMARC1; p=reject; np=reject; psd=y"))
    result = walk("a.mail.example.com", ctx=ctx)
    assert result.org_domain == "example.com"
    assert result.org_rule == "psd=y"
    assert result.psd_domain == "com"
    assert result.policy_domain == "com"
    assert result.policy_source == "psd"
    assert result.policy_record == "v=DMARC1; p=reject; np=reject; psd=y"
    assert organizational_domain("A.Mail.Example.COM.", method="rfc9989", ctx=ctx) == "example.com"


def test_psd_y_bank_example_appendix_b43() -> None:
    # Appendix B.4.3: _dmarc.bank.example has psd=y; giant.bank.example has a record
    # without psd; mega.bank.example and mail.mega.bank.example have none.
    zone = dmarc("bank.example", "v=DMARC1; p=reject; psd=y") | dmarc("giant.bank.example", "v=DMARC1; p=quarantine")
    ctx, _ = ctx_for(zone)
    author = walk("giant.bank.example", ctx=ctx)
    assert author.query_names == ("_dmarc.giant.bank.example", "_dmarc.bank.example")  # stops at psd=y
    assert author.org_domain == "giant.bank.example"
    assert author.policy_domain == "giant.bank.example" and author.policy_source == "author"
    spf = walk("mail.giant.bank.example", ctx=ctx)
    assert spf.org_domain == "giant.bank.example"
    assert spf.policy_source == "organizational"
    dkim = walk("mail.mega.bank.example", ctx=ctx)
    assert dkim.query_names == (
        "_dmarc.mail.mega.bank.example",
        "_dmarc.mega.bank.example",
        "_dmarc.bank.example",
    )
    assert dkim.org_domain == "mega.bank.example"
    assert dkim.policy_domain == "bank.example" and dkim.policy_source == "psd"


def test_psd_y_at_the_starting_domain_stops_and_is_its_own_org_domain() -> None:
    # Rule 2 excludes the starting domain's own psd=y; step 2 stops the walk there, so
    # rule 3 picks the only record found: the starting domain.
    ctx, resolver = ctx_for(dmarc("bank.example", "v=DMARC1; p=reject; psd=y"))
    result = walk("bank.example", ctx=ctx)
    assert len(resolver.asked) == 1
    assert result.org_domain == "bank.example"
    assert result.org_rule == "fewest-labels"
    assert result.policy_source == "author"
    assert result.psd_domain == "bank.example"


def test_deep_domain_jumps_to_seven_labels() -> None:
    # §4.10: the eight queries for a.b.c.d.e.f.g.h.i.j.mail.example.com.
    ctx, resolver = ctx_for({})
    result = walk("a.b.c.d.e.f.g.h.i.j.mail.example.com", ctx=ctx)
    assert result.query_names == (
        "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
        "_dmarc.g.h.i.j.mail.example.com",
        "_dmarc.h.i.j.mail.example.com",
        "_dmarc.i.j.mail.example.com",
        "_dmarc.j.mail.example.com",
        "_dmarc.mail.example.com",
        "_dmarc.example.com",
        "_dmarc.com",
    )
    assert len(resolver.asked) == orgdomain.MAX_WALK_QUERIES


def test_deep_domain_appendix_b42_and_unseen_zone_cut() -> None:
    # B.4.2: records only at example.com → example.com is org and policy domain.
    # §5.1.8: a psd=n record at b.c.d.e.f.g.example.com is never queried (skipped by the jump).
    zone = dmarc("example.com", "v=DMARC1; p=reject") | dmarc("b.c.d.e.f.g.example.com", "v=DMARC1; p=none; psd=n")
    ctx, _ = ctx_for(zone)
    deep = walk("a.b.c.d.e.f.g.h.i.j.k.example.com", ctx=ctx)
    assert deep.query_names[1] == "_dmarc.g.h.i.j.k.example.com"
    assert len(deep.queries) == 8
    assert deep.org_domain == "example.com"
    assert deep.policy_domain == "example.com"
    cut = walk("mail.a.b.c.d.e.f.g.example.com", ctx=ctx)
    assert "_dmarc.b.c.d.e.f.g.example.com" not in cut.query_names
    assert cut.query_names[1] == "_dmarc.c.d.e.f.g.example.com"
    assert cut.org_domain == "example.com"


def test_eight_labels_walks_one_at_a_time() -> None:
    ctx, _ = ctx_for({})
    result = walk("a.b.c.d.e.f.g.h", ctx=ctx)
    assert result.query_names == tuple("_dmarc." + ".".join("abcdefgh"[i:]) for i in range(8))


def test_psd_y_one_label_below_after_a_jump() -> None:
    # The domain one label below the psd=y name, on the path to the starting domain, even
    # when the jump skipped it.
    ctx, _ = ctx_for(dmarc("d.e.f.g.h.i.example", "v=DMARC1; p=none; psd=y"))
    result = walk("a.b.c.d.e.f.g.h.i.example", ctx=ctx)
    assert result.query_names == ("_dmarc.a.b.c.d.e.f.g.h.i.example", "_dmarc.d.e.f.g.h.i.example")
    assert result.org_domain == "c.d.e.f.g.h.i.example"  # never queried itself
    assert result.org_rule == "psd=y"
    assert result.policy_domain == "d.e.f.g.h.i.example" and result.policy_source == "psd"


def test_txt_that_is_not_dmarc_is_ignored() -> None:
    zone = {
        "_dmarc.mail.example.com": {"TXT": ["v=spf1 -all", "v=DMARC10; p=reject", "p=reject; v=DMARC1"]},
        **dmarc("example.com", "v=DMARC1; p=reject"),
    }
    ctx, _ = ctx_for(zone)
    result = walk("mail.example.com", ctx=ctx)
    first = result.queries[0]
    assert first.txt == ("v=spf1 -all", "v=DMARC10; p=reject", "p=reject; v=DMARC1")
    assert first.record is None and first.dmarc_records == 0
    assert result.org_domain == "example.com"
    assert result.policy_source == "organizational"


def test_several_dmarc_records_at_one_name_are_all_discarded() -> None:
    # §4.10 step 2: "If multiple DMARC Policy Records are returned for a single target,
    # they are all discarded." Even one with psd=n does not stop the walk.
    zone = {
        "_dmarc.mail.example.com": {"TXT": ["v=DMARC1; p=none; psd=n", "v=DMARC1; p=reject"]},
        **dmarc("example.com", "v=DMARC1; p=quarantine"),
    }
    ctx, _ = ctx_for(zone)
    result = walk("mail.example.com", ctx=ctx)
    assert result.queries[0].dmarc_records == 2
    assert result.queries[0].record is None and result.queries[0].psd is None
    assert len(result.queries) == 3
    assert result.org_domain == "example.com"
    assert result.policy_domain == "example.com"


def test_split_txt_strings_are_joined_and_spacing_is_allowed() -> None:
    zone = {"_dmarc.example.org": {"TXT": ['"v = DMARC1 ; p=reject; " "psd=n"']}}
    ctx, _ = ctx_for(zone)
    result = walk("www.example.org", ctx=ctx)
    assert result.queries[1].record == "v = DMARC1 ; p=reject; psd=n"
    assert result.queries[1].psd == "n"
    assert result.org_domain == "example.org"
    assert len(result.queries) == 2


def test_invalid_psd_value_is_the_default() -> None:
    ctx, _ = ctx_for(dmarc("example.org", "v=DMARC1; p=reject; psd=maybe") | dmarc("org", "v=DMARC1; psd=y"))
    result = walk("www.example.org", ctx=ctx)
    assert result.queries[1].psd is None
    assert len(result.queries) == 3
    assert result.org_domain == "example.org"  # org's psd=y: one label below it


def test_timeout_mid_walk_is_temperror() -> None:
    zone = {
        **dmarc("a.mail.example.com", "v=DMARC1; p=none"),
        "_dmarc.mail.example.com": {"TXT": "TIMEOUT"},
        **dmarc("example.com", "v=DMARC1; p=reject; psd=n"),
    }
    ctx, resolver = ctx_for(zone)
    result = walk("a.mail.example.com", ctx=ctx)
    assert result.status == "temperror"
    assert result.temperror_at == "_dmarc.mail.example.com"
    assert result.query_names == ("_dmarc.a.mail.example.com", "_dmarc.mail.example.com")
    assert len(resolver.asked) == 2  # the walk stops at the failure
    assert result.queries[1].status == "TIMEOUT" and result.queries[1].temporary_failure
    assert result.org_domain is None and result.org_rule is None
    # The Author Domain's own record is known, and it applies whatever comes after.
    assert result.policy_domain == "a.mail.example.com" and result.policy_source == "author"
    assert organizational_domain("a.mail.example.com", method="rfc9989", ctx=ctx) is None


def test_servfail_at_first_query_is_temperror_without_policy() -> None:
    ctx, _ = ctx_for({"_dmarc.example.com": "SERVFAIL"})
    result = walk("example.com", ctx=ctx)
    assert result.status == "temperror"
    assert result.policy_domain is None and result.org_domain is None


def test_idn_author_domain_is_walked_as_a_labels() -> None:
    ctx, _ = ctx_for(dmarc("xn--85x722f.xn--fiqs8s", "v=DMARC1; p=reject"))
    result = walk("www.食狮.中国", ctx=ctx)
    assert result.domain == "www.xn--85x722f.xn--fiqs8s"
    assert result.query_names[0] == "_dmarc.www.xn--85x722f.xn--fiqs8s"
    assert result.org_domain == "xn--85x722f.xn--fiqs8s"
    # organizational_domain answers in the form it was given.
    assert organizational_domain("www.食狮.中国", method="rfc9989", ctx=ctx) == "食狮.中国"


@pytest.mark.parametrize("bad", ["", ".", ".example.com", "a..b", "exa mple.com"])
def test_invalid_domain_makes_no_query(bad: str) -> None:
    ctx, resolver = ctx_for({})
    result = walk(bad, ctx=ctx)
    assert result.status == "invalid" and result.queries == ()
    assert resolver.asked == []
    assert organizational_domain(bad, method="rfc9989", ctx=ctx) is None


def test_walk_from_zone_text() -> None:
    zone = ZoneResolver.from_text(
        """
$ORIGIN example.net.
$TTL 300
_dmarc          IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.net"
_dmarc.eu.corp  IN TXT "v=DMARC1; p=none; psd=n"
"""
    )
    ctx = Context(resolver=zone)
    assert organizational_domain("mail.eu.corp.example.net", method="rfc9989", ctx=ctx) == "eu.corp.example.net"
    assert organizational_domain("mail.us.corp.example.net", method="rfc9989", ctx=ctx) == "example.net"
    # The PSL does not know the organization's own boundary.
    assert organizational_domain("mail.eu.corp.example.net") == "example.net"
