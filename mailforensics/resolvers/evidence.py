"""The DNS evidence file format: JSON Lines, versioned.

Line 1 is a header object::

    {"format": "mailforensics-dns-evidence", "version": 1, "created_at": "2024-01-02T10:00:00+00:00",
     "tool": "mailforensics 0.1.0"}

Every further line is one answer::

    {"name": "example.com", "rdtype": "TXT", "status": "NOERROR",
     "records": ["\\"v=spf1 -all\\""], "ttl": 300, "secure": null, "cname_chain": [],
     "queried_at": "2024-01-02T10:00:00.123456+00:00", "resolver": "live 127.0.0.1:53 udp"}

``records`` are presentation format as dnspython prints them. Readers must ignore
unknown keys (so later versions can add some); a change that older readers would
misread bumps ``version``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailforensics.errors import EvidenceFormatError
from mailforensics.resolvers.base import STATUSES, DNSAnswer, normalize_name, normalize_rdtype

__all__ = ["FORMAT", "VERSION", "EvidenceRecord", "header_line", "parse_line", "record_line"]

FORMAT = "mailforensics-dns-evidence"
VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRecord:
    """One recorded answer: the answer, when it was asked, and who answered it."""

    answer: DNSAnswer
    queried_at: datetime
    resolver: str


def header_line(created_at: datetime, tool: str) -> str:
    """The first line of an evidence file."""
    return json.dumps(
        {"format": FORMAT, "version": VERSION, "created_at": created_at.isoformat(), "tool": tool},
        sort_keys=True,
    )


def record_line(record: EvidenceRecord) -> str:
    """One answer as a JSON line (keys sorted, so files diff cleanly)."""
    a = record.answer
    return json.dumps(
        {
            "name": a.name,
            "rdtype": a.rdtype,
            "status": a.status,
            "records": list(a.records),
            "ttl": a.ttl,
            "secure": a.secure,
            "cname_chain": list(a.cname_chain),
            "queried_at": record.queried_at.isoformat(),
            "resolver": record.resolver,
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def check_header(obj: Any, where: str) -> None:
    """Raise EvidenceFormatError unless ``obj`` is a header this version reads."""
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise EvidenceFormatError(f"{where}: not a mailforensics DNS evidence file (bad first line)")
    if obj.get("version") != VERSION:
        raise EvidenceFormatError(f"{where}: evidence format version {obj.get('version')!r}; this reads {VERSION}")


def parse_line(line: str, where: str) -> EvidenceRecord:
    """Parse one answer line; raise EvidenceFormatError if it is malformed."""
    try:
        obj = json.loads(line)
        status = obj["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        ttl = obj.get("ttl")
        secure = obj.get("secure")
        answer = DNSAnswer(
            name=normalize_name(str(obj["name"])),
            rdtype=normalize_rdtype(str(obj["rdtype"])),
            status=status,
            records=tuple(str(r) for r in obj.get("records", ())),
            ttl=int(ttl) if ttl is not None else None,
            secure=bool(secure) if secure is not None else None,
            cname_chain=tuple(str(c) for c in obj.get("cname_chain", ())),
        )
        return EvidenceRecord(
            answer=answer,
            queried_at=datetime.fromisoformat(obj["queried_at"]),
            resolver=str(obj.get("resolver", "")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise EvidenceFormatError(f"{where}: {exc}") from exc
