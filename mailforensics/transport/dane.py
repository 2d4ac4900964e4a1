"""DANE for SMTP (RFC 7672): are you my mail server? TLSA under DNSSEC, checked against the MX.

A proxy can sit between a sender and the recipient's MX. DNSSEC protects the MX and
address records; STARTTLS gives the server's certificate; the DANE TLSA records at
``_25._tcp.<mx host>`` say which certificate (or which issuing CA) that must be. When
nothing matches, a DANE-aware sender does not deliver.

:func:`check` follows RFC 7672 §2.2 for a domain, host by host:

1. the MX RRset (:func:`~mailforensics.transport.mx.lookup_mx`) must be DNSSEC-validated
   (§2.2.1), or DANE does not apply (``insecure``); a bogus one fails (``fail``);
2. the host's address records must be validated (§2.2.2), or DANE does not apply;
3. the TLSA RRset at ``_25._tcp.<host>`` counts only when validated (§2.2): a secure
   denial is ``no-tlsa``, an insecure answer ``insecure``, a bogus answer or a failed
   lookup ``fail`` (the sender defers delivery to that host). When the host is an alias
   whose CNAME chain validated end to end, the TLSA records are looked up first at the
   expanded name, then, on a validated denial or an insecure answer there, at the MX
   name (§2.2.2); a failure at the expanded name decides, as it does for Postfix;
4. with ``probe=True``, :func:`probe` opens an SMTP session, asks for STARTTLS and
   collects the certificate chain, and :func:`match_chain` matches it (RFC 6698 §2.1,
   RFC 7671, RFC 7672 §3.1): DANE-EE(3) against the leaf, with no name or date checks
   (§3.1.1); DANE-TA(2) against a certificate of the chain, which must then issue the
   leaf, be in date, and name the host (§3.1.2, §3.2). PKIX-TA(0) and PKIX-EE(1)
   records are unusable for SMTP (§3.1.3), as are unknown parameters and digests of the
   wrong length. A host with usable TLSA records that offers no STARTTLS fails (§2.2).

Outcomes per host: ``pass``, ``fail``, ``insecure`` (DANE does not apply),
``no-tlsa`` (validated: no TLSA, or none usable), ``untested`` (usable TLSA, but the
server was not probed) and ``error`` (the probe could not reach the server: no verdict).

Why hand-written: no maintained Python package implements RFC 7672's DNSSEC rules with
an injected resolver (evidence and replay need one), and the matching must record every
digest compared, which the TLS stacks that do DANE (OpenSSL's ``SSL_dane_*``, GnuTLS)
keep to themselves. The certificate chain comes from the standard library's ``ssl``
(``get_unverified_chain``: public from Python 3.13, a method of the ``_ssl`` object
since 3.10), so no other TLS library is needed.

:func:`probe` is the only function here that opens a socket. It resolves the MX host
through the context's resolver (never the operating system's) and connects to that
address; the port is a keyword (``port=25``) so that tests can point it at a loopback
server. It refuses to run with a :class:`~mailforensics.resolvers.replay.ReplayResolver`:
an offline analysis must not touch the recipient's servers.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
import ssl
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.findings import Finding
from mailforensics.resolvers.base import DNSAnswer, normalize_name
from mailforensics.transport.mx import MXHost, MXResult, lookup_mx

__all__ = [
    "OUTCOMES",
    "SMTP_PORT",
    "CertificateInfo",
    "DANEHost",
    "DANEResult",
    "ProbeResult",
    "TLSAMatch",
    "TLSARecord",
    "certificate_info",
    "check",
    "check_host",
    "match_chain",
    "parse_tlsa",
    "probe",
    "refuse_offline",
    "spki_der",
    "tlsa_name",
]

#: RFC 7672 §2.2.3: the TLSA base domain is the MX host, at port 25 over TCP, whatever
#: port the probe actually connects to.
SMTP_PORT = 25
#: The outcomes of :attr:`DANEHost.outcome`.
OUTCOMES = ("pass", "fail", "insecure", "no-tlsa", "untested", "error")
Outcome = Literal["pass", "fail", "insecure", "no-tlsa", "untested", "error"]

#: RFC 7218 §2.1–2.3: the mnemonics of the TLSA parameters.
USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}
SELECTORS = {0: "Cert", 1: "SPKI"}
MATCHING_TYPES = {0: "Full", 1: "SHA2-256", 2: "SHA2-512"}
_DIGEST_LENGTHS = {1: 32, 2: 64}
_MAX_REPLY_LINES = 100  # an EHLO reply is a dozen lines; a server sending more is not SMTP
_MAX_LINE = 4096  # RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; be lenient


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class TLSARecord:
    """One TLSA record (RFC 6698 §2.1) and whether SMTP can use it (RFC 7672 §3.1.3).

    Parameters
    ----------
    text
        The record in presentation format, as the resolver gave it.
    usage, selector, matching_type
        The three parameters; None when the record could not be read.
    data
        The certificate association data, lower-case hex.
    usable
        True for DANE-TA(2) and DANE-EE(3) with a known selector and matching type and a
        digest of the right length.
    problem
        Why it is unusable, when it is.
    """

    text: str
    usage: int | None
    selector: int | None
    matching_type: int | None
    data: str
    usable: bool
    problem: str | None = None

    @property
    def mnemonic(self) -> str:
        """``"DANE-EE(3) SPKI(1) SHA2-256(1)"`` (RFC 7218)."""
        if self.usage is None or self.selector is None or self.matching_type is None:
            return "unreadable"
        return (
            f"{USAGES.get(self.usage, 'unknown')}({self.usage}) "
            f"{SELECTORS.get(self.selector, 'unknown')}({self.selector}) "
            f"{MATCHING_TYPES.get(self.matching_type, 'unknown')}({self.matching_type})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateInfo:
    """One certificate of the chain a server presented.

    Parameters
    ----------
    position
        0 for the server's own (leaf) certificate, then in the order sent.
    subject, issuer
        Distinguished names (RFC 4514 strings).
    not_before, not_after
        The validity period, aware UTC.
    serial
        The serial number, hex.
    sha256
        SHA-256 of the whole certificate (DER): its usual fingerprint.
    spki_sha256
        SHA-256 of its SubjectPublicKeyInfo (what ``3 1 1`` records publish).
    dns_names
        Its subjectAltName DNS names.
    is_ca
        True when its basicConstraints say CA.
    der
        The certificate, DER.
    """

    position: int
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    serial: str
    sha256: str
    spki_sha256: str
    dns_names: tuple[str, ...] = ()
    is_ca: bool = False
    der: bytes = b""

    def valid_at(self, when: datetime) -> bool:
        """True when ``when`` lies inside the validity period."""
        return self.not_before <= when <= self.not_after


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSAMatch:
    """One comparison: a TLSA record against one certificate of the chain.

    Parameters
    ----------
    record
        The TLSA record (presentation format).
    position
        The certificate's position in the chain (0 = leaf).
    selector, matching_type
        What was hashed (certificate or SPKI) and how.
    expected
        The record's association data, hex.
    computed
        The same computed from the certificate, hex.
    matched
        ``expected == computed``.
    """

    record: str
    position: int
    selector: int
    matching_type: int
    expected: str
    computed: str
    matched: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """What one SMTP STARTTLS probe saw.

    Parameters
    ----------
    host
        The MX host name (also sent as SNI, RFC 7672 §8.1).
    address, port
        Where the probe connected.
    connected
        A TCP connection and a 220 greeting.
    banner
        The greeting's text.
    ehlo
        The EHLO reply's lines (keywords), without the codes.
    starttls_offered
        STARTTLS is among the EHLO keywords (RFC 3207 §4).
    tls
        The TLS handshake completed.
    tls_version, tls_cipher
        As negotiated (``"TLSv1.3"``, ``"TLS_AES_256_GCM_SHA384"``).
    chain
        The certificates presented, leaf first.
    error
        What went wrong, in one sentence, when something did.
    elapsed_s
        Seconds the probe took.
    """

    host: str
    address: str
    port: int
    connected: bool = False
    banner: str | None = None
    ehlo: tuple[str, ...] = ()
    starttls_offered: bool = False
    tls: bool = False
    tls_version: str | None = None
    tls_cipher: str | None = None
    chain: tuple[CertificateInfo, ...] = ()
    error: str | None = None
    elapsed_s: float = 0.0

    @property
    def leaf(self) -> CertificateInfo | None:
        """The server's own certificate, when one was presented."""
        return self.chain[0] if self.chain else None


@dataclass(frozen=True, slots=True, kw_only=True)
class DANEHost:
    """The DANE verdict for one MX host.

    Parameters
    ----------
    host, preference
        The MX host and its preference.
    addresses
        Its addresses (IPv4 then IPv6).
    address_secure
        DNSSEC status of its address records.
    tlsa_name
        The TLSA owner name the verdict rests on: ``_25._tcp.<host>``, or
        ``_25._tcp.<expanded host>`` when the host is an alias (RFC 7672 §2.2.2).
    tlsa_status, tlsa_secure
        The TLSA answer's DNS status and DNSSEC status.
    tlsa
        The TLSA records as read (usable or not).
    outcome
        One of :data:`OUTCOMES`.
    reason
        Why, in one sentence.
    probe
        The STARTTLS probe, when one was made.
    matches
        Every comparison made (record × certificate).
    matched
        The comparison that authenticated the server (for ``pass``).
    """

    host: str
    preference: int
    addresses: tuple[str, ...]
    address_secure: bool | None
    tlsa_name: str
    tlsa_status: str | None
    tlsa_secure: bool | None
    tlsa: tuple[TLSARecord, ...]
    outcome: Outcome
    reason: str
    probe: ProbeResult | None = None
    matches: tuple[TLSAMatch, ...] = ()
    matched: TLSAMatch | None = None

    @property
    def usable_tlsa(self) -> tuple[TLSARecord, ...]:
        """The records SMTP can use (RFC 7672 §3.1.3)."""
        return tuple(r for r in self.tlsa if r.usable)


@dataclass(frozen=True, slots=True, kw_only=True)
class DANEResult:
    """DANE for a recipient domain: its MX set, their DNSSEC status, one verdict per host.

    Parameters
    ----------
    domain
        The domain, as :func:`~mailforensics.transport.mx.lookup_mx` normalised it.
    mx
        The MX lookup.
    mx_secure
        DNSSEC status of the MX RRset (RFC 7672 §2.2.1).
    hosts
        One :class:`DANEHost` per MX host, in the order a sender tries them.
    probed
        True when the servers were probed.
    findings
        Findings about the domain (DNS failures from the MX lookup).
    """

    domain: str
    mx: MXResult
    mx_secure: bool | None
    hosts: tuple[DANEHost, ...]
    probed: bool
    findings: tuple[Finding, ...] = ()

    @property
    def outcome(self) -> str:
        """The domain's verdict: ``fail`` if a host fails, else ``error`` if a probe could
        not finish, else ``pass`` if every host passes, else ``untested`` if usable TLSA
        are waiting for a probe, else ``no-tlsa`` if a validated host has none, else
        ``insecure`` (DANE does not apply: nothing validated, or no MX host)."""
        outcomes = [h.outcome for h in self.hosts]
        for verdict in ("fail", "error"):
            if verdict in outcomes:
                return verdict
        if outcomes and all(o == "pass" for o in outcomes):
            return "pass"
        for verdict in ("untested", "pass", "no-tlsa"):
            if verdict in outcomes:
                return verdict
        return "insecure"


# ---------------------------------------------------------------------------------------
# TLSA records
# ---------------------------------------------------------------------------------------
def tlsa_name(host: str, port: int = SMTP_PORT) -> str:
    """``_25._tcp.<host>``: the TLSA owner name for SMTP on ``host`` (RFC 6698 §3, RFC 7672 §2.2.3)."""
    return f"_{port}._tcp.{host.rstrip('.').lower()}"


def parse_tlsa(text: str) -> TLSARecord:
    """Read one TLSA record in presentation format (``"3 1 1 8d02...``"); never raises.

    The association data may be split into several hex chunks (dnspython splits long
    data); they are joined.
    """
    parts = text.split()
    if len(parts) < 4:
        return TLSARecord(
            text=text, usage=None, selector=None, matching_type=None, data="", usable=False,
            problem="not a TLSA record: usage, selector, matching type and data expected",
        )  # fmt: skip
    try:
        usage, selector, mtype = (int(p) for p in parts[:3])
    except ValueError:
        return TLSARecord(
            text=text, usage=None, selector=None, matching_type=None, data="", usable=False,
            problem="the usage, selector and matching type must be numbers",
        )  # fmt: skip
    data = "".join(parts[3:]).lower()
    problem: str | None = None
    try:
        raw = bytes.fromhex(data)
    except ValueError:
        raw = b""
        problem = "the association data is not hexadecimal"
    if problem is None:
        if usage in (0, 1):
            # RFC 7672 §3.1.3: no PKIX trust anchors are shared among MTAs; such records
            # are "unusable" and SMTP clients treat them as if absent.
            problem = f"{USAGES[usage]}({usage}) is unusable for SMTP (RFC 7672 §3.1.3)"
        elif usage not in USAGES:
            problem = f"unknown certificate usage {usage} (RFC 6698 §2.1.1)"
        elif selector not in SELECTORS:
            problem = f"unknown selector {selector} (RFC 6698 §2.1.2)"
        elif mtype not in MATCHING_TYPES:
            problem = f"unknown matching type {mtype} (RFC 6698 §2.1.3)"
        elif mtype in _DIGEST_LENGTHS and len(raw) != _DIGEST_LENGTHS[mtype]:
            problem = (
                f"a {MATCHING_TYPES[mtype]} digest must be {_DIGEST_LENGTHS[mtype]} bytes, not {len(raw)} "
                "(RFC 7671 §5.1: a malformed record is unusable)"
            )
        elif not raw:
            problem = "empty association data"
    return TLSARecord(
        text=text, usage=usage, selector=selector, matching_type=mtype, data=data,
        usable=problem is None, problem=problem,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------
def _der_tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """The DER element at ``at``: (tag, start of content, end of element)."""
    tag = data[at]
    length = data[at + 1]
    start = at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, start, end


def spki_der(cert_der: bytes) -> bytes:
    """The certificate's SubjectPublicKeyInfo exactly as encoded in it (RFC 5280 §4.1).

    DANE's selector 1 hashes these bytes (RFC 6698 §2.1.2); taking them from the
    certificate, rather than re-encoding the parsed key, keeps any unusual encoding.
    """
    _, cert_body, _ = _der_tlv(cert_der, 0)  # Certificate ::= SEQUENCE
    _, tbs_body, tbs_end = _der_tlv(cert_der, cert_body)  # tbsCertificate ::= SEQUENCE
    at = tbs_body
    tag, _, end = _der_tlv(cert_der, at)
    if tag == 0xA0:  # [0] EXPLICIT version
        at = end
    # serialNumber, signature, issuer, validity, subject: then subjectPublicKeyInfo
    for _ in range(5):
        _, _, at = _der_tlv(cert_der, at)
    _, _, end = _der_tlv(cert_der, at)
    if end > tbs_end:
        raise ValueError("no SubjectPublicKeyInfo in the certificate")
    return cert_der[at:end]


def certificate_info(der: bytes, position: int = 0) -> CertificateInfo:
    """Describe a DER certificate (subject, issuer, validity, fingerprints, names).

    Raises
    ------
    InputError
        When ``der`` is not a certificate.
    """
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
        spki = spki_der(der)
    except (ValueError, IndexError) as exc:
        raise InputError(f"not a DER certificate: {exc}") from exc
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName))
    except (x509.ExtensionNotFound, ValueError):
        names = ()
    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        is_ca = False
    return CertificateInfo(
        position=position,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial=f"{cert.serial_number:x}",
        sha256=hashlib.sha256(der).hexdigest(),
        spki_sha256=hashlib.sha256(spki).hexdigest(),
        dns_names=names,
        is_ca=is_ca,
        der=der,
    )


def _association(der: bytes, selector: int, matching_type: int) -> str:
    """RFC 6698 §2.1.2–2.1.3: the selected bytes, digested (or not), hex."""
    selected = der if selector == 0 else spki_der(der)
    if matching_type == 1:
        return hashlib.sha256(selected).hexdigest()
    if matching_type == 2:
        return hashlib.sha512(selected).hexdigest()
    return selected.hex()


def _name_matches(pattern: str, host: str) -> bool:
    """RFC 7672 §3.2.3 / RFC 6125 §6.4.3: exact, or ``*.`` as the whole leftmost label."""
    p = pattern.lower().rstrip(".")
    h = host.lower().rstrip(".")
    if p == h:
        return True
    if p.startswith("*.") and "." in h:
        return h.split(".", 1)[1] == p[2:] and bool(h.split(".", 1)[0])
    return False


def _names_of(cert: Any) -> tuple[str, ...]:
    """DNS names a certificate is for: its SAN DNS names, else its subject CN (RFC 7672 §3.2.3)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName))
        if names:
            return names
    except (x509.ExtensionNotFound, ValueError):
        pass
    return tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME))


def _chain_to(certs: Sequence[Any], target: int, now: datetime) -> tuple[bool, str]:
    """Does the leaf chain up to ``certs[target]`` (each issued by the next), all in date?

    The presented order need not be the issuing order: each step looks for the presented
    certificate that names and signs the current one.
    """
    from cryptography.exceptions import InvalidSignature

    current = 0
    used = {0}
    for _ in range(len(certs)):
        if current == target:
            return True, "chain verified"
        cert = certs[current]
        if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
            return False, f"certificate {current} ({cert.subject.rfc4514_string()}) is out of date at {now.isoformat()}"
        issuer = None
        for i, candidate in enumerate(certs):
            if i in used or candidate.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            issuer = i
            break
        if issuer is None:
            return False, f"no presented certificate issued certificate {current} ({cert.subject.rfc4514_string()})"
        used.add(issuer)
        current = issuer
    return current == target, "chain verified" if current == target else "the chain does not reach the trust anchor"


def match_chain(
    records: Sequence[TLSARecord],
    chain: Sequence[bytes],
    *,
    names: Sequence[str],
    now: datetime,
) -> tuple[bool, tuple[TLSAMatch, ...], TLSAMatch | None, str]:
    """Match a presented certificate chain against usable TLSA records (RFC 7672 §3).

    Parameters
    ----------
    records
        TLSA records; unusable ones are skipped.
    chain
        DER certificates as the server sent them, leaf first.
    names
        Reference identifiers for DANE-TA(2): the TLSA base domain (the MX host) first,
        then any other name accepted (RFC 7672 §3.2.2 lets the client accept the
        next-hop domain too).
    now
        The time to check DANE-TA(2) chains' validity at.

    Returns
    -------
    tuple
        ``(matched, comparisons, the comparison that authenticated, reason)``.
    """
    from cryptography import x509

    usable = [r for r in records if r.usable]
    if not chain:
        return False, (), None, "the server presented no certificate"
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain]
    except ValueError as exc:
        return False, (), None, f"the server presented a certificate that cannot be read: {exc}"
    comparisons: list[TLSAMatch] = []
    winner: TLSAMatch | None = None
    reasons: list[str] = []
    for record in usable:
        assert record.usage is not None and record.selector is not None and record.matching_type is not None
        # DANE-EE(3) speaks for the leaf only (RFC 7672 §3.1.1); DANE-TA(2) for any
        # certificate the server sent, which must then issue the leaf (§3.1.2).
        positions = (0,) if record.usage == 3 else tuple(range(len(chain)))
        for position in positions:
            try:
                computed = _association(chain[position], record.selector, record.matching_type)
            except (ValueError, IndexError):
                computed = ""
            hit = computed == record.data
            comparison = TLSAMatch(
                record=record.text, position=position, selector=record.selector,
                matching_type=record.matching_type, expected=record.data, computed=computed, matched=hit,
            )  # fmt: skip
            comparisons.append(comparison)
            if not hit or winner is not None:
                continue
            if record.usage == 3:
                # §3.1.1: no name checks, and the validity period is ignored.
                winner = comparison
                continue
            ok, why = _chain_to(certs, position, now)
            if not ok:
                reasons.append(f"{record.mnemonic} matched certificate {position}, but {why}")
                continue
            leaf_names = _names_of(certs[0])
            if not any(_name_matches(p, n) for p in leaf_names for n in names):
                reasons.append(
                    f"{record.mnemonic} matched certificate {position}, but the server certificate names "
                    f"{', '.join(leaf_names) or 'nothing'}, not {', '.join(names)} (RFC 7672 §3.2.3)"
                )
                continue
            winner = comparison
    if winner is not None:
        role = "the server's own certificate" if winner.position == 0 else f"certificate {winner.position} of the chain"
        why = f"{parse_tlsa(winner.record).mnemonic} matched {role}"
        return True, tuple(comparisons), winner, why
    if reasons:
        return False, tuple(comparisons), None, "; ".join(reasons)
    return False, tuple(comparisons), None, "no usable TLSA record matches the certificate chain presented"


# ---------------------------------------------------------------------------------------
# The probe: SMTP, EHLO, STARTTLS, the chain
# ---------------------------------------------------------------------------------------
def refuse_offline(ctx: Context, what: str) -> None:
    """Raise :class:`~mailforensics.errors.InputError` when ``ctx`` replays evidence.

    Probing touches the recipient's servers; an offline (replay) analysis must never do
    that, whatever else it is asked.
    """
    from mailforensics.resolvers.replay import ReplayResolver

    resolver = ctx.resolver
    seen = 0
    while resolver is not None and seen < 8:
        if isinstance(resolver, ReplayResolver):
            raise InputError(f"{what} contacts the recipient's servers; it is refused in offline (replay) mode")
        resolver = getattr(resolver, "inner", None)
        seen += 1


class _SMTPError(Exception):
    pass


class _Lines:
    """Read SMTP replies from a socket with a deadline, keeping unread bytes visible."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.buffer = b""

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the probe's time ran out")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise _SMTPError("the server closed the connection")
            self.buffer += chunk
            if len(self.buffer) > _MAX_LINE and b"\n" not in self.buffer:
                raise _SMTPError("a reply line longer than any SMTP server sends")
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r")

    def reply(self) -> tuple[int, tuple[str, ...]]:
        """One reply (RFC 5321 §4.2): its code and its lines' text."""
        lines: list[str] = []
        code = 0
        for _ in range(_MAX_REPLY_LINES):
            raw = self.line().decode("utf-8", errors="replace")
            if len(raw) < 3 or not raw[:3].isdigit():
                raise _SMTPError(f"not an SMTP reply: {raw[:80]!r}")
            code = int(raw[:3])
            lines.append(raw[4:])
            if len(raw) == 3 or raw[3] != "-":
                return code, tuple(lines)
        raise _SMTPError("an SMTP reply with too many lines")


def _send(sock: socket.socket, command: str, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the probe's time ran out")
    sock.settimeout(remaining)
    sock.sendall(command.encode("ascii") + b"\r\n")


def _peer_chain(tls: ssl.SSLSocket) -> tuple[bytes, ...]:
    """The certificates the server sent, DER, leaf first, without verifying them."""
    public = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
    if public is not None:
        return tuple(bytes(c) for c in public())
    inner = getattr(tls, "_sslobj", None)
    method = getattr(inner, "get_unverified_chain", None)  # Python 3.10–3.12
    if method is not None:
        import _ssl

        chain = method() or ()
        return tuple(c.public_bytes(_ssl.ENCODING_DER) for c in chain)
    leaf = tls.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()


def _address_for(host: str, ctx: Context) -> str | None:
    resolver = ctx.get_resolver()
    for rdtype in ("A", "AAAA"):
        answer: DNSAnswer = resolver.query(host, rdtype)
        for record in answer.records if answer.ok else ():
            try:
                return str(ipaddress.ip_address(record))
            except ValueError:
                continue
    return None


def probe(
    host: str,
    address: str | None = None,
    *,
    ctx: Context,
    port: int = SMTP_PORT,
    timeout: float = 15.0,
    ehlo_name: str = "mailforensics.invalid",
) -> ProbeResult:
    """Open an SMTP session to ``host``, ask for STARTTLS, and collect the certificate chain.

    The greeting, the EHLO keywords, the TLS version and cipher and every certificate are
    recorded. The certificate is *not* verified here (a DANE or MTA-STS check does that
    with the chain). The session ends with QUIT; no mail is sent.

    Parameters
    ----------
    host
        The MX host name; sent as SNI (RFC 7672 §8.1).
    address
        The address to connect to; default: the host's first A (else AAAA) record from
        the context's resolver (never the operating system's).
    ctx
        The context (its resolver; probing is refused in offline mode).
    port
        The TCP port (25). Tests point this at a loopback server.
    timeout
        Seconds for the whole probe.
    ehlo_name
        The name sent with EHLO.

    Returns
    -------
    ProbeResult
        Never raises for network problems: they are in ``error``.

    Raises
    ------
    InputError
        When ``ctx`` replays evidence (offline), or ``address`` is not an IP address.
    """
    refuse_offline(ctx, "The STARTTLS probe")
    started = time.monotonic()
    deadline = started + timeout
    name = host.rstrip(".").lower()
    target = address if address is not None else _address_for(name, ctx)
    if target is None:
        return ProbeResult(host=name, address="", port=port, error=f"{name} has no address in the DNS")
    try:
        ip = ipaddress.ip_address(target)
    except ValueError as exc:
        raise InputError(f"not an IP address: {target!r}") from exc
    fields: dict[str, Any] = {"host": name, "address": str(ip), "port": port}

    def done(**more: Any) -> ProbeResult:
        return ProbeResult(**fields, **more, elapsed_s=round(time.monotonic() - started, 3))

    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    tls: ssl.SSLSocket | None = None
    try:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            sock.connect((str(ip), port))
        except OSError as exc:
            return done(error=f"cannot connect to {ip} port {port}: {exc.strerror or exc}")
        lines = _Lines(sock, deadline)
        code, text = lines.reply()
        fields["banner"] = " / ".join(text)
        if code != 220:
            return done(error=f"the server greeted with {code}, not 220")
        fields["connected"] = True
        _send(sock, f"EHLO {ehlo_name}", deadline)
        code, text = lines.reply()
        if code != 250:
            return done(error=f"EHLO was answered {code}: {' '.join(text)[:200]}")
        keywords = text[1:]
        fields["ehlo"] = keywords
        offered = any(k.split()[0].upper() == "STARTTLS" for k in keywords if k.split())
        fields["starttls_offered"] = offered
        if not offered:
            _send(sock, "QUIT", deadline)
            return done(error="the server does not offer STARTTLS")
        _send(sock, "STARTTLS", deadline)
        code, text = lines.reply()
        if code != 220:
            return done(error=f"STARTTLS was answered {code}: {' '.join(text)[:200]}")
        if lines.buffer:
            # RFC 3207 §6: anything sent before the handshake is an injection attempt.
            return done(error="the server sent data after its STARTTLS reply, before the TLS handshake")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # DANE matches the chain itself (RFC 7672 §3)
        # An observer, not a sender: let an old server show what it offers (TLS 1.0+, any
        # cipher); the version and cipher negotiated are reported.
        with warnings.catch_warnings(), contextlib.suppress(ValueError, ssl.SSLError):
            warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1, on purpose
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("ALL:@SECLEVEL=0")
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            tls = context.wrap_socket(sock, server_hostname=name)
        except (ssl.SSLError, OSError) as exc:
            return done(error=f"the TLS handshake failed: {exc}")
        chain = _peer_chain(tls)
        infos = []
        for i, der in enumerate(chain):
            try:
                infos.append(certificate_info(der, i))
            except InputError:
                continue
        cipher = tls.cipher()
        fields.update(
            tls=True,
            tls_version=tls.version(),
            tls_cipher=cipher[0] if cipher else None,
            chain=tuple(infos),
        )
        try:
            _send(tls, "QUIT", deadline)
            _Lines(tls, deadline).reply()
        except (OSError, _SMTPError, ssl.SSLError):
            pass  # the verdict is in; a rude goodbye changes nothing
        return done()
    except TimeoutError:
        return done(error=f"no answer within {timeout:g} s")
    except _SMTPError as exc:
        return done(error=str(exc))
    except (OSError, ssl.SSLError) as exc:
        return done(error=f"the connection failed: {exc}")
    finally:
        if tls is not None:
            tls.close()
        sock.close()


# ---------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------
def check_host(
    mx_host: MXHost,
    *,
    domain: str,
    mx_secure: bool | None,
    ctx: Context,
    probe_server: bool = False,
    port: int = SMTP_PORT,
    timeout: float = 15.0,
) -> DANEHost:
    """The DANE verdict for one MX host of ``domain`` (RFC 7672 §2.2, §3).

    Parameters
    ----------
    mx_host
        A host from :func:`~mailforensics.transport.mx.lookup_mx`.
    domain
        The recipient domain (the next-hop domain, an accepted name for DANE-TA).
    mx_secure
        DNSSEC status of the MX RRset the host came from.
    ctx
        The context.
    probe_server
        Connect and match the certificate chain.
    port, timeout
        For :func:`probe`.
    """
    host = mx_host.host
    resolver = ctx.get_resolver()
    base, answer = _tlsa_lookup(mx_host, resolver)
    owner = tlsa_name(base)
    common: dict[str, Any] = {
        "host": host,
        "preference": mx_host.preference,
        "addresses": mx_host.addresses,
        "address_secure": mx_host.secure,
        "tlsa_name": owner,
    }
    records = tuple(parse_tlsa(r) for r in answer.records) if answer.ok else ()
    common.update(tlsa_status=answer.status, tlsa_secure=answer.secure, tlsa=records)
    # The probe reports STARTTLS and the certificate whatever DANE concludes, except that
    # an address which failed DNSSEC validation (possibly an attacker's) is not contacted.
    result: ProbeResult | None = None
    if probe_server and mx_host.addresses and mx_secure is not False and mx_host.secure is not False:
        result = probe(host, mx_host.addresses[0], ctx=ctx, port=port, timeout=timeout)
    common["probe"] = result

    # --- DNSSEC, in the order a sender meets it (RFC 7672 §2.2) --------------------------
    if mx_secure is False:
        return DANEHost(**common, outcome="fail", reason="the MX RRset is bogus (DNSSEC validation failed)")
    if mx_secure is None:
        return DANEHost(
            **common, outcome="insecure",
            reason="the MX RRset is not DNSSEC-validated: DANE does not apply (RFC 7672 §2.2.1)",
        )  # fmt: skip
    if mx_host.secure is False:
        return DANEHost(**common, outcome="fail", reason=f"the address records of {host} are bogus")
    if mx_host.secure is None:
        return DANEHost(
            **common, outcome="insecure",
            reason=f"the address records of {host} are not DNSSEC-validated: DANE does not apply (RFC 7672 §2.2.2)",
        )  # fmt: skip
    if not mx_host.addresses:
        return DANEHost(**common, outcome="error", reason=f"{host} has no address")
    if answer.temporary_failure:
        return DANEHost(
            **common, outcome="fail",
            reason=f"the TLSA lookup failed ({answer.status}): a DANE sender defers delivery to this host "
            "(RFC 7672 §2.2)",
        )  # fmt: skip
    if answer.secure is False:
        return DANEHost(
            **common, outcome="fail",
            reason=f"the TLSA answer for {owner} is bogus (DNSSEC validation failed): delivery must not proceed",
        )  # fmt: skip
    if answer.secure is None:
        return DANEHost(
            **common, outcome="insecure",
            reason=f"the TLSA answer for {owner} is not DNSSEC-validated: DANE does not apply (RFC 7672 §2.2)",
        )  # fmt: skip
    usable = [r for r in records if r.usable]
    if not records:
        return DANEHost(
            **common, outcome="no-tlsa",
            reason=f"{owner} has no TLSA record (validated denial): DANE does not apply",
        )  # fmt: skip
    if not usable:
        reason = "TLSA records exist but none is usable (RFC 7672 §3.1.3): TLS is still mandatory, unauthenticated"
        if result is not None and result.connected and not result.starttls_offered:
            return DANEHost(
                **common, outcome="fail",
                reason="TLSA records exist (none usable) and the server offers no STARTTLS (RFC 7672 §2.2)",
            )  # fmt: skip
        return DANEHost(**common, outcome="no-tlsa", reason=reason)
    if result is None:
        return DANEHost(
            **common, outcome="untested",
            reason=f"{len(usable)} usable TLSA record(s), validated; the server was not probed",
        )  # fmt: skip
    if not result.connected:
        return DANEHost(**common, outcome="error", reason=f"the probe got no verdict: {result.error}")
    if not result.starttls_offered:
        return DANEHost(
            **common, outcome="fail",
            reason="the server offers no STARTTLS although TLSA records exist: a DANE sender does not deliver "
            "(RFC 7672 §2.2; a man in the middle strips STARTTLS)",
        )  # fmt: skip
    if not result.tls:
        return DANEHost(**common, outcome="fail", reason=f"STARTTLS failed: {result.error}")
    now = ctx.current_time()
    # RFC 7672 §3.2.2: the reference identifiers are the TLSA base domain (the expanded
    # name when the records came from there), the MX host name and the next-hop domain.
    names = tuple(dict.fromkeys((base, host, domain)))
    matched, comparisons, winner, why = match_chain(records, [c.der for c in result.chain], names=names, now=now)
    return DANEHost(
        **common,
        outcome="pass" if matched else "fail",
        reason=why,
        matches=comparisons,
        matched=winner,
    )


def _tlsa_lookup(mx_host: MXHost, resolver: Any) -> tuple[str, DNSAnswer]:
    """The TLSA base domain of ``mx_host`` and the TLSA answer there (RFC 7672 §2.2.2).

    An MX host that is an alias (RFC 2181 §10.3 forbids it, and mail still flows) whose
    CNAME chain and addresses validated end to end has its TLSA records looked up at the
    fully expanded name first. A validated denial or an insecure answer there sends the
    lookup on to the MX host name; a failed lookup, a bogus answer or secure records
    there decide. Otherwise the base domain is the MX host name.
    """
    host = mx_host.host
    if mx_host.alias and mx_host.secure is True:
        target = _alias_target(mx_host.alias[-1], resolver)
        if target is not None and target != host:
            expanded = resolver.query(tlsa_name(target), "TLSA")
            if expanded.temporary_failure or expanded.secure is False:
                return target, expanded  # a failed lookup or a bogus answer decides
            if expanded.secure is True and expanded.ok and expanded.records:
                return target, expanded
            # A validated denial, or an answer that is not validated: the MX host name.
    return host, resolver.query(tlsa_name(host), "TLSA")


def _alias_target(alias: str, resolver: Any) -> str | None:
    """Where the last alias of a CNAME chain points (its CNAME record), or None."""
    answer = resolver.query(alias, "CNAME")
    if not answer.ok or not answer.records:
        return None
    return normalize_name(answer.records[0]) or None


def check(
    domain: str,
    *,
    ctx: Context,
    probe: bool = False,
    port: int = SMTP_PORT,
    timeout: float = 15.0,
    mx: MXResult | None = None,
) -> DANEResult:
    """DANE for the MX hosts of ``domain`` (RFC 7672).

    Parameters
    ----------
    domain
        The recipient domain.
    ctx
        The context whose resolver answers (and which must validate DNSSEC for DANE to
        apply: a :class:`~mailforensics.resolvers.live.LiveResolver` with trust anchors).
    probe
        Connect to each MX host, ask for STARTTLS, collect the certificate chain and (where
        DANE applies) match it. Off by default: it touches the recipient's servers.
        Refused in offline (replay) mode. A host whose MX or address records are bogus
        is not contacted.
    port
        The port to connect to (25; tests use a loopback server's port). The TLSA
        records are still those of port 25.
    timeout
        Seconds per probe.
    mx
        A :func:`~mailforensics.transport.mx.lookup_mx` result already at hand.

    Returns
    -------
    DANEResult
        One :class:`DANEHost` per MX host.
    """
    if probe:
        refuse_offline(ctx, "The DANE probe")
    result = mx if mx is not None else lookup_mx(domain, ctx=ctx)
    hosts: list[DANEHost] = []
    for h in result.hosts:
        if not h.resolved:
            continue
        verdict = check_host(
            h, domain=result.domain, mx_secure=result.mx_secure, ctx=ctx,
            probe_server=probe, port=port, timeout=timeout,
        )  # fmt: skip
        hosts.append(verdict)
    return DANEResult(
        domain=result.domain,
        mx=result,
        mx_secure=result.mx_secure,
        hosts=tuple(hosts),
        probed=probe,
        findings=result.findings,
    )
