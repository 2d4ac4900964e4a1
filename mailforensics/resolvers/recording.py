"""RecordingResolver: wraps any resolver and keeps every answer as evidence."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from mailforensics.resolvers.base import DNSAnswer, Resolver, normalize_name, normalize_rdtype
from mailforensics.resolvers.evidence import EvidenceRecord, header_line, record_line

__all__ = ["RecordingResolver"]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def resolver_identity(resolver: object) -> str:
    """A short description of a resolver for the evidence (``identity`` if it has one)."""
    ident = getattr(resolver, "identity", None)
    return str(ident) if ident else type(resolver).__name__


class RecordingResolver:
    """Wrap ``inner`` and record every answer with ``queried_at`` and the resolver's identity.

    A question is asked of ``inner`` once (or not at all when ``inner`` already holds its
    evidence record, as a replay does); later asks get the recorded answer. A forensic
    run wants one consistent snapshot of the DNS (the same key for every message of a
    batch), and the evidence then has exactly one answer per question, which is what
    strict replay serves.

    Parameters
    ----------
    inner
        The resolver that really answers (live, zone, ...).
    clock
        Returns the current aware time, for ``queried_at`` (default: the system clock).
    """

    def __init__(self, inner: Resolver, *, clock: Callable[[], datetime] | None = None) -> None:
        self.inner = inner
        self._clock = clock or _utcnow
        self._lock = threading.Lock()
        # One condition for every question in flight: a thread that finds its question
        # being asked by another waits on it, and is woken when any question settles.
        # (An Event per question cost more than the question itself, over a replay.) It
        # is made when a thread first has to wait: one analysis, one thread, needs none.
        self._settled: threading.Condition | None = None
        self._waiting = 0  # threads waiting on _settled: no notify when there are none
        # Records are only added (under the lock), never removed, so the read of an
        # answered question needs no lock: a dict read is atomic in CPython.
        self._answers: dict[tuple[str, str], EvidenceRecord] = {}
        self._pending: set[tuple[str, str]] = set()
        self.identity = f"recording({resolver_identity(inner)})"

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """Answer from ``inner`` (once per question) and record it.

        Thread-safe: concurrent asks of one question wait for the first to settle.
        """
        key = (normalize_name(name), normalize_rdtype(rdtype))
        record = self._answers.get(key)
        if record is not None:
            return record.answer
        with self._lock:
            while True:
                record = self._answers.get(key)
                if record is not None:
                    return record.answer
                if key not in self._pending:
                    self._pending.add(key)  # this thread asks
                    break
                if self._settled is None:
                    self._settled = threading.Condition(self._lock)
                self._waiting += 1  # another thread is asking the same question
                try:
                    self._settled.wait()
                finally:
                    self._waiting -= 1
        record = None
        try:
            # Over a replay (or another recorder) keep the original record, so that a
            # replayed analysis shows the evidence exactly as it was first gathered. A
            # record the inner resolver already holds carries the answer its query()
            # would give, so it is not asked twice.
            original = getattr(self.inner, "evidence_record", None)
            found = original(key[0], key[1]) if callable(original) else None
            if found is None:
                answer = self.inner.query(key[0], key[1])
                found = original(key[0], key[1]) if callable(original) else None
                if found is None:
                    found = EvidenceRecord(
                        answer=answer, queried_at=self._clock(), resolver=resolver_identity(self.inner)
                    )
            record = found
            return record.answer
        finally:
            # Publish (unless inner raised: then nothing is recorded and a waiter re-asks).
            with self._lock:
                if record is not None:
                    self._answers[key] = record
                self._pending.discard(key)
                if self._waiting and self._settled is not None:
                    self._settled.notify_all()

    def evidence_record(self, name: str, rdtype: str) -> EvidenceRecord | None:
        """The record kept for a question already asked, or None."""
        return self._answers.get((normalize_name(name), normalize_rdtype(rdtype)))

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        """Every recorded answer, in the order the questions were first asked."""
        with self._lock:
            return tuple(self._answers.values())

    def merge(self, records: tuple[EvidenceRecord, ...]) -> None:
        """Add records gathered elsewhere (another process of a batch); first answer wins."""
        answers = self._answers
        missing = [r for r in records if (r.answer.name, r.answer.rdtype) not in answers]  # lock-free read, as query()
        if not missing:
            return
        with self._lock:
            for r in missing:
                answers.setdefault((r.answer.name, r.answer.rdtype), r)

    def to_jsonl(self) -> str:
        """The evidence file's text."""
        from mailforensics import __version__

        lines = [header_line(self._clock(), f"mailforensics {__version__}")]
        lines.extend(record_line(r) for r in self.records)
        return "\n".join(lines) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the evidence file (JSON Lines, see :mod:`mailforensics.resolvers.evidence`)."""
        target = Path(path)
        target.write_text(self.to_jsonl(), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        return f"<RecordingResolver {self.identity} answers={len(self._answers)}>"
