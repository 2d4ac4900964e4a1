"""The combined content scan (mailforensics.content.scan) on messages built here.

Blocklist zones are served by a ZoneResolver (``uri.test``); nothing leaves the process.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import time
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest

from mailforensics.content import scan as scan_mod
from mailforensics.content.lookalike import ProtectedSet
from mailforensics.content.scan import ContentScan, scan
from mailforensics.context import Config, Context
from mailforensics.message import Message
from mailforensics.reputation.dnsbl import DNSBLZone
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
URI_ZONE = DNSBLZone(zone="uri.test", kind="domain", label="Test URI BL", bitmask={8: "PH", 64: "ABUSE"})
IP_ZONE = DNSBLZone(zone="dnsbl.test", kind="ip")
DATA = {
    "test.uri.test": {"A": ["127.0.0.8"]},  # RFC 5782 §5 test point
    "evil.example.uri.test": {"A": ["127.0.0.8"], "TXT": ["phishing"]},
    "collector.example.uri.test": {"A": ["127.0.0.64"]},
}


class Counting:
    def __init__(self) -> None:
        self.inner = ZoneResolver.from_dict(DATA)
        self.asked: list[str] = []
        self.questions: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.asked.append(name)
        self.questions.append((name, rdtype))
        return self.inner.query(name, rdtype)


def make_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


HTML = (
    "<html><body><p>Your account is limited.</p>"
    '<a href="http://paypal.com.login.evil.example/verify?id=1">https://www.paypal.com/signin</a>'
    '<a href="https://r.example/out?u=https%3A%2F%2Fcollector.example%2Fx">details</a>'
    '<img src="https://evil.example/pixel.gif"><a href="https://evil.example/again">again</a>'
    "</body></html>"
)


def phish() -> Message:
    zipped = make_zip({"statement.pdf.exe": b"MZ" + b"\x00" * 100})
    raw = (
        "Return-Path: <bounce@mailer.example>\r\n"
        "DKIM-Signature: v=1; a=rsa-sha256; d=paypa1.com; s=s1; h=from; bh=x; b=y\r\n"
        'From: "PayPal Service" <service@paypa1.com>\r\n'
        "Reply-To: <help@collector.example>\r\n"
        "To: bob@rcpt.example\r\n"
        "Subject: Action required\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        '--M\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n'
        "--A\r\nContent-Type: text/plain\r\n\r\nVerify at https://paypa1.com/verify now.\r\n"
        "--A\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(HTML.encode()).decode()
        + "--A--\r\n"
        '--M\r\nContent-Type: application/zip; name="statement.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(zipped).decode()
        + "--M--\r\n"
    )
    return Message.from_bytes(raw.encode())


@pytest.fixture
def resolver() -> Counting:
    return Counting()


@pytest.fixture
def ctx(resolver: Counting) -> Context:
    return Context(resolver=resolver, now=NOW, config=Config(dnsbl_zones=(URI_ZONE, IP_ZONE)))


def codes(result: ContentScan) -> set[str]:
    return {str(f.code) for f in result.findings}


def test_scan_phish(ctx: Context, resolver: Counting) -> None:
    result = scan(phish(), ctx=ctx)
    hosts = {u.host_ascii for u in result.urls}
    assert {"paypal.com.login.evil.example", "r.example", "collector.example", "evil.example", "paypa1.com"} <= hosts
    # look-alikes per place
    places = {(p.place, p.domain, p.technique, p.owner) for p in result.lookalikes}
    assert ("From", "paypa1.com", "ascii-swap", "PayPal") in places
    assert ("DKIM d=", "paypa1.com", "ascii-swap", "PayPal") in places
    assert ("URL", "paypal.com.login.evil.example", "brand-subdomain", "PayPal") in places
    assert ("URL", "paypa1.com", "ascii-swap", "PayPal") in places
    # blocklists: each domain once, listings found
    listed = {r.item: r.meanings for r in result.dnsbl if r.listed}
    assert listed == {"evil.example": ("PH",), "collector.example": ("ABUSE",)}
    looked_up = [q for q in resolver.questions if q[0].endswith(".uri.test") and not q[0].startswith(("test.", "inv"))]
    assert len(looked_up) == len(set(looked_up))
    domains = {d.domain: d.sources for d in result.domains}
    assert domains["paypa1.com"] == ("URL", "From", "DKIM d=")
    assert domains["collector.example"] == ("URL", "Reply-To")
    assert "paypal.com" not in domains  # a brand's own domain is not looked up
    # findings from every check
    assert {
        "url-text-mismatch",
        "lookalike-domain",
        "display-name-brand",
        "reply-to-other-domain",
        "return-path-other-domain",
        "archive-contains-executable",
        "dnsbl-listed",
    } <= codes(result)
    (from_finding,) = [f for f in result.findings if str(f.code) == "lookalike-domain" and "From" in f.detail]
    assert from_finding.severity == "alert" and from_finding.where == "header 2"
    assert len(result.findings) == len(set(result.findings))
    assert len(result.attachments) == 1 and result.attachments[0].archive is not None


def test_rows_build_dataframes(ctx: Context) -> None:
    result = scan(phish(), ctx=ctx)
    urls = pd.DataFrame(scan_mod.url_rows(result))
    assert list(urls.columns[:5]) == ["part", "content_type", "source", "tag", "url"]
    row = urls[urls.host_ascii == "paypal.com.login.evil.example"].iloc[0]
    assert row.text_mismatch and row.lookalike == "brand-subdomain: paypal.com"
    assert row.registered_domain == "evil.example" and row.dnsbl == "uri.test: PH" and row.dnsbl_listed
    clean = urls[urls.host_ascii == "r.example"].iloc[0]
    assert clean.dnsbl_listed is False or clean.dnsbl_listed == False  # noqa: E712
    atts = pd.DataFrame(scan_mod.attachment_rows(result))
    assert atts.loc[0, "archive_format"] == "zip" and atts.loc[0, "archive_entries"] == 1
    entries = pd.DataFrame(scan_mod.archive_rows(result))
    assert entries.loc[0, "name"] == "statement.pdf.exe"
    looks = pd.DataFrame(scan_mod.lookalike_rows(result))
    assert set(looks.place) == {"From", "DKIM d=", "URL"}


def test_recipient_domains_from_config_and_argument(resolver: Counting) -> None:
    raw = b"From: Bob <bob@examp1e.com>\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nhttp://example-payroll.example/\r\n"
    ctx = Context(resolver=resolver, now=NOW, config=Config(internal_domains=("example.com",), dnsbl_zones=()))
    result = scan(Message.from_bytes(raw), ctx=ctx)
    found = {(p.place, p.technique, p.kind) for p in result.lookalikes}
    assert ("From", "ascii-swap", "recipient") in found
    assert ("URL", "brand-plus-words", "recipient") in found
    ctx2 = Context(resolver=resolver, now=NOW, config=Config(dnsbl_zones=()))
    assert scan(Message.from_bytes(raw), ctx=ctx2, protected=["example.com"]).lookalikes


def test_signed_domains_and_custom_set(ctx: Context) -> None:
    raw = b"From: a@sender.example\r\nSubject: s\r\n\r\nhttp://sender-example.example/ http://s3nder.example/\r\n"
    result = scan(Message.from_bytes(raw), ctx=ctx, signed_domains=["sender.example"], zones=())
    assert {(p.domain, p.technique) for p in result.lookalikes} == {
        ("s3nder.example", "edit-distance"),
        ("sender-example.example", "brand-plus-words"),
    }
    pset = ProtectedSet.build(["sender.example"], brands=False)
    result = scan(Message.from_bytes(raw), ctx=ctx, protected=pset, zones=())
    assert {p.kind for p in result.lookalikes} == {"protected"}


def test_no_dns_without_dns_checks_or_zones(resolver: Counting) -> None:
    ctx = Context(resolver=resolver, now=NOW, config=Config(dns_checks=False, dnsbl_zones=(URI_ZONE,)))
    result = scan(phish(), ctx=ctx)
    assert resolver.asked == [] and result.dnsbl == ()
    ctx = Context(resolver=resolver, now=NOW, config=Config(dnsbl_zones=(URI_ZONE,)))
    scan(phish(), ctx=ctx, zones=())
    assert resolver.asked == []


def test_skip_domains_and_shared_health(ctx: Context, resolver: Counting) -> None:
    from mailforensics.reputation import dnsbl

    health = {URI_ZONE.zone: dnsbl.probe_zone(URI_ZONE, ctx=ctx)}
    resolver.asked.clear()
    result = scan(phish(), ctx=ctx, skip_domains=["evil.example"], dnsbl_health=health)
    assert "evil.example" not in {r.item for r in result.dnsbl}
    assert not any(n.startswith(("test.", "invalid.")) for n in resolver.asked)  # not probed again


def test_clean_message(ctx: Context) -> None:
    raw = (
        b"From: News <news@sender.example>\r\nTo: bob@rcpt.example\r\nSubject: Weekly\r\n"
        b"Content-Type: text/html\r\n\r\n"
        b'<p>Read <a href="https://www.sender.example/w/12">sender.example</a></p>\r\n'
    )
    result = scan(Message.from_bytes(raw), ctx=ctx)
    assert result.lookalikes == () and result.attachments == ()
    assert result.findings == ()
    assert [u.host_ascii for u in result.urls] == ["www.sender.example"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"garbage without headers",
        b"From: <>\r\nDKIM-Signature: d=\r\nReply-To: ,,,\r\n\r\n",
        b"From: a@[192.0.2.1]\r\nReturn-Path: <x@>\r\n\r\nhttp://[::1]/ http://%%%/\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + b"--x\r\n" * 5000,
    ],
)
def test_scan_never_raises(ctx: Context, raw: bytes) -> None:
    scan(Message.from_bytes(raw), ctx=ctx)


def test_scan_on_a_megabyte_of_hostile_html(ctx: Context) -> None:
    body = "".join(f"<a href=http://h{i}.example/>x</a>" + "<" * 100 + "&#" * 50 for i in range(5000))
    raw = b"From: a@sender.example\r\nContent-Type: text/html\r\n\r\n" + body.encode()
    assert len(raw) > 1_000_000
    start = time.perf_counter()
    result = scan(Message.from_bytes(raw), ctx=Context(resolver=ctx.resolver, now=NOW, config=Config(dnsbl_zones=())))
    elapsed = time.perf_counter() - start
    print(f"scan of 1 MB hostile HTML with 5000 distinct hosts: {elapsed:.3f} s")
    assert len(result.urls) == 5000
    assert "content-limit-reached" in codes(result)  # look-alike hosts capped
    assert elapsed < 6.0


def test_brands_own_cdn_and_country_domains_raise_no_lookalike(ctx: Context) -> None:
    # A genuine Amazon mail links images from Amazon's CDNs; a Yahoo Mexico user writes
    # from yahoo.com.mx. Both are the brands' own, not look-alikes of amazon.com/yahoo.com.
    raw = (
        b"From: Amazon <account-update@amazon.com>\r\nReply-To: cliente@yahoo.com.mx\r\n"
        b"To: bob@rcpt.example\r\nSubject: Your order\r\nContent-Type: text/html\r\n\r\n"
        b'<img src="https://images-na.ssl-images-amazon.com/images/G/01/x/logo.png">'
        b'<img src="https://m.media-amazon.com/images/I/41abc.jpg">'
        b'<a href="https://www.amazon.com.mx/gp/css/order-history">orders</a>\r\n'
    )
    result = scan(Message.from_bytes(raw), ctx=ctx)
    assert result.lookalikes == ()
    assert "lookalike-domain" not in codes(result)
    # while a look-alike of those same domains is still one
    fake = raw.replace(b"https://m.media-amazon.com/", b"https://m.media-amazon.co/")
    places = {(p.place, p.domain, p.technique, p.owner) for p in scan(Message.from_bytes(fake), ctx=ctx).lookalikes}
    assert ("URL", "m.media-amazon.co", "tld-swap", "Amazon") in places


def test_address_as_display_name_without_dns_checks(resolver: Counting) -> None:
    # With dns_checks=False there is no DMARC check: the From reading (one mailbox, the
    # angle-addr) and its findings still reach the scan through the header checks.
    ctx = Context(resolver=resolver, now=NOW, config=Config(dns_checks=False))
    raw = (
        b"From: purchasing@aquillaindustries.example <do-not-reply@agency.example>\r\n"
        b"Reply-To: purchasing@aquiIlaindustries.example\r\nTo: bob@rcpt.example\r\n"
        b"Subject: Urgent request for quotation\r\n\r\nPlease quote.\r\n"
    )
    result = scan(Message.from_bytes(raw), ctx=ctx)
    assert {
        "message-header-syntax",
        "from-display-name-address",
        "reply-to-other-domain",
        "lookalike-domain",
    } <= codes(result)
    assert "from-multiple" not in codes(result)
    assert ("From", "header 0", "agency.example") in scan_mod.header_domains(Message.from_bytes(raw))


# --- MIME structure defects and content hidden in broken structure -----------------------
def structure_msg(body: bytes, ctype: bytes = b'multipart/mixed; boundary="B1"') -> Message:
    return Message.from_bytes(
        b"From: a@sender.example\r\nTo: bob@rcpt.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: " + ctype + b"\r\n\r\n" + body
    )


def mime_findings(result: ContentScan) -> list[tuple[str, str, str]]:
    return [
        (str(f.code), str(f.severity), f.where)
        for f in result.findings
        if f.code in ("mime-structure-defect", "content-part-unreadable")
    ]


def test_epilogue_part_and_reused_boundary_are_reported(ctx: Context) -> None:
    body = (
        b'--B1\r\nContent-Type: multipart/alternative; boundary="B1"\r\n\r\n'
        b"--B1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B1--\r\n"
        b'--B1\r\nContent-Type: application/zip; name="invoice.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(make_zip({"invoice.txt": b"x"}))
        + b"--B1--\r\nFooter: see https://footer.example/unsubscribe\r\n"
    )
    result = scan(structure_msg(body), ctx=ctx)
    assert mime_findings(result) == [
        ("mime-structure-defect", "warning", "message"),
        ("mime-structure-defect", "warning", "part 1"),
    ]
    outer, inner = (f for f in result.findings if f.code == "mime-structure-defect")
    assert ("recovered", "epilogue.1 application/zip invoice.zip") in outer.evidence
    assert "after its close delimiter" in outer.detail
    assert "reuses the boundary" in inner.detail and ("defect", "StartBoundaryNotFoundDefect") in inner.evidence
    assert [(a.part, a.filename) for a in result.attachments] == [("epilogue.1", "invoice.zip")]
    # the epilogue's own text is read for URLs too, under its own name
    assert [(u.part, u.host_ascii) for u in result.urls] == [("epilogue", "footer.example")]
    rows = scan_mod.attachment_rows(result)
    assert rows[0]["part"] == "epilogue.1"


def test_undeclared_boundary_body_is_recovered_and_its_html_read(ctx: Context) -> None:
    html = b'<html><body><a href="https://landing.example/p">Open</a></body></html>'
    body = (
        b"----=_real\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(html)
        + b"\r\n----=_elsewhere--\r\n"
    )
    result = scan(structure_msg(body, b'multipart/alternative; boundary="--=_declared"'), ctx=ctx)
    assert [(u.part, u.url) for u in result.urls] == [("body.1", "https://landing.example/p")]
    (finding,) = (f for f in result.findings if f.code == "mime-structure-defect")
    assert finding.severity == "warning" and finding.where == "message"
    assert "'--=_declared' never appears" in finding.detail
    assert ("defect", "StartBoundaryNotFoundDefect") in finding.evidence
    assert ("recovered", "body.1 text/html") in finding.evidence


def test_missing_close_delimiter_is_a_notice(ctx: Context) -> None:
    body = b"--B1\r\nContent-Type: text/plain\r\n\r\nhello https://ok.example/\r\n"
    result = scan(structure_msg(body), ctx=ctx)
    assert mime_findings(result) == [("mime-structure-defect", "notice", "message")]
    assert "--B1--" in result.findings[0].detail
    assert [u.host_ascii for u in result.urls] == ["ok.example"]


def test_damaged_base64_is_reported_on_its_part(ctx: Context) -> None:
    body = (
        b"--B1\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b'--B1\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        b"JVBERi0xLjQK=x\r\n--B1--\r\n"
    )
    result = scan(structure_msg(body), ctx=ctx)
    assert ("content-part-unreadable", "notice", "part 2") in mime_findings(result)


def test_bounce_header_copy_and_clean_mail_raise_no_structure_finding(ctx: Context) -> None:
    # message/rfc822-headers holds a copy of a multipart's header alone, by design.
    body = (
        b"--B1\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B1\r\nContent-Type: message/rfc822-headers\r\n\r\n"
        b'From: x@sender.example\r\nContent-Type: multipart/alternative; boundary="gone"\r\n\r\n'
        b"--B1--\r\n"
    )
    assert mime_findings(scan(structure_msg(body, b'multipart/report; boundary="B1"'), ctx=ctx)) == []
    assert mime_findings(scan(phish(), ctx=ctx)) == []


def test_hidden_parts_are_bounded_and_linear(ctx: Context) -> None:
    hidden = b"--h\r\nContent-Type: text/plain\r\n\r\nhttps://a.example/\r\n" * 20_000
    message = structure_msg(b"--B1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B1--\r\n" + hidden)
    start = time.perf_counter()
    result = scan(message, ctx=ctx)
    assert time.perf_counter() - start < 10
    assert sum(1 for u in result.urls if u.part.startswith("epilogue.")) == 100
    assert "content-limit-reached" in codes(result)


def test_sibling_multiparts_may_share_a_boundary(ctx: Context) -> None:
    alt = (
        b'--B1\r\nContent-Type: multipart/alternative; boundary="S"\r\n\r\n'
        b"--S\r\nContent-Type: text/plain\r\n\r\nx\r\n--S--\r\n"
    )
    result = scan(structure_msg(alt + alt + b"--B1--\r\n"), ctx=ctx)
    assert mime_findings(result) == []


# --- uuencoded blocks, external bodies ------------------------------------------------------
def test_uuencoded_block_is_read_out_of_the_body_and_its_text_stays_clean(ctx: Context) -> None:
    # An encoded line that happens to spell a URL must not become a URL of the text part.
    line = "M" + "HTTP://EVIL.EXAMPLE/" * 3
    data = binascii.a2b_uu(line)
    assert binascii.b2a_uu(data, backtick=True).decode().rstrip("\n") == line
    block = f"begin 0755 tool.bin\r\n{line}\r\n`\r\nend"
    body = f"--B1\r\nContent-Type: text/plain\r\n\r\nGet it at https://files.example/x\r\n{block}\r\nbye\r\n--B1--\r\n"
    result = scan(structure_msg(body.encode()), ctx=ctx)
    assert [(a.part, a.filename, a.size) for a in result.attachments] == [("1.uuencode.1", "tool.bin", len(data))]
    assert [(u.part, u.host_ascii) for u in result.urls] == [("1", "files.example")]
    assert mime_findings(result) == []
    rows = scan_mod.attachment_rows(result)
    assert rows[0]["part"] == "1.uuencode.1" and rows[0]["sha1"] == hashlib.sha1(data).hexdigest()


def test_uuencoded_blocks_are_bounded(ctx: Context) -> None:
    block = "begin 644 f.bin\r\n#86)C\r\n`\r\nend\r\n"
    message = structure_msg(("--B1\r\nContent-Type: text/plain\r\n\r\n" + block * 150 + "--B1--\r\n").encode())
    start = time.perf_counter()
    result = scan(message, ctx=ctx)
    assert time.perf_counter() - start < 10
    assert len(result.attachments) == 100
    assert result.attachments[-1].part == "1.uuencode.100"
    limit = [f for f in result.findings if f.code == "content-limit-reached"]
    assert limit and "uuencoded blocks" in limit[0].detail


def test_external_body_gives_a_reference_url_and_no_phantom_content(ctx: Context) -> None:
    body = (
        b"--B1\r\nContent-Type: text/plain\r\n\r\nSee the draft.\r\n"
        b'--B1\r\nContent-Type: message/external-body; access-type="anon-ftp";\r\n'
        b'\tsite="ftp.example.org"; directory="drafts"; name="draft-00.txt"\r\n\r\n'
        b"Content-Type: text/plain\r\nContent-ID: <d0@sender.example>\r\n\r\n\r\n--B1--\r\n"
    )
    result = scan(structure_msg(body), ctx=ctx)
    assert [(u.part, u.source, u.url, u.host_ascii) for u in result.urls] == [
        ("2", "external-body", "ftp://ftp.example.org/drafts/draft-00.txt", "ftp.example.org")
    ]
    rows = scan_mod.attachment_rows(result)
    assert [(r["part"], r["declared_type"], r["category"], r["size"], r["sniffed_type"]) for r in rows] == [
        ("2", "message/external-body", "external", 0, None)
    ]
