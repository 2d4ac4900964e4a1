"""The Public Suffix List's own test suite, through ``orgdomain.organizational_domain``.

``../shared/conformance/psl/test_psl.txt`` holds ``checkPublicSuffix(domain, expected)``
lines, ``tests.txt`` the same cases as ``domain expected`` pairs; ``null`` stands for no
value. The expected value is the registrable domain (public suffix + 1 label), which is
the RFC 7489 §3.2 organizational domain. The expectations assume the rules of the list
snapshot stored beside them, so that snapshot is what the assertions use; the list
bundled with ``publicsuffixlist`` is run too and its pass count reported.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from mailforensics.auth import orgdomain

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"
PSL_DIR = CONFORMANCE / "psl"
PSL_DAT = PSL_DIR / "public_suffix_list.dat"
TEST_PSL = PSL_DIR / "test_psl.txt"
TESTS_TXT = PSL_DIR / "tests.txt"
ACTIVE_CASES = 78  # ../shared/conformance/psl/SOURCES.md: "78 active" lines in each file

_CHECK = re.compile(r"^checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);\s*$")

Case = tuple[str, str | None, str | None]  # (test id, input, expected)


def _value(token: str) -> str | None:
    return None if token == "null" else token.strip("'")


def _read_test_psl() -> list[Case]:
    if not TEST_PSL.is_file():
        return []
    cases: list[Case] = []
    for number, line in enumerate(TEST_PSL.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        m = _CHECK.match(line)
        assert m, f"test_psl.txt line {number} is not a checkPublicSuffix call: {line!r}"
        cases.append((f"test_psl:{number}:{m.group(1)}", _value(m.group(1)), _value(m.group(2))))
    return cases


def _read_tests_txt() -> list[Case]:
    if not TESTS_TXT.is_file():
        return []
    cases: list[Case] = []
    for number, line in enumerate(TESTS_TXT.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        parts = line.split()
        assert len(parts) == 2, f"tests.txt line {number} is not 'input expected': {line!r}"
        cases.append((f"tests.txt:{number}:{parts[0]}", _value(parts[0]), _value(parts[1])))
    return cases


TEST_PSL_CASES = _read_test_psl()
TESTS_TXT_CASES = _read_tests_txt()
ALL_CASES = TEST_PSL_CASES + TESTS_TXT_CASES


def test_conformance_suite_is_present() -> None:
    """The suite must be there: a missing directory fails, it is not skipped."""
    for path in (PSL_DAT, TEST_PSL, TESTS_TXT):
        assert path.is_file(), f"PSL conformance file missing: {path}"
    assert len(TEST_PSL_CASES) == ACTIVE_CASES
    assert len(TESTS_TXT_CASES) == ACTIVE_CASES
    # The two files are the same cases in two notations.
    assert [(i, e) for _, i, e in TEST_PSL_CASES] == [(i, e) for _, i, e in TESTS_TXT_CASES]


@pytest.mark.parametrize(("domain", "expected"), [c[1:] for c in ALL_CASES], ids=[c[0] for c in ALL_CASES])
def test_psl_conformance(domain: str | None, expected: str | None) -> None:
    assert orgdomain.organizational_domain(domain, method="psl", psl_file=PSL_DAT) == expected


@pytest.mark.parametrize(("domain", "expected"), [c[1:] for c in ALL_CASES], ids=[c[0] for c in ALL_CASES])
def test_psl_conformance_bundled_list_per_case(domain: str | None, expected: str | None) -> None:
    """Each case against the list bundled with ``publicsuffixlist`` (another snapshot).

    The suite's rules (com, jp, ck, mm, k12.ak.us, 公司.cn ...) have been stable for
    years, so a failure here is worth a look; if it is only a list-version difference,
    the assertion on the conformance snapshot above is the one that counts.
    """
    got = orgdomain.organizational_domain(domain, method="psl")
    if got != expected:
        pytest.xfail(f"bundled list differs from the conformance snapshot: {domain!r} → {got!r}, want {expected!r}")


def test_psl_conformance_bundled_list_count() -> None:
    """Report how many cases the bundled list passes."""
    failures = [
        (domain, expected, got)
        for _, domain, expected in ALL_CASES
        if (got := orgdomain.organizational_domain(domain, method="psl")) != expected
    ]
    passed = len(ALL_CASES) - len(failures)
    print(f"bundled PSL: {passed}/{len(ALL_CASES)} conformance cases pass")
    if failures:
        warnings.warn(f"bundled PSL fails {len(failures)} conformance cases: {failures!r}", stacklevel=1)
    assert len(ALL_CASES) == 2 * ACTIVE_CASES


def test_psl_cache_is_shared() -> None:
    assert orgdomain.load_psl(PSL_DAT) is orgdomain.load_psl(str(PSL_DAT))
    assert orgdomain.load_psl() is orgdomain.load_psl(None)
    assert orgdomain.load_psl(PSL_DAT) is not orgdomain.load_psl(PSL_DAT, private=False)
