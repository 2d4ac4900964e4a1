"""The Resolver protocol and the DNSAnswer record: the one transport every check uses.

Every DNS outcome is a value. A timeout, SERVFAIL or REFUSED is a :class:`DNSAnswer`
with that ``status``, never an exception: a check turns it into its own ``temperror``
(RFC 7208 §2.6.6, RFC 6376 §6.1.2, RFC 7489 §6.6.3), and the evidence file records it
like any other answer, so a replay reproduces the failure too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

__all__ = [
    "NODATA",
    "STATUSES",
    "DNSAnswer",
    "Resolver",
    "normalize_name",
    "normalize_rdtype",
]

#: The statuses an answer can have. ``NOERROR`` with no records is NODATA.
STATUSES = ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "TIMEOUT")
NODATA = ()


def normalize_name(name: str) -> str:
    """The form names are asked and stored in: lower case, no trailing dot.

    DNS names compare case-insensitively (RFC 4343), so evidence keys must too.
    """
    name = name.strip()
    if name.endswith(".") and name != ".":
        name = name[:-1]
    return name.lower()


def normalize_rdtype(rdtype: str) -> str:
    """``"txt"`` → ``"TXT"``."""
    return rdtype.strip().upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class DNSAnswer:
    """One DNS answer, as a value.

    Parameters
    ----------
    name
        The name as asked, without the trailing dot.
    rdtype
        ``"TXT"``, ``"MX"``, ``"A"``, ``"AAAA"``, ``"PTR"``, ``"TLSA"``, ``"CNAME"``, ...
    status
        ``"NOERROR"``, ``"NXDOMAIN"``, ``"SERVFAIL"``, ``"REFUSED"`` or ``"TIMEOUT"``.
    records
        The rdata in presentation format as dnspython's ``to_text()`` prints it
        (TXT ``'"v=spf1 " "-all"'``, MX ``'10 mx.example.com.'``); ``()`` with NOERROR is
        NODATA. When the name is an alias, the records are those of the CNAME target.
    ttl
        The answer's TTL, when known.
    secure
        ``True``: DNSSEC-validated; ``False``: proven insecure or bogus; ``None``: unknown.
    cname_chain
        The aliases followed to reach the records, in order (RFC 1034 §3.6.2).
    """

    name: str
    rdtype: str
    status: str
    records: tuple[str, ...] = ()
    ttl: int | None = None
    secure: bool | None = None
    cname_chain: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True for NOERROR (with or without records)."""
        return self.status == "NOERROR"

    @property
    def nodata(self) -> bool:
        """True for NOERROR with no records."""
        return self.status == "NOERROR" and not self.records

    @property
    def temporary_failure(self) -> bool:
        """True for SERVFAIL, REFUSED and TIMEOUT: try again later (a ``temperror``)."""
        return self.status in ("SERVFAIL", "REFUSED", "TIMEOUT")

    def txt_strings(self) -> tuple[str, ...]:
        """TXT records with their character-strings joined (RFC 7208 §3.3), unescaped."""
        return tuple(join_txt(r) for r in self.records)


@lru_cache(maxsize=4096)
def join_txt(presentation: str) -> str:
    """Join a TXT record in presentation format: ``'"v=spf1 " "-all"'`` → ``'v=spf1 -all'``.

    Decodes the ``\\"``, ``\\\\`` and ``\\DDD`` escapes of RFC 1035 §5.1.

    Pure, so memoised: a batch reads the same few records (a sender's SPF and DMARC
    records, its DKIM keys) for message after message.
    """
    if "\\" not in presentation and presentation.isascii():
        # No escapes (the usual record): the text between quotes is kept as is, and
        # outside them only SP and HTAB are dropped — what the loop below does, at C speed.
        parts = presentation.split('"')
        parts[::2] = [p.replace(" ", "").replace("\t", "") for p in parts[::2]]
        return "".join(parts)
    return _join_txt_escaped(presentation)


def _join_txt_escaped(presentation: str) -> str:
    """:func:`join_txt` for any record, one character at a time."""
    out = bytearray()
    i, n = 0, len(presentation)
    in_quotes = False
    while i < n:
        c = presentation[i]
        if c == '"':
            in_quotes = not in_quotes
            i += 1
            continue
        if not in_quotes and c in " \t":
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            nxt = presentation[i + 1 : i + 4]
            if len(nxt) == 3 and nxt.isdigit():
                out.append(int(nxt) & 0xFF)
                i += 4
                continue
            out.extend(presentation[i + 1].encode("utf-8"))
            i += 2
            continue
        out.extend(c.encode("utf-8"))
        i += 1
    return out.decode("utf-8", errors="replace")


@runtime_checkable
class Resolver(Protocol):
    """Anything that answers DNS questions as :class:`DNSAnswer` values.

    ``query`` must not raise for DNS failures: SERVFAIL, REFUSED and timeouts are
    answers with that ``status``.
    """

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """Answer the question ``(name, rdtype)``."""
        ...
