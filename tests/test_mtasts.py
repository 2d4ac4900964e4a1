"""MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and BIMI records.

The policy fetch runs against a real HTTPS server on 127.0.0.1 (``http.server`` with
``ssl``, a certificate from a CA made here, a free port). DNS comes from a
ZoneResolver whose ``mta-sts.<domain>`` names resolve to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.zone import ZoneResolver
from mailforensics.transport import mtasts
from mailforensics.transport.mtasts import (
    MAX_POLICY_BYTES,
    POLICY_PATH,
    mx_pattern_matches,
    parse_bimi,
    parse_policy,
    parse_sts_record,
    parse_tlsrpt,
)
from tests.test_dane import PKI, FailingResolver, make_pki, offline_context

LOOPBACK = "127.0.0.1"

# host → (HTTP status, Content-Type, body, extra headers)
Policy = tuple[int, str, bytes, dict[str, str]]


def policy_text(mode: str, *mx: str, max_age: int = 86400) -> bytes:
    lines = ["version: STSv1", f"mode: {mode}", *(f"mx: {m}" for m in mx), f"max_age: {max_age}"]
    return ("\r\n".join(lines) + "\r\n").encode()


class PolicyServer:
    """An HTTPS server on 127.0.0.1 that serves a policy per Host; logs what was asked."""

    def __init__(self, context: ssl.SSLContext, policies: dict[str, Policy]) -> None:
        self.policies = policies
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5.0

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                server.requests.append((host, self.path))
                status, ctype, body, extra = server.policies.get(host, (404, "text/plain", b"no such policy", {}))
                if self.path != POLICY_PATH:
                    status, body = 404, b"not here"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5.0)


@contextlib.contextmanager
def policy_server(pki: PKI, policies: dict[str, Policy]) -> Iterator[PolicyServer]:
    server = PolicyServer(pki.server_context(), policies)
    try:
        yield server
    finally:
        server.stop()


DOMAINS = ("enforce", "testing", "mismatch", "badsyntax", "notxt", "redirect", "html", "missing", "big", "twotxt")
TEXT = "text/plain; charset=utf-8"
POLICIES: dict[str, Policy] = {
    "mta-sts.enforce.sts.test": (200, TEXT, policy_text("enforce", "mx1.enforce.sts.test", "*.backup.sts.test"), {}),
    "mta-sts.testing.sts.test": (200, "text/plain", policy_text("testing", "*.testing.sts.test"), {}),
    "mta-sts.mismatch.sts.test": (200, TEXT, policy_text("enforce", "mx.mismatch.sts.test"), {}),
    "mta-sts.badsyntax.sts.test": (200, TEXT, b"version: STSv1\nmode: enforce\nmx mx.badsyntax.sts.test\n", {}),
    "mta-sts.redirect.sts.test": (301, TEXT, b"", {"Location": "https://elsewhere.example/policy"}),
    "mta-sts.html.sts.test": (200, "text/html", policy_text("enforce", "mx.html.sts.test"), {}),
    "mta-sts.big.sts.test": (200, TEXT, b"version: STSv1\n" + b"x: " + b"a" * MAX_POLICY_BYTES + b"\n", {}),
}

ZONE = "\n".join(
    [
        "$ORIGIN sts.test.",
        "$TTL 300",
        "mx1.enforce IN A 192.0.2.1",
        *(f"mta-sts.{d} IN A 127.0.0.1" for d in DOMAINS),
        *(f'_mta-sts.{d} IN TXT "v=STSv1; id=20240101"' for d in DOMAINS if d not in ("notxt", "twotxt")),
        '_mta-sts.twotxt IN TXT "v=STSv1; id=1"',
        '_mta-sts.twotxt IN TXT "v=STSv1; id=2"',
        '_mta-sts.notxt IN TXT "v=spf1 -all"',  # a TXT, but not an STS record
        "enforce IN MX 10 mx1.enforce",
        "enforce IN MX 20 a.backup",
        "testing IN MX 10 mx.testing",
        "mismatch IN MX 10 mx.mismatch",
        "mismatch IN MX 20 relay.evil.example.",
        "wrongcert IN MX 10 mx.wrongcert",
        "mta-sts.wrongcert IN A 127.0.0.1",
        '_mta-sts.wrongcert IN TXT "v=STSv1; id=1"',
        "noaddress IN MX 10 mx.noaddress",
        '_mta-sts.noaddress IN TXT "v=STSv1; id=1"',
        '_smtp._tls.enforce IN TXT "v=TLSRPTv1; rua=mailto:tls@enforce.sts.test, https://rpt.sts.test/r"',
        '_smtp._tls.twotxt IN TXT "v=TLSRPTv1; rua=mailto:a@sts.test"',
        '_smtp._tls.twotxt IN TXT "v=TLSRPTv1; rua=mailto:b@sts.test"',
        '_smtp._tls.badrua IN TXT "v=TLSRPTv1; rua=ftp://x.sts.test/"',
        'default._bimi.enforce IN TXT "v=BIMI1; l=https://enforce.sts.test/logo.svg; a=https://enforce.sts.test/vmc.pem"',
        'default._bimi.declined IN TXT "v=BIMI1; l=; a=;"',
        'default._bimi.http IN TXT "v=BIMI1; l=http://http.sts.test/logo.svg"',
        "$ORIGIN brand.test.",
        'default._bimi IN TXT "v=BIMI1; l=https://brand.test/logo.svg"',
        "shop IN A 192.0.2.9",
    ]
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    # The certificate covers every mta-sts.<domain> host, but not mta-sts.wrongcert.sts.test.
    return make_pki(tmp_path_factory.mktemp("sts-pki"), tuple(f"mta-sts.{d}.sts.test" for d in DOMAINS))


@pytest.fixture(scope="module")
def server(pki: PKI) -> Iterator[PolicyServer]:
    with policy_server(pki, POLICIES) as running:
        yield running


@pytest.fixture
def ctx() -> Context:
    resolver = ZoneResolver.from_text(ZONE)
    return Context(resolver=FailingResolver(resolver, {("_smtp._tls.failing.sts.test", "TXT")}))


def fetch(domain: str, ctx: Context, server: PolicyServer, pki: PKI) -> mtasts.MTASTSResult:
    return mtasts.check(domain, ctx=ctx, fetch=True, https_port=server.port, ca_bundle=pki.ca_pem, timeout=5.0)


# --- against the HTTPS server ---------------------------------------------------------------------
def test_enforce(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("enforce.sts.test", ctx, server, pki)
    assert r.status == "ok", r.reason
    assert r.mode == "enforce" and r.policy is not None and r.policy.max_age == 86400
    assert r.policy.mx == ("mx1.enforce.sts.test", "*.backup.sts.test")
    assert [(m.host, m.pattern) for m in r.mx_matches] == [
        ("mx1.enforce.sts.test", "mx1.enforce.sts.test"),
        ("a.backup.sts.test", "*.backup.sts.test"),
    ]
    assert r.mismatched == () and "every MX host matches" in r.reason
    assert r.record is not None and r.record.id == "20240101"
    f = r.fetch
    assert f is not None and f.ok and f.http_status == 200 and f.address == LOOPBACK and f.port == server.port
    assert f.url == f"https://mta-sts.enforce.sts.test:{server.port}{POLICY_PATH}"
    assert f.tls_version in ("TLSv1.2", "TLSv1.3") and "mta-sts.enforce.sts.test" in (f.certificate_subject or "")
    assert ("mta-sts.enforce.sts.test", POLICY_PATH) in server.requests


def test_testing(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("testing.sts.test", ctx, server, pki)
    assert r.status == "ok" and r.mode == "testing"
    assert r.mx_matches[0].matched and r.mx_matches[0].pattern == "*.testing.sts.test"


def test_mismatch(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("mismatch.sts.test", ctx, server, pki)
    assert r.status == "ok" and r.mode == "enforce"
    assert r.mismatched == ("relay.evil.example",)
    assert "refuses to deliver" in r.reason


def test_bad_policy_syntax(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("badsyntax.sts.test", ctx, server, pki)
    assert r.status == "invalid-policy" and r.mode is None and r.mx_matches == ()
    assert r.policy is not None and any("not a 'key: value' field" in p for p in r.policy.problems)
    assert any("no max_age" in p for p in r.policy.problems)


def test_txt_missing(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    before = len(server.requests)
    r = fetch("notxt.sts.test", ctx, server, pki)
    assert r.status == "none" and r.fetch is None and "no MTA-STS policy" in r.reason
    assert r.txt_records == ("v=spf1 -all",)
    assert len(server.requests) == before  # no policy fetched without the record
    assert mtasts.check("nothing.sts.test", ctx=ctx, fetch=True).status == "none"


def test_two_records_are_no_policy(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("twotxt.sts.test", ctx, server, pki)
    assert r.status == "invalid-record" and r.fetch is None


def test_redirect_is_not_followed(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    r = fetch("redirect.sts.test", ctx, server, pki)
    assert r.status == "fetch-failed" and r.fetch is not None
    assert r.fetch.status == "redirect" and r.fetch.http_status == 301
    assert "must not be followed" in (r.fetch.error or "")


@pytest.mark.parametrize(
    ("domain", "status"),
    [("html.sts.test", "bad-content-type"), ("missing.sts.test", "http-error"), ("big.sts.test", "too-large")],
)
def test_fetch_failures(ctx: Context, server: PolicyServer, pki: PKI, domain: str, status: str) -> None:
    r = fetch(domain, ctx, server, pki)
    assert r.status == "fetch-failed" and r.fetch is not None and r.fetch.status == status, r.fetch


def test_certificate_must_verify(ctx: Context, server: PolicyServer, pki: PKI) -> None:
    wrong_name = fetch("wrongcert.sts.test", ctx, server, pki)
    assert wrong_name.fetch is not None and wrong_name.fetch.status == "tls-error"
    assert "does not verify" in (wrong_name.fetch.error or "")
    # the system's trust store does not know the test CA
    r = mtasts.check("enforce.sts.test", ctx=ctx, fetch=True, https_port=server.port, timeout=5.0)
    assert r.status == "fetch-failed" and r.fetch is not None and r.fetch.status == "tls-error"


def test_no_address_and_closed_port(ctx: Context, pki: PKI) -> None:
    r = mtasts.fetch_policy("noaddress.sts.test", ctx=ctx, ca_bundle=pki.ca_pem)
    assert r.status == "no-address" and r.address is None
    import socket

    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        closed = mtasts.fetch_policy(
            "enforce.sts.test", ctx=ctx, https_port=s.getsockname()[1], ca_bundle=pki.ca_pem, timeout=2.0
        )
    assert closed.status == "connect-error"


def test_not_fetched_without_asking(ctx: Context) -> None:
    r = mtasts.check("enforce.sts.test", ctx=ctx)
    assert r.status == "not-fetched" and r.fetch is None and r.record is not None and r.record.valid


def test_fetch_refused_offline(tmp_path: Path) -> None:
    offline = offline_context(tmp_path)
    with pytest.raises(InputError, match="offline"):
        mtasts.fetch_policy("example.test", ctx=offline)


# --- parsers -------------------------------------------------------------------------------------
def test_sts_record_syntax() -> None:
    ok = parse_sts_record("v=STSv1; id=20160831085700Z;")
    assert ok.valid and ok.id == "20160831085700Z" and ok.problems == ()
    assert parse_sts_record("v=STSv1;id=abc ; ext=val").extensions == (("ext", "val"),)
    for text, problem in [
        ("id=1; v=STSv1", "does not start with v=STSv1"),
        ("v=STSv1", "no id"),
        ("v=STSv1; id=" + "a" * 33, "1 to 32"),
        ("v=STSv1; id=a-b", "1 to 32"),
        ("v=STSv1; id=1; junk", "not a field"),
        ("v=STSv1; id=1; e=a b", "invalid value"),
        ("v=stsv1; id=1", "does not start with v=STSv1"),
    ]:
        r = parse_sts_record(text)
        assert not r.valid and any(problem in p for p in r.problems), (text, r.problems)
    dup = parse_sts_record("v=STSv1; id=1; id=2")
    assert dup.id == "1" and not dup.valid


def test_policy_syntax() -> None:
    p = parse_policy("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n")
    assert p.valid and p.mode == "enforce" and p.max_age == 604800 and p.mx == ("mail.example.com", "*.example.net")
    assert parse_policy("version: STSv1\r\nmode: none\r\nmax_age: 0").valid  # mode none needs no mx
    assert parse_policy("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 1\nfoo_bar: x y\n").extensions == (
        ("foo_bar", "x y"),
    )
    for text, problem in [
        ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version must be STSv1"),
        ("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", "mode must be"),
        ("version: STSv1\nmode: enforce\nmax_age: 1\n", "at least one mx"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "max_age must be"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "max_age must be"),
        ("version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age"),
        ("version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", "mx must be"),
        ("version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", "mx must be"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n\n", "not a 'key: value'"),
        ("version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n", "appears again"),
        ("Version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", "no version"),
        ("", "no version"),
    ]:
        r = parse_policy(text)
        assert not r.valid and any(problem in q for q in r.problems), (text, r.problems)
    dup = parse_policy("version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n")
    assert dup.mode == "enforce"  # the first value is used


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("mail.example.com", "mail.example.com", True),
        ("mail.example.com", "MAIL.Example.COM.", True),
        ("*.example.com", "mail.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("mail.example.com", "mail2.example.com", False),
        ("*.example.com", ".example.com", False),
    ],
)
def test_mx_pattern_matching(pattern: str, host: str, expected: bool) -> None:
    assert mx_pattern_matches(pattern, host) is expected


def test_tlsrpt(ctx: Context) -> None:
    r = mtasts.tlsrpt("enforce.sts.test", ctx=ctx)
    assert r.status == "ok" and r.name == "_smtp._tls.enforce.sts.test"
    assert r.record is not None and r.record.rua == ("mailto:tls@enforce.sts.test", "https://rpt.sts.test/r")
    assert mtasts.tlsrpt("twotxt.sts.test", ctx=ctx).status == "invalid"
    bad = mtasts.tlsrpt("badrua.sts.test", ctx=ctx)
    assert bad.status == "invalid" and "neither mailto: nor https:" in bad.reason
    assert mtasts.tlsrpt("testing.sts.test", ctx=ctx).status == "none"
    assert mtasts.tlsrpt("failing.sts.test", ctx=ctx).status == "temperror"
    assert not parse_tlsrpt("rua=mailto:a@b.example; v=TLSRPTv1").valid
    assert parse_tlsrpt("v=TLSRPTv1;rua=mailto:a@b.example;").valid


def test_bimi(ctx: Context) -> None:
    r = mtasts.bimi("enforce.sts.test", ctx=ctx)
    assert r.status == "ok" and r.source == "author" and r.name == "default._bimi.enforce.sts.test"
    assert r.record is not None and r.record.location == "https://enforce.sts.test/logo.svg"
    assert r.record.authority == "https://enforce.sts.test/vmc.pem"
    assert mtasts.bimi("declined.sts.test", ctx=ctx).status == "declined"
    http = mtasts.bimi("http.sts.test", ctx=ctx)
    assert http.status == "invalid" and "https" in http.reason
    fallback = mtasts.bimi("shop.brand.test", ctx=ctx)  # none at the author domain: the org domain's
    assert fallback.status == "ok" and fallback.source == "organizational"
    assert fallback.name == "default._bimi.brand.test"
    assert mtasts.bimi("nothing.sts.test", ctx=ctx).status == "none"
    assert not parse_bimi("l=https://x.example/logo.svg").valid
    several = parse_bimi("v=BIMI1; l=https://a.example/1.svg,https://a.example/2.svg")
    assert several.location == "https://a.example/1.svg" and not several.valid
