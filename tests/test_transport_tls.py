"""Per-hop transport security from the Received headers, and the clear-text findings."""

from __future__ import annotations

from mailforensics.context import Config, Context
from mailforensics.findings import Severity
from mailforensics.path import Path, build_path
from mailforensics.received import parse_received
from mailforensics.transport.tls import CLEARTEXT_CODE, cleartext_findings, hop_transport

DATE = "Tue, 02 Jan 2024 10:00:{:02d} +0000"


def path_of(*headers: str, trusted: tuple[str, ...] = ()) -> Path:
    """A path from Received values, top (newest) first, like a message's header block."""
    hops = [parse_received(h.format(DATE.format(i))) for i, h in zip(range(len(headers), 0, -1), headers, strict=True)]
    return build_path(hops, ctx=Context(config=Config(trusted_networks=trusted)))


# The recipient example.net: store <- mx (its own, trusted 198.51.100.0/24) <- the internet.
TOP = "from mx.example.net (mx.example.net [198.51.100.5]) by store.example.net (Postfix) with ESMTP id A; {}"
ENTRY_TLS = (
    "from out.example.org (out.example.org [203.0.113.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
    "(256/256 bits)) by mx.example.net (Postfix) with ESMTPS id B; {}"
)
ENTRY_PLAIN = "from out.example.org (out.example.org [203.0.113.7]) by mx.example.net (Postfix) with ESMTP id B; {}"
SENDER_INTERNAL = "from laptop (unknown [10.0.0.5]) by out.example.org with ESMTP id C; {}"
SENDER_RELAY = "from relay.example.org (relay.example.org [203.0.113.9]) by out.example.org with SMTP id D; {}"
OWN = ("198.51.100.0/24",)


def test_encrypted_entry_gives_no_finding_and_shows_the_cipher() -> None:
    path = path_of(TOP, ENTRY_TLS, SENDER_INTERNAL, trusted=OWN)
    assert path.boundary_hop == 2
    hops = hop_transport(path)
    assert [h.number for h in hops] == [1, 2, 3]
    entry = hops[1]
    assert (entry.encryption, entry.tls_version, entry.tls_cipher, entry.tls_bits) == (
        "tls", "TLSv1.3", "TLS_AES_256_GCM_SHA384", 256,
    )  # fmt: skip
    assert entry.summary == "TLSv1.3 TLS_AES_256_GCM_SHA384 (256 bits)"
    assert entry.network == "public" and entry.external and entry.trusted_record
    assert (entry.from_host, entry.from_ip, entry.by_host, entry.protocol) == (
        "out.example.org", "203.0.113.7", "mx.example.net", "ESMTPS",
    )  # fmt: skip
    # the sender's internal hop: private client, clear text, but never on the internet
    assert hops[0].encryption == "cleartext" and hops[0].network == "private" and hops[0].summary == "clear text"
    # the recipient's own hop: public client, receiver address unknown, inside the boundary
    assert hops[2].network == "unknown" and not hops[2].external
    assert cleartext_findings(path) == ()


def test_cleartext_entry_from_the_internet_is_a_warning() -> None:
    path = path_of(TOP, ENTRY_PLAIN, SENDER_INTERNAL, trusted=OWN)
    (finding,) = cleartext_findings(path)
    assert finding.code == CLEARTEXT_CODE and finding.severity == Severity.WARNING
    assert finding.where == "hop 2"
    assert "out.example.org [203.0.113.7]" in finding.detail and "mx.example.net" in finding.detail
    assert "with ESMTP" in finding.detail and "clear text" in finding.detail
    assert dict(finding.evidence)["protocol"] == "ESMTP"
    assert cleartext_findings(path.hops) == (finding,)  # the hops alone do as well


def test_cleartext_below_the_boundary_is_a_claim() -> None:
    path = path_of(TOP, ENTRY_TLS, SENDER_RELAY, trusted=OWN)
    (finding,) = cleartext_findings(path)
    assert finding.where == "hop 1" and finding.severity == Severity.NOTICE
    assert "claim" in finding.detail and "with SMTP" in finding.detail


def test_between_public_addresses_inside_the_boundary() -> None:
    """The recipient's own relays, both on public addresses, talking in clear text."""
    inner = "from a.example.net ([198.51.100.8]) by b.example.net ([198.51.100.9]) with ESMTP id E; {}"
    path = path_of(inner, ENTRY_TLS, trusted=OWN)
    assert not path.hops[1].external
    (finding,) = cleartext_findings(path)
    assert finding.where == "hop 2" and "[198.51.100.9]" in finding.detail


def test_private_loopback_and_unknown_hops_give_nothing() -> None:
    local = "by store.example.net with local id F; {}"
    loopback = "from localhost (localhost [127.0.0.1]) by store.example.net with ESMTP id G; {}"
    private = "from a.internal (a.internal [192.168.1.2]) by b.internal ([192.168.1.3]) with ESMTP id H; {}"
    mapi = "from ex1.example.net (10.1.1.1) by ex2.example.net (10.1.1.2) with MAPI id 15.1; {}"
    path = path_of(local, loopback, private, mapi, ENTRY_TLS)
    kinds = {h.number: (h.encryption, h.network) for h in hop_transport(path)}
    assert kinds[5] == ("unknown", "unknown")  # local delivery: TLS not stated
    assert kinds[4] == ("cleartext", "private")  # loopback
    assert kinds[3] == ("cleartext", "private")
    assert kinds[2][1] == "private"
    assert cleartext_findings(path) == ()


def test_unknown_tls_on_an_external_hop_gives_nothing() -> None:
    webmail = "from [203.0.113.50] by mx.example.net with HTTP-like-thing id I; {}"
    path = path_of(webmail)
    assert hop_transport(path)[0].encryption == "unknown"
    assert cleartext_findings(path) == ()


def test_empty_path() -> None:
    path = build_path([])
    assert hop_transport(path) == () and cleartext_findings(path) == ()
