"""Writeups (mailforensics.report): escaping, self-containment, provenance, the CLI.

- Message-derived text is escaped by Jinja2 autoescape in HTML and by ``markdown_escape``
  in Markdown: a hostile message (script tags, event handlers, ``javascript:`` URLs,
  ``</style>`` and ``</title>`` break-outs in the Subject, display names, Received fields,
  verdict fields, URLs and attachment names) yields no tag, no event-handler attribute and
  no ``javascript:`` link — checked structurally with an HTML parser, and for Markdown after
  rendering it with a renderer that passes raw HTML through.
- The HTML writeup loads nothing (every ``src`` is a ``data:`` URI) and forbids scripts.
- Provenance: SHA-256 of the raw message and of the evidence records, the tool version,
  the as-of time and the resolver; a digest of the results that survives a change of
  path and an offline re-run, and changes when the message does.
"""

from __future__ import annotations

import base64
import hashlib
import html.parser
import re
import shutil
import subprocess
import sys
import urllib.parse
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

import mailforensics as mf
from mailforensics import report
from mailforensics.resolvers import ZoneResolver

from .conftest import ROOT, SAMPLE_MAIL

EVIDENCE = SAMPLE_MAIL / "dns" / "evidence.jsonl"
RECORDED_AT = datetime(2024, 3, 22, 9, 0, tzinfo=UTC)
CONFIG = mf.Config(internal_domains=("example.net",))

#: Sets document.title to "XSS-FIRED" (base64, so the marker never appears in the payload).
JS = "document.title=atob('WFNTLUZJUkVE')"
MARKER = "XSS-FIRED"


def hostile_message(*, encoded: bool = False) -> bytes:
    """A message whose every displayed part tries to run ``JS``.

    With ``encoded``, the Subject, a display name and the attachment name are RFC 2047 /
    RFC 2231 encoded, so the payload appears only after decoding.
    """

    def b64word(text: str) -> str:
        return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="

    subject = f"<script>{JS}</script></title><script>{JS}</script> [click](javascript:{JS}) $x^2$"
    from_name = f'"<img src=x onerror={JS}>"'
    attachment = f"<img src=x onerror={JS}>.pdf"
    if encoded:
        subject = b64word(f"<svg onload={JS}></svg><script>{JS}</script>")
        from_name = b64word(f"<img src=x onerror={JS}>")
        attachment_header = "filename*=utf-8''" + urllib.parse.quote(f"<script>{JS}</script>.pdf", safe="")
    else:
        attachment_header = f'filename="{attachment}"'
    lines = [
        "Return-Path: <x@evil.example>",
        "Delivered-To: victim@example.net",
        "Received: from mx1.example.net (mx1.example.net [10.0.0.25])",
        "\tby imap.corp.example.net (Dovecot) with LMTP id abc",
        "\tfor <victim@example.net>; Mon, 11 Mar 2024 16:45:08 +0000",
        f'Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom="<script>{JS}</script>@evil.example"',
        f"Received: from <img src=x onerror={JS}> (evil.example [198.51.100.77])",
        "\tby mx1.example.net (Postfix) with ESMTPS id 4AB",
        "\tfor <victim@example.net>; Mon, 11 Mar 2024 16:45:07 +0000",
        f"Authentication-Results: </style><script>{JS}</script>; dkim=pass header.d=evil.example",
        f"Received: from </style><script>{JS}</script> ([203.0.113.9])",
        f"\tby relay.<svg/onload={JS}>.example with SMTP; Mon, 11 Mar 2024 16:45:05 +0000",
        f"From: {from_name} <ceo@evil.example>",
        f'Reply-To: "<svg onload={JS}>" <a@evil.example>',
        f'To: "</style><script>{JS}</script>" <victim@example.net>',
        f"Subject: {subject}",
        "Date: Mon, 11 Mar 2024 16:45:00 +0000",
        f'Message-ID: <"><svg onload={JS}>@evil.example>',
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"',
        "",
        "--b1",
        "Content-Type: text/html; charset=utf-8",
        "",
        f'<a href="javascript:{JS}">click</a> <img src=x onerror="{JS}"> https://evil.example/x?<script>',
        f"<details open ontoggle={JS}>x</details>",
        "--b1",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"Go to javascript:{JS} or data:text/html,<script>{JS}</script> now.",
        "--b1",
        "Content-Type: application/octet-stream",
        f"Content-Disposition: attachment; {attachment_header}",
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0K",
        "--b1--",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def hostile_analysis(*, encoded: bool = False) -> mf.Analysis:
    """The hostile message analysed offline (an empty zone: every name is NXDOMAIN)."""
    ctx = mf.Context(
        resolver=ZoneResolver.from_text(""),
        now=RECORDED_AT,
        config=mf.Config(internal_domains=("example.net",), dnsbl_zones=()),
    )
    origin = "hostile-encoded.eml" if encoded else "hostile.eml"
    return mf.analyze(mf.Message.from_bytes(hostile_message(encoded=encoded), origin=origin), ctx=ctx)


@cache
def sample(name: str) -> mf.Analysis:
    ctx = mf.Context.offline(EVIDENCE, now=RECORDED_AT, config=CONFIG)
    return mf.analyze(SAMPLE_MAIL / "eml" / name, ctx=ctx)


class _Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tags:
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


#: Tags a writeup may contain; anything else came from a message.
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "div",
    "style",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "span",
    "strong",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "img",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "em",
    "a",
    "hr",
    "br",
    "blockquote",
}


def assert_inert(markup: str) -> _Tags:
    """No tag but the writeup's own, no event handler, no script URL, no external load."""
    p = parse(markup)
    for tag, attrs in p.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> in output: {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler on <{tag}>: {name}={value!r}"
            if name in ("src", "href", "action", "formaction", "xlink:href"):
                assert value is not None and value.startswith("data:image/png;base64,"), f"<{tag} {name}={value!r}>"
        if tag == "a":
            raise AssertionError(f"a link in the output: {attrs}")
    assert MARKER not in markup
    return p


# --- escaping -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "rfc2047"])
def test_repr_html_fragment_is_inert(encoded: bool) -> None:
    a = hostile_analysis(encoded=encoded)
    fragment = report.analysis_html(a)
    p = assert_inert(fragment)
    text = "".join(p.text)
    assert "<script>" + JS in text or "<svg onload=" + JS in text  # shown, as text
    assert "&lt;script&gt;" in fragment or "&lt;svg" in fragment
    # Summary, then hops, auth, findings, in that order.
    order = [fragment.index(h) for h in ("<h4>Verdicts", "<h4>Hops", "<h4>Authentication", "<h4>Findings")]
    assert order == sorted(order)


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "rfc2047"])
def test_html_writeup_is_inert(tmp_path: Path, encoded: bool) -> None:
    a = hostile_analysis(encoded=encoded)
    path = report.to_html(a, tmp_path / "w.html")
    markup = path.read_text(encoding="utf-8")
    p = assert_inert(markup)
    text = "".join(p.text)
    # The payloads are there, as text: Subject, display name, attachment name, URL.
    if encoded:
        assert f"<svg onload={JS}></svg><script>{JS}</script>" in text
        assert f"<img src=x onerror={JS}>" in text
        assert f"<script>{JS}</script>.pdf" in text
    else:
        assert f"<script>{JS}</script></title><script>{JS}</script>" in text
        assert f"<img src=x onerror={JS}>.pdf" in text
        assert f"javascript:{JS}" in text
    assert "</style><script>" not in markup
    # The title holds the subject as escaped text, closed by the template's own </title>.
    assert markup.count("</title>") == 1
    head = markup[: markup.index("</head>")]
    assert re.search(r"<title>Email writeup: [^<]*</title>", head)


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "rfc2047"])
def test_markdown_writeup_is_inert_when_rendered(tmp_path: Path, encoded: bool) -> None:
    import mistune

    a = hostile_analysis(encoded=encoded)
    text = report.to_markdown(a, tmp_path / "w.md").read_text(encoding="utf-8")
    for needle in ("<script", "<img src=x", "<svg", "</style", "<details", "](javascript"):
        assert needle not in text
    # A renderer that passes raw HTML through (the worst case) must still produce no tag.
    rendered = mistune.create_markdown(escape=False, plugins=["table"])(text)
    assert isinstance(rendered, str)
    for tag, attrs in parse(rendered).tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> from Markdown: {attrs}"
        assert not any(k.startswith("on") for k in attrs)
        if tag == "a":
            raise AssertionError(f"a link from Markdown: {attrs}")
        if tag == "img":
            assert str(attrs.get("src", "")).startswith("data:image/png;base64,")


def test_markdown_escape() -> None:
    esc = report.markdown_escape
    assert esc("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert esc("[a](javascript:b)") == r"\[a\]\(javascript\:b\)"
    assert esc("a|b") == r"a\|b"
    assert esc("line\nbreak\r\nagain") == "line break again"
    assert esc("*x* _y_ `z` # h ![i]") == r"\*x\* \_y\_ \`z\` \# h \!\[i\]"
    assert esc("12:00:01") == "12:00:01"  # times stay readable
    assert esc("\"q\" & 's'") == "&quot;q&quot; &amp; &#x27;s&#x27;"
    assert esc(None) == ""
    assert esc("\x00bell\x07") == "bell"


def test_templates_autoescape_and_never_mark_message_data_safe() -> None:
    env = report._environment("html")
    assert env.autoescape is True
    for template in (ROOT / "mailforensics" / "templates").glob("*.j2"):
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), template.name
        assert "autoescape false" not in source.replace(" ", "").lower().replace("autoescapefalse", "autoescape false")
        assert "Markup" not in source


# --- self-contained -----------------------------------------------------------------------


def test_html_writeup_is_self_contained(tmp_path: Path) -> None:
    a = sample("30-lookalike-dmarc-fail.eml")
    markup = report.to_html(a, tmp_path / "w.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in markup and "default-src 'none'" in markup
    p = assert_inert(markup)
    images = [attrs["src"] for tag, attrs in p.tags if tag == "img"]
    assert len(images) == 2  # hop timeline, path diagram
    for src in images:
        assert src is not None
        png = base64.b64decode(src.split(",", 1)[1])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert not re.search(r"(?i)\b(?:src|href)\s*=\s*[\"']?(?:https?:|//)", markup)
    assert "<link" not in markup and "<script" not in markup
    text = "".join(p.text)
    for heading in ("Verdicts", "Hop timeline", "Path diagram", "Hops", "Authentication", "Findings", "Provenance"):
        assert heading in text
    assert "fail (bank.example)" in text  # the DMARC verdict


def test_markdown_writeup_embeds_plots(tmp_path: Path) -> None:
    a = sample("30-lookalike-dmarc-fail.eml")
    text = report.to_markdown(a, tmp_path / "w.md").read_text(encoding="utf-8")
    uris = re.findall(r"!\[[^\]]*\]\((data:image/png;base64,[A-Za-z0-9+/=]+)\)", text)
    assert len(uris) == 2
    assert "| DMARC | bank.example |" in text
    assert text.count("\n## ") >= 8


# --- provenance ---------------------------------------------------------------------------


def test_provenance_hashes(tmp_path: Path) -> None:
    path = SAMPLE_MAIL / "eml" / "31-mailing-list-arc.eml"
    a = sample("31-mailing-list-arc.eml")
    prov = report.provenance(a)
    assert prov["message_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov["message_bytes"] == path.stat().st_size
    saved = a.save_evidence(tmp_path / "evidence.jsonl")
    body = saved.read_text(encoding="utf-8").split("\n", 1)[1]  # the lines after the header
    assert prov["evidence_sha256"] == hashlib.sha256(body.encode()).hexdigest()
    assert prov["evidence_sha256"] == report.evidence_sha256(saved)
    assert prov["evidence_records"] == len(a.evidence) == len(body.strip().split("\n"))
    assert prov["tool_version"] == mf.__version__ and prov["tool"] == f"mailforensics {mf.__version__}"
    assert datetime.fromisoformat(prov["as_of"]) == RECORDED_AT
    assert prov["as_of_source"] == "fixed (Context.now)"
    assert prov["resolvers"] == ["zone sample_mail/dns/world.zone"]
    assert prov["config"]["internal_domains"] == ["example.net"]


def test_provenance_in_writeups_reads_back(tmp_path: Path) -> None:
    a = sample("23-envelope-conflict.eml")
    expected = report.provenance(a)
    assert report.read_provenance(report.to_html(a, tmp_path / "w.html")) == expected
    assert report.read_provenance(report.to_markdown(a, tmp_path / "w.md")) == expected
    markup = (tmp_path / "w.html").read_text(encoding="utf-8")
    for value in (expected["message_sha256"], expected["evidence_sha256"], expected["results_sha256"]):
        assert value in markup


def test_provenance_block_cannot_be_broken_out_of(tmp_path: Path) -> None:
    message = mf.Message.from_bytes(hostile_message(), origin=f"--><script>{JS}</script>&.eml")
    ctx = mf.Context(resolver=ZoneResolver.from_text(""), now=RECORDED_AT, config=mf.Config(dnsbl_zones=()))
    a = mf.analyze(message, ctx=ctx)
    markup = report.to_html(a, tmp_path / "w.html").read_text(encoding="utf-8")
    assert_inert(markup)
    assert report.read_provenance(tmp_path / "w.html")["message_origin"] == message.origin


def test_results_digest_is_stable_and_sensitive(tmp_path: Path) -> None:
    a = sample("29-dkim-rsa-ed25519-pass.eml")
    copy = tmp_path / "elsewhere.eml"
    shutil.copyfile(SAMPLE_MAIL / "eml" / "29-dkim-rsa-ed25519-pass.eml", copy)
    ctx = mf.Context.offline(EVIDENCE, now=RECORDED_AT, config=CONFIG)
    b = mf.analyze(copy, ctx=ctx)
    assert report.results_sha256(a) == report.results_sha256(b)
    # A Subject changed after signing breaks both DKIM signatures: the results change.
    changed = mf.Message.from_bytes(a.message.raw.replace(b"Subject:", b"Subject: [EXT]", 1), origin="x.eml")
    c = mf.analyze(changed, ctx=ctx)
    assert set(c.auth["result"][c.auth["method"] == "dkim"]) == {"fail"}
    assert report.results_sha256(c) != report.results_sha256(a)


def test_bundle_reruns_offline_and_matches(tmp_path: Path) -> None:
    a = sample("31-mailing-list-arc.eml")
    paths = report.save_bundle(a, tmp_path / "bundle")
    assert sorted(p.name for p in (tmp_path / "bundle").iterdir()) == [
        "evidence.jsonl",
        "message.eml",
        "writeup.html",
        "writeup.md",
    ]
    recorded = report.read_provenance(paths["html"])
    replay = mf.Context.offline(
        paths["evidence"],
        now=datetime.fromisoformat(recorded["as_of"]),
        config=report.config_from_provenance(recorded),
    )
    rerun = mf.analyze(paths["message"], ctx=replay)
    check = report.compare(rerun, recorded)
    assert check["match"].all(), check.to_string()
    raw = rerun.message.raw.replace(b"Subject:", b"Subject: [EXT]", 1)
    tampered = mf.analyze(mf.Message.from_bytes(raw, origin="t.eml"), ctx=replay)
    bad = report.compare(tampered, recorded).set_index("item")["match"]
    assert not bad["message_sha256"] and not bad["results_sha256"]
    assert bad["evidence_sha256"] and bad["config"]


def test_read_provenance_rejects_other_files(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("<html>nothing</html>")
    with pytest.raises(mf.InputError):
        report.read_provenance(tmp_path / "x.html")


def test_as_of_delivery(tmp_path: Path) -> None:
    ctx = mf.Context.offline(EVIDENCE, now="delivery", config=CONFIG)
    a = mf.analyze(SAMPLE_MAIL / "eml" / "33-dkim-expired.eml", ctx=ctx)
    prov = report.provenance(a)
    assert datetime.fromisoformat(prov["as_of"]) == a.path.delivered_at
    assert prov["as_of_source"].startswith("delivery")


# --- the command line ---------------------------------------------------------------------


def test_run_cli_offline_html_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = SAMPLE_MAIL / "eml" / "30-lookalike-dmarc-fail.eml"
    out = tmp_path / "writeup.html"
    status = report.run_cli(
        source, out, offline=True, evidence=EVIDENCE, internal_domains=["example.net"], now="2024-03-22T09:00:00+00:00"
    )
    assert status == 0 and out.exists()
    assert "writeup written to" in capsys.readouterr().err
    prov = report.read_provenance(out)
    assert prov["message_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert prov["results_sha256"] == report.results_sha256(sample("30-lookalike-dmarc-fail.eml"))
    md = tmp_path / "writeup.md"
    assert report.run_cli(source, md, offline=True, evidence=EVIDENCE, internal_domains=["example.net"]) == 0
    assert md.read_text(encoding="utf-8").lstrip().startswith("<!-- mailforensics-provenance")


def test_run_cli_refuses_unusable_arguments(tmp_path: Path) -> None:
    with pytest.raises(mf.InputError, match="--evidence"):
        report.run_cli(SAMPLE_MAIL / "eml" / "01-postfix-tls-dovecot.eml", tmp_path / "w.html", offline=True)
    with pytest.raises(mf.InputError, match="more than one message"):
        report.run_cli(SAMPLE_MAIL / "export.mbox", tmp_path / "w.html", offline=True, evidence=EVIDENCE)
    with pytest.raises(mf.InputError, match="ISO 8601"):
        report.run_cli(
            SAMPLE_MAIL / "eml" / "01-postfix-tls-dovecot.eml",
            tmp_path / "w.html",
            offline=True,
            evidence=EVIDENCE,
            now="yesterday",
        )


def test_cli_report_command(tmp_path: Path) -> None:
    """``mailforensics report FILE -o writeup.html`` (the console script's subcommand)."""
    out = tmp_path / "writeup.html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailforensics.cli",
            "report",
            str(SAMPLE_MAIL / "eml" / "19-negative-delay.eml"),
            "-o",
            str(out),
            "--offline",
            "--evidence",
            str(EVIDENCE),
            "--internal-domain",
            "example.net",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        report.read_provenance(out)["message_sha256"]
        == hashlib.sha256((SAMPLE_MAIL / "eml" / "19-negative-delay.eml").read_bytes()).hexdigest()
    )


# --- the Analysis methods -----------------------------------------------------------------


def test_analysis_methods_delegate(tmp_path: Path) -> None:
    a = sample("19-negative-delay.eml")
    assert a._repr_html_() == report.analysis_html(a)
    assert a.to_html(tmp_path / "w.html") == tmp_path / "w.html"
    assert a.to_markdown(tmp_path / "w.md") == tmp_path / "w.md"
    assert report.read_provenance(tmp_path / "w.html") == report.read_provenance(tmp_path / "w.md")


def test_import_is_lazy() -> None:
    code = (
        "import sys, mailforensics, mailforensics.report, mailforensics.plot;"
        "print(sorted(m for m in ('jinja2', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("raw", [b"", b"\x00\x01 not a message", b"Received: garbage (((\n\nbody\n"])
def test_degenerate_messages_write_up(tmp_path: Path, raw: bytes) -> None:
    ctx = mf.Context(resolver=ZoneResolver.from_text(""), now=RECORDED_AT, config=mf.Config(dnsbl_zones=()))
    a = mf.analyze(mf.Message.from_bytes(raw, origin="odd.eml"), ctx=ctx)
    assert_inert(report.analysis_html(a))
    assert report.read_provenance(report.to_html(a, tmp_path / "w.html"))["message_bytes"] == len(raw)
    report.to_markdown(a, tmp_path / "w.md")


def test_malformed_encoded_words_are_shown_as_written() -> None:
    # Found by mutation fuzzing: a base64 encoded-word that does not decode raised
    # HeaderParseError out of mf.analyze (the From display name) and the writeup.
    raw = b'From: "=?utf-8?b?A?=" <a@evil.example>\nTo: b@example.net\nSubject: =?utf-8?b?AAAAA?= invoice\n\nbody\n'
    a = mf.analyze(mf.Message.from_bytes(raw), ctx=mf.Context(resolver=ZoneResolver.from_text(""), config=CONFIG))
    assert a.verification is not None and a.verification.author.domain == "evil.example"
    assert a.verification.author.display_names == ("=?utf-8?b?A?=",)
    fragment = report.analysis_html(a)
    assert "=?utf-8?b?AAAAA?= invoice" in fragment


def test_overview_shows_an_address_written_as_the_display_name_as_the_name() -> None:
    # One mailbox, as a mail client shows it: the name is the (forbidden, unquoted) address
    # text, the address is the angle-addr; not two addresses.
    raw = b"From: billing@bank.example <collect@drop.example>\nSubject: x\n\nbody\n"
    ctx = mf.Context(resolver=ZoneResolver(), config=mf.Config(dns_checks=False))
    overview = report._message_overview(mf.analyze(raw, ctx=ctx))
    assert overview["addresses"] == [("From", "billing@bank.example", "collect@drop.example")]
