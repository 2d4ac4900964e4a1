"""What the message claims about its own authentication, and who made each claim.

Authentication-Results, ARC-Authentication-Results and Received-SPF fields are *claims*:
verdicts some receiver recorded when it handled the message. A receiver prepends its
verdict fields together with its Received field (RFC 8601 §4, RFC 5321 §4.4), so a
verdict field belongs to the hop whose Received field is the nearest one below it, and it
can be trusted only if that hop's Received record is trusted — i.e. it stands above the
trust boundary (see :mod:`mailforensics.path`). A verdict below the boundary was written
by a host the recipient does not control: the sender itself can have written
``Authentication-Results: ... dmarc=pass`` (a classic forgery, RFC 8601 §5 and §7.2).

:func:`locate` places every claim; :func:`best_claim` picks, for one re-verified check,
the claim to set beside it (the topmost trusted one, else the topmost untrusted one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mailforensics.authresults import AuthResults, Claim, message_claims
from mailforensics.message import Message
from mailforensics.path import Path

__all__ = ["PlacedClaim", "best_claim", "locate"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedClaim:
    """One claim with its place in the message.

    Parameters
    ----------
    claim
        The method result (``Claim``).
    header
        The verdict field it came from (``AuthResults``: field name, authserv-id,
        header index, ARC instance).
    hop
        The number of the hop whose receiver added it (1 = oldest), or None when no
        Received field stands below it.
    trusted
        True when the field stands above the trust boundary (added by the recipient's own
        infrastructure); ARC-Authentication-Results are judged by the chain instead, so
        they are never "trusted" here.
    """

    claim: Claim
    header: AuthResults
    hop: int | None
    trusted: bool

    @property
    def by(self) -> str:
        """``"mx.example.net (Authentication-Results, header 3, hop 2, trusted)"``."""
        where = [self.header.field]
        if self.header.instance is not None:
            where.append(f"i={self.header.instance}")
        if self.header.header_index is not None:
            where.append(f"header {self.header.header_index}")
        if self.hop is not None:
            where.append(f"hop {self.hop}")
        where.append("trusted" if self.trusted else "outside the trust boundary")
        return f"{self.header.authserv_id or '?'} ({', '.join(where)})"


def locate(message: Message, path: Path) -> tuple[PlacedClaim, ...]:
    """Every claim in ``message``, top first, with its hop and trust.

    Parameters
    ----------
    message
        The message.
    path
        Its reconstructed path (hop numbers, header indexes, the trust boundary).
    """
    received = sorted(
        ((ph.header_index, ph.number, ph.trusted_record) for ph in path.hops if ph.header_index is not None),
    )
    out: list[PlacedClaim] = []
    for header in message_claims(message):
        index = header.header_index
        below = next(((n, t) for i, n, t in received if index is not None and i > index), None)
        # No Received field below it: written before any relay saw the message — untrusted.
        hop, record_trusted = below if below is not None else (None, False)
        is_aar = header.field.lower() == "arc-authentication-results"
        trusted = bool(record_trusted) and not is_aar
        out.extend(PlacedClaim(claim=c, header=header, hop=hop, trusted=trusted) for c in header.claims)
    return tuple(out)


def best_claim(placed: Sequence[PlacedClaim], match: Callable[[PlacedClaim], bool]) -> PlacedClaim | None:
    """The claim to set beside a check: the topmost trusted match, else the topmost match.

    ARC-Authentication-Results are skipped here: they are the chain of custody, shown per
    ARC set, not a verdict on the final delivery.
    """
    candidates = [p for p in placed if p.header.field.lower() != "arc-authentication-results" and match(p)]
    trusted = [p for p in candidates if p.trusted]
    pool = trusted or candidates
    return pool[0] if pool else None


_B_TAG = re.compile(r"(?:^|;)\s*b\s*=\s*([^;]*)")


def signature_b(raw_signature: str) -> str:
    """The ``b=`` value of a DKIM-Signature, white space removed (to match ``header.b``)."""
    m = _B_TAG.search(raw_signature.replace("\r", "").replace("\n", " "))
    return re.sub(r"\s+", "", m.group(1)) if m else ""
