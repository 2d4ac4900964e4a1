"""Plots: one message's path (hop timeline, path diagram) and a batch's overview.

Every function returns a :class:`matplotlib.figure.Figure`. Figures are made with the
object-oriented API (``Figure()``, never ``pyplot``), so nothing is left open in pyplot's
global state and a notebook shows each figure once: the one the cell returns (run
``%matplotlib inline`` first so Jupyter renders figures). Pass ``ax=`` to draw into an
axes of your own figure instead.

Colours are the Okabe–Ito palette (:data:`OKABE_ITO`), which stays distinguishable with
the common colour-vision deficiencies; nothing is told by colour alone — every mark also
has a shape, a line style or a word.

matplotlib is imported only when a plot is drawn.

Single message (an :class:`~mailforensics.analysis.Analysis`):

- :func:`plot_hops` — the hop timeline: time (relative to delivery) across, hops down,
  each hop's delay written beside it, negative delays and clock skew in vermillion.
- :func:`plot_path` — the path diagram: one box per hop with the receiving host, the
  client's address, HELO and rDNS, forward confirmation and generic-name verdicts, a TLS
  lock, DNSBL hits, and what that hop claimed for SPF/DKIM/DMARC/ARC.

Batch (a :class:`~mailforensics.batch.Batch`, or anything with its ``messages`` and
``hops`` frames):

- :func:`plot_auth_matrix` — SPF/DKIM/DMARC/ARC outcomes by sending domain.
- :func:`plot_delays` — the distribution of per-hop delays and of end-to-end transit.
- :func:`plot_networks` — the originating networks that sent the most messages.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from mailforensics.analysis import Analysis

__all__ = [
    "OKABE_ITO",
    "RESULT_COLOURS",
    "plot_auth_matrix",
    "plot_delays",
    "plot_hops",
    "plot_networks",
    "plot_path",
]

#: The Okabe–Ito colour-blind-safe palette (Okabe & Ito, 2008).
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_GREY = "#999999"
_LIGHT_GREY = "#E8E8E8"

#: Colour of each authentication result (RFC 8601 tokens); unknown results are grey.
RESULT_COLOURS: Mapping[str, str] = {
    "pass": OKABE_ITO["bluish_green"],
    "fail": OKABE_ITO["vermillion"],
    "hardfail": OKABE_ITO["vermillion"],
    "softfail": OKABE_ITO["orange"],
    "neutral": "#BBBBBB",
    "none": "#D9D9D9",
    "policy": OKABE_ITO["sky_blue"],
    "temperror": OKABE_ITO["yellow"],
    "permerror": OKABE_ITO["reddish_purple"],
    "not checked": "#FFFFFF",
}
#: The order results are stacked and listed in legends.
_RESULT_ORDER = ("pass", "fail", "softfail", "neutral", "none", "policy", "temperror", "permerror", "not checked")

_TRUSTED = OKABE_ITO["blue"]  # recorded by the recipient's own relays
_EXTERNAL = OKABE_ITO["orange"]  # recorded on the sender's side: a claim
_PROBLEM = OKABE_ITO["vermillion"]  # negative delay, clock skew, listing
_DATE = OKABE_ITO["reddish_purple"]

_SEVERITY_COLOURS: Mapping[str, str] = {
    "none": OKABE_ITO["sky_blue"],
    "info": OKABE_ITO["sky_blue"],
    "notice": OKABE_ITO["yellow"],
    "warning": OKABE_ITO["orange"],
    "alert": OKABE_ITO["vermillion"],
    "error": OKABE_ITO["reddish_purple"],
}
_SEVERITY_ORDER = ("alert", "error", "warning", "notice", "info", "none")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


# --- small helpers -----------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | None:
    """A float, or None for None/NA/NaN."""
    return None if _missing(value) else float(value)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts (NA kept as pd.NA / NaT)."""
    return cast("list[dict[str, Any]]", frame.astype(object).to_dict(orient="records"))


def _text(value: Any) -> str:
    """Text for a matplotlib label: None/NA → "", control characters → space, and ``$``
    escaped so message-derived text is never read as mathtext."""
    if _missing(value):
        return ""
    return _CONTROL.sub(" ", str(value)).replace("$", r"\$").strip()


def _shorten(name: Any, width: int = 34) -> str:
    """Shorten a host name to ``width`` characters, keeping its first label and its end
    (``BN8NAM11FT012…outlook.example``)."""
    text = _text(name)
    if len(text) <= width:
        return text
    labels = text.split(".")
    if len(labels) >= 3:
        head, tail = labels[0], ".".join(labels[-2:])
        if len(head) + len(tail) + 1 <= width:
            return f"{head}…{tail}"
        if len(tail) < width - 4:
            return f"{head[: width - len(tail) - 1]}…{tail}"
    keep = width - 1
    return text[: keep - keep // 2] + "…" + text[len(text) - keep // 2 :]


def _fmt_duration(seconds: float, *, signed: bool = True) -> str:
    """``+2 s``, ``−3 min 49 s``, ``+1 h 05 min``, ``−7.0 y`` (U+2212 for minus)."""
    if seconds is None or math.isnan(seconds):
        return "?"
    sign = "−" if seconds < 0 else "+" if signed and seconds > 0 else ""
    s = abs(seconds)
    if s < 60:
        body = f"{s:.0f} s" if s >= 1 or s == 0 else f"{s:.2f} s"
    elif s < 3600:
        m, sec = divmod(round(s), 60)
        body = f"{m} min {sec:02d} s" if sec else f"{m} min"
    elif s < 86400:
        h, rest = divmod(round(s), 3600)
        body = f"{h} h {rest // 60:02d} min" if rest // 60 else f"{h} h"
    elif s < 365.25 * 86400:
        body = f"{s / 86400:.1f} d"
    else:
        body = f"{s / (365.25 * 86400):.1f} y"
    return sign + body


_TICK_NAMES = {
    1: "1 s",
    5: "5 s",
    10: "10 s",
    30: "30 s",
    60: "1 min",
    600: "10 min",
    3600: "1 h",
    6 * 3600: "6 h",
    86400: "1 d",
    7 * 86400: "1 wk",
    30 * 86400: "30 d",
    365.25 * 86400: "1 y",
    3652.5 * 86400: "10 y",
}


def _duration_tick(value: float, _pos: Any = None) -> str:
    if value == 0:
        return "0"
    name = _TICK_NAMES.get(abs(value))
    if name is None:
        return _fmt_duration(value)
    return ("−" if value < 0 else "+") + name


_TICK_STEPS = (1, 5, 10, 30, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365.25 * 86400, 3652.5 * 86400)


def _symlog(value: float, linthresh: float = 1.0, linscale: float = 0.6) -> float:
    """The symmetric-log transform matplotlib applies (base 10)."""
    a = abs(value)
    if a <= linthresh:
        return value * linscale / linthresh
    return math.copysign(linscale + math.log10(a / linthresh), value)


def _symlog_inverse(t: float, linthresh: float = 1.0, linscale: float = 0.6) -> float:
    a = abs(t)
    if a <= linscale:
        return t * linthresh / linscale
    return math.copysign(linthresh * 10 ** (a - linscale), t)


def _symlog_limits(lo: float, hi: float, *, pad_lo: float, pad_hi: float) -> tuple[float, float]:
    """Axis limits around [lo, hi] padded by fractions of the *transformed* range."""
    t_lo, t_hi = _symlog(min(lo, 0.0)), _symlog(max(hi, 0.0))
    t_lo, t_hi = min(t_lo, -0.3), max(t_hi, 0.3)
    width = t_hi - t_lo
    return _symlog_inverse(t_lo - pad_lo * width), _symlog_inverse(t_hi + pad_hi * width)


def _symlog_ticks(lo: float, hi: float, *, min_gap: float = 0.11) -> list[float]:
    """Round durations (1 s, 1 min, 1 h, 1 d, ...) within [lo, hi], thinned so no two are
    closer than ``min_gap`` of the axis (in transformed units)."""
    candidates = [0.0]
    for step in _TICK_STEPS:
        if hi >= step:
            candidates.append(step)
        if lo <= -step:
            candidates.append(-step)
    width = _symlog(hi) - _symlog(lo)
    kept: list[float] = []
    # Keep 0, then the larger steps first, so the thinning drops the small ones.
    for value in sorted(candidates, key=lambda v: (v != 0, -abs(v))):
        if all(abs(_symlog(value) - _symlog(k)) >= min_gap * width for k in kept):
            kept.append(value)
    return sorted(kept)


def _figure(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.45 else "white"


def _hop_findings(analysis: Analysis) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in analysis.all_findings:
        m = re.fullmatch(r"hop (\d+)", f.where or "")
        if m:
            out.setdefault(int(m.group(1)), set()).add(str(f.code))
    return out


def _title(analysis: Analysis, what: str) -> str:
    subject = _text(analysis.message.get("Subject"))
    origin = _text(analysis.message.origin).rsplit("/", 1)[-1]
    head = f"{what} — {origin}"
    if subject:
        head += f"\n“{subject[:77] + '…' if len(subject) > 78 else subject}”"
    return head


# --- the hop timeline ---------------------------------------------------------------------


def plot_hops(analysis: Analysis, ax: Axes | None = None) -> Figure:
    """The hop timeline of one message.

    Hops run down the page, oldest (hop 1) at the top; across is the time each hop's
    receiver wrote in its Received field, relative to delivery (the newest hop, written by
    the recipient's own server), on a symmetric-log scale so seconds and years both fit.
    Each point is labelled with its clock time and its delay from the hop before; a
    negative delay (the hop is dated before the one that handed it the message: a clock is
    wrong) is drawn as a dashed vermillion segment, a hop in the future as a vermillion
    star. The ``Date:`` header (the sender's clock) is a purple diamond on its own row.
    Circles are recorded by the recipient's own relays (trusted), squares by the sender's
    side (claims); the dashed line is the trust boundary.

    Parameters
    ----------
    analysis
        The :class:`~mailforensics.analysis.Analysis` of one message.
    ax
        Draw into this axes; by default a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    hops = analysis.hops
    n = len(hops)
    fig, ax = _figure(ax, (10.5, 2.0 + 0.62 * (n + 1)))
    delivered: datetime | None = analysis.path.delivered_at
    findings = _hop_findings(analysis)
    tolerance = analysis.ctx.config.clock_tolerance_s
    long_delay = analysis.ctx.config.long_delay_s

    rows: list[dict[str, Any]] = []
    for rec in _rows(hops):
        ts = None if _missing(rec["timestamp"]) else rec["timestamp"].to_pydatetime()
        x = (ts - delivered).total_seconds() if ts is not None and delivered is not None else None
        rows.append({**rec, "ts": ts, "x": x})

    ax.set_xscale("symlog", linthresh=1.0, linscale=0.6)
    xs = [r["x"] for r in rows if r["x"] is not None]
    date = analysis.path.date
    date_x = (date - delivered).total_seconds() if date is not None and delivered is not None else None
    all_x = [*xs, *([date_x] if date_x is not None else []), 0.0]
    lo, hi = min(all_x), max(all_x)

    # Connecting segments, oldest to newest, coloured by what the delay says.
    previous: dict[str, Any] | None = None
    for r in rows:
        if r["x"] is None:
            continue
        if previous is not None:
            d = r["delay_s"]
            bad = not _missing(d) and d < 0
            slow = not _missing(d) and d > long_delay
            colour = _PROBLEM if bad else _EXTERNAL if slow else "#555555"
            ax.plot(
                [previous["x"], r["x"]],
                [previous["hop"], r["hop"]],
                color=colour,
                linestyle="--" if bad else ":" if slow else "-",
                linewidth=2.4 if bad or slow else 1.2,
                zorder=1,
            )
        previous = r

    label_ts_date = {r["ts"].date() for r in rows if r["ts"] is not None}
    show_date = len(label_ts_date) > 1
    # The right-hand column: each row's clock time, delay and what is wrong with it.
    column: dict[int, tuple[str, str, str]] = {}
    for r in rows:
        number = int(r["hop"])
        codes = findings.get(number, set())
        trusted = bool(r["trusted_record"]) if not _missing(r["trusted_record"]) else False
        colour = _TRUSTED if trusted else _EXTERNAL
        if r["x"] is None:
            # No readable time: a hollow grey marker at the left edge, with the reason.
            ax.plot(
                [lo],
                [number],
                marker="o",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor=_GREY,
                linestyle="",
                zorder=3,
                clip_on=False,
            )
            why = "unparseable Received field" if r["parsed"] is False else "no timestamp"
            column[number] = (why, "#555555", "normal")
            continue
        future = "hop-in-future" in codes
        ax.plot(
            [r["x"]],
            [number],
            marker="*" if future else "o" if trusted else "s",
            markersize=15 if future else 9,
            color=_PROBLEM if future else colour,
            markeredgecolor="black",
            markeredgewidth=0.6,
            linestyle="",
            zorder=3,
        )
        clock = r["ts"].strftime("%Y-%m-%d %H:%M:%S" if show_date else "%H:%M:%S")
        d = r["delay_s"]
        parts = [clock]
        weight, ink = "normal", "black"
        if not _missing(d):
            parts.append(_fmt_duration(d))
            if d < 0:
                parts.append("clock skew" if abs(d) > tolerance else "negative delay")
                weight, ink = "bold", _PROBLEM
            elif d > long_delay:
                parts.append("long delay")
                weight, ink = "bold", "#8A5A00"
        if future:
            parts.append("in the future")
            weight, ink = "bold", _PROBLEM
        # Time and delay on the first line, what is wrong with them on the second.
        column[number] = ("   ".join(parts[:2]) + ("\n" + ", ".join(parts[2:]) if parts[2:] else ""), ink, weight)

    if date_x is not None:
        ax.plot([date_x], [0], marker="D", markersize=8, color=_DATE, markeredgecolor="black", markeredgewidth=0.6)
        ax.axvline(date_x, color=_DATE, linewidth=0.8, linestyle=":", zorder=0)
        text = f"{date:%Y-%m-%d %H:%M:%S %z}" if show_date else f"{date:%H:%M:%S %z}"
        text += f"   {_fmt_duration(date_x)}"
        late = "date-after-first-hop" in {str(f.code) for f in analysis.all_findings}
        column[0] = (
            text + ("\nafter the first hop" if late else ""),
            _PROBLEM if late else "black",
            "bold" if late else "normal",
        )
    ax.annotate(
        "clock time · delay from previous hop",
        (1.02, -0.55),
        xycoords=("axes fraction", "data"),
        fontsize=8.5,
        fontweight="bold",
        va="center",
        annotation_clip=False,
    )
    for number, (text, ink, weight) in column.items():
        ax.annotate(
            text,
            (1.02, number),
            xycoords=("axes fraction", "data"),
            fontsize=8.5,
            color=ink,
            fontweight=weight,
            va="center",
            annotation_clip=False,
        )

    # The trust boundary: between the last hop recorded outside and the first one inside.
    boundary_y = None
    for prev, cur in itertools.pairwise(rows):
        if not bool(prev["trusted_record"]) and bool(cur["trusted_record"]):
            boundary_y = int(cur["hop"]) - 0.5
    if boundary_y is not None:
        ax.axhline(boundary_y, color="black", linestyle=(0, (6, 3)), linewidth=1.0, zorder=0)
        ax.annotate(
            "trust boundary: below, recorded by the recipient's own relays",
            (0, boundary_y),
            xycoords=("axes fraction", "data"),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
            color="black",
            va="bottom",
            zorder=4,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )

    ax.axvline(0, color="#777777", linewidth=0.8, zorder=0)
    if not xs:
        ax.text(
            0.5,
            0.5,
            "no hop has a readable timestamp",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            style="italic",
            color="#555555",
        )
    labels = ["Date: header"] + [f"{int(r['hop'])} · {_shorten(r['by_host'], 30) or '(no by)'}" for r in rows]
    ax.set_yticks(range(0, n + 1), labels=labels)
    ax.set_ylim(n + 0.7, -0.7)
    x_lo, x_hi = _symlog_limits(lo, hi, pad_lo=0.06, pad_hi=0.06)
    ax.set_xlim(x_lo, x_hi)
    ax.xaxis.set_major_locator(FixedLocator(_symlog_ticks(x_lo, x_hi)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(_duration_tick))
    ax.tick_params(axis="x", labelsize=8)
    ax.tick_params(axis="y", labelsize=9)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    where = f"{delivered:%Y-%m-%d %H:%M:%S} UTC" if delivered is not None else "unknown"
    ax.set_xlabel(f"time relative to delivery ({where}), symmetric log scale")
    ax.set_ylabel("hop (receiving host), oldest first")
    ax.set_title(_title(analysis, "Hop timeline"), fontsize=11, loc="left")
    legend = [
        Line2D(
            [],
            [],
            marker="o",
            color=_TRUSTED,
            linestyle="",
            markeredgecolor="black",
            label="recorded by recipient's relays",
        ),
        Line2D(
            [],
            [],
            marker="s",
            color=_EXTERNAL,
            linestyle="",
            markeredgecolor="black",
            label="recorded on sender's side (claim)",
        ),
        Line2D([], [], color=_PROBLEM, linestyle="--", linewidth=2.4, label="negative delay / clock skew"),
        Line2D(
            [],
            [],
            marker="*",
            color=_PROBLEM,
            linestyle="",
            markersize=12,
            markeredgecolor="black",
            label="hop in the future",
        ),
        Line2D([], [], color=_EXTERNAL, linestyle=":", linewidth=2.4, label="long delay"),
        Line2D(
            [],
            [],
            marker="D",
            color=_DATE,
            linestyle="",
            markeredgecolor="black",
            label="Date: header (sender's clock)",
        ),
        Line2D([], [], color="black", linestyle=(0, (6, 3)), label="trust boundary"),
    ]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, fontsize=8, frameon=False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return fig


# --- the path diagram ---------------------------------------------------------------------


def _lock_marker(closed: bool) -> Any:
    """A padlock as a marker path (markers are sized in points, so it never distorts)."""
    import numpy as np
    from matplotlib.path import Path as MPath

    body = [(-0.55, -0.9), (0.55, -0.9), (0.55, 0.05), (-0.55, 0.05), (-0.55, -0.9)]
    shackle = MPath.arc(0, 180)
    lift = 0.05 if closed else 0.35
    shift = 0.0 if closed else 0.28
    verts = [(x, y) for x, y in body]
    codes = [MPath.MOVETO] + [MPath.LINETO] * 3 + [MPath.CLOSEPOLY]
    arc_v = [(shift + 0.38 * float(x), lift + 0.45 + 0.38 * float(y)) for x, y in np.asarray(shackle.vertices).tolist()]
    # legs of the shackle
    left_leg = [(shift - 0.38, lift), (shift - 0.38, lift + 0.45)]
    right_leg = [(shift + 0.38, lift + 0.45), (shift + 0.38, lift)]
    verts += left_leg + arc_v + right_leg
    codes += [MPath.MOVETO, MPath.LINETO] + [MPath.LINETO] * len(arc_v) + [MPath.LINETO, MPath.LINETO]
    # Reverse the arc direction so the shackle runs left → right over the top.
    arc_start = len(body) + 2
    verts[arc_start : arc_start + len(arc_v)] = list(reversed(verts[arc_start : arc_start + len(arc_v)]))
    return MPath(verts, codes)


_CLAIM_METHODS = ("spf", "dkim", "dmarc", "arc")


def _claim_groups(analysis: Analysis) -> dict[int | None, list[tuple[str, bool, list[tuple[str, str]]]]]:
    """Per hop: (header label, trusted, [(method, result), ...]) for each verdict field."""
    out: dict[int | None, list[tuple[str, bool, list[tuple[str, str]]]]] = {}
    v = analysis.verification
    if v is None:
        return out
    seen: dict[tuple[int | None, int | None, str], list[tuple[str, str]]] = {}
    labels: dict[tuple[int | None, int | None, str], tuple[str, bool]] = {}
    for p in v.claims:
        method = p.claim.method.lower()
        if method not in _CLAIM_METHODS:
            continue
        h = p.header
        key = (p.hop, h.header_index, h.field)
        field = h.field
        short = {
            "authentication-results": "A-R",
            "arc-authentication-results": "ARC-A-R",
            "received-spf": "Received-SPF",
        }
        label = short.get(field.lower(), field)
        if h.instance is not None:
            label += f" i={h.instance}"
        if h.authserv_id:
            label += f" by {_shorten(h.authserv_id, 28)}"
        labels[key] = (label, p.trusted)
        entries = seen.setdefault(key, [])
        if not any(m == method for m, _ in entries):
            entries.append((method, p.claim.result.lower()))
    for key, entries in seen.items():
        label, trusted = labels[key]
        out.setdefault(key[0], []).append((label, trusted, entries))
    return out


def _arc_by_hop(analysis: Analysis) -> dict[int | None, list[str]]:
    """ARC sets placed at the hop whose ARC-Authentication-Results they carry."""
    v = analysis.verification
    out: dict[int | None, list[str]] = {}
    if v is None or v.arc is None:
        return out
    hop_of: dict[int, int | None] = {}
    for p in v.claims:
        if p.header.field.lower() == "arc-authentication-results" and p.header.instance is not None:
            hop_of.setdefault(p.header.instance, p.hop)
    for rec in _rows(analysis.arc):
        inst = rec["instance"]

        def ok(v: Any) -> str:
            return "?" if _missing(v) else "valid" if v else "INVALID"

        text = (
            f"ARC set i={inst} by {_shorten(rec['as_domain'], 26) or '?'}: seal {ok(rec['as_valid'])}, "
            f"message signature {ok(rec['ams_valid'])}, cv={_text(rec['cv']) or '?'}"
        )
        out.setdefault(hop_of.get(int(inst)) if not _missing(inst) else None, []).append(text)
    return out


def plot_path(analysis: Analysis, ax: Axes | None = None) -> Figure:
    """The path diagram of one message: one box per hop, oldest at the top.

    Each box says who received the message (``by``) and from whom (client address, HELO
    name, the rDNS name the receiver wrote), what the DNS says today about that address
    (PTR, forward-confirmed or not, generic or not), whether the hop used TLS (a closed
    lock; an open one for none), DNSBL listings, and what that hop claimed for SPF, DKIM,
    DMARC and ARC in the verdict fields it added (Authentication-Results, Received-SPF,
    ARC-Authentication-Results), each as a coloured result pill. Blue-edged boxes were
    recorded by the recipient's own relays; orange-edged ones on the sender's side. The
    arrow between two boxes carries the delay. The hop whose client is the originating IP
    is marked.

    Parameters
    ----------
    analysis
        The :class:`~mailforensics.analysis.Analysis` of one message.
    ax
        Draw into this axes; by default a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    hops = _rows(analysis.hops)
    claims = _claim_groups(analysis)
    arcs = _arc_by_hop(analysis)
    dnsbl = analysis.dnsbl
    lists_checked = {}
    if len(dnsbl):
        for source, group in dnsbl.groupby("source"):
            lists_checked[str(source)] = len(group)

    # Line counts first, so the figure can be sized to fit.
    line_h = 1.0
    heights = []
    for rec in hops:
        number = int(rec["hop"])
        lines = 4 + len(claims.get(number, [])) + len(arcs.get(number, []))
        heights.append(lines * line_h + 0.9)
    unplaced = claims.get(None, []), arcs.get(None, [])
    pre_height = (1 + len(unplaced[0]) + len(unplaced[1])) * line_h + 0.9 if any(unplaced) else 0.0
    gap = 1.9
    extra = pre_height + gap if pre_height else 0.0
    total = sum(heights) + gap * max(len(hops) - 1, 0) + extra + 2.2
    fig, ax = _figure(ax, (11.0, 1.4 + 0.2 * total))
    ax.set_xlim(0, 100)
    ax.set_ylim(-total, 0.5)
    ax.axis("off")
    ax.set_title(_title(analysis, "Path diagram"), fontsize=11, loc="left")

    y = -0.2
    boxes: list[tuple[float, float]] = []
    if pre_height:
        # Verdict fields below every Received field: written before any relay handled the
        # message, i.e. by the sender itself. Drawn first, because that is when they were made.
        ax.add_patch(
            FancyBboxPatch(
                (1.5, y - pre_height),
                97,
                pre_height,
                boxstyle="round,pad=0,rounding_size=0.6",
                linewidth=1.4,
                edgecolor=_PROBLEM,
                linestyle="--",
                facecolor="#FFF1EA",
                zorder=1,
            )
        )
        ty = y - 0.75
        ax.text(
            3.0,
            ty,
            "Before hop 1: verdict fields below every Received field — written by the sender, not by any receiver",
            fontsize=9.5,
            fontweight="bold",
            va="center",
            color=_PROBLEM,
        )
        for label, claim_trusted, entries in unplaced[0]:
            ty -= line_h
            _claim_line(ax, ty, label, claim_trusted, entries)
        for text in unplaced[1]:
            ty -= line_h
            ax.text(3.0, ty, text, fontsize=8.5, va="center")
        boxes.append((y, y - pre_height))
        y = y - pre_height - gap
    n_pre = len(boxes)
    boundary_drawn = False
    prev_trusted: bool | None = None
    for rec, height in zip(hops, heights, strict=True):
        number = int(rec["hop"])
        trusted = bool(rec["trusted_record"]) if not _missing(rec["trusted_record"]) else False
        if prev_trusted is False and trusted and not boundary_drawn:
            yb = y + gap / 2
            ax.plot([0, 100], [yb, yb], color="black", linestyle=(0, (6, 3)), linewidth=1.0)
            ax.text(
                99.5,
                yb + 0.15,
                "trust boundary — below: recorded by the recipient's own relays",
                ha="right",
                va="bottom",
                fontsize=7.5,
            )
            boundary_drawn = True
        prev_trusted = trusted
        top, bottom = y, y - height
        edge = _TRUSTED if trusted else _EXTERNAL
        ax.add_patch(
            FancyBboxPatch(
                (1.5, bottom),
                97,
                height,
                boxstyle="round,pad=0,rounding_size=0.6",
                linewidth=2.2 if rec.get("boundary") is True else 1.4,
                edgecolor=edge,
                facecolor="#F4F8FC" if trusted else "#FFF8EC",
                zorder=1,
            )
        )
        boxes.append((top, bottom))
        ty = top - 0.75
        # Line 1: receiver.
        by = _shorten(rec["by_host"], 40) or "(no by clause)"
        proto = _text(rec["protocol"])
        head = f"Hop {number}   received by {by}"
        if proto:
            head += f"   with {_shorten(proto, 24)}"
        ax.text(3.0, ty, head, fontsize=9.5, fontweight="bold", va="center", zorder=3)
        badge = None
        if rec["parsed"] is False:
            badge = ("UNPARSEABLE Received field", _PROBLEM)
        elif rec.get("boundary") is True:
            badge = ("entry into the recipient's relays · client = originating IP", _TRUSTED)
        if badge is not None:
            ax.text(
                97.0,
                top,
                badge[0],
                ha="right",
                va="center",
                fontsize=8,
                color=badge[1],
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": badge[1]},
                zorder=4,
            )
        # Line 2: client as the receiver recorded it.
        ty -= line_h
        ip = _text(rec["from_ip"]) or "(no address)"
        helo = _shorten(rec["from_helo"], 36) or "—"
        rdns_then = _shorten(rec["from_rdns"], 36) or "—"
        side = "" if _missing(rec["external"]) else ("   (external client)" if rec["external"] else "   (internal)")
        ax.text(
            3.0,
            ty,
            f"from {ip}   HELO {helo}   rDNS written then: {rdns_then}{side}",
            fontsize=8.5,
            va="center",
            zorder=3,
        )
        # Line 3: DNS today about that address.
        ty -= line_h
        ptr = _text(rec["ptr"])
        if _missing(rec["fcrdns"]) and not ptr:
            dns_line = "DNS today: not checked (no public client address)"
            ink = "#555555"
        elif not ptr:
            dns_line = "DNS today: no PTR record"
            ink = _PROBLEM
        else:
            fc = rec["fcrdns"]
            gen = rec["generic_rdns"]
            fc_text = "forward-confirmed ✓" if fc is True else "NOT forward-confirmed ✗" if fc is False else "FCrDNS ?"
            gen_text = "generic (dynamic-looking) name ✗" if gen is True else "not generic" if gen is False else ""
            dns_line = f"DNS today: PTR {_shorten(ptr, 40)}   {fc_text}" + (f"   {gen_text}" if gen_text else "")
            ink = _PROBLEM if fc is False or gen is True else "black"
        ax.text(3.0, ty, dns_line, fontsize=8.5, va="center", color=ink, zorder=3)
        # Line 4: TLS lock and DNSBL.
        ty -= line_h
        tls = rec["tls"]
        version = _text(rec["tls_version"])
        if tls is True:
            tls_text, tls_colour = version or "TLS", OKABE_ITO["bluish_green"]
        elif tls is False:
            tls_text, tls_colour = "no TLS", _PROBLEM
        else:
            tls_text, tls_colour = "TLS unknown", _GREY
        ax.plot(
            [4.0],
            [ty],
            marker=_lock_marker(tls is True),
            markersize=11,
            color=tls_colour,
            markeredgecolor="black",
            markeredgewidth=0.5,
            linestyle="",
            zorder=3,
        )
        ax.text(5.6, ty, tls_text, fontsize=8.5, va="center", zorder=3)
        listed = _text(rec["dnsbl"])
        checked = lists_checked.get(f"hop {number}", 0)
        if listed:
            bl_text, bl_ink, weight = f"DNSBL LISTED: {listed}", _PROBLEM, "bold"
            if len(bl_text) > 95:
                bl_text = bl_text[:94] + "…"
        elif checked:
            bl_text, bl_ink, weight = f"DNSBL: not listed ({checked} lists)", "black", "normal"
        else:
            bl_text, bl_ink, weight = "DNSBL: not checked", "#555555", "normal"
        ax.text(22.0, ty, bl_text, fontsize=8.5, va="center", color=bl_ink, fontweight=weight, zorder=3)
        # Claims made at this hop, one line per verdict field.
        for label, claim_trusted, entries in claims.get(number, []):
            ty -= line_h
            _claim_line(ax, ty, label, claim_trusted, entries)
        for text in arcs.get(number, []):
            ty -= line_h
            ink = _PROBLEM if "INVALID" in text or "cv=fail" in text else "black"
            ax.text(3.0, ty, text, fontsize=8.5, va="center", color=ink, zorder=3)
        y = bottom - gap

    # Arrows with the delay between consecutive boxes.
    for i in range(1, len(boxes)):
        upper_bottom, lower_top = boxes[i - 1][1], boxes[i][0]
        d = _number(hops[i - n_pre]["delay_s"]) if i - n_pre >= 1 else None
        bad = d is not None and d < 0
        ax.add_patch(
            FancyArrowPatch(
                (12, upper_bottom - 0.05),
                (12, lower_top + 0.05),
                arrowstyle="-|>",
                mutation_scale=14,
                color=_PROBLEM if bad else "#444444",
                linewidth=2.0 if bad else 1.2,
                zorder=2,
            )
        )
        if i - n_pre < 1:
            continue  # from the sender's own verdict fields to hop 1: no delay to tell
        text = "delay ?" if d is None else f"delay {_fmt_duration(d)}"
        if bad:
            text += "  — dated before the previous hop: clock skew"
        ax.text(
            14,
            (upper_bottom + lower_top) / 2,
            text,
            fontsize=8.5,
            va="center",
            color=_PROBLEM if bad else "#333333",
            fontweight="bold" if bad else "normal",
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            zorder=4,
        )
    if boxes:
        last_bottom = boxes[-1][1]
        ax.add_patch(
            FancyArrowPatch(
                (12, last_bottom - 0.05),
                (12, last_bottom - 1.2),
                arrowstyle="-|>",
                mutation_scale=14,
                color="#444444",
                linewidth=1.2,
            )
        )
        ax.text(14, last_bottom - 0.9, "delivered to the mailbox", fontsize=8.5, va="center", color="#333333")
        y = last_bottom - 1.8
    legend = [
        Patch(facecolor="#F4F8FC", edgecolor=_TRUSTED, linewidth=1.4, label="recorded by recipient's relays"),
        Patch(facecolor="#FFF8EC", edgecolor=_EXTERNAL, linewidth=1.4, label="recorded on sender's side"),
        Line2D(
            [],
            [],
            marker=_lock_marker(True),
            color=OKABE_ITO["bluish_green"],
            markeredgecolor="black",
            linestyle="",
            markersize=10,
            label="TLS",
        ),
        Line2D(
            [],
            [],
            marker=_lock_marker(False),
            color=_PROBLEM,
            markeredgecolor="black",
            linestyle="",
            markersize=10,
            label="no TLS",
        ),
        *(
            Patch(facecolor=RESULT_COLOURS[r], edgecolor="black", linewidth=0.5, label=f"claimed {r}")
            for r in ("pass", "fail", "softfail", "none", "temperror", "permerror")
        ),
        Patch(facecolor="white", edgecolor="black", linestyle="--", label="claim outside trust boundary"),
    ]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=8, frameon=False)
    return fig


def _claim_line(ax: Axes, y: float, label: str, trusted: bool, entries: Sequence[tuple[str, str]]) -> None:
    where = "trusted" if trusted else "untrusted: outside the trust boundary"
    anchor = ax.text(
        3.0,
        y,
        f"claimed in {label} ({where}):",
        fontsize=8.5,
        va="center",
        color="black" if trusted else "#7A4A00",
        zorder=3,
    )
    for method, result in entries:
        colour = RESULT_COLOURS.get(result, _LIGHT_GREY)
        anchor = ax.annotate(
            f"{method.upper()} {_text(result)}",
            xy=(1, 0.5),
            xycoords=anchor,
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            color=_ink(colour),
            bbox={
                "boxstyle": "round,pad=0.25",
                "facecolor": colour,
                "edgecolor": "black",
                "linewidth": 0.6,
                "linestyle": "-" if trusted else "--",
            },
            zorder=3,
        )


# --- batch plots --------------------------------------------------------------------------


def _frame(batch: Any, name: str) -> pd.DataFrame:
    frame = getattr(batch, name, None)
    if frame is None and isinstance(batch, Mapping):
        frame = batch.get(name)
    if frame is None:
        raise TypeError(f"plot needs a Batch (or an object with a {name!r} DataFrame)")
    return frame


def _outcome(value: Any) -> str:
    """A batch cell (``"pass"``, ``"fail"``, ``"pass, fail"``, NA) → one outcome word."""
    text = _text(value).lower()
    if not text:
        return "not checked"
    words = re.findall(r"[a-z]+", text)
    if not words:
        return "not checked"
    # A message with several signatures: the best word the cell holds wins for the matrix
    # (DMARC passes if any aligned signature passes), in _RESULT_ORDER.
    for result in _RESULT_ORDER:
        if result.split()[0] in words:
            return result
    return words[0]


def plot_auth_matrix(batch: Any, *, top: int = 20, checks: Sequence[str] = ("spf", "dkim", "dmarc", "arc")) -> Figure:
    """Authentication outcomes by sending domain (the From header's domain).

    One row per domain (the ``top`` domains by message count), one column per check; each
    cell is a bar split into the share of that domain's messages with each result (pass
    green, fail vermillion, softfail orange, none grey, ...), with the number of passing
    messages written on it. A domain whose DMARC column is not all green deserves a look.

    Parameters
    ----------
    batch
        A :class:`~mailforensics.batch.Batch` (uses ``batch.messages``: ``from_domain`` and
        one column per check).
    top
        How many domains to show; the rest are summed into "other domains".
    checks
        The result columns to show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    messages = _frame(batch, "messages")
    checks = [c for c in checks if c in messages.columns]
    domains = messages["from_domain"].astype("string").fillna("(no From domain)").map(_text)
    counts = domains.value_counts()
    shown = list(counts.index[:top])
    if len(counts) > top:
        domains = domains.where(domains.isin(shown), "other domains")
        shown.append("other domains")
    n_rows = max(len(shown), 1)
    fig, ax = _figure(None, (10.5, 1.8 + 0.42 * n_rows))
    present: set[str] = set()
    for col, check in enumerate(checks):
        outcomes = messages[check].map(_outcome)
        for row, domain in enumerate(shown):
            mask = (domains == domain).to_numpy()
            cell = outcomes[mask].value_counts()
            total = int(cell.sum())
            left = float(col)
            for result in [r for r in _RESULT_ORDER if r in cell.index] + [
                r for r in cell.index if r not in _RESULT_ORDER
            ]:
                share = cell[result] / total * 0.92
                colour = RESULT_COLOURS.get(result, _LIGHT_GREY)
                ax.barh(
                    row,
                    share,
                    left=left + 0.04,
                    height=0.72,
                    color=colour,
                    edgecolor="black",
                    linewidth=0.4,
                    hatch="//" if result == "not checked" else None,
                )
                present.add(result)
                left += share
            passed = int(cell.get("pass", 0))
            failed = int(cell.get("fail", 0))
            ax.text(
                col + 0.5,
                row,
                f"{passed}/{total} pass" + (f" · {failed} fail" if failed else ""),
                ha="center",
                va="center",
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
            )
    ax.set_xlim(0, max(len(checks), 1))
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_xticks([c + 0.5 for c in range(len(checks))], labels=[c.upper() for c in checks], fontsize=10)
    ax.xaxis.tick_top()
    sizes = {d: int((domains == d).sum()) for d in shown}
    ax.set_yticks(range(len(shown)), labels=[f"{_shorten(d, 32)}  ({sizes[d]})" for d in shown], fontsize=9)
    for x in range(1, len(checks)):
        ax.axvline(x, color="white", linewidth=3)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0)
    ax.set_title(
        "Authentication outcomes by sending domain (messages per domain in parentheses)",
        fontsize=11,
        loc="left",
        pad=28,
    )
    handles = [
        Patch(
            facecolor=RESULT_COLOURS.get(r, _LIGHT_GREY),
            edgecolor="black",
            linewidth=0.4,
            hatch="//" if r == "not checked" else None,
            label=r,
        )
        for r in [*_RESULT_ORDER, *sorted(present - set(_RESULT_ORDER))]
        if r in present
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5, frameon=False, title="result"
    )
    return fig


def _symlog_bins(values: Iterable[float]) -> list[float]:
    vals = [v for v in values if not math.isnan(v)]
    hi = max([abs(v) for v in vals] + [1.0])
    top = math.ceil(math.log10(hi)) if hi > 1 else 0
    positive = [10 ** (k / 2) for k in range(0, 2 * top + 1)]
    return sorted({0.0, *(-p for p in positive), *positive, -0.5, 0.5})


def plot_delays(batch: Any) -> Figure:
    """The delay distribution over a batch.

    Left: every hop's delay (the time between a hop and the one before it), on a
    symmetric-log axis so that seconds, hours and days share one plot; negative delays
    (clock skew: a hop dated before the hop that handed it the message) are vermillion,
    the rest blue. Right: each message's end-to-end transit (first hop to delivery).

    Parameters
    ----------
    batch
        A :class:`~mailforensics.batch.Batch` (uses ``batch.hops``: ``message``,
        ``delay_s``, ``elapsed_s``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    hops = _frame(batch, "hops")
    delays = hops["delay_s"].astype("Float64").dropna().astype(float)
    fig = Figure(figsize=(11.0, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    bins = _symlog_bins(delays)
    negative = delays[delays < 0]
    rest = delays[delays >= 0]
    left.hist(
        [rest.to_numpy(), negative.to_numpy()],
        bins=bins,
        stacked=True,
        color=[_TRUSTED, _PROBLEM],
        edgecolor="black",
        linewidth=0.4,
    )
    for ax, lo, hi in ((left, bins[0], bins[-1]),):
        ax.set_xscale("symlog", linthresh=1.0, linscale=0.6)
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_locator(FixedLocator(_symlog_ticks(lo, hi)))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(_duration_tick))
        ax.tick_params(axis="x", labelsize=8, labelrotation=30)
    left.axvline(0, color="#777777", linewidth=0.8)
    left.set_xlabel("delay between consecutive hops (symmetric log scale)")
    left.set_ylabel("hops")
    left.set_title(
        f"Per-hop delays: {len(delays)} hops, {len(negative)} negative (clock skew)", fontsize=10.5, loc="left"
    )
    left.legend(
        handles=[
            Patch(facecolor=_TRUSTED, edgecolor="black", label="delay ≥ 0"),
            Patch(facecolor=_PROBLEM, edgecolor="black", label="negative delay (clock skew)"),
        ],
        fontsize=8.5,
        frameon=False,
        loc="upper left",
    )

    elapsed = hops[["message", "elapsed_s"]].copy()
    elapsed["elapsed_s"] = elapsed["elapsed_s"].astype("Float64")
    transit = elapsed.dropna().groupby("message")["elapsed_s"].last().astype(float)
    tbins = _symlog_bins(transit)
    neg_t = transit[transit < 0]
    right.hist(
        [transit[transit >= 0].to_numpy(), neg_t.to_numpy()],
        bins=tbins,
        stacked=True,
        color=[OKABE_ITO["sky_blue"], _PROBLEM],
        edgecolor="black",
        linewidth=0.4,
    )
    right.set_xscale("symlog", linthresh=1.0, linscale=0.6)
    right.set_xlim(tbins[0], tbins[-1])
    right.xaxis.set_major_locator(FixedLocator(_symlog_ticks(tbins[0], tbins[-1])))
    right.xaxis.set_minor_locator(NullLocator())
    right.xaxis.set_major_formatter(FuncFormatter(_duration_tick))
    right.tick_params(axis="x", labelsize=8, labelrotation=30)
    right.axvline(0, color="#777777", linewidth=0.8)
    median = float(transit.median()) if len(transit) else float("nan")
    right.set_title(
        f"End-to-end transit: {len(transit)} messages, median {_fmt_duration(median, signed=False)}",
        fontsize=10.5,
        loc="left",
    )
    right.set_xlabel("first hop to delivery (symmetric log scale)")
    right.set_ylabel("messages")
    right.legend(
        handles=[
            Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor="black", label="transit ≥ 0"),
            Patch(facecolor=_PROBLEM, edgecolor="black", label="negative (a clock is wrong)"),
        ],
        fontsize=8.5,
        frameon=False,
        loc="upper left",
    )
    for ax in (left, right):
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    return fig


def _network(ip: Any) -> str:
    import ipaddress

    text = _text(ip)
    if not text:
        return "(unknown)"
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return _shorten(text, 30)
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def plot_networks(batch: Any, *, top: int = 15) -> Figure:
    """The originating networks that sent the most messages.

    Each message's originating IP (the client of the hop where it entered trusted relays)
    is grouped into its /24 (IPv4) or /48 (IPv6); the ``top`` networks are bars, split by
    the worst finding severity of their messages (alert vermillion, warning orange, notice
    yellow, info/none sky blue), and labelled with the sending domains seen from them.

    Parameters
    ----------
    batch
        A :class:`~mailforensics.batch.Batch` (uses ``batch.messages``: ``originating_ip``,
        ``from_domain``, ``worst_severity``).
    top
        How many networks to show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    messages = _frame(batch, "messages")
    net = messages["originating_ip"].map(_network)
    severity = (
        messages["worst_severity"].astype("string").fillna("none").str.lower()
        if "worst_severity" in messages.columns
        else net.map(lambda _: "none")
    )
    severity = severity.where(severity.isin(list(_SEVERITY_COLOURS)), "none")
    counts = net.value_counts()
    shown = list(counts.index[:top])
    fig, ax = _figure(None, (10.5, 1.6 + 0.42 * max(len(shown), 1)))
    present = set()
    for row, network in enumerate(shown):
        mask = (net == network).to_numpy()
        sev = severity[mask].value_counts()
        left = 0
        for s in _SEVERITY_ORDER:
            k = int(sev.get(s, 0))
            if not k:
                continue
            ax.barh(row, k, left=left, color=_SEVERITY_COLOURS[s], edgecolor="black", linewidth=0.4, height=0.7)
            present.add(s)
            left += k
        doms = messages.loc[mask, "from_domain"].astype("string").dropna().map(_text).value_counts()
        names = ", ".join(_shorten(d, 24) for d in doms.index[:3]) + (f" +{len(doms) - 3}" if len(doms) > 3 else "")
        ax.text(left + 0.1, row, f" {left}  {names}", va="center", fontsize=8.5)
    ax.set_yticks(range(len(shown)), labels=shown, fontsize=9, family="DejaVu Sans Mono")
    ax.set_ylim(len(shown) - 0.5, -0.5)
    xmax = int(counts.iloc[0]) if len(counts) else 1
    ax.set_xlim(0, xmax * 1.6 + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("messages")
    ax.set_title(
        f"Top originating networks (/24, /48): {len(counts)} networks, {len(messages)} messages",
        fontsize=11,
        loc="left",
    )
    ax.legend(
        handles=[
            Patch(facecolor=_SEVERITY_COLOURS[s], edgecolor="black", label=s) for s in _SEVERITY_ORDER if s in present
        ],
        title="worst finding",
        fontsize=8.5,
        frameon=False,
        loc="lower right",
    )
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return fig
