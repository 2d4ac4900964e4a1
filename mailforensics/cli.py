"""Command line: ``mailforensics hops|trace|analyze SOURCE``.

Each takes any source :func:`mailforensics.iter_messages` reads (an ``.eml``, ``.msg``,
mbox, maildir or directory) and prints one block per message; ``--json`` prints one JSON
document for machines instead. ``hops`` and ``trace`` read headers only and never touch
the network. ``analyze`` adds the DNS checks: live (``--evidence PATH`` records every
answer to PATH) or offline from recorded evidence (``--offline --evidence PATH``, no
socket opened).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from mailforensics.errors import MailForensicsError

if TYPE_CHECKING:
    import pandas as pd

    from mailforensics.analysis import Analysis
    from mailforensics.context import NowSpec
    from mailforensics.trace import Trace

__all__ = ["main"]

#: The hop columns shown in a terminal; ``--all-columns`` shows every column.
HOP_COLUMNS = (
    "hop", "from_helo", "from_rdns", "from_ip", "by_host", "protocol", "tls",
    "tls_version", "queue_id", "envelope_for", "timestamp", "delay_s", "external",
)  # fmt: skip
AUTH_COLUMNS = ("method", "instance", "domain", "selector", "result", "reason", "aligned", "claimed", "claimed_by")
ANALYZE_HOP_COLUMNS = (
    "hop", "from_helo", "from_ip", "ptr", "fcrdns", "generic_rdns", "dnsbl", "by_host",
    "protocol", "tls", "timestamp", "delay_s", "external",
)  # fmt: skip


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    out = []
    for row in frame.astype(object).to_dict(orient="records"):
        out.append({str(k): (None if v is pd.NA or v is pd.NaT else _json_value(v)) for k, v in row.items()})
    return out


def _print_table(frame: pd.DataFrame, out: TextIO, columns: Sequence[str] | None = None) -> None:
    import pandas as pd

    if frame.empty:
        out.write("  (none)\n")
        return
    shown = frame[list(columns)] if columns else frame
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_colwidth", 60):
        out.write(shown.to_string(index=False) + "\n")


def _message_json(t: Trace | Analysis, what: str) -> dict[str, Any]:
    path = t.path
    doc: dict[str, Any] = {
        "origin": t.message.origin,
        "sha256": t.message.sha256,
        "originating_ip": path.originating_ip,
        "boundary_hop": path.boundary_hop,
        "hops": _records(t.hops),
    }
    if what in ("trace", "analyze"):
        doc["envelope"] = _records(t.envelope)
        doc["findings"] = _records(t.findings)
    from mailforensics.analysis import Analysis

    if isinstance(t, Analysis):
        doc["auth"] = _records(t.auth)
        doc["summary"] = {str(k): v for k, v in t.summary.items()}
        doc["dnsbl"] = _records(t.dnsbl)
        doc["dns"] = _records(t.dns)
    return doc


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from mailforensics.analysis import Analysis, analyze
    from mailforensics.context import Config, Context
    from mailforensics.errors import InputError
    from mailforensics.resolvers.recording import RecordingResolver
    from mailforensics.sources import iter_messages
    from mailforensics.trace import trace

    historical = None
    if getattr(args, "historical_keys", None):
        from pathlib import Path

        from mailforensics.resolvers.zone import ZoneResolver

        source = Path(args.historical_keys)
        if not source.is_file():
            raise InputError(f"no key archive at {str(source)!r}")
        historical = ZoneResolver.from_text(source.read_text(encoding="utf-8"))
    config = Config(
        trusted_networks=tuple(args.trusted_network or ()),
        internal_domains=tuple(args.internal_domain or ()),
        historical_keys=historical,
    )
    now = _parse_now(args.now)
    recorder: RecordingResolver | None = None
    if args.command == "analyze" and args.offline:
        if not args.evidence:
            raise InputError("--offline needs --evidence PATH (the recorded DNS answers)")
        ctx = Context.offline(args.evidence, now=now, config=config)
    elif args.command == "analyze":
        from mailforensics.resolvers.live import LiveResolver

        live = LiveResolver(args.nameserver, port=args.dns_port) if args.nameserver else Context().get_resolver()
        recorder = RecordingResolver(live)
        ctx = Context(resolver=recorder, now=now, config=config)
    else:
        ctx = Context(now=now, config=config)
    documents = []
    count = 0
    errors = 0
    for message in iter_messages(args.source):
        count += 1
        try:
            t: Trace | Analysis = analyze(message, ctx=ctx) if args.command == "analyze" else trace(message, ctx=ctx)
        except MailForensicsError as exc:
            # One message the toolkit cannot finish (strict replay missing an answer) must
            # not hide the others: report it in its place and go on.
            errors += 1
            if args.json:
                documents.append({"origin": message.origin, "sha256": message.sha256, "error": str(exc)})
            else:
                out.write(f"== {message.origin}\n   error: {exc}\n\n")
            continue
        path = t.path
        if args.json:
            documents.append(_message_json(t, args.command))
            continue
        out.write(f"== {message.origin}\n")
        subject = message.get("Subject")
        if subject:
            out.write(f"   Subject: {subject[:120]}\n")
        out.write(
            f"   originating IP: {path.originating_ip or 'unknown'}"
            f"   trust boundary: hop {path.boundary_hop if path.boundary_hop else '-'}"
            f" of {len(path.hops)}\n"
        )
        columns = ANALYZE_HOP_COLUMNS if args.command == "analyze" else HOP_COLUMNS
        _print_table(t.hops, out, None if args.all_columns else columns)
        if isinstance(t, Analysis):
            out.write("-- authentication (re-verified today, beside what the message claimed)\n")
            _print_table(t.auth, out, AUTH_COLUMNS)
        if args.command in ("trace", "analyze"):
            out.write("-- envelope\n")
            _print_table(t.envelope, out)
            out.write("-- findings\n")
            _print_table(t.findings, out, ("severity", "code", "where", "detail"))
        out.write("\n")
    if args.json:
        json.dump({"messages": documents}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif count == 0:
        out.write("no messages found\n")
    if recorder is not None and args.evidence:
        recorder.save(args.evidence)
        print(f"mailforensics: {len(recorder.records)} DNS answers saved to {args.evidence}", file=sys.stderr)
    if errors:
        print(f"mailforensics: {errors} of {count} message(s) could not be analysed", file=sys.stderr)
        return 1
    return 0


def _parse_now(text: str | None) -> NowSpec:
    """``--now``: an ISO 8601 time (UTC if no zone given) or ``delivery``."""
    from datetime import UTC

    from mailforensics.errors import InputError

    if text is None:
        return None
    if text == "delivery":
        return "delivery"
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--now takes an ISO 8601 time or 'delivery', not {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="mailforensics",
        description="Email forensics: where a message really came from, hop by hop.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("hops", "print the Received chain of each message as a table"),
        ("trace", "print hops, the reconstructed SMTP envelope and findings"),
        ("analyze", "trace plus DNS checks (PTR, FCrDNS, HELO, DNSBL), live or from evidence"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("source", help=".eml, .msg, mbox, maildir or directory")
        p.add_argument("--json", action="store_true", help="print JSON for machines")
        p.add_argument("--all-columns", action="store_true", help="show every hop column")
        p.add_argument(
            "--trusted-network", action="append", metavar="CIDR", help="a network of your own relays (repeatable)"
        )
        p.add_argument(
            "--internal-domain", action="append", metavar="DOMAIN", help="a domain of your organisation (repeatable)"
        )
        p.add_argument(
            "--now",
            metavar="TIME",
            help="judge signatures and hop times as of TIME (ISO 8601) or 'delivery' (the top hop's time)",
        )
        if name == "analyze":
            p.add_argument("--evidence", metavar="PATH", help="DNS evidence file: written live, read with --offline")
            p.add_argument("--offline", action="store_true", help="answer DNS from --evidence only; open no socket")
            p.add_argument(
                "--nameserver",
                action="append",
                metavar="IP",
                help="ask this resolver (repeatable; default: the system's)",
            )
            p.add_argument("--dns-port", type=int, default=53, metavar="PORT", help="port of --nameserver (53)")
            p.add_argument(
                "--historical-keys",
                metavar="ZONEFILE",
                help="zone text with DKIM/ARC keys rotated away since delivery (they override DNS)",
            )
    sub.add_parser(
        "batch",
        help="triage a mailbox export on every core: SOURCE -o results.parquet [--workers N] [--backend dask]",
        add_help=False,
    )
    rep = sub.add_parser("report", help="write one message up as a self-contained HTML (or Markdown) file")
    rep.add_argument("source", help="one message: .eml, .msg, or a mailbox holding exactly one")
    rep.add_argument("-o", "--output", required=True, metavar="PATH", help="the writeup: .html, or .md for Markdown")
    rep.add_argument("--evidence", metavar="PATH", help="DNS evidence file: written live, read with --offline")
    rep.add_argument("--offline", action="store_true", help="answer DNS from --evidence only; open no socket")
    rep.add_argument(
        "--internal-domain", action="append", metavar="DOMAIN", help="a domain of your organisation (repeatable)"
    )
    rep.add_argument(
        "--trusted-network", action="append", metavar="CIDR", help="a network of your own relays (repeatable)"
    )
    rep.add_argument("--as-of", metavar="TIME", help='judge at this ISO 8601 time, or "delivery" (default: now)')
    domain = sub.add_parser("domain", help="a domain's mail posture: MX, SPF, DMARC, MTA-STS, TLS-RPT, DANE, BIMI")
    domain.add_argument("domain")
    domain.add_argument("--probe", action="store_true", help="also probe STARTTLS/DANE and fetch the MTA-STS policy")
    domain.add_argument("--json", action="store_true", help="print JSON for machines")
    domain.add_argument("--nameserver", action="append", metavar="IP", help="ask this resolver (default: the system's)")
    domain.add_argument("--dns-port", type=int, default=53, metavar="PORT", help="port of --nameserver (53)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mailforensics`` console script.

    Parameters
    ----------
    argv
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 2 for unusable arguments.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["batch"]:
        # The batch command has its own option parser (mailforensics.batch.run_cli).
        from mailforensics.batch import run_cli as batch_cli

        return batch_cli(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        if args.command == "report":
            from mailforensics.report import run_cli as report_cli

            return report_cli(
                args.source,
                args.output,
                offline=args.offline,
                evidence=args.evidence,
                internal_domains=args.internal_domain or (),
                trusted_networks=args.trusted_network or (),
                now=args.as_of,
            )
        if args.command == "domain":
            from mailforensics.transport.posture import run_cli as posture_cli

            return posture_cli(
                args.domain, probe=args.probe, json=args.json, nameserver=args.nameserver, dns_port=args.dns_port
            )
        return _run(args, sys.stdout)
    except MailForensicsError as exc:
        print(f"mailforensics: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `mailforensics hops x | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
