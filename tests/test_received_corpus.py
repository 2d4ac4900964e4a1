"""Corpus test: every real-world-shaped header in ``received_corpus`` parses to the Hop
it means. Each case is compared field by field against a full expected dict (unlisted
fields must be ``None``, ``parsed`` must be ``True``), so unexpected values fail too."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mailforensics.received import Hop, parse_received
from tests.received_corpus import CASES, Case, OneOf, Prefix

#: The Hop fields the docstring defines a meaning for, asserted for every header.
FIELDS = (
    "from_helo",
    "from_rdns",
    "from_ip",
    "from_port",
    "by_host",
    "by_ip",
    "via",
    "protocol",
    "tls",
    "tls_version",
    "tls_cipher",
    "tls_bits",
    "auth",
    "ident",
    "queue_id",
    "envelope_for",
    "envelope_from",
    "software",
    "timestamp",
    "parsed",
)


def _expected(case: Case) -> dict[str, Any]:
    unknown = set(case.expect) - set(FIELDS)
    assert not unknown, f"{case.name}: unknown fields {unknown}"
    full: dict[str, Any] = dict.fromkeys(FIELDS)
    full["parsed"] = True
    full.update(case.expect)
    return full


def _mismatches(hop: Hop, expected: dict[str, Any]) -> list[str]:
    bad = []
    for name, want in expected.items():
        got = getattr(hop, name)
        loose = isinstance(want, Prefix | OneOf)
        if not (want.matches(got) if loose else got == want and type(got) is type(want)):
            bad.append(f"{name}: got {got!r}, want {want!r}")
    return bad


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_header(case: Case) -> None:
    hop = parse_received(case.header)
    bad = _mismatches(hop, _expected(case))
    assert not bad, f"{case.name} ({case.dialect}):\n  " + "\n  ".join(bad) + f"\n  defects={hop.defects}"
    assert hop.raw == case.header
    if hop.timestamp is not None:
        assert hop.timestamp.utcoffset() == timedelta(0)
        assert hop.timestamp_text
    if hop.parsed:
        # Everything was read; the only tolerated defects are about the date's form, say
        # what the receiver itself flagged, or note an irregular but fully read by clause.
        tolerated = (
            "no ';' before the date",
            "date has no time zone",
            "no date",
            "the receiver says",
            "the 'by' clause has more than one word",
        )
        assert all(d.startswith(tolerated) for d in hop.defects), hop.defects


def test_corpus_size_and_coverage() -> None:
    assert len(CASES) >= 90
    assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"
    assert len({c.header for c in CASES}) == len(CASES), "headers must be distinct"
    per_dialect = collections.Counter(c.dialect for c in CASES)
    for dialect in (
        "Postfix",
        "Sendmail",
        "Exim",
        "qmail",
        "Exchange",
        "Exchange Online",
        "Gmail",
        "Yahoo",
        "Amazon SES",
        "Mailgun",
        "SendGrid",
        "Haraka",
        "OpenSMTPD",
        "Courier",
        "Lotus Domino",
        "MDaemon",
        "Zimbra/amavis",
        "Dovecot/Cyrus LMTP",
        "Oddities",
    ):
        assert per_dialect[dialect] >= 2, dialect


def test_corpus_defects_are_specific() -> None:
    """The irregular headers say what was irregular."""
    by_name = {c.name: c for c in CASES}
    no_semi = parse_received(by_name["odd-missing-semicolon"].header)
    assert "no ';' before the date" in no_semi.defects
    no_zone = parse_received(by_name["odd-no-zone"].header)
    assert any(d.startswith("date has no time zone") for d in no_zone.defects)
    bad_date = parse_received(by_name["odd-impossible-date"].header)
    assert any(d.startswith("unreadable date") for d in bad_date.defects)
    forged = parse_received(by_name["sendmail-may-be-forged"].header)
    assert "the receiver says the client's rDNS name may be forged" in forged.defects
    minus_zero = parse_received(by_name["qmail-invoked-by-uid"].header)
    assert minus_zero.defects == ()  # "-0000" is UTC by definition (RFC 5322 §3.3)


def test_corpus_timestamp_text_is_the_date_as_written() -> None:
    by_name = {c.name: c for c in CASES}
    assert parse_received(by_name["gmail-mx-esmtps-tls13"].header).timestamp_text == (
        "Fri, 12 Jan 2024 02:00:00 -0800 (PST)"
    )
    courier = parse_received(by_name["courier-plain"].header)
    assert courier.timestamp_text == "Fri, 12 Jan 2024 10:00:02 +0000"
    semi_in_comment = parse_received(by_name["odd-semicolon-inside-trailing-comment"].header)
    assert semi_in_comment.timestamp_text == "Fri, 12 Jan 2024 10:00:00 +0000 (UTC; relayed)"


@pytest.mark.parametrize("zone", ["AST", "ADT", "CET", "BST", "J"])
def test_zone_names_outside_rfc5322_are_read_as_utc_as_the_defect_says(zone: str) -> None:
    # RFC 5322 §4.3: other zone names SHOULD be read as -0000 (parsedate_tz knows AST/ADT).
    hop = parse_received(f"from a (a [192.0.2.1]) by b with ESMTP id 1; Fri, 12 Jan 2024 10:00:00 {zone}")
    assert hop.timestamp == datetime(2024, 1, 12, 10, 0, tzinfo=UTC)
    assert any("read as UTC" in d for d in hop.defects)


def test_rfc5322_zone_names_keep_their_offset() -> None:
    hop = parse_received("from a (a [192.0.2.1]) by b with ESMTP id 1; Fri, 12 Jan 2024 10:00:00 EST")
    assert hop.timestamp == datetime(2024, 1, 12, 15, 0, tzinfo=UTC) and hop.defects == ()
