"""ZoneResolver: answers from zone-file text or a dict, in memory, with no socket.

For unit tests, for the conformance suites (each scenario's ``zonedata`` becomes one),
and for analysts who hold historical records (a rotated DKIM key) as zone text.

Semantics follow an authoritative server: names compare case-insensitively (RFC 4343);
CNAMEs are followed (RFC 1034 §3.6.2, at most 8 links); a name that exists with no
record of the asked type — including an empty non-terminal — is NODATA, not NXDOMAIN
(RFC 8020); wildcards synthesise answers for names that do not exist below the closest
encloser (RFC 4592 §3.3.1). A question can be made to fail on purpose (``"TIMEOUT"``,
``"SERVFAIL"``) to exercise the temperror paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.zonefile

from mailforensics.errors import InputError
from mailforensics.resolvers.base import STATUSES, DNSAnswer, normalize_name, normalize_rdtype

__all__ = ["ZoneResolver"]

_MAX_CNAME = 8
_ORIGIN_LINE = re.compile(r"(?im)^\$ORIGIN[ \t]+(\S+)[^\n]*$")
_TTL_LINE = re.compile(r"(?im)^\$TTL[ \t]+(\S+)")

# name → rdtype → (ttl, records) or a forced status string
_Entry = tuple[int | None, tuple[str, ...]]


class ZoneResolver:
    """Serve DNS answers from memory.

    Build one with :meth:`from_text` (zone-file text, one or more zones) or
    :meth:`from_dict`. ``query`` never raises for DNS outcomes.

    Parameters
    ----------
    data
        ``{name: {rdtype: (ttl, records)}}`` with presentation-format records, or a status
        string in place of ``(ttl, records)`` (``"TIMEOUT"``, ``"SERVFAIL"``, ``"REFUSED"``)
        to make that question fail; a status string in place of the whole type map makes
        every question for the name fail.
    secure
        The ``secure`` value put on every answer (``None``: unknown).
    """

    def __init__(
        self,
        data: Mapping[str, Mapping[str, _Entry | str] | str] | None = None,
        *,
        secure: bool | None = None,
    ) -> None:
        self._data: dict[str, dict[str, _Entry | str] | str] = {}
        self._secure = secure
        self._names: set[str] = set()  # every name that exists, including empty non-terminals
        for name, value in (data or {}).items():
            self._add(name, value)

    # --- construction ----------------------------------------------------------------------
    def _add(self, name: str, value: Mapping[str, _Entry | str] | str) -> None:
        key = normalize_name(name)
        if isinstance(value, str):
            if value.upper() not in STATUSES:
                raise InputError(f"unknown status {value!r} for {name!r}")
            self._data[key] = value.upper()
        else:
            types = self._data.setdefault(key, {})
            if isinstance(types, str):
                return
            for rdtype, entry in value.items():
                rt = normalize_rdtype(rdtype)
                if isinstance(entry, str):
                    if entry.upper() not in STATUSES:
                        raise InputError(f"unknown status {entry!r} for {name!r} {rt}")
                    types[rt] = entry.upper()
                    continue
                ttl, records = entry
                old = types.get(rt)
                if isinstance(old, tuple):
                    records = tuple(old[1]) + tuple(r for r in records if r not in old[1])
                types[rt] = (ttl, tuple(records))
        labels = key.split(".")
        for i in range(len(labels)):
            self._names.add(".".join(labels[i:]))

    @classmethod
    def from_text(cls, text: str, *, origin: str = ".", secure: bool | None = None) -> ZoneResolver:
        """Build a resolver from zone-file text (RFC 1035 §5), one or more zones.

        ``$ORIGIN`` and ``$TTL`` are honoured (so several zones can share one text: start
        each with its own ``$ORIGIN``); ``$INCLUDE`` is refused: the text must not make us
        read files. An absolute owner name outside the current ``$ORIGIN`` is out-of-zone
        data and is ignored, as an authoritative server (BIND, Knot) ignores it.

        Parameters
        ----------
        text
            Zone-file text.
        origin
            The origin before the first ``$ORIGIN`` (default: the root).
        secure
            The ``secure`` value put on every answer.
        """
        data: dict[str, dict[str, _Entry]] = {}
        for section_origin, section in _sections(text, origin):
            manager = dns.zonefile.RRSetsReaderManager(dns.name.from_text(section_origin), False, dns.rdataclass.IN)
            try:
                with manager.writer(True) as txn:
                    tok = dns.tokenizer.Tokenizer(section, "<zone>")
                    reader = dns.zonefile.Reader(
                        tok, dns.rdataclass.IN, txn, allow_directives={"$ORIGIN", "$TTL", "$GENERATE"}
                    )
                    reader.read()
            except (dns.exception.DNSException, ValueError) as exc:
                raise InputError(f"zone text is not valid: {exc}") from exc
            for rrset in manager.rrsets:
                name = normalize_name(rrset.name.to_text())
                rt = dns.rdatatype.to_text(rrset.rdtype)
                entry = data.setdefault(name, {})
                old = entry.get(rt, (rrset.ttl, ()))
                entry[rt] = (rrset.ttl, tuple(old[1]) + tuple(r.to_text() for r in rrset))
        return cls(data, secure=secure)

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Sequence[str] | str] | str], *, ttl: int = 300) -> ZoneResolver:
        """Build a resolver from ``{name: {rdtype: [records...]}}``.

        Records are in presentation format (TXT quoted: ``'"v=spf1 -all"'``); an unquoted
        TXT value is quoted for you. A status string stands for a failing question.
        """
        converted: dict[str, dict[str, _Entry | str] | str] = {}
        for name, types in data.items():
            if isinstance(types, str):
                converted[name] = types
                continue
            conv: dict[str, _Entry | str] = {}
            for rdtype, records in types.items():
                rt = normalize_rdtype(rdtype)
                if isinstance(records, str) and records.upper() in STATUSES:
                    conv[rt] = records
                    continue
                recs = (records,) if isinstance(records, str) else tuple(records)
                conv[rt] = (ttl, tuple(_presentation(rt, r) for r in recs))
            converted[name] = conv
        return cls(converted)

    # --- lookup ------------------------------------------------------------------------------
    def _lookup(self, name: str) -> dict[str, _Entry | str] | str | None:
        """Records at ``name``, after wildcard synthesis (RFC 4592 §3.3.1)."""
        if name in self._data:
            return self._data[name]
        if name in self._names:
            return {}  # empty non-terminal: exists, no records (RFC 8020)
        labels = name.split(".")
        for i in range(1, len(labels) + 1):
            encloser = ".".join(labels[i:])
            if encloser in self._names or i == len(labels):
                wildcard = "*." + encloser if encloser else "*"
                return self._data.get(wildcard)
        return None

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """Answer ``(name, rdtype)`` from memory; never raises for DNS outcomes."""
        asked = normalize_name(name)
        rt = normalize_rdtype(rdtype)
        current = asked
        chain: list[str] = []
        for _ in range(_MAX_CNAME + 1):
            node = self._lookup(current)
            if isinstance(node, str):
                return DNSAnswer(name=asked, rdtype=rt, status=node, cname_chain=tuple(chain))
            if node is None:
                status = "NXDOMAIN"
                return DNSAnswer(name=asked, rdtype=rt, status=status, secure=self._secure, cname_chain=tuple(chain))
            entry = node.get(rt)
            if isinstance(entry, str):
                return DNSAnswer(name=asked, rdtype=rt, status=entry, cname_chain=tuple(chain))
            if entry is not None:
                ttl, records = entry
                return DNSAnswer(
                    name=asked,
                    rdtype=rt,
                    status="NOERROR",
                    records=records,
                    ttl=ttl,
                    secure=self._secure,
                    cname_chain=tuple(chain),
                )
            cname = node.get("CNAME")
            if rt != "CNAME" and isinstance(cname, tuple) and cname[1]:
                chain.append(current)
                current = normalize_name(cname[1][0])
                continue
            return DNSAnswer(name=asked, rdtype=rt, status="NOERROR", secure=self._secure, cname_chain=tuple(chain))
        # A CNAME loop or a chain longer than we follow: what a resolver reports.
        return DNSAnswer(name=asked, rdtype=rt, status="SERVFAIL", cname_chain=tuple(chain))

    def __repr__(self) -> str:
        return f"<ZoneResolver names={len(self._data)}>"

    def names(self) -> Iterable[str]:
        """Every owner name with records or a forced status."""
        return iter(self._data)


def _sections(text: str, origin: str) -> list[tuple[str, str]]:
    """Split zone text at ``$ORIGIN`` lines; carry the last ``$TTL`` into each section."""
    if re.search(r"(?im)^\$INCLUDE", text):
        raise InputError("$INCLUDE is not allowed in zone text")
    sections: list[tuple[str, str]] = []
    current_origin = origin if origin.endswith(".") else origin + "."
    start = 0
    ttl_line = ""
    for m in _ORIGIN_LINE.finditer(text):
        chunk = text[start : m.start()]
        if chunk.strip():
            sections.append((current_origin, ttl_line + chunk))
        ttls = _TTL_LINE.findall(chunk)
        if ttls:
            ttl_line = f"$TTL {ttls[-1]}\n"
        new_origin = m.group(1)
        current_origin = new_origin if new_origin.endswith(".") else new_origin + "." + current_origin.lstrip(".")
        if current_origin.startswith("."):
            current_origin = current_origin[1:] or "."
        start = m.end()
    chunk = text[start:]
    if chunk.strip():
        sections.append((current_origin, ttl_line + chunk))
    return sections


def _presentation(rdtype: str, record: str) -> str:
    """Normalise a record to dnspython's presentation format (TXT quoted, names absolute)."""
    if rdtype in ("TXT", "SPF") and not record.lstrip().startswith('"'):
        # One unquoted string: split into 255-byte character-strings (RFC 1035 §3.3.14).
        raw = record.encode("utf-8")
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        return " ".join('"' + _escape(c) + '"' for c in chunks)
    try:
        rd = dns.rdata.from_text(
            dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), record, origin=dns.name.root, relativize=False
        )
        return rd.to_text()
    except (dns.exception.DNSException, ValueError):
        return record


def _escape(chunk: bytes) -> str:
    out = []
    for b in chunk:
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03d}")
    return "".join(out)
