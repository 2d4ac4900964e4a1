"""The one place where records become pandas DataFrames.

Each table's columns and dtypes are declared once, here, in :data:`SCHEMAS` (the way
pandera declares DataFrame contracts); :func:`conform` applies a schema, so every frame
of a kind has the same columns in the same order with the same dtypes, empty or not.
Checks never import pandas.

Row builders (``hop_rows``, ``auth_rows``, ...) turn records into plain dicts keyed by a
table's columns, and :func:`conform` turns rows into the table: an analysis builds each
frame from its rows (:meth:`mailforensics.analysis.Analysis.rows`), and a batch gathers the
rows of many messages and builds one frame per table (a DataFrame per message and table
costs more than analysing the message). The ``*_frame`` helpers are the two steps in one,
for the tables a :class:`~mailforensics.trace.Trace` or a batch's evidence builds.

Dtypes: text is pandas' nullable ``string``; flags are nullable ``boolean`` (a missing
value is ``<NA>``, not False); counts are ``Int64``; times are ``datetime64[us, UTC]``
(microseconds, so a forged year 9999 still fits where nanoseconds would overflow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mailforensics.analysis import HopReputation
    from mailforensics.auth.arc import ARCResult
    from mailforensics.auth.spf import SPFResult
    from mailforensics.authcheck import AuthCheck
    from mailforensics.envelope import Envelope
    from mailforensics.findings import Finding
    from mailforensics.message import Message
    from mailforensics.path import Path
    from mailforensics.reputation.dnsbl import DNSBLResult
    from mailforensics.resolvers.evidence import EvidenceRecord

__all__ = [
    "SCHEMAS",
    "arc_rows",
    "auth_rows",
    "build_frame",
    "conform",
    "dns_frame",
    "dns_rows",
    "dnsbl_rows",
    "envelope_frame",
    "envelope_rows",
    "finding_rows",
    "findings_frame",
    "header_rows",
    "headers_frame",
    "hop_rows",
    "hops_frame",
    "spf_trace_rows",
]

TEXT, FLAG, COUNT, FLOAT, TIME = "string", "boolean", "Int64", "float64", "datetime64[us, UTC]"

#: Column name → dtype, per table, in column order.
SCHEMAS: Mapping[str, Mapping[str, str]] = {
    "hops": {
        "hop": COUNT,
        "from_helo": TEXT,
        "from_rdns": TEXT,
        "from_ip": TEXT,
        "from_port": COUNT,
        "by_host": TEXT,
        "by_ip": TEXT,
        "via": TEXT,
        "protocol": TEXT,
        "tls": FLAG,
        "tls_version": TEXT,
        "tls_cipher": TEXT,
        "tls_bits": COUNT,
        "auth": TEXT,
        "ident": TEXT,
        "queue_id": TEXT,
        "envelope_for": TEXT,
        "envelope_from": TEXT,
        "software": TEXT,
        "timestamp": TIME,
        "delay_s": FLOAT,
        "elapsed_s": FLOAT,
        "external": FLAG,
        "ptr": TEXT,
        "fcrdns": FLAG,
        "generic_rdns": FLAG,
        "dnsbl": TEXT,
        "trusted_record": FLAG,
        "boundary": FLAG,
        "parsed": FLAG,
        "header_index": COUNT,
        "defects": TEXT,
        "raw": TEXT,
    },
    "envelope": {"field": TEXT, "value": TEXT, "source": TEXT, "confidence": TEXT},
    "headers": {"index": COUNT, "name": TEXT, "value": TEXT},
    "findings": {"code": TEXT, "severity": TEXT, "where": TEXT, "detail": TEXT, "evidence": TEXT},
    "dns": {
        "name": TEXT,
        "rdtype": TEXT,
        "status": TEXT,
        "records": TEXT,
        "ttl": COUNT,
        "secure": FLAG,
        "cname_chain": TEXT,
        "queried_at": TIME,
        "resolver": TEXT,
    },
    "auth": {
        "method": TEXT,
        "instance": TEXT,
        "domain": TEXT,
        "selector": TEXT,
        "result": TEXT,
        "reason": TEXT,
        "aligned": FLAG,
        "claimed": TEXT,
        "claimed_by": TEXT,
        "claim_trusted": FLAG,
        "detail": TEXT,
    },
    "arc": {
        "instance": COUNT,
        "ams_domain": TEXT,
        "ams_selector": TEXT,
        "ams_valid": FLAG,
        "ams_reason": TEXT,
        "body_hash_ok": FLAG,
        "as_domain": TEXT,
        "as_selector": TEXT,
        "as_valid": FLAG,
        "as_reason": TEXT,
        "cv": TEXT,
        "authserv_id": TEXT,
        "claimed_spf": TEXT,
        "claimed_dkim": TEXT,
        "claimed_dmarc": TEXT,
        "key_source": TEXT,
    },
    "spf_trace": {
        "identity": TEXT,
        "step": COUNT,
        "depth": COUNT,
        "domain": TEXT,
        "kind": TEXT,
        "term": TEXT,
        "name": TEXT,
        "qualifier": TEXT,
        "target": TEXT,
        "outcome": TEXT,
        "result": TEXT,
        "lookups": COUNT,
        "void_lookups": COUNT,
        "queries": TEXT,
        "note": TEXT,
    },
    "urls": {
        "part": TEXT,
        "content_type": TEXT,
        "source": TEXT,
        "tag": TEXT,
        "url": TEXT,
        "scheme": TEXT,
        "host": TEXT,
        "host_ascii": TEXT,
        "host_unicode": TEXT,
        "registered_domain": TEXT,
        "ip_literal": FLAG,
        "idn": FLAG,
        "userinfo": TEXT,
        "text": TEXT,
        "text_domain": TEXT,
        "text_mismatch": FLAG,
        "embedded_in": TEXT,
        "obfuscation": TEXT,
        "truncated": FLAG,
        "lookalike": TEXT,
        "dnsbl": TEXT,
        "dnsbl_listed": FLAG,
    },
    "attachments": {
        "part": TEXT,
        "filename": TEXT,
        "name_encoding": TEXT,
        "disposition": TEXT,
        "content_id": TEXT,
        "declared_type": TEXT,
        "sniffed_type": TEXT,
        "type_mismatch": FLAG,
        "size": COUNT,
        "md5": TEXT,
        "sha1": TEXT,
        "sha256": TEXT,
        "extension": TEXT,
        "double_extension": FLAG,
        "category": TEXT,
        "archive_format": TEXT,
        "archive_entries": COUNT,
        "archive_encrypted": FLAG,
        "archive_declared_size": COUNT,
        "archive_ratio": FLOAT,
        "archive_bomb": FLAG,
        "password_fields": COUNT,
        "form_actions": TEXT,
        "external_actions": TEXT,
        "calendar_links": TEXT,
        "saved_path": TEXT,
    },
    "lookalikes": {
        "place": TEXT,
        "where": TEXT,
        "domain": TEXT,
        "domain_unicode": TEXT,
        "resembles": TEXT,
        "owner": TEXT,
        "kind": TEXT,
        "technique": TEXT,
        "distance": COUNT,
        "mixed_script": FLAG,
        "detail": TEXT,
    },
    "posture": {"section": TEXT, "name": TEXT, "value": TEXT, "status": TEXT, "secure": FLAG, "detail": TEXT},
    "dnsbl": {
        "source": TEXT,
        "item": TEXT,
        "kind": TEXT,
        "zone": TEXT,
        "status": TEXT,
        "listed": FLAG,
        "codes": TEXT,
        "meanings": TEXT,
        "txt": TEXT,
        "error": TEXT,
    },
}


def conform(rows: Iterable[Mapping[str, Any]], table: str, *, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Build a DataFrame from row dicts with the declared columns and dtypes of ``table``.

    Parameters
    ----------
    rows
        One mapping per row; missing keys become NA, unknown keys are dropped.
    table
        A key of :data:`SCHEMAS`.
    extra
        Additional columns (name → dtype) put first, e.g. ``{"message": "string"}`` for
        the long tables of a batch.
    """
    schema = dict(extra or {})
    schema.update(SCHEMAS[table])
    return build_frame(rows, schema)


def build_frame(rows: Iterable[Mapping[str, Any]], schema: Mapping[str, str]) -> pd.DataFrame:
    """Build a DataFrame from row dicts with the columns and dtypes of ``schema``
    (column → dtype, in order): what :func:`conform` does for a table of :data:`SCHEMAS`."""
    import pandas as pd

    rows = list(rows)
    data: dict[str, Any] = {}
    for column, dtype in schema.items():
        values = [row.get(column) for row in rows]
        if dtype == TIME:
            data[column] = pd.Series(values, dtype=TIME)
        else:
            data[column] = pd.Series(values, dtype=object).astype(pd.api.types.pandas_dtype(dtype))
    return pd.DataFrame(data, columns=list(schema))


def _listing_text(results: Sequence[DNSBLResult]) -> str | None:
    """``"zen.spamhaus.org: SBL; ..."`` for listings, ``""`` when checked and clean,
    None when not checked or every answer was an error."""
    if not results:
        return None
    listed = [f"{r.zone}: {', '.join(r.meanings) or ', '.join(r.codes)}" for r in results if r.listed]
    if listed:
        return "; ".join(listed)
    return "" if any(r.listed is False for r in results) else None


def hops_frame(path: Path, reputation: Sequence[HopReputation] = ()) -> pd.DataFrame:
    """The ``hops`` table: one row per Received hop, oldest first (``hop`` 1).

    ``ptr``, ``fcrdns``, ``generic_rdns`` and ``dnsbl`` are filled from ``reputation``
    (see :func:`mailforensics.analyze`); NA where the hop was not checked.
    """
    return conform(hop_rows(path, reputation), "hops")


def hop_rows(path: Path, reputation: Sequence[HopReputation] = ()) -> list[dict[str, Any]]:
    """The rows of :func:`hops_frame`."""
    by_number = {r.number: r for r in reputation}
    rows = []
    for ph in path.hops:
        h = ph.hop
        rep = by_number.get(ph.number)
        rd = rep.rdns if rep is not None else None
        rows.append(
            {
                "hop": ph.number,
                "from_helo": h.from_helo,
                "from_rdns": h.from_rdns,
                "from_ip": h.from_ip,
                "from_port": h.from_port,
                "by_host": h.by_host,
                "by_ip": h.by_ip,
                "via": h.via,
                "protocol": h.protocol,
                "tls": h.tls,
                "tls_version": h.tls_version,
                "tls_cipher": h.tls_cipher,
                "tls_bits": h.tls_bits,
                "auth": h.auth,
                "ident": h.ident,
                "queue_id": h.queue_id,
                "envelope_for": h.envelope_for,
                "envelope_from": h.envelope_from,
                "software": h.software,
                "timestamp": h.timestamp,
                "delay_s": ph.delay_s,
                "elapsed_s": ph.elapsed_s,
                "external": ph.external,
                "ptr": ", ".join(rd.ptr_names) if rd is not None and rd.ptr_names else None,
                "fcrdns": rd.fcrdns if rd is not None else None,
                "generic_rdns": rd.generic if rd is not None and rd.ptr_names else None,
                "dnsbl": _listing_text(rep.dnsbl) if rep is not None else None,
                "trusted_record": ph.trusted_record,
                "boundary": ph.number == path.boundary_hop,
                "parsed": h.parsed,
                "header_index": ph.header_index,
                "defects": "; ".join(h.defects) or None,
                "raw": h.raw,
            }
        )
    return rows


def envelope_frame(envelope: Envelope) -> pd.DataFrame:
    """The ``envelope`` table: every envelope candidate with its source and confidence."""
    return conform(envelope_rows(envelope), "envelope")


def envelope_rows(envelope: Envelope) -> list[dict[str, Any]]:
    """The rows of :func:`envelope_frame`."""
    return [
        {"field": f.field, "value": f.value, "source": f.source, "confidence": f.confidence} for f in envelope.fields
    ]


def headers_frame(message: Message) -> pd.DataFrame:
    """The ``headers`` table: every header field in order, values unfolded."""
    return conform(header_rows(message), "headers")


def header_rows(message: Message) -> list[dict[str, Any]]:
    """The rows of :func:`headers_frame`."""
    return [{"index": h.index, "name": h.name, "value": h.unfolded} for h in message.headers]


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """The ``findings`` table: code, severity, where, detail and the evidence as text."""
    return conform(finding_rows(findings), "findings")


def finding_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The rows of :func:`findings_frame`."""
    return [
        {
            "code": str(f.code),
            "severity": str(f.severity),
            "where": f.where,
            "detail": f.detail,
            "evidence": "; ".join(f"{k}: {v}" for k, v in f.evidence) or None,
        }
        for f in findings
    ]


def dns_frame(evidence: Sequence[EvidenceRecord]) -> pd.DataFrame:
    """The ``dns`` table: every DNS answer used, as recorded (the evidence).

    ``records`` and ``cname_chain`` are joined with ``" | "``.
    """
    return conform(dns_rows(evidence), "dns")


def dns_rows(evidence: Sequence[EvidenceRecord]) -> list[dict[str, Any]]:
    """The rows of :func:`dns_frame`."""
    return [
        {
            "name": e.answer.name,
            "rdtype": e.answer.rdtype,
            "status": e.answer.status,
            "records": " | ".join(e.answer.records),
            "ttl": e.answer.ttl,
            "secure": e.answer.secure,
            "cname_chain": " | ".join(e.answer.cname_chain) or None,
            "queried_at": e.queried_at,
            "resolver": e.resolver,
        }
        for e in evidence
    ]


def dnsbl_rows(
    reputation: Sequence[HopReputation], domains: Sequence[tuple[str, DNSBLResult]] = ()
) -> list[dict[str, Any]]:
    """The ``dnsbl`` table: every blocklist answer, for hop addresses and envelope domains.

    ``source`` says where the item came from (``"hop 3"``, ``"MAIL FROM"``, ``"From"``).
    """
    pairs: list[tuple[str, DNSBLResult]] = [(f"hop {r.number}", x) for r in reputation for x in r.dnsbl]
    pairs.extend(domains)
    return [
        {
            "source": source,
            "item": r.item,
            "kind": r.kind,
            "zone": r.zone,
            "status": r.status,
            "listed": r.listed,
            "codes": ", ".join(r.codes) or None,
            "meanings": "; ".join(r.meanings) or None,
            "txt": r.txt,
            "error": r.error,
        }
        for source, r in pairs
    ]


def auth_rows(checks: Sequence[AuthCheck]) -> list[dict[str, Any]]:
    """The ``auth`` table: one row per check (SPF MAIL FROM, SPF HELO, each DKIM signature,
    ARC, DMARC), today's result beside the message's claim and who made it."""
    return [
        {
            "method": c.method,
            "instance": c.instance,
            "domain": c.domain,
            "selector": c.selector,
            "result": c.result,
            "reason": c.reason,
            "aligned": c.aligned,
            "claimed": c.claimed,
            "claimed_by": c.claimed_by,
            "claim_trusted": c.claim_trusted,
            "detail": c.detail,
        }
        for c in checks
    ]


def arc_rows(result: ARCResult | None) -> list[dict[str, Any]]:
    """The ``arc`` table: one row per ARC set, oldest first — the chain of custody: who
    handled the message, whether their signatures hold, and what each said it saw."""
    rows = []
    for s in result.sets if result is not None else ():
        claimed: dict[str, str | None] = {m: None for m in ("spf", "dkim", "dmarc")}
        if s.aar is not None:
            for claim in s.aar.claims:
                if claim.method in claimed and claimed[claim.method] is None:
                    claimed[claim.method] = claim.result
        rows.append(
            {
                "instance": s.instance,
                "ams_domain": s.domain,
                "ams_selector": s.selector,
                "ams_valid": s.ams_valid,
                "ams_reason": s.ams_reason,
                "body_hash_ok": s.body_hash_ok,
                "as_domain": s.as_domain,
                "as_selector": s.as_selector,
                "as_valid": s.as_valid,
                "as_reason": s.as_reason,
                "cv": s.cv,
                "authserv_id": s.aar.authserv_id if s.aar is not None else None,
                "claimed_spf": claimed["spf"],
                "claimed_dkim": claimed["dkim"],
                "claimed_dmarc": claimed["dmarc"],
                "key_source": s.ams_key_source,
            }
        )
    return rows


def spf_trace_rows(results: Sequence[SPFResult | None]) -> list[dict[str, Any]]:
    """The ``spf_trace`` table: every SPF term evaluated, in order, with the DNS questions
    and answers it used (``queries``: ``name rdtype status -> records``, ``" | "``-joined)."""
    rows = []
    for r in results:
        if r is None:
            continue
        for n, step in enumerate(r.trace, start=1):
            rows.append(
                {
                    "identity": r.identity,
                    "step": n,
                    "depth": step.depth,
                    "domain": step.domain,
                    "kind": step.kind,
                    "term": step.term,
                    "name": step.name,
                    "qualifier": step.qualifier,
                    "target": step.target,
                    "outcome": step.outcome,
                    "result": step.result,
                    "lookups": step.lookups,
                    "void_lookups": step.void_lookups,
                    "queries": " | ".join(
                        f"{q.name} {q.rdtype} {q.status} -> {', '.join(q.records) or '-'}" for q in step.queries
                    )
                    or None,
                    "note": step.note,
                }
            )
    return rows
