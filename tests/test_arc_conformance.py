"""The ARC validation suite (ValiMail arc_test_suite, draft-ietf-dmarc-arc-protocol-18).

Every case goes through the public :func:`mailforensics.auth.arc.verify` with a
``ZoneResolver`` built from its scenario's ``txt-records``. The suite's signatures carry
``t=12345`` (1970) and no ``x=``, so the time only has to lie after them: ``now`` is pinned
to the suite's last commit (2018-11-23) so that no result depends on the clock.

The suite targets draft 18; where RFC 8617 as published decides otherwise, the case is
listed in :data:`RFC_DECISIONS` with the section, and the RFC's answer is asserted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mailforensics.auth import arc
from mailforensics.context import Context
from mailforensics.resolvers.zone import ZoneResolver

SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "arc" / "arc-draft-validation-tests.yml"
NOW = datetime(2018, 11, 23, tzinfo=UTC)
EXPECTED_CASES = 171

#: Cases where RFC 8617 (as published) gives a different answer than the draft-18 suite:
#: id → (the cv asserted, why).
RFC_DECISIONS: dict[str, tuple[str, str]] = {
    "ams_fields_c_na": (
        "fail",
        "RFC 8617 §4.1.2: the AMS has DKIM-Signature's semantics, and RFC 6376 §3.5 makes an absent c= "
        "mean simple/simple; this AMS was signed relaxed/relaxed, so it does not verify (the suite's "
        "Pass follows dkimpy's relaxed default; its older copy expected Fail)",
    ),
    "cv_fail_i1_as_cv_fail": (
        "fail",
        "RFC 8617 §5.2 step 2: the newest ARC-Seal says cv=fail, so the Chain Validation Status is fail "
        "(the suite leaves the expectation empty: 'chain terminated')",
    ),
    "cv_fail_i2_as2_fail": (
        "fail",
        "RFC 8617 §5.2 step 2: the newest ARC-Seal (i=2) says cv=fail (suite: empty expectation)",
    ),
    "cv_fail_i2_as1_fail": (
        "fail",
        "RFC 8617 §5.2 step 3.3: no ARC-Seal may say cv=fail, here i=1 does (suite: empty expectation)",
    ),
}


def _scenarios() -> list[dict[str, Any]]:
    with SUITE.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc]


def _resolver(records: dict[str, str]) -> ZoneResolver:
    # Block scalars (|) keep the key split over lines; join them (folded >- ones have none).
    return ZoneResolver.from_dict({name: {"TXT": [value.replace("\n", "")]} for name, value in records.items()})


def _cases() -> list[Any]:
    if not SUITE.is_file():
        return [pytest.param(None, None, id="suite-missing")]
    out = []
    for scenario in _scenarios():
        for case_id, case in scenario["tests"].items():
            out.append(pytest.param(scenario["txt-records"], case, id=case_id))
    return out


def _expected(case_id: str, case: dict[str, Any]) -> str:
    if case_id in RFC_DECISIONS:
        return RFC_DECISIONS[case_id][0]
    return str(case["cv"]).lower()


def test_suite_is_present_and_complete() -> None:
    assert SUITE.is_file(), f"ARC validation suite not found at {SUITE}"
    count = sum(len(s["tests"]) for s in _scenarios())
    assert count == EXPECTED_CASES


def test_rfc_decisions_differ_from_the_suite() -> None:
    """Each listed case really is one where the suite's expectation is not the RFC's."""
    assert SUITE.is_file(), f"ARC validation suite not found at {SUITE}"
    cases = {cid: c for s in _scenarios() for cid, c in s["tests"].items()}
    assert set(RFC_DECISIONS) <= set(cases)
    for case_id, (cv, _why) in RFC_DECISIONS.items():
        assert str(cases[case_id]["cv"]).lower() != cv, case_id
    assert len(RFC_DECISIONS) == 4


@pytest.mark.parametrize(("records", "case"), _cases())
def test_validation_suite(request: pytest.FixtureRequest, records: dict[str, str] | None, case: Any) -> None:
    if case is None:
        pytest.fail(f"ARC validation suite not found at {SUITE}")
    assert records is not None
    case_id = request.node.callspec.id
    ctx = Context(resolver=_resolver(records), now=NOW)
    result = arc.verify(case["message"].encode("utf-8"), ctx=ctx)
    expected = _expected(case_id, case)
    assert result.cv == expected, (case_id, result.reason, result.reason_text)
    if expected == "pass":
        # RFC 8617 §5.2 steps 4 and 6 held: the newest AMS and every seal verify.
        assert result.reason is None
        assert result.sets[-1].ams_valid is True
        assert all(s.as_valid is True for s in result.sets)
        assert [s.instance for s in result.sets] == list(range(1, len(result.sets) + 1))
    elif expected == "none":
        assert result.sets == () and result.reason == "no-arc-sets"
    else:
        assert result.reason is not None and result.reason_text


@pytest.mark.parametrize(("records", "case"), _cases())
def test_validation_suite_crlf(records: dict[str, str] | None, case: Any) -> None:
    """The suite's messages are LF-only; the CRLF form verifies identically, set by set."""
    if case is None:
        pytest.fail(f"ARC validation suite not found at {SUITE}")
    assert records is not None
    ctx = Context(resolver=_resolver(records), now=NOW)
    lf = case["message"].encode("utf-8")
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = arc.verify(lf, ctx=ctx), arc.verify(crlf, ctx=ctx)
    assert (a.cv, a.reason, a.oldest_pass) == (b.cv, b.reason, b.oldest_pass)
    assert [(s.ams_valid, s.ams_reason, s.as_valid, s.as_reason) for s in a.sets] == [
        (s.ams_valid, s.ams_reason, s.as_valid, s.as_reason) for s in b.sets
    ]
