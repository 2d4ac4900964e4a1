"""``mf.analyze_many``: a whole mailbox export on every core, resumable, or on a Dask cluster.

>>> b = mf.analyze_many("export.mbox", ctx=mf.Context.offline("dns.jsonl"), out="results.parquet")  # doctest: +SKIP
>>> b.messages                     # one row per input message, always        # doctest: +SKIP
>>> b.hops, b.auth, b.findings     # long tables keyed by ``message``         # doctest: +SKIP
>>> b.save_evidence("batch.dns.jsonl")                                        # doctest: +SKIP

How the work is split
---------------------
* A **single uncompressed mbox** is split into byte ranges at ``From `` separators (the
  rule of :mod:`mailforensics.sources`: not a ``From  :`` header field), so one
  big file keeps every worker busy: the parent scans the file once (byte searches, no
  parsing) for the separators, for mboxrd quoting evidence (``^>>From``) and for
  ``Content-Length`` header fields, and each worker reads and splits its own ranges with
  :func:`~mailforensics.sources.iter_messages`. The messages, their ``origin``
  (``export.mbox#17``), bytes and defects are exactly those ``iter_messages(path)``
  yields. A file whose messages carry ``Content-Length`` header fields (mboxcl/mboxcl2:
  the length, not the separator, may delimit a message) is read by the parent instead.
* **Anything else** (an ``.eml`` tree, a maildir, a compressed mbox, bytes, a stream) is
  read by the parent with :func:`~mailforensics.sources.iter_messages`, streaming, and
  handed to the workers in chunks.
* Chunks are analysed with :func:`mailforensics.analyze` in worker processes
  (``backend="process"``: forked on Linux, so a script needs no ``__main__`` guard;
  spawned elsewhere), in this process (``"serial"``), or on Dask workers (``"dask"``).
  At most two chunks per worker are in flight, so memory stays flat whatever the size
  of the input. A worker turns its chunk's rows into Arrow tables (the rows of every
  table come from :meth:`Analysis.rows <mailforensics.analysis.Analysis.rows>`, without
  a DataFrame per message); the parent only writes them, or keeps them,
  and builds each DataFrame once, on first access, with the dtypes ``frames.conform``
  gives. Every backend gives the same frames, row for row.
* A worker process that dies (out of memory, a crash in C code) does not lose the
  batch: the chunks in flight are retried one at a time, a chunk that kills its worker
  again is retried message by message, and the message that does it gets an ``error``.

DNS
---
Every worker uses one DNS view for the whole batch, and a question asked by a thousand
messages is asked once:

* with a :class:`~mailforensics.resolvers.ReplayResolver` (``mf.Context.offline(path)``)
  each worker gets its own copy of the evidence and replays it strictly;
* with any other resolver (live DNS when ``ctx.resolver`` is None) the parent serves it
  to the workers through a :class:`~mailforensics.resolvers.broker.DNSBroker` (a
  recording resolver behind a loopback socket), and each worker keeps the answers it got.

The batch's evidence (every answer any message's verdicts rest on) is
:attr:`Batch.evidence`, saved as one file by :meth:`Batch.save_evidence`.

Output and resume
-----------------
``out=`` writes a Parquet dataset (a directory: ``messages/``, ``hops/``, ``auth/``,
``findings/``, ... and ``evidence/``), one part file per chunk and table, each written
to a temporary name, flushed to disk and renamed. A chunk's ``messages`` part is renamed
last: it is the commit, and the set of messages done is read from the committed
``messages`` parts only. Re-running with the same ``out`` skips the messages already
there (keyed by ``origin`` and the SHA-256 of the raw bytes) and adds the rest; a run
killed at any moment (SIGKILL included) loses no committed chunk and duplicates none.
One run at a time may write to a dataset (a lock file enforces it).
:meth:`Batch.read` loads a dataset back.

Every input message has exactly one row in :attr:`Batch.messages`. A message that could
not be analysed (analysis raised, e.g. strict replay had no answer; or the worker
process died on it) has ``error`` filled and no rows in the long tables. Its ``date`` is
the topmost Date field in UTC (NaT when there is none or it cannot be read); a 12-hour time
(``12:29:13 AM``) is read on the 24-hour clock, and a date without a time zone (or with
``-0000``) is read as UTC as written, as the path reads it: the time as the sender's clock
showed it, off by the sender's unknown UTC offset.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import email.header
import email.utils
import gc
import io
import json
import os
import re
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mailforensics.addresses import mailboxes
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.message import Message
from mailforensics.path import read_date
from mailforensics.resolvers.evidence import EvidenceRecord

if TYPE_CHECKING:
    import pandas as pd

    from mailforensics.analysis import Analysis

__all__ = ["DEFAULT_TABLES", "MESSAGES_SCHEMA", "Batch", "analyze_many", "build_parser", "run_cli"]

#: The long tables collected by default (names in :data:`mailforensics.analysis.TABLES`).
DEFAULT_TABLES: tuple[str, ...] = ("hops", "auth", "findings", "urls", "attachments")

_TEXT, _FLAG, _COUNT, _TIME = "string", "boolean", "Int64", "datetime64[us, UTC]"

#: The columns of :attr:`Batch.messages`, in order, with their dtypes.
MESSAGES_SCHEMA: Mapping[str, str] = {
    "message": _TEXT,  # origin: "export.mbox#17", a path, a maildir key
    "position": _COUNT,  # 0-based position in the source
    "sha256": _TEXT,
    "size": _COUNT,
    "source_format": _TEXT,
    "error": _TEXT,  # None when analysed
    "subject": _TEXT,
    "from_address": _TEXT,
    "from_domain": _TEXT,
    "message_id": _TEXT,
    "date": _TIME,  # the Date field in UTC; a date without a zone is read as UTC as written
    "originating_ip": _TEXT,
    "hops": _COUNT,
    "boundary_hop": _COUNT,
    "delivered_at": _TIME,
    "spf": _TEXT,  # the MAIL FROM check
    "dkim": _TEXT,  # the best signature's result; "none" when unsigned
    "dkim_domains": _TEXT,
    "dmarc": _TEXT,
    "disposition": _TEXT,
    "arc": _TEXT,  # chain validation status; "none" without ARC sets
    "findings": _COUNT,
    "worst_severity": _TEXT,
}

_SEVERITY_RANK = {"info": 0, "notice": 1, "warning": 2, "alert": 3, "error": 4}
_DKIM_RANK = {"pass": 0, "fail": 1, "policy": 2, "neutral": 3, "temperror": 4, "permerror": 5}
_DEFAULT_CHUNK = 200
_MAX_CHUNK_BYTES = 16 << 20
_SCAN_CHUNK = 8 << 20
_SCAN_TAIL = 4096
_CONTENT_LENGTH = re.compile(rb"\ncontent-length[ \t]*:", re.IGNORECASE)
_MBOXRD_EVIDENCE = re.compile(rb"\n>>+From ")
# A line starting "From " and the blanks after it: a separator unless a ":" follows
# (a "From  :" header field, RFC 5322 §4.5), as sources.iter_messages reads it.
_FROM_LINE = re.compile(rb"From [ \t]*")
_SEPARATOR_CANDIDATE = re.compile(rb"\nFrom [ \t]*")
_COMPRESSED = (b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh")
_DATASET_FORMAT = "mailforensics-batch"
_DATASET_VERSION = 1
_META = "_mailforensics_batch.json"
_LOCK = ".lock"
BACKENDS = ("process", "serial", "dask")


# =============================================================================================
# Tasks and the worker
# =============================================================================================


@dataclass(frozen=True, slots=True)
class _RangeTask:
    """Messages ``first`` .. ``first + count - 1`` of an mbox: bytes ``start``..``stop``."""

    seq: int
    path: str
    origin: str
    start: int
    stop: int
    first: int
    count: int
    variant: str
    data: bytes | None = None  # the bytes, when the worker cannot read the file (Dask)
    done: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _MessagesTask:
    """Messages read by the parent; ``first`` is the position of the first one."""

    seq: int
    messages: tuple[Message, ...]
    first: int


_Task = _RangeTask | _MessagesTask


@dataclass
class _ChunkResult:
    seq: int
    first: int | None = None  # position of the first message analysed
    tables: dict[str, Any] = field(default_factory=dict)  # name → pyarrow.Table ("messages" too)
    keys: list[tuple[str, str]] = field(default_factory=list)
    records: list[EvidenceRecord] = field(default_factory=list)
    analysed: int = 0
    skipped: int = 0
    errors: int = 0


@dataclass(frozen=True)
class _WorkerSpec:
    """What every worker needs: the context (with its resolver), the tables, and a token."""

    ctx: Context
    tables: tuple[str, ...]
    send_all_records: bool = False
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _pread_all(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset`` (fewer only at the end of the file)."""
    parts = []
    while size > 0:
        chunk = os.pread(fd, min(size, 1 << 30), offset)
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(parts)


def _range_messages(task: _RangeTask) -> Iterator[Message]:
    """The messages of an mbox byte range, as ``iter_messages(path)`` yields them."""
    from mailforensics.sources import iter_messages

    data = task.data
    if data is None:
        with open(task.path, "rb", buffering=0) as f:
            data = _pread_all(f.fileno(), task.stop - task.start, task.start)
    base = task.origin
    for k, m in enumerate(iter_messages(io.BytesIO(data), variant=task.variant)):
        index = task.first + k
        defects = m.defects
        if index != k:  # defects say where they are: "mbox message <index>"
            local, real = f"mbox message {k}", f"mbox message {index}"
            if any(d.where == local for d in defects):
                defects = tuple(dataclasses.replace(d, where=real) if d.where == local else d for d in defects)
        yield dataclasses.replace(m, origin=f"{base}#{index}", defects=defects)


def _task_messages(task: _Task) -> Iterator[tuple[int, Message]]:
    """(position, message) for every message of a task."""
    if isinstance(task, _MessagesTask):
        return enumerate(task.messages, start=task.first)
    return enumerate(_range_messages(task), start=task.first)


def _decoded(value: str | None) -> str | None:
    if value is None or "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # a malformed encoded-word: keep the text as written
        return value


def _date(value: str | None) -> datetime | None:
    """The ``date`` column: the topmost Date field as an aware UTC datetime, or None.

    Read as the path reads it (:func:`mailforensics.path.read_date`): comments dropped (so
    ``00:19:00 (EDT) -0400`` keeps its zone), a 12-hour time (``12:29:13 AM``, not RFC
    5322 but written by some old mailers) turned into the 24-hour clock. A date without a
    zone (or with ``-0000``, RFC 5322's "local time unknown") is read as UTC as written:
    the wall-clock time is kept, but it may be off by the sender's unknown UTC offset.
    """
    return read_date(value)[0]


_ROW_HEADERS = ("from", "subject", "message-id", "date")


def _first_fields(message: Message) -> dict[str, str]:
    """The unfolded value of the topmost From, Subject, Message-ID and Date (one pass)."""
    found: dict[str, str] = {}
    for h in message.headers:
        name = h.name.lower()
        if name in _ROW_HEADERS and name not in found:
            found[name] = h.unfolded
            if len(found) == len(_ROW_HEADERS):
                break
    return found


def _from_address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        found = [a for _, a in mailboxes(value) if a]
    except Exception:
        return None
    return found[0] if found else None


def _domain_part(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower() or None


def _base_row(message: Message, position: int) -> dict[str, Any]:
    """The columns read from the message itself (filled even when analysis fails)."""
    fields = _first_fields(message)
    return {
        "message": message.origin,
        "position": position,
        "sha256": message.sha256,
        "size": len(message.raw),
        "source_format": message.source_format,
        "error": None,
        "subject": _decoded(fields.get("subject")),
        "from_address": fields.get("from"),  # the raw value until _finish_row parses it
        "from_domain": None,
        "message_id": fields.get("message-id"),
        "date": _date(fields.get("date")),
    }


def _finish_row(row: dict[str, Any], author: Any = None) -> None:
    """The From address and domain: the analysis's author (RFC 5322.From, as DMARC reads
    it) when there is one, else the first address in the topmost From field."""
    addresses = getattr(author, "addresses", None)
    if addresses:
        row["from_address"] = addresses[0]
    else:
        row["from_address"] = _from_address(row["from_address"])
    if row["from_domain"] is None:
        row["from_domain"] = getattr(author, "domain", None) or _domain_part(row["from_address"])


def _summary(a: Analysis, row: dict[str, Any]) -> None:
    """Fill the verdict columns of a message row from its analysis."""
    path = a.trace.path
    row["originating_ip"] = path.originating_ip
    row["hops"] = len(path.hops)
    row["boundary_hop"] = path.boundary_hop
    row["delivered_at"] = path.delivered_at
    v = a.verification
    if v is not None:
        row["spf"] = v.spf_mailfrom.result if v.spf_mailfrom is not None else None
        if v.dkim:
            row["dkim"] = min((r.result for r in v.dkim), key=lambda x: _DKIM_RANK.get(x, 9))
            row["dkim_domains"] = ", ".join(dict.fromkeys(r.domain for r in v.dkim if r.domain)) or None
        else:
            row["dkim"] = "none"
        row["dmarc"] = v.dmarc.result
        row["disposition"] = v.dmarc.disposition
        row["arc"] = v.arc.cv if v.arc is not None else None
    found = a.all_findings
    _finish_row(row, v.author if v is not None else None)
    row["findings"] = len(found)
    if found:
        row["worst_severity"] = str(max(found, key=lambda f: _SEVERITY_RANK.get(str(f.severity), 0)).severity)


class _Worker:
    """Analyses chunks; one per worker process (or one in this process for ``serial``)."""

    def __init__(self, spec: _WorkerSpec) -> None:
        from mailforensics.analysis import TABLES

        self.spec = spec
        self.ctx = spec.ctx
        self.sent: set[tuple[str, str]] = set()
        self.tables = tuple(t for t in spec.tables if t in TABLES)

    def run(self, task: _Task) -> _ChunkResult:
        from mailforensics.analysis import analyze

        out = _ChunkResult(seq=task.seq)
        done = task.done if isinstance(task, _RangeTask) else {}
        keys: dict[tuple[str, str], EvidenceRecord] = {}
        messages: list[dict[str, Any]] = []
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}
        for position, message in _task_messages(task):
            if done and message.sha256 in done.get(message.origin, ()):
                out.skipped += 1
                continue
            if out.first is None:
                out.first = position
            row = _base_row(message, position)
            try:
                a = analyze(message, ctx=self.ctx)
                _summary(a, row)
                # Plain rows (Analysis.rows), not a DataFrame per message and table: the
                # chunk's rows become one Arrow table per table below.
                tables = {table: a.rows(table) for table in self.tables}
            except Exception as exc:  # the message gets an error, the batch goes on
                row["error"] = f"{type(exc).__name__}: {exc}"
                _finish_row(row)
                out.errors += 1
            else:
                origin = message.origin
                for table, table_rows in tables.items():
                    bucket = rows[table]
                    for r in table_rows:
                        r["message"] = origin
                        bucket.append(r)
                for record in a.evidence:
                    keys.setdefault((record.answer.name, record.answer.rdtype), record)
            messages.append(row)
            out.analysed += 1
        if messages:
            out.tables["messages"] = _arrow("messages", messages)
            for table, table_rows in rows.items():
                if table_rows:
                    out.tables[table] = _arrow(table, table_rows)
        out.keys = list(keys)
        if self.spec.send_all_records:
            out.records = list(keys.values())
        else:
            out.records = [r for k, r in keys.items() if k not in self.sent]
            self.sent.update(keys)
        return out


# --- process and Dask entry points (module level, so they pickle by name) ---------------------

_PROCESS_WORKER: _Worker | None = None
_DASK_WORKERS: dict[str, _Worker] = {}
_DASK_LOCK = threading.Lock()


#: Descriptors a forked worker must not keep: the dataset lock (a flock is held while any
#: descriptor of it is open, so a worker orphaned by a SIGKILLed parent would otherwise
#: keep a resumed run out until it noticed and exited).
_PARENT_ONLY_FDS: set[int] = set()


#: Garbage-collector thresholds while a batch runs: an analysis allocates many small,
#: short-lived objects and few cycles, and the default (a young collection every 700
#: allocations, a full one every 70,000) costs about a tenth of the time.
_BATCH_GC_THRESHOLD = (50_000, 20, 100)


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    """The batch's GC thresholds in this process, restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*_BATCH_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _init_process_worker(spec: _WorkerSpec) -> None:
    global _PROCESS_WORKER
    for fd in tuple(_PARENT_ONLY_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _PARENT_ONLY_FDS.clear()
    # Everything inherited from the parent (modules, the PSL, the look-alike tables) is
    # moved out of the collector's reach: a collection writes to every object it visits,
    # which would copy the pages forked workers share with the parent (gc.freeze docs).
    gc.freeze()
    gc.set_threshold(*_BATCH_GC_THRESHOLD)
    _PROCESS_WORKER = _Worker(spec)


def _process_run(task: _Task) -> _ChunkResult:
    assert _PROCESS_WORKER is not None, "worker not initialised"
    return _PROCESS_WORKER.run(task)


def _dask_run(spec: _WorkerSpec, task: _Task) -> _ChunkResult:
    with _DASK_LOCK:
        worker = _DASK_WORKERS.get(spec.token)
        if worker is None:
            worker = _DASK_WORKERS[spec.token] = _Worker(spec)
    return worker.run(task)


def _dask_forget(token: str) -> None:
    with _DASK_LOCK:
        _DASK_WORKERS.pop(token, None)


# =============================================================================================
# Planning: byte ranges of one mbox, or chunks of a message stream
# =============================================================================================


@dataclass
class _MboxPlan:
    path: str
    origin: str
    separators: array  # offsets of every "From " separator line, and the file size last
    variant: str

    @property
    def total(self) -> int:
        return len(self.separators) - 1


def _scan_mbox(path: str, origin: str, variant: str) -> _MboxPlan | None:
    """Find the message boundaries of an uncompressed mbox, or None when the file must be
    read serially (not an mbox, compressed, or Content-Length header fields present)."""
    if variant == "mboxcl2":
        return None
    try:
        with open(path, "rb", buffering=0) as f:
            head = f.read(16)
            if not head.startswith(b"From ") or head.startswith(_COMPRESSED):
                return None
            blanks = _FROM_LINE.match(head)
            if blanks is None or blanks.end() == len(head) or head[blanks.end()] == 0x3A:
                return None  # a "From  :" header field (one message), or undecided: read serially
            f.seek(0)
            separators = array("q", [0])
            rd = False
            lengths: list[int] = []
            position = 0
            tail = b""
            pending = -1  # a "From " line whose blanks ran to the end of the data read so far
            while True:
                chunk = f.read(_SCAN_CHUNK)
                if not chunk:
                    if pending >= 0:  # blanks up to the end of the file: a separator line
                        separators.append(pending)
                    break
                window = tail + chunk
                base = position - len(tail)
                last = separators[-1]
                pending = -1
                for m in _SEPARATOR_CANDIDATE.finditer(window):
                    p = base + m.start() + 1
                    if p <= last:
                        continue
                    if m.end() == len(window):  # decided by the next chunk, which re-reads the tail
                        if m.start() < len(window) - _SCAN_TAIL:
                            return None  # a blank run longer than the tail: read serially
                        pending = p
                    elif window[m.end()] != 0x3A:  # not a "From  :" header field
                        separators.append(p)
                if not rd and _MBOXRD_EVIDENCE.search(window):
                    rd = True
                if variant == "auto":
                    for m in _CONTENT_LENGTH.finditer(window):
                        p = base + m.start() + 1
                        if not lengths or p > lengths[-1]:
                            lengths.append(p)
                position += len(chunk)
                tail = window[-_SCAN_TAIL:]
            separators.append(position)
            for p in lengths:  # a Content-Length in a header block may delimit the message
                k = bisect.bisect_right(separators, p) - 1
                region = _pread_all(f.fileno(), p - separators[k], separators[k])
                header = region[region.find(b"\n") + 1 :]
                if not (header.startswith((b"\n", b"\r\n")) or b"\n\n" in header or b"\n\r\n" in header):
                    return None
    except OSError:
        return None
    if variant == "auto" and rd:
        variant = "mboxrd"  # decided for the whole file, as iter_messages does
    return _MboxPlan(path=path, origin=origin, separators=separators, variant=variant)


def _range_tasks(
    plan: _MboxPlan, chunk: int, done: Mapping[str, set[str]], seq: Iterator[int], *, ship_bytes: bool
) -> Iterator[_RangeTask]:
    seps = plan.separators
    n = plan.total
    i = 0
    fd = os.open(plan.path, os.O_RDONLY) if ship_bytes else -1
    try:
        while i < n:
            j = i + 1
            while j < n and j - i < chunk and seps[j + 1] - seps[i] <= _MAX_CHUNK_BYTES:
                j += 1
            sub: dict[str, frozenset[str]] = {}
            if done:
                for k in range(i, j):
                    origin = f"{plan.origin}#{k}"
                    if origin in done:
                        sub[origin] = frozenset(done[origin])
            data = _pread_all(fd, seps[j] - seps[i], seps[i]) if ship_bytes else None
            yield _RangeTask(
                seq=next(seq),
                path=plan.path,
                origin=plan.origin,
                start=seps[i],
                stop=seps[j],
                first=i,
                count=j - i,
                variant=plan.variant,
                data=data,
                done=sub,
            )
            i = j
    finally:
        if fd >= 0:
            os.close(fd)


def _single_range_tasks(task: _RangeTask, plan: _MboxPlan | None, seq: Iterator[int]) -> list[_Task]:
    """One task per message of ``task`` (to find the message that kills a worker)."""
    if plan is None:
        return [task]
    seps = plan.separators
    out: list[_Task] = []
    for k in range(task.first, task.first + task.count):
        origin = f"{plan.origin}#{k}"
        data = None
        if task.data is not None:
            data = task.data[seps[k] - task.start : seps[k + 1] - task.start]
        done = {origin: task.done[origin]} if origin in task.done else {}
        out.append(
            _RangeTask(
                seq=next(seq),
                path=plan.path,
                origin=plan.origin,
                start=seps[k],
                stop=seps[k + 1],
                first=k,
                count=1,
                variant=plan.variant,
                data=data,
                done=done,
            )
        )
    return out


def _stream_tasks(
    messages: Iterator[Message], chunk: int, done: Mapping[str, set[str]], seq: Iterator[int], skipped: list[int]
) -> Iterator[_MessagesTask]:
    batch: list[Message] = []
    size = 0
    first = 0
    position = 0
    for message in messages:
        if done and message.sha256 in done.get(message.origin, ()):
            skipped[0] += 1
            position += 1
            if batch:  # a chunk holds consecutive positions only
                yield _MessagesTask(seq=next(seq), messages=tuple(batch), first=first)
                batch, size = [], 0
            continue
        if not batch:
            first = position
        batch.append(message)
        size += len(message.raw)
        position += 1
        if len(batch) >= chunk or size >= _MAX_CHUNK_BYTES:
            yield _MessagesTask(seq=next(seq), messages=tuple(batch), first=first)
            batch, size = [], 0
    if batch:
        yield _MessagesTask(seq=next(seq), messages=tuple(batch), first=first)


# =============================================================================================
# Frames
# =============================================================================================


# Rows become Arrow tables in the workers (pyarrow converts in C, and Arrow tables travel
# between processes and into Parquet without copies); they become DataFrames once, when a
# table is asked for, with the dtypes frames.conform gives (string, boolean, Int64,
# float64, datetime64[us, UTC]).

_ARROW_TYPES = {"string": "string", "boolean": "bool_", "Int64": "int64", "float64": "float64", _TIME: "ts"}


def _schema(table: str) -> dict[str, str]:
    """Column → dtype of a batch table (``message`` first)."""
    from mailforensics import frames

    if table == "messages":
        return dict(MESSAGES_SCHEMA)
    return {"message": _TEXT, **frames.SCHEMAS[table]}


def _arrow_schema(schema: Mapping[str, str]) -> Any:
    import pyarrow as pa

    fields = []
    for column, dtype in schema.items():
        kind = _ARROW_TYPES[dtype]
        typ = pa.timestamp("us", tz="UTC") if kind == "ts" else getattr(pa, kind)()
        fields.append(pa.field(column, typ))
    return pa.schema(fields)


def _arrow(table: str, rows: list[dict[str, Any]]) -> Any:
    """One chunk's rows of ``table`` as a pyarrow Table."""
    import pyarrow as pa

    from mailforensics import frames

    schema = _schema(table)
    arrow = _arrow_schema(schema)
    try:
        return pa.Table.from_pylist(rows, schema=arrow)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        # A value pyarrow will not take as is: let pandas coerce it as conform does.
        return pa.Table.from_pandas(frames.build_frame(rows, schema), schema=arrow, preserve_index=False)


def _to_pandas(table: str, parts: Sequence[Any]) -> pd.DataFrame:
    """Arrow parts of ``table`` → one DataFrame with the declared dtypes (empty if none)."""
    import pandas as pd
    import pyarrow as pa

    schema = _schema(table)
    arrow = _arrow_schema(schema)
    tables = [p.select(arrow.names).cast(arrow) if p.schema != arrow else p for p in parts]
    combined = pa.concat_tables(tables) if tables else arrow.empty_table()
    mapping = {
        pa.string(): pd.api.types.pandas_dtype("string"),
        pa.large_string(): pd.api.types.pandas_dtype("string"),
        pa.int64(): pd.api.types.pandas_dtype("Int64"),
        pa.bool_(): pd.api.types.pandas_dtype("boolean"),
    }
    df = combined.to_pandas(types_mapper=mapping.get)
    for column, dtype in schema.items():  # all-null columns and the like
        if str(df[column].dtype) != dtype:
            df[column] = df[column].astype(pd.api.types.pandas_dtype(dtype))
    return df


def _order_long(frame: pd.DataFrame, positions: Mapping[str, int]) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    order = frame["message"].astype(object).map(positions).fillna(-1).to_numpy()
    import numpy as np

    idx = np.argsort(order, kind="stable")
    return frame.iloc[idx].reset_index(drop=True)


# =============================================================================================
# The dataset on disk
# =============================================================================================


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class _Dataset:
    """A batch's Parquet dataset: ``<out>/<table>/part-*.parquet``, committed by chunk."""

    def __init__(self, root: Path, tables: Sequence[str]) -> None:
        self.root = root
        self.run = f"{int(time.time()):x}{uuid.uuid4().hex[:8]}"
        self._lock_fd: int | None = None
        if root.exists() and not root.is_dir():
            raise InputError(f"out={str(root)!r} exists and is not a directory (a Parquet dataset is a directory)")
        meta_path = root / _META
        if root.is_dir() and any(root.iterdir()) and not meta_path.is_file():
            raise InputError(f"out={str(root)!r} is a non-empty directory that is not a mailforensics batch dataset")
        root.mkdir(parents=True, exist_ok=True)
        self._lock()
        if meta_path.is_file():
            meta = _read_meta(root)
            if tuple(meta["tables"]) != tuple(tables):
                self.close()
                raise InputError(
                    f"out={str(root)!r} holds the tables {meta['tables']}, not {list(tables)}: "
                    "resume with the same tables, or write to another directory"
                )
        else:
            meta = {
                "format": _DATASET_FORMAT,
                "version": _DATASET_VERSION,
                "tables": list(tables),
                "created_at": datetime.now(UTC).isoformat(),
            }
            _write_atomic(meta_path, lambda fh: fh.write(json.dumps(meta, indent=1).encode()))
        self.tables = tuple(tables)
        for sub in ("messages", "evidence", *self.tables):
            (root / sub).mkdir(exist_ok=True)
        self._clean()

    def _lock(self) -> None:
        import fcntl

        fd = os.open(self.root / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise InputError(f"another run is writing to {str(self.root)!r}") from None
        self._lock_fd = fd
        _PARENT_ONLY_FDS.add(fd)

    def close(self) -> None:
        if self._lock_fd is not None:
            _PARENT_ONLY_FDS.discard(self._lock_fd)
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _clean(self) -> None:
        """Remove what a killed run left half-written: temporary files, and parts of
        chunks whose messages part was never committed."""
        committed = {p.stem for p in (self.root / "messages").glob("part-*.parquet")}
        for sub in self.root.iterdir():
            if not sub.is_dir():
                continue
            for p in sub.iterdir():
                orphan = sub.name != "messages" and p.name.startswith("part-") and p.stem not in committed
                if orphan or p.name.endswith(".tmp"):
                    p.unlink(missing_ok=True)

    def done(self) -> dict[str, set[str]]:
        """origin → SHA-256 values already committed."""
        import pyarrow.parquet as pq

        done: dict[str, set[str]] = {}
        for p in sorted((self.root / "messages").glob("part-*.parquet")):
            t = pq.read_table(p, columns=["message", "sha256"])
            for origin, sha in zip(t.column("message").to_pylist(), t.column("sha256").to_pylist(), strict=True):
                done.setdefault(origin, set()).add(sha)
        return done

    def committed_keys(self) -> set[tuple[str, str]]:
        keys: set[tuple[str, str]] = set()
        for record in _read_evidence(self.root):
            keys.add((record.answer.name, record.answer.rdtype))
        return keys

    def commit(self, first: int, seq: int, tables: Mapping[str, Any], evidence: Sequence[EvidenceRecord]) -> None:
        """Write one chunk: its long tables and evidence, then its messages (the commit)."""
        import pyarrow.parquet as pq

        from mailforensics import __version__
        from mailforensics.resolvers.evidence import header_line, record_line

        stem = f"part-{first:012d}-{self.run}-{seq:06d}"

        def parquet(table: Any) -> Callable[[IO[bytes]], None]:
            return lambda fh: pq.write_table(table, fh)

        for name, table in tables.items():
            if name != "messages":
                _write_atomic(self.root / name / f"{stem}.parquet", parquet(table))
        if evidence:
            lines = [header_line(datetime.now(UTC), f"mailforensics {__version__}")]
            lines.extend(record_line(r) for r in evidence)
            text = ("\n".join(lines) + "\n").encode("utf-8")
            _write_atomic(self.root / "evidence" / f"{stem}.jsonl", lambda fh: fh.write(text))
        # The commit: once the messages part exists, the chunk is done.
        _write_atomic(self.root / "messages" / f"{stem}.parquet", parquet(tables["messages"]))
        _fsync_dir(self.root / "messages")


def _read_meta(root: Path) -> dict[str, Any]:
    try:
        meta = json.loads((root / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{str(root)!r} is not a mailforensics batch dataset ({exc})") from exc
    if meta.get("format") != _DATASET_FORMAT or meta.get("version") != _DATASET_VERSION:
        raise InputError(f"{str(root)!r}: unknown dataset format {meta.get('format')!r} v{meta.get('version')!r}")
    return meta


def _committed_stems(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "messages").glob("part-*.parquet"))


def _read_evidence(root: Path) -> list[EvidenceRecord]:
    from mailforensics.resolvers.evidence import parse_line

    stems = set(_committed_stems(root))
    out: list[EvidenceRecord] = []
    for p in sorted((root / "evidence").glob("part-*.jsonl")):
        if p.stem not in stems:
            continue
        for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if number == 1 or not line.strip():
                continue
            out.append(parse_line(line, f"{p}:{number}"))
    return out


def _read_parts(root: Path, table: str, stems: Sequence[str]) -> list[Any]:
    import pyarrow.parquet as pq

    files = [root / table / f"{s}.parquet" for s in stems]
    return [pq.read_table(f) for f in files if f.is_file()]


# =============================================================================================
# Batch
# =============================================================================================


class Batch:
    """The result of :func:`analyze_many`: one row per message, long tables, evidence.

    Attributes
    ----------
    messages
        One row per input message (columns :data:`MESSAGES_SCHEMA`), in input order;
        ``error`` is filled for a message that could not be analysed.
    hops, auth, findings, urls, attachments, ...
        The long tables, each with a ``message`` key column first (the origin, as in
        ``messages.message``); any collected table is also ``batch.table(name)``.
    evidence
        The DNS answers the batch's verdicts rest on (one per question).
    stats
        Counts and timing of the run that made it (empty for :meth:`read`).
    path
        The dataset directory, when the batch was written with ``out=`` or read.
    """

    def __init__(
        self,
        *,
        tables: Sequence[str],
        parts: Mapping[str, Sequence[Any]] | None = None,
        evidence: Sequence[EvidenceRecord] = (),
        path: Path | None = None,
        stats: Mapping[str, Any] | None = None,
    ) -> None:
        self.tables = tuple(tables)
        self.path = path
        self.stats: dict[str, Any] = dict(stats or {})
        self._parts: dict[str, list[Any]] | None = {k: list(v) for k, v in parts.items()} if parts is not None else None
        self._frames: dict[str, pd.DataFrame] = {}
        self._evidence: tuple[EvidenceRecord, ...] | None = (
            tuple(sorted(evidence, key=lambda r: (r.answer.name, r.answer.rdtype))) if path is None else None
        )
        self._positions: dict[str, int] | None = None
        self._ordered = True

    # --- loading ---------------------------------------------------------------------------
    @classmethod
    def read(cls, out: str | os.PathLike[str]) -> Batch:
        """Load a dataset written by ``analyze_many(..., out=...)`` (lazily, table by table).

        Parameters
        ----------
        out
            The dataset directory.
        """
        root = Path(out)
        if not root.is_dir():
            raise InputError(f"no batch dataset at {str(root)!r}")
        meta = _read_meta(root)
        return cls(tables=meta["tables"], path=root)

    def _load(self, name: str) -> pd.DataFrame:
        if name in self._frames:
            return self._frames[name]
        if self.path is None:
            frame = _to_pandas(name, (self._parts or {}).pop(name, []))
            self._frames[name] = frame
            return frame
        stems = _committed_stems(self.path)
        if name == "messages":
            frame = _to_pandas("messages", _read_parts(self.path, "messages", stems))
            positions = frame["position"].to_numpy(dtype="int64", na_value=-1)
            self._ordered = bool((positions[1:] >= positions[:-1]).all()) if len(positions) > 1 else True
            if not self._ordered:
                frame = frame.sort_values("position", kind="stable").reset_index(drop=True)
        else:
            messages = self._load("messages")
            frame = _to_pandas(name, _read_parts(self.path, name, stems))
            if not self._ordered:
                frame = _order_long(frame, self._position_map(messages))
        self._frames[name] = frame
        return frame

    def _position_map(self, messages: pd.DataFrame) -> dict[str, int]:
        if self._positions is None:
            self._positions = dict(
                zip(messages["message"].astype(object), messages["position"].astype(object), strict=True)
            )
        return self._positions

    # --- tables ----------------------------------------------------------------------------
    @property
    def messages(self) -> pd.DataFrame:
        """One row per input message (see :data:`MESSAGES_SCHEMA`)."""
        return self._load("messages")

    def table(self, name: str) -> pd.DataFrame:
        """A long table by name (``"hops"``, ``"auth"``, ...), ``message`` column first."""
        if name == "messages":
            return self.messages
        if name not in self.tables:
            raise KeyError(f"this batch has no {name!r} table; it has {', '.join(self.tables)}")
        return self._load(name)

    @property
    def hops(self) -> pd.DataFrame:
        """Every message's Received hops (``message``, then the ``hops`` columns)."""
        return self.table("hops")

    @property
    def auth(self) -> pd.DataFrame:
        """Every message's SPF / DKIM / ARC / DMARC checks beside their claims."""
        return self.table("auth")

    @property
    def findings(self) -> pd.DataFrame:
        """Every message's findings."""
        return self.table("findings")

    @property
    def urls(self) -> pd.DataFrame:
        """Every message's URLs."""
        return self.table("urls")

    @property
    def attachments(self) -> pd.DataFrame:
        """Every message's attachments."""
        return self.table("attachments")

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", ())
        if name in tables:
            return self.table(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def errors(self) -> pd.DataFrame:
        """The rows of :attr:`messages` whose analysis failed."""
        m = self.messages
        return m[m["error"].notna()].reset_index(drop=True)

    # --- evidence --------------------------------------------------------------------------
    @property
    def evidence(self) -> tuple[EvidenceRecord, ...]:
        """Every DNS answer used, one per question, sorted by name and type."""
        if self._evidence is None:
            found: dict[tuple[str, str], EvidenceRecord] = {}
            if self.path is not None:
                for r in _read_evidence(self.path):
                    found.setdefault((r.answer.name, r.answer.rdtype), r)
            self._evidence = tuple(sorted(found.values(), key=lambda r: (r.answer.name, r.answer.rdtype)))
        return self._evidence

    @property
    def dns(self) -> pd.DataFrame:
        """The evidence as a DataFrame (the ``dns`` table of one analysis, for the batch)."""
        from mailforensics import frames

        return frames.dns_frame(self.evidence)

    def save_evidence(self, path: str | os.PathLike[str]) -> Path:
        """Write the batch's DNS evidence as one file, for ``mf.Context.offline(path)``.

        Parameters
        ----------
        path
            Where to write it (JSON Lines, see :mod:`mailforensics.resolvers.evidence`).
        """
        from mailforensics import __version__
        from mailforensics.resolvers.evidence import header_line, record_line

        lines = [header_line(datetime.now(UTC), f"mailforensics {__version__}")]
        lines.extend(record_line(r) for r in self.evidence)
        target = Path(path)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target

    # --- plots (mailforensics.plot) ---------------------------------------------------------
    def plot_auth_matrix(self, **kwargs: Any) -> Any:
        """SPF / DKIM / DMARC / ARC outcomes by sender domain: :func:`mailforensics.plot.plot_auth_matrix`."""
        from mailforensics import plot

        return plot.plot_auth_matrix(self, **kwargs)

    def plot_delays(self, **kwargs: Any) -> Any:
        """The hop delay distribution: :func:`mailforensics.plot.plot_delays`."""
        from mailforensics import plot

        return plot.plot_delays(self, **kwargs)

    def plot_networks(self, **kwargs: Any) -> Any:
        """Where the messages came from: :func:`mailforensics.plot.plot_networks`."""
        from mailforensics import plot

        return plot.plot_networks(self, **kwargs)

    def __len__(self) -> int:
        return len(self.messages)

    def __repr__(self) -> str:
        where = f" path={str(self.path)!r}" if self.path is not None else ""
        if self.path is not None and "messages" not in self._frames:
            return f"<Batch{where} tables={list(self.tables)}>"
        m = self.messages
        errors = int(m["error"].notna().sum())
        return f"<Batch messages={len(m)} errors={errors}{where} tables={list(self.tables)}>"


# =============================================================================================
# Running
# =============================================================================================


class _Progress:
    def __init__(self, enabled: bool, total: int | None) -> None:
        self.bar: Any = None
        self.errors = 0
        self.skipped = 0
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="msg", desc="analyze_many", dynamic_ncols=True, smoothing=0.1)

    def set_total(self, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.refresh()

    def update(self, result: _ChunkResult) -> None:
        self.errors += result.errors
        self.skipped += result.skipped
        if self.bar is not None:
            self.bar.update(result.analysed + result.skipped)
            post = {"errors": self.errors}
            if self.skipped:
                post["skipped"] = self.skipped
            self.bar.set_postfix(post, refresh=False)

    def skip(self, n: int) -> None:
        if n:
            self.skipped += n
            if self.bar is not None:
                self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Collector:
    """Receives chunk results in the parent: tables, evidence, the dataset commits."""

    def __init__(self, tables: Sequence[str], dataset: _Dataset | None, progress: _Progress) -> None:
        self.tables = tuple(tables)
        self.dataset = dataset
        self.progress = progress
        self.records: dict[tuple[str, str], EvidenceRecord] = {}
        self.committed: set[tuple[str, str]] = dataset.committed_keys() if dataset is not None else set()
        self.chunks: dict[tuple[int, int], dict[str, Any]] = {}  # (first position, seq) → tables
        self.analysed = self.skipped = self.errors = 0

    def add(self, result: _ChunkResult) -> None:
        for r in result.records:
            self.records.setdefault((r.answer.name, r.answer.rdtype), r)
        self.analysed += result.analysed
        self.skipped += result.skipped
        self.errors += result.errors
        if "messages" in result.tables:
            if self.dataset is not None:
                new = [self.records[k] for k in result.keys if k not in self.committed and k in self.records]
                self.dataset.commit(result.first or 0, result.seq, result.tables, new)
                self.committed.update(result.keys)
            else:
                self.chunks[(result.first or 0, result.seq)] = result.tables
        self.progress.update(result)

    def parts(self) -> dict[str, list[Any]]:
        ordered = [self.chunks[k] for k in sorted(self.chunks)]
        return {name: [c[name] for c in ordered if name in c] for name in ("messages", *self.tables)}


def _failed_result(task: _Task, reason: str, tables: Sequence[str]) -> _ChunkResult:
    """Rows with ``error`` for the messages of a task that no worker could finish."""
    out = _ChunkResult(seq=task.seq)
    done = task.done if isinstance(task, _RangeTask) else {}
    rows: list[dict[str, Any]] = []
    for position, message in _task_messages(task):
        if done and message.sha256 in done.get(message.origin, ()):
            out.skipped += 1
            continue
        if out.first is None:
            out.first = position
        row = _base_row(message, position)
        _finish_row(row)
        row["error"] = reason
        rows.append(row)
        out.analysed += 1
        out.errors += 1
    if rows:
        out.tables["messages"] = _arrow("messages", rows)
    return out


def _seq_counter(start: int = 0) -> Iterator[int]:
    n = start
    while True:
        yield n
        n += 1


def _run_serial(tasks: Iterator[_Task], spec: _WorkerSpec, collector: _Collector) -> None:
    worker = _Worker(spec)
    with _batch_gc():
        for task in tasks:
            collector.add(worker.run(task))


_WARM_UP = (
    b"Received: from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.net with ESMTP id 1;"
    b" Tue, 2 Jan 2024 10:00:00 +0000\nFrom: A <a@example.org>\nTo: b@example.net\nSubject: warm-up\n"
    b'Content-Type: text/html\n\n<a href="https://www.example.org/x">https://www.example.org/x</a>\n'
)


def _warm_up() -> None:
    """Import and build, in the parent, what every analysis needs (the analysis modules,
    the Public Suffix List, the look-alike tables): forked workers then start with all of
    it instead of each building its own, and share its memory pages."""
    from mailforensics.analysis import analyze
    from mailforensics.context import Config
    from mailforensics.resolvers.zone import ZoneResolver

    with contextlib.suppress(Exception):  # only a warm-up: the batch itself reports problems
        ctx = Context(resolver=ZoneResolver(), now=datetime(2024, 1, 2, tzinfo=UTC), config=Config(dns_checks=False))
        analyze(Message.from_bytes(_WARM_UP), ctx=ctx)


def _mp_context() -> Any:
    """``fork`` on Linux: workers start at once with everything imported and need no
    ``if __name__ == "__main__"`` guard in the calling script. They never touch what the
    parent's threads (the DNS broker, tqdm) hold: they get their own resolver client and
    send rows back. Elsewhere ``spawn`` (the platform default on macOS and Windows)."""
    import multiprocessing as mp

    if sys.platform.startswith("linux"):
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _run_process(
    tasks: Iterator[_Task], spec: _WorkerSpec, collector: _Collector, workers: int, plan: _MboxPlan | None
) -> None:
    """Run the tasks on a process pool, at most two per worker in flight.

    A worker that dies (killed, out of memory, a crash in C code) breaks the pool, and
    every chunk in flight fails with it. Those chunks become suspects: each is run again
    alone on a new pool, so that a second failure can only be its own; a suspect chunk
    that fails alone is split into single messages, and a single message that still kills
    its worker gets an ``error`` row. The others go on as before.
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    mp_ctx = _mp_context()
    forked = mp_ctx.get_start_method() == "fork"
    if forked:
        _warm_up()
        # What the workers inherit stays shared only while nobody writes to it, and a
        # garbage collection in the parent writes to every object it visits: keep the
        # parent's objects out of its collections while the workers run (gc.freeze docs).
        gc.freeze()
    seq = _seq_counter(start=1 << 40)  # split pieces are numbered after every planned chunk
    suspects: list[_Task] = []
    suspect_seqs: set[int] = set()
    limit = workers * 2
    source = iter(tasks)
    exhausted = False

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=mp_ctx, initializer=_init_process_worker, initargs=(spec,)
        )

    pool = new_pool()
    running: dict[Future[_ChunkResult], _Task] = {}
    try:
        while True:
            if suspects:
                if not running:  # a suspect runs alone
                    task = suspects.pop(0)
                    running[pool.submit(_process_run, task)] = task
            else:
                while len(running) < limit and not exhausted:
                    next_task = next(source, None)
                    if next_task is None:
                        exhausted = True
                        break
                    running[pool.submit(_process_run, next_task)] = next_task
            if not running:
                break
            alone = len(running) == 1 and next(iter(running.values())).seq in suspect_seqs
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            failed: list[_Task] = []
            for fut in sorted(finished, key=lambda f: running[f].seq):
                task = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    failed.append(task)
                    continue
                collector.add(result)
            if not failed:
                continue
            failed.extend(running.values())
            running.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()
            if alone:  # it died alone: it is the culprit
                culprit = failed[0]
                size = culprit.count if isinstance(culprit, _RangeTask) else len(culprit.messages)
                if size > 1:
                    pieces = _split_task(culprit, plan, seq)
                    suspect_seqs.update(t.seq for t in pieces)
                    suspects[:0] = pieces
                else:
                    reason = "WorkerDied: the worker process died analysing this message"
                    collector.add(_failed_result(culprit, reason, spec.tables))
            else:
                failed.sort(key=lambda t: t.seq)
                suspect_seqs.update(t.seq for t in failed)
                suspects[:0] = failed
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if forked:
            gc.unfreeze()


def _split_task(task: _Task, plan: _MboxPlan | None, seq: Iterator[int]) -> list[_Task]:
    if isinstance(task, _RangeTask):
        return _single_range_tasks(task, plan, seq)
    return [_MessagesTask(seq=next(seq), messages=(m,), first=task.first + k) for k, m in enumerate(task.messages)]


def _run_dask(tasks: Iterator[_Task], spec: _WorkerSpec, collector: _Collector, client: Any, limit: int) -> None:
    from distributed import as_completed

    spec_future = client.scatter(spec, broadcast=True, hash=False)
    source = iter(tasks)
    pending = as_completed()

    def submit() -> None:
        task = next(source, None)
        if task is not None:
            key = f"mailforensics-batch-{spec.token}-{task.seq}"
            pending.add(client.submit(_dask_run, spec_future, task, pure=False, key=key))

    try:
        for _ in range(limit):
            submit()
        for fut in pending:
            result = fut.result()
            fut.release()
            collector.add(result)
            submit()
    finally:
        with contextlib.suppress(Exception):
            client.cancel(spec_future)
        with contextlib.suppress(Exception):
            client.run(_dask_forget, spec.token)


def _is_replay(resolver: Any) -> bool:
    from mailforensics.resolvers.replay import ReplayResolver

    return isinstance(resolver, ReplayResolver)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def analyze_many(
    source: str | os.PathLike[str] | bytes | IO[bytes] | Iterable[Message],
    *,
    ctx: Context | None = None,
    workers: int | None = None,
    backend: str = "process",
    progress: bool = True,
    out: str | os.PathLike[str] | None = None,
    tables: Sequence[str] | None = None,
    client: Any = None,
    scheduler: str | None = None,
    chunk_size: int = _DEFAULT_CHUNK,
    variant: str = "auto",
) -> Batch:
    """Analyse every message of a mailbox export: all cores, flat memory, resumable.

    Parameters
    ----------
    source
        Anything :func:`mailforensics.iter_messages` reads (an mbox, maildir, ``.eml``
        tree, a directory, bytes, a binary stream), or an iterable of
        :class:`~mailforensics.message.Message`. A single uncompressed mbox is split
        into byte ranges so that every worker has work.
    ctx
        The :class:`~mailforensics.context.Context` for every message: live DNS when
        its resolver is None (every answer recorded, each question asked once for the
        whole batch), or ``mf.Context.offline(path)`` to replay evidence strictly.
    workers
        Worker processes (``"process"``; default: the number of cores) or, for
        ``"dask"`` without a client, the ``LocalCluster`` size. Ignored by ``"serial"``.
    backend
        ``"process"`` (default), ``"serial"`` (this process), or ``"dask"``.
    progress
        Show a tqdm progress bar (``tqdm.auto``: a widget in notebooks): messages done,
        rate, errors so far.
    out
        A directory to write the results to as a Parquet dataset, chunk by chunk. An
        existing dataset is resumed: messages already in it (same origin and SHA-256)
        are skipped. The returned Batch then reads from it.
    tables
        The long tables to collect (names in :data:`mailforensics.analysis.TABLES`);
        default :data:`DEFAULT_TABLES`. An unknown name raises ``InputError``.
    client, scheduler
        For ``backend="dask"``: a ``dask.distributed.Client``, or a scheduler address
        to connect to. Without either, a ``LocalCluster`` of ``workers`` processes on
        this machine (listening on loopback) is started and closed afterwards. With
        live DNS the workers ask a broker in this process, on loopback: a remote
        cluster needs replayed DNS (``mf.Context.offline``).
    chunk_size
        Messages per task (and per part file).
    variant
        The mbox quoting rule (see :func:`~mailforensics.sources.iter_messages`).

    Returns
    -------
    Batch
        ``messages`` (one row per input message, always), the long tables, ``evidence``.

    Raises
    ------
    InputError
        For an unusable source, backend or ``out``; never for a message's content.
    """
    from mailforensics.resolvers.recording import RecordingResolver
    from mailforensics.sources import MBOX_VARIANTS, iter_messages

    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}")
    if variant not in MBOX_VARIANTS:
        raise InputError(f"variant must be one of {', '.join(map(repr, MBOX_VARIANTS))}, not {variant!r}")
    if chunk_size < 1:
        raise InputError("chunk_size must be at least 1")
    if workers is not None and workers < 1:
        raise InputError("workers must be at least 1")
    if (client is not None or scheduler is not None) and backend != "dask":
        raise InputError("client= and scheduler= go with backend='dask'")
    ctx = ctx or Context()
    if isinstance(tables, str):
        raise InputError("tables takes a sequence of names")
    wanted = tuple(dict.fromkeys(tables if tables is not None else DEFAULT_TABLES))
    from mailforensics.analysis import TABLES

    unknown = [t for t in wanted if t not in TABLES]
    if unknown:
        raise InputError(f"unknown table(s) {', '.join(map(repr, unknown))}; tables are {', '.join(TABLES)}")
    n_workers = workers or _cpu_count()
    started = time.perf_counter()

    # What the messages are: byte ranges of one mbox, or a stream read here.
    plan: _MboxPlan | None = None
    messages_iter: Iterator[Message] | None = None
    if isinstance(source, str | os.PathLike):
        origin = os.fsdecode(os.fspath(source))
        if not os.path.exists(origin):
            raise InputError(f"cannot use {source!r} as a message source: no such file or directory")
        if os.path.isfile(origin) and backend != "serial":
            plan = _scan_mbox(origin, origin, variant)
        if plan is None:
            messages_iter = iter_messages(source, variant=variant)
    elif isinstance(source, bytes | bytearray | memoryview) or callable(getattr(source, "read", None)):
        messages_iter = iter_messages(source, variant=variant)  # type: ignore[arg-type]
    elif isinstance(source, Iterable):
        messages_iter = _checked_messages(source)
    else:
        raise InputError(f"cannot use a {type(source).__name__} as a message source")

    dataset = _Dataset(Path(out), wanted) if out is not None else None
    broker = None
    own_client = None
    try:
        done = dataset.done() if dataset is not None else {}
        # DNS: replay copies go to the workers; anything else is shared through a broker.
        resolver = ctx.get_resolver()
        if _is_replay(resolver):
            worker_ctx = ctx
        elif backend == "serial":
            recorder = resolver if isinstance(resolver, RecordingResolver) else RecordingResolver(resolver)
            worker_ctx = Context(resolver=recorder, now=ctx.now, config=ctx.config)
        else:
            from mailforensics.resolvers.broker import DNSBroker

            broker = DNSBroker(resolver)
            worker_ctx = Context(resolver=broker.client(), now=ctx.now, config=ctx.config)
        spec = _WorkerSpec(ctx=worker_ctx, tables=wanted, send_all_records=backend == "dask")

        progress_bar = _Progress(progress, plan.total if plan is not None else None)
        collector = _Collector(wanted, dataset, progress_bar)
        seq = _seq_counter()
        skipped_stream = [0]
        tasks: Iterator[_Task]
        if plan is not None:
            tasks = _range_tasks(plan, chunk_size, done, seq, ship_bytes=backend == "dask")
        else:
            assert messages_iter is not None
            tasks = _stream_tasks(messages_iter, chunk_size, done, seq, skipped_stream)
        try:
            if backend == "serial":
                _run_serial(_counting(tasks, skipped_stream, progress_bar), spec, collector)
            elif backend == "process":
                _run_process(_counting(tasks, skipped_stream, progress_bar), spec, collector, n_workers, plan)
            else:
                if client is None:
                    own_client = _dask_client(scheduler, n_workers)
                    client = own_client
                limit = max(2, 2 * sum(client.nthreads().values())) if client is not None else 2 * n_workers
                _run_dask(_counting(tasks, skipped_stream, progress_bar), spec, collector, client, limit)
        finally:
            progress_bar.close()
        collector.skipped += skipped_stream[0]
        elapsed = time.perf_counter() - started
        stats = {
            "backend": backend,
            "workers": 1 if backend == "serial" else n_workers,
            "analysed": collector.analysed,
            "skipped": collector.skipped,
            "errors": collector.errors,
            "seconds": elapsed,
            "messages_per_s": collector.analysed / elapsed if elapsed > 0 else None,
            "byte_ranges": plan is not None,
            "dns_requests": broker.requests if broker is not None else None,
        }
        if dataset is not None:
            batch = Batch.read(dataset.root)
            batch.stats = stats
            return batch
        return Batch(tables=wanted, parts=collector.parts(), evidence=list(collector.records.values()), stats=stats)
    finally:
        if broker is not None:
            broker.close()
        if own_client is not None:
            _close_dask(own_client)
        if dataset is not None:
            dataset.close()


def _checked_messages(items: Iterable[Any]) -> Iterator[Message]:
    for item in items:
        if not isinstance(item, Message):
            raise InputError(f"an iterable source must yield Message objects, not {type(item).__name__}")
        yield item


def _counting(tasks: Iterator[_Task], skipped: list[int], progress: _Progress) -> Iterator[_Task]:
    """Pass tasks through, reporting messages the parent skipped (resume) to the bar."""
    reported = 0
    for task in tasks:
        if skipped[0] != reported:
            progress.skip(skipped[0] - reported)
            reported = skipped[0]
        yield task
    if skipped[0] != reported:
        progress.skip(skipped[0] - reported)


def _dask_client(scheduler: str | None, workers: int) -> Any:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError("backend='dask' needs dask.distributed: pip install 'dask[distributed]'") from exc
    if scheduler is not None:
        return Client(scheduler)
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    return Client(cluster)


def _close_dask(client: Any) -> None:
    cluster = getattr(client, "cluster", None)
    with contextlib.suppress(Exception):
        client.close()
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()


# =============================================================================================
# Command line: mailforensics batch SOURCE -o results.parquet
# =============================================================================================


def build_parser(parser: Any = None) -> Any:
    """Add the ``batch`` arguments to ``parser`` (an ``argparse`` (sub)parser), or make one."""
    import argparse

    p = parser or argparse.ArgumentParser(
        prog="mailforensics batch", description="Analyse every message of a mailbox export into a Parquet dataset."
    )
    p.add_argument("source", help="mbox, maildir, .eml tree or directory")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="Parquet dataset to write (or resume)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: every core)")
    p.add_argument("--backend", choices=BACKENDS, default="process", help="process (default), serial or dask")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address (with --backend dask)")
    p.add_argument("--evidence", metavar="PATH", help="DNS evidence: written after a live run, read with --offline")
    p.add_argument("--offline", action="store_true", help="answer DNS from --evidence only; open no socket")
    p.add_argument("--nameserver", action="append", metavar="IP", help="ask this resolver (repeatable)")
    p.add_argument("--dns-port", type=int, default=53, metavar="PORT", help="port of --nameserver (53)")
    p.add_argument("--trusted-network", action="append", metavar="CIDR", help="a network of your own relays")
    p.add_argument("--internal-domain", action="append", metavar="DOMAIN", help="a domain of your organisation")
    p.add_argument("--table", action="append", metavar="NAME", help="a long table to collect (repeatable)")
    p.add_argument("--chunk-size", type=int, default=_DEFAULT_CHUNK, metavar="N", help="messages per chunk")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run_args(args: Any, out: IO[str] | None = None) -> int:
    """Run ``mailforensics batch`` with parsed arguments; the exit status."""
    from mailforensics.context import Config

    stream = out or sys.stdout
    config = Config(
        trusted_networks=tuple(args.trusted_network or ()),
        internal_domains=tuple(args.internal_domain or ()),
    )
    if args.offline:
        if not args.evidence:
            raise InputError("--offline needs --evidence PATH (the recorded DNS answers)")
        ctx = Context.offline(args.evidence, config=config)
    else:
        resolver = None
        if args.nameserver:
            from mailforensics.resolvers.live import LiveResolver

            resolver = LiveResolver(args.nameserver, port=args.dns_port)
        ctx = Context(resolver=resolver, config=config)
    if args.scheduler and args.backend != "dask":
        raise InputError("--scheduler goes with --backend dask")
    batch = analyze_many(
        args.source,
        ctx=ctx,
        workers=args.workers,
        backend=args.backend,
        progress=not args.no_progress,
        out=args.out,
        tables=tuple(args.table) if args.table else None,
        scheduler=args.scheduler,
        chunk_size=args.chunk_size,
    )
    s = batch.stats
    messages = batch.messages
    errors = int(messages["error"].notna().sum())
    stream.write(
        f"{len(messages)} messages in {args.out} ({s.get('analysed', 0)} analysed now, "
        f"{s.get('skipped', 0)} already there, {errors} with errors); "
        f"{s.get('seconds', 0):.1f} s, {s.get('messages_per_s') or 0:.0f} messages/s\n"
    )
    if not args.offline and args.evidence:
        batch.save_evidence(args.evidence)
        print(f"mailforensics: {len(batch.evidence)} DNS answers saved to {args.evidence}", file=sys.stderr)
    return 0


def run_cli(argv: Sequence[str] | None = None) -> int:
    """``mailforensics batch SOURCE -o results.parquet [--workers N] [--backend dask
    --scheduler ADDR] [--offline --evidence PATH]``; the exit status (2: unusable arguments).

    Parameters
    ----------
    argv
        The arguments after ``batch`` (default: ``sys.argv[1:]``).
    """
    from mailforensics.errors import MailForensicsError

    args = build_parser().parse_args(argv)
    try:
        return run_args(args)
    except MailForensicsError as exc:
        print(f"mailforensics: {exc}", file=sys.stderr)
        return 2
