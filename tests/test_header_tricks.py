"""Header tricks (mailforensics.content.headers): display names, Reply-To, Return-Path,
Sender, and bidi / invisible characters in names and subjects."""

from __future__ import annotations

import base64

import pytest

from mailforensics.content import headers
from mailforensics.content.headers import hidden_characters
from mailforensics.content.lookalike import ProtectedSet
from mailforensics.message import Message


def msg(*lines: str, body: str = "hi") -> Message:
    return Message.from_bytes(("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode("utf-8"))


def codes(message: Message, **kw: object) -> list[str]:
    return [str(f.code) for f in headers.check(message, **kw)]  # type: ignore[arg-type]


def b64word(text: str) -> str:
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def test_display_name_with_an_address() -> None:
    found = headers.check(msg('From: "security@paypal.com" <alerts@evil.example>', "Subject: s"))
    assert [str(f.code) for f in found] == ["from-display-name-address", "display-name-brand"]
    assert found[0].severity == "warning"
    # The DMARC check's own finding is passed through unchanged, so one copy survives
    # an analysis that runs both (Finding equality).
    from mailforensics.auth.dmarc import author_domain

    assert found[0] in author_domain(msg('From: "security@paypal.com" <alerts@evil.example>', "Subject: s")).findings


def test_display_name_with_a_bare_domain_of_any_tld() -> None:
    # author_domain() knows .com/.net/.org bare domains; this adds every other suffix.
    assert codes(msg('From: "paypal.co.uk support" <help@evil.example>')) == [
        "from-display-name-address",
        "display-name-brand",
    ]
    assert codes(msg('From: "Kundenservice bank.de" <help@evil.example>')) == ["from-display-name-address"]


def test_display_name_showing_its_own_domain_is_fine() -> None:
    assert codes(msg('From: "news.sender.example" <news@sender.example>')) == []
    assert codes(msg('From: "Alice (sender.example)" <alice@mail.sender.example>')) == []


def test_display_name_brand() -> None:
    found = headers.check(msg('From: "PayPal Service" <service@evil.example>'))
    assert [str(f.code) for f in found] == ["display-name-brand"]
    assert "PayPal" in found[0].detail


@pytest.mark.parametrize(
    "sender",
    [
        '"PayPal" <service@paypal.com>',
        '"PayPal" <service@mail.paypal.co.uk>',
        '"Microsoft account team" <account-security-noreply@accountprotection.microsoft.com>',
        '"Chase Miller" <chase@sender.example>',  # "Chase" alone is not a configured display name
        '"Apple Crumble Bakery" <orders@bakery.example>',
    ],
)
def test_display_name_brand_negatives(sender: str) -> None:
    assert "display-name-brand" not in codes(msg(f"From: {sender}"))


def test_display_name_brand_with_hidden_and_confusable_characters() -> None:
    sneaky = b64word("Pay\u200bPal Billing")
    assert set(codes(msg(f"From: {sneaky} <b@evil.example>"))) == {"display-name-brand", "header-invisible-character"}
    confusable = b64word("Micr\u043esoft 365")  # Cyrillic о
    assert "display-name-brand" in codes(msg(f"From: {confusable} <b@evil.example>"))


def test_display_name_brand_owned_by_a_custom_set() -> None:
    from mailforensics.content.lookalike import Brand

    brand = Brand(name="Contoso", display_names=("Contoso",), domains=("contoso.example",))
    pset = ProtectedSet.build(brands=[brand])
    assert codes(msg('From: "Contoso HR" <hr@contoso.example>'), protected=pset) == []
    assert codes(msg('From: "Contoso HR" <hr@c0ntoso.example>'), protected=pset) == ["display-name-brand"]


def test_reply_to_in_another_organization() -> None:
    found = headers.check(msg("From: ceo@sender.example", "Reply-To: Boss <ceo.private@freemail.example>"))
    assert [str(f.code) for f in found] == ["reply-to-other-domain"]
    assert found[0].where == "header 1 (Reply-To)"
    assert codes(msg("From: a@sender.example", "Reply-To: b@lists.sender.example")) == []


def test_return_path_in_another_organization_is_information() -> None:
    found = headers.check(msg("Return-Path: <bounce-123@esp.example>", "From: news@sender.example"))
    assert [(str(f.code), str(f.severity)) for f in found] == [("return-path-other-domain", "info")]
    assert codes(msg("Return-Path: <>", "From: news@sender.example")) == []
    assert codes(msg("Return-Path: <b@bounces.sender.example>", "From: news@sender.example")) == []


def test_sender_mismatch() -> None:
    assert codes(msg("From: boss@sender.example", "Sender: assistant@other.example")) == ["from-sender-mismatch"]
    assert codes(msg("From: boss@sender.example", "Sender: assistant@sender.example")) == []


def test_bidi_override_in_subject() -> None:
    subject = b64word("Your invoice \u202efdp.exe")
    found = headers.check(msg("From: a@sender.example", f"Subject: {subject}"))
    assert [str(f.code) for f in found] == ["header-bidi-control"]
    assert "U+202E" in found[0].detail


def test_invisible_characters_in_subject() -> None:
    subject = b64word("Urgent: pass\u200bword re\u00adset")
    found = headers.check(msg("From: a@sender.example", f"Subject: {subject}"))
    assert [str(f.code) for f in found] == ["header-invisible-character"]
    assert "U+200B" in found[0].detail and "U+00AD" in found[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 photos",  # emoji ZWJ sequence
        "\u05e9\u05dc\u05d5\u05dd \u200f(1)",  # Hebrew with a right-to-left mark
        "\u0645\u0631\u062d\u0628\u0627 \u200c\u0627",  # Arabic with ZWNJ
        "plain subject",
    ],
)
def test_legitimate_scripts_are_not_flagged(text: str) -> None:
    assert hidden_characters(text) == ((), ())


def test_hidden_characters_examples() -> None:
    assert hidden_characters("a\u200db") == ((), ("U+200D",))
    assert hidden_characters("x\u200ey") == (("U+200E",), ())
    assert hidden_characters("tag\U000e0041") == ((), ("U+E0041",))


def test_hostile_headers_do_not_raise() -> None:
    many = ", ".join(f"u{i}@d{i}.example" for i in range(2000))
    headers.check(msg(f"From: {many}", f"Reply-To: {many}", "Subject: =?bogus?Q?=ZZ?="))
    headers.check(msg("From: =?UTF-8?B?!!!?= <@>", "Sender: <<<>>>", "Return-Path: x"))
    headers.check(Message.from_bytes(b"\xff\xfe\x00garbage"))


# --- an address written, unquoted, as the From display name ------------------------------
def test_unquoted_address_in_the_from_display_name() -> None:
    # One mailbox (the angle-addr), as mail clients read it: the display name shows
    # another domain, and the unquoted "@" is a syntax defect.
    found = headers.check(msg("From: billing@supplier.example <no-reply@agency.example>", "Subject: s"))
    assert [str(f.code) for f in found] == ["message-header-syntax", "from-display-name-address"]
    assert "agency.example" in found[1].detail and "supplier.example" in found[1].detail


def test_reply_to_imitating_the_domain_the_display_name_shows() -> None:
    # The real From domain is somebody else's; replies go to a one-letter variant of the
    # domain the reader sees (capital I for l).
    found = headers.check(
        msg(
            "From: purchasing@aquillaindustries.example <do-not-reply@agency.example>",
            "Reply-To: purchasing@aquiIlaindustries.example",
            "Subject: quotation",
        )
    )
    assert [str(f.code) for f in found] == [
        "message-header-syntax",
        "from-display-name-address",
        "reply-to-other-domain",
        "lookalike-domain",
    ]
    lookalike = found[3]
    assert lookalike.severity == "warning" and lookalike.where.endswith("(Reply-To)")
    assert "aquillaindustries.example" in lookalike.detail and "display name" in lookalike.detail


def test_reply_to_with_a_character_trick_on_the_from_domain() -> None:
    found = headers.check(msg("From: ceo@contoso.example", "Reply-To: ceo@c0ntoso.example"))
    assert [str(f.code) for f in found] == ["reply-to-other-domain", "lookalike-domain"]
    assert "the From domain" in found[1].detail


@pytest.mark.parametrize(
    "reply_to",
    [
        "help@contoso-support.example",  # the organization's own name in another domain: usual
        "help@contoso.org",  # the same name under another suffix: usual too
        "help@lists.example.org",
    ],
)
def test_reply_to_elsewhere_without_a_character_trick(reply_to: str) -> None:
    assert codes(msg("From: ceo@contoso.example", f"Reply-To: {reply_to}")) == ["reply-to-other-domain"]


def test_reply_to_read_as_a_mail_client_reads_it() -> None:
    # The reply goes to the angle-addr, in the From domain: the name is only a name.
    assert codes(msg("From: ann@example.com", "Reply-To: desk@example.org <help@example.com>")) == []
    assert codes(msg("From: ann@example.com", "Reply-To: help@example.com <desk@example.org>")) == [
        "reply-to-other-domain"
    ]


def test_from_field_findings_need_no_dns() -> None:
    # author_domain's findings come with the header checks, so a scan without DNS checks
    # (and so without the DMARC check) still reports them.
    assert codes(msg("From: a@example.com, b@example.org")) == ["from-multiple"]
    assert codes(msg("To: a@example.com", "Subject: no author")) == ["from-missing"]
