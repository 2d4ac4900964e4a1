"""SPF (RFC 7208): our own ``check_host()``, with the whole evaluation kept as evidence.

Why hand-written rather than pyspf: pyspf is unmaintained, does not honour its own
timeout, and keeps its reasoning to itself. An analyst needs to see *which* record was
read, *which* term matched, *which* DNS answers were used and *how many* lookups were
spent — so every term evaluated, across includes and redirects, becomes an
:class:`SPFStep` in :attr:`SPFResult.trace`, with the DNS questions and answers it used.

::

    from mailforensics.auth import spf
    r = spf.check("192.0.2.1", "alice@example.com", "mail.example.com", ctx=ctx)
    r.result          # "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"
    r.mechanism       # "include:_spf.example.net" -- the term that decided
    r.lookups         # DNS-querying terms spent (at most 10, RFC 7208 §4.6.4)
    r.trace           # one SPFStep per term evaluated, in order

The check is pure: DNS only through ``ctx.get_resolver()``, the clock (for ``%{t}``) only
through ``ctx.current_time()``, answers cached for the duration of one check and never
beyond it.

Where RFC 7208 leaves a choice, this module chooses (and the trace says so):

- A target name that is not a usable DNS name after macro expansion (an empty label, a
  label over 63 octets, non-ASCII) makes the mechanism not match, by analogy with §4.3
  and §5/10/3 (§4.8 leaves it undefined); ``include`` and ``redirect`` to such a name
  give ``permerror`` (no record there, §5.2, §6.1).
- An ``mx`` whose MX answer holds more than 10 names is a ``permerror`` before any
  address lookup (§4.6.4), so the result does not depend on the order DNS returns them
  in; MX names are then tried by preference.
- ``ptr`` and ``%{p}`` use the first 10 PTR names and ignore the rest (§4.6.4); a DNS
  error on the PTR query makes ``ptr`` not match and ``%{p}`` expand to ``unknown``
  (§5.5, §7.3).
- A void lookup (§4.6.4: NOERROR with no answer, or NXDOMAIN) is counted for the
  question a term exists to ask: the A/AAAA of ``a``, the MX of ``mx``, the PTR of
  ``ptr``, the A of ``exists``. The address lookups of MX and PTR names, and the ``exp``
  lookup, are not counted. An ``include``/``redirect`` target without a record is a
  ``permerror`` of its own (§5.2, §6.1), so it is not counted either.
- ``%{i}`` of an IPv6 address is written with upper-case nibbles, as the RFC 7208 test
  suite expects in explanation text; DNS names compare case-insensitively (RFC 4343),
  so queries are unaffected.
- :attr:`SPFResult.mechanism` is the term of the *outermost* record that decided: for a
  match inside an include it is the ``include:`` term; after a ``redirect`` it is the
  term of the record redirected to (a redirect replaces the record, §6.1).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, NamedTuple
from urllib.parse import quote

import idna

from mailforensics.addresses import parse_ip
from mailforensics.context import Context
from mailforensics.errors import InputError
from mailforensics.resolvers.base import DNSAnswer, join_txt

__all__ = [
    "IDENTITIES",
    "MAX_DNS_TERMS",
    "MAX_MX_NAMES",
    "MAX_PTR_NAMES",
    "MAX_VOID_LOOKUPS",
    "OUTCOMES",
    "RESULTS",
    "SPFQuery",
    "SPFResult",
    "SPFStep",
    "check",
    "check_both",
]

#: The results of ``check_host()`` (RFC 7208 §2.6).
RESULTS: Final = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
#: The identities :func:`check` can authorize (RFC 7208 §2.3, §2.4).
IDENTITIES: Final = ("mailfrom", "helo")
#: RFC 7208 §4.6.4: at most 10 terms that cause DNS queries per check.
MAX_DNS_TERMS: Final = 10
#: RFC 7208 §4.6.4: at most 2 void lookups ("a default of two is RECOMMENDED").
MAX_VOID_LOOKUPS: Final = 2
#: RFC 7208 §4.6.4: at most 10 MX names looked up per ``mx`` mechanism.
MAX_MX_NAMES: Final = 10
#: RFC 7208 §4.6.4: at most 10 PTR names looked up per ``ptr`` mechanism or ``%{p}``.
MAX_PTR_NAMES: Final = 10
#: The values of :attr:`SPFStep.outcome`.
OUTCOMES: Final = (
    "found",  # record: one SPF record was selected
    "none",  # record: no SPF record (or the domain is not usable, §4.3)
    "match",  # mechanism matched: its qualifier gives the result
    "no-match",  # mechanism did not match
    "void",  # mechanism did not match, and its lookup was void (counted, §4.6.4)
    "followed",  # redirect= was followed
    "explained",  # exp= gave the explanation
    "ignored",  # exp= could not be used (§6.2), or an unknown modifier (§6)
    "error",  # the step ended the check with permerror or temperror
    "limit",  # the step exceeded a processing limit (§4.6.4): permerror
)

# RFC 7208 §2.6 / §4.6.2: qualifier → result.
_QUALIFIER_RESULTS: Final = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_MAX_NAME: Final = 253  # RFC 7208 §7.3 (and RFC 1035 §2.3.4, in text form)
_MAX_LABEL: Final = 63

# RFC 7208 §12 (ABNF).
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)=(.*)", re.S)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)", re.S)  # qualifier, name, the rest
_DUAL_CIDR_SPEC = re.compile(r"(.*?)(?:/([0-9]+))?(?://([0-9]+))?", re.S)  # domain-spec [dual-cidr-length]
_DUAL_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?")
_IP4_CIDR = re.compile(r"0|[1-9][0-9]?")  # "/" ("0" / %x31-39 0*1DIGIT), 0-32
_IP6_CIDR = re.compile(r"0|[1-9][0-9]{0,2}")  # "/" ("0" / %x31-39 0*2DIGIT), 0-128
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP4_ARG = re.compile(rf":({_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM})(?:/(0|[1-9][0-9]?))?")
_IP6_ARG = re.compile(r":([0-9A-Fa-f:.]+)(?:/(0|[1-9][0-9]{0,2}))?")
_TOPLABEL_RE = r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])"
_TOPLABEL = re.compile(_TOPLABEL_RE)
# A domain-spec without macros: macro-literals, then "." toplabel [ "." ] (§7.1).
_LITERAL_DOMAIN_SPEC = re.compile(rf"[!-$&-~]*\.{_TOPLABEL_RE}\.?")
# The common shape of a usable domain (§4.3): LDH/underscore labels of 1-63, a top label
# that is not all-numeric. Anything else takes the slow path of _checked_domain.
_PLAIN_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9_\-]{1,63}\.)+(?=[A-Za-z0-9\-]{1,63}\.?\Z)[A-Za-z0-9\-]*[A-Za-z][A-Za-z0-9\-]*\.?"
)
_VISIBLE = re.compile(r"[!-~]*")  # %x21-7E
_RECORD_CHARS = re.compile(r"[ -~]*")  # SP and VCHAR: the record is US-ASCII (§3.1, §12)
_MACRO_LETTERS: Final = frozenset("slodipvhcrt")
_EXP_ONLY_LETTERS: Final = frozenset("crt")  # RFC 7208 §7.3: "only in 'exp' text"


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
class SPFQuery(NamedTuple):
    """One DNS question asked for a step, and the answer used.

    Parameters
    ----------
    name
        The name asked, as the check formed it.
    rdtype
        ``"TXT"``, ``"A"``, ``"AAAA"``, ``"MX"`` or ``"PTR"``.
    status
        ``"NOERROR"``, ``"NXDOMAIN"``, ``"SERVFAIL"``, ``"REFUSED"`` or ``"TIMEOUT"``.
    records
        The answer's records in presentation format (``()`` for NODATA and errors).
    cname_chain
        The aliases the resolver followed to reach the records (RFC 1034 §3.6.2).
    """

    name: str
    rdtype: str
    status: str
    records: tuple[str, ...]
    cname_chain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SPFStep:
    """One term evaluated (or one record looked up) during a check.

    The fields are flat and typed so that a trace maps to DataFrame columns, one row
    per step (``queries`` to a long table).

    Parameters
    ----------
    depth
        0 for the checked domain's record, +1 inside each ``include``/``redirect``.
    domain
        The domain whose record holds the term (``<domain>`` of RFC 7208 §4.1).
    kind
        ``"record"`` (the record lookup of ``domain``), ``"mechanism"`` or ``"modifier"``.
    term
        The term as written in the record; for a ``"record"`` step, the record text
        (``""`` when there is none).
    name
        The mechanism or modifier name, lower case (``"include"``, ``"ip4"``,
        ``"redirect"``, ``"exp"``, an unknown modifier's name); ``"v=spf1"`` for records.
    qualifier
        ``"+"``, ``"-"``, ``"~"`` or ``"?"`` for mechanisms (``"+"`` when omitted); None
        otherwise.
    target
        What the term was evaluated against: the target name after macro expansion,
        or the network for ``ip4``/``ip6``; None when not applicable.
    outcome
        One of :data:`OUTCOMES`.
    result
        The result this step decides, where it decides one: the qualifier's result for
        a match, ``"permerror"``/``"temperror"`` for an error or a limit, the
        redirected result for ``redirect``, ``"none"`` for a missing record; else None.
    lookups
        DNS-querying terms counted so far, this one included (RFC 7208 §4.6.4).
    void_lookups
        Void lookups counted so far, this one included.
    queries
        The DNS questions asked for this step and the answers used, in order.
    note
        Why, in words, with the RFC 7208 section, where the outcome needs explaining.
    """

    depth: int
    domain: str
    kind: str
    term: str
    name: str
    qualifier: str | None = None
    target: str | None = None
    outcome: str
    result: str | None = None
    lookups: int = 0
    void_lookups: int = 0
    queries: tuple[SPFQuery, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SPFResult:
    """The outcome of one SPF check (RFC 7208 ``check_host()`` with identity choice).

    Parameters
    ----------
    result
        ``"pass"``, ``"fail"``, ``"softfail"``, ``"neutral"``, ``"none"``,
        ``"temperror"`` or ``"permerror"`` (RFC 7208 §2.6).
    explanation
        The ``exp=`` text, macro-expanded (§6.2), for a ``fail``; None when there is no
        usable ``exp=`` (receivers then use their own default).
    mechanism
        The term that decided, as written (``"-all"``, ``"include:_spf.example.net"``);
        None when no mechanism matched (the default ``neutral``, ``none``, errors).
    mechanism_domain
        The domain whose record holds :attr:`mechanism`.
    lookups
        DNS-querying terms counted (``include a mx ptr exists redirect``, §4.6.4).
    void_lookups
        Void lookups counted (§4.6.4).
    identity
        ``"mailfrom"`` or ``"helo"``.
    domain
        The domain checked (``<domain>`` of the top ``check_host()``), or the unusable
        name that made the result ``none``.
    sender
        ``<sender>``: the MAIL FROM address, or ``postmaster@<domain>`` (§2.4, §4.3).
    ip
        The client address as checked (an IPv4-mapped IPv6 address as IPv4, §5).
    helo
        The HELO/EHLO name given (``%{h}``), or None.
    record
        The SPF record of :attr:`domain`, as published; None if none was selected.
    problem
        Why the result is ``permerror`` or ``temperror``; None otherwise.
    trace
        Every step, in evaluation order: records looked up and terms evaluated, across
        includes and redirects, then the ``exp=`` lookup if one was made.
    """

    result: str
    explanation: str | None = None
    mechanism: str | None = None
    mechanism_domain: str | None = None
    lookups: int = 0
    void_lookups: int = 0
    identity: str
    domain: str
    sender: str
    ip: str
    helo: str | None = None
    record: str | None = None
    problem: str | None = None
    trace: tuple[SPFStep, ...] = field(default=(), repr=False)


# ---------------------------------------------------------------------------------------
# Parsing (RFC 7208 §4.6, §7, §12)
# ---------------------------------------------------------------------------------------
class _SyntaxError(Exception):
    """A record or macro-string that does not follow the ABNF of RFC 7208 §12."""


# A macro token: (letter, digits (0 = all), reverse, delimiters, url-escape).
_Macro = tuple[str, int, bool, str, bool]
_Token = str | _Macro


# One token of a macro-string (§7.1): a macro-expand "%{...}", one of "%%" "%_" "%-", or a
# run of macro-literals (visible characters but "%"; SP too in an explain-string).
_MACRO_TOKEN = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}|%([%_\-])|([!-$&-~]+)")
_EXPLAIN_TOKEN = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}|%([%_\-])|([ !-$&-~]+)")
_ESCAPES: Final = {"%": "%", "_": " ", "-": "%20"}


def _parse_macro_string(text: str, *, explain: bool, crt: bool) -> tuple[tuple[_Token, ...], int]:
    """Tokenize a macro-string (RFC 7208 §7.1): literals and macro-expands.

    ``explain``: an explain-string (SP allowed); ``crt``: the ``c r t`` letters allowed.
    Returns the tokens and the index just past the last macro-expand (where the trailing
    literal begins).
    """
    match = (_EXPLAIN_TOKEN if explain else _MACRO_TOKEN).match
    tokens: list[_Token] = []
    buf: list[str] = []
    pos, n = 0, len(text)
    tail = 0
    while pos < n:
        m = match(text, pos)
        if m is None:
            if text[pos] == "%":
                raise _SyntaxError(f"malformed macro at {text[pos:]!r} (RFC 7208 §7.1)")
            raise _SyntaxError(f"character {text[pos]!r} is not allowed in a macro-string (RFC 7208 §7.1)")
        pos = m.end()
        letter, digits, reverse, delimiters, escape, literal = m.groups()
        if literal is not None:
            buf.append(literal)
            continue
        tail = pos
        if escape is not None:  # "%%", "%_", "%-"
            buf.append(_ESCAPES[escape])
            continue
        low = letter.lower()
        if low not in _MACRO_LETTERS:
            raise _SyntaxError(f"unknown macro letter {letter!r} in {text!r} (RFC 7208 §7.3)")
        if low in _EXP_ONLY_LETTERS and not crt:
            raise _SyntaxError(f"macro %{{{letter}}} is allowed only in exp text (RFC 7208 §7.3)")
        count = int(digits) if digits else 0
        if digits and count == 0:
            raise _SyntaxError(f"macro digit transformer must be nonzero in {text!r} (RFC 7208 §7.3)")
        if buf:
            tokens.append("".join(buf))
            buf = []
        tokens.append((low, count, bool(reverse), delimiters or ".", letter != low))
    if buf:
        tokens.append("".join(buf))
    return tuple(tokens), tail


def _parse_domain_spec(text: str) -> tuple[_Token, ...]:
    """``domain-spec = macro-string domain-end`` (RFC 7208 §7.1, §12)."""
    if not text:
        raise _SyntaxError("empty domain-spec (RFC 7208 §7.1)")
    if "%" not in text and _LITERAL_DOMAIN_SPEC.fullmatch(text):
        return (text,)
    tokens, tail = _parse_macro_string(text, explain=False, crt=False)
    if tail == len(text):
        return tokens  # domain-end = macro-expand
    # domain-end = "." toplabel [ "." ]
    end = text[tail:]
    if end.endswith("."):
        end = end[:-1]
    dot = end.rfind(".")
    if dot < 0 or not _TOPLABEL.fullmatch(end, dot + 1):
        raise _SyntaxError(f"domain-spec {text!r} does not end in a valid top label or a macro (RFC 7208 §7.1)")
    return tokens


class _Term:
    """One parsed term. ``kind``: "mechanism" or "modifier"."""

    __slots__ = ("cidr4", "cidr6", "kind", "name", "net_text", "network", "qualifier", "spec", "text")

    def __init__(
        self,
        text: str,
        kind: str,
        name: str,
        qualifier: str | None = None,
        spec: tuple[_Token, ...] | None = None,
        cidr4: int = 32,
        cidr6: int = 128,
        network: int = 0,
        net_text: str | None = None,
    ) -> None:
        self.text = text
        self.kind = kind
        self.name = name
        self.qualifier = qualifier
        self.spec = spec
        self.cidr4 = cidr4
        self.cidr6 = cidr6
        self.network = network
        self.net_text = net_text  # "192.0.2.0/24" for ip4/ip6


class _Record:
    __slots__ = ("exp", "redirect", "terms", "text")

    def __init__(self, text: str, terms: tuple[_Term, ...], redirect: _Term | None, exp: _Term | None) -> None:
        self.text = text
        self.terms = terms  # mechanisms and unknown modifiers, in order
        self.redirect = redirect
        self.exp = exp


def _txt_strings(answer: DNSAnswer) -> list[str]:
    """TXT records with their character-strings joined (RFC 7208 §3.3).

    The common case -- quoted strings without escapes -- is split directly; anything
    else goes through :func:`~mailforensics.resolvers.base.join_txt`.
    """
    out: list[str] = []
    for record in answer.records:
        if record.startswith('"') and "\\" not in record:
            out.append("".join(record.split('"')[1::2]))
        else:
            out.append(join_txt(record))
    return out


def _is_spf_record(txt: str) -> bool:
    """RFC 7208 §4.5: "v=spf1" (case-insensitive) followed by SP or the end."""
    return txt[:6].lower() == "v=spf1" and (len(txt) == 6 or txt[6] == " ")


def _cidr(digits: str, pattern: re.Pattern[str], maximum: int, term: str) -> int:
    """A CIDR length: no leading zero, at most ``maximum`` (RFC 7208 §5.6, §12)."""
    if not pattern.fullmatch(digits) or int(digits) > maximum:
        raise _SyntaxError(f"invalid CIDR length /{digits} in {term!r} (RFC 7208 §5.6)")
    return int(digits)


def _parse_mechanism(raw: str) -> _Term:
    m = _MECHANISM.fullmatch(raw)
    if m is None:
        raise _SyntaxError(f"unknown mechanism {raw!r} (RFC 7208 §4.6.1, §5)")
    qualifier, name, rest = m.groups()
    qualifier = qualifier or "+"
    name = name.lower()
    if name == "ip4":  # §5.6
        im = _IP4_ARG.fullmatch(rest)
        if im is None:
            raise _SyntaxError(f"malformed ip4 mechanism {raw!r} (RFC 7208 §5.6)")
        net, digits = im.groups()
        cidr = 32 if digits is None else int(digits)
        if cidr > 32:
            raise _SyntaxError(f"invalid CIDR length /{digits} in {raw!r} (RFC 7208 §5.6)")
        network = int.from_bytes(socket.inet_aton(net), "big")  # the regex has validated it
        return _Term(raw, "mechanism", name, qualifier, None, cidr, 128, network, f"{net}/{cidr}")
    if name == "all":  # §5.1
        if rest:
            raise _SyntaxError(f"'all' takes no argument: {raw!r} (RFC 7208 §5.1)")
        return _Term(raw, "mechanism", name, qualifier)
    if name == "include" or name == "exists":  # §5.2, §5.7: ":" domain-spec
        if not rest.startswith(":"):
            raise _SyntaxError(f"{name!r} needs ':' and a domain-spec: {raw!r} (RFC 7208 §5.2, §5.7)")
        return _Term(raw, "mechanism", name, qualifier, _parse_domain_spec(rest[1:]))
    if name == "a" or name == "mx":  # §5.3, §5.4: [ ":" domain-spec ] [ dual-cidr-length ]
        spec: tuple[_Token, ...] | None = None
        if not rest:
            return _Term(raw, "mechanism", name, qualifier)
        if rest.startswith(":"):
            dm = _DUAL_CIDR_SPEC.fullmatch(rest, 1)
            assert dm is not None  # the pattern matches any string
            spec_text, c4, c6 = dm.groups()
            spec = _parse_domain_spec(spec_text)
        else:
            dm = _DUAL_CIDR.fullmatch(rest)
            if dm is None:
                raise _SyntaxError(f"malformed {name!r} mechanism {raw!r} (RFC 7208 §5.3, §5.4)")
            c4, c6 = dm.groups()
        cidr4 = 32 if c4 is None else _cidr(c4, _IP4_CIDR, 32, raw)
        cidr6 = 128 if c6 is None else _cidr(c6, _IP6_CIDR, 128, raw)
        return _Term(raw, "mechanism", name, qualifier, spec, cidr4, cidr6)
    if name == "ip6":  # §5.6
        im = _IP6_ARG.fullmatch(rest)
        if im is None:
            raise _SyntaxError(f"malformed ip6 mechanism {raw!r} (RFC 7208 §5.6)")
        net, digits = im.groups()
        cidr = 128 if digits is None else int(digits)
        if cidr > 128:
            raise _SyntaxError(f"invalid CIDR length /{digits} in {raw!r} (RFC 7208 §5.6)")
        try:  # RFC 4291 §2.2 text forms, as inet_pton(3) reads them
            packed = socket.inet_pton(socket.AF_INET6, net)
        except (OSError, ValueError):
            raise _SyntaxError(f"invalid IPv6 network {net!r} in {raw!r} (RFC 7208 §5.6)") from None
        network = int.from_bytes(packed, "big")
        return _Term(raw, "mechanism", name, qualifier, None, 32, cidr, network, f"{net}/{cidr}")
    if name == "ptr":  # §5.5: [ ":" domain-spec ]
        if not rest:
            return _Term(raw, "mechanism", name, qualifier)
        if not rest.startswith(":"):
            raise _SyntaxError(f"'ptr' takes no CIDR length: {raw!r} (RFC 7208 §5.5)")
        return _Term(raw, "mechanism", name, qualifier, _parse_domain_spec(rest[1:]))
    raise _SyntaxError(f"unknown mechanism {raw!r} (RFC 7208 §4.6.1, §5)")


def _parse_record(text: str) -> _Record:
    """Parse a whole record; any syntax error anywhere is a permerror (RFC 7208 §4.6)."""
    if not _RECORD_CHARS.fullmatch(text):
        bad = next(c for c in text if not (" " <= c <= "~"))
        raise _SyntaxError(f"character {bad!r} in the record: only SP-separated US-ASCII terms (RFC 7208 §3.1, §4.6.1)")
    terms: list[_Term] = []
    redirect: _Term | None = None
    exp: _Term | None = None
    for raw in text[6:].split(" "):
        if not raw:
            continue  # 1*SP between terms, *SP at the end (§4.6.1, §12)
        m = _MODIFIER.fullmatch(raw) if "=" in raw else None
        if m is None:
            terms.append(_parse_mechanism(raw))
            continue
        name, value = m.group(1).lower(), m.group(2)
        if name in ("redirect", "exp"):
            term = _Term(raw, "modifier", name, spec=_parse_domain_spec(value))
            if name == "redirect":
                if redirect is not None:
                    raise _SyntaxError("'redirect' appears more than once (RFC 7208 §6)")
                redirect = term
            else:
                if exp is not None:
                    raise _SyntaxError("'exp' appears more than once (RFC 7208 §6)")
                exp = term
            continue
        # unknown-modifier = name "=" macro-string (§6, §12): checked, then ignored.
        _parse_macro_string(value, explain=False, crt=True)
        terms.append(_Term(raw, "modifier", name))
    return _Record(text, tuple(terms), redirect, exp)


@lru_cache(maxsize=1024)
def _parsed_record(text: str) -> _Record | _SyntaxError:
    """The parsed record, or the syntax error that makes it a permerror.

    Parsing is pure and a parsed record is never changed, so it is memoised: a batch
    reads the same few records for message after message (and one check may meet a
    record twice, through includes).
    """
    try:
        return _parse_record(text)
    except _SyntaxError as exc:
        return exc.with_traceback(None)  # kept: hold no frames


# ---------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------
def _checked_domain(domain: str) -> tuple[str, str | None]:
    """RFC 7208 §4.3: the domain as queried, or the reason it is malformed (→ "none")."""
    if len(domain) <= _MAX_NAME and _PLAIN_DOMAIN.fullmatch(domain):
        return (domain[:-1] if domain.endswith(".") else domain), None
    name = domain.strip()
    if not name:
        return name, "no domain to check"
    if name.startswith("["):
        return name, f"{name!r} is an address literal, not a domain (RFC 7208 §2.3, §4.3)"
    if name.endswith("."):
        name = name[:-1]
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return domain, f"{domain!r} is not a valid internationalized domain name (RFC 7208 §4.3)"
    if not _VISIBLE.fullmatch(name):
        return domain, f"{domain!r} contains spaces or control characters (RFC 7208 §4.3)"
    labels = name.split(".")
    if any(not label for label in labels):
        return domain, f"{domain!r} has an empty label (RFC 7208 §4.3)"
    if any(len(label) > _MAX_LABEL for label in labels):
        return domain, f"{domain!r} has a label longer than 63 octets (RFC 7208 §4.3)"
    if len(name) > _MAX_NAME:
        return domain, f"{domain!r} is longer than 253 octets (RFC 7208 §4.3)"
    if len(labels) < 2:
        return domain, f"{domain!r} is not a fully qualified domain name (RFC 7208 §2.3, §4.3)"
    if labels[-1].isdigit():
        return domain, f"{domain!r} is an IP address, not a domain (RFC 7208 §4.3)"
    return name, None


def _target_name(expanded: str) -> tuple[str, str | None]:
    """A target name ready to query, or why it cannot be queried.

    RFC 7208 §7.3: a trailing dot is ignored, and a name longer than 253 characters is
    truncated on the left, label by label.
    """
    name = expanded[:-1] if expanded.endswith(".") else expanded
    while len(name) > _MAX_NAME and "." in name:
        name = name.split(".", 1)[1]
    if not name:
        return name, "empty target name"
    if not name.isascii():
        return name, f"target name {name!r} is not ASCII: not queried, no match (RFC 7208 §4.3, §4.8)"
    for label in name.split("."):
        if not label:
            return name, f"target name {name!r} has an empty label: not queried, no match (RFC 7208 §4.3, §4.8)"
        if len(label) > _MAX_LABEL:
            return name, f"target name {name!r} has a label over 63 octets: not queried, no match (RFC 7208 §4.8)"
    if len(name) > _MAX_NAME:
        return name, f"target name {name!r} is longer than 253 octets: not queried, no match (RFC 7208 §7.3)"
    return name, None


def _rdata_name(text: str) -> str:
    """A domain name from rdata (PTR target, MX exchange): lower case, no trailing dot."""
    name = text.strip().lower()
    return name[:-1] if name.endswith(".") else name


def _is_within(name: str, domain: str) -> bool:
    """``name`` equals ``domain`` or is a subdomain of it (both lower case)."""
    return name == domain or name.endswith("." + domain)


def _split_sender(mail_from: str | None, helo: str | None) -> tuple[str, str]:
    """(local-part, domain) of the MAIL FROM identity (RFC 7208 §2.4, §4.3)."""
    s = (mail_from or "").strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1].strip()
    if not s:  # the null reverse-path: postmaster@<HELO> (§2.4)
        return "postmaster", (helo or "").strip()
    if "@" not in s:
        return "postmaster", s
    local, domain = s.rsplit("@", 1)
    return (local or "postmaster"), domain  # §4.3: no local-part → "postmaster"


# ---------------------------------------------------------------------------------------
# Evaluation (RFC 7208 §4, §5, §6)
# ---------------------------------------------------------------------------------------
class _Abort(Exception):
    """The check ends with ``result`` (permerror or temperror)."""

    def __init__(self, result: str, problem: str) -> None:
        super().__init__(problem)
        self.result = result
        self.problem = problem


class _Outcome:
    """What one ``check_host()`` returned to its caller."""

    __slots__ = ("depth", "domain", "exp", "mechanism", "result")

    def __init__(self, result: str, mechanism: str | None, domain: str, exp: _Term | None, depth: int) -> None:
        self.result = result
        self.mechanism = mechanism
        self.domain = domain  # the domain whose record decided (and whose exp= applies)
        self.exp = exp
        self.depth = depth


class _Evaluator:
    """One check: the inputs, the per-check caches and counters, and the trace."""

    def __init__(
        self,
        *,
        resolver: Any,
        ctx: Context,
        address: ipaddress.IPv4Address | ipaddress.IPv6Address,
        sender: str,
        local: str,
        sender_domain: str,
        helo: str | None,
        receiver: str | None,
        delivery: datetime | None,
    ) -> None:
        self.resolver = resolver
        self.ctx = ctx
        self.delivery = delivery
        self.address = address
        self.ip_int = int(address)
        self.v6 = address.version == 6
        self.bits = 128 if self.v6 else 32
        self.addr_rdtype = "AAAA" if self.v6 else "A"
        self.ip_text = str(address)
        # §7.3: the macro letters whose value does not change during the check.
        self.macros: dict[str, str] = {
            "s": sender,
            "l": local,
            "o": sender_domain,
            # "i": dot-format nibbles for IPv6, upper case as the RFC 7208 test suite expects
            "i": ".".join(address.exploded.replace(":", "").upper()) if self.v6 else self.ip_text,
            "v": "ip6" if self.v6 else "in-addr",
            "h": helo or "unknown",
            "c": self.ip_text,
            "r": receiver or "unknown",  # §7.3: "unknown" when the receiver has no name
        }
        self.steps: list[SPFStep | None] = []
        self.lookups = 0
        self.voids = 0
        self.answers: dict[tuple[str, str], DNSAnswer] = {}
        self.validated: dict[str, bool] = {}  # PTR name → forward-confirmed (§5.5)
        self.top_record: str | None = None
        self.top_domain = sender_domain

    # --- DNS ---------------------------------------------------------------------------
    def query(self, name: str, rdtype: str, queries: list[SPFQuery]) -> DNSAnswer:
        key = (name.lower(), rdtype)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.resolver.query(name, rdtype)
            self.answers[key] = answer
        queries.append(SPFQuery(name, rdtype, answer.status, answer.records, answer.cname_chain))
        return answer

    def address_ints(self, answer: DNSAnswer) -> list[int]:
        """The A or AAAA records of an answer as integers (unparseable ones skipped)."""
        out: list[int] = []
        family = socket.AF_INET6 if self.v6 else socket.AF_INET
        for record in answer.records:
            try:
                out.append(int.from_bytes(socket.inet_pton(family, record.strip()), "big"))
            except (OSError, ValueError):
                continue
        return out

    def in_network(self, addresses: list[int], cidr: int) -> bool:
        shift = self.bits - cidr
        ip = self.ip_int >> shift
        return any(a >> shift == ip for a in addresses)

    def ptr_names(self, queries: list[SPFQuery]) -> tuple[DNSAnswer, list[str]]:
        """The PTR answer for the client address and its first 10 names (§4.6.4, §5.5)."""
        answer = self.query(self.address.reverse_pointer, "PTR", queries)
        names = [_rdata_name(r) for r in answer.records[:MAX_PTR_NAMES]] if answer.ok else []
        return answer, names

    def forward_confirmed(self, name: str, queries: list[SPFQuery]) -> bool:
        """RFC 7208 §5.5: is the client address among ``name``'s addresses?

        A DNS error skips the name ("that domain name is skipped").
        """
        known = self.validated.get(name)
        answer = self.query(name, self.addr_rdtype, queries)
        if known is not None:
            return known
        ok = answer.ok and self.ip_int in self.address_ints(answer)
        self.validated[name] = ok
        return ok

    # --- macros (§7) -------------------------------------------------------------------
    def macro_value(self, letter: str, domain: str, queries: list[SPFQuery]) -> str:
        """The value of a macro letter (§7.3) before transformers."""
        value = self.macros.get(letter)
        if value is not None:
            return value
        if letter == "d":
            return domain
        if letter == "p":
            return self.validated_name(domain, queries)
        if letter == "t":
            return str(int(self.ctx.current_time(self.delivery).timestamp()))
        raise AssertionError(letter)  # the parser admits no other letter

    def validated_name(self, domain: str, queries: list[SPFQuery]) -> str:
        """``%{p}`` (§7.3): a validated name, preferring ``domain``, then its subdomains."""
        answer, names = self.ptr_names(queries)
        if not answer.ok:
            return "unknown"
        d = domain.lower()
        ordered = [n for n in names if n == d]
        ordered += [n for n in names if n != d and n.endswith("." + d)]
        ordered += [n for n in names if not _is_within(n, d)]
        for name in ordered:
            if self.forward_confirmed(name, queries):
                return name
        return "unknown"

    def expand(self, tokens: tuple[_Token, ...], domain: str, queries: list[SPFQuery]) -> str:
        out: list[str] = []
        for token in tokens:
            if isinstance(token, str):
                out.append(token)
                continue
            letter, digits, reverse, delimiters, escape = token
            value = self.macro_value(letter, domain, queries)
            if digits or reverse or delimiters != ".":
                # §7.3: split on the delimiters, reverse, keep the right-hand parts, join on ".".
                parts = value.split(".") if delimiters == "." else re.split(f"[{re.escape(delimiters)}]", value)
                if reverse:
                    parts.reverse()
                if digits and digits < len(parts):
                    parts = parts[-digits:]
                value = ".".join(parts)
            if escape:  # upper-case macro letter: URL-escape all but "unreserved" (§7.3)
                value = quote(value, safe="")
            out.append(value)
        return "".join(out)

    def target(self, term: _Term, domain: str, queries: list[SPFQuery]) -> tuple[str, str | None]:
        if term.spec is None:
            return domain, None
        spec = term.spec
        if len(spec) == 1 and isinstance(spec[0], str):
            return _target_name(spec[0])
        return _target_name(self.expand(spec, domain, queries))

    # --- trace and limits ---------------------------------------------------------------
    def step(
        self,
        depth: int,
        domain: str,
        term: _Term,
        outcome: str,
        *,
        target: str | None = None,
        result: str | None = None,
        queries: list[SPFQuery] | None = None,
        note: str | None = None,
        index: int | None = None,
    ) -> None:
        s = SPFStep(
            depth=depth,
            domain=domain,
            kind=term.kind,
            term=term.text,
            name=term.name,
            qualifier=term.qualifier,
            target=target,
            outcome=outcome,
            result=result,
            lookups=self.lookups,
            void_lookups=self.voids,
            queries=tuple(queries) if queries else (),
            note=note,
        )
        if index is None:
            self.steps.append(s)
        else:
            self.steps[index] = s

    def record_step(
        self,
        depth: int,
        domain: str,
        text: str,
        outcome: str,
        queries: list[SPFQuery],
        *,
        result: str | None = None,
        note: str | None = None,
    ) -> None:
        self.steps.append(
            SPFStep(
                depth=depth,
                domain=domain,
                kind="record",
                term=text,
                name="v=spf1",
                outcome=outcome,
                result=result,
                lookups=self.lookups,
                void_lookups=self.voids,
                queries=tuple(queries),
                note=note,
            )
        )

    def count_lookup(self, depth: int, domain: str, term: _Term) -> None:
        """§4.6.4: the 11th DNS-querying term is a permerror (counted as it is reached)."""
        self.lookups += 1
        if self.lookups > MAX_DNS_TERMS:
            problem = f"more than {MAX_DNS_TERMS} DNS-querying terms: {term.text!r} at {domain} (RFC 7208 §4.6.4)"
            self.step(depth, domain, term, "limit", result="permerror", note=problem)
            raise _Abort("permerror", problem)

    def void(self, depth: int, domain: str, term: _Term, target: str, queries: list[SPFQuery]) -> bool:
        """Count a void lookup (§4.6.4); the third is a permerror. Returns False (no match)."""
        self.voids += 1
        if self.voids > MAX_VOID_LOOKUPS:
            problem = f"more than {MAX_VOID_LOOKUPS} void lookups: {term.text!r} at {domain} (RFC 7208 §4.6.4)"
            self.step(depth, domain, term, "limit", target=target, result="permerror", queries=queries, note=problem)
            raise _Abort("permerror", problem)
        self.step(depth, domain, term, "void", target=target, queries=queries, note="void lookup (RFC 7208 §4.6.4)")
        return False

    def temperror(
        self, depth: int, domain: str, term: _Term, target: str, queries: list[SPFQuery], answer: DNSAnswer
    ) -> None:
        problem = f"DNS {answer.status} for {answer.rdtype} {queries[-1].name} ({term.text!r} at {domain}, RFC 7208 §5)"
        self.step(depth, domain, term, "error", target=target, result="temperror", queries=queries, note=problem)
        raise _Abort("temperror", problem)

    # --- check_host() (§4) --------------------------------------------------------------
    def check_host(self, domain: str, depth: int) -> _Outcome:
        name, problem = _checked_domain(domain)
        if depth == 0:
            self.top_domain = name
        queries: list[SPFQuery] = []
        if problem is not None:
            self.record_step(depth, domain, "", "none", queries, result="none", note=problem)
            return _Outcome("none", None, domain, None, depth)
        # §4.4: TXT only (type SPF is not consulted, §3.1).
        answer = self.query(name, "TXT", queries)
        if answer.temporary_failure:
            problem = f"DNS {answer.status} for TXT {name} (RFC 7208 §4.4)"
            self.record_step(depth, name, "", "error", queries, result="temperror", note=problem)
            raise _Abort("temperror", problem)
        found = [t for t in _txt_strings(answer) if _is_spf_record(t)]
        if not found:
            why = "NXDOMAIN" if answer.status == "NXDOMAIN" else "no SPF record"
            self.record_step(depth, name, "", "none", queries, result="none", note=f"{why} (RFC 7208 §4.3, §4.5)")
            return _Outcome("none", None, name, None, depth)
        if len(found) > 1:
            problem = f"{len(found)} SPF records at {name} (RFC 7208 §4.5)"
            self.record_step(depth, name, "", "error", queries, result="permerror", note=problem)
            raise _Abort("permerror", problem)
        text = found[0]
        if depth == 0:
            self.top_record = text
        parsed = _parsed_record(text)
        if isinstance(parsed, _SyntaxError):
            problem = f"syntax error in the record of {name}: {parsed} (RFC 7208 §4.6)"
            self.record_step(depth, name, text, "error", queries, result="permerror", note=problem)
            raise _Abort("permerror", problem)
        self.record_step(depth, name, text, "found", queries)
        return self.evaluate(parsed, name, depth)

    def evaluate(self, record: _Record, domain: str, depth: int) -> _Outcome:
        """§4.6.2: mechanisms left to right; the first match decides."""
        for term in record.terms:
            if term.kind == "modifier":
                self.step(depth, domain, term, "ignored", note="unknown modifier: ignored (RFC 7208 §6)")
                continue
            if self.mechanism(term, domain, depth):
                result = _QUALIFIER_RESULTS[term.qualifier or "+"]
                return _Outcome(result, term.text, domain, record.exp, depth)
        if record.redirect is None:  # §4.7: no match, no redirect → neutral
            return _Outcome("neutral", None, domain, record.exp, depth)
        # §6.1: redirect= after all mechanisms; its result replaces this record's.
        term = record.redirect
        self.count_lookup(depth, domain, term)
        queries: list[SPFQuery] = []
        target, problem = self.target(term, domain, queries)
        nested, index, lookups = self.nested(term, domain, depth, target, problem, queries, "redirect", "§6.1")
        self.step_at(index, depth, domain, term, "followed", target, nested.result, queries, lookups, None)
        return nested

    def step_at(
        self,
        index: int,
        depth: int,
        domain: str,
        term: _Term,
        outcome: str,
        target: str | None,
        result: str | None,
        queries: list[SPFQuery],
        lookups: int,
        note: str | None,
    ) -> None:
        """Fill the placeholder of an include/redirect step, as it was when reached."""
        self.steps[index] = SPFStep(
            depth=depth,
            domain=domain,
            kind=term.kind,
            term=term.text,
            name=term.name,
            qualifier=term.qualifier,
            target=target,
            outcome=outcome,
            result=result,
            lookups=lookups,
            void_lookups=self.voids,
            queries=tuple(queries),
            note=note,
        )

    def mechanism(self, term: _Term, domain: str, depth: int) -> bool:
        """Evaluate one mechanism (§5); record its step; True if it matches."""
        name = term.name
        qualifier_result = _QUALIFIER_RESULTS[term.qualifier or "+"]
        if name == "all":  # §5.1
            self.step(depth, domain, term, "match", result=qualifier_result)
            return True
        if name == "ip4" or name == "ip6":  # §5.6; IPv4-mapped clients are IPv4 (§5)
            cidr = term.cidr4 if name == "ip4" else term.cidr6
            shown = term.net_text
            if self.v6 != (name == "ip6"):
                self.step(depth, domain, term, "no-match", target=shown, note=f"client is IPv{6 if self.v6 else 4}")
                return False
            shift = self.bits - cidr
            matched = self.ip_int >> shift == term.network >> shift
            self.step(
                depth,
                domain,
                term,
                "match" if matched else "no-match",
                target=shown,
                result=qualifier_result if matched else None,
            )
            return matched
        # The DNS-querying terms (§4.6.4).
        self.count_lookup(depth, domain, term)
        queries: list[SPFQuery] = []
        target, problem = self.target(term, domain, queries)
        if name == "include":
            return self.include(term, domain, depth, target, problem, queries, qualifier_result)
        if problem is not None:
            self.step(depth, domain, term, "no-match", target=target, queries=queries, note=problem)
            return False
        if name == "a":  # §5.3
            answer = self.query(target, self.addr_rdtype, queries)
            if answer.temporary_failure:
                self.temperror(depth, domain, term, target, queries, answer)
            if not answer.records:
                return self.void(depth, domain, term, target, queries)
            cidr = term.cidr6 if self.v6 else term.cidr4
            matched = self.in_network(self.address_ints(answer), cidr)
        elif name == "mx":  # §5.4
            mx_matched = self.mx(term, domain, depth, target, queries)
            if mx_matched is None:
                return False
            matched = mx_matched
        elif name == "ptr":  # §5.5
            answer, names = self.ptr_names(queries)
            if answer.temporary_failure:
                note = f"DNS {answer.status} for the PTR lookup: no match (RFC 7208 §5.5)"
                self.step(depth, domain, term, "no-match", target=target, queries=queries, note=note)
                return False
            if not answer.records:
                return self.void(depth, domain, term, target, queries)
            t = target.lower()
            matched = any(_is_within(n, t) and self.forward_confirmed(n, queries) for n in names)
        elif name == "exists":  # §5.7: an A query, whatever the client's address family
            answer = self.query(target, "A", queries)
            if answer.temporary_failure:
                self.temperror(depth, domain, term, target, queries, answer)
            if not answer.records:
                return self.void(depth, domain, term, target, queries)
            matched = True
        else:  # pragma: no cover - the parser admits no other mechanism
            raise AssertionError(name)
        self.step(
            depth,
            domain,
            term,
            "match" if matched else "no-match",
            target=target,
            result=qualifier_result if matched else None,
            queries=queries,
        )
        return matched

    def mx(self, term: _Term, domain: str, depth: int, target: str, queries: list[SPFQuery]) -> bool | None:
        """§5.4; None when the step is already recorded (void)."""
        answer = self.query(target, "MX", queries)
        if answer.temporary_failure:
            self.temperror(depth, domain, term, target, queries, answer)
        if not answer.records:
            self.void(depth, domain, term, target, queries)
            return None
        exchanges: list[tuple[int, str]] = []
        for record in answer.records:
            pref, _, host = record.strip().partition(" ")
            try:
                exchanges.append((int(pref), _rdata_name(host)))
            except ValueError:
                continue
        if len(exchanges) > MAX_MX_NAMES:
            problem = f"{len(exchanges)} MX names for {target}: more than {MAX_MX_NAMES} (RFC 7208 §4.6.4)"
            self.step(depth, domain, term, "limit", target=target, result="permerror", queries=queries, note=problem)
            raise _Abort("permerror", problem)
        exchanges.sort(key=lambda e: e[0])
        cidr = term.cidr6 if self.v6 else term.cidr4
        for _, host in exchanges:
            if not host:  # a null MX (RFC 7505) names no host
                continue
            hosts = self.query(host, self.addr_rdtype, queries)
            if hosts.temporary_failure:
                self.temperror(depth, domain, term, target, queries, hosts)
            if self.in_network(self.address_ints(hosts), cidr):
                return True
        return False

    def nested(
        self,
        term: _Term,
        domain: str,
        depth: int,
        target: str,
        problem: str | None,
        queries: list[SPFQuery],
        what: str,
        section: str,
    ) -> tuple[_Outcome, int, int]:
        """Run check_host() on an include/redirect target; its step is kept in place (the
        nested terms come after it in the trace). A target without a record is a permerror
        (RFC 7208 §5.2, §6.1). Returns the outcome, the step's index and the lookup count."""
        lookups = self.lookups
        index = len(self.steps)
        self.steps.append(None)
        try:
            nested = self.check_host(target, depth + 1) if problem is None else None
        except _Abort as exc:
            self.step_at(index, depth, domain, term, "error", target, exc.result, queries, lookups, exc.problem)
            raise
        if nested is None or nested.result == "none":
            problem = f"{what} target {target!r} has no SPF record (RFC 7208 {section})" + (
                f": {problem}" if problem else ""
            )
            self.step_at(index, depth, domain, term, "error", target, "permerror", queries, lookups, problem)
            raise _Abort("permerror", problem)
        return nested, index, lookups

    def include(
        self,
        term: _Term,
        domain: str,
        depth: int,
        target: str,
        problem: str | None,
        queries: list[SPFQuery],
        qualifier_result: str,
    ) -> bool:
        """§5.2: recursive check_host(); pass matches, fail/softfail/neutral do not."""
        nested, index, lookups = self.nested(term, domain, depth, target, problem, queries, "include", "§5.2")
        matched = nested.result == "pass"
        note = f"included result {nested.result}: {'match' if matched else 'no match'} (RFC 7208 §5.2)"
        outcome = "match" if matched else "no-match"
        result = qualifier_result if matched else None
        self.step_at(index, depth, domain, term, outcome, target, result, queries, lookups, note)
        return matched

    # --- exp= (§6.2) ------------------------------------------------------------------------
    def explain(self, outcome: _Outcome) -> str | None:
        """The explanation for a fail; any problem means "as if no exp" (§6.2)."""
        term = outcome.exp
        if term is None:
            return None
        queries: list[SPFQuery] = []
        domain, depth = outcome.domain, outcome.depth
        target, problem = self.target(term, domain, queries)
        text: str | None = None
        if problem is None:
            answer = self.query(target, "TXT", queries)
            if answer.status != "NOERROR" or not answer.records:
                problem = f"DNS {answer.status}{' (no record)' if answer.ok else ''} for TXT {target}"
            elif len(answer.records) > 1:
                problem = f"{len(answer.records)} TXT records at {target}"
            else:
                try:
                    tokens, _ = _parse_macro_string(_txt_strings(answer)[0], explain=True, crt=True)
                except _SyntaxError as exc:
                    problem = f"explanation string: {exc}"
                else:
                    text = self.expand(tokens, domain, queries)
                    if not _RECORD_CHARS.fullmatch(text):
                        problem = "explanation is not printable US-ASCII"
                        text = None
        if text is None:
            note = f"exp= not used: {problem} (RFC 7208 §6.2)"
            self.step(depth, domain, term, "ignored", target=target, queries=queries, note=note)
            return None
        self.step(depth, domain, term, "explained", target=target, queries=queries)
        return text


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
_PLAIN_IP4 = re.compile(rf"{_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM}")


def _client_address(ip: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(ip, str) and _PLAIN_IP4.fullmatch(ip):  # the common case, quickly
        return ipaddress.IPv4Address(socket.inet_aton(ip))
    if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
        address = parse_ip(str(ip))
    elif isinstance(ip, str):
        address = parse_ip(ip)  # brackets, "IPv6:", zone index; IPv4-mapped → IPv4 (§5)
    else:
        address = None
    if address is None:
        raise InputError(f"not an IP address: {ip!r}")
    return address


def check(
    ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    mail_from: str | None,
    helo: str | None,
    *,
    ctx: Context,
    identity: str = "mailfrom",
    receiver: str | None = None,
    delivery: datetime | None = None,
) -> SPFResult:
    """Check whether ``ip`` may send for an identity: RFC 7208 ``check_host()``.

    Parameters
    ----------
    ip
        The SMTP client's address (``"192.0.2.1"``, ``"2001:db8::1"``, ``"[IPv6:...]"``);
        an IPv4-mapped IPv6 address is checked as IPv4 (RFC 7208 §5).
    mail_from
        The MAIL FROM address (angle brackets allowed); empty or None for the null
        reverse-path, which is checked as ``postmaster@<helo>`` (§2.4). An address
        without a local-part is checked with ``postmaster`` (§4.3).
    helo
        The HELO/EHLO name (``%{h}``, and the identity for ``identity="helo"``).
    ctx
        The :class:`~mailforensics.context.Context`: the resolver (every DNS question
        goes there) and the clock (``%{t}``).
    identity
        ``"mailfrom"`` (default): the MAIL FROM identity (§2.4). ``"helo"``: the HELO
        identity on its own (§2.3); a HELO that is an address literal or not a fully
        qualified domain name gives ``none``.
    receiver
        The checking host's name, for ``%{r}`` in explanations (default ``"unknown"``).
    delivery
        The delivery time, used for ``%{t}`` when ``ctx.now == "delivery"``.

    Returns
    -------
    SPFResult
        The result, the deciding term, the counters and the full trace.

    Raises
    ------
    InputError
        If ``ip`` is not an IP address or ``identity`` is not one of :data:`IDENTITIES`.

    Examples
    --------
    >>> from mailforensics.context import Context
    >>> from mailforensics.resolvers.zone import ZoneResolver
    >>> zone = ZoneResolver.from_dict({"example.com": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]}})
    >>> r = check("192.0.2.7", "alice@example.com", "mx.example.com", ctx=Context(resolver=zone))
    >>> r.result, r.mechanism, r.lookups
    ('pass', 'ip4:192.0.2.0/24', 0)
    """
    address = _client_address(ip)
    if identity not in IDENTITIES:
        raise InputError(f"identity must be one of {IDENTITIES}, not {identity!r}")
    helo_name = helo.strip() if isinstance(helo, str) and helo.strip() else None
    if identity == "helo":
        local, domain = "postmaster", helo_name or ""  # §2.3
    else:
        local, domain = _split_sender(mail_from, helo_name)
    sender = f"{local}@{domain}"
    ev = _Evaluator(
        resolver=ctx.get_resolver(),
        ctx=ctx,
        address=address,
        sender=sender,
        local=local,
        sender_domain=domain,
        helo=helo_name,
        receiver=receiver,
        delivery=delivery,
    )
    explanation = mechanism = mechanism_domain = problem = None
    try:
        outcome = ev.check_host(domain, 0)
        result = outcome.result
        if outcome.mechanism is not None:
            mechanism, mechanism_domain = outcome.mechanism, outcome.domain
        if result == "fail":
            explanation = ev.explain(outcome)
    except _Abort as exc:
        result, problem = exc.result, exc.problem
    return SPFResult(
        result=result,
        explanation=explanation,
        mechanism=mechanism,
        mechanism_domain=mechanism_domain,
        lookups=ev.lookups,
        void_lookups=ev.voids,
        identity=identity,
        domain=ev.top_domain,
        sender=sender,
        ip=ev.ip_text,
        helo=helo_name,
        record=ev.top_record,
        problem=problem,
        trace=tuple(s for s in ev.steps if s is not None),
    )


def check_both(
    ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    mail_from: str | None,
    helo: str | None,
    *,
    ctx: Context,
    receiver: str | None = None,
    delivery: datetime | None = None,
) -> tuple[SPFResult, SPFResult]:
    """Check the MAIL FROM and the HELO identities (RFC 7208 §2.3, §2.4).

    Parameters
    ----------
    ip, mail_from, helo, ctx, receiver, delivery
        As for :func:`check`.

    Returns
    -------
    tuple of SPFResult
        ``(mailfrom, helo)``.
    """
    return (
        check(ip, mail_from, helo, ctx=ctx, identity="mailfrom", receiver=receiver, delivery=delivery),
        check(ip, mail_from, helo, ctx=ctx, identity="helo", receiver=receiver, delivery=delivery),
    )
