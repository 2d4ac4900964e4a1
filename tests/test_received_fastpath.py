"""The fast paths of :mod:`mailforensics.received` and :mod:`mailforensics.addresses` give
exactly what the general reading gives.

- The regex tokenizer against a plain one-character-at-a-time reading of the same grammar
  (the tokenizer as first written), on text dense in brackets, quotes and comments.
- The TCP-info shape nearly every MTA writes, ``rdns [ip]``, is read by one regular
  expression; the general reading of the same comment must give the same result.
- The date shape nearly every MTA writes is read without ``parsedate_tz``; the same date
  with the month in capitals takes the general path and must read the same.
- Address literals: the character filter rejects only what ``ipaddress`` rejects, and the
  cached lookups agree with the uncached ones.
"""

from __future__ import annotations

import ipaddress

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mailforensics import addresses, received
from tests.test_received_properties import FRAGMENTS

_CLOSERS = {"<": ">", "[": "]", '"': '"'}


def _plain_tokenize(text: str, defects: list[str]) -> list[tuple[str, str, int, int]]:
    """The tokenizer grammar read one character at a time (the reference)."""
    tokens: list[tuple[str, str, int, int]] = []
    stray: dict[str, int] = {}
    pos, size = 0, len(text)
    while pos < size:
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        if ch == "(":
            depth, i = 1, pos + 1
            while i < size and depth:
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                i += 1
            if depth:
                defects.append("unclosed comment")
                tokens.append((received.COMMENT, text[pos + 1 :].strip(), pos, size))
                pos = size
            else:
                tokens.append((received.COMMENT, text[pos + 1 : i - 1].strip(), pos, i))
                pos = i
            continue
        if ch == ";":
            tokens.append((received.SEMI, ";", pos, pos + 1))
            pos += 1
            continue
        if ch in ")>]":
            stray[ch] = stray.get(ch, 0) + 1
            pos += 1
            continue
        start = pos
        while pos < size:
            c = text[pos]
            close = _CLOSERS.get(c)
            if close is not None:
                end = text.find(close, pos + 1)
                if end < 0:
                    defects.append(f"unclosed {c!r}")
                    pos = size
                    break
                pos = end + 1
                continue
            if c.isspace() or c in '()<>[];"':
                break
            pos += 1
        tokens.append((received.WORD, text[start:pos], start, pos))
    for ch, count in stray.items():
        what = "unbalanced ')'" if ch == ")" else f"stray {ch!r}"
        defects.append(what if count == 1 else f"{what} ({count} times)")
    return tokens


structural = st.lists(
    st.one_of(st.sampled_from([*'()<>[];"\\ \t', "a", "b c", "(x)", "\\)"]), st.sampled_from(FRAGMENTS)),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(structural, st.text(max_size=80)))
@example("a<b (c) [d")
@example("x)<y")
@example('"a"b"')
@example("(a (b) \\) c) d ((e)")
@example(";;; ;\\")
@example("((((a))))) ))) ]]>>")
@example("(a\\")
def test_tokenizer_matches_plain_reading(text: str) -> None:
    want_defects: list[str] = []
    got_defects: list[str] = []
    assert received._tokenize(text, got_defects) == _plain_tokenize(text, want_defects)
    assert got_defects == want_defects


_WEEKDAY = st.sampled_from(["", "Mon, ", "Sun, ", "Xyz, "])
_ZONE = st.builds(lambda sign, n: f"{sign}{n:04d}", st.sampled_from("+-"), st.integers(0, 9999))


@settings(max_examples=500, deadline=None)
@given(
    _WEEKDAY,
    st.integers(0, 99),
    st.sampled_from(received._MONTH_NAMES),
    st.integers(1000, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    _ZONE,
)
@example("Fri, ", 12, "Jan", 2024, 10, 0, 0, "+0000")
@example("", 31, "Dec", 9999, 23, 59, 59, "-0100")
@example("", 1, "Jan", 1000, 0, 0, 0, "+0100")
@example("", 29, "Feb", 2023, 10, 0, 60, "-0000")
def test_rfc_date_fast_path_matches_general_path(
    weekday: str, day: int, month: str, year: int, hour: int, minute: int, second: int, zone: str
) -> None:
    date = f"{weekday}{day:02d} {month} {year} {hour:02d}:{minute:02d}:{second:02d} {zone}"
    assert received._RFC_DATE.fullmatch(date)
    general = date.replace(f" {month} ", f" {month.upper()} ")  # not the fast shape
    assert not received._RFC_DATE.fullmatch(general)
    fast_stamp, fast_defects = received._parse_date(date)
    general_stamp, general_defects = received._parse_date(general)
    assert fast_stamp == general_stamp
    assert [d.replace(month, "M") for d in fast_defects] == [d.replace(month.upper(), "M") for d in general_defects]


ip_ish = st.text(alphabet="0123456789abcdefABCDEF.:%[]IPVv46 \t-xg/\u0663", max_size=50)


@settings(max_examples=500, deadline=None)
@given(st.one_of(ip_ish, st.text(max_size=50)))
@example("[IPv6:2001:DB8::1]")
@example("::ffff:192.0.2.1")
@example("fe80::1%5")
@example("192.0.2.\u0663")
@example("mail.example.org")
def test_address_filter_and_caches_agree_with_ipaddress(text: str) -> None:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:  # the filter's premise: before a zone index, ipaddress accepts no other character
        assert addresses._LITERAL_CHARS.fullmatch(text.split("%", 1)[0])
    padded = text + " " * 80  # too long for the caches: the uncached path
    assert repr(addresses.parse_ip(text)) == repr(addresses.parse_ip(padded)) == repr(addresses._parse(text))
    assert addresses.canonical_ip(text) == addresses.canonical_ip(padded) == addresses._canonical(text)


_NAME_PIECES = st.sampled_from(
    ["mail.example.org", "unknown", "softdnserr", "192.0.2.1", "192.0.2.1.25", "192.0.2.1:25",
     "2001:db8::1", "IPv6:2001:db8::1", "host.", "a..", "verified", "x", ":", ".", "٣", "0"]
)  # fmt: skip
_LITERAL_PIECES = st.sampled_from(
    ["192.0.2.1", "192.0.2.1.25", "192.0.2.1:25", "192.0.2.1.99999999", "IPv6:2001:db8::1",
     "::ffff:192.0.2.1", "fe80::1%4", "unix socket", "unknown", "", "1.2.3", "256.1.1.1:25"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(_NAME_PIECES, st.lists(_NAME_PIECES, min_size=1, max_size=3).map("".join), st.text(max_size=12)),
    st.one_of(_LITERAL_PIECES, st.text(alphabet="0123456789.:abcdefIPv6", max_size=20)),
)
@example("mail.example.org", "192.0.2.1.25")
@example("192.0.2.1:25", "192.0.2.2")
@example("192.0.2.1.25", "192.0.2.2:30")
@example("softdnserr", "::ffff:192.0.2.1")
def test_rdns_literal_fast_path_matches_general_reading(name: str, literal: str) -> None:
    comment = f"{name} [{literal}]"
    assume(received._NAME_AND_LITERAL.fullmatch(comment))
    assert received._split_tcp_info(comment) == received._split_tcp_info_general(comment)
