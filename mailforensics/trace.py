"""``mf.trace``: one message's relay path and envelope, as DataFrames.

This is the header-only part of an analysis — no DNS, no signatures — so it is fast,
works offline by construction and never touches the network. :func:`mailforensics.analyze`
builds on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from mailforensics import envelope as envelope_mod
from mailforensics import frames
from mailforensics import path as path_mod
from mailforensics.context import Context
from mailforensics.envelope import Envelope
from mailforensics.findings import Finding
from mailforensics.message import Message
from mailforensics.path import Path
from mailforensics.transport.tls import cleartext_findings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Trace", "trace"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Trace:
    """The relay path and envelope of one message.

    Attributes ``path`` and ``smtp_envelope`` are the records; ``hops``, ``envelope``,
    ``headers`` and ``findings`` are DataFrames built from them (see
    :mod:`mailforensics.frames` for the columns).
    """

    message: Message
    path: Path
    smtp_envelope: Envelope
    all_findings: tuple[Finding, ...]

    @property
    def hops(self) -> pd.DataFrame:
        """One row per Received hop, oldest first."""
        return frames.hops_frame(self.path)

    @property
    def envelope(self) -> pd.DataFrame:
        """Every envelope candidate: field, value, source, confidence."""
        return frames.envelope_frame(self.smtp_envelope)

    @property
    def headers(self) -> pd.DataFrame:
        """Every header field in order."""
        return frames.headers_frame(self.message)

    @property
    def findings(self) -> pd.DataFrame:
        """Input defects, path anomalies and envelope conflicts."""
        return frames.findings_frame(self.all_findings)

    @property
    def originating_ip(self) -> str | None:
        """The client address of the hop where the message entered trusted infrastructure."""
        return self.path.originating_ip


def trace(
    source: Message | str | os.PathLike[str] | bytes | IO[bytes],
    *,
    ctx: Context | None = None,
    is_recipient_mx: Callable[[str | None], bool] | None = None,
) -> Trace:
    """Reconstruct the relay path and SMTP envelope of one message.

    Parameters
    ----------
    source
        A :class:`~mailforensics.message.Message`, or anything :func:`mailforensics.load`
        accepts.
    ctx
        Context: trusted networks and internal domains (``Config``), the clock.
    is_recipient_mx
        Whether a host name or address is one of the recipient's MX hosts (see
        :func:`mailforensics.path.build_path`); :func:`mailforensics.analyze` supplies it
        from DNS.

    Returns
    -------
    Trace
    """
    if isinstance(source, Message):
        message = source
    else:
        from mailforensics.sources import load

        message = load(source)
    ctx = ctx or Context()
    path = path_mod.reconstruct(message, ctx=ctx, is_recipient_mx=is_recipient_mx)
    env = envelope_mod.reconstruct(message, path)
    findings = message.defects + path.findings + cleartext_findings(path) + env.findings
    return Trace(message=message, path=path, smtp_envelope=env, all_findings=findings)
