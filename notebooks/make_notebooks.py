"""Write the three notebooks of ``notebooks/`` from the cells below (run from anywhere).

    .venv/bin/python notebooks/make_notebooks.py          # (re)write the .ipynb files
    .venv/bin/python notebooks/make_notebooks.py --check  # exit 1 if a file is out of date

The notebooks are generated so they can be reviewed as code and regenerated after a change;
they are committed without outputs, with stable cell ids (no diff noise). Each has one cell
tagged ``parameters`` (the papermill convention: ``papermill nb.ipynb out.ipynb -p MESSAGE
phish.eml`` injects values after it), and each runs offline on ``sample_mail/`` as shipped.
Paths are relative to the repository root; the setup cell finds it whether Jupyter was
started there or in ``notebooks/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# The setup shared by every notebook: find the repository root (for the relative sample
# paths), resolve parameters against it, and build the Context.
SETUP = '''\
%matplotlib inline
from datetime import datetime
from pathlib import Path

import pandas as pd

import mailforensics as mf
from mailforensics import report  # writeups, provenance

pd.set_option("display.max_colwidth", 80)

# Relative paths are relative to the repository root, found from the working directory.
ROOT = next((p for p in (Path.cwd(), *Path.cwd().parents) if (p / "sample_mail").is_dir()), Path.cwd())


def here(path):
    """A parameter path: as given if it exists or is absolute, else under the repository root."""
    if path is None:
        return None
    p = Path(path).expanduser()
    return p if p.is_absolute() or p.exists() else ROOT / p


def when(value):
    """AS_OF → what mf.Context(now=...) takes: an aware datetime, "delivery" or None."""
    return datetime.fromisoformat(value) if isinstance(value, str) and value != "delivery" else value


config = mf.Config(internal_domains=tuple(INTERNAL_DOMAINS))
if EVIDENCE:
    ctx = mf.Context.offline(here(EVIDENCE), now=when(AS_OF), config=config)  # replay: no socket is opened
else:
    ctx = mf.Context(now=when(AS_OF), config=config)  # live DNS; every answer is recorded'''


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str, *, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


# --------------------------------------------------------------------------------------------
# 01 — investigate a phish
# --------------------------------------------------------------------------------------------

NB01 = [
    md("""
# 01 · Investigate a phish

One suspicious message, taken apart: where it really came from hop by hop, what each relay
claimed about its authentication and whether that still holds, what is suspicious and why —
and a writeup a colleague can re-run bit for bit (notebook 03).

**Point it at your own message** by changing the parameters cell below (or run it with
papermill: `papermill 01-investigate-a-phish.ipynb out.ipynb -p MESSAGE phish.eml -p EVIDENCE ""`).
As shipped it investigates `sample_mail/eml/30-lookalike-dmarc-fail.eml` — a look-alike of
`bank.example` sent from `bank-secure.example` — **offline**: every DNS answer comes from the
recorded evidence in `sample_mail/dns/evidence.jsonl`, and no socket is opened.
Other samples worth a look: `32-forged-auth-results.eml` (the sender wrote its own
`Authentication-Results: … dmarc=pass`), `23-envelope-conflict.eml` (BEC, blocklisted relay),
`19-negative-delay.eml` (a relay with a slow clock).
"""),
    code(
        """
MESSAGE = "sample_mail/eml/30-lookalike-dmarc-fail.eml"  # the message: .eml, .msg, or a one-message mbox
EVIDENCE = "sample_mail/dns/evidence.jsonl"  # recorded DNS answers to replay; None or "" = live DNS
INTERNAL_DOMAINS = ["example.net"]  # your organisation's domains: they place the trust boundary
AS_OF = "2024-03-22T09:00:00+00:00"  # judge at this time (ISO 8601), "delivery", or None for now
BUNDLE_DIR = "writeup-bundle"  # where to save the message, its evidence and the writeups
""",
        tags=("parameters",),
    ),
    md("""
## Setup

`Context` is everything a check is given instead of global state: the resolver (here a
strict replay of recorded evidence, or live DNS), the clock (`AS_OF`: a fixed time makes
the writeup reproducible; `"delivery"` judges signatures as the receiver did) and the site
configuration (`internal_domains` decides which relays are yours).
"""),
    code(SETUP),
    md("""
## The analysis at a glance

`mf.analyze` reads the raw bytes, reconstructs the relay path and the SMTP envelope,
re-verifies SPF, every DKIM signature, the ARC chain and DMARC against the DNS, checks each
relay's address (PTR, forward confirmation, generic names, blocklists) and collects findings.
Its rich display shows the summary verdicts, then the hops, the authentication checks and the
findings; results are coloured (green pass, vermillion fail, orange softfail, grey none).
"""),
    code("""
a = mf.analyze(here(MESSAGE), ctx=ctx)
a
"""),
    md("""
## Verdicts

One line per check. `spf mailfrom` is SPF for the envelope sender, `dkim 1` the topmost
signature, `dmarc` the verdict for the author's domain (the `From:` header) — the one a
phish tries to borrow. Where the message's own verdict fields claimed something different,
the line says so and who claimed it.
"""),
    code("a.summary"),
    md("""
## The relay path, hop by hop

One row per `Received` field, **oldest first** (hop 1 is where the message started). The
columns that matter most: `from_ip` (the client address the receiving host saw), `ptr` and
`fcrdns` (what the DNS says about that address today, and whether the name points back to
it), `generic_rdns` (a dynamic-looking name such as `203-0-113-99.dsl.isp.example`), `dnsbl`
(blocklist listings; empty = checked and clean), `delay_s` (negative = a clock is wrong),
and `boundary` — the hop where the message entered your relays. Everything **below** the
boundary (hops recorded before it) was written by hosts you do not control: treat it as the
sender's claim. The client address of the boundary hop is the **originating IP**.
"""),
    code("""
a.hops[["hop", "from_helo", "from_ip", "ptr", "fcrdns", "generic_rdns", "dnsbl", "by_host",
        "protocol", "tls", "timestamp", "delay_s", "external", "boundary"]]
"""),
    md("""
### Hop timeline

Hops run down the page (oldest at the top), time runs across — relative to delivery, on a
symmetric log scale so seconds and years fit together. Each hop is labelled on the right
with its clock time and its delay from the hop before. Circles were recorded by your own
relays, squares by the sender's side. A **dashed vermillion** segment is a negative delay
(a hop dated before the hop that handed it the message: a clock is wrong, or the field is
forged); a vermillion star is a hop dated in the future; the purple diamond is the `Date:`
header, the sender's own clock. The dashed black line is the trust boundary.
"""),
    code("a.plot_hops()"),
    md("""
### Path diagram

One box per hop, oldest first: who received the message and with what protocol; the client's
address, its HELO name and the rDNS name the receiver wrote **then**; what the DNS says about
that address **today** (PTR, forward-confirmed or not, generic or not); a lock for TLS (open
and vermillion: no TLS); blocklist listings; and the SPF / DKIM / DMARC / ARC results the
hop **claimed** in the verdict fields it added (`Authentication-Results`, `Received-SPF`,
`ARC-Authentication-Results`). Pills with a dashed edge were claimed outside the trust
boundary — by the sender's side, which can write anything. Blue-edged boxes were recorded by
your relays, orange-edged ones on the sender's side; the arrows carry the delays.
"""),
    code("a.plot_path()"),
    md("""
## Authentication, re-verified

One row per check: SPF for the MAIL FROM and HELO identities, each DKIM signature, the ARC
chain, DMARC. `result` is today's re-verification against the DNS evidence; `aligned` says
whether a passing identifier is aligned with the `From:` domain (what DMARC needs);
`claimed` / `claimed_by` / `claim_trusted` are what the message's own verdict field said and
who wrote it. A look-alike typically shows SPF and DKIM **pass** for the look-alike domain,
**not aligned**, and DMARC **fail** for the brand it imitates.
"""),
    code("a.auth"),
    md("""
The ARC chain of custody (one row per ARC set: who sealed the message, whether their
signatures hold, and what each said it saw) and the SPF evaluation step by step, with the DNS
it used:
"""),
    code("a.arc"),
    code("a.spf_trace"),
    md("""
## The envelope

The SMTP envelope is not in the message; it is reconstructed from the trace fields. Every
candidate is listed with where it was read (`source`) and how far that place can be trusted
(`confidence`) — a `Return-Path` that disagrees with the `envelope-from` your own relay wrote
means the top of the header was edited.
"""),
    code("a.envelope"),
    md("""
## Findings

What is suspicious or broken, most severe first, with where it was seen and the evidence.
`code` values are stable, so you can filter on them across many messages.
"""),
    code("""
order = {"error": 0, "alert": 1, "warning": 2, "notice": 3, "info": 4}
a.findings.sort_values("severity", key=lambda s: s.map(order))
"""),
    md("""
## The DNS evidence

Every DNS answer the verdicts rest on, with when it was asked and who answered — and the
blocklist answers that were listings:
"""),
    code("a.dns.head(15)"),
    code('a.dnsbl[a.dnsbl["listed"].fillna(False)]'),
    md("""
## Save a writeup a colleague can re-run

`save_bundle` writes `message.eml` (the raw bytes exactly as read), `evidence.jsonl` (every
DNS answer used), and the writeup as `writeup.html` and `writeup.md`: the verdicts, the
tables, both plots embedded as PNG, and the **provenance** — SHA-256 of the message and of the
evidence, the tool version, the time the checks were judged at, the resolver and the
configuration, plus a digest of the results. `a.to_html(path)` / `a.to_markdown(path)` write
one file only. Notebook 03 re-runs such a bundle offline and checks that everything matches.
"""),
    code("""
paths = report.save_bundle(a, here(BUNDLE_DIR))
{name: str(p) for name, p in paths.items()}
"""),
    code("""
pd.Series(report.provenance(a), name="provenance").to_frame()
"""),
]


# --------------------------------------------------------------------------------------------
# 02 — triage a mailbox
# --------------------------------------------------------------------------------------------

NB02 = [
    md("""
# 02 · Triage a mailbox

A mailbox export (mbox, Maildir, or a folder of `.eml`/`.msg` files) analysed message by
message, in parallel, into one table per message plus long tables keyed by message — then
the overview plots that tell you where to look first, and a drill-down into the worst
message.

**Point it at your own export** with the parameters cell (papermill: `-p SOURCE export.mbox`).
As shipped it triages `sample_mail/export.mbox` (64 messages) offline from the recorded
evidence.
"""),
    code(
        """
SOURCE = "sample_mail/export.mbox"  # mbox, Maildir, a folder of .eml/.msg, or one file
EVIDENCE = "sample_mail/dns/evidence.jsonl"  # recorded DNS answers to replay; None or "" = live DNS
INTERNAL_DOMAINS = ["example.net"]  # your organisation's domains: they place the trust boundary
AS_OF = "2024-03-22T09:00:00+00:00"  # judge at this time (ISO 8601), "delivery", or None for now
WORKERS = 2  # worker processes; None = all cores
TOP = 15  # how many domains / networks the overview plots show
""",
        tags=("parameters",),
    ),
    code(SETUP.replace("from mailforensics import report  # writeups, provenance\n", "")),
    md("""
## Analyse every message

`mf.analyze_many` runs `mf.analyze` on each message across worker processes. A message that
cannot be analysed still gets its row, with `error` filled: nothing is silently dropped.
"""),
    code("""
b = mf.analyze_many(here(SOURCE), ctx=ctx, workers=WORKERS, progress=False)
b
"""),
    md("""
## One row per message

`spf`, `dkim`, `dmarc`, `arc` are the re-verified results; `findings` the number of findings
and `worst_severity` the most severe one; `originating_ip` the client address where the
message entered your relays. Sorted so the most severe come first:
"""),
    code("""
rank = {"error": 0, "alert": 1, "warning": 2, "notice": 3, "info": 4}
messages = b.messages.sort_values("worst_severity", key=lambda s: s.map(rank).fillna(9), kind="stable")
columns = ["message", "subject", "from_domain", "originating_ip", "spf", "dkim", "dmarc", "arc",
           "findings", "worst_severity", "error"]
messages[columns].head(20)
"""),
    md("Did every message go through? Rows with `error` set could not be analysed:"),
    code('b.messages[b.messages["error"].notna()]'),
    md("""
## Authentication outcomes by sending domain

One row per `From:` domain (the most frequent first, with their message counts), one column
per check. Each cell is split into the share of that domain's messages with each result —
green pass, vermillion fail, orange softfail, grey none, hatched not checked — and says how
many passed. A domain you trade with whose DMARC column is not all green is either
misconfigured or being spoofed; a domain seen once with SPF/DKIM pass but DMARC fail is the
look-alike pattern.
"""),
    code("b.plot_auth_matrix(top=TOP)"),
    md("""
## Delays

Left: every hop's delay (the time between a hop and the one before it), on a symmetric log
scale; negative delays — clock skew — are vermillion. A cluster of negative delays from one
relay is a broken clock; a single one in an otherwise clean stream deserves a closer look.
Right: each message's end-to-end transit time (first hop to delivery), with the median.
"""),
    code("b.plot_delays()"),
    md("""
## Top originating networks

Originating IPs grouped into their /24 (IPv4) or /48 (IPv6), the networks that sent the most
messages first; each bar is split by the worst finding severity of its messages, and labelled
with the sending domains seen from it. Many domains from one small network, or a network that
only ever sends alerts, is where to start.
"""),
    code("b.plot_networks(top=TOP)"),
    md("## Which findings, how often"),
    code("""
b.findings.groupby(["severity", "code"]).size().rename("messages").sort_values(ascending=False).to_frame()
"""),
    md("""
## Drill into the worst message

The same analysis as notebook 01, for the top row of the triage table: its path diagram
shows where it came from and what each hop claimed.
"""),
    code("""
worst = messages.iloc[0]["message"]
message = next(m for m in mf.iter_messages(here(SOURCE)) if m.origin == worst)
a = mf.analyze(message, ctx=ctx)
a
"""),
    code("a.plot_path()"),
]


# --------------------------------------------------------------------------------------------
# 03 — reproduce a writeup
# --------------------------------------------------------------------------------------------

NB03 = [
    md("""
# 03 · Reproduce a writeup

A writeup is only as good as a colleague's ability to check it. Given a bundle saved by
notebook 01 (`message.eml`, `evidence.jsonl`, `writeup.html`), this notebook re-runs the
analysis **offline** — every DNS answer from the saved evidence, no socket opened — with the
recorded settings and clock, and checks that the message, the evidence and every result are
the same as the writeup states.

**Point it at a bundle** with `BUNDLE` (papermill: `-p BUNDLE path/to/writeup-bundle`). As
shipped (`BUNDLE = None`) it first makes a bundle from a sample message, exactly as notebook
01 does, so it runs out of the box.
"""),
    code(
        """
BUNDLE = None  # a folder with message.eml, evidence.jsonl and writeup.html; None = make one from the sample
MESSAGE = "sample_mail/eml/31-mailing-list-arc.eml"  # used only when BUNDLE is None
EVIDENCE = "sample_mail/dns/evidence.jsonl"  # used only when BUNDLE is None
INTERNAL_DOMAINS = ["example.net"]  # used only when BUNDLE is None
AS_OF = "2024-03-22T09:00:00+00:00"  # used only when BUNDLE is None
""",
        tags=("parameters",),
    ),
    code(SETUP),
    md("""
## The bundle

With no bundle given, analyse the sample and save one into a temporary folder (the same
`report.save_bundle` notebook 01 calls).
"""),
    code("""
import tempfile

if BUNDLE is None:
    original = mf.analyze(here(MESSAGE), ctx=ctx)
    bundle = Path(tempfile.mkdtemp(prefix="mf-bundle-"))
    report.save_bundle(original, bundle)
else:
    bundle = here(BUNDLE)
sorted(p.name for p in bundle.iterdir())
"""),
    md("""
## What the writeup states

The writeup carries its provenance twice: as a table for people and as a machine-readable
block for this check. `message_sha256` and `evidence_sha256` pin the inputs; `as_of`, the
resolver and `config` pin how it was judged; `results_sha256` is a digest of every result
table (hops, auth, ARC, envelope, findings, blocklists, the SPF trace, the verdicts).
"""),
    code("""
recorded = report.read_provenance(bundle / "writeup.html")
pd.Series(recorded, name="recorded").to_frame()
"""),
    md("""
## Re-run offline

Strict replay of the bundle's evidence (a question it has no answer for raises
`EvidenceMissing` rather than going to the network), at the recorded time, with the recorded
configuration.
"""),
    code("""
replay = mf.Context.offline(
    bundle / "evidence.jsonl",
    now=datetime.fromisoformat(recorded["as_of"]),
    config=report.config_from_provenance(recorded),
)
rerun = mf.analyze(bundle / "message.eml", ctx=replay)
rerun.summary
"""),
    md("""
## Does it match?

One row per item: what the writeup recorded, what the re-run computed, and whether they
match. The cell fails (raises) if anything but the tool version differs — a tool-version
difference is reported but can be harmless.
"""),
    code("""
check = report.compare(rerun, recorded)
check
"""),
    code("""
essential = check[check["item"] != "tool_version"]
if not essential["match"].all():
    raise AssertionError("the re-run does not match the writeup:\\n" + essential[~essential["match"]].to_string())
print("Reproduced: message, evidence, settings and results all match the writeup.")
"""),
    md("""
## The check has teeth

The same comparison for a copy of the message with one header changed: its SHA-256 no
longer matches, and neither do the results that depend on it.
"""),
    code("""
tampered_raw = rerun.message.raw.replace(b"Subject:", b"Subject: [EXTERNAL]", 1)
tampered = mf.analyze(mf.Message.from_bytes(tampered_raw, origin="tampered.eml"), ctx=replay)
report.compare(tampered, recorded)[["item", "match"]]
"""),
    md("""
## Side by side

The re-run's tables are the writeup's tables; here are the findings and the authentication
rows again, so the reader can see them without opening the HTML.
"""),
    code("rerun.auth"),
    code("rerun.findings"),
]


NOTEBOOKS = {
    "01-investigate-a-phish.ipynb": NB01,
    "02-triage-a-mailbox.ipynb": NB02,
    "03-reproduce-a-writeup.ipynb": NB03,
}


def build(name: str, cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("-", 1)[0]
    for number, cell in enumerate(cells, start=1):
        cell["id"] = f"nb{stem}-{number:02d}"  # stable ids: regeneration gives no diff
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def render(name: str, cells: list[nbformat.NotebookNode]) -> str:
    return nbformat.writes(build(name, cells)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook differs from its source")
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        target = HERE / name
        text = render(name, cells)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    if stale:
        print("out of date (run notebooks/make_notebooks.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
