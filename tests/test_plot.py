"""Plots (mailforensics.plot): the figures carry the artists, labels and colours they claim.

Single-message plots are checked on the samples whose scenario they must show (negative
delay, a hop in the future, an unparseable field, a blocklisted relay, ARC, a forged
Authentication-Results below every Received field); batch plots on a Batch built from
``sample_mail/`` by ``mf.analyze_many`` and on hand-made frames for the edge cases. Every
figure is also drawn to PNG, so a layout or mathtext error fails here.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import types
from datetime import UTC, datetime
from functools import cache

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Annotation, Text

import mailforensics as mf
from mailforensics import plot
from mailforensics.resolvers import ZoneResolver

from .conftest import ROOT, SAMPLE_MAIL

matplotlib.use("Agg")

EVIDENCE = SAMPLE_MAIL / "dns" / "evidence.jsonl"
RECORDED_AT = datetime(2024, 3, 22, 9, 0, tzinfo=UTC)
CONFIG = mf.Config(internal_domains=("example.net",))
VERMILLION = plot.OKABE_ITO["vermillion"].lower()


@cache
def sample(name: str) -> mf.Analysis:
    ctx = mf.Context.offline(EVIDENCE, now=RECORDED_AT, config=CONFIG)
    return mf.analyze(SAMPLE_MAIL / "eml" / name, ctx=ctx)


def texts(fig: Figure) -> list[str]:
    """Every piece of text in the figure (titles, labels, annotations, legend, ticks)."""
    out = [t.get_text() for t in fig.findobj(Text)]
    return [t for t in out if t]


def joined(fig: Figure) -> str:
    return "\n".join(texts(fig))


def draw(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG")
    return data


# --- helpers ------------------------------------------------------------------------------


def test_fmt_duration() -> None:
    f = plot._fmt_duration
    assert f(2) == "+2 s"
    assert f(-229) == "−3 min 49 s"
    assert f(0) == "0 s"
    assert f(3600 + 300) == "+1 h 05 min"
    assert f(-220838399) == "−7.0 y"
    assert f(3 * 86400) == "+3.0 d"
    assert f(float("nan")) == "?"


def test_shorten_long_hostnames() -> None:
    name = "SA1PR10MB6443.namprd10.prod.outlook.example"
    short = plot._shorten(name, 30)
    assert len(short) <= 30 and short.startswith("SA1PR10MB6443") and short.endswith("outlook.example")
    assert plot._shorten("mx1.example.net", 30) == "mx1.example.net"
    assert len(plot._shorten("x" * 200, 20)) == 20
    assert plot._shorten(None) == ""


def test_text_is_never_mathtext() -> None:
    assert plot._text("$x^2$") == r"\$x^2\$"
    assert plot._text("a\nb\x07c") == "a b c"


def test_colours_are_okabe_ito() -> None:
    palette = {c.lower() for c in plot.OKABE_ITO.values()}
    for result, colour in plot.RESULT_COLOURS.items():
        if result in ("neutral", "none", "not checked"):
            continue  # greys / white: no hue to confuse
        assert colour.lower() in palette, result


# --- hop timeline -------------------------------------------------------------------------


def test_hop_timeline_negative_delay() -> None:
    fig = plot.plot_hops(sample("19-negative-delay.eml"))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "Date: header",
        "1 · smtp.example.org",
        "2 · relay.example.org",
        "3 · mx2.example.net",
        "4 · imap.corp.example.net",
    ]
    assert ax.get_xscale() == "symlog"
    assert "relative to delivery" in ax.get_xlabel()
    # The negative delay: a dashed vermillion segment into hop 2, and its label.
    skew = [
        line
        for line in ax.get_lines()
        if to_hex(line.get_color()) == VERMILLION and line.get_linestyle() == "--" and len(line.get_xdata()) == 2
    ]
    assert len(skew) == 1 and list(skew[0].get_ydata()) == [1, 2]
    annotations = [a for a in ax.texts if isinstance(a, Annotation)]
    skew_label = next(a for a in annotations if "−3 min 49 s" in a.get_text())
    assert "negative delay" in skew_label.get_text() and to_hex(skew_label.get_color()) == VERMILLION
    assert any("+3 min 51 s" in a.get_text() for a in annotations)
    legend = ax.get_legend()
    assert legend is not None
    entries = [t.get_text() for t in legend.get_texts()]
    for label in (
        "negative delay / clock skew",
        "trust boundary",
        "hop in the future",
        "Date: header (sender's clock)",
    ):
        assert label in entries
    assert any("trust boundary" in t for t in texts(fig))
    draw(fig)


def test_hop_timeline_future_hop_and_clock_skew() -> None:
    fig = plot.plot_hops(sample("20-future-hop-2031.eml"))
    ax = fig.axes[0]
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(stars) == 1 and list(stars[0].get_ydata()) == [1]
    text = joined(fig)
    assert "2031-03-13 13:20:02" in text and "in the future" in text
    assert "−7.0 y" in text and "clock skew" in text
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "+10 y" in ticks and "0" in ticks
    draw(fig)


def test_hop_timeline_unparseable_hop_and_late_date() -> None:
    fig = plot.plot_hops(sample("22-garbled-received.eml"))
    assert "unparseable Received field" in joined(fig)
    draw(fig)
    fig = plot.plot_hops(sample("21-date-after-first-hop.eml"))
    assert "after the first hop" in joined(fig)
    draw(fig)


def test_hop_timeline_into_given_axes() -> None:
    fig = Figure(figsize=(12, 8))
    left, right = fig.subplots(1, 2)
    assert plot.plot_hops(sample("01-postfix-tls-dovecot.eml"), ax=left) is fig
    assert plot.plot_path(sample("01-postfix-tls-dovecot.eml"), ax=right) is fig
    assert left.get_lines() and right.patches
    draw(fig)


def test_long_hostnames_are_shortened_in_plots() -> None:
    a = sample("06-gmail-to-exchange-online.eml")
    fig = plot.plot_hops(a)
    for label in fig.axes[0].get_yticklabels():
        assert len(label.get_text()) <= 36, label.get_text()
    path = plot.plot_path(a)
    assert "SA1PR10MB6443…outlook.example" in joined(path)
    assert "SA1PR10MB6443.namprd10.prod.outlook.example" not in joined(path)


# --- path diagram -------------------------------------------------------------------------


def boxes(fig: Figure) -> list[FancyBboxPatch]:
    return [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]


def pills(fig: Figure) -> dict[str, Annotation]:
    """Result pills: annotations with a coloured box, by text."""
    out = {}
    for t in fig.axes[0].texts:
        if isinstance(t, Annotation) and t.get_bbox_patch() is not None:
            out[t.get_text()] = t
    return out


def test_path_diagram_boxes_claims_and_arc() -> None:
    a = sample("31-mailing-list-arc.eml")
    fig = plot.plot_path(a)
    assert len(boxes(fig)) == len(a.hops) == 5
    text = joined(fig)
    for n in range(1, 6):
        assert f"Hop {n}   received by" in text
    assert "entry into the recipient's relays · client = originating IP" in text
    assert "trust boundary" in text
    assert "ARC set i=1 by lists.example.org: seal valid, message signature valid, cv=none" in text
    assert "claimed in ARC-A-R i=1 by lists.example.org (untrusted: outside the trust boundary):" in text
    assert "claimed in A-R by mx1.example.net (trusted):" in text
    found = pills(fig)
    dmarc_fail = found["DMARC fail"]
    bbox = dmarc_fail.get_bbox_patch()
    assert bbox is not None and to_hex(bbox.get_facecolor()) == VERMILLION
    assert to_hex(found["DKIM pass"].get_bbox_patch().get_facecolor()) == plot.OKABE_ITO["bluish_green"].lower()
    # rDNS and forward confirmation, TLS locks (one per hop), delays on the arrows.
    assert "DNS today: PTR mail.lists.example.org   forward-confirmed ✓   not generic" in text
    assert "DNS today: no PTR record" in text
    locks = [line for line in fig.axes[0].get_lines() if not isinstance(line.get_marker(), str)]
    assert len(locks) == 5
    assert "delay +7 s" in text
    legend = fig.axes[0].get_legend()
    assert legend is not None and "claim outside trust boundary" in [t.get_text() for t in legend.get_texts()]
    draw(fig)


def test_path_diagram_forged_results_before_first_hop() -> None:
    fig = plot.plot_path(sample("32-forged-auth-results.eml"))
    text = joined(fig)
    assert "Before hop 1: verdict fields below every Received field" in text
    assert len(boxes(fig)) == 4  # the sender's own fields, then 3 hops
    forged = pills(fig)["DMARC pass"].get_bbox_patch()
    assert forged is not None and forged.get_linestyle() == "--"  # claimed outside the boundary
    draw(fig)


def test_path_diagram_dnsbl_generic_and_no_tls() -> None:
    fig = plot.plot_path(sample("23-envelope-conflict.eml"))
    text = joined(fig)
    assert "DNSBL LISTED: zen.spamhaus.org: XBL (CBL: exploited / infected host)" in text
    assert "DNSBL LISTED: bl.spamcop.net: SpamCop: reported spam source" in text
    assert "generic (dynamic-looking) name ✗" in text
    assert "no TLS" in text and "TLSv1.3" in text
    assert "DNSBL: not checked" in text
    draw(fig)


def test_path_diagram_negative_delay_arrow() -> None:
    fig = plot.plot_path(sample("19-negative-delay.eml"))
    skew = [t for t in fig.axes[0].texts if "clock skew" in t.get_text()]
    assert len(skew) == 1 and "delay −3 min 49 s" in skew[0].get_text()
    assert to_hex(skew[0].get_color()) == VERMILLION


def test_every_sample_plots() -> None:
    """Every sample's figures lay out (text measured, mathtext parsed) without error."""
    for path in sorted((SAMPLE_MAIL / "eml").glob("*.eml")):
        a = sample(path.name)
        for fig in (plot.plot_hops(a), plot.plot_path(a)):
            fig.draw_without_rendering()


def test_hostile_text_is_drawn_literally() -> None:
    raw = (
        b"Received: from h$x$ (a [198.51.100.9]) by $\\frac{1}{0}$.example with SMTP; Mon, 11 Mar 2024 16:45:05 +0000\n"
        b"Received: from q by mx1.example.net with ESMTP; Mon, 11 Mar 2024 16:45:00 +0000\n"
        b"Subject: $\\alpha^{2}$ <script>x</script> \x07\n"
        b"From: a@example.org\n\nbody\n"
    )
    ctx = mf.Context(resolver=ZoneResolver.from_text(""), now=RECORDED_AT, config=mf.Config(dnsbl_zones=()))
    a = mf.analyze(mf.Message.from_bytes(raw, origin="odd.eml"), ctx=ctx)
    for fig in (plot.plot_hops(a), plot.plot_path(a)):
        draw(fig)
        assert any(r"\$\alpha^{2}\$" in t for t in texts(fig))


def test_no_pyplot_state() -> None:
    plot.plot_hops(sample("01-postfix-tls-dovecot.eml"))
    plot.plot_path(sample("01-postfix-tls-dovecot.eml"))
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_import_is_lazy() -> None:
    code = "import sys, mailforensics.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_analysis_methods_delegate() -> None:
    a = sample("19-negative-delay.eml")
    fig = a.plot_hops()
    assert isinstance(fig, Figure) and joined(fig) == joined(plot.plot_hops(a))
    assert isinstance(a.plot_path(), Figure)


# --- batch plots --------------------------------------------------------------------------


@cache
def batch() -> object:
    from mailforensics.batch import analyze_many  # the module, so this needs no re-export

    ctx = mf.Context.offline(EVIDENCE, now=RECORDED_AT, config=CONFIG)
    return analyze_many(SAMPLE_MAIL / "eml", ctx=ctx, workers=1, progress=False)


def frames(**tables: pd.DataFrame) -> types.SimpleNamespace:
    return types.SimpleNamespace(**tables)


def messages_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    columns = ["message", "subject", "from_domain", "originating_ip", "spf", "dkim", "dmarc", "arc", "findings",
               "worst_severity", "error"]  # fmt: skip
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def test_auth_matrix_on_sample_batch() -> None:
    b = batch()
    fig = plot.plot_auth_matrix(b)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["SPF", "DKIM", "DMARC", "ARC"]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert any(r.startswith("bank.example  (") for r in rows)
    assert any("pass" in t for t in texts(fig))
    legend = ax.get_legend()
    assert legend is not None and "pass" in [t.get_text() for t in legend.get_texts()]
    assert "fail" in [t.get_text() for t in legend.get_texts()]
    draw(fig)


def test_auth_matrix_shares_and_other_domains() -> None:
    rows = [
        {"message": f"m{i}", "from_domain": d, "spf": s, "dkim": k, "dmarc": m}
        for i, (d, s, k, m) in enumerate(
            [("a.example", "pass", "pass", "pass")] * 3
            + [("a.example", "softfail", "fail, pass", "fail")]
            + [(f"d{j}.example", "none", None, "none") for j in range(5)]
        )
    ]
    fig = plot.plot_auth_matrix(frames(messages=messages_frame(rows)), top=3)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "a.example  (4)" and labels[-1] == "other domains  (3)" and len(labels) == 4
    cell_texts = [t.get_text() for t in ax.texts]
    assert "3/4 pass · 1 fail" in cell_texts  # DMARC of a.example
    assert "4/4 pass" in cell_texts  # DKIM: "fail, pass" counts as pass (any signature)
    draw(fig)


def test_delays_on_sample_batch() -> None:
    fig = plot.plot_delays(batch())
    left, right = fig.axes
    assert left.get_xscale() == "symlog" and right.get_xscale() == "symlog"
    assert "negative (clock skew)" in left.get_title(loc="left") and "Per-hop delays" in left.get_title(loc="left")
    assert "End-to-end transit" in right.get_title(loc="left") and "median" in right.get_title(loc="left")
    negative = int(left.get_title(loc="left").split(" hops, ")[1].split(" negative")[0])
    assert negative >= 2  # 19-negative-delay and 20-future-hop
    vermillion = [p for p in left.patches if to_hex(p.get_facecolor()) == VERMILLION and p.get_height() > 0]
    assert vermillion
    draw(fig)


def test_networks_on_sample_batch() -> None:
    fig = plot.plot_networks(batch())
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "198.51.100.0/24" in labels
    assert any(lbl.endswith("::/48") for lbl in labels)
    legend = ax.get_legend()
    assert legend is not None and legend.get_title().get_text() == "worst finding"
    draw(fig)


def test_networks_groups_and_unknown() -> None:
    rows = [
        {"message": "1", "from_domain": "a.example", "originating_ip": "203.0.113.5", "worst_severity": "alert"},
        {"message": "2", "from_domain": "b.example", "originating_ip": "203.0.113.77", "worst_severity": "warning"},
        {"message": "3", "from_domain": "c.example", "originating_ip": "2001:db8:1:2::5", "worst_severity": None},
        {"message": "4", "from_domain": "c.example", "originating_ip": None, "worst_severity": "info"},
    ]
    fig = plot.plot_networks(frames(messages=messages_frame(rows)))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "203.0.113.0/24"
    assert set(labels) == {"203.0.113.0/24", "2001:db8:1::/48", "(unknown)"}
    assert any("a.example, b.example" in t.get_text() for t in ax.texts)
    draw(fig)


def test_delays_with_no_hops() -> None:
    empty = pd.DataFrame({"message": pd.Series([], dtype="string"), "delay_s": [], "elapsed_s": []})
    draw(plot.plot_delays(frames(hops=empty)))


def test_batch_plot_needs_frames() -> None:
    with pytest.raises(TypeError, match="Batch"):
        plot.plot_auth_matrix(object())


def test_batch_methods_delegate() -> None:
    b = batch()
    for name in ("plot_auth_matrix", "plot_delays", "plot_networks"):
        assert isinstance(getattr(b, name)(), Figure), name


def test_lines_are_line2d() -> None:  # guards the artist types the other tests rely on
    fig = plot.plot_hops(sample("01-postfix-tls-dovecot.eml"))
    assert all(isinstance(line, Line2D) for line in fig.axes[0].get_lines())


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@example.org\nSubject: no Received field\n\nbody\n",
        b"Received: from x by y with SMTP\nReceived: garbage (((\nFrom: a@example.org\n\nno timestamps\n",
        b"",
        b"\x00\x01 not a message",
    ],
    ids=["no-received", "no-timestamps", "empty", "garbage"],
)
def test_degenerate_messages_plot(raw: bytes) -> None:
    ctx = mf.Context(resolver=ZoneResolver.from_text(""), now=RECORDED_AT, config=mf.Config(dnsbl_zones=()))
    a = mf.analyze(mf.Message.from_bytes(raw, origin="odd.eml"), ctx=ctx)
    draw(plot.plot_hops(a))
    draw(plot.plot_path(a))
