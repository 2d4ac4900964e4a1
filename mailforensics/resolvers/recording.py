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

    A question is asked of ``inner`` once; later asks get the recorded answer. A forensic
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
        self._answers: dict[tuple[str, str], EvidenceRecord] = {}
        self._pending: dict[tuple[str, str], threading.Event] = {}
        self.identity = f"recording({resolver_identity(inner)})"

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """Answer from ``inner`` (once per question) and record it."""
        key = (normalize_name(name), normalize_rdtype(rdtype))
        while True:
            with self._lock:
                if key in self._answers:
                    return self._answers[key].answer
                event = self._pending.get(key)
                if event is None:
                    event = threading.Event()
                    self._pending[key] = event
                    break
            event.wait()  # another thread is asking the same question
        try:
            answer = self.inner.query(key[0], key[1])
            # Over a replay (or another recorder) keep the original record, so that a
            # replayed analysis shows the evidence exactly as it was first gathered.
            original = getattr(self.inner, "evidence_record", None)
            record = original(key[0], key[1]) if callable(original) else None
            if record is None:
                record = EvidenceRecord(answer=answer, queried_at=self._clock(), resolver=resolver_identity(self.inner))
            with self._lock:
                self._answers[key] = record
            return answer
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()

    def evidence_record(self, name: str, rdtype: str) -> EvidenceRecord | None:
        """The record kept for a question already asked, or None."""
        with self._lock:
            return self._answers.get((normalize_name(name), normalize_rdtype(rdtype)))

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        """Every recorded answer, in the order the questions were first asked."""
        with self._lock:
            return tuple(self._answers.values())

    def merge(self, records: tuple[EvidenceRecord, ...]) -> None:
        """Add records gathered elsewhere (another process of a batch); first answer wins."""
        with self._lock:
            for r in records:
                self._answers.setdefault((r.answer.name, r.answer.rdtype), r)

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
