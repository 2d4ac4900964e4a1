"""Per-hop transport security, read from the Received headers: which hops were encrypted.

Each receiver records in its Received field how the message came in: the ``with``
protocol (RFC 3848: ``ESMTPS``, ``ESMTPSA``, ``UTF8SMTPS`` mean TLS; ``SMTP``/``ESMTP``
without TLS details mean none) and often the TLS version and cipher in a comment.
:func:`hop_transport` lays that out per hop; :func:`cleartext_findings` reports the hops
where the message crossed the public internet in clear text, where anyone on the path
could read (and alter) it.

A hop counts as crossing the public internet when it is outside the trust boundary
(``external``: the recipient received it from the internet, or the sender's own relays
did), or when both its client and its receiver addresses are public. A hop whose client
address is private or loopback (RFC 1918, RFC 4193, RFC 6890) never crossed the
internet; a hop whose TLS status the header does not tell (``tls`` None: local
delivery, MAPI, no ``with`` clause) is not reported either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mailforensics.addresses import is_private_address, parse_ip
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.path import Path, PathHop

__all__ = ["CLEARTEXT_CODE", "HopTransport", "cleartext_findings", "hop_transport"]


#: The code of a clear-text hop finding.
CLEARTEXT_CODE = FindingCode.HOP_CLEARTEXT

Encryption = Literal["tls", "cleartext", "unknown"]
Network = Literal["public", "private", "unknown"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HopTransport:
    """How one hop was carried.

    Parameters
    ----------
    number
        The hop number (1 = oldest).
    from_host
        The client as the receiver named it: its reverse-DNS name, else its HELO name.
    from_ip
        The client address.
    by_host, by_ip
        The receiving host and, when written, its address.
    protocol
        The ``with`` protocol (``"ESMTPS"``).
    encryption
        ``"tls"``, ``"cleartext"``, or ``"unknown"`` when the header does not say.
    tls_version, tls_cipher, tls_bits
        The TLS details the receiver wrote.
    network
        ``"private"`` when the client address is private or loopback (the hop stayed
        inside a site), ``"public"`` when the hop crossed the internet (external, or
        both ends public), ``"unknown"`` otherwise.
    external
        The hop is outside the trust boundary.
    trusted_record
        The header was written by the recipient's own infrastructure (a fact, not a claim).
    """

    number: int
    from_host: str | None
    from_ip: str | None
    by_host: str | None
    by_ip: str | None
    protocol: str | None
    encryption: Encryption
    tls_version: str | None
    tls_cipher: str | None
    tls_bits: int | None
    network: Network
    external: bool
    trusted_record: bool

    @property
    def summary(self) -> str:
        """``"TLSv1.3 TLS_AES_256_GCM_SHA384 (256 bits)"``, ``"clear text"`` or ``"unknown"``."""
        if self.encryption == "cleartext":
            return "clear text"
        if self.encryption == "unknown":
            return "unknown"
        parts = [p for p in (self.tls_version, self.tls_cipher) if p]
        if self.tls_bits:
            parts.append(f"({self.tls_bits} bits)")
        return " ".join(parts) or "TLS"


def _public(ip: str | None) -> bool | None:
    addr = parse_ip(ip)
    if addr is None:
        return None
    return not (is_private_address(addr) or addr.is_unspecified or addr.is_multicast)


def _network(ph: PathHop) -> Network:
    hop = ph.hop
    client = _public(hop.from_ip)
    if client is False:
        return "private"  # a private client address is never routed on the internet
    server = _public(hop.by_ip)
    if client is True and (ph.external or server is True):
        return "public"
    return "unknown"


def _one(ph: PathHop) -> HopTransport:
    hop = ph.hop
    encryption: Encryption = "tls" if hop.tls is True else "cleartext" if hop.tls is False else "unknown"
    return HopTransport(
        number=ph.number,
        from_host=hop.from_rdns or hop.from_helo,
        from_ip=hop.from_ip,
        by_host=hop.by_host,
        by_ip=hop.by_ip,
        protocol=hop.protocol,
        encryption=encryption,
        tls_version=hop.tls_version,
        tls_cipher=hop.tls_cipher,
        tls_bits=hop.tls_bits,
        network=_network(ph),
        external=ph.external,
        trusted_record=ph.trusted_record,
    )


def _hops(path: Path | Iterable[PathHop]) -> list[PathHop]:
    hops = path.hops if isinstance(path, Path) else tuple(path)
    return sorted(hops, key=lambda ph: ph.number)


def hop_transport(path: Path | Iterable[PathHop]) -> tuple[HopTransport, ...]:
    """Which hops were encrypted, and with what, oldest first.

    Parameters
    ----------
    path
        A :class:`~mailforensics.path.Path` (or its hops).
    """
    return tuple(_one(ph) for ph in _hops(path))


def _endpoint(host: str | None, ip: str | None) -> str:
    if host and ip:
        return f"{host} [{ip}]"
    return host or (f"[{ip}]" if ip else "?")


def cleartext_findings(path: Path | Iterable[PathHop]) -> tuple[Finding, ...]:
    """A finding for each hop where the message crossed the public internet in clear text.

    That is a hop with ``tls is False`` whose client address is public and which is
    either external (outside the trust boundary) or between two public addresses.
    Hops between private or loopback addresses, and hops whose TLS status is unknown,
    give nothing.

    Parameters
    ----------
    path
        A :class:`~mailforensics.path.Path` (or its hops).

    Returns
    -------
    tuple of Finding
        ``CLEARTEXT_CODE`` findings, oldest hop first: WARNING when the header was
        written by the recipient's infrastructure, NOTICE when it is a claim from
        outside the trust boundary.
    """
    out: list[Finding] = []
    for ph in _hops(path):
        if ph.hop.tls is not False:  # TLS or unknown: nothing to report, nothing to compute
            continue
        t = _one(ph)
        if t.encryption != "cleartext" or t.network != "public":
            continue
        sender = _endpoint(t.from_host, t.from_ip)
        receiver = _endpoint(t.by_host, t.by_ip)
        protocol = t.protocol or "an unnamed protocol"
        claim = "" if ph.trusted_record else " (the header is outside the trust boundary: a claim)"
        out.append(
            Finding(
                code=CLEARTEXT_CODE,
                severity=Severity.WARNING if ph.trusted_record else Severity.NOTICE,
                where=f"hop {ph.number}",
                detail=f"Hop {ph.number} crossed the public internet in clear text: {sender} to {receiver} "
                f"with {protocol}, no TLS; anyone on the path could read or change the message{claim}.",
                evidence=(
                    ("protocol", t.protocol or ""),
                    ("from", sender),
                    ("by", receiver),
                    ("raw", ph.hop.raw[:500]),
                ),
            )
        )
    return tuple(out)
