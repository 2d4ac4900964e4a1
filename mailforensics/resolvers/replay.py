"""ReplayResolver: serves an evidence file, strictly. It opens no socket, ever."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from mailforensics.errors import EvidenceFormatError, EvidenceMissing, InputError
from mailforensics.resolvers.base import DNSAnswer, normalize_name, normalize_rdtype
from mailforensics.resolvers.evidence import EvidenceRecord, check_header, parse_line

__all__ = ["ReplayResolver"]


class ReplayResolver:
    """Answer from recorded evidence; raise :class:`~mailforensics.errors.EvidenceMissing`
    for any question the evidence does not answer.

    Strictness is the point: a replay that quietly answered "NXDOMAIN" for a question the
    original run never asked would fabricate evidence.

    Parameters
    ----------
    source
        A path to an evidence file (JSON Lines), or an iterable of its lines.
    """

    def __init__(self, source: str | os.PathLike[str] | Iterable[str]) -> None:
        import json

        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if not path.is_file():
                raise InputError(f"no evidence file at {str(path)!r}")
            lines: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
            where = str(path)
        else:
            lines, where = source, "<evidence>"
        self._answers: dict[tuple[str, str], EvidenceRecord] = {}
        seen_header = False
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if not seen_header:
                try:
                    check_header(json.loads(line), where)
                except json.JSONDecodeError as exc:
                    raise EvidenceFormatError(f"{where}: first line is not JSON") from exc
                seen_header = True
                continue
            record = parse_line(line, f"{where}:{number}")
            self._answers.setdefault((record.answer.name, record.answer.rdtype), record)
        if not seen_header:
            raise EvidenceFormatError(f"{where}: empty evidence file")
        self.identity = f"replay {where}"

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """The recorded answer to ``(name, rdtype)``."""
        key = (normalize_name(name), normalize_rdtype(rdtype))
        try:
            return self._answers[key].answer
        except KeyError:
            raise EvidenceMissing(f"the evidence has no answer for {key[0]} {key[1]}") from None

    def evidence_record(self, name: str, rdtype: str) -> EvidenceRecord | None:
        """The recorded evidence line for a question, or None."""
        return self._answers.get((normalize_name(name), normalize_rdtype(rdtype)))

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        """The records served, in file order."""
        return tuple(self._answers.values())

    def __len__(self) -> int:
        return len(self._answers)

    def __repr__(self) -> str:
        return f"<ReplayResolver {self.identity} answers={len(self._answers)}>"
