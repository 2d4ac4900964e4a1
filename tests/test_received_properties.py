"""Property tests for :func:`mailforensics.received.parse_received`: it never raises for a
``str``, always keeps ``raw``, returns well-formed values, and runs in linear time on
hostile input (deep or unclosed comments, bracket runs, keyword floods, date-like junk)."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mailforensics.received import MAX_HEADER_CHARS, Hop, parse_received

# Pieces of real Received fields and of the dialect rules, so generated text reaches
# every branch (clauses, TCP-info, TLS spellings, dates) rather than only the tokenizer.
FRAGMENTS = [
    "from", "by", "with", "id", "for", "via", "envelope-from", "tls", "ID", "FROM",
    "(", ")", "((", "))", "[", "]", "<", ">", "<>", '"', ";", " ", "  ", "\r\n\t", "\n ", "\\",
    "helo=", "port=", "ident=", "port=99999999", "helo=[192.168.1.10]", "=",
    "192.0.2.1", "[192.0.2.1]", "[192.0.2.1]:25", "[IPv6:2001:db8::1]", "IPv6:2001:db8::1",
    "2001:db8::1", "[::ffff:192.0.2.1]", "fe80::1%4", "[fe80::1%]", "[unix socket]", "@",
    "alice@", "unknown", "<unknown>", "(unknown)", "HELO", "EHLO", "(HELO x)", "(may be forged)",
    "SMTP", "ESMTPS", "ESMTPSA", "LMTPA", "UTF8SMTPS", "HTTP", "HTTPS", "mapi", "local",
    "Microsoft SMTP Server", "Microsoft SMTPSVC(6.0.3790.4675)", "(TLS)", "(TLS1.3)",
    "TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO", "TLS1.2:x:²", "version=TLS1_2", "cipher=",
    "bits=256/256", "256/256 bits", "using TLSv1.3 with cipher X", "using TLS", "AUTH:",
    "TLS:", "TLS: TLSv1.2,256bits,X", "Authenticated sender:", "authenticated bits=0",
    "qmail 1 invoked by uid 89", "qmail 1 invoked from network", "Postfix, from userid 1000",
    "Exim 4.96", "(Exim 4.96)", "(SG)", "auth=yes", "user=alice", "ESMTP/TLS/AES128-SHA",
    "STARTTLS", "encrypted", "Google Transport Security", "(from alice@localhost)",
    "Fri,", "12", "Jan", "2024", "24", "10:00:00", "10:00", "+0000", "-0000", "-0500", "+9999",
    "(UTC)", "UT", "GMT", "EST", "CET", "2024-01-12", "2024-13-45", "0001-01-01 00:00:00 +0100",
    "9999-12-31 23:59:59 -0100", "10:00:00.123456789", "m=+1.2", "UTC", "Z",
    "²", "٣", "9" * 5000, "\x00", "\u2028", "\x85", "\ufeff",
    "[192.0.2.1.25]", "[192.0.2.1:25]", "192.0.2.1:25", " verified", " unverified", " RDNS failed",
    "softdnserr", "softdnserror", "(HELO )", "account alice@example.com", "(account a HELO b)",
    "envelope-sender", ", claiming to be ", '"x"', "(from a [192.0.2.1])", "asmtp", "TLS-1.0:x:16",
]  # fmt: skip

received_ish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=80).map("".join)


def _check(value: str) -> Hop:
    """Parse ``value`` and check every invariant the module promises."""
    hop = parse_received(value)
    assert isinstance(hop, Hop)
    assert hop.raw == value
    assert isinstance(hop.parsed, bool)
    assert all(isinstance(d, str) for d in hop.defects)
    assert all(isinstance(c, str) for c in hop.comments)
    for name in ("from_ip", "by_ip"):
        ip = getattr(hop, name)
        if ip is not None:  # canonical: parsing it again gives the same text
            assert str(ipaddress.ip_address(ip)) == ip
    if hop.timestamp is not None:
        assert hop.timestamp.utcoffset() == timedelta(0)
    for name in ("from_port", "tls_bits"):
        number = getattr(hop, name)
        assert number is None or (isinstance(number, int) and 0 <= number <= 99_999)
    assert hop.tls in (None, True, False)
    return hop


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
@example("")
@example(" \t\r\n ")
@example("Received:")
@example("(" * 100_000)
@example(")" * 100_000)
@example("[" * 50_000)
@example("<" * 50_000)
@example('"' * 50_000)
@example(";" * 50_000)
@example("\\" * 50_000)
@example("from " * 20_000)
@example("x" * (MAX_HEADER_CHARS + 1))
def test_any_text_never_raises(value: str) -> None:
    _check(value)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(received_ish)
@example("from x ([192.0.2.1] port=" + "9" * 5000 + ") by y; Fri, 12 Jan 2024 10:00:00 +0000")
@example("by x (TLSv1.3:a:²) with SMTP; Fri, 12 Jan 2024 10:00:00 +0000")
@example("by x with SMTP; 0001-01-01 00:00:00 +0100")
@example("by x with SMTP; 9999-12-31 23:59:59 -0100")
@example("by x with SMTP; Fri, 31 Dec 9999 23:59:59 -2359")
@example("from a (b [192.0.2.1] (may be forged)) by c; Fri, 12 Jan 2024 10:00:00 +0000 (x;y)")
@example("from a by b with ESMTP with STARTTLS with X; ;")
def test_received_ish_text_never_raises(value: str) -> None:
    _check(value)


def test_semicolon_in_trailing_comment_does_not_move_the_date() -> None:
    hop = _check("from a (a [192.0.2.1]) by b with ESMTP id 1; Fri, 12 Jan 2024 10:00:00 +0000 (x; y)")
    assert hop.timestamp is not None and hop.timestamp.hour == 10
    assert hop.timestamp_text == "Fri, 12 Jan 2024 10:00:00 +0000 (x; y)"


def test_repeated_defects_are_counted_not_listed() -> None:
    hop = _check(")" * 10_000 + "by x; Fri, 12 Jan 2024 10:00:00 +0000")
    assert hop.defects.count("unbalanced ')' (10000 times)") == 1
    assert not hop.parsed


# ---------------------------------------------------------------------------------------
# Linear time
# ---------------------------------------------------------------------------------------
POSTFIX = (
    "from mail.example.org (mail.example.org [192.0.2.25]) (using TLSv1.3 with cipher "
    "TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.net (Postfix) with ESMTPS id 4T; "
)


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    body = size - len(prefix) - len(suffix)
    return prefix + (unit * (body // len(unit) + 1))[: max(body, 0)] + suffix


#: name → builder(size) of hostile input of about ``size`` characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "open-parens": lambda n: "(" * n,
    "close-parens": lambda n: ")" * n,
    "open-brackets": lambda n: "[" * n,
    "open-angles": lambda n: "<" * n,
    "quotes": lambda n: '"' * n,
    "semicolons": lambda n: ";" * n,
    "nested-unclosed": lambda n: _fill("(a", n),
    "nested-balanced": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "many-comments": lambda n: _fill("(x) ", n, "from a "),
    "courier-auth-flood": lambda n: _fill("AUTH:", n, "from a (", ") by b; Fri, 12 Jan 2024 10:00:00 +0000"),
    "tls-version-flood": lambda n: _fill("version=TLS1_2 ", n, "by a (", ")"),
    "bits-flood": lambda n: _fill("256/256 bits 1 ", n, "by a (using TLSv1.3 with cipher X ", ")"),
    "tcp-info-words": lambda n: _fill("unknown [192.0.2.1] ", n, "from a (", ") by b"),
    "helo-kv-flood": lambda n: _fill("helo=x port=25 ", n, "from a ([192.0.2.1] ", ") by b"),
    "multiword-with": lambda n: _fill("word ", n, "by b with "),
    "keyword-flood": lambda n: _fill("from by with id for via ", n),
    "date-words-no-semicolon": lambda n: _fill("Mon 1 ", n, "by b "),
    "iso-date-junk": lambda n: _fill("2024-01-12 10:00:00 ", n, "by b "),
    "time-junk-after-semicolon": lambda n: _fill("10:00:00.1234 ", n, "by b; "),
    "bracket-ports": lambda n: _fill("[192.0.2.1]:25", n, "from "),
    "quoted-pairs": lambda n: _fill("\\(", n, "from a (", ")"),
    "digits": lambda n: _fill("9", n, "from a (port=", ") by b"),
    "repeated-real-header": lambda n: _fill(POSTFIX, n),
}


def _best_of_3(value: str) -> float:
    reps = 3 if len(value) < 5_000 else 1
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            parse_received(value)
        best = min(best, (time.perf_counter() - start) / reps)
    return best


@pytest.fixture(scope="module")
def slowest() -> dict[str, tuple[float, str]]:
    """Times of the big inputs, shared by the linear-time tests and the report."""
    return {}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("small", [1_600, 10_000], ids=["1.6k-vs-16k", "10k-vs-100k"])
def test_linear_time(shape: str, small: int, slowest: dict[str, tuple[float, str]]) -> None:
    build = SHAPES[shape]
    t_small = _best_of_3(build(small))
    t_big = _best_of_3(build(small * 10))
    key = f"{shape}@{small * 10}"
    slowest[key] = (t_big, key)
    # 10x the input must cost well under 100x (quadratic); 1 ms absorbs timer noise.
    assert t_big < 40 * t_small + 0.001, f"{shape}: {t_small * 1e3:.3f} ms -> {t_big * 1e3:.3f} ms"
    assert t_big < 1.0, f"{shape}: {t_big:.3f} s for {small * 10} characters"


def test_report_slowest(slowest: dict[str, tuple[float, str]], capsys: pytest.CaptureFixture[str]) -> None:
    """Print the slowest parse seen by the linear-time tests, plus every shape at the
    input cap, straight to the terminal (``capsys.disabled``: shown without ``-s``)."""
    for shape, build in SHAPES.items():
        value = build(MAX_HEADER_CHARS)
        slowest.setdefault(f"{shape}@{MAX_HEADER_CHARS}", (_best_of_3(value), f"{shape}@{MAX_HEADER_CHARS}"))
    worst = max(slowest.values())
    with capsys.disabled():
        print(f"\n[received] slowest adversarial parse so far: {worst[0] * 1000:.2f} ms ({worst[1]})")
    assert worst[0] < 1.0
