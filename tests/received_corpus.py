"""Real-world-shaped ``Received`` header values and the :class:`Hop` each one *means*.

Every shape follows what the MTA really writes (its source or documented format):
Postfix ``smtpd`` (``from HELO (RDNS [IP])``, ``using ... with cipher ...``,
``Authenticated sender:``, pickup's ``(Postfix, from userid N)``); sendmail's
``cf/m4/proto.m4`` Received template (``$_`` TCP-info with RFC 1413 ident and
``(may be forged)``, ``(authenticated bits=N)``, ``(version=... verify=...)``); Exim's
``received_header_text`` and ``host_build_sender_fullhost`` (``RDNS ([IP]:port
helo=H)``, ``[IP] (port=N helo=H)``, ``from IDENT ... with local``); qmail's
``received.c`` (``from RDNS (HELO H) (INFO@IP)``, ``-0000`` dates without a weekday);
OpenSMTPD ``smtp_session.c`` (``(RDNS IPv6:...)`` without brackets, ``<unknown>``,
``(TLSv1.3:cipher:bits:verify)``, ``auth=yes user=X``); Dovecot ``lmtp`` (``with LMTP id
X (envelope-from <a>)``); Haraka ``received_line`` (``envelope-from <a> tls CIPHER``).
Older shapes, cross-checked against the expectations of an independent parser's test
suite: Exim 3 (``from RDNS (HELO) [IP.port] (IDENT)``, ``asmtp``), IIS SMTPSVC (``[IP]
RDNS failed``, ``[IP] unverified``, no from-word), CommuniGate (``account USER HELO H``,
``[IP] verified``), qmail-ldap ``envelope-sender``, XMail, ecelerity, Obtuse smtpd, NAVGW.

Only documentation addresses (RFC 5737, RFC 3849), private/loopback/link-local addresses
and example domains are used; a few provider host names (``mx.google.com``,
``*.outlook.com``, ``*.amazonses.com``) are kept as strings because their shape matters.

Expectations list only the fields that are not ``None``; the test compares against a
full dict in which every other field must be ``None`` (and ``parsed`` ``True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Prefix:
    """A free-text ``software`` value judged loosely: it must start with ``text``."""

    text: str

    def matches(self, value: object) -> bool:
        return isinstance(value, str) and value.startswith(self.text)


@dataclass(frozen=True)
class OneOf:
    """A free-text ``software`` value judged loosely: any of ``options``."""

    options: tuple[str, ...]

    def matches(self, value: object) -> bool:
        return value in self.options


@dataclass(frozen=True)
class Case:
    """One header value, its dialect, and the non-None Hop fields it means."""

    name: str
    dialect: str
    header: str
    expect: dict[str, Any]


def T(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


POSTFIX_TLS13 = (
    "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
    "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
    "\t(No client certificate requested)"
)

CASES: list[Case] = [
    # ------------------------------------------------------------------ Postfix ----
    Case(
        "postfix-tls13-for",
        "Postfix",
        "from mail.example.org (mail.example.org [192.0.2.25])\r\n\t" + POSTFIX_TLS13 + "\r\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2DezZ1\r\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 10:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.25",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="4TBb1c2DezZ1",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "postfix-tls12-helo-differs-from-rdns",
        "Postfix",
        "from smtp.example.org (mail-out-7.example.org [198.51.100.7])\n"
        "\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\n"
        "\t(Client did not present a certificate)\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2DezZ2\n"
        "\tfor <carol@example.net>; Fri, 12 Jan 2024 11:30:05 +0100 (CET)",
        dict(
            from_helo="smtp.example.org",
            from_rdns="mail-out-7.example.org",
            from_ip="198.51.100.7",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            queue_id="4TBb1c2DezZ2",
            envelope_for="carol@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 30, 5),
        ),
    ),
    Case(
        "postfix-unknown-rdns",
        "Postfix",
        "from mail.example.org (unknown [203.0.113.45])\n"
        "\tby mx.example.net (Postfix) with ESMTP id 4TBb1c2DezZ3\n"
        "\tfor <bob@example.net>; Sat, 13 Jan 2024 08:15:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_ip="203.0.113.45",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2DezZ3",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 13, 8, 15),
        ),
    ),
    Case(
        "postfix-no-helo-no-rdns",
        "Postfix",
        "from unknown (unknown [203.0.113.46])\n"
        "\tby mx.example.net (Postfix) with SMTP id 4TBb1c2DezZ4; Sat, 13 Jan 2024 08:16:00 +0000 (UTC)",
        dict(
            from_ip="203.0.113.46",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            queue_id="4TBb1c2DezZ4",
            software="Postfix",
            timestamp=T(2024, 1, 13, 8, 16),
        ),
    ),
    Case(
        "postfix-ipv6-literal",
        "Postfix",
        "from mail6.example.org (mail6.example.org [IPv6:2001:db8:1234::25])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)\n"
        "\t key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256)\n"
        "\t(No client certificate requested)\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2DezZ5\n"
        "\tfor <bob@example.net>; Sun, 14 Jan 2024 23:59:59 -0800 (PST)",
        dict(
            from_helo="mail6.example.org",
            from_rdns="mail6.example.org",
            from_ip="2001:db8:1234::25",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_128_GCM_SHA256",
            tls_bits=128,
            queue_id="4TBb1c2DezZ5",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 15, 7, 59, 59),
        ),
    ),
    Case(
        "postfix-submission-authenticated-sender",
        "Postfix",
        "from [192.168.1.10] (unknown [203.0.113.7])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
        "\t key-exchange X25519 server-signature RSA-PSS (4096 bits) server-digest SHA256)\n"
        "\t(No client certificate requested)\n"
        "\t(Authenticated sender: alice@example.com)\n"
        "\tby smtp.example.com (Postfix) with ESMTPSA id 4TBb1c2DezZ6;\n"
        "\tMon, 15 Jan 2024 09:00:00 +0100 (CET)",
        dict(
            from_helo="[192.168.1.10]",
            from_ip="203.0.113.7",
            by_host="smtp.example.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            auth="alice@example.com",
            queue_id="4TBb1c2DezZ6",
            software="Postfix",
            timestamp=T(2024, 1, 15, 8, 0),
        ),
    ),
    Case(
        "postfix-pickup-from-userid",
        "Postfix",
        "by mail.example.com (Postfix, from userid 1000)\n\tid 4TBb1c2DezZ7; Mon, 15 Jan 2024 09:01:00 +0100 (CET)",
        dict(
            by_host="mail.example.com",
            ident="userid 1000",
            queue_id="4TBb1c2DezZ7",
            software="Postfix",
            timestamp=T(2024, 1, 15, 8, 1),
        ),
    ),
    Case(
        "postfix-localhost-content-filter-reinject",
        "Postfix",
        "from localhost (localhost [127.0.0.1])\n"
        "\tby mail.example.com (Postfix) with ESMTP id 4TBb1c2DezZ8\n"
        "\tfor <bob@example.com>; Mon, 15 Jan 2024 09:02:00 +0100 (CET)",
        dict(
            from_helo="localhost",
            from_rdns="localhost",
            from_ip="127.0.0.1",
            by_host="mail.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2DezZ8",
            envelope_for="bob@example.com",
            software="Postfix",
            timestamp=T(2024, 1, 15, 8, 2),
        ),
    ),
    Case(
        "postfix-client-cert-verified",
        "Postfix",
        "from mail.example.org (mail.example.org [192.0.2.26])\n"
        "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits))\n"
        '\t(Client CN "mail.example.org", Issuer "Example CA" (verified OK))\n'
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2DezZ9\n"
        "\tfor <dave@example.net>; Tue, 16 Jan 2024 14:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.26",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES128-GCM-SHA256",
            tls_bits=128,
            queue_id="4TBb1c2DezZ9",
            envelope_for="dave@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 16, 14, 0),
        ),
    ),
    Case(
        "postfix-utf8smtps",
        "Postfix",
        "from mail.example.org (mail.example.org [192.0.2.27])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n"
        "\tby mx.example.net (Postfix) with UTF8SMTPS id 4TBb1c2Dez10\n"
        "\tfor <jose@example.net>; Tue, 16 Jan 2024 14:05:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.27",
            by_host="mx.example.net",
            protocol="UTF8SMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="4TBb1c2Dez10",
            envelope_for="jose@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 16, 14, 5),
        ),
    ),
    Case(
        "postfix-submission-plain-login-name",
        "Postfix",
        "from [10.0.0.15] (unknown [10.0.0.15])\n"
        "\t(Authenticated sender: alice)\n"
        "\tby smtp.example.com (Postfix) with ESMTPA id 4TBb1c2Dez11;\n"
        "\tTue, 16 Jan 2024 15:00:00 +0000 (UTC)",
        dict(
            from_helo="[10.0.0.15]",
            from_ip="10.0.0.15",
            by_host="smtp.example.com",
            protocol="ESMTPA",
            tls=False,
            auth="alice",
            queue_id="4TBb1c2Dez11",
            software="Postfix",
            timestamp=T(2024, 1, 16, 15, 0),
        ),
    ),
    Case(
        "postfix-receiving-from-amazonses",
        "Postfix",
        "from a8-30.smtp-out.amazonses.com (a8-30.smtp-out.amazonses.com [198.51.100.30])\n"
        "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits))\n"
        "\t(No client certificate requested)\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2Dez12\n"
        "\tfor <bob@example.net>; Wed, 17 Jan 2024 16:00:00 +0000 (UTC)",
        dict(
            from_helo="a8-30.smtp-out.amazonses.com",
            from_rdns="a8-30.smtp-out.amazonses.com",
            from_ip="198.51.100.30",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES128-GCM-SHA256",
            tls_bits=128,
            queue_id="4TBb1c2Dez12",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 17, 16, 0),
        ),
    ),
    Case(
        "postfix-pickup-root-short-queue-id",
        "Postfix",
        "by host.example.com (Postfix, from userid 0)\n\tid 3F2A1B4C5D; Wed, 17 Jan 2024 16:01:00 +0000 (UTC)",
        dict(
            by_host="host.example.com",
            ident="userid 0",
            queue_id="3F2A1B4C5D",
            software="Postfix",
            timestamp=T(2024, 1, 17, 16, 1),
        ),
    ),
    Case(
        "postfix-ipv6-non-canonical-unknown",
        "Postfix",
        "from mail.example.org (unknown [IPv6:2001:DB8:0:0:0:0:0:26])\n"
        "\tby mx.example.net (Postfix) with ESMTP id 4TBb1c2Dez14; Wed, 17 Jan 2024 16:02:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_ip="2001:db8::26",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2Dez14",
            software="Postfix",
            timestamp=T(2024, 1, 17, 16, 2),
        ),
    ),
    # ----------------------------------------------------------------- Sendmail ----
    Case(
        "sendmail-tls13",
        "Sendmail",
        "from client.example.org (client.example.org [192.0.2.40])\n"
        "\tby mx.example.net (8.17.1/8.17.1) with ESMTPS id 40CA0b2c012345\n"
        "\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:00:00 -0500",
        dict(
            from_helo="client.example.org",
            from_rdns="client.example.org",
            from_ip="192.0.2.40",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="40CA0b2c012345",
            envelope_for="bob@example.net",
            software="8.17.1/8.17.1",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "sendmail-may-be-forged",
        "Sendmail",
        "from helo.example.org (rdns.example.net [198.51.100.8] (may be forged))\n"
        "\tby mx.example.net (8.15.2/8.15.2) with ESMTP id 40CA0b2c012346\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:01:00 -0500",
        dict(
            from_helo="helo.example.org",
            from_rdns="rdns.example.net",
            from_ip="198.51.100.8",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="40CA0b2c012346",
            envelope_for="bob@example.net",
            software="8.15.2/8.15.2",
            timestamp=T(2024, 1, 12, 10, 1),
        ),
    ),
    Case(
        "sendmail-rfc1413-ident",
        "Sendmail",
        "from client.example.org (alice@client.example.org [192.0.2.41])\n"
        "\tby mx.example.net (8.14.7/8.14.7) with ESMTP id 40CA0b2c012347\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:02:00 -0500",
        dict(
            from_helo="client.example.org",
            from_rdns="client.example.org",
            from_ip="192.0.2.41",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            ident="alice",
            queue_id="40CA0b2c012347",
            envelope_for="bob@example.net",
            software="8.14.7/8.14.7",
            timestamp=T(2024, 1, 12, 10, 2),
        ),
    ),
    Case(
        "sendmail-local-submit",
        "Sendmail",
        "(from alice@localhost)\n\tby host.example.com (8.15.2/8.15.2/Submit) id 40CA0b2c012348;\n"
        "\tFri, 12 Jan 2024 05:03:00 -0500",
        dict(
            by_host="host.example.com",
            ident="alice",
            queue_id="40CA0b2c012348",
            software="8.15.2/8.15.2/Submit",
            timestamp=T(2024, 1, 12, 10, 3),
        ),
    ),
    Case(
        "sendmail-authenticated-bits",
        "Sendmail",
        "from [192.168.1.10] ([203.0.113.8])\n"
        "\t(authenticated bits=0)\n"
        "\tby smtp.example.com (8.14.7/8.14.7) with ESMTPSA id 40CA0b2c012349\n"
        "\t(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO)\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:04:00 -0500",
        dict(
            from_helo="[192.168.1.10]",
            from_ip="203.0.113.8",
            by_host="smtp.example.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            auth="authenticated bits=0",
            queue_id="40CA0b2c012349",
            envelope_for="bob@example.net",
            software="8.14.7/8.14.7",
            timestamp=T(2024, 1, 12, 10, 4),
        ),
    ),
    Case(
        "sendmail-ipv6",
        "Sendmail",
        "from mail.example.org (mail.example.org [IPv6:2001:db8:5::25])\n"
        "\tby mx.example.net (8.17.1/8.17.1) with ESMTP id 40CA0b2c012350\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:05:00 -0500",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="2001:db8:5::25",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="40CA0b2c012350",
            envelope_for="bob@example.net",
            software="8.17.1/8.17.1",
            timestamp=T(2024, 1, 12, 10, 5),
        ),
    ),
    Case(
        "sendmail-localhost",
        "Sendmail",
        "from localhost (localhost [127.0.0.1])\n"
        "\tby host.example.com (8.15.2/8.15.2) with ESMTP id 40CA0b2c012351\n"
        "\tfor <root@host.example.com>; Fri, 12 Jan 2024 05:06:00 -0500",
        dict(
            from_helo="localhost",
            from_rdns="localhost",
            from_ip="127.0.0.1",
            by_host="host.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="40CA0b2c012351",
            envelope_for="root@host.example.com",
            software="8.15.2/8.15.2",
            timestamp=T(2024, 1, 12, 10, 6),
        ),
    ),
    Case(
        "sendmail-no-rdns",
        "Sendmail",
        "from mail.example.org ([192.0.2.42])\n"
        "\tby mx.example.net (8.16.1/8.16.1) with ESMTP id 40CA0b2c012352\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:07:00 -0500",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.42",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="40CA0b2c012352",
            envelope_for="bob@example.net",
            software="8.16.1/8.16.1",
            timestamp=T(2024, 1, 12, 10, 7),
        ),
    ),
    Case(
        "sendmail-proofpoint-filter-loop",
        "Sendmail",
        "from pps.filterd (m0123456.ppops.example [127.0.0.1])\n"
        "\tby mx0a-00123456.pphosted.example (8.17.1.19/8.17.1.19) with ESMTP id 40C9ABCD012345;\n"
        "\tFri, 12 Jan 2024 05:08:00 -0500",
        dict(
            from_helo="pps.filterd",
            from_rdns="m0123456.ppops.example",
            from_ip="127.0.0.1",
            by_host="mx0a-00123456.pphosted.example",
            protocol="ESMTP",
            tls=False,
            queue_id="40C9ABCD012345",
            software="8.17.1.19/8.17.1.19",
            timestamp=T(2024, 1, 12, 10, 8),
        ),
    ),
    Case(
        "sendmail-forged-ident-tls12",
        "Sendmail",
        "from helo.example.org (mailer@rdns.example.net [198.51.100.9] (may be forged))\n"
        "\tby mx.example.net (8.17.1/8.17.1) with ESMTPS id 40CA0b2c012353\n"
        "\t(version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128 verify=NOT)\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 05:09:00 -0500",
        dict(
            from_helo="helo.example.org",
            from_rdns="rdns.example.net",
            from_ip="198.51.100.9",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES128-GCM-SHA256",
            tls_bits=128,
            ident="mailer",
            queue_id="40CA0b2c012353",
            envelope_for="bob@example.net",
            software="8.17.1/8.17.1",
            timestamp=T(2024, 1, 12, 10, 9),
        ),
    ),
    Case(
        "sendmail-local-submit-root",
        "Sendmail",
        "(from root@localhost)\n\tby host.example.com (8.14.4/8.14.4/Submit) id 40CA0b2c012354;\n"
        "\tFri, 12 Jan 2024 05:10:00 -0500",
        dict(
            by_host="host.example.com",
            ident="root",
            queue_id="40CA0b2c012354",
            software="8.14.4/8.14.4/Submit",
            timestamp=T(2024, 1, 12, 10, 10),
        ),
    ),
    Case(
        "sendmail-openssl-102-version-names-no-version",
        "Sendmail",
        # OpenSSL up to 1.0.2: SSL_CIPHER_get_version() is "TLSv1/SSLv3" for every cipher
        # that is not SSLv2's, so the version is unknown (a TLS 1.2-only cipher here).
        "from relay.example.org (relay.example.org [198.51.100.44])\n"
        "\tby mx.example.net (8.14.7/8.14.7) with ESMTP id 40CA0b2c012355\n"
        "\t(version=TLSv1/SSLv3 cipher=AES128-GCM-SHA256 bits=128/128);\n"
        "\tFri, 12 Jan 2024 05:11:00 -0500",
        dict(
            from_helo="relay.example.org",
            from_rdns="relay.example.org",
            from_ip="198.51.100.44",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=True,
            tls_cipher="AES128-GCM-SHA256",
            tls_bits=128,
            queue_id="40CA0b2c012355",
            software="8.14.7/8.14.7",
            timestamp=T(2024, 1, 12, 10, 11),
        ),
    ),
    # --------------------------------------------------------------------- Exim ----
    Case(
        "exim-496-tls13-helo",
        "Exim",
        "from mail.example.org ([192.0.2.50] helo=smtp.example.org)\n"
        "\tby mx.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
        "\t(Exim 4.96)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000123-4X\n"
        "\tfor bob@example.net;\n"
        "\tFri, 12 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="smtp.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.50",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            queue_id="1rAbCd-000123-4X",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="Exim 4.96",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "exim-incoming-port",
        "Exim",
        "from mail.example.org ([192.0.2.51]:52341 helo=smtp.example.org)\n"
        "\tby mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
        "\t(Exim 4.97.1)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000124-5Y\n"
        "\tfor bob@example.net;\n"
        "\tFri, 12 Jan 2024 10:01:00 +0000",
        dict(
            from_helo="smtp.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.51",
            from_port=52341,
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            queue_id="1rAbCd-000124-5Y",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="Exim 4.97.1",
            timestamp=T(2024, 1, 12, 10, 1),
        ),
    ),
    Case(
        "exim-unverified-host-port-equals",
        "Exim",
        "from [192.0.2.52] (port=41234 helo=client.example.org)\n"
        "\tby mx.example.net with esmtp (Exim 4.94.2)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000125-6Z\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:02:00 +0000",
        dict(
            from_helo="client.example.org",
            from_ip="192.0.2.52",
            from_port=41234,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="1rAbCd-000125-6Z",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="Exim 4.94.2",
            timestamp=T(2024, 1, 12, 10, 2),
        ),
    ),
    Case(
        "exim-ip-colon-port-helo-comment",
        "Exim",
        "from [198.51.100.53]:41235 (helo=client.example.org)\n"
        "\tby mx.example.net with esmtp (Exim 4.92)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000126-7A; Fri, 12 Jan 2024 10:03:00 +0000",
        dict(
            from_helo="client.example.org",
            from_ip="198.51.100.53",
            from_port=41235,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="1rAbCd-000126-7A",
            envelope_from="alice@example.org",
            software="Exim 4.92",
            timestamp=T(2024, 1, 12, 10, 3),
        ),
    ),
    Case(
        "exim-openssl-cipher-comment-helo-equals-rdns",
        "Exim",
        "from mail.example.org ([192.0.2.54])\n"
        "\tby mx.example.net with esmtps (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256)\n"
        "\t(Exim 4.92)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000127-8B\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:04:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.54",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            queue_id="1rAbCd-000127-8B",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="Exim 4.92",
            timestamp=T(2024, 1, 12, 10, 4),
        ),
    ),
    Case(
        "exim-gnutls-cipher-null-sender",
        "Exim",
        "from mail.example.org ([192.0.2.55] helo=mx1.example.org)\n"
        "\tby mx.example.net with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)\n"
        "\t(Exim 4.89)\n"
        "\t(envelope-from <>)\n"
        "\tid 1rAbCd-000128-9C\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:05:00 +0000",
        dict(
            from_helo="mx1.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.55",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE_RSA_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="1rAbCd-000128-9C",
            envelope_for="bob@example.net",
            envelope_from="",
            software="Exim 4.89",
            timestamp=T(2024, 1, 12, 10, 5),
        ),
    ),
    Case(
        "exim-local-delivery",
        "Exim",
        "from alice by host.example.com with local (Exim 4.96)\n"
        "\t(envelope-from <alice@example.com>)\n"
        "\tid 1rAbCd-000129-0D\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:06:00 +0000",
        dict(
            by_host="host.example.com",
            protocol="local",
            ident="alice",
            queue_id="1rAbCd-000129-0D",
            envelope_for="bob@example.net",
            envelope_from="alice@example.com",
            software="Exim 4.96",
            timestamp=T(2024, 1, 12, 10, 6),
        ),
    ),
    Case(
        "exim-ipv6-port",
        "Exim",
        "from mail6.example.org ([2001:db8:2::25]:41236 helo=smtp6.example.org)\n"
        "\tby mx.example.net with esmtps (TLS1.3) tls TLS_AES_128_GCM_SHA256\n"
        "\t(Exim 4.96)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000130-1E\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:07:00 +0000",
        dict(
            from_helo="smtp6.example.org",
            from_rdns="mail6.example.org",
            from_ip="2001:db8:2::25",
            from_port=41236,
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_128_GCM_SHA256",
            queue_id="1rAbCd-000130-1E",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="Exim 4.96",
            timestamp=T(2024, 1, 12, 10, 7),
        ),
    ),
    Case(
        "exim-esmtpsa-literal-helo",
        "Exim",
        "from [203.0.113.60] (port=50112 helo=[192.168.1.10])\n"
        "\tby mail.example.com with esmtpsa (TLS1.3) tls TLS_AES_128_GCM_SHA256\n"
        "\t(Exim 4.97)\n"
        "\t(envelope-from <alice@example.com>)\n"
        "\tid 1rAbCd-000131-2F\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:08:00 +0000",
        dict(
            from_helo="[192.168.1.10]",
            from_ip="203.0.113.60",
            from_port=50112,
            by_host="mail.example.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_128_GCM_SHA256",
            auth="ESMTPSA",
            queue_id="1rAbCd-000131-2F",
            envelope_for="bob@example.net",
            envelope_from="alice@example.com",
            software="Exim 4.97",
            timestamp=T(2024, 1, 12, 10, 8),
        ),
    ),
    Case(
        "exim-localhost-helo",
        "Exim",
        "from [127.0.0.1] (helo=localhost)\n"
        "\tby host.example.com with esmtp (Exim 4.96)\n"
        "\t(envelope-from <root@host.example.com>)\n"
        "\tid 1rAbCd-000132-3G\n"
        "\tfor bob@example.net; Fri, 12 Jan 2024 10:09:00 +0000",
        dict(
            from_helo="localhost",
            from_ip="127.0.0.1",
            by_host="host.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="1rAbCd-000132-3G",
            envelope_for="bob@example.net",
            envelope_from="root@host.example.com",
            software="Exim 4.96",
            timestamp=T(2024, 1, 12, 10, 9),
        ),
    ),
    Case(
        "exim-rfc1413-ident",
        "Exim",
        "from mail.example.org\n"
        "\t([192.0.2.56] helo=smtp.example.org ident=mailer)\n"
        "\tby mx.example.net with esmtp (Exim 4.96)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid 1rAbCd-000133-4H; Fri, 12 Jan 2024 10:10:00 +0000",
        dict(
            from_helo="smtp.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.56",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            ident="mailer",
            queue_id="1rAbCd-000133-4H",
            envelope_from="alice@example.org",
            software="Exim 4.96",
            timestamp=T(2024, 1, 12, 10, 10),
        ),
    ),
    Case(
        "exim-iana-cipher-name-esmtpsa",
        "Exim",
        "from [198.51.100.57] (port=61234 helo=laptop.example.org)\n"
        "\tby server.example.net with esmtpsa  (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n"
        "\t(Exim 4.96.2)\n"
        "\t(envelope-from <alice@example.net>)\n"
        "\tid 1rAbCd-000134-5J\n"
        "\tfor bob@example.com; Fri, 12 Jan 2024 10:11:00 +0000",
        dict(
            from_helo="laptop.example.org",
            from_ip="198.51.100.57",
            from_port=61234,
            by_host="server.example.net",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            auth="ESMTPSA",
            queue_id="1rAbCd-000134-5J",
            envelope_for="bob@example.com",
            envelope_from="alice@example.net",
            software="Exim 4.96.2",
            timestamp=T(2024, 1, 12, 10, 11),
        ),
    ),
    Case(
        "exim3-rdns-helo-literal-dotted-port-ident",
        "Exim",
        "from mail-7.example.org (client.example.org) [192.0.2.80.41230] (alice)\n"
        "\tby mx.example.net with esmtp (Exim 3.36 #1 (Debian))\n"
        "\tid 1CaBcD-0001xY-00; Sun, 14 Jan 2024 04:01:23 +0100",
        dict(
            from_helo="client.example.org",
            from_rdns="mail-7.example.org",
            from_ip="192.0.2.80",
            from_port=41230,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            ident="alice",
            queue_id="1CaBcD-0001xY-00",
            software=Prefix("Exim 3.36"),
            timestamp=T(2024, 1, 14, 3, 1, 23),
        ),
    ),
    Case(
        "exim3-rdns-literal-helo-equals-rdns",
        "Exim",
        "from mail.example.org [198.51.100.81] by mx.example.net with esmtp (Exim 3.35 #1 (Debian))\n"
        "\tid 18SxYz-0006X6-00; Sun, 14 Jan 2024 18:57:06 +1300",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="198.51.100.81",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="18SxYz-0006X6-00",
            software=Prefix("Exim 3.35"),
            timestamp=T(2024, 1, 14, 5, 57, 6),
        ),
    ),
    Case(
        "exim4-asmtp-gnutls",
        "Exim",
        "from dialup-7.example.net ([203.0.113.82] helo=192.168.1.23)\n"
        "\tby mail.example.org with asmtp (TLS-1.0:RSA_ARCFOUR_MD5:16) (Exim 4.34)\n"
        "\tid 1CIoQP-0006SN-GV for bob@example.org; Sat, 13 Jan 2024 15:16:47 +0200",
        dict(
            from_helo="192.168.1.23",
            from_rdns="dialup-7.example.net",
            from_ip="203.0.113.82",
            by_host="mail.example.org",
            protocol="asmtp",
            tls=True,
            tls_version="TLSv1",
            tls_cipher="RSA_ARCFOUR_MD5",
            tls_bits=16,
            auth="asmtp",
            queue_id="1CIoQP-0006SN-GV",
            envelope_for="bob@example.org",
            software="Exim 4.34",
            timestamp=T(2024, 1, 13, 13, 16, 47),
        ),
    ),
    Case(
        "exim-unnamed-port-signature-helo-equals-rdns",
        "Exim",
        # No "(Exim x)" comment, but "[ip]:port" is Exim's $sender_rcvhost: the leading name
        # is the verified rDNS name, and no "helo=" means the HELO name equalled it.
        "from relay.example.org ([203.0.113.61]:40211) by mx.example.net with esmtp\n"
        "\t(envelope-from <news@example.org>) id 1rAbCd-0004Xy-Q7\n"
        "\tfor carol@example.net; Sat, 13 Jan 2024 12:18:41 +0300",
        dict(
            from_helo="relay.example.org",
            from_rdns="relay.example.org",
            from_ip="203.0.113.61",
            from_port=40211,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="1rAbCd-0004Xy-Q7",
            envelope_for="carol@example.net",
            envelope_from="news@example.org",
            timestamp=T(2024, 1, 13, 9, 18, 41),
        ),
    ),
    Case(
        "exim-unnamed-id-signature-no-port",
        "Exim",
        # No port logged and no "(Exim x)": the message id (base 62, 6-6-2) and the
        # lower-case protocol still say Exim, so "NAME ([ip])" is rDNS (and HELO).
        "from relay.example.org ([203.0.113.62]) by mx.example.net with esmtps\n"
        "\tid 1rAbCe-0004Xz-R8; Sat, 13 Jan 2024 09:20:00 +0000",
        dict(
            from_helo="relay.example.org",
            from_rdns="relay.example.org",
            from_ip="203.0.113.62",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            queue_id="1rAbCe-0004Xz-R8",
            timestamp=T(2024, 1, 13, 9, 20),
        ),
    ),
    Case(
        "exim-497-long-id-signature",
        "Exim",
        # Exim 4.97 and later: message ids are 6-11-4.
        "from relay.example.org ([2001:db8:7::25]:51022 helo=out.example.org) by mx.example.net with esmtpsa\n"
        "\tid 1rAbCf-00000000Zq1-3kLm; Sat, 13 Jan 2024 09:21:00 +0000",
        dict(
            from_helo="out.example.org",
            from_rdns="relay.example.org",
            from_ip="2001:db8:7::25",
            from_port=51022,
            by_host="mx.example.net",
            protocol="ESMTPSA",
            tls=True,
            auth="ESMTPSA",
            queue_id="1rAbCf-00000000Zq1-3kLm",
            timestamp=T(2024, 1, 13, 9, 21),
        ),
    ),
    # -------------------------------------------------------------------- qmail ----
    Case(
        "qmail-invoked-by-uid",
        "qmail",
        "(qmail 12345 invoked by uid 89); 12 Jan 2024 10:00:00 -0000",
        dict(ident="uid 89", software="qmail", timestamp=T(2024, 1, 12, 10, 0)),
    ),
    Case(
        "qmail-invoked-from-network",
        "qmail",
        "(qmail 12346 invoked from network); 12 Jan 2024 10:00:01 -0000",
        dict(software="qmail", timestamp=T(2024, 1, 12, 10, 0, 1)),
    ),
    Case(
        "qmail-fork-invoked-from-network",
        "qmail",
        # A qmail fork writes its own name where qmail writes "qmail".
        "(xqmail 27011 invoked from network); 14 Jan 2024 08:12:40 -0000",
        dict(software="xqmail", timestamp=T(2024, 1, 14, 8, 12, 40)),
    ),
    Case(
        "qmail-fork-invoked-by-uid",
        "qmail",
        "(xqmail 27012 invoked by uid 1001); 14 Jan 2024 08:12:41 -0000",
        dict(ident="uid 1001", software="xqmail", timestamp=T(2024, 1, 14, 8, 12, 41)),
    ),
    Case(
        "qmail-invoked-for-bounce",
        "qmail",
        # qmail-send, when it writes a bounce.
        "(qmail 27013 invoked for bounce); 14 Jan 2024 08:12:42 -0000",
        dict(software="qmail", timestamp=T(2024, 1, 14, 8, 12, 42)),
    ),
    Case(
        "qmail-unknown-helo",
        "qmail",
        "from unknown (HELO mail.example.org) (192.0.2.70)\n  by mx.example.net with SMTP; 12 Jan 2024 10:00:02 -0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.70",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    Case(
        "qmail-rdns-and-helo",
        "qmail",
        "from mail.example.org (HELO smtp.example.org) (192.0.2.71)\n"
        "  by mx.example.net with ESMTP; 12 Jan 2024 10:00:03 -0000",
        dict(
            from_helo="smtp.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.71",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0, 3),
        ),
    ),
    Case(
        "qmail-remoteinfo-user-at-ip",
        "qmail",
        "from unknown (HELO mail.example.org) (alice@192.0.2.72)\n"
        "  by mx.example.net with SMTP; 12 Jan 2024 10:00:04 -0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.72",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            ident="alice",
            timestamp=T(2024, 1, 12, 10, 0, 4),
        ),
    ),
    Case(
        "qmail-tls-patch-encrypted",
        "qmail",
        "from unknown (HELO mail.example.org) (192.0.2.73)\n"
        "  by mx.example.net with (DHE-RSA-AES256-SHA encrypted) SMTP; 12 Jan 2024 10:00:05 -0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.73",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=True,
            tls_cipher="DHE-RSA-AES256-SHA",
            timestamp=T(2024, 1, 12, 10, 0, 5),
        ),
    ),
    Case(
        "qmail-smtp-auth-patch",
        "qmail",
        "from unknown (HELO ?192.168.1.10?) (alice@example.com@203.0.113.74)\n"
        "  by mail.example.com with ESMTPA; 12 Jan 2024 10:00:06 -0000",
        dict(
            from_helo="?192.168.1.10?",
            from_ip="203.0.113.74",
            by_host="mail.example.com",
            protocol="ESMTPA",
            tls=False,
            auth="ESMTPA",
            ident="alice@example.com",
            timestamp=T(2024, 1, 12, 10, 0, 6),
        ),
    ),
    Case(
        "qmail-no-helo-part-helo-equals-rdns",
        "qmail",
        "from mail.example.org (192.0.2.75)\n  by mx.example.net with SMTP; 12 Jan 2024 10:00:08 -0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.75",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0, 8),
        ),
    ),
    Case(
        "qmail-invoked-by-alias",
        "qmail",
        "(qmail 4321 invoked by alias); 12 Jan 2024 10:00:07 -0000",
        dict(software="qmail", timestamp=T(2024, 1, 12, 10, 0, 7)),
    ),
    Case(
        "qmail-empty-helo",
        "qmail",
        "from mail.example.org (HELO ) (192.0.2.83)\n  by mx.example.net with SMTP; 13 Jan 2024 20:34:38 -0000",
        dict(
            from_rdns="mail.example.org",
            from_ip="192.0.2.83",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 13, 20, 34, 38),
        ),
    ),
    Case(
        "qmail-ldap-envelope-sender",
        "qmail",
        "from unknown (HELO [192.168.1.10]) ([203.0.113.84])\n"
        "  (envelope-sender <alice@example.org>)\n"
        "  by 198.51.100.85 (qmail-ldap-1.03) with SMTP\n"
        "  for <bob@example.net>; 13 Jan 2024 20:44:45 -0000",
        dict(
            from_helo="[192.168.1.10]",
            from_ip="203.0.113.84",
            by_host="198.51.100.85",
            by_ip="198.51.100.85",
            protocol="SMTP",
            tls=False,
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            software="qmail-ldap-1.03",
            timestamp=T(2024, 1, 13, 20, 44, 45),
        ),
    ),
    Case(
        "qmail-tcpserver-softdnserror",
        "qmail",
        "from softdnserror (HELO laptop) (192.0.2.86)\n  by mail.example.com with SMTP; 13 Jan 2024 01:41:48 -0000",
        dict(
            from_helo="laptop",
            from_ip="192.0.2.86",
            by_host="mail.example.com",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 13, 1, 41, 48),
        ),
    ),
    # ------------------------------------------------------------ Exchange (on-prem) ----
    Case(
        "exchange-2016-tls12",
        "Exchange",
        "from EXCH01.corp.example.com (10.1.2.3) by EXCH02.corp.example.com\n"
        " (10.1.2.4) with Microsoft SMTP Server (version=TLS1_2,\n"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.35; Fri, 12 Jan\n"
        " 2024 11:00:00 +0100",
        dict(
            from_helo="EXCH01.corp.example.com",
            from_ip="10.1.2.3",
            by_host="EXCH02.corp.example.com",
            by_ip="10.1.2.4",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            queue_id="15.1.2507.35",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "exchange-2010-tls-flag",
        "Exchange",
        "from EXCH01.corp.example.com (10.1.2.3) by EXCH02.corp.example.com (10.1.2.4)\n"
        " with Microsoft SMTP Server (TLS) id 14.3.498.0; Fri, 12 Jan 2024 11:01:00 +0100",
        dict(
            from_helo="EXCH01.corp.example.com",
            from_ip="10.1.2.3",
            by_host="EXCH02.corp.example.com",
            by_ip="10.1.2.4",
            protocol="Microsoft SMTP Server",
            tls=True,
            queue_id="14.3.498.0",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 1),
        ),
    ),
    Case(
        "exchange-2010-plain",
        "Exchange",
        "from mail.example.org (192.0.2.80) by exch.example.com (10.1.1.1) with Microsoft\n"
        " SMTP Server id 14.3.498.0; Fri, 12 Jan 2024 11:02:00 +0100",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.80",
            by_host="exch.example.com",
            by_ip="10.1.1.1",
            protocol="Microsoft SMTP Server",
            tls=False,
            queue_id="14.3.498.0",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 2),
        ),
    ),
    Case(
        "exchange-2016-frontend-transport",
        "Exchange",
        "from mail.example.org (192.0.2.81) by EXCH03.corp.example.com (10.1.2.5) with\n"
        " Microsoft SMTP Server (version=TLS1_2,\n"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.1.2507.35 via\n"
        " Frontend Transport; Fri, 12 Jan 2024 11:03:00 +0100",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.81",
            by_host="EXCH03.corp.example.com",
            by_ip="10.1.2.5",
            via="Frontend Transport",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384",
            queue_id="15.1.2507.35",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 3),
        ),
    ),
    Case(
        "iis-smtpsvc",
        "Exchange",
        "from mail.example.org ([192.0.2.82]) by smtp.example.com with Microsoft SMTPSVC(6.0.3790.4675);\n"
        "\t Fri, 12 Jan 2024 05:04:00 -0500",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.82",
            by_host="smtp.example.com",
            protocol="Microsoft SMTPSVC",
            software=Prefix("Microsoft SMTPSVC"),
            timestamp=T(2024, 1, 12, 10, 4),
        ),
    ),
    Case(
        "exchange-2010-mapi-isatap",
        "Exchange",
        "from EXCH01.corp.example.com ([fe80::5efe:10.1.2.3]) by\n"
        " EXCH01.corp.example.com ([fe80::5efe:10.1.2.3%11]) with mapi id\n"
        " 14.03.0123.003; Wed, 14 Aug 2013 08:59:28 -0400",
        dict(
            from_helo="EXCH01.corp.example.com",
            from_ip="fe80::5efe:a01:203",
            by_host="EXCH01.corp.example.com",
            by_ip="fe80::5efe:a01:203",
            protocol="MAPI",
            queue_id="14.03.0123.003",
            timestamp=T(2013, 8, 14, 12, 59, 28),
        ),
    ),
    Case(
        "exchange-2007-MAPI-no-id",
        "Exchange",
        "from EXCH2007.corp.example.com ([10.1.2.6]) by EXCH2007.corp.example.com\n"
        " ([10.1.2.6]) with MAPI; Fri, 12 Jan 2024 11:06:00 +0100",
        dict(
            from_helo="EXCH2007.corp.example.com",
            from_ip="10.1.2.6",
            by_host="EXCH2007.corp.example.com",
            by_ip="10.1.2.6",
            protocol="MAPI",
            timestamp=T(2024, 1, 12, 10, 6),
        ),
    ),
    Case(
        "exchange-2003-smtpsvc-netbios-helo",
        "Exchange",
        "from EXCH2003 ([10.0.0.5]) by exchfe.corp.example.com with Microsoft SMTPSVC(6.0.3790.3959);\n"
        "\t Mon, 8 Jan 2024 09:00:00 -0800",
        dict(
            from_helo="EXCH2003",
            from_ip="10.0.0.5",
            by_host="exchfe.corp.example.com",
            protocol="Microsoft SMTPSVC",
            software=Prefix("Microsoft SMTPSVC"),
            timestamp=T(2024, 1, 8, 17, 0),
        ),
    ),
    Case(
        "iis-smtpsvc-rdns-failed",
        "Exchange",
        "from DESKTOP7 ([198.51.100.87] RDNS failed) by mail.example.com with Microsoft SMTPSVC(6.0.3790.4675);\n"
        "\t Thu, 11 Jan 2024 08:51:06 -0700",
        dict(
            from_helo="DESKTOP7",
            from_ip="198.51.100.87",
            by_host="mail.example.com",
            protocol="Microsoft SMTPSVC",
            software="Microsoft SMTPSVC 6.0.3790.4675",
            timestamp=T(2024, 1, 11, 15, 51, 6),
        ),
    ),
    Case(
        "iis-smtpsvc-unverified",
        "Exchange",
        "from laptop ([203.0.113.88] unverified) by mail.example.com with Microsoft SMTPSVC(6.0.3790.4675);\n"
        "\t Thu, 11 Jan 2024 13:23:01 +0000",
        dict(
            from_helo="laptop",
            from_ip="203.0.113.88",
            by_host="mail.example.com",
            protocol="Microsoft SMTPSVC",
            software="Microsoft SMTPSVC 6.0.3790.4675",
            timestamp=T(2024, 1, 11, 13, 23, 1),
        ),
    ),
    Case(
        "iis-smtpsvc-no-helo-name",
        "Exchange",
        "from  ([192.0.2.89]) by mail.example.com with Microsoft SMTPSVC(6.0.3790.4675);\n"
        "\t Wed, 10 Jan 2024 21:14:29 -0400",
        dict(
            from_ip="192.0.2.89",
            by_host="mail.example.com",
            protocol="Microsoft SMTPSVC",
            software="Microsoft SMTPSVC 6.0.3790.4675",
            timestamp=T(2024, 1, 11, 1, 14, 29),
        ),
    ),
    Case(
        "iis-smtpsvc-literal-helo-no-tls-record",
        "Exchange",
        # IIS SMTPSVC never writes whether TLS was used: tls is unknown, not False.
        "from [198.51.100.201] ([198.51.100.201]) by MAILGW.corp.example.local with Microsoft\n"
        " SMTPSVC(6.0.3790.4675); Wed, 14 Feb 2024 02:19:37 +0900",
        dict(
            from_helo="[198.51.100.201]",
            from_ip="198.51.100.201",
            by_host="MAILGW.corp.example.local",
            protocol="Microsoft SMTPSVC",
            software=Prefix("Microsoft SMTPSVC"),
            timestamp=T(2024, 2, 13, 17, 19, 37),
        ),
    ),
    # ------------------------------------------------- Outlook.com / Exchange Online ----
    Case(
        "exo-internal-ipv6-comments",
        "Exchange Online",
        "from DM6PR12MB1234.namprd12.prod.outlook.com (2001:db8:5:1::12) by\n"
        " SN6PR12MB5678.namprd12.prod.outlook.com (2001:db8:805:2::34) with\n"
        " Microsoft SMTP Server (version=TLS1_2,\n"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7472.27; Fri, 12 Jan\n"
        " 2024 10:00:00 +0000",
        dict(
            from_helo="DM6PR12MB1234.namprd12.prod.outlook.com",
            from_ip="2001:db8:5:1::12",
            by_host="SN6PR12MB5678.namprd12.prod.outlook.com",
            by_ip="2001:db8:805:2::34",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            queue_id="15.20.7472.27",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "eop-inbound-tls13-frontend",
        "Exchange Online",
        "from mail.example.org (192.0.2.90) by\n"
        " DM6NAM12FT012.mail.protection.outlook.com (10.13.178.100) with Microsoft SMTP\n"
        " Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7472.27 via\n"
        " Frontend Transport; Fri, 12 Jan 2024 10:00:01 +0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.90",
            by_host="DM6NAM12FT012.mail.protection.outlook.com",
            by_ip="10.13.178.100",
            via="Frontend Transport",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            queue_id="15.20.7472.27",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "exo-mapi-link-local-scope",
        "Exchange Online",
        "from BN8PR12MB3456.namprd12.prod.outlook.com\n"
        " ([fe80::1234:5678:9abc:def0]) by BN8PR12MB3456.namprd12.prod.outlook.com\n"
        " ([fe80::1234:5678:9abc:def0%4]) with mapi id 15.20.7472.027; Fri, 12 Jan 2024\n"
        " 10:00:02 +0000",
        dict(
            from_helo="BN8PR12MB3456.namprd12.prod.outlook.com",
            from_ip="fe80::1234:5678:9abc:def0",
            by_host="BN8PR12MB3456.namprd12.prod.outlook.com",
            by_ip="fe80::1234:5678:9abc:def0",
            protocol="MAPI",
            queue_id="15.20.7472.027",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    Case(
        "exo-outbound-frontend-ipv6",
        "Exchange Online",
        "from BY5PR12MB1111.namprd12.prod.outlook.com (2001:db8:a03:1f0::15)\n"
        " by BYAPR12CA0001.namprd12.prod.outlook.com (2001:db8:a03:c0::14) with Microsoft SMTP\n"
        " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
        " 15.20.7472.27 via Frontend Transport; Fri, 12 Jan 2024 10:00:03 +0000",
        dict(
            from_helo="BY5PR12MB1111.namprd12.prod.outlook.com",
            from_ip="2001:db8:a03:1f0::15",
            by_host="BYAPR12CA0001.namprd12.prod.outlook.com",
            by_ip="2001:db8:a03:c0::14",
            via="Frontend Transport",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            queue_id="15.20.7472.27",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 0, 3),
        ),
    ),
    Case(
        "eop-inbound-external",
        "Exchange Online",
        "from smtp.example.org (198.51.100.91) by\n"
        " AM4PEPF00027A5F.mail.protection.outlook.com (10.167.16.74) with Microsoft SMTP\n"
        " Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7472.27 via\n"
        " Frontend Transport; Fri, 12 Jan 2024 10:00:04 +0000",
        dict(
            from_helo="smtp.example.org",
            from_ip="198.51.100.91",
            by_host="AM4PEPF00027A5F.mail.protection.outlook.com",
            by_ip="10.167.16.74",
            via="Frontend Transport",
            protocol="Microsoft SMTP Server",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            queue_id="15.20.7472.27",
            software=Prefix("Microsoft SMTP Server"),
            timestamp=T(2024, 1, 12, 10, 0, 4),
        ),
    ),
    # -------------------------------------------------------------------- Gmail ----
    Case(
        "gmail-mx-esmtps-tls13",
        "Gmail",
        "from mail.example.org (mail.example.org. [192.0.2.100])\n"
        "        by mx.google.com with ESMTPS id"
        " u18-20020a05620a0c5200b0078321ab12cdsi1234567qkj.345.2024.01.12.02.00.00\n"
        "        for <bob@example.com>\n"
        "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
        "        Fri, 12 Jan 2024 02:00:00 -0800 (PST)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.100",
            by_host="mx.google.com",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="u18-20020a05620a0c5200b0078321ab12cdsi1234567qkj.345.2024.01.12.02.00.00",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "gmail-smtps-google-transport-security",
        "Gmail",
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [198.51.100.41])\n"
        "        by mx.google.com with SMTPS id a1sor1234567pfb.12.2024.01.12.02.00.01\n"
        "        for <bob@example.com>\n"
        "        (Google Transport Security);\n"
        "        Fri, 12 Jan 2024 02:00:01 -0800 (PST)",
        dict(
            from_helo="mail-sor-f41.google.com",
            from_rdns="mail-sor-f41.google.com",
            from_ip="198.51.100.41",
            by_host="mx.google.com",
            protocol="SMTPS",
            tls=True,
            queue_id="a1sor1234567pfb.12.2024.01.12.02.00.01",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "gmail-by-ipv6-host",
        "Gmail",
        "by 2001:db8:a05:6a10:b0:4e1:2345:6789 with SMTP id k12csp1234567pxb;\n"
        "        Fri, 12 Jan 2024 02:00:02 -0800 (PST)",
        dict(
            by_host="2001:db8:a05:6a10:b0:4e1:2345:6789",
            by_ip="2001:db8:a05:6a10:b0:4e1:2345:6789",
            protocol="SMTP",
            tls=False,
            queue_id="k12csp1234567pxb",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    Case(
        "gmail-submission-esmtpsa",
        "Gmail",
        "from [192.168.1.10] (host-203-0-113-7.example.net. [203.0.113.7])\n"
        "        by smtp.gmail.com with ESMTPSA id"
        " a1-20020a170902a1a100b001d4a1b2c3d4sm1234567pla.12.2024.01.12.02.00.03\n"
        "        for <bob@example.com>\n"
        "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
        "        Fri, 12 Jan 2024 02:00:03 -0800 (PST)",
        dict(
            from_helo="[192.168.1.10]",
            from_rdns="host-203-0-113-7.example.net",
            from_ip="203.0.113.7",
            by_host="smtp.gmail.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            auth="ESMTPSA",
            queue_id="a1-20020a170902a1a100b001d4a1b2c3d4sm1234567pla.12.2024.01.12.02.00.03",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0, 3),
        ),
    ),
    Case(
        "gmail-mx-ipv6-client-tls12",
        "Gmail",
        "from mail6.example.org (mail6.example.org. [2001:db8:4860::25])\n"
        "        by mx.google.com with ESMTPS id"
        " c12-20020a0562140c0c00b0067f2a1b2c3dsi1234567qvb.123.2024.01.12.02.00.04\n"
        "        for <bob@example.com>\n"
        "        (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128);\n"
        "        Fri, 12 Jan 2024 02:00:04 -0800 (PST)",
        dict(
            from_helo="mail6.example.org",
            from_rdns="mail6.example.org",
            from_ip="2001:db8:4860::25",
            by_host="mx.google.com",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-ECDSA-AES128-GCM-SHA256",
            tls_bits=128,
            queue_id="c12-20020a0562140c0c00b0067f2a1b2c3dsi1234567qvb.123.2024.01.12.02.00.04",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0, 4),
        ),
    ),
    Case(
        "gmail-submission-ipv6-no-rdns",
        "Gmail",
        "from smtpclient.apple ([2001:db8:8000::7])\n"
        "        by smtp.gmail.com with ESMTPSA id d9443c01a7336-1d4a1b2c3d4sm1234567plb.12.2024.01.12.02.00.06\n"
        "        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n"
        "        Fri, 12 Jan 2024 02:00:06 -0800 (PST)",
        dict(
            from_helo="smtpclient.apple",
            from_ip="2001:db8:8000::7",
            by_host="smtp.gmail.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_128_GCM_SHA256",
            tls_bits=128,
            auth="ESMTPSA",
            queue_id="d9443c01a7336-1d4a1b2c3d4sm1234567plb.12.2024.01.12.02.00.06",
            timestamp=T(2024, 1, 12, 10, 0, 6),
        ),
    ),
    # -------------------------------------------------------------------- Yahoo ----
    Case(
        "yahoo-http-gateway",
        "Yahoo",
        "from sonic.gate.mail.ne1.yahoo.com by sonic315.consmr.mail.ne1.yahoo.com with HTTP;"
        " Fri, 12 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="sonic.gate.mail.ne1.yahoo.com",
            by_host="sonic315.consmr.mail.ne1.yahoo.com",
            protocol="HTTP",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "yahoo-https-client-address",
        "Yahoo",
        "from 192.0.2.5 by sonic.gate.mail.ne1.yahoo.com with HTTPS; Fri, 12 Jan 2024 10:00:01 +0000",
        dict(
            from_ip="192.0.2.5",
            by_host="sonic.gate.mail.ne1.yahoo.com",
            protocol="HTTPS",
            tls=True,
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "yahoo-legacy-webmail-via-http",
        "Yahoo",
        "from [198.51.100.6] by web12345.mail.ne1.yahoo.com via HTTP; Fri, 12 Jan 2024 02:00:02 PST",
        dict(
            from_ip="198.51.100.6",
            by_host="web12345.mail.ne1.yahoo.com",
            via="HTTP",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    Case(
        "yahoo-mta-ehlo-comment",
        "Yahoo",
        "from 127.0.0.1  (EHLO mail.example.org) (192.0.2.110)\n"
        "  by mta4000.mail.gq1.yahoo.com with SMTPS; Fri, 12 Jan 2024 10:00:03 +0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.110",
            by_host="mta4000.mail.gq1.yahoo.com",
            protocol="SMTPS",
            tls=True,
            timestamp=T(2024, 1, 12, 10, 0, 3),
        ),
    ),
    Case(
        "yahoo-hermes-submission-uppercase-ID",
        "Yahoo",
        "by hermes--production-gq1-5748d6ff4f-abcde (VZM Hermes SMTP Server) with ESMTPA ID"
        " 0123456789abcdef0123456789abcdef;\n          Fri, 12 Jan 2024 10:00:04 +0000 (UTC)",
        dict(
            by_host="hermes--production-gq1-5748d6ff4f-abcde",
            protocol="ESMTPA",
            tls=False,
            auth="ESMTPA",
            queue_id="0123456789abcdef0123456789abcdef",
            software="VZM Hermes SMTP Server",
            timestamp=T(2024, 1, 12, 10, 0, 4),
        ),
    ),
    Case(
        "yahoo-http-from-documentation-ip",
        "Yahoo",
        "from 203.0.113.9 by sonic.gate.mail.ne1.yahoo.com with HTTP; Fri, 12 Jan 2024 10:00:05 +0000",
        dict(
            from_ip="203.0.113.9",
            by_host="sonic.gate.mail.ne1.yahoo.com",
            protocol="HTTP",
            timestamp=T(2024, 1, 12, 10, 0, 5),
        ),
    ),
    # --------------------------------------------------------------- Amazon SES ----
    Case(
        "ses-inbound",
        "Amazon SES",
        "from mail.example.org (mail.example.org [192.0.2.120])\n"
        " by inbound-smtp.us-east-1.amazonaws.com with SMTP id 0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d\n"
        " for bob@example.com;\n"
        " Fri, 12 Jan 2024 10:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.120",
            by_host="inbound-smtp.us-east-1.amazonaws.com",
            protocol="SMTP",
            tls=False,
            queue_id="0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "ses-smtp-interface",
        "Amazon SES",
        "from [10.0.0.5] (ec2-198-51-100-5.compute-1.amazonaws.com [198.51.100.5])\n"
        " by email-smtp.amazonaws.com with SMTP (SimpleEmailService-d-ABC123XYZ) id hkFz2iHCLfWq1hjbXBYZ\n"
        " for bob@example.com;\n"
        " Fri, 12 Jan 2024 10:00:01 +0000 (UTC)",
        dict(
            from_helo="[10.0.0.5]",
            from_rdns="ec2-198-51-100-5.compute-1.amazonaws.com",
            from_ip="198.51.100.5",
            by_host="email-smtp.amazonaws.com",
            protocol="SMTP",
            tls=False,
            queue_id="hkFz2iHCLfWq1hjbXBYZ",
            envelope_for="bob@example.com",
            software="SimpleEmailService-d-ABC123XYZ",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "ses-inbound-ipv6",
        "Amazon SES",
        "from mail6.example.org (mail6.example.org [2001:db8:3::25])\n"
        " by inbound-smtp.eu-west-1.amazonaws.com with SMTP id 9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"
        " for bob@example.com;\n"
        " Fri, 12 Jan 2024 10:00:02 +0000 (UTC)",
        dict(
            from_helo="mail6.example.org",
            from_rdns="mail6.example.org",
            from_ip="2001:db8:3::25",
            by_host="inbound-smtp.eu-west-1.amazonaws.com",
            protocol="SMTP",
            tls=False,
            queue_id="9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    # ------------------------------------------------------------------ Mailgun ----
    Case(
        "mailgun-api-http",
        "Mailgun",
        "by luna.mailgun.net with HTTP; Fri, 12 Jan 2024 10:00:00 +0000",
        dict(by_host="luna.mailgun.net", protocol="HTTP", timestamp=T(2024, 1, 12, 10, 0)),
    ),
    Case(
        "mailgun-inbound-tls-comment",
        "Mailgun",
        "from mail.example.org (mail.example.org [192.0.2.130])\n"
        " by 8b3a1c2d4e5f with SMTP id 65a10f00a1b2c3d4e5f60718 (version=TLS1.3,\n"
        " cipher=TLS_AES_128_GCM_SHA256); Fri, 12 Jan 2024 10:00:01 GMT",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.130",
            by_host="8b3a1c2d4e5f",
            protocol="SMTP",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_128_GCM_SHA256",
            queue_id="65a10f00a1b2c3d4e5f60718",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "mailgun-inbound-plain",
        "Mailgun",
        "from mail.example.org (mail.example.org [192.0.2.131])\n"
        " by smtp-in-n12.prod.mailgun.example with ESMTP id 65a10f00a1b2c3d4e5f60719;\n"
        " Fri, 12 Jan 2024 10:00:02 GMT",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.131",
            by_host="smtp-in-n12.prod.mailgun.example",
            protocol="ESMTP",
            tls=False,
            queue_id="65a10f00a1b2c3d4e5f60719",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    # ----------------------------------------------------------------- SendGrid ----
    Case(
        "sendgrid-filterdrecv-go-date-no-semicolon",
        "SendGrid",
        "by filterdrecv-656998cfdd-xyz12 with SMTP id filterdrecv-656998cfdd-xyz12-1-65A10F00-1A\n"
        "        2024-01-12 10:00:00.123456789 +0000 UTC m=+123.456789",
        dict(
            by_host="filterdrecv-656998cfdd-xyz12",
            protocol="SMTP",
            tls=False,
            queue_id="filterdrecv-656998cfdd-xyz12-1-65A10F00-1A",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "sendgrid-geopod-http-no-semicolon",
        "SendGrid",
        "from MTk2ODc0Mg (unknown)\n"
        "\tby geopod-ismtpd-3 (SG) with HTTP\n"
        "\tid aBcDeFgHiJkLmNoPqRsTuV\n"
        "\tFri, 12 Jan 2024 10:00:01.234 +0000 (UTC)",
        dict(
            from_helo="MTk2ODc0Mg",
            by_host="geopod-ismtpd-3",
            protocol="HTTP",
            queue_id="aBcDeFgHiJkLmNoPqRsTuV",
            software=OneOf(("SG", "SendGrid")),
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "sendgrid-ismtpd-esmtp",
        "SendGrid",
        "from mail.example.org (unknown)\n"
        "\tby ismtpd0006p1las1.sendgrid.example (SG) with ESMTP\n"
        "\tid Ab1Cd2Ef3Gh4Ij5Kl6Mn7\n"
        "\tfor <bob@example.com>;\n"
        "\tFri, 12 Jan 2024 10:00:02.345 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            by_host="ismtpd0006p1las1.sendgrid.example",
            protocol="ESMTP",
            tls=False,
            queue_id="Ab1Cd2Ef3Gh4Ij5Kl6Mn7",
            envelope_for="bob@example.com",
            software=OneOf(("SG", "SendGrid")),
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    # ------------------------------------------------------------------- Haraka ----
    Case(
        "haraka-esmtps-tls-clause",
        "Haraka",
        "from mail.example.org (mail.example.org [192.0.2.150])\r\n"
        "\tby mx.example.net (Haraka/3.0.2) with ESMTPS id 4C5D6E7F-1A2B-4C3D-9E8F-0A1B2C3D4E5F.1\r\n"
        "\tenvelope-from <alice@example.org>\r\n"
        "\ttls TLS_AES_256_GCM_SHA384;\r\n"
        "\tFri, 12 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.150",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_cipher="TLS_AES_256_GCM_SHA384",
            queue_id="4C5D6E7F-1A2B-4C3D-9E8F-0A1B2C3D4E5F.1",
            envelope_from="alice@example.org",
            software="Haraka/3.0.2",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "haraka-plain-no-rdns",
        "Haraka",
        "from app-worker-5b8d8c7878-529xw ([10.42.3.77])\r\n"
        "\tby relay.example.net (Haraka) with ESMTP id DFCF7BEA-2F88-4D9B-A9BB-320EB10BDCE0.1\r\n"
        "\tenvelope-from <noreply@example.net>;\r\n"
        "\tTue, 10 Feb 2026 13:29:01 +0000",
        dict(
            from_helo="app-worker-5b8d8c7878-529xw",
            from_ip="10.42.3.77",
            by_host="relay.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="DFCF7BEA-2F88-4D9B-A9BB-320EB10BDCE0.1",
            envelope_from="noreply@example.net",
            software="Haraka",
            timestamp=T(2026, 2, 10, 13, 29, 1),
        ),
    ),
    Case(
        "haraka-auth-null-sender",
        "Haraka",
        "from [192.168.1.20] (host.example.org [203.0.113.151])\r\n"
        "\tby mx.example.net (Haraka/2.8.28) with ESMTPSA id 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0.1\r\n"
        "\tenvelope-from <>\r\n"
        "\ttls TLS_AES_128_GCM_SHA256 (authenticated bits=0);\r\n"
        "\tFri, 12 Jan 2024 10:00:02 +0000",
        dict(
            from_helo="[192.168.1.20]",
            from_rdns="host.example.org",
            from_ip="203.0.113.151",
            by_host="mx.example.net",
            protocol="ESMTPSA",
            tls=True,
            tls_cipher="TLS_AES_128_GCM_SHA256",
            auth="authenticated bits=0",
            queue_id="0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0.1",
            envelope_from="",
            software="Haraka/2.8.28",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    # ---------------------------------------------------------------- OpenSMTPD ----
    Case(
        "opensmtpd-tls13",
        "OpenSMTPD",
        "from mail.example.org (mail.example.org [192.0.2.160])\n"
        "\tby mx.example.net (OpenSMTPD) with ESMTPS id 1a2b3c4d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)\n"
        "\tfor <bob@example.net>;\n"
        "\tFri, 12 Jan 2024 10:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.160",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="1a2b3c4d",
            envelope_for="bob@example.net",
            software="OpenSMTPD",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "opensmtpd-ipv6-unknown-rdns",
        "OpenSMTPD",
        "from mail6.example.org (<unknown> IPv6:2001:db8:6::25)\n"
        "\tby mx.example.net (OpenSMTPD) with ESMTP id 5e6f7a8b\n"
        "\tfor <bob@example.net>;\n"
        "\tFri, 12 Jan 2024 10:00:01 +0000 (UTC)",
        dict(
            from_helo="mail6.example.org",
            from_ip="2001:db8:6::25",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="5e6f7a8b",
            envelope_for="bob@example.net",
            software="OpenSMTPD",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "opensmtpd-received-auth-user",
        "OpenSMTPD",
        "from laptop.example.org (host.example.org [203.0.113.161])\n"
        "\tby mail.example.com (OpenSMTPD) with ESMTPSA id 9c0d1e2f (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)"
        " auth=yes user=alice\n"
        "\tfor <bob@example.net>;\n"
        "\tFri, 12 Jan 2024 10:00:02 +0000 (UTC)",
        dict(
            from_helo="laptop.example.org",
            from_rdns="host.example.org",
            from_ip="203.0.113.161",
            by_host="mail.example.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            auth="alice",
            queue_id="9c0d1e2f",
            envelope_for="bob@example.net",
            software="OpenSMTPD",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    # ------------------------------------------------------------------ Courier ----
    Case(
        "courier-tls-id-after-date",
        "Courier",
        "from mail.example.org (mail.example.org [::ffff:192.0.2.170])\n"
        "  (TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384)\n"
        "  by mx.example.net with ESMTPS; Fri, 12 Jan 2024 10:00:00 +0000\n"
        "  id 00000000002A1234.0000000065A10F00.00001234",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.170",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            queue_id="00000000002A1234.0000000065A10F00.00001234",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "courier-auth-and-tls",
        "Courier",
        "from laptop.example.org (host.example.org [::ffff:203.0.113.171])\n"
        "  (AUTH: LOGIN alice, TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384)\n"
        "  by mail.example.com with ESMTPSA; Fri, 12 Jan 2024 10:00:01 +0000\n"
        "  id 00000000002A1235.0000000065A10F01.00001235",
        dict(
            from_helo="laptop.example.org",
            from_rdns="host.example.org",
            from_ip="203.0.113.171",
            by_host="mail.example.com",
            protocol="ESMTPSA",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            auth="alice",
            queue_id="00000000002A1235.0000000065A10F01.00001235",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "courier-plain",
        "Courier",
        "from mail.example.org (mail.example.org [::ffff:192.0.2.172])\n"
        "  by mx.example.net with ESMTP; Fri, 12 Jan 2024 10:00:02 +0000\n"
        "  id 00000000002A1236.0000000065A10F02.00001236",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.172",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="00000000002A1236.0000000065A10F02.00001236",
            timestamp=T(2024, 1, 12, 10, 0, 2),
        ),
    ),
    Case(
        "courier-softdnserr-ipv4-mapped-auth",
        "Courier",
        "from [192.168.2.4] (softdnserr [::ffff:203.0.113.90])\n"
        "  (AUTH: CRAM-MD5 alice@example.org, )\n"
        "  by mail.example.org with ESMTPSA\n"
        "  id 0000000000071446.000000006489DB14.003B4E84; Wed, 10 Jan 2024 17:21:56 +0100",
        dict(
            from_helo="[192.168.2.4]",
            from_ip="203.0.113.90",
            by_host="mail.example.org",
            protocol="ESMTPSA",
            tls=True,
            auth="alice@example.org",
            queue_id="0000000000071446.000000006489DB14.003B4E84",
            timestamp=T(2024, 1, 10, 16, 21, 56),
        ),
    ),
    # ------------------------------------------------------------- Lotus Domino ----
    Case(
        "domino-space-before-semicolon",
        "Lotus Domino",
        "from mail.example.org ([192.0.2.180]) by notes.example.com (Lotus Domino Release 9.0.1FP10 HF383)\n"
        " with ESMTP id 2024011210000012-345 ; Fri, 12 Jan 2024 10:00:00 +0100",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.180",
            by_host="notes.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="2024011210000012-345",
            software="Lotus Domino Release 9.0.1FP10 HF383",
            timestamp=T(2024, 1, 12, 9, 0),
        ),
    ),
    Case(
        "domino-ibm-internal",
        "Lotus Domino",
        "from notes1.example.com ([10.1.1.5]) by notes2.example.com (IBM Domino Release 10.0.1FP3)\n"
        " with ESMTP id 2024011209593221-12345 ; Fri, 12 Jan 2024 09:59:32 +0100",
        dict(
            from_helo="notes1.example.com",
            from_ip="10.1.1.5",
            by_host="notes2.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="2024011209593221-12345",
            software="IBM Domino Release 10.0.1FP3",
            timestamp=T(2024, 1, 12, 8, 59, 32),
        ),
    ),
    # ------------------------------------------------------------------ MDaemon ----
    Case(
        "mdaemon-esmtpa",
        "MDaemon",
        "from mail.example.org by mail.example.com (MDaemon PRO v20.0.1)\n"
        "\twith ESMTPA id md50001234567.msg; Fri, 12 Jan 2024 10:00:00 +0100",
        dict(
            from_helo="mail.example.org",
            by_host="mail.example.com",
            protocol="ESMTPA",
            tls=False,
            auth="ESMTPA",
            queue_id="md50001234567.msg",
            software="MDaemon PRO v20.0.1",
            timestamp=T(2024, 1, 12, 9, 0),
        ),
    ),
    Case(
        "mdaemon-esmtps-for",
        "MDaemon",
        "from mail.example.org by mail.example.com (MDaemon PRO v20.0.1)\n"
        "\twith ESMTPS id md50001234568.msg for <bob@example.com>; Fri, 12 Jan 2024 10:00:01 +0100",
        dict(
            from_helo="mail.example.org",
            by_host="mail.example.com",
            protocol="ESMTPS",
            tls=True,
            queue_id="md50001234568.msg",
            envelope_for="bob@example.com",
            software="MDaemon PRO v20.0.1",
            timestamp=T(2024, 1, 12, 9, 0, 1),
        ),
    ),
    # ----------------------------------------------------------- Zimbra / amavis ----
    Case(
        "zimbra-amavisd-new",
        "Zimbra/amavis",
        "from zimbra.example.com ([127.0.0.1])\n"
        "\tby localhost (zimbra.example.com [127.0.0.1]) (amavisd-new, port 10032)\n"
        "\twith ESMTP id AbCdEfGhIjKl for <bob@example.com>;\n"
        "\tFri, 12 Jan 2024 10:00:00 +0100 (CET)",
        dict(
            from_helo="zimbra.example.com",
            from_ip="127.0.0.1",
            by_host="localhost",
            by_ip="127.0.0.1",
            protocol="ESMTP",
            tls=False,
            queue_id="AbCdEfGhIjKl",
            envelope_for="bob@example.com",
            software="amavisd-new",
            timestamp=T(2024, 1, 12, 9, 0),
        ),
    ),
    Case(
        "zimbra-postfix-after-filter",
        "Zimbra/amavis",
        "from localhost (localhost [127.0.0.1])\n"
        "\tby zimbra.example.com (Postfix) with ESMTP id 3F2A1B4C5E\n"
        "\tfor <bob@example.com>; Fri, 12 Jan 2024 10:00:01 +0100 (CET)",
        dict(
            from_helo="localhost",
            from_rdns="localhost",
            from_ip="127.0.0.1",
            by_host="zimbra.example.com",
            protocol="ESMTP",
            tls=False,
            queue_id="3F2A1B4C5E",
            envelope_for="bob@example.com",
            software="Postfix",
            timestamp=T(2024, 1, 12, 9, 0, 1),
        ),
    ),
    Case(
        "amavis-211-lmtp",
        "Zimbra/amavis",
        "from mail.example.com ([127.0.0.1])\n"
        "\tby localhost (mail.example.com [127.0.0.1]) (amavis, port 10024) with LMTP\n"
        "\tid x7Yz8AbC9dEf for <bob@example.com>;\n"
        "\tFri, 12 Jan 2024 10:00:02 +0100 (CET)",
        dict(
            from_helo="mail.example.com",
            from_ip="127.0.0.1",
            by_host="localhost",
            by_ip="127.0.0.1",
            protocol="LMTP",
            tls=False,
            queue_id="x7Yz8AbC9dEf",
            envelope_for="bob@example.com",
            software="amavis",
            timestamp=T(2024, 1, 12, 9, 0, 2),
        ),
    ),
    # ----------------------------------------------------------- Dovecot / Cyrus ----
    Case(
        "dovecot-23-lmtp",
        "Dovecot/Cyrus LMTP",
        "from mx.example.com\n"
        "\tby mail.example.com with LMTP\n"
        "\tid 8Hk2MUoRoWWzNwAA0J78UA\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tfor <bob@example.com>; Fri, 12 Jan 2024 10:00:00 +0100",
        dict(
            from_helo="mx.example.com",
            by_host="mail.example.com",
            protocol="LMTP",
            tls=False,
            queue_id="8Hk2MUoRoWWzNwAA0J78UA",
            envelope_for="bob@example.com",
            envelope_from="alice@example.org",
            timestamp=T(2024, 1, 12, 9, 0),
        ),
    ),
    Case(
        "dovecot-23-lmtp-ip-null-sender",
        "Dovecot/Cyrus LMTP",
        "from mx.example.com ([192.168.10.5])\n"
        "\tby mail.example.com with LMTP\n"
        "\tid 2M9RLQ0RoWVzNwAA0J78UA\n"
        "\t(envelope-from <>)\n"
        "\tfor <bob@example.com>; Fri, 12 Jan 2024 10:00:01 +0100",
        dict(
            from_helo="mx.example.com",
            from_ip="192.168.10.5",
            by_host="mail.example.com",
            protocol="LMTP",
            tls=False,
            queue_id="2M9RLQ0RoWVzNwAA0J78UA",
            envelope_for="bob@example.com",
            envelope_from="",
            timestamp=T(2024, 1, 12, 9, 0, 1),
        ),
    ),
    Case(
        "dovecot-22-lmtp-package-name",
        "Dovecot/Cyrus LMTP",
        "from mx.example.com ([192.168.10.5])\n"
        "\tby mail.example.com (Dovecot) with LMTP id QmFzZTY0SWQ\n"
        "\tfor <bob@example.com>; Fri, 12 Jan 2024 10:00:02 +0100",
        dict(
            from_helo="mx.example.com",
            from_ip="192.168.10.5",
            by_host="mail.example.com",
            protocol="LMTP",
            tls=False,
            queue_id="QmFzZTY0SWQ",
            envelope_for="bob@example.com",
            software="Dovecot",
            timestamp=T(2024, 1, 12, 9, 0, 2),
        ),
    ),
    Case(
        "cyrus-lmtpa-unix-socket",
        "Dovecot/Cyrus LMTP",
        "from mx.example.com ([unix socket])\n"
        "\t by imap.example.com (Cyrus v3.6.1-1.el9) with LMTPA;\n"
        "\t Fri, 12 Jan 2024 10:00:03 +0100",
        dict(
            from_helo="mx.example.com",
            by_host="imap.example.com",
            protocol="LMTPA",
            tls=False,
            auth="LMTPA",
            software="Cyrus v3.6.1-1.el9",
            timestamp=T(2024, 1, 12, 9, 0, 3),
        ),
    ),
    Case(
        "dovecot-lmtp-over-tls",
        "Dovecot/Cyrus LMTP",
        "from mx.example.com ([192.168.10.5])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n"
        "\tby mail.example.com with LMTP id aBcD1234eFgH5678\n"
        "\tfor <bob@example.com>; Fri, 12 Jan 2024 10:00:04 +0100",
        dict(
            from_helo="mx.example.com",
            from_ip="192.168.10.5",
            by_host="mail.example.com",
            protocol="LMTP",
            tls=True,
            tls_version="TLSv1.3",
            tls_cipher="TLS_AES_256_GCM_SHA384",
            tls_bits=256,
            queue_id="aBcD1234eFgH5678",
            envelope_for="bob@example.com",
            timestamp=T(2024, 1, 12, 9, 0, 4),
        ),
    ),
    # ------------------------------------------ Other gateways (Cisco, CommuniGate, ...) ----
    Case(
        "cisco-esa-esmtp-tls-cipher",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from jhemtmwex3.corp.example.org (HELO exchange.example.org)\n"
        "  ([10.181.198.38])\n"
        "  by ipex1.example.org with ESMTP/TLS/AES128-SHA; 14 Aug 2013 08:59:29 -0400",
        dict(
            from_helo="exchange.example.org",
            from_rdns="jhemtmwex3.corp.example.org",
            from_ip="10.181.198.38",
            by_host="ipex1.example.org",
            protocol="ESMTP",
            tls=True,
            tls_cipher="AES128-SHA",
            timestamp=T(2013, 8, 14, 12, 59, 29),
        ),
    ),
    Case(
        "cisco-esa-unknown-rdns",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from unknown (HELO mail.example.org) ([192.0.2.190])\n"
        "  by esa1.example.net with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; 12 Jan 2024 05:00:00 -0500",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.190",
            by_host="esa1.example.net",
            protocol="ESMTP",
            tls=True,
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "communigate-helo-comment",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from [192.0.2.191] (HELO mail.example.org)\n"
        "  by mail.example.com (CommuniGate Pro SMTP 6.3.12)\n"
        "  with ESMTPS id 123456789 for bob@example.com; Fri, 12 Jan 2024 11:00:00 +0100",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.191",
            by_host="mail.example.com",
            protocol="ESMTPS",
            tls=True,
            queue_id="123456789",
            envelope_for="bob@example.com",
            software="CommuniGate Pro SMTP 6.3.12",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "mimecast-with-esmtp-with-starttls",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from mail.example.org (mail.example.org [192.0.2.220]) by relay.mimecast.example with\n"
        " ESMTP with STARTTLS (version=TLSv1.2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
        " us-mta-471-XEkqCOV6O1Ci-ZyR1LtbqQ-1; Fri, 12 Jan 2024 05:00:00 -0500",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.220",
            by_host="relay.mimecast.example",
            protocol="ESMTP",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            queue_id="us-mta-471-XEkqCOV6O1Ci-ZyR1LtbqQ-1",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "barracuda-sendmail-style-tls",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from mail.example.org (mail.example.org [192.0.2.221]) by mx.example.net with ESMTP id\n"
        " AbCdEfGhIjKlMnOp (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO)\n"
        " for <bob@example.net>; Fri, 12 Jan 2024 05:00:01 -0500",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.221",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            queue_id="AbCdEfGhIjKlMnOp",
            envelope_for="bob@example.net",
            timestamp=T(2024, 1, 12, 10, 0, 1),
        ),
    ),
    Case(
        "communigate-account-helo-literal",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from [203.0.113.91] (account alice@example.com HELO [192.168.1.10])\n"
        "  by mail.example.com (CommuniGate Pro SMTP 6.3.12)\n"
        "  with ESMTPSA id 88402416 for bob@example.net; Mon, 08 Jan 2024 13:15:07 -0800",
        dict(
            from_helo="[192.168.1.10]",
            from_ip="203.0.113.91",
            by_host="mail.example.com",
            protocol="ESMTPSA",
            tls=True,
            auth="alice@example.com",
            queue_id="88402416",
            envelope_for="bob@example.net",
            software="CommuniGate Pro SMTP 6.3.12",
            timestamp=T(2024, 1, 8, 21, 15, 7),
        ),
    ),
    Case(
        "communigate-webuser-account-http",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from [198.51.100.92] (account alice@example.com)\n"
        "  by mail.example.com (CommuniGate Pro WebUser 6.3.12)\n"
        "  with HTTP id 109780632 for bob@example.net; Tue, 09 Jan 2024 11:17:51 -0800",
        dict(
            from_ip="198.51.100.92",
            by_host="mail.example.com",
            protocol="HTTP",
            auth="alice@example.com",
            queue_id="109780632",
            envelope_for="bob@example.net",
            software="CommuniGate Pro WebUser 6.3.12",
            timestamp=T(2024, 1, 9, 19, 17, 51),
        ),
    ),
    Case(
        "communigate-address-verified",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from mail.example.org ([192.0.2.93] verified)\n"
        "  by relay.example.net (CommuniGate Pro SMTP 5.1.13)\n"
        "  with ESMTPS id 9837783 for bob@example.net; Tue, 09 Jan 2024 13:14:35 +0700",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.93",
            by_host="relay.example.net",
            protocol="ESMTPS",
            tls=True,
            queue_id="9837783",
            envelope_for="bob@example.net",
            software="CommuniGate Pro SMTP 5.1.13",
            timestamp=T(2024, 1, 9, 6, 14, 35),
        ),
    ),
    Case(
        "ecelerity-no-from-word-port-in-literal",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from ([192.0.2.94:50387] helo=mta.example.org)\n"
        "  by mx.example.net (ecelerity 2.1.1.3 r(11743)) with ESMTP\n"
        "  id 80/0A-02454-4DCB6054 for <bob@example.net>; Tue, 09 Jan 2024 09:57:40 -0400",
        dict(
            from_helo="mta.example.org",
            from_ip="192.0.2.94",
            from_port=50387,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="80/0A-02454-4DCB6054",
            envelope_for="bob@example.net",
            software=Prefix("ecelerity 2.1.1.3"),
            timestamp=T(2024, 1, 9, 13, 57, 40),
        ),
    ),
    Case(
        "xmail-ip-colon-port-and-from-sender",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from mail.example.org (192.0.2.95:23198)\n"
        "  by mx.example.net with [XMail 1.27 ESMTP Server]\n"
        "  id <S72E> for <bob@example.net> from <alice@example.org>;\n"
        "  Sat, 13 Jan 2024 23:17:54 -0500",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.95",
            from_port=23198,
            by_host="mx.example.net",
            protocol="[XMail 1.27 ESMTP Server]",
            queue_id="<S72E>",
            envelope_for="bob@example.net",
            envelope_from="alice@example.org",
            timestamp=T(2024, 1, 14, 4, 17, 54),
        ),
    ),
    Case(
        "obtuse-smtpd-claiming-to-be",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        'from host-7.example.net(198.51.100.96), claiming to be "mail.example.org"\n'
        " via SMTP by gw.example.com, id smtpd1PBsZT; Sun Jan 14 15:38:52 2024",
        dict(
            from_helo="mail.example.org",
            from_rdns="host-7.example.net",
            from_ip="198.51.100.96",
            by_host="gw.example.com",
            via="SMTP",
            queue_id="smtpd1PBsZT",
            timestamp=T(2024, 1, 14, 15, 38, 52),
        ),
    ),
    Case(
        "navgw-from-clause-in-comment",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "(from LAPTOP7 [203.0.113.97]) by gw.example.com (NAVGW 2.5.2.12) with SMTP\n"
        " id M2024011415284308595 for <bob@example.com>; Sun, 14 Jan 2024 15:28:45 +0100",
        dict(
            from_helo="LAPTOP7",
            from_ip="203.0.113.97",
            by_host="gw.example.com",
            protocol="SMTP",
            tls=False,
            queue_id="M2024011415284308595",
            envelope_for="bob@example.com",
            software="NAVGW 2.5.2.12",
            timestamp=T(2024, 1, 14, 14, 28, 45),
        ),
    ),
    Case(
        "gmx-rdns-ehlo-comment-literal-word",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        "from dsl-7.example.net (EHLO laptop7) [203.0.113.98]\n"
        "  by mail.example.com (mp033) with SMTP; 14 Jan 2024 19:06:20 +0100",
        dict(
            from_helo="laptop7",
            from_rdns="dsl-7.example.net",
            from_ip="203.0.113.98",
            by_host="mail.example.com",
            protocol="SMTP",
            tls=False,
            software="mp033",
            timestamp=T(2024, 1, 14, 18, 6, 20),
        ),
    ),
    Case(
        "gateway-product-name-as-by-domain",
        "Cisco/CommuniGate/Mimecast/Barracuda",
        # RFC 5321 §4.4 wants a domain after "by"; some gateways write their product name.
        # Irregular (a note in defects) but fully read: by_host is its first word.
        "from edge.corp.example.com (unknown [10.20.2.196]) by Acme Secure Mail Gateway with ESMTP\n"
        "\tid 7F01A2B3C4D5 for <dana@example.net>; Sun, 14 Jan 2024 09:45:14 +0100 (CET)",
        dict(
            from_helo="edge.corp.example.com",
            from_ip="10.20.2.196",
            by_host="Acme",
            protocol="ESMTP",
            tls=False,
            queue_id="7F01A2B3C4D5",
            envelope_for="dana@example.net",
            timestamp=T(2024, 1, 14, 8, 45, 14),
        ),
    ),
    # ----------------------------------------------------------------- Oddities ----
    Case(
        "odd-missing-semicolon",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.200])\n"
        "\tby mx.example.net (Postfix) with ESMTP id 4TBb1c2Dez20\n"
        "\tFri, 12 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.200",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2Dez20",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-zone-EST",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.201])\n"
        "\tby mx.example.net (8.14.4/8.14.4) with ESMTP id 40CA0b2c012360;\n"
        "\tFri, 12 Jan 2024 05:00:00 EST",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.201",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="40CA0b2c012360",
            software="8.14.4/8.14.4",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-zone-GMT",
        "Oddities",
        "from mail.example.org ([192.0.2.202]) by mx.example.net with SMTP; Fri, 12 Jan 2024 10:00:00 GMT",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.202",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-zone-UT",
        "Oddities",
        "from mail.example.org ([192.0.2.203]) by mx.example.net with SMTP; Fri, 12 Jan 2024 10:00:00 UT",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.203",
            by_host="mx.example.net",
            protocol="SMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-no-zone",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.204]) by mx.example.net (Postfix)"
        " with ESMTP id 4TBb1c2Dez24; Fri, 12 Jan 2024 10:00:00",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.204",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2Dez24",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-two-digit-year",
        "Oddities",
        "from mail.example.org ([192.0.2.205]) by mx.example.net with ESMTP id 0Abc12-0001aB-Cd;"
        " Fri, 12 Jan 24 10:00:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.205",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="0Abc12-0001aB-Cd",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-no-weekday-positive-offset",
        "Oddities",
        "from mail.example.org ([192.0.2.206]) by mx.example.net with ESMTP; 12 Jan 2024 11:00:00 +0100",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.206",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-fractional-seconds-rfc5322",
        "Oddities",
        "from mail.example.org ([192.0.2.207]) by mx.example.net with ESMTP id 7F3A;"
        " Fri, 12 Jan 2024 10:00:00.123456 +0000",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.207",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="7F3A",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-deeply-nested-comments-with-quotes",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.208])\n"
        "\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\n"
        '\t(Client CN "mail.example.org", Issuer "Example CA (Intermediate (R3))" (not verified))\n'
        "\tby mx.example.net (Postfix) with ESMTPS id 4TBb1c2Dez28\n"
        "\tfor <bob@example.net>; Fri, 12 Jan 2024 10:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.208",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=True,
            tls_version="TLSv1.2",
            tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
            tls_bits=256,
            queue_id="4TBb1c2Dez28",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-impossible-date",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.209]) by mx.example.net (Postfix)"
        " with ESMTP id 4TBb1c2Dez29; Fri, 32 Jan 2024 25:61:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.209",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2Dez29",
            software="Postfix",
            parsed=False,
        ),
    ),
    Case(
        "odd-field-name-included-crlf-folding",
        "Oddities",
        "Received: from mail.example.org (mail.example.org [192.0.2.210])\r\n"
        "        by mx.example.net (Postfix) with ESMTP id 4TBb1c2Dez30\r\n"
        "        for <bob@example.net>; Fri, 12 Jan 2024 10:00:00 +0000 (UTC)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.210",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="4TBb1c2Dez30",
            envelope_for="bob@example.net",
            software="Postfix",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-no-seconds-extra-spaces-long-zone-comment",
        "Oddities",
        "from mail.example.org ([192.0.2.211]) by mx.example.net with ESMTP id 9B2C;"
        "  Fri, 12 Jan 2024  10:00  +0000  (Coordinated Universal Time)",
        dict(
            from_helo="mail.example.org",
            from_ip="192.0.2.211",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="9B2C",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-trailing-semicolon-no-date",
        "Oddities",
        "by mx.example.net with SMTP id 4TBb1c2Dez32;",
        dict(by_host="mx.example.net", protocol="SMTP", tls=False, queue_id="4TBb1c2Dez32"),
    ),
    Case(
        "odd-semicolon-inside-trailing-comment",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.212]) by mx.example.net with ESMTP id 5C6D;"
        " Fri, 12 Jan 2024 10:00:00 +0000 (UTC; relayed)",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.212",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="5C6D",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-for-several-recipients",
        "Oddities",
        "from mail.example.org (mail.example.org [192.0.2.213]) by mx.example.net with ESMTP id 5C6E\n"
        "\tfor <bob@example.net>, <carol@example.net>; Fri, 12 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.213",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="5C6E",
            envelope_for="bob@example.net, carol@example.net",
            timestamp=T(2024, 1, 12, 10, 0),
        ),
    ),
    Case(
        "odd-port-glued-with-dot-in-literal",
        "Oddities",
        "from client.example.org ([192.0.2.99.63559]) by mx.example.net with esmtp (v3.35.1)\n"
        " id 1GNrLz-000295-00; Thu, 11 Jan 2024 09:34:07 -0400",
        dict(
            # Exim's $sender_rcvhost "NAME (ADDRESS)": NAME is the verified rDNS name, and
            # no "helo=" means the HELO name equalled it (Exim id, lower-case protocol).
            from_helo="client.example.org",
            from_rdns="client.example.org",
            from_ip="192.0.2.99",
            from_port=63559,
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="1GNrLz-000295-00",
            timestamp=T(2024, 1, 11, 13, 34, 7),
        ),
    ),
    Case(
        "odd-fetchmail-host-literal",
        "Oddities",
        "from pop.example.net [192.0.2.100]\n"
        "\tby localhost with POP3 (fetchmail-6.4.37)\n"
        "\tfor <bob@localhost> (single-drop); Sun, 14 Jan 2024 20:46:25 -0600 (CST)",
        dict(
            from_rdns="pop.example.net",
            from_ip="192.0.2.100",
            by_host="localhost",
            protocol="POP3",
            envelope_for="bob@localhost",
            software="fetchmail-6.4.37",
            timestamp=T(2024, 1, 15, 2, 46, 25),
        ),
    ),
    # ------------------------------------------- Older gateways seen in real archives ----
    Case(
        "zmailer-ehlo-quoted-with-port",
        "ZMailer",
        'from mail.example.org ([192.0.2.36]:7689 "EHLO mail.example.org")\n'
        "\tby lists.example.net with ESMTP id S262978AbVD2U6H\n"
        "\t(ORCPT <rfc822;list@lists.example.net>); Fri, 29 Apr 2005 16:58:07 -0400",
        dict(
            # ZMailer: the from-word is its reverse-DNS name, the quoted greeting the HELO.
            from_helo="mail.example.org",
            from_rdns="mail.example.org",
            from_ip="192.0.2.36",
            from_port=7689,
            by_host="lists.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="S262978AbVD2U6H",
            timestamp=T(2005, 4, 29, 20, 58, 7),
        ),
    ),
    Case(
        "zmailer-ipv6-mapped-rhost-flags",
        "ZMailer",
        'from relay.example.org ([IPv6:::ffff:192.0.2.2]:18436 "EHLO out.example.org"\n'
        "\trhost-flags-OK-OK-OK-FAIL) by lists.example.net with ESMTP id S1726828AbgGJMEX;\n"
        "\tFri, 10 Jul 2020 08:04:23 -0400",
        dict(
            from_helo="out.example.org",
            from_rdns="relay.example.org",
            from_ip="192.0.2.2",
            from_port=18436,
            by_host="lists.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="S1726828AbgGJMEX",
            timestamp=T(2020, 7, 10, 12, 4, 23),
        ),
    ),
    Case(
        "zmailer-ident-reply",
        "ZMailer",
        'from host.example.org ([198.51.100.5]:3672 "EHLO host.example.org" ident: "alice")\n'
        "\tby lists.example.net with ESMTP id <154411-19608>; Mon, 25 Jan 1999 17:20:00 -0500",
        dict(
            from_helo="host.example.org",
            from_rdns="host.example.org",
            from_ip="198.51.100.5",
            from_port=3672,
            ident="alice",
            by_host="lists.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="<154411-19608>",
            timestamp=T(1999, 1, 25, 22, 20),
        ),
    ),
    Case(
        "zmailer-ident-placeholder",
        "ZMailer",
        'from host.example.org ([198.51.100.6]:3673 "HELO pc17" ident: "NO-IDENT-SERVICE[2]")\n'
        "\tby lists.example.net with SMTP id <154412-19608>; Mon, 25 Jan 1999 17:21:00 -0500",
        dict(
            # what ZMailer writes when the client runs no ident server is not a user
            from_helo="pc17",
            from_rdns="host.example.org",
            from_ip="198.51.100.6",
            from_port=3673,
            by_host="lists.example.net",
            protocol="SMTP",
            tls=False,
            queue_id="<154412-19608>",
            timestamp=T(1999, 1, 25, 22, 21),
        ),
    ),
    Case(
        "sims-quoted-ident",
        "Sun SIMS",
        'from ws1.example.org ("port 34611"@ws1.example.org [192.0.2.33])\n'
        " by mail.example.net (Sun Internet Mail Server sims.3.5.1999.01.13.19.49)\n"
        " with ESMTP id <0FHH00F0P1X6SZ@mail.example.net> for bob@example.net;\n"
        " Fri, 29 Apr 2005 16:58:07 -0400",
        dict(
            from_helo="ws1.example.org",
            from_rdns="ws1.example.org",
            from_ip="192.0.2.33",
            ident="port 34611",
            by_host="mail.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="<0FHH00F0P1X6SZ@mail.example.net>",
            envelope_for="bob@example.net",
            software="Sun Internet Mail Server sims.3.5.1999.01.13.19.49",
            timestamp=T(2005, 4, 29, 20, 58, 7),
        ),
    ),
    Case(
        "groupwise-not-encrypted",
        "GroupWise",
        "from gwia.example.org ([192.0.2.44]) by gw.example.net with ESMTP (NOT encrypted);\n"
        "\tMon, 15 Jan 2024 10:00:00 +0100",
        dict(
            from_helo="gwia.example.org",
            from_ip="192.0.2.44",
            by_host="gw.example.net",
            protocol="ESMTP",
            tls=False,
            timestamp=T(2024, 1, 15, 9, 0),
        ),
    ),
    Case(
        "odd-tls-not-used-without-protocol",
        "Oddities",
        "from a.example.org (a.example.org [192.0.2.45]) by mx.example.net (TLS not used) id 7F1;\n"
        "\tMon, 15 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="a.example.org",
            from_rdns="a.example.org",
            from_ip="192.0.2.45",
            by_host="mx.example.net",
            tls=False,
            queue_id="7F1",
            timestamp=T(2024, 1, 15, 10, 0),
        ),
    ),
    Case(
        "odd-no-tls-beats-s-protocol",
        "Oddities",
        "from a.example.org (a.example.org [192.0.2.47]) by mx.example.net with ESMTPS (no TLS) id 7F2;\n"
        "\tMon, 15 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="a.example.org",
            from_rdns="a.example.org",
            from_ip="192.0.2.47",
            by_host="mx.example.net",
            protocol="ESMTPS",
            tls=False,
            queue_id="7F2",
            timestamp=T(2024, 1, 15, 10, 0),
        ),
    ),
    Case(
        "fetchmail-imap-single-drop",
        "fetchmail",
        "from imap.example.net [192.0.2.15]\n"
        "\tby localhost with IMAP (fetchmail-5.7.4)\n"
        "\tfor bob@localhost (single-drop); Thu, 06 Dec 2001 09:21:06 -0000 (GMT)",
        dict(
            from_rdns="imap.example.net",
            from_ip="192.0.2.15",
            by_host="localhost",
            protocol="IMAP",
            envelope_for="bob@localhost",
            software="fetchmail-5.7.4",
            timestamp=T(2001, 12, 6, 9, 21, 6),
        ),
    ),
    Case(
        "fetchmail-pop3-polling",
        "fetchmail",
        "from pop.example.net [192.0.2.16]\n"
        "\tby localhost with POP3 (fetchmail-5.9.11 polling pop.example.net account bob)\n"
        "\tfor bob@localhost (single-drop); Wed, 17 Jul 2002 15:50:27 -0700 (PDT)",
        dict(
            from_rdns="pop.example.net",
            from_ip="192.0.2.16",
            by_host="localhost",
            protocol="POP3",
            envelope_for="bob@localhost",
            software="fetchmail-5.9.11",
            timestamp=T(2002, 7, 17, 22, 50, 27),
        ),
    ),
    Case(
        "imail-smtpd32-helo-literal",
        "IMail",
        "from oemcomputer [192.0.2.195] by mail.example.net (SMTPD32-7.07) id A4CE7F2A0166;\n"
        "\tSat, 01 Feb 2003 21:39:10 -0500",
        dict(
            # SMTPD32 writes the HELO name before the address (no lookup of its own)
            from_helo="oemcomputer",
            from_ip="192.0.2.195",
            by_host="mail.example.net",
            queue_id="A4CE7F2A0166",
            software="SMTPD32-7.07",
            timestamp=T(2003, 2, 2, 2, 39, 10),
        ),
    ),
    Case(
        "mdaemon-helo-literal-by-literal",
        "MDaemon",
        "from acecomms [192.0.2.95] by mailscan.example.net [192.0.2.27] with SMTP (MDaemon.PRO.v5.0.6.R)\n"
        "\tfor <bob@example.net>; Fri, 21 Feb 2003 09:32:27 +1000",
        dict(
            from_helo="acecomms",
            from_ip="192.0.2.95",
            by_host="mailscan.example.net",
            by_ip="192.0.2.27",
            protocol="SMTP",
            tls=False,
            envelope_for="bob@example.net",
            software="MDaemon.PRO.v5.0.6.R",
            timestamp=T(2003, 2, 20, 23, 32, 27),
        ),
    ),
    Case(
        "sendmail-ident-tag",
        "Sendmail",
        "from localhost (IDENT:nobody@localhost [127.0.0.1])\n"
        "\tby mail.example.net (8.9.3/8.9.3) with ESMTP id LAA01234 for <bob@example.net>;\n"
        "\tMon, 15 Jan 2024 10:00:00 +0000",
        dict(
            from_helo="localhost",
            from_rdns="localhost",
            from_ip="127.0.0.1",
            ident="nobody",
            by_host="mail.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="LAA01234",
            envelope_for="bob@example.net",
            software="8.9.3/8.9.3",
            timestamp=T(2024, 1, 15, 10, 0),
        ),
    ),
    Case(
        "nemesis-node-note",
        "Nemesis",
        "from client.example.org (client.example.org [192.0.2.206]) by mx.example.net (node=mxbap2)\n"
        "\twith ESMTP (Nemesis) id 0MKpdM-1CkRpr14PF-000608; Fri, 31 Dec 2004 19:49:15 +0100",
        dict(
            from_helo="client.example.org",
            from_rdns="client.example.org",
            from_ip="192.0.2.206",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="0MKpdM-1CkRpr14PF-000608",
            software="Nemesis",
            timestamp=T(2004, 12, 31, 18, 49, 15),
        ),
    ),
    Case(
        "iis-mail-pickup-service",
        "Exchange",
        "from mail pickup service by mail.example.net with Microsoft SMTPSVC;\n\tThu, 13 Feb 2003 19:05:39 -0500",
        dict(
            # the pickup directory, not a client: nothing in the from slots
            by_host="mail.example.net",
            protocol="Microsoft SMTPSVC",
            software="Microsoft SMTPSVC",
            timestamp=T(2003, 2, 14, 0, 5, 39),
        ),
    ),
    Case(
        "odd-twelve-hour-clock",
        "Oddities",
        "from a.example.org (a.example.org [192.0.2.48]) by mx.example.net with ESMTP id 7F3;\n\t18 Feb 01 12:29:13 AM",
        dict(
            from_helo="a.example.org",
            from_rdns="a.example.org",
            from_ip="192.0.2.48",
            by_host="mx.example.net",
            protocol="ESMTP",
            tls=False,
            queue_id="7F3",
            timestamp=T(2001, 2, 18, 0, 29, 13),  # 12 AM is midnight; no zone: read as UTC
        ),
    ),
]
