"""A domain's mail posture: over a ZoneResolver (no probe), and over Knot with the probe.

The probed run uses the same loopback servers as the DANE and MTA-STS tests: knotd
serving the signed ``dane.test`` (tests/knot.py), an aiosmtpd with STARTTLS, and an
HTTPS server for the MTA-STS policy, with certificates made here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from mailforensics.context import Config, Context
from mailforensics.errors import InputError
from mailforensics.resolvers.live import LiveResolver
from mailforensics.resolvers.zone import ZoneResolver
from mailforensics.transport import posture
from mailforensics.transport.posture import COLUMNS, domain_posture, posture_record, run_cli, spf_posture
from tests.knot import DANE_ZONE, KnotServer, knot_fixture  # noqa: F401  (the session fixture ``knot``)
from tests.test_dane import PKI, SMTPServers, make_pki, offline_context, smtp_servers, tlsa_for
from tests.test_mtasts import PolicyServer, policy_server, policy_text

LOOPBACK = "127.0.0.1"

ZONE = """
$ORIGIN posture.test.
$TTL 300
@ IN MX 10 mx1
@ IN MX 20 mx2
@ IN TXT "v=spf1 mx a include:_spf.posture.test exists:%{i}._ip.posture.test redirect=_spf2.posture.test"
@ IN TXT "google-site-verification=abc"
_spf IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf3.posture.test ~all"
_spf2 IN TXT "v=spf1 ptr -all"
_spf3 IN TXT "v=spf1 a:x.posture.test -all"
_dmarc IN TXT "v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@posture.test"
_mta-sts IN TXT "v=STSv1; id=7"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@posture.test"
default._bimi IN TXT "v=BIMI1; l=https://posture.test/logo.svg; a=https://posture.test/vmc.pem"
mx1 IN A 192.0.2.25
mx1 IN AAAA 2001:db8::25
mx2 IN A 192.0.2.26
_25._tcp.mx1 IN TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000000
_25._tcp.mx2 IN TLSA 1 1 1 0000000000000000000000000000000000000000000000000000000000000000

$ORIGIN nullmx.test.
@ IN MX 0 .
@ IN TXT "v=spf1 -all"
_dmarc IN TXT "v=DMARC1; p=reject"

$ORIGIN heavy.test.
@ IN MX 10 mx
mx IN A 192.0.2.30
@ IN TXT "v=spf1 include:i1.heavy.test include:i2.heavy.test include:i3.heavy.test -all"
i1 IN TXT "v=spf1 a mx ptr include:i4.heavy.test -all"
i2 IN TXT "v=spf1 a mx exists:x.heavy.test -all"
i3 IN TXT "v=spf1 include:heavy.test include:missing.heavy.test -all"
i4 IN TXT "v=spf1 a -all"

$ORIGIN double.test.
@ IN TXT "v=spf1 -all"
@ IN TXT "v=spf1 +all"
@ IN A 192.0.2.40
"""


@pytest.fixture
def zone_ctx() -> Context:
    return Context(resolver=ZoneResolver.from_text(ZONE, secure=True))


def rows_of(p: posture.DomainPosture, section: str) -> list[tuple[str, str | None, str]]:
    return [(r.name, r.value, r.status) for r in p.section(section)]


# --- ZoneResolver: no probe, no socket --------------------------------------------------------------
def test_posture_over_a_zone(zone_ctx: Context) -> None:
    p = posture_record("Posture.TEST.", ctx=zone_ctx)
    assert p.domain == "posture.test" and not p.probed
    assert rows_of(p, "dnssec") == [("posture.test", "NOERROR", "secure")]
    assert rows_of(p, "mx") == [("mx1.posture.test", "10 mx1.posture.test", "ok"),
                                ("mx2.posture.test", "20 mx2.posture.test", "ok")]  # fmt: skip
    assert "2001:db8::25" in p.section("mx")[0].detail
    spf = dict(((n, s) for n, _, s in rows_of(p, "spf")))
    assert spf == {"posture.test": "ok", "lookups": "ok"}
    # mx, a, include, exists, redirect (no "all") = 5; _spf: include = 1; _spf3: a = 1; _spf2: ptr = 1
    assert p.spf.lookups == 8
    assert p.spf.includes == ("_spf.posture.test", "_spf3.posture.test", "_spf2.posture.test")
    assert rows_of(p, "dmarc") == [
        ("_dmarc.posture.test", "v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@posture.test", "quarantine")
    ]
    assert "sp=reject" in p.section("dmarc")[0].detail
    assert rows_of(p, "mta-sts") == [("_mta-sts.posture.test", "v=STSv1; id=7", "not-fetched")]
    assert rows_of(p, "tls-rpt") == [("_smtp._tls.posture.test", "v=TLSRPTv1; rua=mailto:tls@posture.test", "ok")]
    tlsa = p.section("tlsa")
    assert [(r.name, r.status) for r in tlsa] == [("_25._tcp.mx1.posture.test", "secure"),
                                                  ("_25._tcp.mx2.posture.test", "secure")]  # fmt: skip
    assert "PKIX-EE(1) is unusable" in tlsa[1].detail
    assert [(r.name, r.status) for r in p.section("dane")] == [("mx1.posture.test", "untested"),
                                                               ("mx2.posture.test", "no-tlsa")]  # fmt: skip
    assert p.section("starttls") == () and p.section("cert") == ()
    assert rows_of(p, "bimi") == [("default._bimi.posture.test", "https://posture.test/logo.svg", "ok")]
    assert "vmc.pem" in p.section("bimi")[0].detail
    assert all(r.secure is True for r in p.rows if r.section in ("dnssec", "mx", "tlsa", "bimi"))


def test_posture_frame_is_tidy(zone_ctx: Context) -> None:
    df = domain_posture("posture.test", ctx=zone_ctx)
    assert list(df.columns) == list(COLUMNS)
    assert {c: str(t) for c, t in df.dtypes.items()} == COLUMNS
    assert df["section"].tolist()[:3] == ["dnssec", "mx", "mx"]
    assert not df.duplicated(["section", "name"]).any()  # one row per (section, item)
    assert df.loc[df["section"] == "spf", "status"].tolist() == ["ok", "ok"]
    assert df["secure"].dtype == "boolean" and df["secure"].isna().any()  # <NA> where no DNS answer


def test_null_mx_and_missing_records(zone_ctx: Context) -> None:
    p = posture_record("nullmx.test", ctx=zone_ctx)
    assert rows_of(p, "mx") == [("nullmx.test", "0 .", "null")]
    assert p.section("dane") == () and p.section("tlsa") == ()
    assert rows_of(p, "spf") == [("nullmx.test", "v=spf1 -all", "ok"), ("lookups", "0", "ok")]
    assert rows_of(p, "dmarc")[0][2] == "reject"
    assert rows_of(p, "mta-sts")[0][2] == "none"
    assert rows_of(p, "tls-rpt")[0][2] == "none"
    assert rows_of(p, "bimi")[0][2] == "none"
    gone = posture_record("nowhere.test", ctx=zone_ctx)
    assert rows_of(gone, "mx") == [("nowhere.test", None, "nxdomain")]
    assert rows_of(gone, "spf") == [("nowhere.test", None, "none")]
    assert rows_of(gone, "dmarc")[0][2] == "no-record"


def test_dmarc_posture_reads_the_record_by_the_configured_method() -> None:
    # A record without p=: RFC 9989 §4.7 reads it as p=none; RFC 7489 §6.3 makes it invalid
    # (no usable rua either). The posture must read it the way the analysis does.
    zone = {"nop.test": {"MX": ["10 mx.nop.test"]}, "_dmarc.nop.test": {"TXT": ["v=DMARC1; sp=reject"]}}
    bis = Context(resolver=ZoneResolver.from_dict(zone))
    old = Context(resolver=ZoneResolver.from_dict(zone), config=Config(dmarc_method="rfc7489"))
    assert posture.dmarc_posture("nop.test", ctx=bis).status == "none"
    assert posture.dmarc_posture("nop.test", ctx=old).status == "invalid"


def test_spf_lookup_count_and_errors(zone_ctx: Context) -> None:
    heavy = spf_posture("heavy.test", ctx=zone_ctx)
    # top 3 includes; i1: a mx ptr include (4) + i4: a (1); i2: a mx exists (3); i3: 2 includes
    assert heavy.lookups == 3 + 4 + 1 + 3 + 2
    assert heavy.status == "permerror"  # missing.heavy.test has no record
    assert any("loop" in p for p in heavy.problems) and any("missing.heavy.test" in p for p in heavy.problems)
    double = spf_posture("double.test", ctx=zone_ctx)
    assert double.status == "permerror" and "2 SPF records" in double.problems[0]
    failing = Context(resolver=ZoneResolver({"fail.test": {"TXT": "SERVFAIL"}}))
    assert spf_posture("fail.test", ctx=failing).status == "temperror"


def test_spf_over_the_limit() -> None:
    chain = {f"l{i}.over.test": {"TXT": [f"v=spf1 a mx include:l{i + 1}.over.test -all"]} for i in range(4)}
    chain["l4.over.test"] = {"TXT": ["v=spf1 -all"]}
    chain["over.test"] = {"TXT": ["v=spf1 include:l0.over.test -all"]}
    ctx = Context(resolver=ZoneResolver.from_dict(chain))
    p = posture_record("over.test", ctx=ctx)
    assert p.spf.lookups == 1 + 4 * 3 and p.spf.status == "too-many-lookups"
    assert rows_of(p, "spf")[1] == ("lookups", "13", "over-limit")


def test_probe_refused_offline(tmp_path: Path) -> None:
    offline = offline_context(tmp_path)
    with pytest.raises(InputError, match="offline"):
        domain_posture("example.test", ctx=offline, probe=True)
    with pytest.raises(InputError, match="offline"):
        posture_record("example.test", ctx=offline, probe=True)


def test_invalid_domain(zone_ctx: Context) -> None:
    with pytest.raises(InputError):
        posture_record("not a domain", ctx=zone_ctx)
    err = io.StringIO()
    assert run_cli("not a domain", ctx=zone_ctx, out=err) == 2


def test_run_cli_table_and_json(zone_ctx: Context) -> None:
    out = io.StringIO()
    assert run_cli("posture.test", ctx=zone_ctx, out=out) == 0
    text = out.getvalue()
    assert text.startswith("== mail posture of posture.test\n")
    assert "section" in text and "mx1.posture.test" in text and "untested" in text
    out = io.StringIO()
    assert run_cli("posture.test", json=True, ctx=zone_ctx, out=out) == 0
    doc = json.loads(out.getvalue())
    assert doc["domain"] == "posture.test" and doc["probed"] is False
    assert set(doc["rows"][0]) == set(COLUMNS)
    dane_rows = [r for r in doc["rows"] if r["section"] == "dane"]
    assert [(r["name"], r["status"], r["secure"]) for r in dane_rows] == [
        ("mx1.posture.test", "untested", True),
        ("mx2.posture.test", "no-tlsa", True),
    ]


# --- Knot with the probe --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("posture-pki"), (f"mx.{DANE_ZONE}", f"mta-sts.{DANE_ZONE}"))


@pytest.fixture(scope="module")
def smtp(pki: PKI) -> Iterator[SMTPServers]:
    with smtp_servers(pki, f"mx.{DANE_ZONE}") as running:
        yield running


@pytest.fixture(scope="module")
def https(pki: PKI) -> Iterator[PolicyServer]:
    policies = {f"mta-sts.{DANE_ZONE}": (200, "text/plain", policy_text("enforce", f"mx.{DANE_ZONE}"), {})}
    with policy_server(pki, policies) as running:
        yield running


@pytest.fixture(scope="module")
def knot_ctx(knot: KnotServer, pki: PKI) -> Context:
    knot.set_rrset(DANE_ZONE, f"_25._tcp.mx.{DANE_ZONE}", "TLSA", (tlsa_for(pki.leaf_der, 3, 1, 1),))
    resolver = LiveResolver([LOOPBACK], port=knot.port, timeout=1.0, lifetime=3.0, trust_anchors=knot.anchors())
    return Context(resolver=resolver)


def test_posture_over_knot_with_probe(knot_ctx: Context, smtp: SMTPServers, https: PolicyServer, pki: PKI) -> None:
    df = domain_posture(DANE_ZONE, ctx=knot_ctx, probe=True, port=smtp.tls_port, https_port=https.port,
                        ca_bundle=pki.ca_pem, timeout=5.0)  # fmt: skip
    assert list(df.columns) == list(COLUMNS)

    def row(section: str, name: str | None = None) -> pd.Series:
        selected = df[(df["section"] == section) & ((df["name"] == name) if name else True)]
        assert len(selected) == 1, (section, name, selected)
        return selected.iloc[0]

    mx = f"mx.{DANE_ZONE}"
    assert row("dnssec")["status"] == "secure" and bool(row("dnssec")["secure"])
    assert row("mx", mx)["value"] == f"10 {mx}" and row("mx", mx)["detail"] == LOOPBACK
    assert row("spf", DANE_ZONE)["status"] == "ok" and row("spf", "lookups")["value"] == "2"
    assert row("dmarc")["status"] == "reject" and bool(row("dmarc")["secure"])
    assert row("mta-sts", f"_mta-sts.{DANE_ZONE}")["status"] == "ok"
    assert row("mta-sts", "policy")["status"] == "enforce"
    assert row("mta-sts", mx)["status"] == "match"
    assert row("tls-rpt")["status"] == "ok" and "https://report.dane.test/tlsrpt" in row("tls-rpt")["detail"]
    assert row("tlsa")["status"] == "secure" and bool(row("tlsa")["secure"])
    dane_row = row("dane", mx)
    assert dane_row["status"] == "pass", dane_row["detail"]
    assert "compared" in dane_row["detail"]
    starttls = row("starttls", mx)
    assert starttls["status"] == "tls" and str(starttls["value"]).startswith("TLSv1.")
    assert f"port {smtp.tls_port}" in starttls["detail"]
    leaf = row("cert", f"{mx} #0")
    assert (
        leaf["status"] == "in-date"
        and f"CN={mx}" in leaf["value"]
        and "issuer CN=mailforensics test CA" in (leaf["detail"])
    )
    assert row("cert", f"{mx} #1")["value"].startswith("CN=mailforensics test CA")
    assert row("bimi")["status"] == "ok" and row("bimi")["value"] == "https://dane.test/logo.svg"


def test_posture_over_knot_without_probe_touches_no_server(knot_ctx: Context, https: PolicyServer) -> None:
    before = len(https.requests)
    p = posture_record(DANE_ZONE, ctx=knot_ctx)
    assert rows_of(p, "dane") == [(f"mx.{DANE_ZONE}", None, "untested")]
    assert rows_of(p, "mta-sts")[0][2] == "not-fetched"
    assert p.section("starttls") == ()
    assert len(https.requests) == before


def test_run_cli_with_a_nameserver(knot: KnotServer, knot_ctx: Context) -> None:
    """The CLI path: a LiveResolver at the given nameserver and port (root anchors: the
    .test zones are not under them, so nothing validates)."""
    out = io.StringIO()
    assert run_cli(DANE_ZONE, nameserver=LOOPBACK, dns_port=knot.port, out=out) == 0
    text = out.getvalue()
    assert f"mx.{DANE_ZONE}" in text and "insecure" in text
