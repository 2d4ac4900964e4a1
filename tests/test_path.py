"""Path reconstruction: order, signed delays, anomalies, trust boundary, originating IP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailforensics.context import Config, Context
from mailforensics.findings import FindingCode
from mailforensics.message import Message
from mailforensics.path import build_path, reconstruct
from mailforensics.received import parse_received

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def msg(*received: str, date: str | None = "Tue, 02 Jan 2024 09:59:00 +0000", extra: str = "") -> Message:
    lines = [f"Received: {r}" for r in received]
    if date:
        lines.append(f"Date: {date}")
    lines += ["From: a@example.org", "To: bob@example.net", "Subject: t"]
    if extra:
        lines.insert(0, extra)
    return Message.from_bytes(("\r\n".join(lines) + "\r\n\r\nbody\r\n").encode())


CHAIN = (
    # top: internal delivery (LMTP, no client address)
    "from mx1.example.net by store.example.net (Dovecot) with LMTP id abc for <bob@example.net>;"
    " Tue, 02 Jan 2024 10:00:09 +0000",
    # our MX receives from the internet: the boundary
    "from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net (Postfix) with ESMTPS"
    " id 4T1 for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000",
    # sender's relay received from the sender's LAN (a claim)
    "from [192.168.1.20] (unknown [192.168.1.20]) by mail.example.org (Postfix) with ESMTPSA id 9Z;"
    " Tue, 02 Jan 2024 10:00:00 +0000",
)


def test_order_delays_and_boundary() -> None:
    path = reconstruct(msg(*CHAIN), ctx=Context(now=NOW))
    assert [ph.number for ph in path.hops] == [1, 2, 3]
    assert path.hops[0].hop.by_host == "mail.example.org"  # oldest first
    assert path.hops[-1].hop.by_host == "store.example.net"
    assert [ph.delay_s for ph in path.hops] == [None, 5.0, 4.0]
    assert [ph.elapsed_s for ph in path.hops] == [0.0, 5.0, 9.0]
    assert path.boundary_hop == 2
    assert path.originating_ip == "203.0.113.5"
    assert [ph.external for ph in path.hops] == [True, True, False]
    assert [ph.trusted_record for ph in path.hops] == [False, True, True]
    assert [ph.header_index for ph in path.hops] == [2, 1, 0]
    codes = {f.code for f in path.findings}
    assert FindingCode.PRIVATE_IP_OUTSIDE_BOUNDARY in codes
    assert FindingCode.HOP_NEGATIVE_DELAY not in codes


def test_negative_delay_is_signed_not_wrapped() -> None:
    # The middle hop's clock is 10 minutes behind: timedelta.seconds would say 85800.
    chain = list(CHAIN)
    chain[1] = chain[1].replace("10:00:05", "09:50:05")
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    assert path.hops[1].delay_s == -595.0
    assert path.hops[2].delay_s == 604.0
    neg = [f for f in path.findings if f.code == FindingCode.HOP_NEGATIVE_DELAY]
    assert len(neg) == 1 and neg[0].where == "hop 2" and neg[0].severity == "warning"


@pytest.mark.parametrize("stamp", ["09:59:59", "09:59:45", "09:55:01"])
def test_negative_delay_within_the_tolerance_is_only_info(stamp: str) -> None:
    # Config.clock_tolerance_s (300 s): relay clocks drift; within it, a record (info),
    # not a notice or warning; beyond it (here with a tolerance of 0), a warning.
    chain = list(CHAIN)
    chain[1] = chain[1].replace("10:00:05", stamp)
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    assert path.hops[1].delay_s is not None and path.hops[1].delay_s < 0  # still measured, signed
    neg = [f for f in path.findings if f.code == FindingCode.HOP_NEGATIVE_DELAY]
    assert [f.severity for f in neg] == ["info"] and "clock drift" in neg[0].detail
    tight = reconstruct(msg(*chain), ctx=Context(now=NOW, config=Config(clock_tolerance_s=0)))
    neg = [f for f in tight.findings if f.code == FindingCode.HOP_NEGATIVE_DELAY]
    assert [f.severity for f in neg] == ["warning"]


def test_hop_in_future_uses_context_clock() -> None:
    chain = list(CHAIN)
    chain[0] = chain[0].replace("2024", "2031")
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    future = [f for f in path.findings if f.code == FindingCode.HOP_IN_FUTURE]
    assert [f.where for f in future] == ["hop 3"]
    # judged in 2032, nothing is in the future
    later = reconstruct(msg(*chain), ctx=Context(now=datetime(2032, 1, 1, tzinfo=UTC)))
    assert not [f for f in later.findings if f.code == FindingCode.HOP_IN_FUTURE]


def test_date_after_first_hop_and_long_before() -> None:
    after = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 11:00:00 +0000"), ctx=Context(now=NOW))
    assert FindingCode.DATE_AFTER_FIRST_HOP in {f.code for f in after.findings}
    before = reconstruct(msg(*CHAIN, date="Fri, 29 Dec 2023 09:00:00 +0000"), ctx=Context(now=NOW))
    assert FindingCode.DATE_LONG_BEFORE_FIRST_HOP in {f.code for f in before.findings}
    ok = reconstruct(msg(*CHAIN), ctx=Context(now=NOW))
    assert not {FindingCode.DATE_AFTER_FIRST_HOP, FindingCode.DATE_LONG_BEFORE_FIRST_HOP} & {
        f.code for f in ok.findings
    }


def test_trusted_networks_move_the_boundary_down() -> None:
    chain = (
        "from relay.example.net (relay.example.net [198.51.100.7]) by store.example.net with ESMTP id 1;"
        " Tue, 02 Jan 2024 10:00:09 +0000",
        "from mail.example.org (mail.example.org [203.0.113.5]) by relay.example.net with ESMTP id 2;"
        " Tue, 02 Jan 2024 10:00:05 +0000",
    )
    default = reconstruct(msg(*chain), ctx=Context(now=NOW))
    assert default.originating_ip == "198.51.100.7" and default.boundary_hop == 2
    cfg = Context(now=NOW, config=Config(trusted_networks=("198.51.100.0/24",)))
    trusted = reconstruct(msg(*chain), ctx=cfg)
    assert trusted.originating_ip == "203.0.113.5" and trusted.boundary_hop == 1
    by_domain = reconstruct(msg(*chain), ctx=Context(now=NOW, config=Config(internal_domains=("example.net",))))
    assert by_domain.originating_ip == "203.0.113.5"


def test_private_is_internal_can_be_turned_off() -> None:
    chain = (
        "from gw.corp.example.net (gw.corp.example.net [10.1.2.3]) by store.example.net with ESMTP id 1;"
        " Tue, 02 Jan 2024 10:00:09 +0000",
        "from mail.example.org (mail.example.org [203.0.113.5]) by gw.corp.example.net with ESMTP id 2;"
        " Tue, 02 Jan 2024 10:00:05 +0000",
    )
    assert reconstruct(msg(*chain)).originating_ip == "203.0.113.5"
    strict = Context(config=Config(private_is_internal=False))
    assert reconstruct(msg(*chain), ctx=strict).originating_ip == "10.1.2.3"


def test_no_received_and_all_internal() -> None:
    none = reconstruct(msg(), ctx=Context(now=NOW))
    assert none.hops == () and none.boundary_hop is None
    assert FindingCode.NO_RECEIVED in {f.code for f in none.findings}
    internal = reconstruct(
        msg("from localhost (localhost [127.0.0.1]) by mail.example.net (Postfix) with ESMTP id 1;"
            " Tue, 02 Jan 2024 10:00:09 +0000"),
        ctx=Context(now=NOW),
    )  # fmt: skip
    assert internal.originating_ip is None
    assert FindingCode.NO_EXTERNAL_HOP in {f.code for f in internal.findings}


def test_unparsed_and_undated_hops_are_findings_not_errors() -> None:
    chain = (CHAIN[0], "garbage ((( [[ no clauses", CHAIN[1])
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    assert len(path.hops) == 3
    codes = [f.code for f in path.findings]
    assert FindingCode.RECEIVED_UNPARSED in codes
    assert FindingCode.RECEIVED_NO_TIMESTAMP in codes
    # the unreadable header names no address, so it names no client to judge: the walk
    # steps over it (it is still reported), and finds the boundary below it
    assert path.originating_ip == "203.0.113.5" and path.boundary_hop == 1
    assert FindingCode.NO_EXTERNAL_HOP not in codes
    # the delay of the hop after the undated one is measured from the last dated hop
    assert path.hops[2].delay_s == 4.0


@pytest.mark.parametrize(
    "garbage",
    [
        "garbage ((( [[ 198.51.100.9 no clauses",
        "garbage ((( [[ [198.51.100.9]:2525 no clauses",
        "garbage ((( [[ IPv6:2001:db8::9 no clauses",
    ],
)
def test_unreadable_header_with_an_address_stops_the_walk(garbage: str) -> None:
    # An address the parser could not place may be an external client's: the walk
    # cannot go past it, and says so.
    path = reconstruct(msg(CHAIN[0], garbage, CHAIN[1]), ctx=Context(now=NOW))
    codes = [f.code for f in path.findings]
    assert FindingCode.RECEIVED_UNPARSED in codes
    assert path.originating_ip is None and path.boundary_hop is None
    assert FindingCode.NO_EXTERNAL_HOP in codes
    assert [ph.trusted_record for ph in path.hops] == [False, True, True]


def test_comment_only_fields_are_stepped_over() -> None:
    # qmail and its forks write a Received field that is only a comment beside the one
    # that records the client; it names no client, so the walk goes on past it.
    chain = (
        "(mqmail 4711 invoked from network); 2 Jan 2024 10:00:10 -0000",
        "from relay.example.net (relay.example.net [198.51.100.7]) by store.example.net ([198.51.100.8])"
        " with ESMTP; 2 Jan 2024 10:00:09 -0000",
        "(qmail 4710 invoked from network); 2 Jan 2024 10:00:08 -0000",
        CHAIN[1],
    )
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    codes = {f.code for f in path.findings}
    assert FindingCode.RECEIVED_UNPARSED not in codes and FindingCode.NO_EXTERNAL_HOP not in codes
    assert path.originating_ip == "198.51.100.7" and path.boundary_hop == 3
    assert [ph.external for ph in path.hops] == [True, True, True, False]
    cfg = Context(now=NOW, config=Config(trusted_networks=("198.51.100.0/24",)))
    inside = reconstruct(msg(*chain), ctx=cfg)
    assert inside.originating_ip == "203.0.113.5" and inside.boundary_hop == 1
    assert [ph.external for ph in inside.hops] == [True, False, False, False]


def test_build_path_without_message() -> None:
    hops = [parse_received(r) for r in CHAIN]
    path = build_path(hops, ctx=Context(now=NOW))
    assert path.originating_ip == "203.0.113.5"
    assert path.date is None
    assert path.delivered_at == datetime(2024, 1, 2, 10, 0, 9, tzinfo=UTC)


def test_context_rejects_naive_now() -> None:
    from mailforensics.errors import InputError

    with pytest.raises(InputError):
        Context(now=datetime(2024, 1, 1))
    with pytest.raises(InputError):
        Context(now="yesterday")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        Config(trusted_networks=("not-a-network",))
    with pytest.raises(InputError):
        Config(internal_domains="example.net")  # type: ignore[arg-type]


def test_sendmail_may_be_forged_is_reported() -> None:
    chain = (
        "from mail.example.org (mail.example.org [203.0.113.5]) (may be forged) by mx1.example.net"
        " (8.17.1/8.17.1) with ESMTP id x1; Tue, 02 Jan 2024 10:00:05 +0000",
    )
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    forged = [f for f in path.findings if f.code == FindingCode.RDNS_NOT_CONFIRMED]
    assert len(forged) == 1 and forged[0].where == "hop 1" and forged[0].severity == "notice"
    assert "203.0.113.5" in forged[0].detail


def test_date_after_the_trusted_hop() -> None:
    # The sender's relay is dated to agree with the Date, but our MX (the boundary hop,
    # a record we trust) received the message twelve days before it was dated.
    chain = (
        CHAIN[0],
        CHAIN[1],
        CHAIN[2].replace("Tue, 02 Jan 2024 10:00:00", "Sun, 14 Jan 2024 09:58:00"),
    )
    path = reconstruct(msg(*chain, date="Sun, 14 Jan 2024 13:59:00 +0400"), ctx=Context(now=NOW))
    late = [f for f in path.findings if f.code == FindingCode.DATE_AFTER_TRUSTED_HOP]
    assert len(late) == 1 and late[0].where == "hop 2" and late[0].severity == "warning"
    assert "12.0 days" in late[0].detail
    assert FindingCode.DATE_AFTER_FIRST_HOP not in {f.code for f in path.findings}
    # within the clock tolerance: nothing
    ok = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 10:03:00 +0000"), ctx=Context(now=NOW))
    assert not {FindingCode.DATE_AFTER_TRUSTED_HOP, FindingCode.DATE_AFTER_FIRST_HOP} & {f.code for f in ok.findings}


def test_date_after_first_and_trusted_hop_is_one_finding() -> None:
    path = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 11:00:00 +0000"), ctx=Context(now=NOW))
    codes = [f.code for f in path.findings]
    assert FindingCode.DATE_AFTER_FIRST_HOP in codes and FindingCode.DATE_AFTER_TRUSTED_HOP not in codes
    after = next(f for f in path.findings if f.code == FindingCode.DATE_AFTER_FIRST_HOP)
    assert "hop 2" in after.detail and ("hop 2 (trusted)", "2024-01-02T10:00:05+00:00") in after.evidence


def test_date_not_compared_twice_when_the_first_hop_is_trusted() -> None:
    # All internal: the oldest trusted hop is the first hop; only the first-hop check speaks.
    chain = (
        "from localhost (localhost [127.0.0.1]) by mail.example.net (Postfix) with ESMTP id 1;"
        " Tue, 02 Jan 2024 10:00:09 +0000",
    )
    path = reconstruct(msg(*chain, date="Tue, 02 Jan 2024 11:00:00 +0000"), ctx=Context(now=NOW))
    codes = [f.code for f in path.findings]
    assert codes.count(FindingCode.DATE_AFTER_FIRST_HOP) == 1 and FindingCode.DATE_AFTER_TRUSTED_HOP not in codes


def test_date_missing_is_a_notice() -> None:
    path = reconstruct(msg(*CHAIN, date=None), ctx=Context(now=NOW))
    missing = [f for f in path.findings if f.code == FindingCode.DATE_MISSING]
    assert len(missing) == 1 and missing[0].severity == "notice" and missing[0].where == "message"
    present = reconstruct(msg(*CHAIN), ctx=Context(now=NOW))
    assert FindingCode.DATE_MISSING not in {f.code for f in present.findings}


FOREIGN = (
    # top: our MX, from the sender's outbound relay
    "from out.example.org (out.example.org [203.0.113.5]) by mx1.example.net (Postfix) with ESMTPS"
    " id 4T2; Tue, 02 Jan 2024 10:00:09 +0000",
    # two fields of another organization, from another year, between the sender's own
    "from a1.example.com (a1.example.com [198.51.100.1]) by b1.example.com with ESMTP id z1;"
    " Mon, 01 Oct 2018 09:49:22 +0000",
    "from a2.example.com (a2.example.com [198.51.100.2]) by a1.example.com with ESMTP id z2;"
    " Mon, 01 Oct 2018 09:49:21 +0000",
    # the sender's submission server, received by its filter (same organization as "out")
    "from filter.example.org (filter.example.org [192.0.2.9]) by smtp.example.org with ESMTP id y1;"
    " Tue, 02 Jan 2024 10:00:01 +0000",
)


def test_foreign_block_that_breaks_the_chain_on_both_sides() -> None:
    path = reconstruct(msg(*FOREIGN), ctx=Context(now=NOW))
    block = [f for f in path.findings if f.code == FindingCode.HOP_FOREIGN_BLOCK]
    assert len(block) == 1 and block[0].where == "hops 2-3" and block[0].severity == "notice"
    assert "smtp.example.org" in block[0].detail and len(block[0].evidence) == 4


def test_single_naming_breaks_are_not_reported() -> None:
    # Real chains name hosts differently (internal names, aliases): one break, or a run
    # whose removal does not repair the chain, is not a finding.
    one_break = (FOREIGN[0], FOREIGN[3])
    assert FindingCode.HOP_FOREIGN_BLOCK not in {
        f.code for f in reconstruct(msg(*one_break), ctx=Context(now=NOW)).findings
    }
    unrepaired = (FOREIGN[0].replace("out.example.org", "out.example.info"), *FOREIGN[1:])
    assert FindingCode.HOP_FOREIGN_BLOCK not in {
        f.code for f in reconstruct(msg(*unrepaired), ctx=Context(now=NOW)).findings
    }
    # the usual shapes: CHAIN (LMTP after the MX, short names) is continuous or unknown
    assert FindingCode.HOP_FOREIGN_BLOCK not in {
        f.code for f in reconstruct(msg(*CHAIN), ctx=Context(now=NOW)).findings
    }


# --- a client named, but no address recorded ---------------------------------------------
FORGED_BELOW = (
    # written by the sender's own relay: claims the message came from a trusted bank host
    "from trusted.bank.example (trusted.bank.example [192.0.2.10]) by relay.example.org (Postfix)"
    " with ESMTPS id 4ABC; Tue, 02 Jan 2024 10:00:00 +0000"
)


@pytest.mark.parametrize(
    "top",
    [
        # our MX, in shapes that once lost the client address (ZMailer, Sun SIMS), and one
        # that never had it: the walk must not step over any of them
        'from relay.example.org ([198.51.100.66]:7689 "EHLO relay.example.org") by mx.example.net'
        " with ESMTP id S262978AbVD2U6H; Tue, 02 Jan 2024 10:00:05 +0000",
        'from relay.example.org ("port 34611"@relay.example.org [198.51.100.66]) by mx.example.net'
        " (Sun Internet Mail Server sims.3.5.1999.01.13.19.49) with ESMTP id <0FHH00@mx.example.net>;"
        " Tue, 02 Jan 2024 10:00:05 +0000",
    ],
)
def test_our_mx_client_decides_not_a_forged_header_below(top: str) -> None:
    path = reconstruct(msg(top, FORGED_BELOW), ctx=Context(now=NOW))
    assert path.originating_ip == "198.51.100.66" and path.boundary_hop == 2


def test_a_client_named_without_address_stops_the_walk() -> None:
    top = "from relay.example.org by mx.example.net with ESMTP id S1; Tue, 02 Jan 2024 10:00:05 +0000"
    path = reconstruct(msg(top, FORGED_BELOW), ctx=Context(now=NOW))
    assert path.boundary_hop == 2 and path.originating_ip is None  # not 192.0.2.10
    assert [ph.external for ph in path.hops] == [True, True]
    assert [ph.trusted_record for ph in path.hops] == [False, True]
    missing = [f for f in path.findings if f.code == FindingCode.BOUNDARY_NO_CLIENT_IP]
    assert len(missing) == 1 and missing[0].where == "hop 2" and "relay.example.org" in missing[0].detail
    assert FindingCode.NO_EXTERNAL_HOP not in {f.code for f in path.findings}


@pytest.mark.parametrize("unspecified", ["0.0.0.0", "IPv6:::"])
def test_an_unspecified_client_address_is_no_originating_ip(unspecified: str) -> None:
    # 0.0.0.0 / :: is no client's address (a redacted or made-up field): the originating IP
    # is unknown, said as a warning, and the forged header below still does not decide it.
    top = (
        f"from relay.example.org (relay.example.org [{unspecified}]) by mx.example.net with ESMTPS id S1;"
        " Tue, 02 Jan 2024 10:00:05 +0000"
    )
    path = reconstruct(msg(top, FORGED_BELOW), ctx=Context(now=NOW))
    assert path.boundary_hop == 2 and path.originating_ip is None
    missing = [f for f in path.findings if f.code == FindingCode.BOUNDARY_NO_CLIENT_IP]
    assert len(missing) == 1 and missing[0].severity.value == "warning" and "unspecified" in missing[0].detail


@pytest.mark.parametrize(
    ("top", "config"),
    [
        # a name that is itself internal: localhost, an internal domain, a trusted relay
        ("from localhost by mx.example.net with ESMTP id S1", Config()),
        ("from gw.example.net by mx.example.net with ESMTP id S1", Config(internal_domains=("example.net",))),
        ("from gw7.corp.example by mx.example.net with ESMTP id S1", Config(trusted_relays=("gw7.corp.example",))),
        # hand-offs that never cross the Internet
        ("from store.example.org by mx.example.net with LMTP id S1", Config()),
        ("from alice (helo=pc) by mx.example.net with local-esmtp (Exim 4.96) id 1rjjUe-0004Qp-Az", Config()),
        ("from GWMTA by mx.example.net with Novell_GroupWise", Config()),
        # IIS's pickup directory names no client at all
        ("from mail pickup service by mx.example.net with Microsoft SMTPSVC", Config()),
    ],
)
def test_internal_names_and_local_handoffs_without_address_are_stepped_over(top: str, config: Config) -> None:
    chain = (top + "; Tue, 02 Jan 2024 10:00:05 +0000", FORGED_BELOW.replace("192.0.2.10", "203.0.113.7"))
    path = reconstruct(msg(*chain), ctx=Context(now=NOW, config=config))
    assert path.originating_ip == "203.0.113.7" and path.boundary_hop == 1


def test_no_client_address_anywhere_says_so() -> None:
    chain = (
        "by mail.example.net (Postfix, from userid 889) id 27CEAD38CC; Tue, 02 Jan 2024 10:00:05 +0000",
        "(qmail 4711 invoked by uid 89); 2 Jan 2024 10:00:00 -0000",
    )
    path = reconstruct(msg(*chain), ctx=Context(now=NOW))
    none = [f for f in path.findings if f.code == FindingCode.NO_EXTERNAL_HOP]
    assert len(none) == 1 and "records a client address" in none[0].detail
    assert "private, loopback or trusted" not in none[0].detail


# --- mailbox retrieval (fetchmail) -----------------------------------------------------------
FETCHED = (
    "from pop.example.net [192.0.2.16] by localhost with POP3 (fetchmail-6.4.37 polling pop.example.net"
    " account bob) for <bob@localhost> (single-drop); Tue, 02 Jan 2024 20:00:00 +0000",
    "from mail.example.org (mail.example.org [203.0.113.5]) by mx.example.net (Postfix) with ESMTPS"
    " id 4T1 for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000",
    "from [192.168.1.20] (unknown [192.168.1.20]) by mail.example.org (Postfix) with ESMTPSA id 9Z;"
    " Tue, 02 Jan 2024 10:00:00 +0000",
)


def test_fetchmail_retrieval_is_the_recipients_side() -> None:
    path = reconstruct(msg(*FETCHED), ctx=Context(now=NOW))
    # the fetch from the mailbox is not the boundary: the mailbox provider's MX is
    assert path.originating_ip == "203.0.113.5" and path.boundary_hop == 2
    assert [ph.external for ph in path.hops] == [True, True, False]
    waited = [f for f in path.findings if f.code == FindingCode.HOP_LONG_DELAY]
    assert len(waited) == 1 and waited[0].where == "hop 3" and waited[0].severity == "info"
    assert "mailbox" in waited[0].detail and "fetchmail-6.4.37" in waited[0].detail


# --- Date header forms -----------------------------------------------------------------------
def test_zoneless_date_is_an_unknown_local_time() -> None:
    # 18:00 local with no zone, sent from UTC+9: 09:00 UTC, before the first hop (09:59 UTC)
    path = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 18:58:00"), ctx=Context(now=NOW))
    codes = {f.code for f in path.findings}
    assert FindingCode.DATE_AFTER_FIRST_HOP not in codes and FindingCode.DATE_AFTER_TRUSTED_HOP not in codes
    zone = [f for f in path.findings if f.code == FindingCode.DATE_NO_ZONE]
    assert len(zone) == 1 and zone[0].severity == "notice" and zone[0].where == "message"
    # no local time is 20 h ahead of UTC: still reported, saying how it was compared
    far = reconstruct(msg(*CHAIN, date="Wed, 03 Jan 2024 06:00:00"), ctx=Context(now=NOW))
    after = [f for f in far.findings if f.code == FindingCode.DATE_AFTER_FIRST_HOP]
    assert len(after) == 1 and "±14 h" in after[0].detail
    # an RFC 5322 zone is not a zoneless Date
    assert FindingCode.DATE_NO_ZONE not in {f.code for f in reconstruct(msg(*CHAIN), ctx=Context(now=NOW)).findings}


def test_twelve_hour_date() -> None:
    # "12:29 AM" is 00:29: 09:59 on a 12-hour clock would be read as 12:29 and be "after" the hops
    path = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 09:59:00 AM +0000"), ctx=Context(now=NOW))
    assert path.date == datetime(2024, 1, 2, 9, 59, tzinfo=UTC)
    midnight = reconstruct(msg(*CHAIN, date="02 Jan 24 12:29:13 AM -0000"), ctx=Context(now=NOW))
    assert midnight.date == datetime(2024, 1, 2, 0, 29, 13, tzinfo=UTC)
    assert FindingCode.DATE_AFTER_FIRST_HOP not in {f.code for f in midnight.findings}


def test_impossible_date_is_reported_not_dropped() -> None:
    path = reconstruct(msg(*CHAIN, date="Tue, 02 Jan 2024 27:39:33 +0600"), ctx=Context(now=NOW))
    assert path.date is None
    bad = [f for f in path.findings if f.code == FindingCode.DATE_UNREADABLE]
    assert (
        len(bad) == 1 and bad[0].where == "message" and ("Date", "Tue, 02 Jan 2024 27:39:33 +0600") in bad[0].evidence
    )
    assert FindingCode.DATE_MISSING not in {f.code for f in path.findings}
