"""Verdicts on the bundled corpus, offline from the recorded evidence (sample_mail/dns/).

- Every ``eml/`` sample is analysed with ``Context.offline(evidence.jsonl)``: the signed
  samples 29-34 must give exactly the authentication rows and findings their scenario is
  about (see sample_mail/README.md); the older ones must complete with the SPF and DMARC
  results the world zone implies (it publishes no record for their domains).
- The rotated-key sample with and without ``Config.historical_keys``; the expired
  signature as of delivery, within its week and later.
- Round trip: every sample (eml, mbox, Maildir) analysed through a RecordingResolver over
  the world zone, its evidence saved and replayed with ``Context.offline`` gives identical
  frames, and no socket is opened.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

import mailforensics as mf
from mailforensics.resolvers import RecordingResolver, ZoneResolver

from .conftest import SAMPLE_MAIL

DNS = SAMPLE_MAIL / "dns"
EVIDENCE = DNS / "evidence.jsonl"
CONFIG = mf.Config(internal_domains=("example.net",))
RECORDED_AT = datetime(2024, 3, 22, 9, 0, tzinfo=UTC)  # make_evidence.py's clock
LATER = datetime(2025, 1, 1, tzinfo=UTC)
EML = sorted(p.name for p in (SAMPLE_MAIL / "eml").glob("*.eml"))
SIGNED = [name for name in EML if int(name[:2]) >= 29]
OLDER = [name for name in EML if int(name[:2]) < 29]
FRAMES = ("hops", "auth", "arc", "findings", "envelope", "dns", "dnsbl")
ROW = ("method", "instance", "domain", "result", "reason", "aligned", "claimed", "claim_trusted")


@cache
def _module(name: str) -> ModuleType:
    """``sample_mail/<name>.py`` as a module (registered: its dataclasses need it)."""
    qualified = f"sample_mail_{name}"
    spec = importlib.util.spec_from_file_location(qualified, SAMPLE_MAIL / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


@cache
def world() -> ZoneResolver:
    return ZoneResolver.from_text((DNS / "world.zone").read_text())


@cache
def archive() -> ZoneResolver:
    return ZoneResolver.from_text((DNS / "archived-keys.zone").read_text())


@cache
def analysis(name: str, now: datetime | str | None = None, historical: bool = False) -> mf.Analysis:
    """``name`` analysed offline from the committed evidence (strict replay), cached."""
    config = mf.Config(internal_domains=("example.net",), historical_keys=archive() if historical else None)
    ctx = mf.Context.offline(EVIDENCE, now=now, config=config)  # type: ignore[arg-type]
    return mf.analyze(SAMPLE_MAIL / "eml" / name, ctx=ctx)


def rows(a: mf.Analysis) -> list[tuple[Any, ...]]:
    """The auth frame as plain tuples (NA → None), the columns of :data:`ROW`."""
    return [tuple(None if pd.isna(v) else v for v in r) for r in a.auth[list(ROW)].itertuples(index=False)]


def codes(a: mf.Analysis) -> list[str]:
    return sorted(a.findings["code"])


# --- the signed samples (29-34), as an analyst sees them with `make demo` ------------------------
AT_RECEIPT = "mx1.example.net (Authentication-Results, header 3, hop 2, trusted)"

EXPECTED_ROWS: dict[str, list[tuple[Any, ...]]] = {
    "29-dkim-rsa-ed25519-pass.eml": [
        ("spf", "mailfrom", "shop.example", "pass", "matched a:mail.shop.example", True, "pass", True),
        ("spf", "helo", "mail.shop.example", "pass", "matched a", None, None, None),
        ("dkim", "1", "shop.example", "pass", None, True, "pass", True),
        ("dkim", "2", "shop.example", "pass", None, True, "pass", True),
        ("dmarc", None, "shop.example", "pass", "policy p=reject", True, "pass", True),
    ],
    "30-lookalike-dmarc-fail.eml": [
        ("spf", "mailfrom", "bank-secure.example", "pass", "matched ip4:198.51.100.121", False, "pass", True),
        ("spf", "helo", "mail.bank-secure.example", "none", None, None, None, None),
        ("dkim", "1", "bank-secure.example", "pass", None, False, "pass", True),
        ("dmarc", None, "bank.example", "fail", "policy p=reject", False, "fail", True),
    ],
    "31-mailing-list-arc.eml": [
        ("spf", "mailfrom", "lists.example.org", "pass", "matched ip4:198.51.100.123", False, "pass", True),
        ("spf", "helo", "mail.lists.example.org", "pass", "matched a", None, None, None),
        ("dkim", "1", "lists.example.org", "pass", None, False, "pass", True),
        ("dkim", "2", "adventure-works.example", "fail", "body-hash-mismatch", None, "fail", True),
        ("arc", "1", "lists.example.org", "pass", None, None, "pass", True),
        ("dmarc", None, "adventure-works.example", "fail", "policy p=reject", False, "fail", True),
    ],
    "32-forged-auth-results.eml": [
        ("spf", "mailfrom", "vps-2217.hoster.example", "none", None, None, "none", True),
        ("spf", "helo", "vps-2217.hoster.example", "none", None, None, None, None),
        ("dkim", "1", "bank.example", "fail", "body-hash-mismatch", None, "pass", False),
        ("dmarc", None, "bank.example", "fail", "policy p=reject", False, "pass", False),
    ],
    # judged today (the system clock): the signature expired a week after it was made
    "33-dkim-expired.eml": [
        ("spf", "mailfrom", "bounces.mailrelay.example", "pass", "matched ip4:198.51.100.124", False, "pass", True),
        ("spf", "helo", "mta7.mailrelay.example", "pass", "matched a", None, None, None),
        ("dkim", "1", "wideworldimporters.example", "policy", "expired", None, "pass", True),
        ("dmarc", None, "wideworldimporters.example", "fail", "policy p=quarantine", False, "pass", True),
    ],
    # without the archived keys: the selector is gone from DNS
    "34-dkim-key-rotated.eml": [
        ("spf", "mailfrom", "contoso.example", "pass", "matched ip4:198.51.100.125", True, "pass", True),
        ("spf", "helo", "smtp.contoso.example", "pass", "matched a", None, None, None),
        ("dkim", "1", "contoso.example", "permerror", "no-key", None, "pass", True),
        ("dmarc", None, "contoso.example", "pass", "policy p=reject", True, "pass", True),
    ],
}

EXPECTED_FINDINGS: dict[str, list[str]] = {
    "29-dkim-rsa-ed25519-pass.eml": [],
    # What the message itself says (issue #10) shows too: bounce addresses at the sending
    # service, a Reply-To at the look-alike, a URL host that borrows the recipient's name.
    "30-lookalike-dmarc-fail.eml": [
        "dmarc-fail",
        "dnsbl-listed",
        "rdns-none",
        "reply-to-other-domain",
        "return-path-other-domain",
    ],
    "31-mailing-list-arc.eml": ["dkim-fail", "dmarc-fail", "rdns-none", "return-path-other-domain"],
    "32-forged-auth-results.eml": [
        "auth-claim-untrusted",
        "auth-claim-untrusted",
        "auth-claim-untrusted",
        "dkim-fail",
        "dmarc-fail",
        "lookalike-domain",
        "return-path-other-domain",
    ],
    "33-dkim-expired.eml": [
        "auth-claim-mismatch",
        "auth-claim-mismatch",
        "dkim-expired",
        "dmarc-fail",
        "return-path-other-domain",
    ],
    "34-dkim-key-rotated.eml": ["auth-claim-mismatch", "dkim-no-key"],
}

DISPOSITION = {
    "29-dkim-rsa-ed25519-pass.eml": "none",
    "30-lookalike-dmarc-fail.eml": "reject",
    "31-mailing-list-arc.eml": "reject",
    "32-forged-auth-results.eml": "reject",
    "33-dkim-expired.eml": "quarantine",
    "34-dkim-key-rotated.eml": "none",
}


def test_the_signed_samples_are_the_ones_expected() -> None:
    assert sorted(EXPECTED_ROWS) == SIGNED


@pytest.mark.parametrize("name", SIGNED)
def test_signed_sample_auth_rows(name: str) -> None:
    a = analysis(name)
    assert rows(a) == EXPECTED_ROWS[name]
    assert a.verification is not None
    assert a.verification.dmarc.disposition == DISPOSITION[name]


@pytest.mark.parametrize("name", SIGNED)
def test_signed_sample_findings(name: str) -> None:
    assert codes(analysis(name)) == EXPECTED_FINDINGS[name]


def test_legitimate_newsletter_two_signatures() -> None:
    a = analysis("29-dkim-rsa-ed25519-pass.eml")
    assert a.verification is not None
    rsa_sig, ed_sig = a.verification.dkim
    assert (rsa_sig.selector, rsa_sig.algorithm, rsa_sig.key_type, rsa_sig.key_bits) == (
        "s2024",
        "rsa-sha256",
        "rsa",
        2048,
    )
    assert (ed_sig.selector, ed_sig.algorithm, ed_sig.key_type) == ("ed2024", "ed25519-sha256", "ed25519")
    assert all(s.body_hash_ok and s.signature_ok and s.key_source == "dns" for s in (rsa_sig, ed_sig))
    assert a.verification.dmarc.aligned_dkim_domains == ("shop.example",)
    assert a.summary["dmarc"] == "pass (shop.example)" and a.summary["findings"] == "0"


def test_lookalike_phish() -> None:
    a = analysis("30-lookalike-dmarc-fail.eml")
    assert a.verification is not None
    dmarc = a.verification.dmarc
    assert (dmarc.from_domain, dmarc.policy_domain, dmarc.policy) == ("bank.example", "bank.example", "reject")
    assert (dmarc.spf_aligned, dmarc.dkim_aligned) == (False, False)
    f = a.findings.set_index("code")
    assert f.loc["dmarc-fail", "severity"] == "alert"
    assert f.loc["dnsbl-listed", "where"] == "bank-secure.example"
    assert a.originating_ip == "198.51.100.121"


def test_mailing_list_arc_holds_while_author_dkim_broke() -> None:
    a = analysis("31-mailing-list-arc.eml")
    assert a.verification is not None
    listsig, author = a.verification.dkim
    assert (listsig.domain, listsig.result, listsig.body_hash_ok, listsig.signature_ok) == (
        "lists.example.org",
        "pass",
        True,
        True,
    )
    # the footer broke the body hash, the [ops-forum] tag the signed Subject
    assert (author.domain, author.body_hash_ok, author.signature_ok) == ("adventure-works.example", False, False)
    assert author.reasons == ("body-hash-mismatch", "signature-mismatch")
    arc = a.verification.arc
    assert arc is not None and (arc.cv, arc.reason, arc.oldest_pass) == ("pass", None, 1)
    chain = a.arc
    assert len(chain) == 1
    one = chain.iloc[0]
    assert (one["instance"], one["cv"], one["ams_domain"], one["authserv_id"]) == (
        1,
        "none",
        "lists.example.org",
        "lists.example.org",
    )
    assert bool(one["ams_valid"]) and bool(one["as_valid"]) and bool(one["body_hash_ok"])
    # what the list saw on receipt: everything passed
    assert (one["claimed_spf"], one["claimed_dkim"], one["claimed_dmarc"]) == ("pass", "pass", "pass")
    assert not {"arc-fail", "arc-modified-in-transit", "arc-seal-cv-fail"} & set(a.findings["code"])


def test_forged_authentication_results_is_untrusted() -> None:
    a = analysis("32-forged-auth-results.eml")
    untrusted = a.findings[a.findings["code"] == "auth-claim-untrusted"]
    assert set(untrusted["severity"]) == {"alert"}
    details = " ".join(untrusted["detail"])
    for claim in ("spf=pass", "dkim=pass", "dmarc=pass"):
        assert claim in details
    assert set(untrusted["where"]) == {"mx1.example.net (Authentication-Results, header 6, outside the trust boundary)"}
    # The claim has no Received field below it: the sending client wrote it.
    assert a.verification is not None
    forged = [p for p in a.verification.claims if p.header.authserv_id == "mx1.example.net"]
    assert forged and all(p.hop is None and not p.trusted for p in forged)
    assert "auth-claim-mismatch" not in set(a.findings["code"])


def test_expired_signature_judged_at_delivery_and_later() -> None:
    name = "33-dkim-expired.eml"
    at_delivery = analysis(name, now="delivery")
    assert [r[3] for r in rows(at_delivery)] == ["pass", "pass", "pass", "pass"]
    assert rows(at_delivery)[2] == ("dkim", "1", "wideworldimporters.example", "pass", None, True, "pass", True)
    assert codes(at_delivery) == ["return-path-other-domain"]  # a bounce address at the relay service
    assert at_delivery.verification is not None
    sig = at_delivery.verification.dkim[0]
    assert sig.judged_at == datetime(2024, 3, 5, 10, 15, 34, tzinfo=UTC)  # the top (LMTP) hop
    assert sig.expiration is not None and sig.timestamp is not None
    assert sig.expiration - sig.timestamp == timedelta(days=7)
    # within the week: still valid; a fixed later time: expired, as with the system clock
    assert analysis(name, now=datetime(2024, 3, 11, tzinfo=UTC)).auth["result"].tolist()[2] == "pass"
    later = analysis(name, now=LATER)
    assert rows(later) == rows(analysis(name)) == EXPECTED_ROWS[name]
    mismatch = later.findings[later.findings["code"] == "auth-claim-mismatch"].set_index("where")
    assert "Context(now='delivery')" in str(mismatch.loc["dkim 1", "detail"])
    assert "changed since delivery" in str(mismatch.loc["dmarc", "detail"])


def test_rotated_key_with_and_without_the_archive() -> None:
    name = "34-dkim-key-rotated.eml"
    without = analysis(name)
    assert without.verification is not None
    assert without.verification.dkim[0].key_source is None
    detail = str(without.findings.set_index("code").loc["auth-claim-mismatch", "detail"])
    assert "no longer in DNS" in detail and "Config.historical_keys" in detail
    assert world().query("2024jan._domainkey.contoso.example", "TXT").status == "NXDOMAIN"
    assert archive().query("2024jan._domainkey.contoso.example", "TXT").records

    found = analysis(name, historical=True)
    assert rows(found)[2] == ("dkim", "1", "contoso.example", "pass", None, True, "pass", True)
    assert found.verification is not None and found.verification.dkim[0].key_source == "historical"
    assert codes(found) == ["dkim-historical-key-used"]
    assert [r for i, r in enumerate(rows(found)) if i != 2] == [r for i, r in enumerate(EXPECTED_ROWS[name]) if i != 2]


def test_cli_historical_keys(capsys: pytest.CaptureFixture[str]) -> None:
    from mailforensics.cli import main

    sample = str(SAMPLE_MAIL / "eml" / "34-dkim-key-rotated.eml")
    args = ["analyze", sample, "--internal-domain", "example.net", "--offline", "--evidence", str(EVIDENCE)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "no-key" in out and "auth-claim-mismatch" in out
    assert main([*args, "--historical-keys", str(DNS / "archived-keys.zone")]) == 0
    out = capsys.readouterr().out
    assert "dkim-historical-key-used" in out and "auth-claim-mismatch" not in out


# --- the older samples: complete, with what the world says ---------------------------------------
def _spf_record(domain: str) -> bool:
    answer = world().query(domain, "TXT")
    return any(t.lower().startswith("v=spf1") for t in answer.txt_strings())


def _dmarc_record(domain: str) -> bool:
    labels = domain.split(".")
    return any(world().query("_dmarc." + ".".join(labels[i:]), "TXT").records for i in range(len(labels)))


@pytest.mark.parametrize("name", OLDER)
def test_older_sample_verdicts_follow_the_world(name: str) -> None:
    a = analysis(name)
    auth = a.auth.set_index(["method", "instance"], drop=False)
    spf = auth[(auth["method"] == "spf") & (auth["instance"] == "mailfrom")].iloc[0]
    dmarc = auth[auth["method"] == "dmarc"].iloc[0]
    # These senders publish SPF for their relay where delivery recorded an SPF pass, and no
    # DMARC record: today's SPF agrees with what the message recorded, DMARC does not apply.
    if _spf_record(spf["domain"]):
        assert spf["result"] == "pass", spf.to_dict()
        assert pd.isna(spf["claimed"]) or spf["claimed"] == "pass", spf.to_dict()
    else:
        assert pd.isna(spf["result"]) or spf["result"] == "none", spf.to_dict()
        assert pd.isna(spf["claimed"]) or spf["claimed"] != "pass"
    assert "auth-claim-mismatch" not in set(a.findings["code"])
    assert not _dmarc_record(dmarc["domain"]) and dmarc["result"] == "none"
    assert dmarc["reason"] == "no DMARC policy record"
    assert "dmarc-no-policy" in set(a.findings["code"])
    assert set(a.auth["method"]) <= {"spf", "dmarc"}  # none of them is signed


def test_the_world_publishes_the_signed_senders() -> None:
    for domain in ("shop.example", "bank.example", "bank-secure.example", "adventure-works.example"):
        assert _spf_record(domain), domain
    for domain in ("shop.example", "bank.example", "adventure-works.example", "wideworldimporters.example"):
        assert _dmarc_record(domain), domain
    assert not _dmarc_record("bank-secure.example")


# --- the generated files are current --------------------------------------------------------------
def test_signed_samples_regenerate_byte_for_byte() -> None:
    generate = _module("generate")
    for build in generate.EML_BUILDERS:
        mail = build()
        assert mail.render() == (SAMPLE_MAIL / "eml" / mail.name).read_bytes(), mail.name


def test_archived_keys_zone_is_current() -> None:
    make_evidence = _module("make_evidence")
    assert make_evidence.archived_zone() == (DNS / "archived-keys.zone").read_text()
    names = set(ZoneResolver.from_text(make_evidence.archived_zone()).names())
    assert names == {"2024jan._domainkey.contoso.example"}


# --- round trip: record over the world, replay offline, identical frames -------------------------
@pytest.fixture
def no_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    yield


def _round_trip(message: mf.Message, tmp_path: Path, config: mf.Config = CONFIG) -> None:
    ticks = iter(range(10**9))
    recorder = RecordingResolver(world(), clock=lambda: RECORDED_AT + timedelta(milliseconds=next(ticks)))
    recorded = mf.analyze(message, ctx=mf.Context(resolver=recorder, now=RECORDED_AT, config=config))
    evidence = recorded.save_evidence(tmp_path / "evidence.jsonl")
    replayed = mf.analyze(message, ctx=mf.Context.offline(evidence, now=RECORDED_AT, config=config))
    for frame in FRAMES:
        pd.testing.assert_frame_equal(getattr(recorded, frame), getattr(replayed, frame), obj=frame)
    pd.testing.assert_series_equal(recorded.summary, replayed.summary)
    assert len(recorded.dns) > 0


@pytest.mark.parametrize("name", EML)
def test_round_trip_eml(name: str, tmp_path: Path, no_socket: None) -> None:
    _round_trip(mf.load(SAMPLE_MAIL / "eml" / name), tmp_path)


@pytest.mark.parametrize("source", ["export.mbox", "export-crlf-cl.mbox", "Maildir"])
def test_round_trip_mailboxes(source: str, tmp_path: Path, no_socket: None) -> None:
    count = 0
    for message in mf.iter_messages(SAMPLE_MAIL / source):
        _round_trip(message, tmp_path, mf.Config() if count % 2 else CONFIG)
        count += 1
    assert count == {"export.mbox": 64, "export-crlf-cl.mbox": 5, "Maildir": 7}[source]


def test_replay_as_of_delivery_with_the_archive_needs_nothing_more(no_socket: None) -> None:
    """The variants make_evidence.py also records: a strict replay answers them all."""
    config = mf.Config(internal_domains=("example.net",), historical_keys=archive())
    for name in EML:
        message = mf.load(SAMPLE_MAIL / "eml" / name)
        for cfg in (CONFIG, config):
            a = mf.analyze(message, ctx=mf.Context.offline(EVIDENCE, now="delivery", config=cfg))
            if name.startswith(("33-", "34-")) and cfg is config:
                assert a.auth.set_index("method").loc["dkim", "result"] == "pass", name


def test_cli_now_delivery_judges_the_expired_signature_as_the_receiver_did(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from mailforensics.cli import main

    sample = str(SAMPLE_MAIL / "eml" / "33-dkim-expired.eml")
    args = ["analyze", sample, "--json", "--internal-domain", "example.net", "--offline", "--evidence", str(EVIDENCE)]

    def codes(*extra: str) -> set[str]:
        assert main([*args, *extra]) == 0
        (doc,) = json.loads(capsys.readouterr().out)["messages"]
        return {f["code"] for f in doc["findings"]}

    assert "dkim-expired" in codes()
    assert "dkim-expired" not in codes("--now", "delivery")
    assert "dkim-expired" in codes("--now", "2030-01-01T00:00:00")
    assert main([*args, "--now", "yesterday"]) == 2
