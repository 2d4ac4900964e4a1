"""The DNS adapter shared by the DKIM and ARC checks: key records through the Context.

DKIM (RFC 6376 §3.6.2) and ARC (RFC 8617 §5.1.1) fetch the signer's public key as a TXT
record at ``<selector>._domainkey.<domain>``. Both checks ask through here, so that

- every question goes through ``ctx.get_resolver()`` (and so into the evidence file),
  never through dkimpy's own dnspython call;
- :attr:`~mailforensics.context.Config.historical_keys` — a resolver holding key records
  of selectors rotated away since the message was sent — overrides DNS for the names it
  holds records for, and the lookup says so (``source="historical"``);
- the outcome of each lookup is kept as a :class:`KeyLookup` record for the result.

This module is private (leading underscore) but its interface is shared: keep
:class:`KeyLookup`, :func:`key_lookup`, :func:`dnsfunc_for` and :func:`delivery_time`
stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import dkim as _dkimpy

from mailforensics.errors import EvidenceMissing
from mailforensics.resolvers.base import DNSAnswer, normalize_name

if TYPE_CHECKING:
    from mailforensics.context import Context
    from mailforensics.message import Message

__all__ = ["KeyLookup", "delivery_time", "dnsfunc_for", "key_lookup", "message_delivery_time"]

#: DNS statuses that mean "try again later": RFC 6376 §6.1.2 step 3 (TEMPFAIL).
_TEMPORARY = frozenset({"SERVFAIL", "REFUSED", "TIMEOUT"})


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyLookup:
    """The outcome of one key-record lookup.

    Parameters
    ----------
    name
        The name queried, lower case, without the trailing dot
        (``"sel._domainkey.example.com"``).
    status
        The :class:`~mailforensics.resolvers.base.DNSAnswer` status (``"NOERROR"``,
        ``"NXDOMAIN"``, ``"SERVFAIL"``, ``"REFUSED"``, ``"TIMEOUT"``).
    records
        The TXT records, each with its character-strings joined (RFC 6376 §3.6.2.2).
    source
        ``"dns"`` (the context's resolver) or ``"historical"``
        (:attr:`~mailforensics.context.Config.historical_keys`).
    """

    name: str
    status: str
    records: tuple[str, ...]
    source: str

    @property
    def temporary_failure(self) -> bool:
        """True for SERVFAIL, REFUSED and TIMEOUT (a ``temperror``, RFC 6376 §6.1.2)."""
        return self.status in _TEMPORARY


def _from_answer(name: str, answer: DNSAnswer, source: str) -> KeyLookup:
    records = answer.txt_strings() if answer.status == "NOERROR" else ()
    return KeyLookup(name=name, status=answer.status, records=records, source=source)


def key_lookup(name: str, *, ctx: Context) -> KeyLookup:
    """Look up the key record at ``name``: historical keys first, then DNS.

    Parameters
    ----------
    name
        ``"<selector>._domainkey.<domain>"`` (a trailing dot and upper case are fine).
    ctx
        The context: ``ctx.config.historical_keys`` (a resolver, or None) is asked first
        and wins when it answers NOERROR with records; otherwise ``ctx.get_resolver()``.

    Returns
    -------
    KeyLookup
        Never raises for DNS outcomes.
    """
    qname = normalize_name(name)
    historical = ctx.config.historical_keys
    if historical is not None:
        try:
            answer = historical.query(qname, "TXT")
        except EvidenceMissing:
            answer = None  # an archive of old keys (an evidence file) holds only some names
        if answer is not None and answer.status == "NOERROR" and answer.records:
            return _from_answer(qname, answer, "historical")
    return _from_answer(qname, ctx.get_resolver().query(qname, "TXT"), "dns")


def dnsfunc_for(ctx: Context, lookups: list[KeyLookup]) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` that asks through :func:`key_lookup`.

    dkimpy calls ``dnsfunc(name, timeout=5)`` with ``name`` as bytes
    (``b"sel._domainkey.example.com."``) and expects the TXT record as bytes, or None
    when there is none. The function returned here

    - appends each :class:`KeyLookup` to ``lookups`` (so the caller can report the
      key's source and the DNS status);
    - returns the first TXT record (RFC 6376 §3.6.2.2 leaves several records undefined;
      dkimpy's own resolver takes the first too), or None for NXDOMAIN / NODATA;
    - raises :class:`dkim.DnsTimeoutError` for SERVFAIL, REFUSED and TIMEOUT, which is how
      dkimpy turns a lookup into a temporary failure (RFC 6376 §6.1.2, TEMPFAIL).

    Parameters
    ----------
    ctx
        The context to resolve through.
    lookups
        A list the lookups are appended to.
    """

    def dnsfunc(name: bytes | str, timeout: Any = 5) -> bytes | None:
        text = name.decode("utf-8", errors="replace") if isinstance(name, bytes) else name
        found = key_lookup(text, ctx=ctx)
        lookups.append(found)
        if found.temporary_failure:
            raise _dkimpy.DnsTimeoutError(f"{found.status} for {found.name} TXT")
        if not found.records:
            return None
        return found.records[0].encode("utf-8")

    return dnsfunc


def delivery_time(raw: bytes) -> datetime | None:
    """The top Received hop's timestamp: when the final receiver took the message.

    This is the time ``Context(now="delivery")`` judges at (RFC 6376 §3.5 ``x=`` and
    ``t=``; RFC 8617 §4.1.2 for ARC). None when there is no Received field or the top one
    has no usable date.

    Parameters
    ----------
    raw
        The message bytes.
    """
    from mailforensics.message import Message
    from mailforensics.path import received_hops

    hops, _ = received_hops(Message.from_bytes(raw))
    if not hops:
        return None
    return hops[0].timestamp


def message_delivery_time(message: Message) -> datetime | None:
    """:func:`delivery_time` of ``message.raw``, found once per message and kept with it.

    DKIM and ARC both judge at it, and the Received fields it is read from are parsed
    once per message already (:func:`mailforensics.path.received_hops`), so neither
    re-reads the message.

    Parameters
    ----------
    message
        The message (its ``headers`` are those of its ``raw``, as every
        :class:`~mailforensics.message.Message` built from bytes has).
    """
    return message.derived("mailforensics.auth._dkimdns.delivery_time", _top_hop_time)


def _top_hop_time(message: Message) -> datetime | None:
    from mailforensics.path import received_hops

    hops, _ = received_hops(message)
    return hops[0].timestamp if hops else None
