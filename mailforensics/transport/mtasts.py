"""MTA-STS (RFC 8461), SMTP TLS Reporting (RFC 8460) and BIMI records of a recipient domain.

MTA-STS is DANE's alternative for domains without DNSSEC: a TXT record at
``_mta-sts.<domain>`` says a policy exists; the policy itself is fetched over HTTPS
(authenticated by the Web PKI) from ``https://mta-sts.<domain>/.well-known/mta-sts.txt``
and lists the MX host patterns a sender may deliver to, with TLS and a valid
certificate, in ``enforce`` or ``testing`` mode.

- :func:`check` reads the TXT record (RFC 8461 §3.1), optionally fetches the policy
  (:func:`fetch_policy`, §3.3), parses it strictly (:func:`parse_policy`, §3.2) and
  tells whether each MX host matches a pattern (§4.1).
- :func:`tlsrpt` reads the TLS-RPT record at ``_smtp._tls.<domain>`` (RFC 8460 §3).
- :func:`bimi` reads the BIMI record at ``<selector>._bimi.<domain>``
  (draft-brand-indicators-for-message-identification): its location (``l=``) and
  authority evidence (``a=``) URLs only. Nothing is fetched.

Why hand-written: the policy fetch must resolve ``mta-sts.<domain>`` through the
context's resolver (recorded as evidence, replayable) and connect to that address,
which no HTTP client does without patching its connection pool; and the parsers keep
every deviation from the ABNF as a ``problem`` for the analyst instead of a bare
"invalid". :func:`fetch_policy` is this module's only network-touching function, and it
is refused in offline (replay) mode.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, Literal

from mailforensics.context import Context
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.transport.dane import refuse_offline
from mailforensics.transport.mx import MXResult, lookup_mx

__all__ = [
    "MAX_AGE_LIMIT",
    "MAX_POLICY_BYTES",
    "POLICY_PATH",
    "BIMIRecord",
    "BIMIResult",
    "MTASTSResult",
    "MXMatch",
    "PolicyFetch",
    "STSPolicy",
    "STSRecord",
    "TLSRPTRecord",
    "TLSRPTResult",
    "bimi",
    "check",
    "fetch_policy",
    "match_mx",
    "mx_pattern_matches",
    "parse_bimi",
    "parse_policy",
    "parse_sts_record",
    "parse_tlsrpt",
    "tlsrpt",
]

#: RFC 8461 §3.3: the policy's well-known path.
POLICY_PATH = "/.well-known/mta-sts.txt"
#: RFC 8461 §3.3: "a maximum size limit ... of 64 kilobytes" for the policy body.
MAX_POLICY_BYTES = 64 * 1024
#: RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year).
MAX_AGE_LIMIT = 31_557_600

_TEMPORARY = ("SERVFAIL", "REFUSED", "TIMEOUT")
_WSP = " \t"
# RFC 8461 §3.1 / §3.2 ABNF.
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.]{0,31}")
_TXT_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")  # no "=", ";", SP or controls
_STS_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_POLICY_EXT_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")
_MAX_AGE = re.compile(r"[0-9]{1,10}")
# RFC 5321 §4.1.2: Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*")
_MODES = ("enforce", "testing", "none")

FetchStatus = Literal[
    "ok", "no-address", "connect-error", "tls-error", "timeout", "redirect", "http-error",
    "bad-content-type", "too-large", "not-text",
]  # fmt: skip


# ---------------------------------------------------------------------------------------
# The _mta-sts TXT record (RFC 8461 §3.1)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class STSRecord:
    """A parsed ``_mta-sts`` TXT record.

    Parameters
    ----------
    text
        The record, character-strings joined.
    valid
        True when it follows the ABNF of RFC 8461 §3.1 (``v=STSv1`` first, an ``id``).
    id
        The policy instance id (1–32 letters and digits), when present.
    extensions
        Other ``name=value`` fields, in order (ignored by senders).
    problems
        What does not follow the ABNF.
    """

    text: str
    valid: bool
    id: str | None
    extensions: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()


def parse_sts_record(text: str) -> STSRecord:
    """Parse a ``_mta-sts`` TXT record strictly (RFC 8461 §3.1); never raises.

    ``sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]`` with
    ``sts-version = "v=STSv1"`` and ``sts-sep = *WSP ";" *WSP``. A field that appears
    twice keeps its first value (§3.1: "all entries except for the first SHALL be
    ignored").
    """
    problems: list[str] = []
    fields = [f.strip(_WSP) for f in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()  # the optional trailing sts-sep
    if not fields or fields[0] != "v=STSv1":
        problems.append("does not start with v=STSv1 (RFC 8461 §3.1)")
    seen: dict[str, str] = {}
    extensions: list[tuple[str, str]] = []
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        if not sep or not _EXT_NAME.fullmatch(name):
            problems.append(f"not a field: {field!r}")
            continue
        if name in seen:
            problems.append(f"{name} appears again; the first value is used")
            continue
        seen[name] = value
        if name == "id":
            if not _STS_ID.fullmatch(value):
                problems.append(f"id must be 1 to 32 letters and digits, not {value!r}")
        elif name == "v":
            problems.append("v appears again")
        elif not _TXT_EXT_VALUE.fullmatch(value):
            problems.append(f"invalid value for {name}: {value!r}")
        else:
            extensions.append((name, value))
    if "id" not in seen:
        problems.append("no id field (RFC 8461 §3.1)")
    if len(fields) < 2 and "no id field (RFC 8461 §3.1)" not in problems:
        problems.append("no field after the version")
    ident = seen.get("id")
    return STSRecord(
        text=text,
        valid=not problems,
        id=ident if ident is not None and _STS_ID.fullmatch(ident) else None,
        extensions=tuple(extensions),
        problems=tuple(problems),
    )


# ---------------------------------------------------------------------------------------
# The policy (RFC 8461 §3.2) and MX matching (§4.1)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class STSPolicy:
    """A parsed MTA-STS policy.

    Parameters
    ----------
    text
        The policy body as fetched.
    valid
        True when it follows RFC 8461 §3.2: ``version: STSv1``, a ``mode``, a ``max_age``
        and (unless the mode is ``none``) at least one ``mx``, each once, every line a
        ``key: value`` field.
    version, mode, max_age
        The fields, when readable (``mode`` in ``enforce``, ``testing``, ``none``).
    mx
        The MX host patterns, in order (``mail.example.com``, ``*.example.net``).
    extensions
        Other fields, in order (ignored by senders).
    problems
        What does not follow the ABNF; any problem makes the policy invalid.
    """

    text: str
    valid: bool
    version: str | None = None
    mode: str | None = None
    max_age: int | None = None
    mx: tuple[str, ...] = ()
    extensions: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()


def parse_policy(text: str) -> STSPolicy:
    """Parse an MTA-STS policy body strictly (RFC 8461 §3.2); never raises.

    Lines end in LF or CRLF; one final line ending is optional. Each line is
    ``key ":" *WSP value *WSP``. Field names and the values ``STSv1``, ``enforce``,
    ``testing`` and ``none`` are case-sensitive (``%s`` in the ABNF). A repeated field
    other than ``mx`` keeps its first value. Unknown fields are ignored, but must still
    be well-formed.
    """
    problems: list[str] = []
    body = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    version = mode = None
    max_age: int | None = None
    mx: list[str] = []
    extensions: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if "\r" in line:
            problems.append(f"line {number}: a bare CR")
            continue
        key, sep, rest = line.partition(":")
        value = rest.strip(_WSP)
        if not sep or not _EXT_NAME.fullmatch(key):
            problems.append(f"line {number}: not a 'key: value' field: {line[:80]!r}")
            continue
        if rest[: len(rest) - len(rest.lstrip(_WSP))] and not value:
            problems.append(f"line {number}: {key} has no value")
            continue
        if key != "mx" and key in seen:
            problems.append(f"line {number}: {key} appears again; the first value is used (RFC 8461 §3.2)")
            continue
        seen.add(key)
        if key == "version":
            version = value
            if value != "STSv1":
                problems.append(f"line {number}: version must be STSv1, not {value!r}")
        elif key == "mode":
            mode = value
            if value not in _MODES:
                problems.append(f"line {number}: mode must be enforce, testing or none, not {value!r}")
        elif key == "max_age":
            if _MAX_AGE.fullmatch(value) and int(value) <= MAX_AGE_LIMIT:
                max_age = int(value)
            else:
                problems.append(f"line {number}: max_age must be 0 to {MAX_AGE_LIMIT} seconds, not {value!r}")
        elif key == "mx":
            pattern = value[2:] if value.startswith("*.") else value
            if not _DOMAIN.fullmatch(pattern) or len(pattern) > 253:
                problems.append(f"line {number}: mx must be a host name, optionally '*.' and a domain: {value!r}")
            else:
                mx.append(value.lower())
        elif not _POLICY_EXT_VALUE.fullmatch(value):
            problems.append(f"line {number}: invalid value for {key}: {value!r}")
        else:
            extensions.append((key, value))
    for required in ("version", "mode", "max_age"):
        if required not in seen:
            problems.append(f"no {required} field (RFC 8461 §3.2)")
    if mode in ("enforce", "testing") and not mx and not any(p.startswith("line") and " mx " in p for p in problems):
        problems.append(f"mode {mode} needs at least one mx field (RFC 8461 §3.2)")
    return STSPolicy(
        text=text,
        valid=not problems,
        version=version,
        mode=mode if mode in _MODES else None,
        max_age=max_age,
        mx=tuple(mx),
        extensions=tuple(extensions),
        problems=tuple(problems),
    )


def mx_pattern_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: does an ``mx`` pattern match an MX host name?

    Case-insensitive; ``*.example.com`` matches exactly one extra leftmost label
    (``mail.example.com``, not ``example.com`` nor ``a.b.example.com``).
    """
    p = pattern.strip().lower().rstrip(".")
    h = host.strip().lower().rstrip(".")
    if not p or not h:
        return False
    if p.startswith("*."):
        label, dot, rest = h.partition(".")
        return bool(label) and bool(dot) and rest == p[2:]
    return p == h


@dataclass(frozen=True, slots=True, kw_only=True)
class MXMatch:
    """Whether one MX host is allowed by the policy.

    Parameters
    ----------
    host
        The MX host name.
    pattern
        The first ``mx`` pattern that matches it, or None.
    matched
        ``pattern is not None``.
    """

    host: str
    pattern: str | None
    matched: bool


def match_mx(policy: STSPolicy, hosts: Sequence[str]) -> tuple[MXMatch, ...]:
    """Match each MX host against the policy's ``mx`` patterns (RFC 8461 §4.1)."""
    out = []
    for host in hosts:
        pattern = next((p for p in policy.mx if mx_pattern_matches(p, host)), None)
        out.append(MXMatch(host=host, pattern=pattern, matched=pattern is not None))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# Fetching the policy (RFC 8461 §3.3)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyFetch:
    """One HTTPS fetch of a policy.

    Parameters
    ----------
    url
        ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.
    host
        ``mta-sts.<domain>`` (the TLS server name and the HTTP Host).
    address, port
        Where the fetch connected (the address from the context's resolver).
    status
        ``"ok"``; ``"no-address"``; ``"connect-error"``; ``"tls-error"`` (the certificate
        did not verify for the host, §3.3); ``"timeout"``; ``"redirect"`` (3xx, which
        must not be followed, §3.3); ``"http-error"`` (not 200); ``"bad-content-type"``
        (not ``text/plain``, §3.3); ``"too-large"`` (over :data:`MAX_POLICY_BYTES`);
        ``"not-text"`` (not UTF-8).
    http_status
        The HTTP status code, when a response came.
    content_type
        The response's Content-Type.
    body
        The policy text, when read.
    tls_version
        The TLS version negotiated.
    certificate_subject
        The server certificate's subject, when the handshake completed.
    error
        What went wrong.
    """

    url: str
    host: str
    address: str | None
    port: int
    status: FetchStatus
    http_status: int | None = None
    content_type: str | None = None
    body: str | None = None
    tls_version: str | None = None
    certificate_subject: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the policy body was fetched."""
        return self.status == "ok"


class _PinnedHTTPSConnection(http.client.HTTPConnection):
    """HTTPS to a given address, with the host name for SNI, verification and Host:."""

    default_port = 443

    def __init__(self, host: str, address: str, port: int, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._context = context

    def connect(self) -> None:
        family = socket.AF_INET6 if ipaddress.ip_address(self._address).version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect((self._address, self.port))
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _tls_context(ca_bundle: str | PathLike[str] | None) -> ssl.SSLContext:
    # RFC 8461 §3.3: the policy host's certificate must be valid for it (Web PKI).
    context = ssl.create_default_context(cafile=None if ca_bundle is None else str(ca_bundle))
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def fetch_policy(
    domain: str,
    *,
    ctx: Context,
    https_port: int = 443,
    ca_bundle: str | PathLike[str] | None = None,
    timeout: float = 15.0,
) -> PolicyFetch:
    """Fetch ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (RFC 8461 §3.3).

    The host's address comes from the context's resolver (A, then AAAA); the TLS
    certificate must verify for ``mta-sts.<domain>`` against ``ca_bundle`` (default: the
    system's trust store); redirects are not followed; the body must be ``text/plain``
    and at most :data:`MAX_POLICY_BYTES`.

    Parameters
    ----------
    domain
        The policy domain.
    ctx
        The context (its resolver; refused in offline mode).
    https_port
        The port (443; tests use a loopback server's).
    ca_bundle
        A PEM file of trusted CA certificates (tests pass their generated CA).
    timeout
        Seconds per network operation.

    Raises
    ------
    InputError
        In offline (replay) mode.
    """
    refuse_offline(ctx, "The MTA-STS policy fetch")
    name = domain.strip().rstrip(".").lower()
    host = f"mta-sts.{name}"
    url = f"https://{host}{'' if https_port == 443 else f':{https_port}'}{POLICY_PATH}"
    resolver = ctx.get_resolver()
    address = None
    for rdtype in ("A", "AAAA"):
        answer: DNSAnswer = resolver.query(host, rdtype)
        for record in answer.records if answer.ok else ():
            try:
                address = str(ipaddress.ip_address(record))
                break
            except ValueError:
                continue
        if address:
            break
    if address is None:
        return PolicyFetch(url=url, host=host, address=None, port=https_port, status="no-address",
                           error=f"{host} has no address in the DNS")  # fmt: skip
    info: dict[str, Any] = {"url": url, "host": host, "address": address, "port": https_port}

    def result(status: FetchStatus, error: str | None = None, **more: Any) -> PolicyFetch:
        return PolicyFetch(**info, status=status, error=error, **more)

    connection = _PinnedHTTPSConnection(host, address, https_port, _tls_context(ca_bundle), timeout)
    try:
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as exc:
            return result("tls-error", f"the certificate does not verify for {host}: {exc.verify_message}")
        except ssl.SSLError as exc:
            return result("tls-error", f"the TLS handshake failed: {exc}")
        except TimeoutError:
            return result("timeout", f"no connection within {timeout:g} s")
        except OSError as exc:
            return result("connect-error", f"cannot connect: {exc.strerror or exc}")
        sock = connection.sock
        if isinstance(sock, ssl.SSLSocket):
            info["tls_version"] = sock.version()
            peer = sock.getpeercert() or {}
            subject = ", ".join("=".join(pair) for rdn in peer.get("subject", ()) for pair in rdn)
            info["certificate_subject"] = subject or None
        try:
            # RFC 8461 §3.3: a plain GET; no HTTP caching, no conditional request.
            connection.request("GET", POLICY_PATH, headers={"Accept": "text/plain", "Connection": "close"})
            response = connection.getresponse()
            info["content_type"] = content_type = response.getheader("Content-Type")
            info["http_status"] = code = response.status
            raw = response.read(MAX_POLICY_BYTES + 1)
        except TimeoutError:
            return result("timeout", f"no response within {timeout:g} s")
        except (OSError, http.client.HTTPException) as exc:
            return result("http-error", f"the HTTP exchange failed: {exc}")
        if 300 <= code < 400:
            where = response.getheader("Location") or "?"
            return result("redirect", f"a redirect to {where}, which must not be followed (RFC 8461 §3.3)")
        if code != 200:
            return result("http-error", f"HTTP {code} {response.reason}")
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media != "text/plain":
            return result("bad-content-type", f"served as {content_type!r}, not text/plain (RFC 8461 §3.3)")
        if len(raw) > MAX_POLICY_BYTES:
            return result("too-large", f"the policy is larger than {MAX_POLICY_BYTES} bytes (RFC 8461 §3.3)")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return result("not-text", "the policy is not UTF-8 text")
        return result("ok", body=body)
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------
# The MTA-STS check
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class MTASTSResult:
    """MTA-STS for one domain.

    Parameters
    ----------
    domain
        The policy domain.
    status
        ``"none"`` (no ``v=STSv1`` TXT record: no policy), ``"invalid-record"`` (several
        records, or a syntax error: senders assume no policy, RFC 8461 §3.1),
        ``"temperror"`` (the TXT lookup failed), ``"not-fetched"`` (a record, but the
        policy was not fetched), ``"fetch-failed"``, ``"invalid-policy"`` (§3.2), or
        ``"ok"`` (a valid policy: see ``policy.mode``).
    txt_name, txt_status, txt_secure
        ``_mta-sts.<domain>``, the DNS status and DNSSEC status of its TXT answer.
    txt_records
        Every TXT string at that name.
    record
        The parsed ``v=STSv1`` record, when exactly one was published.
    fetch
        The HTTPS fetch, when made.
    policy
        The parsed policy, when fetched.
    mx_matches
        Each MX host against the policy's patterns (with a valid policy).
    reason
        One sentence on the status.
    """

    domain: str
    status: str
    txt_name: str
    txt_status: str | None = None
    txt_secure: bool | None = None
    txt_records: tuple[str, ...] = ()
    record: STSRecord | None = None
    fetch: PolicyFetch | None = None
    policy: STSPolicy | None = None
    mx_matches: tuple[MXMatch, ...] = ()
    reason: str = ""

    @property
    def mode(self) -> str | None:
        """The valid policy's mode (``enforce``, ``testing``, ``none``), else None."""
        return self.policy.mode if self.status == "ok" and self.policy is not None else None

    @property
    def mismatched(self) -> tuple[str, ...]:
        """MX hosts that no pattern of the policy allows."""
        return tuple(m.host for m in self.mx_matches if not m.matched)


def check(
    domain: str,
    *,
    ctx: Context,
    fetch: bool = False,
    https_port: int = 443,
    ca_bundle: str | PathLike[str] | None = None,
    timeout: float = 15.0,
    mx: MXResult | None = None,
) -> MTASTSResult:
    """MTA-STS for ``domain``: the TXT record, and with ``fetch=True`` the policy and MX matching.

    Parameters
    ----------
    domain
        The recipient (policy) domain.
    ctx
        The context whose resolver answers.
    fetch
        Fetch the policy over HTTPS (touches the domain's web server; refused in
        offline mode). Without it only the TXT record is read.
    https_port, ca_bundle, timeout
        For :func:`fetch_policy`.
    mx
        The domain's :func:`~mailforensics.transport.mx.lookup_mx` result, if at hand
        (looked up when needed otherwise).
    """
    name = domain.strip().rstrip(".").lower()
    txt_name = f"_mta-sts.{name}"
    answer = ctx.get_resolver().query(txt_name, "TXT")
    strings = answer.txt_strings() if answer.ok else ()
    common: dict[str, Any] = {"domain": name, "txt_name": txt_name, "txt_status": answer.status,
                             "txt_secure": answer.secure, "txt_records": strings}  # fmt: skip
    if answer.status in _TEMPORARY:
        reason = f"the TXT lookup of {txt_name} failed ({answer.status})"
        return MTASTSResult(**common, status="temperror", reason=reason)
    # §3.1: records that do not begin with "v=STSv1;" are discarded; exactly one must remain.
    candidates = [s for s in strings if s.startswith("v=STSv1;") or s == "v=STSv1"]
    if not candidates:
        return MTASTSResult(**common, status="none", reason=f"no v=STSv1 record at {txt_name}: no MTA-STS policy")
    if len(candidates) > 1:
        return MTASTSResult(
            **common, status="invalid-record",
            reason=f"{len(candidates)} v=STSv1 records at {txt_name}: senders assume no policy (RFC 8461 §3.1)",
        )  # fmt: skip
    record = parse_sts_record(candidates[0])
    if not record.valid:
        return MTASTSResult(
            **common, status="invalid-record", record=record,
            reason="the record is not valid (" + "; ".join(record.problems) + "): senders assume no policy",
        )  # fmt: skip
    if not fetch:
        return MTASTSResult(**common, status="not-fetched", record=record,
                            reason=f"policy id {record.id}; the policy was not fetched")  # fmt: skip
    got = fetch_policy(name, ctx=ctx, https_port=https_port, ca_bundle=ca_bundle, timeout=timeout)
    if not got.ok or got.body is None:
        return MTASTSResult(**common, status="fetch-failed", record=record, fetch=got,
                            reason=f"the policy could not be fetched ({got.status}): {got.error}")  # fmt: skip
    policy = parse_policy(got.body)
    if not policy.valid:
        return MTASTSResult(
            **common, status="invalid-policy", record=record, fetch=got, policy=policy,
            reason="the policy is not valid: " + "; ".join(policy.problems),
        )  # fmt: skip
    result = mx if mx is not None else lookup_mx(name, ctx=ctx)
    matches = match_mx(policy, result.host_names) if policy.mode != "none" else ()
    missing = [m.host for m in matches if not m.matched]
    if policy.mode == "none":
        reason = "mode none: the policy is withdrawn"
    elif missing:
        consequence = "a sender refuses to deliver to them" if policy.mode == "enforce" else "reported only"
        reason = f"mode {policy.mode}; MX host(s) {', '.join(missing)} match no mx pattern ({consequence})"
    else:
        reason = f"mode {policy.mode}; every MX host matches an mx pattern"
    return MTASTSResult(
        **common, status="ok", record=record, fetch=got, policy=policy, mx_matches=matches, reason=reason
    )


# ---------------------------------------------------------------------------------------
# TLS-RPT (RFC 8460 §3)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class TLSRPTRecord:
    """A parsed ``_smtp._tls`` TXT record (RFC 8460 §3).

    Parameters
    ----------
    text
        The record.
    valid
        ``v=TLSRPTv1`` first and at least one usable ``rua`` URI.
    rua
        The report destinations (``mailto:`` and ``https:`` URIs), in order.
    extensions
        Other fields.
    problems
        What does not follow the ABNF.
    """

    text: str
    valid: bool
    rua: tuple[str, ...] = ()
    extensions: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()


def parse_tlsrpt(text: str) -> TLSRPTRecord:
    """Parse a TLS-RPT record (RFC 8460 §3); never raises.

    ``tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]``,
    ``rua = tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)``; the URIs are ``mailto:`` or
    ``https:`` (§3); others are reported and ignored.
    """
    problems: list[str] = []
    fields = [f.strip(_WSP) for f in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=TLSRPTv1":
        problems.append("does not start with v=TLSRPTv1 (RFC 8460 §3)")
    rua: list[str] = []
    extensions: list[tuple[str, str]] = []
    seen: set[str] = set()
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        if not sep or not _EXT_NAME.fullmatch(name):
            problems.append(f"not a field: {field!r}")
            continue
        if name in seen:
            problems.append(f"{name} appears again; ignored")
            continue
        seen.add(name)
        if name == "rua":
            for uri in (u.strip(_WSP) for u in value.split(",")):
                scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
                if (scheme == "mailto" and "@" in uri) or (scheme == "https" and _https_url(uri)):
                    rua.append(uri)
                else:
                    problems.append(f"rua URI {uri!r} is neither mailto: nor https: (RFC 8460 §3)")
        else:
            extensions.append((name, value))
    if not rua:
        problems.append("no usable rua destination (RFC 8460 §3)")
    malformed = any(p.startswith("not a field") for p in problems)
    valid = bool(fields) and fields[0] == "v=TLSRPTv1" and bool(rua) and not malformed
    return TLSRPTRecord(text=text, valid=valid, rua=tuple(rua), extensions=tuple(extensions), problems=tuple(problems))


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSRPTResult:
    """The TLS-RPT record of a domain.

    Parameters
    ----------
    domain, name
        The domain and ``_smtp._tls.<domain>``.
    status
        ``"ok"``, ``"none"``, ``"invalid"`` (several records or a bad one: senders assume
        no TLS-RPT, RFC 8460 §3), ``"temperror"``.
    dns_status, secure
        Of the TXT answer.
    records
        Every TXT string at the name.
    record
        The parsed ``v=TLSRPTv1`` record, when exactly one.
    reason
        One sentence.
    """

    domain: str
    name: str
    status: str
    dns_status: str | None = None
    secure: bool | None = None
    records: tuple[str, ...] = ()
    record: TLSRPTRecord | None = None
    reason: str = ""


def tlsrpt(domain: str, *, ctx: Context) -> TLSRPTResult:
    """Read the TLS-RPT record of ``domain`` (RFC 8460 §3)."""
    name = domain.strip().rstrip(".").lower()
    owner = f"_smtp._tls.{name}"
    answer = ctx.get_resolver().query(owner, "TXT")
    strings = answer.txt_strings() if answer.ok else ()
    common: dict[str, Any] = {
        "domain": name,
        "name": owner,
        "dns_status": answer.status,
        "secure": answer.secure,
        "records": strings,
    }
    if answer.status in _TEMPORARY:
        return TLSRPTResult(**common, status="temperror", reason=f"the TXT lookup of {owner} failed ({answer.status})")
    # §3: records that do not begin with "v=TLSRPTv1;" are discarded; exactly one must remain.
    candidates = [s for s in strings if s.startswith("v=TLSRPTv1;") or s == "v=TLSRPTv1"]
    if not candidates:
        return TLSRPTResult(**common, status="none", reason=f"no v=TLSRPTv1 record at {owner}")
    if len(candidates) > 1:
        reason = f"{len(candidates)} v=TLSRPTv1 records: senders assume none (RFC 8460 §3)"
        return TLSRPTResult(**common, status="invalid", reason=reason)
    record = parse_tlsrpt(candidates[0])
    if not record.valid:
        return TLSRPTResult(**common, status="invalid", record=record, reason="; ".join(record.problems))
    return TLSRPTResult(**common, status="ok", record=record, reason="reports to " + ", ".join(record.rua))


# ---------------------------------------------------------------------------------------
# BIMI (draft-brand-indicators-for-message-identification)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class BIMIRecord:
    """A parsed BIMI Assertion Record.

    Parameters
    ----------
    text
        The record.
    valid
        ``v=BIMI1`` first, and the URLs present are ``https:``.
    location
        ``l=``: the logo (SVG) URL, or None.
    authority
        ``a=``: the authority evidence (VMC/CMC, PEM) URL, or None.
    declined
        Both empty or absent: the domain declines to publish a logo.
    tags
        Every ``tag=value``, in order.
    problems
        What does not follow the draft's syntax.
    """

    text: str
    valid: bool
    location: str | None = None
    authority: str | None = None
    declined: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()


def _https_url(value: str) -> bool:
    return value.lower().startswith("https://") and len(value) > 8 and not any(c.isspace() for c in value)


def parse_bimi(text: str) -> BIMIRecord:
    """Parse a BIMI record (``v=BIMI1; l=https://...svg; a=https://...pem``); never raises.

    Only the location and authority URLs are read; nothing is fetched.
    """
    problems: list[str] = []
    parts = [p.strip(_WSP) for p in text.split(";")]
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or parts[0].replace(" ", "") != "v=BIMI1":
        problems.append("does not start with v=BIMI1")
    tags: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for part in parts[1:]:
        name, sep, value = part.partition("=")
        name, value = name.strip(_WSP).lower(), value.strip(_WSP)
        if not sep or not name:
            problems.append(f"not a tag: {part!r}")
            continue
        tags.append((name, value))
        if name in seen:
            problems.append(f"{name} appears again; the first value is used")
            continue
        seen[name] = value
    location = seen.get("l") or None
    authority = seen.get("a") or None
    if location is not None:
        if "," in location:
            problems.append("l= holds several URLs; the first is used")
            location = location.split(",", 1)[0].strip()
        if not _https_url(location):
            problems.append(f"l= must be an https URL, not {location!r}")
    if authority is not None and not _https_url(authority):
        problems.append(f"a= must be an https URL, not {authority!r}")
    return BIMIRecord(
        text=text,
        valid=not problems,
        location=location,
        authority=authority,
        declined=location is None and authority is None,
        tags=tuple(tags),
        problems=tuple(problems),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class BIMIResult:
    """The BIMI record that applies to a domain.

    Parameters
    ----------
    domain, selector
        The domain asked and the selector (``default``).
    name
        Where the record was found (or last looked for).
    source
        ``"author"`` or ``"organizational"`` (the fallback to the organizational domain).
    status
        ``"ok"``, ``"declined"``, ``"none"``, ``"invalid"``, ``"temperror"``.
    dns_status, secure
        Of the TXT answer used.
    record
        The parsed record.
    reason
        One sentence.
    """

    domain: str
    selector: str
    name: str
    source: str
    status: str
    dns_status: str | None = None
    secure: bool | None = None
    record: BIMIRecord | None = None
    reason: str = ""


def bimi(domain: str, *, ctx: Context, selector: str = "default") -> BIMIResult:
    """Read the BIMI record of ``domain`` at ``<selector>._bimi.<domain>``, falling back to
    the organizational domain (Public Suffix List) when the domain has none."""
    from mailforensics.auth import orgdomain

    name = domain.strip().rstrip(".").lower()
    org = orgdomain.organizational_domain(name)
    candidates = [(name, "author")]
    if org and org != name:
        candidates.append((org, "organizational"))
    resolver = ctx.get_resolver()
    last: BIMIResult | None = None
    for where, source in candidates:
        owner = f"{selector}._bimi.{where}"
        answer = resolver.query(owner, "TXT")
        common: dict[str, Any] = {"domain": name, "selector": selector, "name": owner, "source": source,
                                  "dns_status": answer.status, "secure": answer.secure}  # fmt: skip
        if answer.status in _TEMPORARY:
            return BIMIResult(**common, status="temperror", reason=f"the TXT lookup of {owner} failed")
        records = [s for s in (answer.txt_strings() if answer.ok else ()) if s.replace(" ", "").startswith("v=BIMI1")]
        if not records:
            last = BIMIResult(**common, status="none", reason=f"no BIMI record at {owner}")
            continue
        if len(records) > 1:
            return BIMIResult(**common, status="invalid", reason=f"{len(records)} BIMI records at {owner}")
        record = parse_bimi(records[0])
        if not record.valid:
            return BIMIResult(**common, status="invalid", record=record, reason="; ".join(record.problems))
        if record.declined:
            return BIMIResult(**common, status="declined", record=record, reason="the domain declines BIMI")
        return BIMIResult(**common, status="ok", record=record, reason=f"logo {record.location}")
    assert last is not None
    return last
