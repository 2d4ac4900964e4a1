"""Tests for :mod:`mailforensics.authresults`.

- the corpus: every real-world-shaped value in ``authresults_corpus`` parses to the whole
  expected :class:`AuthResults` (every field compared, so unexpected values fail too);
- behaviour around the corpus: positions, field names, caps, ``Claim.get``;
- :func:`message_claims` on messages built with ``Message.from_bytes``;
- properties: any ``str`` into each parser → a record with ``raw`` equal to the input,
  never an exception; and linear time on hostile input.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mailforensics.authresults import (
    MAX_HEADER_CHARS,
    AuthResults,
    Claim,
    message_claims,
    parse_arc_authentication_results,
    parse_authentication_results,
    parse_received_spf,
)
from mailforensics.message import Message
from tests.authresults_corpus import AR, ARC, CASES, NO_AUTHSERV_ID, SPF, Case

SAMPLE_MAIL = Path(__file__).resolve().parent.parent / "sample_mail" / "eml"


def _parse(case: Case) -> AuthResults:
    if case.kind == AR:
        return parse_authentication_results(case.value, field=case.expect.field)
    if case.kind == ARC:
        return parse_arc_authentication_results(case.value)
    return parse_received_spf(case.value)


def _diff(got: AuthResults, want: AuthResults) -> str:
    lines = []
    for f in fields(AuthResults):
        g, w = getattr(got, f.name), getattr(want, f.name)
        if g == w:
            continue
        if f.name == "claims":
            for i in range(max(len(g), len(w))):
                gc = g[i] if i < len(g) else None
                wc = w[i] if i < len(w) else None
                if gc != wc:
                    lines.append(f"claims[{i}]:\n    got  {gc!r}\n    want {wc!r}")
        else:
            lines.append(f"{f.name}: got {g!r}, want {w!r}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(case: Case) -> None:
    got = _parse(case)
    assert got == case.expect, f"{case.name} ({case.vendor}):\n{_diff(got, case.expect)}"


def test_corpus_size_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 45
    by_vendor = collections.Counter(c.vendor for c in CASES)
    for vendor in ("Gmail", "Microsoft", "Yahoo", "Fastmail", "Proofpoint", "Mimecast"):
        assert by_vendor[vendor] >= 2, vendor
    kinds = collections.Counter(c.kind for c in CASES)
    assert kinds[AR] and kinds[ARC] >= 5 and kinds[SPF] >= 10
    with capsys.disabled():
        summary = ", ".join(f"{v} {n}" for v, n in sorted(by_vendor.items()))
        print(f"\n[authresults] corpus: {len(CASES)} values ({summary})")


def test_corpus_values_survive_crlf_folding() -> None:
    """The same values folded with CRLF + tab (as stored on disk) mean the same."""
    for case in CASES:
        folded = case.value.replace("\n", "\r\n\t")
        got = _parse(Case(case.name, case.vendor, case.kind, folded, case.expect))
        assert got.claims == case.expect.claims, case.name
        assert (got.authserv_id, got.instance, got.version, got.parsed, got.defects) == (
            case.expect.authserv_id,
            case.expect.instance,
            case.expect.version,
            case.expect.parsed,
            case.expect.defects,
        ), case.name
        assert got.raw == folded


# ---------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------
def test_claim_get_is_case_insensitive_and_first_wins() -> None:
    claim = Claim(
        method="spf",
        result="pass",
        properties=(("smtp.mailfrom", "a@example.com"), ("smtp.helo", "h.example.com"), ("smtp.mailfrom", "b")),
    )
    assert claim.get("SMTP.MailFrom") == "a@example.com"
    assert claim.get("smtp.helo") == "h.example.com"
    assert claim.get("header.d") is None


def test_claim_and_authresults_are_frozen() -> None:
    ar = parse_authentication_results("mx.example.net; spf=pass smtp.mailfrom=a@example.com")
    with pytest.raises(AttributeError):
        ar.authserv_id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ar.claims[0].result = "fail"  # type: ignore[misc]


def test_header_index_and_field_are_kept() -> None:
    ar = parse_authentication_results("mx.example.net; none", field="X-Original-Authentication-Results", header_index=7)
    assert (ar.field, ar.header_index, ar.claims, ar.parsed) == ("X-Original-Authentication-Results", 7, (), True)
    assert parse_arc_authentication_results("i=3; mx.example.net; none", header_index=2).header_index == 2
    assert parse_received_spf("pass", header_index=5).header_index == 5


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (parse_authentication_results, "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=a@b.example"),
        (parse_arc_authentication_results, "ARC-Authentication-Results: i=1; mx.example.net; spf=pass"),
        (parse_received_spf, "Received-SPF: pass client-ip=192.0.2.1;"),
    ],
)
def test_leading_field_name_is_tolerated(parse: Callable[[str], AuthResults], value: str) -> None:
    got = parse(value)
    assert got.parsed and got.defects == () and got.claims[0].result == "pass"
    assert got.raw == value


@pytest.mark.parametrize("parse", [parse_authentication_results, parse_arc_authentication_results, parse_received_spf])
def test_non_str_raises_type_error(parse: Callable[[str], AuthResults]) -> None:
    with pytest.raises(TypeError):
        parse(b"mx.example.net; none")  # type: ignore[arg-type]


def test_microsoft_value_without_authserv_id() -> None:
    ar = parse_authentication_results("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com")
    assert ar.authserv_id is None and ar.parsed and ar.defects == (NO_AUTHSERV_ID,)
    assert ar.claims == (
        Claim(
            method="spf",
            result="pass",
            properties=(("smtp.mailfrom", "example.com"),),
            comment="sender IP is 192.0.2.1",
        ),
    )


def test_arc_instance_out_of_range_and_unreadable() -> None:
    high = parse_arc_authentication_results("i=51; mx.example.net; arc=pass")
    assert (high.instance, high.parsed) == (51, True)
    assert high.defects == ("ARC instance i=51 is outside 1-50 (RFC 8617 §4.2.1)",)
    bad = parse_arc_authentication_results("i=x; mx.example.net; arc=pass")
    assert (bad.instance, bad.parsed, bad.authserv_id) == (None, False, "mx.example.net")
    assert bad.defects == ("unreadable ARC instance 'i=x'",)


def test_ar_parser_reads_an_arc_value_given_to_it() -> None:
    ar = parse_authentication_results("i=2; mx.example.net; dkim=pass header.d=example.com")
    assert (ar.instance, ar.authserv_id, ar.parsed) == (2, "mx.example.net", True)
    assert ar.defects == ("starts with an ARC instance tag (RFC 8617 §4.1.1)",)


def test_none_beside_results_is_noted() -> None:
    ar = parse_authentication_results("mx.example.net; none; spf=pass")
    assert ar.claims == (Claim(method="spf", result="pass"),)
    assert ar.defects == ("'none' written beside results",) and ar.parsed


def test_received_spf_without_result() -> None:
    got = parse_received_spf("client-ip=192.0.2.1; helo=mail.example.com")
    assert (got.claims, got.parsed) == ((), False)
    assert got.defects == ("no SPF result first (RFC 7208 §9.1)",)


def test_received_spf_unknown_result_is_kept_with_a_note() -> None:
    got = parse_received_spf("error (mx.example.net: temporary DNS failure) client-ip=192.0.2.1;")
    assert got.claims[0].result == "error" and got.parsed
    assert got.defects == ("'error' is not an RFC 7208 §2.6 result",)


@pytest.mark.parametrize(
    ("parse", "expected"),
    [
        (parse_authentication_results, ("empty value",)),
        (parse_arc_authentication_results, ("empty value",)),
        (parse_received_spf, ("empty value",)),
    ],
)
def test_empty_value(parse: Callable[[str], AuthResults], expected: tuple[str, ...]) -> None:
    for value in ("", "  \r\n\t "):
        got = parse(value)
        assert (got.claims, got.parsed, got.defects, got.raw) == ((), False, expected, value)


def test_over_long_value_is_cut_and_reported() -> None:
    value = "mx.example.net; spf=pass smtp.mailfrom=a@example.com; " + "x-filler=none; " * 2000
    got = parse_authentication_results(value)
    assert got.raw == value and not got.parsed
    assert got.defects[0] == f"longer than {MAX_HEADER_CHARS} characters; the rest was not read"
    assert got.claims[0] == Claim(method="spf", result="pass", properties=(("smtp.mailfrom", "a@example.com"),))


def test_defects_are_capped() -> None:
    got = parse_authentication_results("mx.example.net; " + "a.b=c; " * 1000)
    assert len(got.defects) == 21
    assert got.defects[-1] == "980 more problems not listed"
    assert not got.parsed


# ---------------------------------------------------------------------------------------
# message_claims
# ---------------------------------------------------------------------------------------
MESSAGE = (
    b"Return-Path: <alice@example.com>\r\n"  # 0
    b"Authentication-Results: mx.example.net;\r\n"  # 1
    b"\tdkim=pass header.d=example.com header.s=s1;\r\n"
    b"\tspf=pass smtp.mailfrom=alice@example.com\r\n"
    b"Received-SPF: Pass (mx.example.net: domain of alice@example.com designates 192.0.2.5 as\r\n"  # 2
    b" permitted sender) client-ip=192.0.2.5;\r\n"
    b"Received: from relay.example.com (relay.example.com [192.0.2.5]) by mx.example.net;\r\n"  # 3
    b" Fri, 12 Jan 2024 10:00:00 +0000\r\n"
    b"Arc-Authentication-Results: i=1; relay.example.com; spf=pass smtp.mailfrom=alice@example.com\r\n"  # 4
    b"X-Original-Authentication-Results: mx.google.com; dmarc=pass header.from=example.com\r\n"  # 5
    b"X-MS-Exchange-Authentication-Results: spf=pass (sender IP is 192.0.2.5) smtp.mailfrom=example.com\r\n"  # 6
    b"authentication-results: forged.example.org; dkim=pass header.d=bank.example\r\n"  # 7
    b"Authentication-Results-Original: dkim=none (message not signed) header.d=none;\r\n"  # 8
    b"X-Authentication-Warning: relay.example.com: alice set sender\r\n"  # 9: not a claim
    b"From: Alice <alice@example.com>\r\n"  # 10
    b"Subject: hello\r\n"  # 11
    b"\r\n"
    b"Authentication-Results: body.example; spf=pass\r\n"
)


def test_message_claims_in_header_order_with_positions() -> None:
    message = Message.from_bytes(MESSAGE)
    found = message_claims(message)
    assert [(r.field, r.header_index, r.authserv_id) for r in found] == [
        ("Authentication-Results", 1, "mx.example.net"),
        ("Received-SPF", 2, "mx.example.net"),
        ("Arc-Authentication-Results", 4, "relay.example.com"),
        ("X-Original-Authentication-Results", 5, "mx.google.com"),
        ("X-MS-Exchange-Authentication-Results", 6, None),
        ("authentication-results", 7, "forged.example.org"),
        ("Authentication-Results-Original", 8, None),
    ]
    # Each is exactly what the single-value parser gives for that field's folded text.
    for r in found:
        h = message.headers[r.header_index or 0]
        assert r.raw == h.value
        if h.name.lower() == "received-spf":
            assert r == replace(parse_received_spf(h.value, header_index=h.index), field=h.name)
        elif h.name.lower() == "arc-authentication-results":
            assert r == replace(parse_arc_authentication_results(h.value, header_index=h.index), field=h.name)
        else:
            assert r == parse_authentication_results(h.value, field=h.name, header_index=h.index)
    assert found[2].instance == 1
    assert found[0].claims == (
        Claim(method="dkim", result="pass", properties=(("header.d", "example.com"), ("header.s", "s1"))),
        Claim(method="spf", result="pass", properties=(("smtp.mailfrom", "alice@example.com"),)),
    )
    assert found[1].claims[0].get("client-ip") == "192.0.2.5"


def test_message_claims_none_and_empty() -> None:
    assert message_claims(Message.from_bytes(b"From: a@example.com\r\nSubject: x\r\n\r\nbody")) == ()
    assert message_claims(Message.from_bytes(b"")) == ()


@pytest.mark.parametrize("path", sorted(SAMPLE_MAIL.glob("*.eml")), ids=lambda p: p.name)
def test_message_claims_on_sample_mail(path: Path) -> None:
    message = Message.from_bytes(path.read_bytes(), origin=str(path))
    found = message_claims(message)
    wanted = {
        "authentication-results",
        "arc-authentication-results",
        "received-spf",
        "x-original-authentication-results",
        "x-ms-exchange-authentication-results",
        "authentication-results-original",
    }
    assert [r.header_index for r in found] == [h.index for h in message.headers if h.name.lower() in wanted]
    for r in found:
        h = message.headers[r.header_index or 0]
        assert (r.field, r.raw) == (h.name, h.value)
        assert r.claims, f"{path.name} header {h.index}: {r.defects}"
        assert r.parsed, f"{path.name} header {h.index}: {r.defects}"


# ---------------------------------------------------------------------------------------
# Properties: never raises, raw kept
# ---------------------------------------------------------------------------------------
PARSERS: dict[str, Callable[[str], AuthResults]] = {
    "ar": parse_authentication_results,
    "arc": parse_arc_authentication_results,
    "spf": parse_received_spf,
}

FRAGMENTS = [
    "mx.google.com", "mx.microsoft.com 1", "i=1", "i=", "i=99", "i=x", ";", "; ", " ", "\r\n\t", "\n ",
    "(", ")", "((", "))", "(a;b)", '"', '""', '"a\\"b"', "\\", "\\(", "=", "==", ".", "..", "/", "/1",
    "dkim", "spf", "dmarc", "arc", "none", "pass", "fail", "PASS", "SoftFail", "perm_fail", "x-me-sender",
    "compauth", "reason", "reason=", 'reason="x y"', "action=none", "header.d=", "header.i=@example.com",
    "header.b=Ab/C+d=", "smtp.mailfrom=a@b", "smtp.mailfrom=SRS0=ab=CD=example.com=u@fwd.example",
    "policy . expired", "dkim / 1 = fail", "client-ip=192.0.2.1", "envelope-from=<>", "receiver=<UNKNOWN>",
    "receiver=", "helo=", "google.com: domain of", "(google.com: x)", "(.:)", "x-record-text=\"v=spf1 -all\"",
    "²", "٣", "\x00", "\u2028", "\x85", "\ufeff", "\ud800", "a" * 300,
]  # fmt: skip

authres_ish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60).map("".join)


def _check(parse: Callable[[str], AuthResults], value: str) -> AuthResults:
    """Parse ``value`` and check every invariant the module promises."""
    got = parse(value)
    assert isinstance(got, AuthResults)
    assert got.raw == value
    assert isinstance(got.parsed, bool)
    assert got.parsed or got.defects, "parsed=False must say why"
    assert isinstance(got.defects, tuple) and all(isinstance(d, str) and d for d in got.defects)
    assert len(got.defects) <= 21
    assert got.authserv_id is None or isinstance(got.authserv_id, str)
    assert got.version is None or got.version.isdigit()
    assert got.instance is None or (isinstance(got.instance, int) and 0 <= got.instance <= 999)
    assert isinstance(got.claims, tuple)
    for claim in got.claims:
        assert isinstance(claim, Claim)
        assert claim.method and claim.method == claim.method.lower()
        assert claim.result and claim.result == claim.result.lower()
        assert isinstance(claim.properties, tuple)
        for key, val in claim.properties:
            assert isinstance(key, str) and key == key.lower() and key
            assert isinstance(val, str)
        assert claim.comment is None or claim.comment
    return got


HOSTILE = [
    "",
    " \t\r\n ",
    "(" * 100_000,
    ")" * 100_000,
    '"' * 50_001,
    ";" * 50_000,
    "\\" * 50_000,
    "=" * 50_000,
    "." * 50_000,
    "/" * 50_000,
    "x" * (MAX_HEADER_CHARS + 1),
    "i=1;" * 10_000,
    "dkim=pass " * 5_000,
]


@pytest.mark.parametrize("kind", sorted(PARSERS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.text())
@example(value="")
def test_any_text_never_raises(kind: str, value: str) -> None:
    _check(PARSERS[kind], value)


@pytest.mark.parametrize("kind", sorted(PARSERS))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=authres_ish)
@example(value="mx.example.net; dkim (a) / (b) 1 (c) = (d) pass header (e) . (f) d = (g) x")
@example(value="i=1; i=2; mx.example.net;; ; none")
@example(value='pass (a:b) client-ip="192.0.2.1; x" helo')
def test_authres_ish_text_never_raises(kind: str, value: str) -> None:
    _check(PARSERS[kind], value)


@pytest.mark.parametrize("kind", sorted(PARSERS))
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_raise(kind: str, value: str) -> None:
    _check(PARSERS[kind], value)


# ---------------------------------------------------------------------------------------
# Linear time
# ---------------------------------------------------------------------------------------
FASTMAIL = next(c.value for c in CASES if c.name == "fastmail-full")
MICROSOFT = next(c.value for c in CASES if c.name == "m365-no-authserv-id")
IRONPORT_SPF = next(c.value for c in CASES if c.name == "ironport-received-spf-record-text")


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    body = size - len(prefix) - len(suffix)
    return prefix + (unit * (body // len(unit) + 1))[: max(body, 0)] + suffix


#: name → builder(size) of hostile input of about ``size`` characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "open-parens": lambda n: "(" * n,
    "close-parens": lambda n: ")" * n,
    "nested-unclosed": lambda n: _fill("(a", n),
    "nested-balanced": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "many-comments": lambda n: _fill("(x) ", n, "mx.example.net; dkim=pass "),
    "comment-quoted-pairs": lambda n: _fill("\\(", n, "mx.example.net (", ")"),
    "quotes": lambda n: '"' * n,
    "quoted-pairs-in-quotes": lambda n: _fill('\\"', n, 'mx.example.net; dkim=pass reason="', '"'),
    "semicolons": lambda n: ";" * n,
    "equals": lambda n: "=" * n,
    "dots": lambda n: "." * n,
    "dotted-key": lambda n: _fill("a.", n, "mx.example.net; dkim=pass ", "=x"),
    "dots-with-comments": lambda n: _fill("a (c) . ", n, "mx.example.net; dkim=pass "),
    "slashes": lambda n: "/" * n,
    "missing-semicolons": lambda n: _fill("dkim=pass ", n, "mx.example.net; "),
    "properties": lambda n: _fill("header.d=example.com ", n, "mx.example.net; dkim=pass "),
    "junk-words": lambda n: _fill("x ", n, "mx.example.net; dkim=pass "),
    "junk-segments": lambda n: _fill("x; ", n, "mx.example.net; "),
    "junk-after-authserv-id": lambda n: _fill("x ", n, "mx.example.net ", "; dkim=pass"),
    "version-like-words": lambda n: _fill("1 ", n, "mx.example.net "),
    "ses-continuations": lambda n: _fill("helo=h.example; ", n, "amazonses.com; spf=pass "),
    "spf-pairs": lambda n: _fill("x-a=b; ", n, "pass (mx.example.net: x) "),
    "spf-pairs-no-semicolons": lambda n: _fill("x-a=b ", n, "pass "),
    "long-comment-receiver": lambda n: _fill("a.", n, "pass (", ")"),
    "repeated-fastmail": lambda n: _fill(FASTMAIL + ";\n", n),
    "repeated-microsoft": lambda n: _fill(MICROSOFT + ";", n),
    "repeated-ironport-spf": lambda n: _fill(IRONPORT_SPF + ";", n),
}

#: Big inputs stay under the cap, where the real work is done.
SMALL, BIG = 1_600, 16_000
assert BIG <= MAX_HEADER_CHARS


def _best_of_3(parse: Callable[[str], AuthResults], value: str) -> float:
    reps = 5 if len(value) < 5_000 else 1
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            parse(value)
        best = min(best, (time.perf_counter() - start) / reps)
    return best


@pytest.fixture(scope="module")
def slowest() -> dict[str, float]:
    """Times of the big inputs, shared by the linear-time tests and the report."""
    return {}


@pytest.mark.parametrize("kind", sorted(PARSERS))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_linear_time(shape: str, kind: str, slowest: dict[str, float]) -> None:
    parse, build = PARSERS[kind], SHAPES[shape]
    t_small = _best_of_3(parse, build(SMALL))
    t_big = _best_of_3(parse, build(BIG))
    slowest[f"{kind}:{shape}@{BIG}"] = t_big
    # 10x the input must cost well under 100x (quadratic); 1 ms absorbs timer noise.
    assert t_big < 40 * t_small + 0.001, f"{kind}/{shape}: {t_small * 1e3:.3f} ms -> {t_big * 1e3:.3f} ms"
    assert t_big < 1.0, f"{kind}/{shape}: {t_big:.3f} s for {BIG} characters"


def test_report_slowest(slowest: dict[str, float], capsys: pytest.CaptureFixture[str]) -> None:
    """Print the slowest parse seen (every shape at the cap, each parser) to the terminal."""
    for kind, parse in PARSERS.items():
        for shape, build in SHAPES.items():
            key = f"{kind}:{shape}@{MAX_HEADER_CHARS}"
            slowest.setdefault(key, _best_of_3(parse, build(MAX_HEADER_CHARS)))
    worst = max(slowest, key=lambda k: slowest[k])
    with capsys.disabled():
        print(f"\n[authresults] slowest adversarial parse: {slowest[worst] * 1000:.2f} ms ({worst})")
    assert slowest[worst] < 1.0
