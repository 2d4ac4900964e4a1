"""Shareable writeups of one analysis: rich notebook display, HTML and Markdown files.

- :func:`analysis_html` — the HTML that ``Analysis._repr_html_`` shows in Jupyter: the
  summary verdicts, then the hops, the authentication checks and the findings, results
  coloured.
- :func:`to_html` / :func:`to_markdown` — one self-contained file: the message's headers,
  the verdicts and tables, the hop timeline and path diagram embedded as PNG (base64
  ``data:`` URIs), and the provenance: SHA-256 of the raw message and of the DNS evidence,
  the tool version, the time the checks were judged at, the resolver, the configuration,
  and a digest of the results (:func:`provenance`).
- :func:`read_provenance` and :func:`compare` — read the provenance back from a writeup and
  check that a re-run gives the same message, evidence and results (notebook 03).
- :func:`save_bundle` — the message, its evidence and both writeups in one directory.
- :func:`run_cli` — ``mailforensics report FILE -o writeup.html``.

Escaping. Everything taken from a message (Subject, display names, host names, URLs,
attachment names, verdict fields, finding details) is text: in HTML it is escaped by
Jinja2's autoescape (no template marks message data ``|safe``); in Markdown every
interpolated value is escaped for Markdown *and* HTML by the environment's ``finalize``
hook (:func:`markdown_escape`), so a Subject carrying ``<script>`` stays text wherever the
``.md`` is rendered. URLs are shown as text, never as links. The HTML writeup also carries
a Content-Security-Policy that forbids every script, as a second wall.

Templates live in ``mailforensics/templates``; Jinja2 is imported only when one is rendered.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from jinja2 import Environment
    from matplotlib.figure import Figure

    from mailforensics.analysis import Analysis

__all__ = [
    "PROVENANCE_FORMAT",
    "analysis_html",
    "compare",
    "config_from_provenance",
    "evidence_sha256",
    "markdown_escape",
    "provenance",
    "read_provenance",
    "render_html",
    "render_markdown",
    "results_sha256",
    "run_cli",
    "save_bundle",
    "to_html",
    "to_markdown",
]

#: The ``format`` key of the provenance block a writeup carries.
PROVENANCE_FORMAT = "mailforensics-writeup"
_PROVENANCE_VERSION = 1
_PROVENANCE_RE = re.compile(r"<!--\s*mailforensics-provenance\s+(\{.*?\})\s*-->", re.S)

#: The frames the results digest covers (``summary`` without its ``origin`` line).
RESULT_FRAMES = ("hops", "auth", "arc", "envelope", "findings", "dnsbl", "spf_trace")

_RESULT_CLASSES = {
    "pass": "pass",
    "fail": "fail",
    "hardfail": "fail",
    "softfail": "softfail",
    "neutral": "neutral",
    "none": "none",
    "policy": "policy",
    "temperror": "temperror",
    "permerror": "permerror",
}
_SEVERITIES = ("info", "notice", "warning", "alert", "error")


# --- escaping -----------------------------------------------------------------------------

# Markdown punctuation that can start or end a construct; ":" only after a letter (a URL
# scheme such as "javascript:" must not be recognised), so times stay readable.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~]|(?<=[A-Za-z]):)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Raw(str):
    """A value the Markdown template may print unescaped (made here, never from a message)."""

    __slots__ = ()


def markdown_escape(value: Any) -> str:
    """Escape text for Markdown and for the HTML a Markdown renderer passes through.

    Markdown punctuation gets a backslash (so no emphasis, link, image, table cell, list or
    heading can be formed, and no ``scheme:`` is recognised as a link); ``<``, ``>``, ``&``
    and quotes become HTML entities (so no tag, comment or autolink can be formed); line
    breaks become spaces (so a table row stays one row); control characters are dropped.

    Parameters
    ----------
    value
        Any value; None and NA become ``""``.
    """
    if isinstance(value, _Raw):
        return str(value)
    if value is None or _isna(value):
        return ""
    text = _CONTROL.sub("", str(value)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return html.escape(text, quote=True)


def _isna(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA (scalars only)."""
    if value is None:
        return True
    if isinstance(value, str | bytes | bool | int):
        return False
    import numpy as np
    import pandas as pd

    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return bool(result) if np.ndim(result) == 0 else False


@functools.cache
def _environment(kind: str) -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    loader = PackageLoader("mailforensics", "templates")
    if kind == "html":
        # Autoescape everything: message data is never marked safe in a template.
        return Environment(
            loader=loader,
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    # Markdown: every {{ value }} goes through markdown_escape, unless it is a _Raw made here.
    return Environment(
        loader=loader,
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=markdown_escape,
    )


# --- cells and tables ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    cls: str = ""


@dataclass(frozen=True, slots=True)
class _Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[_Cell, ...], ...]
    classes: tuple[str, ...] = ()  # one per row


def _plain(value: Any) -> str:
    """A frame value as display text: NA → "—", bools → yes/no, times in UTC."""
    if value is None or (not isinstance(value, str) and _isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _result_class(value: Any) -> str:
    if value is None or _isna(value):
        return "mf-r-na"
    word = re.match(r"\s*([a-z]+)", str(value).lower())
    return f"mf-r-{_RESULT_CLASSES[word.group(1)]}" if word and word.group(1) in _RESULT_CLASSES else ""


def _severity_class(value: Any) -> str:
    text = "" if value is None or _isna(value) else str(value).lower()
    return f"mf-s-{text}" if text in _SEVERITIES else ""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).to_dict(orient="records")  # type: ignore[return-value]


def _hops_table(analysis: Analysis) -> _Table:
    from mailforensics.plot import _fmt_duration

    columns = (
        "hop",
        "from (HELO)",
        "rDNS then",
        "client IP",
        "PTR now",
        "FCrDNS",
        "generic",
        "DNSBL",
        "received by",
        "with",
        "TLS",
        "time (UTC)",
        "delay",
        "side",
    )
    rows, classes = [], []
    for r in _records(analysis.hops):
        delay = r["delay_s"]
        if delay is None or _isna(delay):
            delay_cell = _Cell("—")
        else:
            delay_cell = _Cell(_fmt_duration(float(delay)), "mf-bad mf-nowrap" if delay < 0 else "mf-nowrap")
        listed = r["dnsbl"]
        dnsbl_cell = (
            _Cell("not checked", "mf-dim")
            if listed is None or _isna(listed)
            else _Cell(str(listed), "mf-bad")
            if listed
            else _Cell("clean")
        )
        fc = r["fcrdns"]
        generic = r["generic_rdns"]
        tls = r["tls"]
        tls_text = (
            "—"
            if tls is None or _isna(tls)
            else (str(r["tls_version"]) if tls and not _isna(r["tls_version"]) else "yes" if tls else "no")
        )
        side = "—" if _isna(r["external"]) else "external" if r["external"] else "internal"
        if r["boundary"] is True:
            side += " · boundary"
        ts = r["timestamp"]
        rows.append(
            (
                _Cell(_plain(r["hop"])),
                _Cell(_plain(r["from_helo"])),
                _Cell(_plain(r["from_rdns"])),
                _Cell(_plain(r["from_ip"])),
                _Cell(_plain(r["ptr"])),
                _Cell(_plain(fc), "mf-bad" if fc is False else "mf-good" if fc is True else ""),
                _Cell(_plain(generic), "mf-bad" if generic is True else ""),
                dnsbl_cell,
                _Cell(_plain(r["by_host"])),
                _Cell(_plain(r["protocol"])),
                _Cell(tls_text, "mf-bad" if tls is False else ""),
                _Cell("—" if ts is None or _isna(ts) else ts.strftime("%Y-%m-%d %H:%M:%S"), "mf-nowrap"),
                delay_cell,
                _Cell(side),
            )
        )
        cls = []
        if r["boundary"] is True:
            cls.append("mf-boundary")
        if r["trusted_record"] is True:
            cls.append("mf-trusted")
        if r["parsed"] is False:
            cls.append("mf-unparsed")
        classes.append(" ".join(cls))
    return _Table(columns, tuple(rows), tuple(classes))


def _auth_table(analysis: Analysis) -> _Table:
    columns = ("check", "domain", "selector", "result today", "reason", "aligned", "claimed", "claimed by")
    rows = []
    for r in _records(analysis.auth):
        check = str(r["method"]).upper() + ("" if _isna(r["instance"]) else f" {r['instance']}")
        rows.append(
            (
                _Cell(check),
                _Cell(_plain(r["domain"])),
                _Cell(_plain(r["selector"])),
                _Cell(_plain(r["result"]) if not _isna(r["result"]) else "not checked", _result_class(r["result"])),
                _Cell(_plain(r["reason"])),
                _Cell(_plain(r["aligned"])),
                _Cell(_plain(r["claimed"]), _result_class(r["claimed"]) if not _isna(r["claimed"]) else ""),
                _Cell(_plain(r["claimed_by"]), "" if r["claim_trusted"] is not False else "mf-bad"),
            )
        )
    return _Table(columns, tuple(rows))


def _arc_table(analysis: Analysis) -> _Table:
    columns = ("i", "sealed by", "seal", "message signature", "body hash", "cv", "AAR by", "SPF", "DKIM", "DMARC")
    rows = []
    for r in _records(analysis.arc):

        def valid(v: Any) -> _Cell:
            return _Cell("—") if _isna(v) else _Cell("valid", "mf-good") if v else _Cell("invalid", "mf-bad")

        rows.append(
            (
                _Cell(_plain(r["instance"])),
                _Cell(_plain(r["as_domain"])),
                valid(r["as_valid"]),
                valid(r["ams_valid"]),
                valid(r["body_hash_ok"]),
                _Cell(_plain(r["cv"]), _result_class(r["cv"])),
                _Cell(_plain(r["authserv_id"])),
                *(_Cell(_plain(r[k]), _result_class(r[k])) for k in ("claimed_spf", "claimed_dkim", "claimed_dmarc")),
            )
        )
    return _Table(columns, tuple(rows))


_SEVERITY_RANK = {s: i for i, s in enumerate(reversed(("error", "alert", "warning", "notice", "info")))}


def _findings_table(analysis: Analysis) -> _Table:
    columns = ("severity", "code", "where", "detail")
    records = sorted(_records(analysis.findings), key=lambda r: -_SEVERITY_RANK.get(str(r["severity"]), -1))
    rows = [
        (
            _Cell(_plain(r["severity"]), _severity_class(r["severity"])),
            _Cell(_plain(r["code"])),
            _Cell(_plain(r["where"])),
            _Cell(_plain(r["detail"])),
        )
        for r in records
    ]
    return _Table(columns, tuple(rows))


def _simple_table(frame: pd.DataFrame, columns: Sequence[str]) -> _Table:
    rows = tuple(tuple(_Cell(_plain(r[c])) for c in columns) for r in _records(frame))
    return _Table(tuple(columns), rows)


def _summary(analysis: Analysis) -> list[tuple[str, _Cell]]:
    out = []
    for key, value in analysis.summary.items():
        if key == "origin":
            continue
        text = _plain(value)
        cls = _result_class(value) if str(key).split()[0] in ("spf", "dkim", "dmarc", "arc") else ""
        if key == "findings":
            m = re.search(r"worst: (\w+)", text)
            cls = _severity_class(m.group(1)) if m else ""
        out.append((str(key).replace("_", " "), _Cell(text, cls)))
    return out


# --- the message itself -------------------------------------------------------------------


def _decode(value: str | None) -> str:
    """An RFC 2047 header value decoded for display (undecodable words left as written)."""
    if not value:
        return ""
    from email.errors import HeaderParseError
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, TypeError, HeaderParseError):
        return value


_HEADERS_SHOWN = ("From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "Return-Path")
_URL_RE = re.compile(r"""(?i)\b(?:https?|ftp|javascript|vbscript|data|file|mailto):[^\s"'<>`]+""")
_HREF_RE = re.compile(r"""(?i)\b(?:href|src|action)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_MAX_URLS = 200


def _message_overview(analysis: Analysis) -> dict[str, Any]:
    """Header fields, addresses with display names, attachments and URLs, for display.

    Uses the analysis's ``urls`` / ``attachments`` frames when it has them; otherwise reads
    the MIME structure itself (display only: nothing here is a verdict).
    """
    from mailforensics.addresses import mailboxes

    message = analysis.message
    headers = [(name, _decode(message.get(name))) for name in _HEADERS_SHOWN if message.get(name) is not None]
    addresses = []
    for name in ("From", "Sender", "Reply-To", "To", "Cc"):
        for field in message.get_all(name):
            for display, address in mailboxes(field.unfolded):
                addresses.append((name, _decode(display), address))
    attachments: list[tuple[str, str, str]] | None = None
    urls: list[str] | None = None
    # The content checks' frames when this version has them; the column names are looked
    # up, not assumed, and anything missing falls back to reading the MIME parts here.
    frame = getattr(analysis, "attachments", None)
    if frame is not None and hasattr(frame, "columns"):
        name_col = _column(frame, "filename", "name", "filename_raw")
        if name_col is not None:
            type_col = _column(frame, "content_type", "mime_type", "type")
            size_col = _column(frame, "size", "bytes", "length")
            attachments = [
                (
                    _plain(r[name_col]),
                    _plain(r[type_col]) if type_col else "—",
                    f"{_plain(r[size_col])} bytes" if size_col and not _isna(r[size_col]) else "—",
                )
                for r in _records(frame)
            ]
    frame = getattr(analysis, "urls", None)
    if frame is not None and hasattr(frame, "columns"):
        url_col = _column(frame, "url", "href", "raw", "value")
        if url_col is not None:
            urls = list(dict.fromkeys(_plain(u) for u in frame[url_col].tolist()))[:_MAX_URLS]
    if attachments is None or urls is None:
        parsed_attachments, parsed_urls = _walk_mime(message)
        attachments = parsed_attachments if attachments is None else attachments
        urls = parsed_urls if urls is None else urls
    return {"headers": headers, "addresses": addresses, "attachments": attachments, "urls": urls}


def _column(frame: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _walk_mime(message: Any) -> tuple[list[tuple[str, str, str]], list[str]]:
    attachments: list[tuple[str, str, str]] = []
    urls: dict[str, None] = {}
    try:
        parts = list(message.email.walk())
    except Exception:  # a message email cannot walk is shown without parts
        return attachments, []
    for part in parts:
        if part.is_multipart():
            continue
        try:
            filename = part.get_filename()
        except Exception:
            filename = None
        ctype = part.get_content_type()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        if filename or part.get("Content-Disposition", "").lower().startswith("attachment"):
            attachments.append((_decode(filename) if filename else "(no name)", ctype, f"{len(payload)} bytes"))
            continue
        if ctype in ("text/plain", "text/html") and len(urls) < _MAX_URLS:
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
            found = [m.group(0) for m in _URL_RE.finditer(text)]
            if ctype == "text/html":
                found += [next(g for g in m.groups() if g is not None) for m in _HREF_RE.finditer(text)]
            for url in found:
                url = html.unescape(url) if ctype == "text/html" else url
                if len(urls) < _MAX_URLS:
                    urls.setdefault(url.strip(), None)
    return attachments, [u for u in urls if u]


# --- provenance ---------------------------------------------------------------------------


def _evidence_lines(analysis: Analysis) -> list[str]:
    from mailforensics.resolvers.evidence import record_line

    return [record_line(r) for r in analysis.evidence]


def _evidence_digest(lines: Sequence[str]) -> str:
    return hashlib.sha256(("\n".join(lines) + "\n" if lines else "").encode("utf-8")).hexdigest()


def evidence_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of an evidence file's records: every line after the header line.

    That is the DNS evidence a writeup states, independent of when the file was written
    (the header line holds ``created_at``). For an :class:`~mailforensics.analysis.Analysis`
    this equals ``provenance(analysis)["evidence_sha256"]`` once its evidence is saved with
    ``analysis.save_evidence(path)``.

    Parameters
    ----------
    path
        A DNS evidence file (JSON Lines).
    """
    text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.split("\n")[1:] if line.strip()]
    return _evidence_digest(lines)


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if _isna(value):
        return None
    return value


def _frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _json_value(v) for k, v in row.items()} for row in _records(frame)]


def results_sha256(analysis: Analysis) -> str:
    """SHA-256 of the analysis results: the frames in :data:`RESULT_FRAMES` and the summary
    (without its ``origin`` line, so the same message read from another path digests the
    same), as canonical JSON."""
    doc: dict[str, Any] = {name: _frame_records(getattr(analysis, name)) for name in RESULT_FRAMES}
    doc["summary"] = {str(k): _json_value(v) for k, v in analysis.summary.items() if k != "origin"}
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _as_of(analysis: Analysis) -> tuple[datetime, str]:
    now = analysis.ctx.now
    if isinstance(now, datetime):
        return now.astimezone(UTC), "fixed (Context.now)"
    delivered = analysis.path.delivered_at
    if now == "delivery" and delivered is not None:
        return delivered, "delivery time (the top hop's timestamp)"
    return analysis.ctx.current_time(), "system clock when the writeup was made"


def _config_doc(analysis: Analysis) -> dict[str, Any]:
    c = analysis.ctx.config
    zones = c.dnsbl_zones
    return {
        "internal_domains": list(c.internal_domains),
        "trusted_networks": list(c.trusted_networks),
        "trusted_relays": list(c.trusted_relays),
        "private_is_internal": c.private_is_internal,
        "clock_tolerance_s": c.clock_tolerance_s,
        "long_delay_s": c.long_delay_s,
        "date_before_first_hop_s": c.date_before_first_hop_s,
        "dnsbl_zones": None if zones is None else [getattr(z, "zone", str(z)) for z in zones],
        "dns_checks": c.dns_checks,
        "dmarc_method": c.dmarc_method,
        "historical_keys": c.historical_keys is not None,
    }


def provenance(analysis: Analysis) -> dict[str, Any]:
    """What a writeup rests on, so a colleague can check and re-run it.

    Returns
    -------
    dict
        ``format``, ``version``; ``tool`` and ``tool_version``; ``message_origin``,
        ``message_sha256`` (of ``Message.raw``, the bytes exactly as read),
        ``message_bytes``; ``evidence_sha256`` (see :func:`evidence_sha256`),
        ``evidence_records``, ``resolvers`` (who answered, as the evidence records it);
        ``as_of`` (ISO 8601, the time the checks were judged at) and ``as_of_source``;
        ``config`` (the :class:`~mailforensics.context.Config` values that change results);
        ``results_sha256`` (see :func:`results_sha256`).
    """
    from mailforensics import __version__

    lines = _evidence_lines(analysis)
    as_of, as_of_source = _as_of(analysis)
    resolvers = list(dict.fromkeys(r.resolver for r in analysis.evidence))
    return {
        "format": PROVENANCE_FORMAT,
        "version": _PROVENANCE_VERSION,
        "tool": f"mailforensics {__version__}",
        "tool_version": __version__,
        "message_origin": analysis.message.origin,
        "message_sha256": analysis.message.sha256,
        "message_bytes": len(analysis.message.raw),
        "evidence_sha256": _evidence_digest(lines),
        "evidence_records": len(lines),
        "resolvers": resolvers,
        "as_of": as_of.isoformat(),
        "as_of_source": as_of_source,
        "config": _config_doc(analysis),
        "results_sha256": results_sha256(analysis),
    }


def _provenance_comment(doc: Mapping[str, Any]) -> str:
    """The provenance as an HTML comment: JSON with ``<``, ``>`` and ``&`` as \\u escapes,
    so nothing in it can end the comment (or open a tag) in HTML or Markdown."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- mailforensics-provenance {text} -->"


def read_provenance(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance block of a writeup made by :func:`to_html` or :func:`to_markdown`.

    Parameters
    ----------
    path
        The writeup (``.html`` or ``.md``).

    Raises
    ------
    InputError
        When the file holds no provenance block.
    """
    from mailforensics.errors import InputError

    text = Path(path).read_text(encoding="utf-8")
    m = _PROVENANCE_RE.search(text)
    if not m:
        raise InputError(f"{str(path)!r} holds no mailforensics provenance block")
    doc = json.loads(m.group(1))
    if not isinstance(doc, dict) or doc.get("format") != PROVENANCE_FORMAT:
        raise InputError(f"{str(path)!r}: not a mailforensics writeup provenance block")
    return doc


def config_from_provenance(doc: Mapping[str, Any]) -> Any:
    """A :class:`~mailforensics.context.Config` with the recorded settings (DNSBL zones by
    name from the defaults; historical keys must be supplied again by the caller)."""
    from mailforensics.context import Config
    from mailforensics.reputation import dnsbl

    c = dict(doc.get("config") or {})
    zones = c.get("dnsbl_zones")
    zone_objs = None
    if zones is not None:
        known = {z.zone: z for z in dnsbl.DEFAULT_ZONES}
        zone_objs = tuple(known[z] for z in zones if z in known)
    return Config(
        internal_domains=tuple(c.get("internal_domains", ())),
        trusted_networks=tuple(c.get("trusted_networks", ())),
        trusted_relays=tuple(c.get("trusted_relays", ())),
        private_is_internal=bool(c.get("private_is_internal", True)),
        clock_tolerance_s=float(c.get("clock_tolerance_s", 300.0)),
        long_delay_s=float(c.get("long_delay_s", 6 * 3600.0)),
        date_before_first_hop_s=float(c.get("date_before_first_hop_s", 2 * 86400.0)),
        dnsbl_zones=zone_objs,
        dns_checks=bool(c.get("dns_checks", True)),
        dmarc_method=str(c.get("dmarc_method", "rfc9989")),
    )


def compare(analysis: Analysis, recorded: Mapping[str, Any]) -> pd.DataFrame:
    """Check a re-run against a writeup's provenance.

    Parameters
    ----------
    analysis
        The re-run (normally ``mf.analyze(message, ctx=mf.Context.offline(evidence,
        now=recorded["as_of"], config=config_from_provenance(recorded)))``).
    recorded
        The writeup's provenance (:func:`read_provenance`).

    Returns
    -------
    pandas.DataFrame
        One row per item (``message_sha256``, ``evidence_sha256``, ``results_sha256``,
        ``tool_version``, ``as_of``, ``config``): ``match``, ``recorded``, ``recomputed``.
        A tool-version difference is reported but may be harmless.
    """
    import pandas as pd

    now = provenance(analysis)
    rows = []
    for key in ("message_sha256", "evidence_sha256", "evidence_records", "results_sha256", "tool_version", "as_of"):
        a, b = recorded.get(key), now.get(key)
        if key == "as_of" and a is not None and b is not None:
            same = datetime.fromisoformat(str(a)) == datetime.fromisoformat(str(b))
        else:
            same = a == b
        rows.append({"item": key, "recorded": str(a), "recomputed": str(b), "match": same})
    rows.append(
        {
            "item": "config",
            "recorded": json.dumps(recorded.get("config"), sort_keys=True),
            "recomputed": json.dumps(now["config"], sort_keys=True),
            "match": recorded.get("config") == now["config"],
        }
    )
    frame = pd.DataFrame(rows, columns=["item", "match", "recorded", "recomputed"])
    frame["match"] = frame["match"].astype("boolean")
    return frame


# --- plots as PNG -------------------------------------------------------------------------


def _png_data_uri(fig: Figure, dpi: int = 110) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(analysis: Analysis) -> list[dict[str, str]]:
    from mailforensics import plot

    out = []
    for title, func, alt in (
        ("Hop timeline", plot.plot_hops, "Hop timeline: each hop's time relative to delivery, with delays"),
        ("Path diagram", plot.plot_path, "Path diagram: one box per hop with rDNS, TLS, DNSBL and claims"),
    ):
        if len(analysis.hops) == 0:
            continue
        fig = func(analysis)
        out.append({"title": title, "alt": alt, "uri": _png_data_uri(fig)})
    return out


_PLOT_NOTES = {
    "Hop timeline": (
        "Hops run down the page, oldest first; across is each hop's time relative to delivery "
        "(symmetric log scale). Circles were written by the recipient's own relays, squares by "
        "the sender's side. A dashed vermillion segment is a negative delay: a clock is wrong."
    ),
    "Path diagram": (
        "One box per hop: who received the message and from which address, what the DNS says about "
        "that address today, TLS (lock), DNSBL listings, and the SPF/DKIM/DMARC/ARC results each hop "
        "claimed. Dashed pills are claims made outside the trust boundary."
    ),
}


# --- rendering ----------------------------------------------------------------------------


def _context(analysis: Analysis, *, with_plots: bool, full: bool = True) -> dict[str, Any]:
    """What the templates show. ``full=False`` (the notebook fragment) leaves out what only
    the writeups use: message overview, provenance, envelope, blocklists."""
    from mailforensics import __version__

    subject = _decode(analysis.message.get("Subject"))
    common: dict[str, Any] = {
        "subject": subject,
        "origin": analysis.message.origin,
        "originating_ip": analysis.originating_ip,
        "summary": _summary(analysis),
        "hops": _hops_table(analysis),
        "auth": _auth_table(analysis),
        "findings": _findings_table(analysis),
        "version": __version__,
    }
    findings = analysis.findings
    severity_counts = (
        {s: int((findings["severity"] == s).sum()) for s in reversed(_SEVERITIES)} if len(findings) else {}
    )
    common["severity_counts"] = {k: v for k, v in severity_counts.items() if v}
    if not full:
        return common
    overview = _message_overview(analysis)
    prov = provenance(analysis)
    dnsbl = analysis.dnsbl
    listed = dnsbl[dnsbl["listed"].fillna(False).astype(bool)] if len(dnsbl) else dnsbl
    plots = _plots(analysis) if with_plots else []
    for p in plots:
        p["note"] = _PLOT_NOTES.get(p["title"], "")
    return {
        **common,
        "overview": overview,
        "arc": _arc_table(analysis),
        "envelope": _simple_table(analysis.envelope, ("field", "value", "source", "confidence")),
        "listed": _simple_table(listed, ("source", "item", "zone", "meanings", "txt")),
        "dnsbl_count": len(dnsbl),
        "plots": plots,
        "provenance": prov,
        "provenance_comment": _provenance_comment(prov),
        "rerun": _rerun_command(analysis),
    }


def _rerun_command(analysis: Analysis) -> str:
    config = analysis.ctx.config
    parts = ["mailforensics report MESSAGE.eml --offline --evidence EVIDENCE.jsonl"]
    parts += [f"--internal-domain {d}" for d in config.internal_domains]
    parts += [f"--trusted-network {n}" for n in config.trusted_networks]
    parts.append("-o writeup.html")
    return " ".join(parts)


def analysis_html(analysis: Analysis) -> str:
    """HTML for ``Analysis._repr_html_``: summary verdicts, then hops, auth, findings.

    Every value from the message is escaped by Jinja2 autoescape. The block carries its own
    scoped ``<style>`` (classes prefixed ``mf-``) and no script.

    Parameters
    ----------
    analysis
        The :class:`~mailforensics.analysis.Analysis` to show.
    """
    ctx = _context(analysis, with_plots=False, full=False)
    return _environment("html").get_template("analysis.html.j2").render(**ctx)


def render_html(analysis: Analysis) -> str:
    """The self-contained HTML writeup as a string (see :func:`to_html`)."""
    from markupsafe import Markup

    ctx = _context(analysis, with_plots=True)
    # Made here from JSON whose <, > and & are \u escapes: it cannot end the comment.
    ctx["provenance_comment"] = Markup(ctx["provenance_comment"])
    return _environment("html").get_template("report.html.j2").render(**ctx)


def render_markdown(analysis: Analysis) -> str:
    """The Markdown writeup as a string (see :func:`to_markdown`)."""
    ctx = _context(analysis, with_plots=True)
    for p in ctx["plots"]:
        p["uri"] = _Raw(p["uri"])
    ctx["provenance_comment"] = _Raw(ctx["provenance_comment"])
    # An indented code block shows its text literally; only a line break could end it.
    ctx["rerun"] = _Raw(_CONTROL.sub(" ", re.sub(r"[\r\n]+", " ", ctx["rerun"])))
    return _environment("markdown").get_template("report.md.j2").render(**ctx)


def to_html(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write one self-contained HTML writeup of ``analysis``.

    The file holds the message's header fields, the summary verdicts, the hop timeline and
    path diagram (PNG, embedded as ``data:`` URIs), the hops, authentication, ARC,
    envelope, DNSBL and findings tables, and the provenance (see :func:`provenance`) — both
    as a table and as a machine-readable comment for :func:`read_provenance`. It loads
    nothing from anywhere and runs no script (its Content-Security-Policy forbids them).

    Parameters
    ----------
    analysis
        The :class:`~mailforensics.analysis.Analysis` to write up.
    path
        Where to write it.

    Returns
    -------
    pathlib.Path
    """
    target = Path(path)
    target.write_text(render_html(analysis), encoding="utf-8")
    return target


def to_markdown(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write the writeup as one Markdown file (plots embedded as PNG ``data:`` URIs).

    Every value from the message is escaped for Markdown and HTML, so rendering the file
    (GitHub, a wiki, pandoc) shows it as text and never as markup.

    Parameters
    ----------
    analysis
        The :class:`~mailforensics.analysis.Analysis` to write up.
    path
        Where to write it.

    Returns
    -------
    pathlib.Path
    """
    target = Path(path)
    target.write_text(render_markdown(analysis), encoding="utf-8")
    return target


def save_bundle(analysis: Analysis, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write a re-runnable bundle: ``message.eml`` (the raw bytes), ``evidence.jsonl``,
    ``writeup.html`` and ``writeup.md``.

    A colleague re-runs it offline with notebook 03 (or ``mailforensics report
    message.eml --offline --evidence evidence.jsonl -o check.html``).

    Parameters
    ----------
    analysis
        The analysis.
    directory
        Created if missing; files in it with those names are replaced.

    Returns
    -------
    dict
        ``{"message": ..., "evidence": ..., "html": ..., "markdown": ...}`` paths.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "message": folder / "message.eml",
        "evidence": folder / "evidence.jsonl",
        "html": folder / "writeup.html",
        "markdown": folder / "writeup.md",
    }
    paths["message"].write_bytes(analysis.message.raw)
    analysis.save_evidence(paths["evidence"])
    to_html(analysis, paths["html"])
    to_markdown(analysis, paths["markdown"])
    return paths


# --- command line -------------------------------------------------------------------------


def run_cli(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    offline: bool = False,
    evidence: str | os.PathLike[str] | None = None,
    internal_domains: Iterable[str] = (),
    trusted_networks: Iterable[str] = (),
    now: datetime | str | None = None,
    stderr: Any = None,
) -> int:
    """``mailforensics report FILE -o writeup.html``: analyse one message and write it up.

    Parameters
    ----------
    source
        One message (``.eml``, ``.msg``, or a mailbox holding exactly one message).
    output
        The writeup; ``.md``/``.markdown`` writes Markdown, anything else HTML.
    offline
        Answer DNS from ``evidence`` only (strict replay; no socket is opened).
    evidence
        With ``offline``: the evidence to replay. Without: where to save the evidence the
        live analysis recorded (optional).
    internal_domains, trusted_networks
        As for :class:`~mailforensics.context.Config`.
    now
        The time to judge at: an ISO 8601 string or aware datetime, ``"delivery"``, or None
        (the system clock).
    stderr
        Where to write the one-line notice (default ``sys.stderr``).

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    InputError
        No message, more than one message, or ``offline`` without ``evidence``.
    """
    from mailforensics.analysis import analyze
    from mailforensics.context import Config, Context
    from mailforensics.errors import InputError
    from mailforensics.sources import iter_messages

    if isinstance(now, str) and now != "delivery":
        try:
            now = datetime.fromisoformat(now)
        except ValueError as exc:
            raise InputError(f"not an ISO 8601 time: {now!r}") from exc
    config = Config(internal_domains=tuple(internal_domains), trusted_networks=tuple(trusted_networks))
    if offline:
        if not evidence:
            raise InputError("--offline needs --evidence PATH (the recorded DNS answers)")
        ctx = Context.offline(evidence, now=now, config=config)  # type: ignore[arg-type]
    else:
        ctx = Context(now=now, config=config)  # type: ignore[arg-type]
    messages = iter_messages(source)
    first = next(messages, None)
    if first is None:
        raise InputError(f"no message in {str(source)!r}")
    if next(messages, None) is not None:
        raise InputError(f"{str(source)!r} holds more than one message; a writeup covers one (use `analyze`)")
    analysis = analyze(first, ctx=ctx)
    target = Path(output)
    if target.suffix.lower() in (".md", ".markdown"):
        to_markdown(analysis, target)
    else:
        to_html(analysis, target)
    err = stderr if stderr is not None else sys.stderr
    if not offline and evidence:
        analysis.save_evidence(evidence)
        print(f"mailforensics: {len(analysis.evidence)} DNS answers saved to {evidence}", file=err)
    print(f"mailforensics: writeup written to {target}", file=err)
    return 0
