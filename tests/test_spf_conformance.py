"""The open-spf.org SPF test suites, through the public ``spf.check``.

``../shared/conformance/spf/rfc7208-tests.yml`` (203 tests) and ``rfc4408-tests.yml``
(191 tests, the historic RFC 4408 expectations). Each YAML document is a scenario: its
``zonedata`` becomes one :class:`ZoneResolver` (no socket), each of its ``tests`` one
pytest case. The suites' driver conventions (those of pyspf's ``test/testspf.py``, whose
files these are) are followed:

- ``host`` is the client address, ``mailfrom`` the MAIL FROM, ``helo`` the HELO name; an
  empty ``mailfrom`` checks ``postmaster@<helo>`` (RFC 7208 §2.4). For those cases the
  HELO identity on its own (``identity="helo"``, §2.3) is checked too and must agree.
- Records written as type ``SPF`` are also served as ``TXT`` unless the name has a
  ``TXT`` entry of its own ("auto-magic duplication of SPF to TXT records by test suite
  drivers", suite header); ``TXT: NONE`` means no TXT record and no duplication.
- A bare ``TIMEOUT`` entry makes every question for the name time out, except for the
  types the name lists records for.
- A TXT/SPF value that is a list is one record of several character-strings (joined with
  no separator, RFC 7208 §3.3); an MX value is ``[preference, host]``.
- ``result`` may be a list of acceptable results; ``explanation: DEFAULT`` means the
  receiver's default, i.e. no ``exp=`` text (``SPFResult.explanation is None``).

The engine must never ask for type SPF (RFC 7208 §3.1, §4.4): every case checks that too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mailforensics.auth import spf
from mailforensics.context import Context
from mailforensics.resolvers.base import DNSAnswer
from mailforensics.resolvers.zone import ZoneResolver

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"
SPF_DIR = CONFORMANCE / "spf"
RFC7208 = SPF_DIR / "rfc7208-tests.yml"
RFC4408 = SPF_DIR / "rfc4408-tests.yml"
RFC7208_COUNT = 203  # SOURCES.md: 16 scenarios, 203 tests
RFC4408_COUNT = 191  # SOURCES.md: 15 scenarios, 191 tests

_TYPES = ("A", "AAAA", "MX", "PTR", "TXT", "SPF", "CNAME")

#: RFC 4408 cases whose expectation RFC 7208 changed: test id → (the RFC 7208 result
#: asserted instead, the RFC 7208 section that changed it). In each, the RFC 4408 suite
#: accepts several results and RFC 7208 settles on one -- the one rfc7208-tests.yml
#: expects of the same test (same id, same inputs). ``test_suite_sizes`` checks that this
#: list is exactly the set of such ids.
RFC7208_CHANGED: dict[str, tuple[str, str]] = {
    # Type SPF (99) is no longer consulted: TXT only (RFC 7208 §3.1, §4.4, §4.5).
    "txtonly": ("fail", "RFC 7208 §3.1, §4.4: TXT only; a TXT-only domain has its record"),
    "spfonly": ("none", "RFC 7208 §3.1, §4.4: TXT only; an SPF-type-only domain has no record"),
    "spftimeout": ("fail", "RFC 7208 §3.1, §4.4: no type SPF query, so its timeout cannot matter"),
    "txttimeout": ("temperror", "RFC 7208 §4.4: TXT only; a TXT timeout is a temperror"),
    "nospftxttimeout": ("temperror", "RFC 7208 §4.4: TXT only; a TXT timeout is a temperror"),
    "spfoverride": ("fail", "RFC 7208 §3.1, §4.5: the SPF-type record no longer overrides TXT"),
    "multitxt1": ("permerror", "RFC 7208 §3.1, §4.5: two TXT SPF records, no SPF-type fallback"),
    "multispf2": ("pass", "RFC 7208 §3.1, §4.5: duplicate SPF-type records are not consulted"),
    # More than 10 MX names: a permerror, no longer "ignore the rest".
    "mx-limit": ("permerror", "RFC 7208 §4.6.4: more than 10 MX names is a permerror"),
    # A DNS error in a mechanism's lookup is a temperror, not a no-match.
    "exists-dnserr": ("temperror", "RFC 7208 §5 (DNS errors), §2.6.6: temperror"),
    # An IPv4 client (or IPv4-mapped IPv6) never matches ip6:, even ::/0.
    "cidr6-0-ip4": ("neutral", "RFC 7208 §5, §5.6: ip6 does not match an IPv4 client"),
    "cidr6-ip4": ("neutral", "RFC 7208 §5, §5.6: an IPv4-mapped client is IPv4; ip6 does not match"),
}


# ---------------------------------------------------------------------------------------
# The suites' zone data → ZoneResolver
# ---------------------------------------------------------------------------------------
def _txt_presentation(strings: list[str]) -> str:
    """TXT rdata in presentation format: each string quoted, split at 255 octets."""
    out: list[str] = []
    for s in strings:
        raw = s.encode("utf-8")
        for i in range(0, max(len(raw), 1), 255):
            chunk = raw[i : i + 255]
            text = "".join(
                "\\" + chr(b) if b in (0x22, 0x5C) else chr(b) if 0x20 <= b < 0x7F else f"\\{b:03d}" for b in chunk
            )
            out.append(f'"{text}"')
    return " ".join(out)


def _absolute(host: str) -> str:
    host = str(host)
    return "." if not host else host if host.endswith(".") else host + "."


def build_zone(zonedata: dict[str, list[Any]]) -> ZoneResolver:
    """One scenario's ``zonedata`` as a resolver (the driver conventions above)."""
    data: dict[str, dict[str, list[str] | str] | str] = {}
    for name, entries in zonedata.items():
        types: dict[str, list[str]] = {}
        spf_records: list[str] = []
        has_txt = False
        timeout = False
        for entry in entries:
            if entry == "TIMEOUT":
                timeout = True
                continue
            for rdtype, value in entry.items():
                rt = rdtype.upper()
                if rt == "TXT":
                    has_txt = True
                if value == "NONE":
                    continue
                if rt in ("TXT", "SPF"):
                    record = _txt_presentation([value] if isinstance(value, str) else [str(v) for v in value])
                    if rt == "SPF":
                        spf_records.append(record)
                elif rt == "MX":
                    record = f"{int(value[0])} {_absolute(value[1])}"
                elif rt in ("PTR", "CNAME"):
                    record = _absolute(value)
                else:
                    record = str(value)
                types.setdefault(rt, []).append(record)
        if spf_records and not has_txt:
            types["TXT"] = spf_records
        if timeout and not types:
            data[name] = "TIMEOUT"
            continue
        node: dict[str, list[str] | str] = dict(types)
        if timeout:
            for rt in _TYPES:
                node.setdefault(rt, "TIMEOUT")
        data[name] = node
    return ZoneResolver.from_dict(data)


class AskedTypes:
    """Wraps a resolver and remembers which record types were asked for."""

    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.rdtypes: set[str] = set()

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        self.rdtypes.add(rdtype.upper())
        return self.inner.query(name, rdtype)


# ---------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    suite: str
    scenario: str
    name: str
    spec: str
    helo: str
    host: str
    mailfrom: str
    results: tuple[str, ...]
    explanation: str | None
    zonedata: dict[str, list[Any]]


def load_suite(path: Path) -> list[Case]:
    cases: list[Case] = []
    with path.open("rb") as fh:
        for doc in yaml.safe_load_all(fh):
            zonedata = doc.get("zonedata") or {}
            for name, t in doc["tests"].items():
                result = t["result"]
                cases.append(
                    Case(
                        suite=path.name,
                        scenario=doc.get("description", ""),
                        name=name,
                        spec=str(t.get("spec", "")),
                        helo=str(t["helo"]),
                        host=str(t["host"]),
                        mailfrom=str(t.get("mailfrom") or ""),
                        results=tuple(result) if isinstance(result, list) else (result,),
                        explanation=t.get("explanation"),
                        zonedata=zonedata,
                    )
                )
    return cases


def _params(path: Path) -> list[Any]:
    if not path.is_file():
        return [pytest.param(None, id=f"{path.name}-missing")]
    return [pytest.param(c, id=c.name) for c in load_suite(path)]


def run_case(case: Case, results: tuple[str, ...]) -> None:
    resolver = AskedTypes(build_zone(case.zonedata))
    ctx = Context(resolver=resolver)
    r = spf.check(case.host, case.mailfrom, case.helo, ctx=ctx)
    where = f"{case.suite} {case.name} (spec {case.spec}; {case.scenario})"
    assert r.result in results, f"{where}: got {r.result!r} ({r.problem}), expected {results}\n" + "\n".join(
        f"  {s.depth} {s.domain} {s.term!r} {s.outcome} {s.result} {s.note or ''}" for s in r.trace
    )
    if case.explanation is not None:
        expected = None if case.explanation == "DEFAULT" else case.explanation
        assert r.explanation == expected, f"{where}: explanation {r.explanation!r} != {expected!r}"
    assert "SPF" not in resolver.rdtypes, f"{where}: asked for type SPF (RFC 7208 §3.1)"
    if not case.mailfrom:
        helo = spf.check(case.host, case.mailfrom, case.helo, ctx=ctx, identity="helo")
        assert helo.result == r.result, f"{where}: HELO identity gave {helo.result!r}, MAIL FROM {r.result!r}"


@pytest.mark.parametrize("case", _params(RFC7208))
def test_rfc7208(case: Case | None) -> None:
    assert case is not None, f"the RFC 7208 SPF test suite is missing: {RFC7208}"
    run_case(case, case.results)


@pytest.mark.parametrize("case", _params(RFC4408))
def test_rfc4408(case: Case | None) -> None:
    assert case is not None, f"the RFC 4408 SPF test suite is missing: {RFC4408}"
    changed = RFC7208_CHANGED.get(case.name)
    run_case(case, (changed[0],) if changed else case.results)


def test_suite_sizes() -> None:
    """All the cases are there (SOURCES.md counts), and the changed ids exist."""
    assert RFC7208.is_file() and RFC4408.is_file(), f"SPF conformance suites missing under {SPF_DIR}"
    new, old = load_suite(RFC7208), load_suite(RFC4408)
    assert len(new) == RFC7208_COUNT
    assert len(old) == RFC4408_COUNT
    assert len({c.name for c in new}) == RFC7208_COUNT
    old_by_name = {c.name: c for c in old}
    new_by_name = {c.name: c for c in new}
    narrowed = {
        name
        for name, o in old_by_name.items()
        if (n := new_by_name.get(name)) is not None
        and (o.host, o.mailfrom, o.helo) == (n.host, n.mailfrom, n.helo)
        and set(o.results) != set(n.results)
    }
    assert narrowed == set(RFC7208_CHANGED)
    for name, (result, _section) in RFC7208_CHANGED.items():
        assert new_by_name[name].results == (result,), name  # what the RFC 7208 suite expects
        assert result in old_by_name[name].results, name  # and RFC 4408 allowed it
