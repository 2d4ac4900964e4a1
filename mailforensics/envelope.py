"""SMTP envelope reconstruction: MAIL FROM, RCPT TO, HELO and client IP, each with its source.

The envelope is not in the message; receivers leave traces of it in header fields. Each
trace is a *candidate* with the field it came from and a confidence:

- ``high``: written by the recipient's own infrastructure (above the trust boundary):
  ``Return-Path`` (RFC 5321 §4.4: added at final delivery), ``Delivered-To`` and
  ``X-Original-To`` (added by the delivery agent), a trusted hop's ``envelope-from`` or
  ``for`` clause, and the boundary hop's HELO and client address.
- ``medium``: a receiver's verdict header (``Received-SPF`` per RFC 7208 §9.1,
  ``Authentication-Results`` ``smtp.mailfrom``/``smtp.helo`` per RFC 8601) standing
  above the boundary.
- ``low``: anything below the trust boundary — a claim by a host the recipient does not
  control.

Two more kinds of evidence:

- A batch SMTP stream (RFC 2442) holds the envelope itself: the ``HELO``/``EHLO``,
  ``MAIL FROM`` and ``RCPT TO`` commands before each message, kept by the source in
  :attr:`Message.source_envelope <mailforensics.message.Message.source_envelope>`. They
  are ``high`` facts with source ``"BSMTP envelope"``, and come first. They record the
  transfer that wrote the batch file — the newest one, after every Received field — so
  the boundary hop's HELO, which pairs with the client address SPF checks, is still
  preferred for :attr:`Envelope.helo`, and neither the BSMTP HELO nor its RCPT TO is
  compared with the header evidence (a relay's own HELO, and the recipients after alias
  expansion, differ legitimately); its MAIL FROM is.
- ``submitter_ip``: the address of the client that submitted the message to a webmail
  or submission service, which that service wrote in a header field:
  ``X-Originating-IP`` (Outlook.com/Hotmail, Exchange, Roundcube and other webmail:
  ``[198.51.100.1]``) and ``X-Yahoo-Post-IP`` (Yahoo) — the fields SpamAssassin reads as
  originating-IP headers whose writers are known. For webmail-sent phish it is often
  the sender's own address, where the Received chain only shows the provider's relays.
  ``medium`` when the field stands above the boundary hop's Received field (written
  within infrastructure whose relay the recipient trusts), else ``low`` (the sender's
  provider wrote it, or the sender did: a claim). Only a value that is an IP address is
  read, canonicalised; anything else is ignored. A trusted, public one is reported
  (``envelope-submitter-ip``, info) unless it is a Received hop's client address: some
  receivers (Prodigy/SBC) write ``X-Originating-IP`` for the SMTP client they received
  from, which is a relay. Exchange's
  ``X-MS-Exchange-Organization-OriginalClientIPAddress`` is not read: it records the
  client of whichever Exchange server took the message, a relay as often as a submitter.

Conflicting candidates of high or medium confidence become Findings. Received-SPF and
Authentication-Results are read through :mod:`mailforensics.authresults`.

Addresses are read the way delivery agents' output is found in the wild, not as clean
RFC 5321 paths: the value is the first ``local@domain`` in the text, so
``<a@example.org <mailto:a@example.org>>`` (a path pasted through a mail client),
``a@example.org <mailto:a@example.org`` (a ``for`` clause cut at its ``>``), a source
route ``<@relay.example:a@example.org>`` and ezmlm's ``Delivered-To: moderator for
list@example.org`` all give ``a@example.org`` (``list@example.org``). ``<>`` is the null
sender; text without any ``@`` is kept as written (``<MAILER-DAEMON>`` →
``MAILER-DAEMON``). When the value had to be dug out of the text, the text as written
is kept in :attr:`EnvelopeField.raw`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mailforensics.addresses import canonical_ip, is_private_address, parse_ip
from mailforensics.authresults import message_claims
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import HeaderField, Message
from mailforensics.path import Path

__all__ = ["Envelope", "EnvelopeField", "reconstruct"]

HIGH, MEDIUM, LOW = "high", "medium", "low"
#: Fields written by the delivery agent that record RCPT TO.
_RCPT_FIELDS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
#: Fields in which a webmail or submission service records its client's address.
_SUBMITTER_FIELDS = ("X-Originating-IP", "X-Yahoo-Post-IP")
#: The source of the envelope read from a batch SMTP stream's commands.
BSMTP_SOURCE = "BSMTP envelope"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeField:
    """One piece of evidence about the SMTP envelope.

    Parameters
    ----------
    field
        ``"mail_from"``, ``"rcpt_to"``, ``"helo"``, ``"client_ip"`` or ``"submitter_ip"``
        (the address a webmail service recorded for its client, see the module docstring).
    value
        The value; for ``mail_from`` an empty string is the null reverse-path ``<>``.
    source
        Where it was read, e.g. ``"Return-Path (header 0)"`` or
        ``"Received hop 3 envelope-from (header 5)"``.
    confidence
        ``"high"``, ``"medium"`` or ``"low"`` (see the module docstring).
    raw
        The text as written, when ``value`` had to be dug out of it (text around the
        address, a ``mailto:`` link, ezmlm's ``moderator for``); None when ``value`` is
        the text itself, or the address in ``<>``.
    """

    field: str
    value: str
    source: str
    confidence: str
    raw: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """The reconstructed envelope: every candidate, the best value of each field, findings.

    Parameters
    ----------
    fields
        Every :class:`EnvelopeField` found, in header order.
    mail_from
        The best MAIL FROM (highest confidence, topmost); ``""`` is the null sender.
    rcpt_to
        The best RCPT TO addresses (highest confidence present).
    helo
        The boundary hop's HELO name, or a verdict header's ``helo``, or a BSMTP ``HELO``.
    client_ip
        The originating IP (the boundary hop's client address), or a verdict header's.
    findings
        Conflicts and notable values.
    submitter_ip
        The webmail client's address (``X-Originating-IP``, ``X-Yahoo-Post-IP``),
        canonical: the topmost trusted one, else the topmost one — which is then the
        sender's provider's word, or the sender's (see its ``confidence`` in ``fields``).
    """

    fields: tuple[EnvelopeField, ...]
    mail_from: str | None
    rcpt_to: tuple[str, ...]
    helo: str | None
    client_ip: str | None
    findings: tuple[Finding, ...]
    submitter_ip: str | None = None


_ANGLE = re.compile(r"<([^<>]*)>")
# Claim properties that record the envelope: Received-SPF keys and RFC 8601 smtp.* ptypes.
_CLAIM_FIELDS = {
    "client-ip": "client_ip",
    "envelope-from": "mail_from",
    "helo": "helo",
    "smtp.mailfrom": "mail_from",
    "smtp.helo": "helo",
}


#: An addr-spec as it looks in trace text: a dot-atom-ish or quoted local part, "@", and a
#: domain or a domain literal. Neither part may hold blanks, angle brackets, parentheses,
#: ",", ";" or ":", so "mailto:a@b" and "<@relay:a@b>" give "a@b". A match starts only
#: where a local part can (the lookbehind), so a long hostile value is searched in linear time.
_ADDR_SPEC = re.compile(
    r'(?<![^\s<>()\[\]"@,;:\\])(?:"[^"\r\n]*"|[^\s<>()\[\]"@,;:\\]+)@(?:\[[^\]\s]*\]|[^\s<>()\[\]"@,;:\\]+)'
)
_NULL_PATH = re.compile(r"<\s*>")


def _read_address(text: str) -> tuple[str, str | None]:
    """The address in a path, a mailbox or a delivery agent's field, and the text as
    written when the address had to be dug out of it (see the module docstring):
    ``<a@b>`` → ``("a@b", None)``; ``<>`` → ``("", None)``;
    ``moderator for a@b`` → ``("a@b", "moderator for a@b")``."""
    written = text.strip()
    m = _ADDR_SPEC.search(written)
    if m is None:
        if _NULL_PATH.fullmatch(written):
            return "", None
        angle = _ANGLE.search(written)
        value = (angle.group(1) if angle else written).strip().strip('"').strip()
    else:
        value = m.group(0)
        if written == value or (written[1:-1] == value and written[:1] == "<" and written[-1:] == ">"):
            return value, None  # the usual forms, "a@b" and "<a@b>"
    plain = {" ".join(form.split()) for form in (value, f"<{value}>", f'"{value}"', f'<"{value}">')}
    return value, None if not written or " ".join(written.split()) in plain else written


def _norm(address: str) -> str:
    # Local parts are case-sensitive in principle (RFC 5321 §2.4) but not in practice;
    # domains are case-insensitive. Compare lower-cased, keep the original for display.
    return address.strip().lower().rstrip(".")


def _trusted_header(index: int, boundary_index: int | None) -> bool:
    """A non-Received field is trusted when it stands above the boundary hop's field:
    the receiver prepends its own fields together with its Received field."""
    return boundary_index is None or index < boundary_index


def reconstruct(message: Message, path: Path) -> Envelope:
    """Reconstruct the SMTP envelope of ``message``.

    Parameters
    ----------
    message
        The message.
    path
        Its reconstructed :class:`~mailforensics.path.Path` (for the trust boundary).

    Returns
    -------
    Envelope
    """
    boundary = next((ph for ph in path.hops if ph.number == path.boundary_hop), None)
    boundary_index = boundary.header_index if boundary is not None else None
    fields: list[EnvelopeField] = []
    findings: list[Finding] = []

    def add(field: str, value: str, source: str, confidence: str, raw: str | None = None) -> None:
        fields.append(EnvelopeField(field=field, value=value, source=source, confidence=confidence, raw=raw))

    def add_address(field: str, text: str, source: str, confidence: str) -> None:
        value, raw = _read_address(text)
        add(field, value, source, confidence, raw)

    # A batch SMTP stream's commands: the envelope itself, first.
    recorded = message.source_envelope
    if recorded is not None:
        if recorded.mail_from is not None:
            add_address("mail_from", recorded.mail_from, recorded.source, HIGH)
        for text in recorded.rcpt_to:
            add_address("rcpt_to", text, recorded.source, HIGH)
        if recorded.helo:
            add("helo", recorded.helo, recorded.source, HIGH)

    # The fields read below, in one pass over the header (as message.get_all(name) would
    # give each: top first), rather than one pass per name.
    named: dict[str, list[HeaderField]] = {
        name.lower(): [] for name in ("Return-Path", *_RCPT_FIELDS, *_SUBMITTER_FIELDS)
    }
    for h in message.headers:
        bucket = named.get(h.name.lower())
        if bucket is not None:
            bucket.append(h)

    # Return-Path: added by the final delivery agent, so the topmost one is the fact.
    return_paths = named["return-path"]
    for n, h in enumerate(return_paths):
        conf = HIGH if n == 0 and _trusted_header(h.index, boundary_index) else LOW
        add_address("mail_from", h.unfolded, f"Return-Path (header {h.index})", conf)
    if len(return_paths) > 1:
        findings.append(
            Finding(
                code=FindingCode.ENVELOPE_MULTIPLE_RETURN_PATH,
                severity=Severity.NOTICE,
                where="header " + ", ".join(str(h.index) for h in return_paths),
                detail=f"{len(return_paths)} Return-Path fields: the message was delivered and "
                "re-injected (forwarded or resent), or one was added by the sender.",
                evidence=tuple(("Return-Path", h.unfolded) for h in return_paths),
            )
        )

    for name in _RCPT_FIELDS:
        for h in named[name.lower()]:
            conf = HIGH if _trusted_header(h.index, boundary_index) else LOW
            for part in h.unfolded.split(","):
                if part.strip():
                    add_address("rcpt_to", part, f"{name} (header {h.index})", conf)

    # The webmail client's address, as its service recorded it; a value that is not an
    # address (a hostile or mangled field) is not evidence of one.
    for name in _SUBMITTER_FIELDS:
        for h in named[name.lower()]:
            written = h.unfolded
            ip = canonical_ip(written) if len(written) <= 64 else None  # no literal is longer
            if ip is not None:
                conf = MEDIUM if _trusted_header(h.index, boundary_index) else LOW
                add("submitter_ip", ip, f"{name} (header {h.index})", conf, None if ip == written else written)

    # Received clauses, newest first so that the best candidate comes first.
    for ph in reversed(path.hops):
        hop = ph.hop
        conf = HIGH if ph.trusted_record else LOW
        where = f"Received hop {ph.number}"
        idx = f" (header {ph.header_index})" if ph.header_index is not None else ""
        if hop.envelope_from is not None:
            add_address("mail_from", hop.envelope_from, f"{where} envelope-from{idx}", conf)
        if hop.envelope_for:
            for addr in hop.envelope_for.split(","):
                if addr.strip():
                    add_address("rcpt_to", addr, f"{where} for{idx}", conf)
        if ph.number == path.boundary_hop:
            if hop.from_helo:
                add("helo", hop.from_helo, f"{where} from (HELO){idx}", HIGH)
            if hop.from_ip:
                add("client_ip", hop.from_ip, f"{where} from (client address){idx}", HIGH)

    # Verdict headers (RFC 7208 §9.1, RFC 8601): a receiver's record of the envelope.
    for claims in message_claims(message):
        if claims.field.lower() not in ("received-spf", "authentication-results") or claims.header_index is None:
            continue
        conf = MEDIUM if _trusted_header(claims.header_index, boundary_index) else LOW
        for claim in claims.claims:
            if claim.method != "spf" and claims.field.lower() == "received-spf":
                continue
            for key, value in claim.properties:
                target = _CLAIM_FIELDS.get(key)
                if target is None or not value:
                    continue
                source = (
                    f"Received-SPF (header {claims.header_index})"
                    if claims.field.lower() == "received-spf"
                    else f"Authentication-Results {key} (header {claims.header_index})"
                )
                if target == "mail_from":
                    add_address(target, value, source, conf)
                else:
                    add(target, value, source, conf)

    findings.extend(_conflicts(fields))

    def best(field: str, usable: Callable[[EnvelopeField], bool] | None = None) -> EnvelopeField | None:
        for conf in (HIGH, MEDIUM, LOW):
            for f in fields:
                if f.field == field and f.confidence == conf and (usable is None or usable(f)):
                    return f
        return None

    mail_from = best("mail_from")
    if mail_from is not None and mail_from.value == "":
        findings.append(
            Finding(
                code=FindingCode.ENVELOPE_NULL_SENDER,
                severity=Severity.INFO,
                where=mail_from.source,
                detail="The envelope sender is null (<>): a bounce, a delivery report or an "
                "auto-reply (RFC 5321 §4.5.5). SPF then checks the HELO identity.",
            )
        )
    rcpt_best = best("rcpt_to")
    rcpt: tuple[str, ...] = ()
    if rcpt_best is not None:
        seen: dict[str, str] = {}
        for f in fields:
            if f.field == "rcpt_to" and f.confidence == rcpt_best.confidence:
                seen.setdefault(_norm(f.value), f.value)
        rcpt = tuple(seen.values())
    # The boundary hop's HELO pairs with the client address; a BSMTP HELO names the
    # newest transfer, so it is the value only when nothing else recorded one.
    helo = best("helo", lambda f: f.source != BSMTP_SOURCE and f.confidence != LOW) or best("helo")
    # A claimed client-ip that is not an address (a mangled or forged verdict field) stays
    # in ``fields`` as what the message says, but is never the envelope's address: SPF's
    # check_host() takes an IP (RFC 7208 §4.1).
    client_ip = best("client_ip", lambda f: canonical_ip(f.value) is not None)
    submitter = best("submitter_ip")
    # Some receivers write X-Originating-IP for the SMTP client they took the message
    # from: a value that is a hop's client address is a relay, not a webmail client.
    relays = {canonical_ip(ph.hop.from_ip) for ph in path.hops if ph.hop.from_ip}
    if submitter is not None and submitter.confidence != LOW and submitter.value not in relays:
        where_from = parse_ip(submitter.value)
        if where_from is not None and not (
            is_private_address(where_from) or where_from.is_unspecified or where_from.is_multicast
        ):
            findings.append(
                Finding(
                    code=FindingCode.ENVELOPE_SUBMITTER_IP,
                    severity=Severity.INFO,
                    where=submitter.source,
                    detail=f"The message was submitted through webmail from {submitter.value}: the "
                    "address of the sender's own client, recorded by a service inside the trust "
                    "boundary (the Received chain shows only the service's relays).",
                    evidence=((submitter.source, submitter.raw or submitter.value),),
                )
            )
    return Envelope(
        fields=tuple(fields),
        mail_from=mail_from.value if mail_from else None,
        rcpt_to=rcpt,
        helo=helo.value if helo else None,
        client_ip=canonical_ip(client_ip.value) if client_ip else None,
        findings=tuple(findings),
        submitter_ip=submitter.value if submitter else None,
    )


_CONFLICT_CODES = {
    "mail_from": FindingCode.ENVELOPE_FROM_CONFLICT,
    "helo": FindingCode.ENVELOPE_HELO_CONFLICT,
    "client_ip": FindingCode.ENVELOPE_IP_CONFLICT,
}


def _conflicts(fields: list[EnvelopeField]) -> list[Finding]:
    out: list[Finding] = []
    reliable = [f for f in fields if f.confidence in (HIGH, MEDIUM)]
    for field, code in _CONFLICT_CODES.items():
        values: dict[str, list[EnvelopeField]] = {}
        for f in reliable:
            if f.field == field and not (field == "helo" and f.source == BSMTP_SOURCE):
                values.setdefault(_norm(f.value), []).append(f)
        if len(values) > 1:
            out.append(
                Finding(
                    code=code,
                    severity=Severity.WARNING,
                    where="envelope",
                    detail=f"The {field.replace('_', ' ')} evidence disagrees: "
                    + "; ".join(f"{v[0].value or '<>'} ({', '.join(x.source for x in v)})" for v in values.values())
                    + ". The message was forwarded or re-injected, or a header was forged.",
                    evidence=tuple((f.source, f.value) for vs in values.values() for f in vs),
                )
            )
    # RCPT TO: several recipients are normal. X-Original-To / Envelope-To record the RCPT
    # TO as the delivery agent received it (before alias expansion), so each must appear
    # among the trusted `for` clauses; Delivered-To is the address after expansion and
    # may differ legitimately (an alias, a forward, a list).
    received_for = {_norm(f.value) for f in reliable if f.field == "rcpt_to" and f.source.startswith("Received")}
    if received_for:
        for f in reliable:
            if f.field != "rcpt_to" or f.source.startswith(("Received", "Delivered-To", BSMTP_SOURCE)):
                continue
            if _norm(f.value) not in received_for:
                out.append(
                    Finding(
                        code=FindingCode.ENVELOPE_RCPT_CONFLICT,
                        severity=Severity.WARNING,
                        where="envelope",
                        detail=f"{f.source} says the message was sent to {f.value}, but the trusted "
                        f"Received 'for' clauses say {', '.join(sorted(received_for))}: a header "
                        "added or edited after delivery.",
                        evidence=tuple((g.source, g.value) for g in reliable if g.field == "rcpt_to"),
                    )
                )
        delivered = [f for f in reliable if f.field == "rcpt_to" and f.source.startswith("Delivered-To")]
        if delivered and not any(_norm(f.value) in received_for for f in delivered):
            out.append(
                Finding(
                    code=FindingCode.ENVELOPE_RCPT_CONFLICT,
                    severity=Severity.INFO,
                    where="envelope",
                    detail="The delivered-to address ("
                    + ", ".join(sorted({f.value for f in delivered}))
                    + ") is not among the trusted Received 'for' addresses ("
                    + ", ".join(sorted(received_for))
                    + "): an alias, a forward or a list expansion.",
                    evidence=tuple((g.source, g.value) for g in reliable if g.field == "rcpt_to"),
                )
            )
    return out
