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
        records = obj.get("records", [])
        chain = obj.get("cname_chain", [])
        # Evidence is checked strictly: a lenient reader would turn "false" into True or
        # a string into its characters, and replay something that was never answered.
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
            raise ValueError(f"ttl must be a non-negative integer or null, not {ttl!r}")
        if secure is not None and not isinstance(secure, bool):
            raise ValueError(f"secure must be true, false or null, not {secure!r}")
        for label, value in (("records", records), ("cname_chain", chain)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{label} must be a list of strings")
        if not isinstance(obj["name"], str) or not isinstance(obj["rdtype"], str):
            raise ValueError("name and rdtype must be strings")
        answer = DNSAnswer(
            name=normalize_name(obj["name"]),
            rdtype=normalize_rdtype(obj["rdtype"]),
            status=status,
            records=tuple(records),
            ttl=ttl,
            secure=secure,
            cname_chain=tuple(chain),
        )
        return EvidenceRecord(
            answer=answer,
            queried_at=datetime.fromisoformat(obj["queried_at"]),
            resolver=str(obj.get("resolver", "")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise EvidenceFormatError(f"{where}: {exc}") from exc
