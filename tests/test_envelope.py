"""Envelope reconstruction: each field with its source and confidence; conflicts."""

from __future__ import annotations

from mailforensics.context import Context
from mailforensics.envelope import reconstruct as envelope
from mailforensics.findings import FindingCode
from mailforensics.message import Message
from mailforensics.path import reconstruct as path

TOP = (
    "Return-Path: <bounce+123@mail.example.org>\n"
    "Delivered-To: bob@example.net\n"
    "X-Original-To: bob@example.net\n"
    "Received: from mx1.example.net by store.example.net (Dovecot) with LMTP id abc"
    " (envelope-from <bounce+123@mail.example.org>) for <bob@example.net>; Tue, 02 Jan 2024 10:00:09 +0000\n"
    "Received-SPF: pass (mx1.example.net: domain of mail.example.org designates 203.0.113.5 as permitted"
    ' sender) client-ip=203.0.113.5; envelope-from="bounce+123@mail.example.org"; helo=mail.example.org;\n'
    "Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=bounce+123@mail.example.org"
    " smtp.helo=mail.example.org\n"
    "Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net (Postfix)"
    " with ESMTPS id 4T1 for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\n"
    "Received: from [192.168.1.20] (unknown [192.168.1.20]) by mail.example.org with ESMTPSA id 9Z"
    " (envelope-from <forged@example.com>) for <someone@example.com>; Tue, 02 Jan 2024 10:00:00 +0000\n"
    "From: a@example.org\nTo: bob@example.net\nSubject: t\n\nbody\n"
)


def run(text: str):  # type: ignore[no-untyped-def]
    m = Message.from_bytes(text.encode())
    return envelope(m, path(m, ctx=Context()))


def test_fields_sources_and_confidence() -> None:
    env = run(TOP)
    assert env.mail_from == "bounce+123@mail.example.org"
    assert env.rcpt_to == ("bob@example.net",)
    assert env.helo == "mail.example.org"
    assert env.client_ip == "203.0.113.5"
    rows = {(f.field, f.source, f.confidence, f.value) for f in env.fields}
    assert ("mail_from", "Return-Path (header 0)", "high", "bounce+123@mail.example.org") in rows
    assert ("mail_from", "Received-SPF (header 4)", "medium", "bounce+123@mail.example.org") in rows
    assert ("client_ip", "Received-SPF (header 4)", "medium", "203.0.113.5") in rows
    assert ("helo", "Authentication-Results smtp.helo (header 5)", "medium", "mail.example.org") in rows
    assert ("client_ip", "Received hop 2 from (client address) (header 6)", "high", "203.0.113.5") in rows
    # below the boundary: a claim, low confidence, and it does not cause a conflict
    assert ("mail_from", "Received hop 1 envelope-from (header 7)", "low", "forged@example.com") in rows
    assert ("rcpt_to", "Received hop 1 for (header 7)", "low", "someone@example.com") in rows
    assert env.findings == ()


def test_return_path_conflict_with_trusted_envelope_from() -> None:
    env = run(TOP.replace("Return-Path: <bounce+123@mail.example.org>", "Return-Path: <other@example.com>"))
    codes = [f.code for f in env.findings]
    assert FindingCode.ENVELOPE_FROM_CONFLICT in codes
    conflict = next(f for f in env.findings if f.code == FindingCode.ENVELOPE_FROM_CONFLICT)
    assert "other@example.com" in conflict.detail and "Return-Path" in conflict.detail


def test_rcpt_conflict_and_null_sender() -> None:
    edited = run(TOP.replace("X-Original-To: bob@example.net", "X-Original-To: ceo@example.net"))
    conflicts = [f for f in edited.findings if f.code == FindingCode.ENVELOPE_RCPT_CONFLICT]
    assert [f.severity for f in conflicts] == ["warning"] and "ceo@example.net" in conflicts[0].detail
    aliased = run(
        TOP.replace("Delivered-To: bob@example.net", "Delivered-To: robert@example.net").replace(
            "X-Original-To: bob@example.net\n", ""
        )
    )
    conflicts = [f for f in aliased.findings if f.code == FindingCode.ENVELOPE_RCPT_CONFLICT]
    assert [f.severity for f in conflicts] == ["info"] and "alias" in conflicts[0].detail
    bounce = run(
        "Return-Path: <>\nReceived: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net"
        " with ESMTP id 1; Tue, 02 Jan 2024 10:00:05 +0000\nFrom: MAILER-DAEMON@example.org\n\nx\n"
    )
    assert bounce.mail_from == ""
    assert FindingCode.ENVELOPE_NULL_SENDER in [f.code for f in bounce.findings]


def test_ip_and_helo_conflicts() -> None:
    env = run(TOP.replace("client-ip=203.0.113.5", "client-ip=198.51.100.99").replace(
        "helo=mail.example.org;", "helo=other.example.org;"))  # fmt: skip
    codes = {f.code for f in env.findings}
    assert {FindingCode.ENVELOPE_IP_CONFLICT, FindingCode.ENVELOPE_HELO_CONFLICT} <= codes


def test_multiple_return_paths() -> None:
    env = run("Return-Path: <a@example.org>\n" + TOP)
    assert FindingCode.ENVELOPE_MULTIPLE_RETURN_PATH in [f.code for f in env.findings]


def test_a_claimed_client_ip_that_is_no_address_is_kept_but_never_used() -> None:
    # Found by mutation fuzzing: a mangled Received-SPF client-ip became the envelope's
    # address, and SPF's check_host() (which takes an IP) raised out of mf.analyze.
    import mailforensics as mf
    from mailforensics.resolvers import ZoneResolver

    text = (
        "Received: from mx1.example.net by store.example.net with LMTP id abc; Tue, 02 Jan 2024 10:00:09 +0000\n"
        "Received-SPF: pass (mx1.example.net) client-ip=198.51.100.Content-Type:; envelope-from=a@example.org;"
        " helo=mail.example.org;\n"
        "Received-SPF: pass (mx1.example.net) client-ip=[IPv6:2001:DB8::5]; envelope-from=a@example.org;\n"
        "From: a@example.org\nTo: bob@example.net\nSubject: t\n\nbody\n"
    )
    env = run(text)
    values = [f.value for f in env.fields if f.field == "client_ip"]
    assert values == ["198.51.100.Content-Type:", "[IPv6:2001:DB8::5]"]  # what the message says
    assert env.client_ip == "2001:db8::5"  # the first that is an address, canonical
    only_bad = run(text.replace("client-ip=[IPv6:2001:DB8::5]", "client-ip=1"))
    assert only_bad.client_ip is None
    a = mf.analyze(
        Message.from_bytes(text.replace("client-ip=[IPv6:2001:DB8::5]", "client-ip=1").encode()),
        ctx=mf.Context(resolver=ZoneResolver.from_text("")),
    )
    assert a.verification is not None and a.verification.spf_mailfrom is None


def test_addresses_are_dug_out_of_mailto_links_and_junk() -> None:
    # A path and delivery fields pasted through a mail client that turned addresses into
    # links, and Received 'for' clauses cut at the first '>'.
    text = (
        "Return-Path: <lists-admin@lists.example.org <mailto:lists-admin@lists.example.org>>\n"
        "Delivered-To: reader@example.net <mailto:reader@example.net>\n"
        "Received: from mx1.example.net by store.example.net with LMTP id a1"
        " for <reader@example.net <mailto:reader@example.net>>; Tue, 02 Jan 2024 10:00:09 +0000\n"
        "Received: from lists.example.org (lists.example.org [203.0.113.5]) by mx1.example.net with ESMTP"
        " id b2 for <reader@example.net <mailto:reader@example.net>>; Tue, 02 Jan 2024 10:00:05 +0000\n"
        "From: a@example.org\nSubject: t\n\nbody\n"
    )
    env = run(text)
    assert env.mail_from == "lists-admin@lists.example.org"
    assert env.rcpt_to == ("reader@example.net",)
    assert not [f for f in env.findings if f.code == FindingCode.ENVELOPE_RCPT_CONFLICT]
    rp = next(f for f in env.fields if f.source.startswith("Return-Path"))
    assert rp.raw == "<lists-admin@lists.example.org <mailto:lists-admin@lists.example.org>>"
    assert all(f.raw is None for f in run(TOP).fields)  # clean values: nothing to keep


def test_ezmlm_moderator_delivered_to_and_other_odd_forms() -> None:
    env = run(
        "Delivered-To: moderator for announce@lists.example.org\n"
        "Return-Path: <@relay.example.net:owner@example.org>\n"
        "From: a@example.org\nSubject: t\n\nbody\n"
    )
    by_field = {f.field: f for f in env.fields}
    assert by_field["rcpt_to"].value == "announce@lists.example.org"
    assert by_field["rcpt_to"].raw == "moderator for announce@lists.example.org"
    assert env.mail_from == "owner@example.org"  # a source route (RFC 5321 §4.1.2 A-d-l) dropped
    assert run("Return-Path: <MAILER-DAEMON>\nFrom: a@example.org\n\nx\n").mail_from == "MAILER-DAEMON"
    assert run("Return-Path: < >\nFrom: a@example.org\n\nx\n").mail_from == ""


# --------------------------------------------------------------------------- BSMTP envelope


def bsmtp(text: str, helo: str | None, mail_from: str | None, *rcpt: str):  # type: ignore[no-untyped-def]
    from mailforensics.message import SourceEnvelope

    recorded = SourceEnvelope(helo=helo, mail_from=mail_from, rcpt_to=rcpt)
    m = Message.from_bytes(text.encode(), origin="b#0", source_format="bsmtp", source_envelope=recorded)
    return envelope(m, path(m, ctx=Context()))


def test_bsmtp_commands_are_high_confidence_envelope_facts() -> None:
    env = bsmtp(
        "From: x@example.org\nSubject: s\n\nb\n", "relay.example.org", "<a@example.org> SIZE=99", "<b@example.net>"
    )
    rows = [(f.field, f.value, f.source, f.confidence, f.raw) for f in env.fields]
    assert rows == [
        ("mail_from", "a@example.org", "BSMTP envelope", "high", "<a@example.org> SIZE=99"),
        ("rcpt_to", "b@example.net", "BSMTP envelope", "high", None),
        ("helo", "relay.example.org", "BSMTP envelope", "high", None),
    ]
    assert (env.mail_from, env.rcpt_to, env.helo, env.client_ip) == (
        "a@example.org", ("b@example.net",), "relay.example.org", None)  # fmt: skip
    null = bsmtp("Subject: s\n\nb\n", None, "<>", "<b@example.net>")
    assert null.mail_from == "" and FindingCode.ENVELOPE_NULL_SENDER in [f.code for f in null.findings]


def test_bsmtp_envelope_beside_a_received_chain() -> None:
    # The batch file was written by the newest transfer: its HELO is that relay's own and
    # its RCPT TO may be after alias expansion, so neither conflicts with the header
    # evidence; the boundary hop's HELO (which pairs with the client address) stays the
    # envelope's. A different MAIL FROM is a conflict.
    env = bsmtp(TOP, "store.example.net", "<bounce+123@mail.example.org>", "<robert@example.net>")
    assert env.helo == "mail.example.org" and env.client_ip == "203.0.113.5"
    assert env.mail_from == "bounce+123@mail.example.org"
    assert env.findings == ()
    forged = bsmtp(TOP, "store.example.net", "<other@example.com>", "<bob@example.net>")
    assert FindingCode.ENVELOPE_FROM_CONFLICT in [f.code for f in forged.findings]
    assert forged.mail_from == "other@example.com"  # the command itself comes first


def test_bsmtp_file_from_spamassassins_corpus_shape() -> None:
    import mailforensics as mf

    stream = (
        b"HELO example.com\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<somebody@example.com>\r\nDATA\r\n"
        b"From sender@example.org  Fri Aug 31 13:39:16 2001\r\n"
        b"To: victim@example.net\r\nFrom: renter@example.org\r\nDate: Wed, 29 Aug 2001 04:20:43 -0800\r\n"
        b"Subject: foo\r\n\r\n..dotted\r\n.\r\nQUIT\r\n"
    )
    (m,) = mf.iter_messages(stream)
    t = mf.trace(m)
    codes = {f.code for f in t.all_findings}
    assert not codes & {FindingCode.MESSAGE_NOT_RFC5322, FindingCode.DATE_MISSING, FindingCode.FROM_MISSING}
    assert m.body == b".dotted\r\n"
    rows = t.envelope.to_dict("records")
    assert {(r["field"], r["value"], r["source"], r["confidence"]) for r in rows} == {
        ("mail_from", "sender@example.org", "BSMTP envelope", "high"),
        ("rcpt_to", "somebody@example.com", "BSMTP envelope", "high"),
        ("helo", "example.com", "BSMTP envelope", "high"),
    }


# --------------------------------------------------------------------------- webmail client address

# A message from a webmail service: the service's submission hop, its relay, and our MX
# (the trust boundary, header 1).
WEBMAIL = (
    "Received: from mx1.example.net by store.example.net with LMTP id a1; Tue, 02 Jan 2024 10:00:09 +0000\n"
    "Received: from out.webmail.example (out.webmail.example [203.0.113.9]) by mx1.example.net"
    " with ESMTPS id b2; Tue, 02 Jan 2024 10:00:05 +0000\n"
    "X-Originating-IP: [198.51.100.23]\n"
    "Received: from [10.1.2.3] by web1.webmail.example with HTTP; Tue, 02 Jan 2024 10:00:01 +0000\n"
    "From: a@webmail.example\nTo: bob@example.net\nSubject: t\n\nbody\n"
)


def test_webmail_client_address_below_the_boundary_is_a_claim() -> None:
    env = run(WEBMAIL)
    (row,) = [f for f in env.fields if f.field == "submitter_ip"]
    assert (row.value, row.source, row.confidence, row.raw) == (
        "198.51.100.23", "X-Originating-IP (header 2)", "low", "[198.51.100.23]")  # fmt: skip
    assert env.submitter_ip == "198.51.100.23"
    assert env.client_ip == "203.0.113.9"  # the originating IP is still the relay's
    assert FindingCode.ENVELOPE_SUBMITTER_IP not in [f.code for f in env.findings]


def test_webmail_client_address_written_inside_the_trust_boundary() -> None:
    # Our own webmail (or a provider whose relays we trust) wrote it: above the boundary.
    ctx = Context(config=__import__("mailforensics").Config(trusted_networks=("203.0.113.0/24",)))
    m = Message.from_bytes(WEBMAIL.encode())
    env = envelope(m, path(m, ctx=ctx))
    (row,) = [f for f in env.fields if f.field == "submitter_ip"]
    assert row.confidence == "medium"
    (finding,) = [f for f in env.findings if f.code == FindingCode.ENVELOPE_SUBMITTER_IP]
    assert finding.severity == "info" and "198.51.100.23" in finding.detail
    assert finding.evidence == (("X-Originating-IP (header 2)", "[198.51.100.23]"),)


def test_webmail_client_address_forms_and_hostile_values() -> None:
    top = "Received: from a.example (a.example [203.0.113.9]) by mx1.example.net; Tue, 02 Jan 2024 10:00:05 +0000\n"
    tail = "From: a@example.org\nSubject: t\n\nb\n"

    def submitters(*lines: str) -> list[tuple[str, str, str]]:
        env = run("".join(f"{line}\n" for line in lines) + top + tail)
        return [(f.value, f.source, f.confidence) for f in env.fields if f.field == "submitter_ip"]

    assert submitters("x-originating-ip: [IPv6:2001:DB8::7]", "X-Yahoo-Post-IP: 198.51.100.8") == [
        ("2001:db8::7", "X-Originating-IP (header 0)", "medium"),
        ("198.51.100.8", "X-Yahoo-Post-IP (header 1)", "medium"),
    ]
    hostile = (
        "X-Originating-IP: [evil.example]", "X-Originating-IP: 198.51.100.1; rm -rf /",
        "X-Originating-IP: " + "1" * 5000,
        "X-Originating-IP: [198.51.100.3]" + " " * 60 + "and more",
        "X-Originating-IP:", "X-Originating-IP: [999.1.1.1]",
        "X-Sender-IP: 198.51.100.2",  # not a field whose writer is known: not read
    )  # fmt: skip
    assert submitters(*hostile) == []
    # Trusted but private, or the SMTP client a receiver recorded (Prodigy did): no finding.
    for value in ("[10.0.0.5]", "[203.0.113.9]"):
        env = run(f"X-Originating-IP: {value}\n" + top + tail)
        assert env.submitter_ip is not None
        assert FindingCode.ENVELOPE_SUBMITTER_IP not in [f.code for f in env.findings]
    env = run("X-Originating-IP: [198.51.100.1]\n" + top + tail)
    assert FindingCode.ENVELOPE_SUBMITTER_IP in [f.code for f in env.findings]


def test_submitter_ip_rows_in_the_envelope_frame() -> None:
    from mailforensics import frames

    env = run(WEBMAIL)
    frame = frames.envelope_frame(env)
    assert list(frame.columns) == ["field", "value", "source", "confidence"]
    assert frame[frame.field == "submitter_ip"].value.tolist() == ["198.51.100.23"]
