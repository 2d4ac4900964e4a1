#!/usr/bin/env python3
"""Regenerate the bundled synthetic mail corpus in ``sample_mail/``.

Run from the repository root, with the project's virtualenv (dkimpy, authres,
cryptography)::

    .venv/bin/python sample_mail/generate.py

It deletes and rewrites, byte for byte, everything it owns:

* ``eml/*.eml``              one message per MTA dialect / forensic scenario
* ``expected.json``          ground truth: every hop of every ``eml/`` file, oldest first
* ``export.mbox``            mboxrd export, 64 messages
* ``export-crlf-cl.mbox``    mboxcl2 export (CRLF, ``Content-Length:``), 5 messages
* ``Maildir/{cur,new,tmp}``  7 messages (``tmp/`` is created empty; git does not keep it)

and creates the sample-only signing keys in ``keys/`` that are missing (never replacing one
that exists: see ``keys/README.md``). The DNS of the samples — including the public halves
of those keys — is written by ``make_evidence.py``: run it after this script.

The output is deterministic: there is no clock and no unseeded randomness, every date
is fixed (2024, except the deliberately wrong 2031 hop), and identifiers are derived
from SHA-256 of fixed strings. Running it twice gives identical bytes. The DKIM
signatures and ARC seals of samples 29-34 are made with dkimpy, as a signing MTA would,
with its clock pinned to the signing hop's time (``t=``); RSA PKCS#1 v1.5 and Ed25519
signatures are deterministic, so with the committed keys they come out identical too.

Every address is from the documentation ranges (RFC 5737 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24; RFC 3849 2001:db8::/32), or private / loopback / link-local where an
internal hop would use one. Every name is under example.com / example.net / example.org
(RFC 2606) or the reserved ``.example`` / ``.test`` TLDs (RFC 2606, RFC 6761). Provider
look-alikes (``google.example``, ``outlook.example``...) only mimic the *format* of those
providers' trace fields.

The Received texts are written by one small renderer per MTA dialect below; each
renderer also returns the hop's meaning (HELO, rDNS, IP, by-host, protocol, TLS, for,
time), which is what goes into ``expected.json``. The rules for those fields are in
``README.md``.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import random
import re
import shutil
import struct
import types
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HERE = Path(__file__).resolve().parent
UTC = timezone.utc

DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Zone abbreviations some MTAs add as a comment after the offset.
TZN = {0: "UTC", 60: "CET", 120: "EET", -300: "EST", -360: "CST", -480: "PST", 330: "IST", 540: "JST"}


# ---------------------------------------------------------------------------------------
# Deterministic helpers
# ---------------------------------------------------------------------------------------
def T(text: str) -> datetime:
    """``"2024-01-12 10:00:03"`` (UTC) → aware datetime."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def hid(seed: str, n: int, alphabet: str = "0123456789abcdef") -> str:
    """A random-looking but fixed identifier derived from ``seed``."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}#{i}".encode()).digest()
        i += 1
        out.extend(alphabet[b % len(alphabet)] for b in digest)
    return "".join(out[:n])


ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B64ISH = ALNUM + "-_"
PF_LONG = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"  # Postfix long queue ids


def pf_long(seed: str) -> str:
    return "4T" + hid(seed, 11, PF_LONG)


def pf_short(seed: str) -> str:
    return hid(seed, 10, "0123456789ABCDEF")


def fmt_date(
    ts: datetime,
    off: int = 0,
    day: str = "none",
    zc: str | None = None,
    *,
    weekday: bool = True,
    frac: str = "",
    zone: str | None = None,
) -> str:
    """RFC 5322 date of ``ts`` as a host at UTC offset ``off`` minutes writes it.

    ``day``: "none" (``2``), "space" (`` 2``, Postfix), "zero" (``02``).
    """
    local = ts + timedelta(minutes=off)
    dd = {"none": str(local.day), "space": f"{local.day:2d}", "zero": f"{local.day:02d}"}[day]
    if zone is None:
        sign = "-" if off < 0 else "+"
        zone = f"{sign}{abs(off) // 60:02d}{abs(off) % 60:02d}"
    text = f"{dd} {MON[local.month - 1]} {local.year} {local:%H:%M:%S}{frac} {zone}"
    if weekday:
        text = f"{DOW[local.weekday()]}, {text}"
    if zc:
        text += f" ({zc})"
    return text


def asctime(ts: datetime) -> str:
    """mbox ``From_`` line date: ``Mon Jan  1 12:00:00 2024`` (UTC)."""
    return f"{DOW[ts.weekday()]} {MON[ts.month - 1]} {ts.day:2d} {ts:%H:%M:%S} {ts.year}"


def canon_ip(text: str | None) -> str | None:
    if text is None:
        return None
    addr = ipaddress.ip_address(text.split("%")[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def lit(ip: str) -> str:
    """Address literal body as Postfix / Sendmail write it."""
    return f"IPv6:{ip}" if ":" in ip else ip


# ---------------------------------------------------------------------------------------
# One hop = one Received field, with what it means
# ---------------------------------------------------------------------------------------
_RFC3848 = {
    "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA", "LMTP", "LMTPA", "LMTPS", "LMTPSA",
    "SMTPS", "HTTP", "HTTPS", "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA",
}  # fmt: skip
_TLS_PROTOCOLS = {"ESMTPS", "ESMTPSA", "SMTPS", "HTTPS", "LMTPS", "LMTPSA", "UTF8SMTPS", "UTF8SMTPSA"}


def norm_protocol(written: str | None) -> str | None:
    if written is None:
        return None
    if written.upper() in _RFC3848:
        return written.upper()
    if written.lower() == "mapi":
        return "MAPI"
    return written


def tls_of(protocol: str | None, tls_comment: bool) -> bool | None:
    """The ``tls`` rule of expected.json (see README)."""
    if tls_comment:
        return True
    if protocol is None or protocol in ("MAPI", "local", "HTTP"):
        return None  # "with HTTP" is written for HTTPS requests too (webmail, APIs)
    return protocol in _TLS_PROTOCOLS


@dataclass
class Hop:
    text: str  # the field value, folded with "\n" + WSP, without "Received: "
    ts: datetime | None
    helo: str | None = None
    rdns: str | None = None
    ip: str | None = None
    by: str | None = None
    proto: str | None = None  # as written
    tls_comment: bool = False
    rcpt: str | None = None
    above: list[tuple[str, str]] = field(default_factory=list)  # fields added with it
    unparseable: bool = False

    def expected(self, index: int) -> dict[str, object]:
        if self.unparseable:
            return {"received_index": index, "unparseable": True}
        protocol = norm_protocol(self.proto)
        return {
            "received_index": index,
            "from_helo": self.helo,
            "from_rdns": self.rdns,
            "from_ip": canon_ip(self.ip),
            "by_host": self.by,
            "protocol": protocol,
            "tls": tls_of(protocol, self.tls_comment),
            "envelope_for": self.rcpt,
            "timestamp": self.ts.strftime("%Y-%m-%dT%H:%M:%SZ") if self.ts else None,
        }


TLS13 = ("TLSv1.3", "TLS_AES_256_GCM_SHA384", 256)
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", 256)


# ---------------------------------------------------------------------------------------
# Dialect renderers. Each returns a Hop; formats follow what the software writes.
# ---------------------------------------------------------------------------------------
def postfix(
    *,
    by: str,
    ts: datetime,
    off: int = 0,
    helo: str | None = None,
    rdns: str | None = None,
    ip: str | None = None,
    proto: str | None = "ESMTP",
    tls: tuple[str, str, int] | None = None,
    client_note: str | None = None,
    auth: str | None = None,
    rcpt: str | None = None,
    userid: int | None = None,
    qid: str,
    ind: str = "\t",
    zc: str | None = None,
) -> Hop:
    """Postfix smtpd: ``from HELO (RDNS [IP])`` (RDNS ``unknown`` when absent)."""
    parts: list[str] = []
    if helo is not None:
        assert ip is not None
        parts.append(f"from {helo} ({rdns or 'unknown'} [{lit(ip)}])")
        if tls:
            ver, cipher, bits = tls
            if ver == "TLSv1.3":
                parts.append(
                    f"(using {ver} with cipher {cipher} ({bits}/{bits} bits)\n"
                    f"{ind} key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)"
                )
            else:
                parts.append(f"(using {ver} with cipher {cipher} ({bits}/{bits} bits))")
            parts.append(client_note or "(No client certificate requested)")
        if auth:
            parts.append(f"(Authenticated sender: {auth})")
    software = "Postfix" + (f", from userid {userid}" if userid is not None else "")
    date = fmt_date(ts, off, "space", zc or TZN.get(off))
    if proto:
        parts.append(f"by {by} ({software}) with {proto} id {qid}")
        if rcpt:
            parts.append(f"for <{rcpt}>; {date}")
        else:
            parts[-1] += ";"
            parts.append(date)
    else:  # pickup / bounce: no "with" clause
        parts.append(f"by {by} ({software})")
        if rcpt:
            parts.append(f"id {qid}")
            parts.append(f"for <{rcpt}>; {date}")
        else:
            parts.append(f"id {qid}; {date}")
    return Hop(
        text=f"\n{ind}".join(parts), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto=proto,
        tls_comment=bool(tls), rcpt=rcpt,
    )  # fmt: skip


def sendmail(
    *,
    by: str,
    ts: datetime,
    off: int = 0,
    helo: str,
    rdns: str | None,
    ip: str,
    proto: str = "ESMTPS",
    tls: tuple[str, str, int] | None = TLS13,
    verify: str = "NOT",
    forged: bool = False,
    rcpt: str | None = None,
    version: str = "8.17.1/8.17.1",
    qid: str,
) -> Hop:
    """Sendmail: ``from HELO (RDNS [IP] (may be forged))``, TLS details after the id."""
    tcp = f"{rdns} [{lit(ip)}]" if rdns else f"[{lit(ip)}]"
    if forged:
        tcp += " (may be forged)"
    lines = [f"from {helo} ({tcp})", f"by {by} ({version}) with {proto} id {qid}"]
    if tls:
        lines.append(f"(version={tls[0]} cipher={tls[1]} bits={tls[2]} verify={verify})")
    date = fmt_date(ts, off, "none")
    if rcpt:
        lines.append(f"for <{rcpt}>; {date}")
    else:
        lines[-1] += ";"
        lines.append(date)
    return Hop(
        text="\n\t".join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto=proto,
        tls_comment=bool(tls), rcpt=rcpt,
    )  # fmt: skip


def sendmail_submit(*, by: str, ts: datetime, off: int, user: str, qid: str, version: str) -> Hop:
    """Sendmail MSP (``sendmail -t`` run by a local user): no from clause, no with."""
    text = f"(from {user}@localhost)\n\tby {by} ({version}/Submit) id {qid};\n\t{fmt_date(ts, off)}"
    return Hop(text=text, ts=ts, by=by)


def exim(
    *,
    by: str,
    ts: datetime,
    off: int = 0,
    ip: str,
    port: int | None = None,
    rdns: str | None = None,
    helo: str | None = None,
    proto: str = "esmtps",
    tls: tuple[str, str] | None = ("TLS1.3", "TLS_AES_256_GCM_SHA384"),
    old_tls: str | None = None,
    version: str = "4.96",
    env_from: str,
    rcpt: str | None = None,
    eid: str,
) -> Hop:
    """Exim: ``from RDNS ([IP]:port helo=HELO)`` (no helo= when HELO == RDNS), or
    ``from [IP] (port=N helo=HELO)`` when there is no verified host name.

    ``old_tls`` gives the Exim <= 4.93 layout (``with esmtps (TLS1.2:CIPHER:256)``, the
    date on the id line); otherwise the 4.94+ layout (``(TLS1.3) tls CIPHER``).
    """
    if rdns:
        inner = f"[{ip}]" + (f":{port}" if port else "")
        if helo and helo != rdns:
            inner += f" helo={helo}"
        first = f"from {rdns} ({inner})"
        helo_meant = helo or rdns
    else:
        kv = ([f"port={port}"] if port else []) + ([f"helo={helo}"] if helo else [])
        first = f"from [{ip}]" + (f" ({' '.join(kv)})" if kv else "")
        helo_meant = helo
    date = fmt_date(ts, off, "zero")
    if old_tls is not None or (version.startswith("4.9") and version < "4.94"):
        lines = [first]
        lines.append(f"by {by} with {proto}" + (f" ({old_tls})" if old_tls else ""))
        lines.append(f"(Exim {version}) (envelope-from <{env_from}>)")
        if rcpt:
            lines.append(f"id {eid}")
            lines.append(f"for {rcpt}; {date}")
        else:
            lines.append(f"id {eid}; {date}")
        text = "\n ".join(lines)
    else:
        if tls:
            lines = [first, f"by {by} with {proto}  ({tls[0]}) tls {tls[1]}", f"(Exim {version})"]
        else:
            lines = [first, f"by {by} with {proto} (Exim {version})"]
        lines += [f"(envelope-from <{env_from}>)", f"id {eid}"]
        if rcpt:
            lines.append(f"for {rcpt};")
        else:
            lines[-1] += ";"
        lines.append(date)
        text = "\n\t".join(lines)
    return Hop(
        text=text, ts=ts, helo=helo_meant, rdns=rdns, ip=ip, by=by, proto=proto,
        tls_comment=bool(tls or old_tls), rcpt=rcpt,
    )  # fmt: skip


def qmail_date(ts: datetime) -> str:
    return fmt_date(ts, 0, "none", weekday=False, zone="-0000")


def qmail(*, by: str, ts: datetime, ip: str, rdns: str | None, helo: str | None, proto: str = "SMTP") -> Hop:
    """qmail-smtpd: ``from RDNS (HELO helo) (IP)``; RDNS ``unknown`` when there is none;
    no ``(HELO ...)`` part when the HELO name equals the RDNS name."""
    text = f"from {rdns or 'unknown'}"
    if helo is not None and helo != rdns:
        text += f" (HELO {helo})"
    text += f" ({ip})\n  by {by} with {proto}; {qmail_date(ts)}"
    return Hop(text=text, ts=ts, helo=helo if helo is not None else rdns, rdns=rdns, ip=ip, by=by, proto=proto)


def qmail_invoked(*, pid: int, what: str, ts: datetime) -> Hop:
    """qmail-queue's own line: ``(qmail 1234 invoked by uid 89)``."""
    return Hop(text=f"(qmail {pid} invoked {what}); {qmail_date(ts)}", ts=ts)


def ms_fold(value: str, width: int = 78) -> str:
    """Fold like Exchange/Outlook: greedy at ``width`` (counting ``Received: ``), any space."""
    words = value.split(" ")
    lines: list[str] = []
    current = "Received:"
    for word in words:
        if len(current) + 1 + len(word) > width and current not in ("Received:",):
            lines.append(current)
            current = " " + word
        else:
            current += " " + word
    lines.append(current)
    return "\n".join(lines)[len("Received: ") :]


def exchange(
    *,
    helo: str,
    ip: str,
    by: str,
    by_ip: str,
    ts: datetime,
    off: int = 0,
    tls: tuple[str, str] | None = ("TLS1_2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    build: str,
    frontend: bool = False,
) -> Hop:
    """Exchange / Exchange Online: ``from HELO (IP) by HOST (IP) with Microsoft SMTP Server``."""
    text = f"from {helo} ({ip}) by {by} ({by_ip}) with Microsoft SMTP Server"
    if tls:
        text += f" (version={tls[0]}, cipher={tls[1]})"
    text += f" id {build}"
    if frontend:
        text += " via Frontend Transport"
    text += "; " + fmt_date(ts, off)
    return Hop(
        text=ms_fold(text), ts=ts, helo=helo, ip=ip, by=by, proto="Microsoft SMTP Server",
        tls_comment=bool(tls),
    )  # fmt: skip


def mapi(*, host: str, ll: str, scope: int, ts: datetime, off: int = 0, build: str, word: str = "mapi") -> Hop:
    """Outlook → mailbox server over MAPI: the message's first Received field."""
    text = f"from {host} ([{ll}]) by {host} ([{ll}%{scope}]) with {word} id {build}; {fmt_date(ts, off)}"
    return Hop(text=ms_fold(text), ts=ts, helo=host, ip=ll, by=host, proto=word)


G8 = "\n        "  # Google folds with 8 spaces


def gmail_submit(*, helo: str, rdns: str | None, ip: str, by: str, qid: str, rcpt: str, ts: datetime, off: int) -> Hop:
    tcp = f"{rdns}. [{ip}]" if rdns else f"[{ip}]"
    lines = [
        f"from {helo} ({tcp})",
        f"by {by} with ESMTPSA id {qid}",
        f"for <{rcpt}>",
        "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);",
        fmt_date(ts, off, "zero", TZN.get(off)),
    ]
    return Hop(
        text=G8.join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto="ESMTPSA",
        tls_comment=True, rcpt=rcpt,
    )  # fmt: skip


def gmail_smtps(*, helo: str, rdns: str, ip: str, by: str, qid: str, rcpt: str, ts: datetime, off: int) -> Hop:
    lines = [
        f"from {helo} ({rdns}. [{ip}])",
        f"by {by} with SMTPS id {qid}",
        f"for <{rcpt}>",
        "(Google Transport Security);",
        fmt_date(ts, off, "zero", TZN.get(off)),
    ]
    return Hop(
        text=G8.join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto="SMTPS",
        tls_comment=True, rcpt=rcpt,
    )  # fmt: skip


def gmail_by(*, by: str, qid: str, ts: datetime, off: int, rcpt: str | None = None) -> Hop:
    date = fmt_date(ts, off, "zero", TZN.get(off))
    tail = f"{G8}for <{rcpt}>; {date}" if rcpt else f";{G8}{date}"
    text = f"by {by} with SMTP id {qid}{tail}"
    return Hop(text=text, ts=ts, by=by, proto="SMTP", rcpt=rcpt)


def http_origin(*, frm: str | None, by: str, ts: datetime, off: int = 0, day: str = "zero") -> Hop:
    """Webmail / API origin (Yahoo, Mailgun): ``[from NAME] by HOST with HTTP; date``."""
    text = (f"from {frm} " if frm else "") + f"by {by} with HTTP; {fmt_date(ts, off, day)}"
    return Hop(text=text, ts=ts, helo=frm, by=by, proto="HTTP")


def sendgrid_api(*, account: str, by: str, sgid: str, ts: datetime, ms: int) -> Hop:
    """SendGrid API intake: no ``;`` before the date, milliseconds in the time."""
    date = fmt_date(ts, 0, "zero", "UTC", frac=f".{ms:03d}")
    text = f"from {account} (unknown)\n\tby {by} (SG) with HTTP\n\tid {sgid}\n\t{date}"
    return Hop(text=text, ts=ts, helo=account, by=by, proto="HTTP")


def sendgrid_filter(*, by: str, ts: datetime, ns: int, uptime: str) -> Hop:
    """SendGrid filter hop: Go's ``time.Time.String()`` date, no ``;``."""
    stamp = f"{int(ts.timestamp()):X}"
    date = f"{ts:%Y-%m-%d %H:%M:%S}.{ns:09d} +0000 UTC m=+{uptime}"
    text = f"by {by} with SMTP id {by}-1-{stamp}-2A\n\t{date}"
    return Hop(text=text, ts=ts, by=by, proto="SMTP")


def haraka(*, helo: str, rdns: str, ip: str, by: str, ts: datetime, off: int, uuid: str, env_from: str) -> Hop:
    """Haraka 3: envelope-from and the TLS cipher as bare words before the ``;``."""
    lines = [
        f"from {helo} ({rdns} [{ip}])",
        f"by {by} (Haraka/3.0.2) with ESMTPS id {uuid}",
        f"envelope-from <{env_from}>",
        "tls TLS_AES_256_GCM_SHA384;",
        fmt_date(ts, off, "zero"),
    ]
    return Hop(text="\n\t".join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto="ESMTPS", tls_comment=True)


def opensmtpd(
    *, helo: str, rdns: str, ip: str, by: str, ts: datetime, off: int, sid: str, proto: str, rcpt: str | None
) -> Hop:
    lines = [
        f"from {helo} ({rdns} [{ip}])",
        f"by {by} (OpenSMTPD) with {proto} id {sid} (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)",
    ]
    if rcpt:
        lines.append(f"for <{rcpt}>;")
    else:
        lines[-1] += ";"
    lines.append(fmt_date(ts, off, "none", TZN.get(off)))
    return Hop(
        text="\n\t".join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto=proto,
        tls_comment=True, rcpt=rcpt,
    )  # fmt: skip


def courier(
    *, helo: str, rdns: str, ip: str, by: str, ts: datetime, off: int, cid: str, auth_user: str | None = None
) -> Hop:
    """Courier: IPv4 written as IPv4-mapped IPv6; the ``id`` comes *after* the date."""
    tls = "TLS: TLSv1.3,256bits,TLS_AES_256_GCM_SHA384"
    comment = f"(AUTH: PLAIN {auth_user}, {tls})" if auth_user else f"({tls})"
    proto = "ESMTPSA" if auth_user else "ESMTPS"
    lines = [
        f"from {helo} ({rdns}",
        f"[::ffff:{ip}])",
        comment,
        f"by {by} with {proto}; {fmt_date(ts, off, 'zero')}",
        f"id {cid}",
    ]
    return Hop(text="\n  ".join(lines), ts=ts, helo=helo, rdns=rdns, ip=ip, by=by, proto=proto, tls_comment=True)


def domino(*, helo: str, ip: str, by: str, ts: datetime, off: int, release: str) -> Hop:
    """Lotus Domino: ``from HELO ([IP])``, an id from the local time, ``" ;"`` and a
    trailing space after the date."""
    local = ts + timedelta(minutes=off)
    digits = "0123456789"
    did = f"{local:%Y%m%d%H%M%S}{hid(helo + str(ts), 2, digits)}-{int(hid(by + str(ts), 5, digits))}"
    ind = "\n          "
    text = ind.join(
        [
            f"from {helo} ([{ip}])",
            f"by {by} (Lotus Domino Release {release})",
            f"with ESMTP id {did} ;",
            f"{fmt_date(ts, off)} ",
        ]
    )
    return Hop(text=text, ts=ts, helo=helo, ip=ip, by=by, proto="ESMTP")


def mdaemon(*, helo: str, by: str, by_ip: str, ts: datetime, off: int, mid: str, proto: str = "ESMTPSA") -> Hop:
    """MDaemon: ``from HELO by HOST (IP) (MDaemon ...)`` — no client address in the field."""
    text = f"from {helo} by {by} ({by_ip}) (MDaemon PRO v23.5.2) \n\twith {proto} id {mid}; {fmt_date(ts, off, 'zero')}"
    return Hop(text=text, ts=ts, helo=helo, by=by, proto=proto)


def amavis(*, helo: str, host: str, ts: datetime, off: int, port: int, aid: str, ind: str = "\t") -> Hop:
    """amavisd-new re-injection hop: ``by localhost (HOST [127.0.0.1]) (amavisd-new, port N)``."""
    text = (
        f"from {helo} ([127.0.0.1])\n{ind}by localhost ({host} [127.0.0.1]) (amavisd-new, port {port})\n"
        f"{ind}with ESMTP id {aid}; {fmt_date(ts, off, 'space', TZN.get(off))}"
    )
    return Hop(text=text, ts=ts, helo=helo, ip="127.0.0.1", by="localhost", proto="ESMTP")


def dovecot(
    *,
    by: str = "imap.corp.example.net",
    helo: str = "mx1.example.net",
    ip: str = "10.0.0.25",
    ts: datetime,
    env_from: str,
    rcpt: str,
    did: str,
    original: str | None = None,
) -> Hop:
    """Dovecot LMTP final delivery. Adds Return-Path and Delivered-To above itself."""
    text = "\n\t".join(
        [
            f"from {helo} ([{ip}])",
            f"by {by} with LMTP",
            f"id {did}",
            f"(envelope-from <{env_from}>)",
            f"for <{rcpt}>; {fmt_date(ts, 0, 'zero')}",
        ]
    )
    hop = Hop(text=text, ts=ts, helo=helo, ip=ip, by=by, proto="LMTP", rcpt=rcpt)
    hop.above = [("Return-Path", f"<{env_from}>"), ("Delivered-To", rcpt)]
    return hop


def spf_line(*, ip: str, helo: str, env_from: str, rcpt: str, result: str = "Pass") -> tuple[str, str]:
    return (
        "Received-SPF",
        f"{result} (mailfrom) identity=mailfrom; client-ip={ip}; helo={helo}; "
        f"envelope-from={env_from}; receiver={rcpt}",
    )


def mx_in(
    *,
    mx: str = "mx1",
    ts: datetime,
    helo: str,
    rdns: str | None,
    ip: str,
    rcpt: str,
    env_from: str,
    tls: tuple[str, str, int] | None = TLS13,
    client_note: str | None = None,
    spf: str | None = "Pass",
    seed: str,
) -> Hop:
    """example.net's internet-facing Postfix MX (policyd-spf prepends Received-SPF)."""
    hop = postfix(
        by=f"{mx}.example.net", ts=ts, helo=helo, rdns=rdns, ip=ip, proto="ESMTPS" if tls else "ESMTP",
        tls=tls, client_note=client_note, rcpt=rcpt, qid=pf_long(seed + mx),
    )  # fmt: skip
    if spf:
        hop.above = [spf_line(ip=ip, helo=helo, env_from=env_from or "<>", rcpt=rcpt, result=spf)]
    return hop


def to_lmtp(*, ts: datetime, env_from: str, rcpt: str, seed: str, mx: str = "mx1") -> Hop:
    ip = {"mx1": "10.0.0.25", "mx2": "10.0.0.26", "inbound": "10.0.0.30"}[mx]
    return dovecot(
        helo=f"{mx}.example.net", ip=ip, ts=ts, env_from=env_from, rcpt=rcpt, did=hid(seed + "lmtp", 22, ALNUM + "+/")
    )


# ---------------------------------------------------------------------------------------
# MIME building blocks
# ---------------------------------------------------------------------------------------
def b64_body(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n"


def qp_body(text: str) -> str:
    import quopri

    return quopri.encodestring(text.encode("utf-8")).decode("ascii").replace("\r\n", "\n")


def multipart(boundary: str, parts: list[tuple[list[tuple[str, str]], str]], preamble: str | None = None) -> str:
    out = f"{preamble}\n\n" if preamble else ""
    for headers, body in parts:
        out += f"--{boundary}\n" + "".join(f"{n}: {v}\n" for n, v in headers) + "\n" + body
        if not body.endswith("\n"):
            out += "\n"
        out += "\n"
    return out + f"--{boundary}--\n"


def png_bytes(width: int, height: int, seed: str) -> bytes:
    """A small, valid RGB PNG whose pixels come from ``seed``."""
    raw = b""
    for y in range(height):
        row = bytes(int(c, 16) * 16 for c in hid(f"{seed}{y}", width * 3))
        raw += b"\x00" + row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A minimal one-page PDF with a correct xref table."""
    text = (
        "BT /F1 11 Tf 72 760 Td 14 TL "
        + " ".join(
            "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for ln in [title, "", *lines]
        )
        + " ET"
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + title.encode("latin-1") + b") /Producer (sample_mail/generate.py) "
        b"/CreationDate (D:20240101000000Z) >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def attachment(filename: str, ctype: str, data: bytes) -> tuple[list[tuple[str, str]], str]:
    return (
        [
            ("Content-Type", f'{ctype}; name="{filename}"'),
            ("Content-Disposition", f'attachment; filename="{filename}"'),
            ("Content-Transfer-Encoding", "base64"),
        ],
        b64_body(data),
    )


def text_part(text: str, charset: str = "UTF-8", extra: str = "") -> tuple[list[tuple[str, str]], str]:
    return ([("Content-Type", f"text/plain; charset={charset}{extra}"), ("Content-Transfer-Encoding", "7bit")], text)


def html_part(html: str) -> tuple[list[tuple[str, str]], str]:
    return (
        [("Content-Type", "text/html; charset=UTF-8"), ("Content-Transfer-Encoding", "quoted-printable")],
        qp_body(html),
    )


def html_of(text: str) -> str:
    paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>\n" for p in text.strip().split("\n\n"))
    head = '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
    return f"<html>\n{head}\n<body>\n{paras}</body>\n</html>\n"


# ---------------------------------------------------------------------------------------
# A message: trace fields from its hops, then the originator's fields, then the body
# ---------------------------------------------------------------------------------------
@dataclass
class Mail:
    name: str
    hops: list[Hop]  # oldest first
    headers: list[tuple[str, str]]  # as the originating client wrote them, in order
    body: str
    eol: str = "\n"
    top: list[tuple[str, str]] = field(default_factory=list)  # above the newest hop's fields

    def render(self) -> bytes:
        lines = [f"{n}: {v}" for n, v in self.top]
        for hop in reversed(self.hops):
            lines += [f"{n}: {v}" for n, v in hop.above]
            lines.append(f"Received: {hop.text}")
        lines += [f"{n}: {v}" for n, v in self.headers]
        text = "\n".join(lines) + "\n\n" + self.body
        assert "\r" not in text and text.endswith("\n")
        if self.eol != "\n":
            text = text.replace("\n", self.eol)
        return text.encode("utf-8")

    def expected(self) -> list[dict[str, object]]:
        n = len(self.hops)
        return [hop.expected(n - 1 - i) for i, hop in enumerate(self.hops)]


def msgid_uuid(seed: str, domain: str) -> str:
    h = hid(seed, 32)
    return f"<{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}@{domain}>"


def boundary(seed: str, style: str = "tb") -> str:
    if style == "tb":  # Thunderbird
        return f"------------{hid(seed, 24, ALNUM)}"
    if style == "ol":  # Outlook
        return f"_000_{hid(seed, 36, '0123456789ABCDEF')}_"
    if style == "gm":  # Gmail
        return f"0000000000{hid(seed, 18, '0123456789abcdef')}"
    return f"----=_Part_{int(hid(seed, 7, '0123456789'))}_{int(hid(seed + 'b', 9, '0123456789'))}.1700000000000"


# ---------------------------------------------------------------------------------------
# eml/: one message per dialect or scenario
# ---------------------------------------------------------------------------------------
def eml_01() -> Mail:
    """Thunderbird → Postfix submission (ESMTPSA, no rDNS) → example.net MX → Dovecot."""
    s, r = "bob.chen@example.org", "alice.martin@example.net"
    t = T("2024-01-12 09:58:42")
    hops = [
        postfix(by="smtp.example.org", ts=t, off=60, helo="[192.168.1.23]", rdns=None, ip="203.0.113.45",
                proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_short("01a")),
        mx_in(ts=t + timedelta(seconds=2), helo="smtp.example.org", rdns="smtp.example.org", ip="198.51.100.25",
              rcpt=r, env_from=s, seed="01"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="01"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("01", "example.org")),
        ("Date", fmt_date(t - timedelta(seconds=1), 60)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "en-US"),
        ("To", "Alice Martin <alice.martin@example.net>"),
        ("From", "Bob Chen <bob.chen@example.org>"),
        ("Subject", "Q1 planning notes"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Hi Alice,

Thanks for the call this morning. Notes from my side, so we are working
from the same list:

- The migration window stays at the weekend of 9 March.
- Your team owns the DNS changes; we own the mailbox moves.
- We meet again on the 26th to check the test results.

If I missed anything, reply here and I will update the shared page.

Best,
Bob

--
Bob Chen
Infrastructure, Example Org
"""
    return Mail("01-postfix-tls-dovecot.eml", hops, headers, body)


def eml_02() -> Mail:
    """cron → sendmail MSP → local sendmail → relay (rDNS 'may be forged') → MX → Dovecot."""
    s, r = "reports@northwind.example", "carol.diaz@example.net"
    t = T("2024-01-16 14:03:10")
    hops = [
        sendmail_submit(by="app01.northwind.example", ts=t, off=-300, user="reports", qid="40GJ3A9x004121",
                        version="8.17.1"),
        sendmail(by="app01.northwind.example", ts=t, off=-300, helo="app01.northwind.example", rdns="localhost",
                 ip="127.0.0.1", proto="ESMTP", tls=None, rcpt=r, qid="40GJ3AZ1004124"),
        sendmail(by="relay.northwind.example", ts=t + timedelta(seconds=1), off=-300, helo="app01.northwind.example",
                 rdns="static-203-0-113-7.hosting.example", ip="203.0.113.7", forged=True, rcpt=r,
                 qid="40GJ3BxQ028817"),
        mx_in(mx="mx2", ts=t + timedelta(seconds=3), helo="relay.northwind.example",
              rdns="relay.northwind.example", ip="198.51.100.12", rcpt=r, env_from=s, seed="02"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=4), env_from=s, rcpt=r, seed="02"),
    ]  # fmt: skip
    headers = [
        ("Date", fmt_date(t, -300)),
        ("From", "Northwind Reports <reports@northwind.example>"),
        ("Message-Id", "<202401161403.40GJ3A9x004121@app01.northwind.example>"),
        ("To", r),
        ("Subject", "Nightly inventory export 2024-01-16"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=us-ascii"),
    ]
    body = """Nightly inventory export finished.

  Run started : 2024-01-16 09:00:02 EST
  Run ended   : 2024-01-16 09:03:09 EST
  Warehouses  : 4
  SKUs        : 18,204
  Changed     : 311
  Errors      : 0

The export is on the SFTP drop as inventory-20240116.csv.gz.

--\x20
This message was sent automatically by app01. Replies are not read.
"""
    return Mail("02-sendmail-may-be-forged.eml", hops, headers, body)


def eml_03() -> Mail:
    """cPanel-style Exim (no rDNS: port=/helo=) → Exim smarthost (rDNS + helo=) → MX → Dovecot."""
    s, r = "dave@globex.example", "erin.novak@example.net"
    t = T("2024-01-18 11:20:31")
    hops = [
        exim(by="server1.globex.example", ts=t, ip="203.0.113.50", port=51544, helo="[192.168.0.101]",
             proto="esmtpsa", env_from=s, rcpt=r, eid="1rQS7b-00A3cF-1x"),
        exim(by="smarthost.globex.example", ts=t + timedelta(seconds=1), ip="198.51.100.31", port=40112,
             rdns="server1.globex.example", helo="server1", env_from=s, rcpt=r, eid="1rQS7c-0007Yd-0K"),
        mx_in(ts=t + timedelta(seconds=3), helo="smarthost.globex.example", rdns="smarthost.globex.example",
              ip="198.51.100.32", rcpt=r, env_from=s, seed="03"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="03"),
    ]  # fmt: skip
    b = boundary("03")
    headers = [
        ("X-AntiAbuse", "This header was added to track abuse, please include it with any abuse report"),
        ("X-AntiAbuse", "Primary Hostname - server1.globex.example"),
        ("X-AntiAbuse", "Original Domain - example.net"),
        ("X-AntiAbuse", "Originator/Caller UID/GID - [47 12] / [47 12]"),
        ("X-AntiAbuse", "Sender Address Domain - globex.example"),
        ("X-Get-Message-Sender-Via", "server1.globex.example: authenticated_id: dave@globex.example"),
        ("X-Authenticated-Sender", "server1.globex.example: dave@globex.example"),
        ("Message-ID", msgid_uuid("03", "globex.example")),
        ("Date", fmt_date(t - timedelta(seconds=2), 0)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "en-GB"),
        ("To", "Erin Novak <erin.novak@example.net>"),
        ("From", "Dave Okafor <dave@globex.example>"),
        ("Subject", "Quote for the replacement switches"),
        ("Content-Type", f'multipart/mixed; boundary="{b}"'),
    ]
    quote = """Dear Erin,

As discussed, please find our quote for the replacement access switches
attached. Prices are valid until the end of February; delivery is three
weeks from order.

Kind regards,
Dave Okafor
Globex Networks
"""
    csv = (
        "item,description,qty,unit_price_eur,total_eur\n"
        "SW-48P,48-port PoE access switch,6,1890.00,11340.00\n"
        "SFP-10G-SR,10G SR optic,12,95.00,1140.00\n"
        "SVC-INST,Installation (per day),2,850.00,1700.00\n"
        ",,,,14180.00\n"
    )
    body = multipart(b, [text_part(quote, extra="; format=flowed"),
                         attachment("globex-quote-2024-0118.csv", "text/csv", csv.encode())],
                     "This is a multi-part message in MIME format.")  # fmt: skip
    return Mail("03-exim-cpanel-smarthost.eml", hops, headers, body)


def eml_04() -> Mail:
    """qmail end to end: 'unknown (HELO x)' submission, 'RDNS (HELO x)' relay, vpopmail delivery."""
    s = "rita@tailspin.example"
    t = T("2024-01-23 16:41:08")
    hops = [
        qmail(by="smtp.tailspin.example", ts=t, ip="203.0.113.12", rdns=None, helo="DESKTOP-4K2J9QF", proto="ESMTPA"),
        qmail_invoked(pid=8021, what="from network", ts=t),
        qmail(by="mail.shop.example.com", ts=t + timedelta(seconds=2), ip="198.51.100.40",
              rdns="mta2.tailspin.example", helo="smtp.tailspin.example"),
        qmail_invoked(pid=1240, what="by uid 89", ts=t + timedelta(seconds=2)),
    ]  # fmt: skip
    hops[-1].above = [("Return-Path", f"<{s}>"), ("Delivered-To", "shop.example.com-frank@shop.example.com")]
    headers = [
        ("From", '"Rita Alvarez" <rita@tailspin.example>'),
        ("To", "<frank@shop.example.com>"),
        ("Subject", "RE: wholesale order #44821"),
        ("Date", fmt_date(t - timedelta(seconds=5), 60)),
        ("Message-ID", "<000001da4e1c$3f2a8b10$bd7fa130$@tailspin.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="us-ascii"'),
        ("Content-Transfer-Encoding", "7bit"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
        ("Thread-Index", "AQHaTh8qVtU0wJ3mS0yG9xL2QqW6bw=="),
        ("Content-Language", "en-us"),
    ]
    body = """Hi Frank,

Confirmed: 40 cases of the blue ceramic mugs and 25 of the tea sets,
shipping Thursday by road freight. Pro forma invoice follows from
accounts today.

Regards,
Rita

-----Original Message-----
From: Frank <frank@shop.example.com>\x20
Sent: Tuesday, January 23, 2024 3:12 PM
To: rita@tailspin.example
Subject: wholesale order #44821

Hi Rita, can you confirm quantities and the ship date for #44821?
Thanks, Frank
"""
    return Mail("04-qmail-vpopmail.eml", hops, headers, body)


def eml_05() -> Mail:
    """Exchange on-premises: MAPI → mailbox → edge (TLS) → example.net MX → internal Exchange."""
    s, r = "nina.haddad@fabrikam.example", "priya.nair@example.net"
    t = T("2024-01-24 15:12:37")
    hops = [
        mapi(host="EXMBX01.corp.fabrikam.example", ll="fe80::5d1:2c3b:4a5e:9f10", scope=12, ts=t, off=60,
             build="15.01.2507.027", word="MAPI"),
        exchange(helo="EXMBX01.corp.fabrikam.example", ip="10.10.1.21", by="EXEDGE01.corp.fabrikam.example",
                 by_ip="10.10.1.30", ts=t + timedelta(seconds=1), off=60, build="15.1.2507.27"),
        mx_in(ts=t + timedelta(seconds=3), helo="mail.fabrikam.example", rdns="mail.fabrikam.example",
              ip="198.51.100.35", rcpt=r, env_from=s, tls=TLS12, seed="05"),
        exchange(helo="mx1.example.net", ip="10.0.0.25", by="EXCH01.corp.example.net", by_ip="10.0.1.20",
                 ts=t + timedelta(seconds=4), tls=None, build="15.1.2507.27"),
    ]  # fmt: skip
    hops[-1].above = [("Return-Path", s)]
    b = boundary("05", "ol")
    headers = [
        ("From", "Nina Haddad <nina.haddad@fabrikam.example>"),
        ("To", "Priya Nair <priya.nair@example.net>"),
        ("Subject", "Updated SOW for the data migration"),
        ("Thread-Topic", "Updated SOW for the data migration"),
        ("Thread-Index", "AdpO1c3n9Qh2Wm8ZQbOcqU7sLk2tVg=="),
        ("Date", fmt_date(t - timedelta(seconds=1), 60)),
        ("Message-ID", "<8f2c1e7a0b3d4c5e9f1a2b3c4d5e6f70@EXMBX01.corp.fabrikam.example>"),
        ("Accept-Language", "en-US"),
        ("Content-Language", "en-US"),
        ("X-MS-Has-Attach", "yes"),
        ("X-MS-TNEF-Correlator", ""),
        ("x-originating-ip", "[10.10.20.57]"),
        ("Content-Type", f'multipart/mixed;\n\tboundary="{b}"'),
        ("MIME-Version", "1.0"),
    ]
    text = """Hi Priya,

Attached is version 3 of the statement of work. Changes from v2 are in
section 4 (cut-over weekend) and section 7 (acceptance criteria).

Could you let me know by Friday whether legal needs another pass?

Thanks,
Nina

Nina Haddad | Project Manager | Fabrikam
"""
    pdf = pdf_bytes("SOW Data Migration v3", ["Section 4: cut-over weekend 9-10 March 2024.",
                                              "Section 7: acceptance criteria agreed with Example Net."])  # fmt: skip
    body = multipart(b, [text_part(text, "us-ascii"), attachment("SOW-DataMigration-v3.pdf", "application/pdf", pdf)])
    return Mail("05-exchange-onprem-mapi.eml", hops, headers, body, eol="\r\n")


def eml_06() -> Mail:
    """Gmail web → Exchange Online tenant (example.com): three 'via Frontend Transport' style hops."""
    s, r = "gracekim.writes@gmail.example", "support@example.com"
    t = T("2024-01-29 17:41:02")
    hops = [
        gmail_by(by="mail-wr1-f41.google.example", qid="ffacd0b85a97d-33678156e27so1234567f8f.1", ts=t, off=-480,
                 rcpt=r),
        exchange(helo="mail-wr1-f41.google.example", ip="198.51.100.41",
                 by="BN8NAM11FT012.mail.protection.outlook.example", by_ip="10.13.177.125",
                 ts=t + timedelta(seconds=1), tls=("TLS1_3", "TLS_AES_256_GCM_SHA384"), build="15.20.7228.16",
                 frontend=True),
        exchange(helo="BN8NAM11FT012.eop-nam11.prod.protection.outlook.example", ip="2001:db8:10b6:408:cafe::5a",
                 by="BN9PR03CA0312.outlook.office365.example", by_ip="2001:db8:10b6:408:112::17",
                 ts=t + timedelta(seconds=1), build="15.20.7228.34", frontend=True),
        exchange(helo="BN9PR03CA0312.namprd03.prod.outlook.example", ip="2001:db8:10b6:408:112::17",
                 by="SA1PR10MB6443.namprd10.prod.outlook.example", by_ip="2001:db8:10b6:806:29c::13",
                 ts=t + timedelta(seconds=2), build="15.20.7228.29"),
    ]  # fmt: skip
    hops[1].above = [
        ("Authentication-Results", "spf=pass (sender IP is 198.51.100.41)\n smtp.mailfrom=gmail.example; "
         "dkim=none (message not signed)\n header.d=none;dmarc=pass action=none header.from=gmail.example;"),
        ("Received-SPF", "Pass (protection.outlook.example: domain of gmail.example\n designates 198.51.100.41 "
         "as permitted sender)\n receiver=protection.outlook.example; client-ip=198.51.100.41;\n "
         "helo=mail-wr1-f41.google.example; pr=C"),
    ]  # fmt: skip
    hops[-1].above = [("Return-Path", s)]
    bm, ba = boundary("06m", "gm"), boundary("06a", "gm")
    headers = [
        (
            "X-Received",
            "by 2001:db8:6000:1a8d:b0:337:9f1e:2c4 with SMTP id\n"
            " ffacd0b85a97d-3379f1e2c41mr4567890f8f.27.1706578862123; Mon, 29 Jan 2024\n 09:41:02 -0800 (PST)",
        ),
        ("MIME-Version", "1.0"),
        ("From", "Grace Kim <gracekim.writes@gmail.example>"),
        ("Date", fmt_date(t, -480)),
        ("Message-ID", "<CAG7nQ2xPw4Lr8vZ1s0EqN+3bTyK9mWdF6uJcA2hR5oX1tYvU8Q@mail.gmail.example>"),
        ("Subject", "Order 7781-A arrived damaged - photos attached"),
        ("To", "support@example.com"),
        ("Content-Type", f'multipart/mixed; boundary="{bm}"'),
        ("X-MS-Exchange-Organization-SCL", "1"),
        ("X-MS-Exchange-Organization-AuthSource", "BN8NAM11FT012.eop-nam11.prod.protection.outlook.example"),
        ("X-MS-Exchange-Organization-AuthAs", "Anonymous"),
    ]
    text = """Hello,

My order 7781-A arrived today and the box was crushed on one corner. Two of
the six glasses are broken. Photo of the box attached.

Could you send replacements, or tell me how to return the set?

Thank you,
Grace Kim
"""
    inner = multipart(ba, [text_part(text), html_part(html_of(text))])
    body = multipart(bm, [([("Content-Type", f'multipart/alternative; boundary="{ba}"')], inner),
                          attachment("IMG_4471.png", "image/png", png_bytes(24, 16, "06"))])  # fmt: skip
    return Mail("06-gmail-to-exchange-online.eml", hops, headers, body, eol="\r\n")


def eml_07() -> Mail:
    """Exchange Online (with mapi, 15.20 builds) → example.net mx2 → amavisd-new → Postfix → Dovecot."""
    s, r = "liam.oneill@example.com", "maria.rossi@example.net"
    t = T("2024-02-02 13:30:11")
    hops = [
        mapi(host="DM6PR10MB4123.namprd10.prod.outlook.example", ll="fe80::3c4d:5e6f:7a8b:9c0d", scope=5, ts=t,
             build="15.20.7228.029"),
        exchange(helo="DM6PR10MB4123.namprd10.prod.outlook.example", ip="2001:db8:10b6:5:3f::12",
                 by="SN7PR10MB6523.namprd10.prod.outlook.example", by_ip="2001:db8:10b6:806:1f2::9", ts=t,
                 build="15.20.7228.29"),
        mx_in(mx="mx2", ts=t + timedelta(seconds=2), helo="NAM10-DM6-obe.outbound.protection.outlook.example",
              rdns="mail-dm6nam10on2101.outbound.protection.outlook.example", ip="198.51.100.101", rcpt=r,
              env_from=s, tls=TLS12, seed="07"),
        amavis(helo="mx2.example.net", host="mx2.example.net", ts=t + timedelta(seconds=3), off=0, port=10024,
               aid=hid("07am", 12, ALNUM)),
        postfix(by="mx2.example.net", ts=t + timedelta(seconds=4), helo="localhost", rdns="localhost",
                ip="127.0.0.1", proto="ESMTP", rcpt=r, qid=pf_long("07re")),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=4), env_from=s, rcpt=r, seed="07"),
    ]  # fmt: skip
    hops[3].above = [("X-Virus-Scanned", "Debian amavisd-new at example.net"), ("X-Spam-Score", "-1.9")]
    b = boundary("07", "ol")
    headers = [
        ("From", "Liam O'Neill <liam.oneill@example.com>"),
        ("To", "Maria Rossi <maria.rossi@example.net>"),
        ("Subject", "Contract renewal - signed copy"),
        ("Thread-Topic", "Contract renewal - signed copy"),
        ("Thread-Index", "AQHaVdL0m5fKx2aPXk6TZr1d8eYwNg=="),
        ("Date", fmt_date(t, 0)),
        ("Message-ID", "<DM6PR10MB41230E1B6C8F4A2D9B7E3C5A1F60D@DM6PR10MB4123.namprd10.prod.outlook.example>"),
        ("Accept-Language", "en-US"),
        ("Content-Language", "en-US"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""),
        ("Content-Type", f'multipart/alternative;\n\tboundary="{b}"'),
        ("MIME-Version", "1.0"),
    ]
    text = """Hi Maria,

The countersigned renewal is now in the shared contracts folder. The new
term starts on 1 March and the price schedule is unchanged.

Thanks for turning this around so quickly.

Liam
"""
    body = multipart(b, [text_part(text, "us-ascii"), html_part(html_of(text))])
    return Mail("07-exchange-online-mapi-amavis.eml", hops, headers, body, eol="\r\n")


def eml_08() -> Mail:
    """Gmail to Gmail: ESMTPSA submission, internal SMTPS (Google Transport Security), 'by <IPv6>' top hop."""
    s, r = "oscar.lind.dev@gmail.example", "erin.n.home@gmail.example"
    t = T("2024-02-05 16:14:20")
    hops = [
        gmail_submit(helo="[192.168.1.10]", rdns="ip-203-0-113-77.dsl.isp.example", ip="203.0.113.77",
                     by="smtp.gmail.example", qid="a640c23a62f3a-a3d3b4e7c21sm1123457f66b.54.2024.02.05.08.14.19",
                     rcpt=r, ts=t, off=-480),
        gmail_smtps(helo="mail-sor-f41.google.example", rdns="mail-sor-f41.google.example", ip="198.51.100.141",
                    by="mx.google.example", qid="x12sor1234567wmc.20.2024.02.05.08.14.20", rcpt=r,
                    ts=t + timedelta(seconds=1), off=-480),
        gmail_by(by="2001:db8:6358:5e8a:b0:172:1234:5678", qid="ab10csp1723456rwb", ts=t + timedelta(seconds=1),
                 off=-480),
    ]  # fmt: skip
    hops[0].above = [
        ("Received-SPF", "pass (google.example: domain of oscar.lind.dev@gmail.example designates 198.51.100.141 "
         "as permitted sender) client-ip=198.51.100.141;"),
        ("Authentication-Results", "mx.google.example;\n       spf=pass (google.example: domain of "
         "oscar.lind.dev@gmail.example designates 198.51.100.141 as permitted sender) "
         "smtp.mailfrom=oscar.lind.dev@gmail.example;\n       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) "
         "header.from=gmail.example"),
        ("X-Google-Smtp-Source", "AGHT+IFq3xQ7mR2vN8kP1sW6tY0uB4cE9dH5jL3nM7pQ2rS6tV1wX8yZ0aB3cD"),
        ("X-Received", "by 2001:db8:600c:1c9a:b0:40e:4a1b:3c2d with SMTP id "
         "k26-20020a05600c1c9a00b0040e4a1b3c2dmr1234567wms.12.1707149659871;\n        "
         "Mon, 05 Feb 2024 08:14:19 -0800 (PST)"),
    ]  # fmt: skip
    hops[1].above = [
        ("X-Received", "by 2001:db8:6358:5e8a:b0:172:1234:5678 with SMTP id m10mr4567890rwb.18.1707149660123;\n"
         "        Mon, 05 Feb 2024 08:14:20 -0800 (PST)"),
        ("Return-Path", f"<{s}>"),
    ]  # fmt: skip
    hops[2].above = [("Delivered-To", r)]
    headers = [
        ("Message-ID", msgid_uuid("08", "gmail.example")),
        ("Date", fmt_date(t - timedelta(seconds=1), -480)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "en-US"),
        ("To", "Erin <erin.n.home@gmail.example>"),
        ("From", "Oscar Lind <oscar.lind.dev@gmail.example>"),
        ("Subject", "Board game night - Saturday?"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Hey Erin,

Are you still up for Saturday? We can start at 7. I'll bring the new
expansion, you bring snacks?

Oscar
"""
    return Mail("08-gmail-smtps-internal.eml", hops, headers, body)


def eml_09() -> Mail:
    """Yahoo webmail: 'from sonic.gate... by sonic... with HTTP', then example.net MX."""
    s, r = "kim.sato.88@yahoo.example", "henry.patel@example.net"
    t = T("2024-02-07 21:05:33")
    hops = [
        http_origin(frm="sonic.gate.mail.ne1.yahoo.example", by="sonic305-3.consmr.mail.ne1.yahoo.example", ts=t,
                    day="none"),
        mx_in(ts=t + timedelta(seconds=1), helo="sonic305-3.consmr.mail.ne1.yahoo.example",
              rdns="sonic305-3.consmr.mail.ne1.yahoo.example", ip="198.51.100.183", rcpt=r, env_from=s, seed="09"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from=s, rcpt=r, seed="09"),
    ]  # fmt: skip
    b = "----=_Part_2345677_1106210380.1707339933000"
    headers = [
        ("X-Sonic-MF", f"<{s}>"),
        ("X-Sonic-ID", "7b1e9d2c-4a3f-4e6b-8c5d-1f2a3b4c5d6e"),
        ("X-YMail-OSG", "Qm3v9xEVM1k.Zp4rT7uJw0sYbN2cDfGhLaBe8iOqUtWxRyS6mKjH5nP"),
        ("Date", "Wed, 7 Feb 2024 21:05:33 +0000 (UTC)"),
        ("From", "Kim Sato <kim.sato.88@yahoo.example>"),
        ("To", "Henry Patel <henry.patel@example.net>"),
        ("Message-ID", "<1288310573.2345678.1707339933000@mail.yahoo.example>"),
        ("In-Reply-To", "<a41f2c9e-3b7d-4e1a-9c8f-6d5e4b3a2c1f@example.net>"),
        ("Subject", "Re: Apartment viewing on Saturday"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;\n\tboundary="{b}"'),
        ("References", "<a41f2c9e-3b7d-4e1a-9c8f-6d5e4b3a2c1f@example.net>"),
        ("X-Mailer", "WebService/1.1.22077 YMailNorrin"),
    ]
    text = """Hi Henry,

Saturday at 11 works. I'll meet you in front of the building; the
buzzer for the office is broken.

Kim
"""
    body = multipart(b, [text_part(text), html_part(html_of(text))])
    return Mail("09-yahoo-webmail-http.eml", hops, headers, body)


def eml_10() -> Mail:
    """Amazon SES: SES adds no Received field of its own; only example.net's hops are visible."""
    s = "0100018d8a1b2c3d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f70819-000000@amazonses.example"
    r = "kevin.osei@example.net"
    t = T("2024-02-09 06:00:14")
    hops = [
        mx_in(ts=t, helo="a48-93.smtp-out.amazonses.example", rdns="a48-93.smtp-out.amazonses.example",
              ip="198.51.100.93", rcpt=r, env_from=s, tls=("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 128), seed="10"),
        to_lmtp(ts=t + timedelta(seconds=1), env_from=s, rcpt=r, seed="10"),
    ]  # fmt: skip
    b = "=_AdatumBilling_7c1e2b9d4f6a"
    headers = [
        ("Date", fmt_date(t - timedelta(seconds=1), 0)),
        ("From", "Adatum Cloud Billing <billing@notify.adatum.example>"),
        ("To", r),
        ("Message-ID", "<0100018d8a1b2c3d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f70819-000000@email.amazonses.example>"),
        ("Subject", "Your January 2024 invoice is ready"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{b}"'),
        ("Feedback-ID", "1.us-east-1.Tq9cX2vB7mN4kL0pR8sW3yZ6aD1fG5hJ=:AmazonSES"),
        ("X-SES-Outgoing", "2024.02.09-198.51.100.93"),
    ]
    text = """Hello,

Your invoice for January 2024 is ready.

  Account:    7310-4421-88
  Amount due: EUR 412.60
  Due date:   23 February 2024

Sign in to the billing portal at https://portal.adatum.example/ to view
and download it.

Adatum Cloud
"""
    body = multipart(b, [text_part(text), html_part(html_of(text))])
    return Mail("10-amazon-ses.eml", hops, headers, body)


def eml_11() -> Mail:
    """Mailgun API: 'by luna.mailgun.example with HTTP' origin, then mx2."""
    s = "bounce+5e2c1a.8b7f0d-judy.larsen=example.net@mg.tailwind.example"
    r = "judy.larsen@example.net"
    t = T("2024-02-13 15:30:02")
    hops = [
        http_origin(frm=None, by="luna.mailgun.example", ts=t),
        mx_in(mx="mx2", ts=t + timedelta(seconds=3), helo="m42-7.mailgun.example", rdns="m42-7.mailgun.example",
              ip="198.51.100.42", rcpt=r, env_from=s, seed="11"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="11"),
    ]  # fmt: skip
    headers = [
        ("X-Mailgun-Sending-Ip", "198.51.100.42"),
        ("X-Mailgun-Sid", "WyI3ZjBkNSIsICJqdWR5LmxhcnNlbkBleGFtcGxlLm5ldCIsICI4YjdmMGQiXQ=="),
        ("Date", fmt_date(t, 0, "zero")),
        ("Sender", "support@mg.tailwind.example"),
        ("Message-Id", "<20240213153002.1.8B7F0D5E2C1A9F34@mg.tailwind.example>"),
        ("To", r),
        ("From", "Tailwind Support <support@mg.tailwind.example>"),
        ("Subject", "[Ticket #58213] Password reset not arriving"),
        ("Mime-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="ascii"'),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Hi Judy,

Thanks for contacting Tailwind Support. We have re-sent the password
reset link to this address; it is valid for 30 minutes.

If it does not arrive, check whether mail from mg.tailwind.example is
being held by your organisation's filter.

Ticket #58213 - reply to this message to add a comment.
Tailwind Support
"""
    return Mail("11-mailgun-http-api.eml", hops, headers, body)


def eml_12() -> Mail:
    """SendGrid: API intake and filter hop, both without ';' (the filter hop in Go's date format)."""
    s = "bounces+2718281-ab12-ivan.petrov=example.net@em4242.news.litware.example"
    r = "ivan.petrov@example.net"
    t = T("2024-02-15 12:00:00")
    hops = [
        sendgrid_api(account="MTY0MjM1NzQ", by="geopod-ismtpd-14", sgid="x3GkP0qRS8u4kT1mZ9vWcA", ts=t, ms=123),
        sendgrid_filter(by="filterdrecv-7bf5c69d5-9xk2p", ts=t, ns=456789123, uptime="1234.567890123"),
        mx_in(ts=t + timedelta(seconds=1), helo="o1.ptr4242.news.litware.example",
              rdns="o1.ptr4242.news.litware.example", ip="198.51.100.149", rcpt=r, env_from=s, seed="12"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from=s, rcpt=r, seed="12"),
    ]  # fmt: skip
    b = "9d1c7e3b5a2f4e6d8c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f"
    headers = [
        ("Content-Type", f"multipart/alternative; boundary={b}"),
        ("Date", "Thu, 15 Feb 2024 12:00:00 +0000 (UTC)"),
        ("From", "Litware Events <events@news.litware.example>"),
        ("Mime-Version", "1.0"),
        ("Message-ID", "<x3GkP0qRS8u4kT1mZ9vWcA@geopod-ismtpd-14>"),
        ("Reply-To", "events@litware.example"),
        ("Subject", "You're invited: Litware Security Summit 2024"),
        ("X-SG-EID", "u001.Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTBhYmNkZWY="),
        ("X-SG-ID", "u001.SdBcvi+Evd/bQef8eZF3BnI9Q2l0ZS5leGFtcGxl"),
        ("To", r),
        ("X-Entity-ID", "u001.Q2tHUrFwL3p4VnRhYmNkZWZn"),
        ("List-Unsubscribe", "<https://u2718281.ct.sendgrid.example/asm/unsubscribe/?user_id=2718281>"),
    ]
    text = """Litware Security Summit 2024
16-17 April, Convention Centre Hall B

Two days of talks on incident response, e-mail security and cloud
forensics. Early-bird registration closes on 1 March.

Register: https://events.litware.example/summit-2024

You receive this because you attended a Litware event in 2023.
"""
    body = multipart(b, [text_part(text), html_part(html_of(text))])
    return Mail("12-sendgrid-go-dates.eml", hops, headers, body)


def eml_13() -> Mail:
    """OpenSMTPD submission (TLS details in one comment) → Haraka inbound gateway → Dovecot."""
    s, r = "judy@lakeside.example", "oscar.lind@example.net"
    t = T("2024-02-20 08:41:07")
    hops = [
        opensmtpd(helo="[192.168.5.20]", rdns="ip-203-0-113-61.isp.example", ip="203.0.113.61",
                  by="mail.lakeside.example", ts=t, off=60, sid=hid("13a", 8), proto="ESMTPSA", rcpt=r),
        haraka(helo="mail.lakeside.example", rdns="mail.lakeside.example", ip="198.51.100.62",
               by="inbound.example.net", ts=t + timedelta(seconds=2), off=0,
               uuid="6D2E4A1B-8C3F-4E57-9A0B-1C2D3E4F5A6B.1", env_from=s),
        to_lmtp(mx="inbound", ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="13"),
    ]  # fmt: skip
    hops[1].above = [("Authentication-Results", "inbound.example.net; spf=pass smtp.mailfrom=judy@lakeside.example")]
    headers = [
        ("Date", fmt_date(t - timedelta(seconds=1), 60)),
        ("From", "Judy Larsen <judy@lakeside.example>"),
        ("To", "Oscar Lind <oscar.lind@example.net>"),
        ("Subject", "Re: rack space in the Lakeside DC"),
        ("Message-ID", "<ZdRkM3x9Qw1aT0bC@lakeside.example>"),
        ("References", "<5b8e1f0c-2d3a-4b5c-8e7f-9a0b1c2d3e4f@example.net>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=us-ascii"),
        ("Content-Disposition", "inline"),
        ("In-Reply-To", "<5b8e1f0c-2d3a-4b5c-8e7f-9a0b1c2d3e4f@example.net>"),
        ("User-Agent", "Mutt/2.2.12 (2023-09-09)"),
    ]
    body = """On Mon, Feb 19, 2024 at 04:12:55PM +0000, Oscar Lind wrote:
> Do you still have two half racks free in row C?

Yes, C07 and C08 are free until the end of March. Power is 16A per
half rack. I can hold them for you until Friday.

--\x20
Judy Larsen, Lakeside Hosting
"""
    return Mail("13-opensmtpd-haraka.eml", hops, headers, body)


def eml_14() -> Mail:
    """Courier ESMTPSA: client address as [::ffff:203.0.113.71], id after the date."""
    s, r = "tomas@initech.example", "alice.martin@example.net"
    t = T("2024-02-22 10:05:48")
    hops = [
        courier(helo="[192.168.1.40]", rdns="ip-203-0-113-71.isp.example", ip="203.0.113.71",
                by="mail.initech.example", ts=t, off=60,
                cid="000000000004A1B2.0000000065D71C9C.00003F21", auth_user=s),
        mx_in(ts=t + timedelta(seconds=2), helo="mail.initech.example", rdns="mail.initech.example",
              ip="198.51.100.71", rcpt=r, env_from=s, seed="14"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from=s, rcpt=r, seed="14"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("14", "initech.example")),
        ("Date", fmt_date(t - timedelta(seconds=3), 60)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("From", "Tomas Berg <tomas@initech.example>"),
        ("To", "Alice Martin <alice.martin@example.net>"),
        ("Subject", "TPS report template"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Alice,

The new cover sheet for the TPS reports is on the wiki. Please use it
from next week's batch on.

Tomas
"""
    return Mail("14-courier-ipv4-mapped.eml", hops, headers, body)


def eml_15() -> Mail:
    """Lotus Domino SMTP gateway (' ;' before the date, trailing space) → mx2 → Dovecot."""
    s, r = "Greta.Holm@wingtip.example", "henry.patel@example.net"
    t = T("2024-02-26 09:15:40")
    hops = [
        domino(helo="notes01.corp.wingtip.example", ip="10.8.0.11", by="smtpgw.wingtip.example", ts=t, off=60,
               release="9.0.1FP10 HF383"),
        mx_in(mx="mx2", ts=t + timedelta(seconds=2), helo="smtpgw.wingtip.example", rdns="smtpgw.wingtip.example",
              ip="198.51.100.110", rcpt=r, env_from=s, tls=TLS12, seed="15"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="15"),
    ]  # fmt: skip
    headers = [
        ("Subject", "Delivery schedule week 10"),
        ("To", "henry.patel@example.net"),
        ("From", "Greta Holm <Greta.Holm@wingtip.example>"),
        ("X-Mailer", "Lotus Notes Release 9.0.1FP10 HF383 January 10, 2019"),
        ("Message-ID", "<OF1A2B3C4D.5E6F7A8B-ONC1258AC4.0032F1E5-C1258AC4.0033A0B2@wingtip.example>"),
        ("Date", fmt_date(t - timedelta(seconds=2), 60)),
        ("X-MIMETrack", "Serialize by Router on SMTPGW/Wingtip(Release 9.0.1FP10 HF383|January 10, 2019) at\n"
         " 26.02.2024 10:15:40"),
        ("MIME-Version", "1.0"),
        ("Content-type", "text/plain; charset=US-ASCII"),
    ]  # fmt: skip
    body = """Dear Mr Patel,

Deliveries for week 10 are planned as follows:

Monday     - pallets 1-4, dock 2
Wednesday  - pallets 5-9, dock 2
Friday     - returns pickup

Please confirm the dock assignments.

Mit freundlichen Gruessen / Best regards
Greta Holm
Wingtip Logistics
"""
    return Mail("15-lotus-domino.eml", hops, headers, body)


def eml_16() -> Mail:
    """MDaemon: no client address in the Received field (X-MDRemoteIP has it)."""
    s, r = "accounts@fourthcoffee.example", "grace.kim@example.net"
    t = T("2024-03-01 14:02:19")
    hops = [
        mdaemon(helo="WS-ACCT07", by="mail.fourthcoffee.example", by_ip="198.51.100.88", ts=t, off=-300,
                mid="md5001001234567.msg"),
        mx_in(ts=t + timedelta(seconds=2), helo="mail.fourthcoffee.example", rdns="mail.fourthcoffee.example",
              ip="198.51.100.88", rcpt=r, env_from=s, seed="16"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="16"),
    ]  # fmt: skip
    arrival = fmt_date(t, -300, "zero")
    headers = [
        ("X-Spam-Processed", f"mail.fourthcoffee.example, {arrival}\n\t(not processed: message from trusted or "
         "authenticated source)"),
        ("X-MDRemoteIP", "203.0.113.88"),
        ("X-MDHelo", "WS-ACCT07"),
        ("X-MDArrival-Date", arrival),
        ("X-Authenticated-Sender", "accounts@fourthcoffee.example"),
        ("X-Return-Path", s),
        ("X-Envelope-From", s),
        ("X-MDaemon-Deliver-To", r),
        ("From", '"Fourth Coffee Accounts" <accounts@fourthcoffee.example>'),
        ("To", "<grace.kim@example.net>"),
        ("Subject", "Invoice 2024-0311 and remittance details"),
        ("Date", fmt_date(t - timedelta(seconds=4), -300)),
        ("Message-ID", "<001a01da6bf2$9c4e1f20$d4ea5d60$@fourthcoffee.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="us-ascii"'),
        ("Content-Transfer-Encoding", "7bit"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
        ("Content-Language", "en-us"),
    ]  # fmt: skip
    body = """Hello Grace,

Please find below the details for invoice 2024-0311 (coffee supplies,
February). Payment terms are 30 days.

  Amount:    USD 1,284.50
  Reference: FC-2024-0311

Our bank details are unchanged from previous invoices.

Thank you,
Fourth Coffee Accounts
"""
    return Mail("16-mdaemon.eml", hops, headers, body)


def eml_17() -> Mail:
    """Zimbra: webmail → Postfix → amavisd-new (port 10032, 'by localhost') → Postfix → MX → Dovecot."""
    s, r = "uma.reddy@proseware.example", "oscar.lind@example.net"
    t = T("2024-03-05 10:22:09")
    z = "zimbra.proseware.example"
    hops = [
        postfix(by=z, ts=t, off=60, helo=z, rdns="localhost", ip="127.0.0.1", rcpt=r, qid=pf_short("17a")),
        amavis(helo=z, host=z, ts=t + timedelta(seconds=1), off=60, port=10032, aid=hid("17am", 12, ALNUM)),
        postfix(by=z, ts=t + timedelta(seconds=2), off=60, helo="localhost", rdns="localhost", ip="127.0.0.1",
                rcpt=r, qid=pf_short("17b")),
        mx_in(ts=t + timedelta(seconds=3), helo=z, rdns=z, ip="198.51.100.77", rcpt=r, env_from=s, seed="17"),
        to_lmtp(ts=t + timedelta(seconds=4), env_from=s, rcpt=r, seed="17"),
    ]  # fmt: skip
    hops[1].above = [("X-Virus-Scanned", "amavisd-new at proseware.example")]
    hops[2].above = [("DKIM-Filter", f"OpenDKIM Filter v2.10.3 {z} {pf_short('17b')}")]
    b = f"=_{hid('17bd', 8)}-{hid('17bd2', 4)}-{hid('17bd3', 4)}-{hid('17bd4', 4)}-{hid('17bd5', 12)}"
    headers = [
        ("Date", fmt_date(t - timedelta(seconds=1), 60, "none", "CET")),
        ("From", "Uma Reddy <uma.reddy@proseware.example>"),
        ("To", "Oscar Lind <oscar.lind@example.net>"),
        ("Message-ID", "<1845792345.118273.1709634128514.JavaMail.zimbra@proseware.example>"),
        ("Subject", "Draft agenda for the March steering committee"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;\n\tboundary="{b}"'),
        ("X-Mailer", "Zimbra 10.0.6_GA_4645 (ZimbraWebClient - FF123 (Linux)/10.0.6_GA_4645)"),
        ("Thread-Index", "2k8x4QmVb1cZpR6tW3yN0aF7eLs9dH"),
        ("Thread-Topic", "Draft agenda for the March steering committee"),
    ]
    text = """Hi Oscar,

Draft agenda for the 14 March steering committee:

1. Status of the pilot (Proseware)
2. Budget for Q2 (Example Net)
3. Risks and open issues
4. Next steps

Please send changes by Monday.

Uma
"""
    body = multipart(b, [text_part(text), html_part(html_of(text))])
    return Mail("17-zimbra-amavis.eml", hops, headers, body)


def eml_18() -> Mail:
    """IPv6 only: [IPv6:...] literals in Postfix, a bare IPv6 in Dovecot's LMTP hop."""
    s, r = "quinn@sixnet.example", "netops@example.net"
    t = T("2024-03-07 19:48:30")
    hops = [
        postfix(by="smtp6.sixnet.example", ts=t, off=0, helo="[IPv6:2001:db8:cafe:1::1a]", rdns=None,
                ip="2001:db8:cafe:1::1a", proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_long("18a")),
        mx_in(ts=t + timedelta(seconds=1), helo="smtp6.sixnet.example", rdns="smtp6.sixnet.example",
              ip="2001:db8::25", rcpt=r, env_from=s, seed="18"),
        dovecot(helo="mx1.example.net", ip="2001:db8:10::25", ts=t + timedelta(seconds=2), env_from=s, rcpt=r,
                did=hid("18lmtp", 22, ALNUM + "+/")),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("18", "sixnet.example")),
        ("Date", fmt_date(t - timedelta(seconds=2), 0)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("From", "Quinn Ahmed <quinn@sixnet.example>"),
        ("To", "netops@example.net"),
        ("Subject", "IPv6-only relay test - please confirm receipt"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Hello NetOps,

This message was sent from a host with no IPv4 connectivity, through our
IPv6-only relay smtp6.sixnet.example. If it reaches you, your MX accepts
mail over IPv6 as intended.

Please reply with the Received headers you see.

Quinn Ahmed
Sixnet NOC
"""
    return Mail("18-ipv6-only.eml", hops, headers, body)


def eml_19() -> Mail:
    """Negative delay: relay.example.org's clock is 3 m 49 s behind, so its stamp precedes the previous hop."""
    s, r = "victor@example.org", "maria.rossi@example.net"
    t = T("2024-03-11 16:45:05")
    hops = [
        postfix(by="smtp.example.org", ts=t, off=0, helo="[10.1.4.22]", rdns=None, ip="203.0.113.24",
                proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_short("19a")),
        exim(by="relay.example.org", ts=t - timedelta(minutes=3, seconds=49), ip="198.51.100.25", port=52114,
             rdns="smtp.example.org", proto="esmtps", tls=None, old_tls="TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256",
             version="4.90_1", env_from=s, rcpt=r, eid="1rjjUe-0004Qp-Az"),
        mx_in(mx="mx2", ts=t + timedelta(seconds=2), helo="relay.example.org", rdns="relay.example.org",
              ip="198.51.100.26", rcpt=r, env_from=s, seed="19"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="19"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("19", "example.org")),
        ("Date", fmt_date(t - timedelta(seconds=1), 0)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Subject", "Re: Lab results for batch 2024-017"),
        ("Content-Language", "en-US"),
        ("To", "Maria Rossi <maria.rossi@example.net>"),
        ("From", "Victor Huang <victor@example.org>"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Maria,

Batch 2024-017 passed all checks except viscosity, which is 3% above
spec. We will re-test tomorrow morning and send the full report.

Victor
"""
    return Mail("19-negative-delay.eml", hops, headers, body)


def eml_20() -> Mail:
    """A hop stamped in 2031: legacy-mta.northwind.example has a wrong RTC year."""
    s, r = "wendy.brooks@northwind.example", "carol.diaz@example.net"
    t = T("2024-03-13 13:20:02")
    hops = [
        sendmail(by="legacy-mta.northwind.example", ts=t.replace(year=2031), off=-240,
                 helo="wks-0457.corp.northwind.example", rdns="wks-0457.corp.northwind.example", ip="10.40.0.57",
                 proto="ESMTP", tls=None, rcpt=r, qid="7CDHK2ax019931"),
        sendmail(by="relay.northwind.example", ts=t + timedelta(seconds=1), off=-240,
                 helo="legacy-mta.northwind.example", rdns="legacy-mta.northwind.example", ip="10.40.0.5",
                 verify="NO", rcpt=r, qid="42DHK2Vb031170"),
        mx_in(mx="mx2", ts=t + timedelta(seconds=3), helo="relay.northwind.example", rdns="relay.northwind.example",
              ip="198.51.100.12", rcpt=r, env_from=s, seed="20"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="20"),
    ]  # fmt: skip
    headers = [
        ("From", '"Wendy Brooks" <wendy.brooks@northwind.example>'),
        ("To", '"Carol Diaz" <carol.diaz@example.net>'),
        ("Subject", "Shipping labels for the March returns"),
        ("Date", fmt_date(t - timedelta(seconds=4), -240)),
        ("Message-ID", "<004d01da7551$0a1b2c30$1e3f4a90$@northwind.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="us-ascii"'),
        ("Content-Transfer-Encoding", "7bit"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
        ("Content-Language", "en-us"),
    ]
    body = """Hi Carol,

The prepaid return labels for the March batch are printed and will go
out with tomorrow's courier. There are 14 of them.

Wendy
"""
    return Mail("20-future-hop-2031.eml", hops, headers, body)


def eml_21() -> Mail:
    """The Date field is 7.5 minutes after the first hop: the sender's laptop clock runs fast."""
    s, r = "xavier.dubois@example.org", "alice.martin@example.net"
    t = T("2024-03-18 09:00:12")
    hops = [
        postfix(by="smtp.example.org", ts=t, off=60, helo="[192.168.1.7]", rdns=None, ip="203.0.113.203",
                proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_short("21a")),
        mx_in(ts=t + timedelta(seconds=2), helo="smtp.example.org", rdns="smtp.example.org", ip="198.51.100.25",
              rcpt=r, env_from=s, seed="21"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="21"),
    ]  # fmt: skip
    headers = [
        ("From", "Xavier Dubois <xavier.dubois@example.org>"),
        ("Content-Type", "text/plain;\n\tcharset=us-ascii"),
        ("Content-Transfer-Encoding", "7bit"),
        ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3774.400.31\\))"),
        ("Subject", "Slides for Thursday"),
        ("Message-Id", "<3B9E6F1A-7C2D-4E8B-A5F0-1D2C3B4A5E6F@example.org>"),
        ("Date", fmt_date(T("2024-03-18 09:07:41"), 60)),
        ("To", "Alice Martin <alice.martin@example.net>"),
        ("X-Mailer", "Apple Mail (2.3774.400.31)"),
    ]
    body = """Alice,

Slides for Thursday are in the team folder, file "Q1-review-v2.key".
I cut the appendix; we only have 20 minutes.

Xavier
"""
    return Mail("21-date-after-first-hop.eml", hops, headers, body)


def eml_22() -> Mail:
    """One Received field among good ones is garbled (relay2's content filter mangled it)."""
    s, r = "yusuf@example.org", "grace.kim@example.net"
    t = T("2024-03-19 12:46:01")
    garbled = Hop(
        text="from smtp.example.org (smtp.example.org [198.51.100.25]\n"
        "\tby relay2.example.org (8.17.1/8.17.1) with ESMTP id 40JCk1pQ019283\n"
        "\tfor <grace.kim@example.net; Tue, 19 Mar 2024 31:72:90 +0000 ((",
        ts=None,
        unparseable=True,
    )
    hops = [
        postfix(by="smtp.example.org", ts=t, off=0, helo="[192.168.0.12]", rdns=None, ip="203.0.113.31",
                proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_short("22a")),
        garbled,
        mx_in(ts=t + timedelta(seconds=4), helo="relay2.example.org", rdns="relay2.example.org",
              ip="198.51.100.44", rcpt=r, env_from=s, seed="22"),
        to_lmtp(ts=t + timedelta(seconds=5), env_from=s, rcpt=r, seed="22"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("22", "example.org")),
        ("Date", fmt_date(t - timedelta(seconds=2), 0)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Subject", "Fwd: shipping schedule"),
        ("To", "Grace Kim <grace.kim@example.net>"),
        ("From", "Yusuf Demir <yusuf@example.org>"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Grace, see below - the container moved to the 27th.

-------- Forwarded Message --------
Subject: shipping schedule
Date: Tue, 19 Mar 2024 08:02:11 +0000
From: Logistics <logistics@example.org>

Container EXMU 123456-7 is now scheduled for 27 March.
"""
    return Mail("22-garbled-received.eml", hops, headers, body)


def eml_23() -> Mail:
    """Envelope evidence disagrees: Return-Path and X-Original-To (edited after delivery) vs the hops."""
    env, r = "bounce-7731@mail.examp1e.example", "finance@example.net"
    t = T("2024-03-21 07:12:40")
    hops = [
        exim(by="mail.examp1e.example", ts=t, ip="203.0.113.99", port=61022, helo="WIN-7K2M4JQ0P1",
             proto="esmtpsa", env_from=env, rcpt=r, eid="1rnD2e-00B7kL-3q"),
        mx_in(ts=t + timedelta(seconds=2), helo="mail.examp1e.example", rdns="mail.examp1e.example",
              ip="198.51.100.66", rcpt=r, env_from=env, seed="23"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=env, rcpt=r, seed="23"),
    ]  # fmt: skip
    hops[-1].above = [
        ("Return-Path", "<billing@example.org>"),
        ("X-Original-To", "ceo@example.net"),
        ("Delivered-To", r),
    ]
    headers = [
        ("From", '"Example Org Accounts Payable" <ap@example.org>'),
        ("Reply-To", "ap-desk@examp1e.example"),
        ("To", "finance@example.net"),
        ("Subject", "URGENT: updated bank details for invoice INV-20931"),
        ("Date", fmt_date(t - timedelta(seconds=3), 0)),
        ("Message-ID", "<20240321071237.5F2A1C@mail.examp1e.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "7bit"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
    ]
    body = """Dear Finance Team,

Due to an audit of our banking arrangements, payments for invoice
INV-20931 and all future invoices must be made to our new account.
The old account will be closed on Friday.

Please confirm by reply once the change is made. This is time
sensitive - the CEO has approved the change.

Regards,
Accounts Payable
Example Org
"""
    return Mail("23-envelope-conflict.eml", hops, headers, body)


def eml_24() -> Mail:
    """A 192.168.x.x client at the sender's qmail relay: a private address outside example.net."""
    s, r = "scanner@tailspin.example", "kevin.osei@example.net"
    t = T("2024-03-26 10:31:55")
    hops = [
        qmail(by="smtp.tailspin.example", ts=t, ip="192.168.77.5", rdns="mfp-3f.tailspin.example",
              helo="mfp-3f.tailspin.example"),
        qmail_invoked(pid=23177, what="from network", ts=t),
        mx_in(ts=t + timedelta(seconds=2), helo="smtp.tailspin.example", rdns="mta2.tailspin.example",
              ip="198.51.100.40", rcpt=r, env_from=s, tls=TLS12, seed="24"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="24"),
    ]  # fmt: skip
    b = f"----_=_NextPart_{hid('24b', 12)}"
    headers = [
        ("From", "MFP-3F Scanner <scanner@tailspin.example>"),
        ("To", "kevin.osei@example.net"),
        ("Subject", "Scanned document from MFP-3F"),
        ("Date", fmt_date(t - timedelta(seconds=1), 60)),
        ("Message-ID", "<20240326113154.0001@mfp-3f.tailspin.example>"),
        ("MIME-Version", "1.0"),
        ("X-Mailer", "MFP Scan-to-Email 2.1"),
        ("Content-Type", f'multipart/mixed; boundary="{b}"'),
    ]
    pdf = pdf_bytes("Scan 20240326-113150", ["Page 1 of 1", "Device: MFP-3F (3rd floor)"])
    body = multipart(b, [text_part("Scanned document attached.\n\nDevice: MFP-3F\nPages: 1\n", "us-ascii"),
                         attachment("SCAN_20240326_113150.pdf", "application/pdf", pdf)])  # fmt: skip
    return Mail("24-private-ip-outside-boundary.eml", hops, headers, body)


def eml_25() -> Mail:
    """A bounce (DSN) with the null reverse-path: Return-Path: <>; the returned headers have Received fields too."""
    r = "henry.patel@example.net"
    t = T("2024-03-28 15:02:11")
    qid = pf_short("25q")
    hops = [
        postfix(by="mail.example.org", ts=t, off=60, proto=None, qid=qid),
        mx_in(ts=t + timedelta(seconds=1), helo="mail.example.org", rdns="mail.example.org", ip="198.51.100.27",
              rcpt=r, env_from="", spf=None, seed="25"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from="", rcpt=r, seed="25"),
    ]  # fmt: skip
    hops[1].above = [
        ("Received-SPF", f"Pass (helo) identity=helo; client-ip=198.51.100.27; helo=mail.example.org; "
         f"envelope-from=<>; receiver={r}"),
    ]  # fmt: skip
    b = f"{qid}.{int(t.timestamp())}/mail.example.org"
    orig_t = t - timedelta(seconds=3)
    headers = [
        ("Date", fmt_date(t, 60, "space", "CET")),
        ("From", "MAILER-DAEMON@mail.example.org (Mail Delivery System)"),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("To", r),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/report; report-type=delivery-status;\n\tboundary="{b}"'),
        ("Content-Transfer-Encoding", "8bit"),
        ("Message-Id", f"<20240328150211.{qid}@mail.example.org>"),
    ]
    notice = """This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<j.smith@example.org>: unknown user: "j.smith"
"""
    status = f"""Reporting-MTA: dns; mail.example.org
X-Postfix-Queue-ID: {pf_short("25o")}
X-Postfix-Sender: rfc822; henry.patel@example.net
Arrival-Date: {fmt_date(orig_t, 60, "space", "CET")}

Final-Recipient: rfc822; j.smith@example.org
Original-Recipient: rfc822;j.smith@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: "j.smith"
"""
    returned = f"""Return-Path: <henry.patel@example.net>
Received: from smtp.example.net (smtp.example.net [192.0.2.40])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mail.example.org (Postfix) with ESMTPS id {pf_short("25o")}
\tfor <j.smith@example.org>; {fmt_date(orig_t, 60, "space", "CET")}
Received: from [10.0.5.44] (unknown [10.0.5.44])
\t(Authenticated sender: henry.patel@example.net)
\tby smtp.example.net (Postfix) with ESMTPA id {pf_long("25n")}
\tfor <j.smith@example.org>; {fmt_date(orig_t - timedelta(seconds=1), 0, "space", "UTC")}
Message-ID: {msgid_uuid("25orig", "example.net")}
Date: {fmt_date(orig_t - timedelta(seconds=2), 0)}
MIME-Version: 1.0
From: Henry Patel <henry.patel@example.net>
To: j.smith@example.org
Subject: Meeting notes 27 March
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit
"""
    body = multipart(b, [
        ([("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")], notice),
        ([("Content-Description", "Delivery report"), ("Content-Type", "message/delivery-status")], status),
        ([("Content-Description", "Undelivered Message Headers"), ("Content-Type", "text/rfc822-headers")], returned),
    ], "This is a MIME-encapsulated message.")  # fmt: skip
    return Mail("25-null-sender-dsn.eml", hops, headers, body)


def eml_26() -> Mail:
    """Tab-folded fields and comments nested in comments: '(may be forged)', '(verified OK)', TLS bits."""
    s, r = "yara@lab.example.org", "erin.novak@example.net"
    t = T("2024-03-29 17:08:44")
    first = sendmail(by="relay.lab.example.org", ts=t, off=0, helo="ws-yara.lab.example.org",
                     rdns="ws-yara.lab.example.org", ip="198.51.100.151", forged=True, proto="ESMTPSA", rcpt=r,
                     qid="42THo8iK007733")  # fmt: skip
    # sendmail adds "(authenticated bits=0)" after the from clause for an authenticated client
    first.text = first.text.replace("(may be forged))\n", "(may be forged))\n\t(authenticated bits=0)\n", 1)
    hops = [
        first,
        mx_in(ts=t + timedelta(seconds=2), helo="relay.lab.example.org", rdns="relay.lab.example.org",
              ip="198.51.100.150", rcpt=r, env_from=s,
              client_note='(Client CN "relay.lab.example.org", Issuer "Example Issuing CA (R3)" (verified OK))',
              seed="26"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from=s, rcpt=r, seed="26"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("26", "lab.example.org")),
        ("Date", fmt_date(t - timedelta(seconds=3), 0)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Subject", "Test rig booking\n\tfor April"),
        ("To", "Erin Novak <erin.novak@example.net>"),
        ("From", "Yara Costa <yara@lab.example.org>"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Erin,

I booked the test rig for you on 8-10 April. The calibration kit is in
the cabinet under the bench.

Yara
"""
    return Mail("26-folded-nested-comments.eml", hops, headers, body)


def eml_27() -> Mail:
    """CRLF line endings throughout; Exim with no port logging: 'from [IP] (helo=...)'."""
    s, r = "ana@woodgrove.example", "kevin.osei@example.net"
    t = T("2024-04-02 07:55:19")
    hops = [
        exim(by="mail.woodgrove.example", ts=t, off=120, ip="203.0.113.140", helo="[192.168.178.20]",
             proto="esmtpsa", tls=("TLS1.3", "TLS_AES_128_GCM_SHA256"), version="4.97.1", env_from=s, rcpt=r,
             eid="1rrX9k-00000000Fq2-2ZbN"),
        mx_in(ts=t + timedelta(seconds=1), helo="mail.woodgrove.example", rdns="mail.woodgrove.example",
              ip="198.51.100.142", rcpt=r, env_from=s, seed="27"),
        to_lmtp(ts=t + timedelta(seconds=2), env_from=s, rcpt=r, seed="27"),
    ]  # fmt: skip
    headers = [
        ("Message-ID", msgid_uuid("27", "woodgrove.example")),
        ("Date", fmt_date(t - timedelta(seconds=2), 120)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "en-US"),
        ("To", "Kevin Osei <kevin.osei@example.net>"),
        ("From", "Ana Lopes <ana@woodgrove.example>"),
        ("Subject", "Minutes: facilities meeting\n 2 April"),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Kevin,

Minutes from this morning:

- Badge readers on floor 2 replaced next Tuesday.
- Air conditioning service moved to 15 April.
- Parking permits: new list due end of month.

Ana
"""
    return Mail("27-crlf-line-endings.eml", hops, headers, body, eol="\r\n")


def eml_28() -> Mail:
    """LF only; Postfix pickup ('from userid 0', no with) → relay → mx2 → Postfix virtual (X-Original-To)."""
    s, r = "root@backup01.example.org", "ops@example.net"
    t = T("2024-04-04 03:00:07")
    hops = [
        postfix(by="backup01.example.org", ts=t, off=120, proto=None, userid=0, qid=pf_short("28a"), zc="CEST"),
        postfix(by="smtp.example.org", ts=t + timedelta(seconds=1), off=0, helo="backup01.example.org",
                rdns="backup01.example.org", ip="198.51.100.140", proto="ESMTPS", tls=TLS13, rcpt=r,
                qid=pf_short("28b")),
        mx_in(mx="mx2", ts=t + timedelta(seconds=2), helo="smtp.example.org", rdns="smtp.example.org",
              ip="198.51.100.25", rcpt=r, env_from=s, seed="28"),
    ]  # fmt: skip
    hops[-1].above = [
        ("Return-Path", f"<{s}>"),
        ("X-Original-To", r),
        ("Delivered-To", "ops-archive@example.net"),
        *hops[-1].above,
    ]
    headers = [
        ("From", "root@backup01.example.org (Cron Daemon)"),
        ("To", "ops@example.net"),
        ("Subject", "Cron <root@backup01> /usr/local/sbin/nightly-backup"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("X-Cron-Env", "<SHELL=/bin/sh>"),
        ("X-Cron-Env", "<HOME=/root>"),
        ("X-Cron-Env", "<LOGNAME=root>"),
        ("Message-Id", f"<20240404030007.{pf_short('28a')}@backup01.example.org>"),
        ("Date", fmt_date(t, 120, "space", "CEST")),
    ]
    body = """nightly-backup: starting at 2024-04-04T05:00:01+02:00
  /srv/db        -> s3-archive  14.2 GiB  ok
  /srv/files     -> s3-archive  88.9 GiB  ok
  /etc           -> s3-archive   0.1 GiB  ok
nightly-backup: finished at 2024-04-04T05:00:06+02:00, 0 errors
"""
    return Mail("28-lf-only-line-endings.eml", hops, headers, body)


# ---------------------------------------------------------------------------------------
# DKIM and ARC (eml 29-34): sample-only keys in keys/, signatures made with dkimpy
# ---------------------------------------------------------------------------------------
KEYS = HERE / "keys"


@dataclass(frozen=True)
class SampleKey:
    """A sample-only DKIM/ARC signing key, ``keys/<selector>._domainkey.<domain>.pem``.

    RSA keys are PKCS#1 PEM (what dkimpy reads), Ed25519 keys PKCS#8 PEM. The public
    records go into ``dns/world.zone`` (or ``dns/archived-keys.zone``): make_evidence.py
    derives them from these files.
    """

    selector: str
    domain: str
    algorithm: str = "rsa-sha256"  # or "ed25519-sha256"

    @property
    def name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def path(self) -> Path:
        return KEYS / f"{self.name}.pem"

    def private_for_dkimpy(self) -> bytes:
        """RSA: the PEM itself; Ed25519: the base64 32-byte seed (dkimpy's format)."""
        pem = self.path.read_bytes()
        if self.algorithm == "rsa-sha256":
            return pem
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return base64.b64encode(raw)


K_SHOP_RSA = SampleKey("s2024", "shop.example")
K_SHOP_ED = SampleKey("ed2024", "shop.example", "ed25519-sha256")
K_BANK = SampleKey("bk2024", "bank.example")
K_LOOKALIKE = SampleKey("mail", "bank-secure.example")
K_AUTHOR = SampleKey("aw2024", "adventure-works.example")
K_LIST = SampleKey("lists2024", "lists.example.org")
K_EXPIRING = SampleKey("wwi1", "wideworldimporters.example")
K_ROTATED = SampleKey("2024jan", "contoso.example")  # archived: not in today's DNS
K_CURRENT = SampleKey("2024mar", "contoso.example")  # what contoso.example publishes now (signs nothing here)
SAMPLE_KEYS = (K_SHOP_RSA, K_SHOP_ED, K_BANK, K_LOOKALIKE, K_AUTHOR, K_LIST, K_EXPIRING, K_ROTATED, K_CURRENT)


def ensure_keys() -> None:
    """Create the keys that are missing (once); never touch a key that exists.

    RSA key generation is random, so the keys are committed: regenerating them would
    change every signature (and the DNS records). Ed25519 keys are derived from a fixed
    seed, so even a lost one comes back identical.
    """
    KEYS.mkdir(exist_ok=True)
    for key in SAMPLE_KEYS:
        if key.path.exists():
            continue
        private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
        if key.algorithm == "rsa-sha256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            fmt = serialization.PrivateFormat.TraditionalOpenSSL  # PKCS#1, as dkimpy reads it
        else:
            private = ed25519.Ed25519PrivateKey.from_private_bytes(
                hashlib.sha256(f"sample_mail ed25519 {key.name}".encode()).digest()
            )
            fmt = serialization.PrivateFormat.PKCS8
        key.path.write_bytes(private.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
        print(f"created {key.path.relative_to(HERE)}")


class _DKIMWithExpiry(dkim.DKIM):
    """dkimpy's signer, plus an ``x=`` tag after ``t=`` (dkimpy has no option for it)."""

    expire_at: int | None = None

    def gen_header(self, fields: list[tuple[bytes, bytes]], *args: object, **kwargs: object) -> bytes:
        if self.expire_at is not None and fields and fields[0][0] == b"v":  # the DKIM-Signature, not an ARC field
            at = next(i for i, (tag, _) in enumerate(fields) if tag == b"t")
            fields.insert(at + 1, (b"x", str(self.expire_at).encode("ascii")))
        return super().gen_header(fields, *args, **kwargs)


@contextmanager
def dkimpy_clock(stamp: int) -> Iterator[None]:
    """dkimpy writes ``t=`` from ``time.time()``: pin it, so the signatures are fixed bytes."""
    real = dkim.time
    dkim.time = types.SimpleNamespace(time=lambda: stamp)
    try:
        yield
    finally:
        dkim.time = real


def _as_field(raw: bytes) -> tuple[str, str]:
    """``b"Name: value\\r\\n folded\\r\\n"`` → ``("Name", "value\\n folded")``."""
    name, _, value = raw.decode("ascii").rstrip("\r\n").replace("\r\n", "\n").partition(": ")
    return name, value


SIGNED = ("from", "to", "subject", "date", "message-id", "mime-version", "content-type")


def dkim_sign(
    stage: Mail,
    key: SampleKey,
    *,
    at: datetime,
    headers: tuple[str, ...] = SIGNED,
    canon: tuple[bytes, bytes] = (b"relaxed", b"relaxed"),
    expire: timedelta | None = None,
) -> tuple[str, str]:
    """The DKIM-Signature a signer at ``at`` adds to the message as it stands (``stage``)."""
    stamp = int(at.timestamp())
    signer = _DKIMWithExpiry(stage.render().replace(b"\n", b"\r\n"), signature_algorithm=key.algorithm.encode())
    if expire is not None:
        signer.expire_at = stamp + int(expire.total_seconds())
    with dkimpy_clock(stamp):
        raw = signer.sign(
            key.selector.encode(), key.domain.encode(), key.private_for_dkimpy(),
            canonicalize=canon, include_headers=[h.encode() for h in headers],
        )  # fmt: skip
    return _as_field(raw)


def arc_seal(
    stage: Mail, key: SampleKey, *, at: datetime, srv_id: str, headers: tuple[str, ...]
) -> list[tuple[str, str]]:
    """The ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results, top first)
    an intermediary adds; its AAR copies the stage's Authentication-Results of ``srv_id``."""
    stamp = int(at.timestamp())
    sealer = dkim.ARC(stage.render().replace(b"\n", b"\r\n"), signature_algorithm=key.algorithm.encode())
    with dkimpy_clock(stamp):
        raw = sealer.sign(
            key.selector.encode(), key.domain.encode(), key.private_for_dkimpy(), srv_id.encode(),
            include_headers=[h.encode() for h in headers], timestamp=stamp,
        )  # fmt: skip
    assert len(raw) == 3, "dkimpy did not seal (no Authentication-Results of the sealer?)"
    return [_as_field(f) for f in raw]


def b_prefix(signature: tuple[str, str]) -> str:
    """The first 8 characters of a signature's ``b=`` (RFC 6008 ``header.b``)."""
    flat = re.sub(r"\s+", "", signature[1])
    m = re.search(r"(?:^|;)b=([^;]*)", flat)
    assert m is not None
    return m.group(1)[:8]


def rspamd_ar(*results: str) -> tuple[str, str]:
    """The Authentication-Results field mx1's Rspamd prepends (one field, every method)."""
    return "Authentication-Results", "mx1.example.net;\n\t" + ";\n\t".join(results)


def spf_pass_comment(ip: str, env_from: str) -> str:
    return f"(mx1.example.net: domain of {env_from} designates {ip} as permitted sender)"


# ---------------------------------------------------------------------------------------
# eml 29-34: authentication scenarios (their DNS: make_evidence.py)
# ---------------------------------------------------------------------------------------
def eml_29() -> Mail:
    """A legitimate newsletter: SPF pass, two DKIM signatures (RSA-2048, Ed25519), DMARC pass (p=reject)."""
    s, r = "news-bounces@shop.example", "alice.martin@example.net"
    t = T("2024-03-04 06:00:12")
    ip = "198.51.100.120"
    hops = [
        postfix(by="mail.shop.example", ts=t, off=60, proto=None, userid=1002, rcpt=r, qid=pf_short("29a")),
        mx_in(ts=t + timedelta(seconds=3), helo="mail.shop.example", rdns="mail.shop.example", ip=ip, rcpt=r,
              env_from=s, seed="29"),
        to_lmtp(ts=t + timedelta(seconds=4), env_from=s, rcpt=r, seed="29"),
    ]  # fmt: skip
    b = boundary("29", "yh")
    headers = [
        ("Date", fmt_date(t, 60)),
        ("From", "Shop Example <news@shop.example>"),
        ("To", r),
        ("Message-ID", f"<{t:%Y%m%d%H%M%S}.{hid('29', 16)}@shop.example>"),
        ("Subject", "Spring sale: 20% off garden furniture"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{b}"'),
        ("List-Unsubscribe", f"<https://shop.example/u/{hid('29u', 24, ALNUM)}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    text = """Hello Alice,

Spring is here: until 17 March, everything in our garden range is 20%
off, including the teak benches you looked at last month.

Shop now: https://shop.example/garden

Shop Example - 1 Market Street, Example Town
You receive this newsletter because you subscribed at shop.example.
Unsubscribe: https://shop.example/u
"""
    body = multipart(b, [text_part(text), html_part(html_of(text))])
    mail = Mail("29-dkim-rsa-ed25519-pass.eml", hops, headers, body)
    # mail.shop.example signs as the message leaves: Ed25519 first, then RSA on top.
    signed = (*SIGNED, "list-unsubscribe", "list-unsubscribe-post")
    ed = dkim_sign(mail, K_SHOP_ED, at=t, headers=signed)
    hops[0].above = [ed]
    rsa_sig = dkim_sign(mail, K_SHOP_RSA, at=t, headers=signed)
    hops[0].above = [rsa_sig, ed]
    hops[1].above = [
        rspamd_ar(
            f"dkim=pass header.d=shop.example header.s=s2024 header.b={b_prefix(rsa_sig)}",
            f"dkim=pass header.d=shop.example header.s=ed2024 header.b={b_prefix(ed)}",
            f"spf=pass {spf_pass_comment(ip, s)} smtp.mailfrom={s}",
            "dmarc=pass (policy=reject) header.from=shop.example",
        ),
        *hops[1].above,
    ]
    return mail


def eml_30() -> Mail:
    """Phish from a look-alike: From bank.example, sent and DKIM-signed by bank-secure.example.

    SPF passes for the look-alike's MAIL FROM and its DKIM signature verifies, but neither
    is aligned with the From domain: DMARC fails, and bank.example says p=reject.
    """
    env, r = "bounce@bank-secure.example", "henry.patel@example.net"
    t = T("2024-03-07 13:41:27")
    ip = "198.51.100.121"
    hops = [
        postfix(by="mail.bank-secure.example", ts=t, off=0, helo="[192.168.0.12]", rdns=None, ip="203.0.113.155",
                proto="ESMTPSA", tls=TLS13, auth="mailer@bank-secure.example", rcpt=r, qid=pf_short("30a")),
        mx_in(ts=t + timedelta(seconds=2), helo="mail.bank-secure.example", rdns="mail.bank-secure.example", ip=ip,
              rcpt=r, env_from=env, seed="30"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=env, rcpt=r, seed="30"),
    ]  # fmt: skip
    headers = [
        ("From", '"Bank Example Security" <security@bank.example>'),
        ("Reply-To", "security@bank-secure.example"),
        ("To", r),
        ("Subject", "Action required: confirm your online banking details"),
        ("Date", fmt_date(t - timedelta(seconds=2), 0)),
        ("Message-ID", f"<{hid('30', 20)}@bank-secure.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Dear customer,

We detected an unusual sign-in to your online banking from a new device.
To keep your account open, confirm your details within 24 hours:

    https://bank-secure.example/verify?id=88213

If you do not confirm, your card will be blocked for your protection.

Bank Example - Security Team
"""
    mail = Mail("30-lookalike-dmarc-fail.eml", hops, headers, body)
    sig = dkim_sign(mail, K_LOOKALIKE, at=t, headers=(*SIGNED, "reply-to"))
    hops[0].above = [sig]
    hops[1].above = [
        rspamd_ar(
            f"dkim=pass header.d=bank-secure.example header.s=mail header.b={b_prefix(sig)}",
            f"spf=pass {spf_pass_comment(ip, env)} smtp.mailfrom={env}",
            "dmarc=fail (policy=reject) header.from=bank.example",
        ),
        *hops[1].above,
    ]
    return mail


def eml_31() -> Mail:
    """A mailing list breaks the author's DKIM (Subject tag, footer); its ARC set vouches for it.

    The author's server signs (d=adventure-works.example); lists.example.org verifies it
    (its Authentication-Results), tags the Subject, appends a footer, re-signs with its own
    d= and seals ARC i=1, whose ARC-Authentication-Results keep what it saw; it drops its
    own Authentication-Results field. example.net sees the author's signature broken, the
    list's intact, the ARC chain valid, and DMARC failing (p=reject): the case ARC exists for.
    """
    author, post, r = "kim.lee@adventure-works.example", "ops-forum@lists.example.org", "erin.novak@example.net"
    bounces = "ops-forum-bounces@lists.example.org"
    t = T("2024-03-12 08:14:05")
    ip = "198.51.100.123"
    h1 = postfix(
        by="mail.adventure-works.example",
        ts=t,
        off=60,
        helo="[192.168.10.14]",
        rdns=None,
        ip="203.0.113.152",
        proto="ESMTPSA",
        tls=TLS13,
        auth=author,
        rcpt=post,
        qid=pf_short("31a"),
    )
    h2 = postfix(
        by="mail.lists.example.org",
        ts=t + timedelta(seconds=2),
        helo="mail.adventure-works.example",
        rdns="mail.adventure-works.example",
        ip="198.51.100.122",
        proto="ESMTPS",
        tls=TLS13,
        rcpt=post,
        qid=pf_long("31b"),
    )
    h3 = postfix(
        by="mail.lists.example.org",
        ts=t + timedelta(seconds=9),
        helo="mail.lists.example.org",
        rdns="localhost",
        ip="127.0.0.1",
        rcpt=r,
        qid=pf_long("31c"),
    )
    h4 = mx_in(
        ts=t + timedelta(seconds=11),
        helo="mail.lists.example.org",
        rdns="mail.lists.example.org",
        ip=ip,
        rcpt=r,
        env_from=bounces,
        seed="31",
    )
    h5 = to_lmtp(ts=t + timedelta(seconds=12), env_from=bounces, rcpt=r, seed="31")
    subject = "Patch window moved to Saturday 16 March"
    original = [
        ("Message-ID", msgid_uuid("31", "adventure-works.example")),
        ("Date", fmt_date(t - timedelta(seconds=4), 60)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "en-US"),
        ("To", post),
        ("From", "Kim Lee <kim.lee@adventure-works.example>"),
        ("Subject", subject),
        ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    text = """Hi all,

The patch window for the shared cluster moves from Friday evening to
Saturday 16 March, 06:00-09:00 UTC. Nothing changes for the clients;
the maintenance page goes up at 05:45.

Kim
"""
    footer = """_______________________________________________
ops-forum mailing list -- ops-forum@lists.example.org
To unsubscribe send an email to ops-forum-leave@lists.example.org
"""
    mail = Mail("31-mailing-list-arc.eml", [h1], original, text)
    author_sig = dkim_sign(mail, K_AUTHOR, at=t)
    h1.above = [author_sig]
    # The list's MTA verifies on receipt ...
    list_ar = (
        "Authentication-Results",
        "lists.example.org;\n\t"
        f"dkim=pass header.d=adventure-works.example header.s=aw2024 header.b={b_prefix(author_sig)};\n\t"
        f"spf=pass smtp.mailfrom={author};\n\t"
        "dmarc=pass (p=reject) header.from=adventure-works.example",
    )
    # ... Mailman tags the Subject, appends the footer, adds its List-* fields ...
    h2.above = [
        ("List-Id", "Operations forum <ops-forum.lists.example.org>"),
        ("List-Post", "<mailto:ops-forum@lists.example.org>"),
        ("List-Unsubscribe", "<mailto:ops-forum-leave@lists.example.org>"),
        ("Precedence", "list"),
        ("X-Mailman-Version", "3.3.9"),
        list_ar,
    ]
    headers = [(n, f"[ops-forum] {v}" if n == "Subject" else v) for n, v in original]
    mail = Mail(mail.name, [h1, h2, h3], headers, text + footer)
    # ... and its outbound MTA re-signs with the list's d= and seals ARC i=1.
    list_signed = (*SIGNED, "list-id", "list-post", "list-unsubscribe")
    list_sig = dkim_sign(mail, K_LIST, at=t + timedelta(seconds=9), headers=list_signed)
    h3.above = [list_sig]
    arc_set = arc_seal(mail, K_LIST, at=t + timedelta(seconds=9), srv_id="lists.example.org", headers=list_signed)
    h3.above = [*arc_set, list_sig]
    h2.above.remove(list_ar)  # the verdict travels in the ARC-Authentication-Results only
    h4.above = [
        rspamd_ar(
            f"dkim=pass header.d=lists.example.org header.s=lists2024 header.b={b_prefix(list_sig)}",
            f'dkim=fail ("body hash did not verify") header.d=adventure-works.example header.s=aw2024 '
            f"header.b={b_prefix(author_sig)}",
            'arc=pass ("lists.example.org:s=lists2024:i=1")',
            f"spf=pass {spf_pass_comment(ip, bounces)} smtp.mailfrom={bounces}",
            "dmarc=fail (policy=reject) header.from=adventure-works.example",
        ),
        *h4.above,
    ]
    return Mail(mail.name, [h1, h2, h3, h4, h5], headers, text + footer)


def eml_32() -> Mail:
    """A forged Authentication-Results: the sender's script writes 'mx1.example.net; ... dmarc=pass'.

    The field is among the fields the sending client wrote, below every Received field, so
    below the trust boundary: a claim anyone can make. The message came in through mx2
    (the backup MX, which adds no Authentication-Results of its own); the DKIM-Signature
    is a genuine bank.example signature copied from another message, so it fails.
    """
    env, r = "www-data@vps-2217.hoster.example", "kevin.osei@example.net"
    t = T("2024-03-14 19:22:48")
    hops = [
        postfix(by="vps-2217.hoster.example", ts=t, off=0, proto=None, userid=33, rcpt=r, qid=pf_short("32a")),
        mx_in(mx="mx2", ts=t + timedelta(seconds=1), helo="vps-2217.hoster.example",
              rdns="vps-2217.hoster.example", ip="203.0.113.156", rcpt=r, env_from=env, spf="None", seed="32"),
        to_lmtp(mx="mx2", ts=t + timedelta(seconds=2), env_from=env, rcpt=r, seed="32"),
    ]  # fmt: skip
    # The signature the phisher copied: from a genuine bank.example notice sent a week before.
    t_bank = T("2024-03-07 09:30:00")
    notice = Mail(
        "bank-notice",
        [],
        [
            ("From", "Bank Example <notifications@bank.example>"),
            ("To", "customer-4471@example.com"),
            ("Subject", "Your March statement is available"),
            ("Date", fmt_date(t_bank, 60)),
            ("Message-ID", f"<{hid('32bank', 24)}@mail.bank.example>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "Dear customer,\n\nYour March statement is available in online banking.\n\nBank Example\n",
    )
    copied = dkim_sign(notice, K_BANK, at=t_bank)
    headers = [
        ("Authentication-Results", "mx1.example.net; spf=pass smtp.mailfrom=security@bank.example; "
         "dkim=pass header.d=bank.example header.s=bk2024; dmarc=pass header.from=bank.example"),
        copied,
        ("From", '"Bank Example" <security@bank.example>'),
        ("To", r),
        ("Subject", "Security alert: your card has been suspended"),
        ("Date", fmt_date(t, 0)),
        ("Message-ID", f"<{hid('32', 32)}@bank.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "7bit"),
        ("X-Mailer", "PHPMailer 6.8.1 (https://github.com/PHPMailer/PHPMailer)"),
    ]  # fmt: skip
    body = """Dear customer,

For your security we have suspended your card after a failed payment.
Reactivate it today at:

    http://bank-example.vps-2217.hoster.example/reactivate

Bank Example
"""
    return Mail("32-forged-auth-results.eml", hops, headers, body)


def eml_33() -> Mail:
    """A DKIM signature with x= a week after signing: valid at delivery, expired by now.

    The only aligned identifier is the DKIM signature (the ESP's MAIL FROM passes SPF for
    its own domain), so DMARC passed at delivery and fails when judged today.
    """
    env, r = "bnc-7f3a9c21@bounces.mailrelay.example", "carol.diaz@example.net"
    t = T("2024-03-05 10:15:31")
    ip = "198.51.100.124"
    hops = [
        http_origin(frm=None, by="mta7.mailrelay.example", ts=t),
        mx_in(ts=t + timedelta(seconds=2), helo="mta7.mailrelay.example", rdns="mta7.mailrelay.example", ip=ip,
              rcpt=r, env_from=env, seed="33"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=env, rcpt=r, seed="33"),
    ]  # fmt: skip
    headers = [
        ("Date", fmt_date(t, 0)),
        ("From", "Wide World Importers <receipts@wideworldimporters.example>"),
        ("To", r),
        ("Message-ID", f"<{hid('33', 28, ALNUM)}@mailrelay.example>"),
        ("Subject", "Your receipt for order WWI-240305-1187"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Thank you for your order.

  Order       WWI-240305-1187
  Items       2 x ceramic planter (large), 1 x watering can
  Total       EUR 84.90
  Paid with   card ending 4417

Wide World Importers
"""
    mail = Mail("33-dkim-expired.eml", hops, headers, body)
    sig = dkim_sign(mail, K_EXPIRING, at=t, expire=timedelta(days=7))
    hops[0].above = [sig]
    hops[1].above = [
        rspamd_ar(
            f"dkim=pass header.d=wideworldimporters.example header.s=wwi1 header.b={b_prefix(sig)}",
            f"spf=pass {spf_pass_comment(ip, env)} smtp.mailfrom={env}",
            "dmarc=pass (policy=quarantine) header.from=wideworldimporters.example",
        ),
        *hops[1].above,
    ]
    return mail


def eml_34() -> Mail:
    """Signed with a selector rotated away since: NXDOMAIN today, in dns/archived-keys.zone.

    mx1 verified it at delivery (Authentication-Results, trusted: dkim=pass); today the key
    is gone, so the re-verification needs the archived key (``--historical-keys``).
    """
    s, r = "hr@contoso.example", "priya.nair@example.net"
    t = T("2024-02-27 16:05:10")
    ip = "198.51.100.125"
    hops = [
        postfix(by="smtp.contoso.example", ts=t, off=60, helo="hrportal.contoso.example",
                rdns="hrportal.contoso.example", ip="203.0.113.153", proto="ESMTPS", tls=TLS13, rcpt=r,
                qid=pf_short("34a")),
        mx_in(ts=t + timedelta(seconds=2), helo="smtp.contoso.example", rdns="smtp.contoso.example", ip=ip, rcpt=r,
              env_from=s, seed="34"),
        to_lmtp(ts=t + timedelta(seconds=3), env_from=s, rcpt=r, seed="34"),
    ]  # fmt: skip
    headers = [
        ("Date", fmt_date(t - timedelta(seconds=1), 60)),
        ("From", "Contoso HR <hr@contoso.example>"),
        ("To", "Priya Nair <priya.nair@example.net>"),
        ("Message-ID", f"<{hid('34', 24)}@hrportal.contoso.example>"),
        ("Subject", "Contract extension: signed copy"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    body = """Dear Priya,

Your contract extension (consultancy, April to September 2024) has been
signed on our side. The signed copy is in the supplier portal under
Documents > Contracts.

Contoso HR
"""
    mail = Mail("34-dkim-key-rotated.eml", hops, headers, body)
    sig = dkim_sign(mail, K_ROTATED, at=t + timedelta(seconds=1))
    hops[0].above = [sig]
    hops[1].above = [
        rspamd_ar(
            f"dkim=pass header.d=contoso.example header.s=2024jan header.b={b_prefix(sig)}",
            f"spf=pass {spf_pass_comment(ip, s)} smtp.mailfrom={s}",
            "dmarc=pass (policy=reject) header.from=contoso.example",
        ),
        *hops[1].above,
    ]
    return mail


EML_BUILDERS = [
    eml_01, eml_02, eml_03, eml_04, eml_05, eml_06, eml_07, eml_08, eml_09, eml_10, eml_11, eml_12, eml_13,
    eml_14, eml_15, eml_16, eml_17, eml_18, eml_19, eml_20, eml_21, eml_22, eml_23, eml_24, eml_25, eml_26,
    eml_27, eml_28, eml_29, eml_30, eml_31, eml_32, eml_33, eml_34,
]  # fmt: skip


# ---------------------------------------------------------------------------------------
# Shared chains for the mailbox exports (export.mbox, export-crlf-cl.mbox, Maildir)
# ---------------------------------------------------------------------------------------
def _s(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def ch_postfix(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    cip = f"203.0.113.{rng.randint(2, 250)}"
    return [
        postfix(by="smtp.example.org", ts=t, off=60, helo=f"[192.168.1.{rng.randint(2, 250)}]", rdns=None, ip=cip,
                proto="ESMTPSA", tls=TLS13, auth=s, rcpt=r, qid=pf_short(seed)),
        mx_in(ts=t + _s(2), helo="smtp.example.org", rdns="smtp.example.org", ip="198.51.100.25", rcpt=r,
              env_from=s, seed=seed),
        to_lmtp(ts=t + _s(3), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_exim(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        exim(by="server1.globex.example", ts=t, ip=f"203.0.113.{rng.randint(2, 250)}", port=rng.randint(40000, 65000),
             helo=f"[192.168.0.{rng.randint(2, 250)}]", proto="esmtpsa", env_from=s, rcpt=r,
             eid=f"1r{hid(seed, 4, ALNUM)}-00{hid(seed + 'x', 4, ALNUM)}-{hid(seed + 'y', 2, ALNUM)}"),
        mx_in(ts=t + _s(rng.randint(1, 4)), helo="server1.globex.example", rdns="server1.globex.example",
              ip="198.51.100.31", rcpt=r, env_from=s, seed=seed),
        to_lmtp(ts=t + _s(5), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_qmail(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        qmail(by="smtp.tailspin.example", ts=t, ip=f"203.0.113.{rng.randint(2, 250)}", rdns=None,
              helo=f"DESKTOP-{hid(seed, 7, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}", proto="ESMTPA"),
        qmail_invoked(pid=rng.randint(1000, 32000), what="from network", ts=t),
        mx_in(ts=t + _s(2), helo="smtp.tailspin.example", rdns="mta2.tailspin.example", ip="198.51.100.40",
              rcpt=r, env_from=s, tls=TLS12, seed=seed),
        to_lmtp(ts=t + _s(3), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_exchange(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        mapi(host="EXMBX01.corp.fabrikam.example", ll="fe80::5d1:2c3b:4a5e:9f10", scope=12, ts=t, off=60,
             build="15.01.2507.027"),
        exchange(helo="EXMBX01.corp.fabrikam.example", ip="10.10.1.21", by="EXEDGE01.corp.fabrikam.example",
                 by_ip="10.10.1.30", ts=t + _s(1), off=60, build="15.1.2507.27"),
        mx_in(ts=t + _s(3), helo="mail.fabrikam.example", rdns="mail.fabrikam.example", ip="198.51.100.35",
              rcpt=r, env_from=s, tls=TLS12, seed=seed),
        to_lmtp(ts=t + _s(4), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_exo(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        mapi(host="DM6PR10MB4123.namprd10.prod.outlook.example", ll="fe80::3c4d:5e6f:7a8b:9c0d", scope=5, ts=t,
             build="15.20.7228.029"),
        exchange(helo="DM6PR10MB4123.namprd10.prod.outlook.example", ip="2001:db8:10b6:5:3f::12",
                 by="SN7PR10MB6523.namprd10.prod.outlook.example", by_ip="2001:db8:10b6:806:1f2::9", ts=t,
                 build="15.20.7228.29"),
        mx_in(mx="mx2", ts=t + _s(2), helo="NAM10-DM6-obe.outbound.protection.outlook.example",
              rdns=f"mail-dm6nam10on21{rng.randint(10, 99)}.outbound.protection.outlook.example",
              ip=f"198.51.100.{rng.randint(100, 109)}", rcpt=r, env_from=s, tls=TLS12, seed=seed),
        amavis(helo="mx2.example.net", host="mx2.example.net", ts=t + _s(3), off=0, port=10024,
               aid=hid(seed + "am", 12, ALNUM)),
        postfix(by="mx2.example.net", ts=t + _s(3), helo="localhost", rdns="localhost", ip="127.0.0.1",
                proto="ESMTP", rcpt=r, qid=pf_long(seed + "re")),
        to_lmtp(mx="mx2", ts=t + _s(4), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_gmail(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    n = rng.randint(41, 54)
    host = f"mail-wr1-f{n}.google.example"
    return [
        gmail_by(by=host, qid=f"ffacd0b85a97d-{hid(seed, 11)}so{rng.randint(1000000, 9999999)}f8f.{rng.randint(1, 9)}",
                 ts=t, off=-480, rcpt=r),
        mx_in(ts=t + _s(1), helo=host, rdns=host, ip=f"198.51.100.{n}", rcpt=r, env_from=s, seed=seed),
        to_lmtp(ts=t + _s(2), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_yahoo(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    host = f"sonic30{rng.randint(1, 9)}-{rng.randint(1, 40)}.consmr.mail.ne1.yahoo.example"
    return [
        http_origin(frm="sonic.gate.mail.ne1.yahoo.example", by=host, ts=t, day="none"),
        mx_in(ts=t + _s(1), helo=host, rdns=host, ip=f"198.51.100.{rng.randint(180, 189)}", rcpt=r, env_from=s,
              seed=seed),
        to_lmtp(ts=t + _s(2), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_ses(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    n = rng.randint(90, 99)
    host = f"a48-{n}.smtp-out.amazonses.example"
    return [
        mx_in(ts=t, helo=host, rdns=host, ip=f"198.51.100.{n}", rcpt=r, env_from=s,
              tls=("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 128), seed=seed),
        to_lmtp(ts=t + _s(1), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_mailgun(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        http_origin(frm=None, by="luna.mailgun.example", ts=t),
        mx_in(mx="mx2", ts=t + _s(rng.randint(1, 9)), helo="m42-7.mailgun.example", rdns="m42-7.mailgun.example",
              ip="198.51.100.42", rcpt=r, env_from=s, seed=seed),
        to_lmtp(mx="mx2", ts=t + _s(10), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_sendgrid(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    return [
        sendgrid_api(account="MTY0MjM1NzQ", by=f"geopod-ismtpd-{rng.randint(1, 40)}", sgid=hid(seed, 22, B64ISH),
                     ts=t, ms=rng.randint(0, 999)),
        sendgrid_filter(by=f"filterdrecv-7bf5c69d5-{hid(seed, 5, 'bcdfghjklmnpqrstvwxz2456789')}", ts=t,
                        ns=rng.randint(0, 999999999),
                        uptime=f"{rng.randint(100, 999999)}.{rng.randint(0, 999999999):09d}"),
        mx_in(ts=t + _s(1), helo="o1.ptr4242.news.litware.example", rdns="o1.ptr4242.news.litware.example",
              ip="198.51.100.149", rcpt=r, env_from=s, seed=seed),
        to_lmtp(ts=t + _s(2), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_ipv6(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    cip = f"2001:db8:cafe:1::{rng.randint(16, 255):x}"
    return [
        postfix(by="smtp6.sixnet.example", ts=t, helo=f"[IPv6:{cip}]", rdns=None, ip=cip, proto="ESMTPSA",
                tls=TLS13, auth=s, rcpt=r, qid=pf_long(seed)),
        mx_in(ts=t + _s(1), helo="smtp6.sixnet.example", rdns="smtp6.sixnet.example", ip="2001:db8::25", rcpt=r,
              env_from=s, seed=seed),
        dovecot(helo="mx1.example.net", ip="2001:db8:10::25", ts=t + _s(2), env_from=s, rcpt=r,
                did=hid(seed + "lmtp", 22, ALNUM + "+/")),
    ]  # fmt: skip


def ch_sendmail(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    q = "40" + hid(seed, 12, ALNUM)
    return [
        sendmail_submit(by="app01.northwind.example", ts=t, off=-300, user=s.split("@")[0], qid=q, version="8.17.1"),
        sendmail(by="app01.northwind.example", ts=t, off=-300, helo="app01.northwind.example", rdns="localhost",
                 ip="127.0.0.1", proto="ESMTP", tls=None, rcpt=r, qid=q[:-1] + "Z"),
        sendmail(by="relay.northwind.example", ts=t + _s(1), off=-300, helo="app01.northwind.example",
                 rdns="static-203-0-113-7.hosting.example", ip="203.0.113.7", forged=True, rcpt=r,
                 qid="40" + hid(seed + "r", 12, ALNUM)),
        mx_in(mx="mx2", ts=t + _s(2), helo="relay.northwind.example", rdns="relay.northwind.example",
              ip="198.51.100.12", rcpt=r, env_from=s, seed=seed),
        to_lmtp(mx="mx2", ts=t + _s(3), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_haraka(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    u = hid(seed, 32, "0123456789ABCDEF")
    return [
        opensmtpd(helo=f"[192.168.5.{rng.randint(2, 250)}]", rdns="ip-203-0-113-61.isp.example", ip="203.0.113.61",
                  by="mail.lakeside.example", ts=t, off=60, sid=hid(seed, 8), proto="ESMTPSA", rcpt=r),
        haraka(helo="mail.lakeside.example", rdns="mail.lakeside.example", ip="198.51.100.62",
               by="inbound.example.net", ts=t + _s(2), off=0,
               uuid=f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}.1", env_from=s),
        to_lmtp(mx="inbound", ts=t + _s(3), env_from=s, rcpt=r, seed=seed),
    ]  # fmt: skip


def ch_internal(t: datetime, rng: random.Random, s: str, r: str, seed: str) -> list[Hop]:
    cip = f"10.0.5.{rng.randint(10, 250)}"
    return [
        postfix(by="smtp.example.net", ts=t, helo=f"[{cip}]", rdns=None, ip=cip, proto="ESMTPSA", tls=TLS13,
                auth=s, rcpt=r, qid=pf_long(seed + "int")),
        dovecot(helo="smtp.example.net", ip="10.0.0.40", ts=t + _s(1), env_from=s, rcpt=r,
                did=hid(seed + "lmtp", 22, ALNUM + "+/")),
    ]  # fmt: skip


# (display name, address, chain, client style)
SENDERS = [
    ("Bob Chen", "bob.chen@example.org", ch_postfix, "tb"),
    ("Dave Okafor", "dave@globex.example", ch_exim, "tb"),
    ("Rita Alvarez", "rita@tailspin.example", ch_qmail, "ol"),
    ("Nina Haddad", "nina.haddad@fabrikam.example", ch_exchange, "ol"),
    ("Liam O'Neill", "liam.oneill@example.com", ch_exo, "ol"),
    ("Grace Kim", "gracekim.writes@gmail.example", ch_gmail, "gm"),
    ("Kim Sato", "kim.sato.88@yahoo.example", ch_yahoo, "yh"),
    ("Adatum Cloud Billing", "billing@notify.adatum.example", ch_ses, "bulk"),
    ("Tailwind Support", "support@mg.tailwind.example", ch_mailgun, "bulk"),
    ("Litware Events", "events@news.litware.example", ch_sendgrid, "bulk"),
    ("Quinn Ahmed", "quinn@sixnet.example", ch_ipv6, "tb"),
    ("Northwind Reports", "reports@northwind.example", ch_sendmail, "cron"),
    ("Judy Larsen", "judy@lakeside.example", ch_haraka, "mutt"),
    ("Carol Diaz", "carol.diaz@example.net", ch_internal, "tb"),
    ("Henry Patel", "henry.patel@example.net", ch_internal, "ol"),
    ("Kevin Osei", "kevin.osei@example.net", ch_internal, "tb"),
]

BULK_RETURN = {
    "billing@notify.adatum.example": "0100018d{h}-000000@amazonses.example",
    "support@mg.tailwind.example": "bounce+{h}-alice.martin=example.net@mg.tailwind.example",
    "events@news.litware.example": "bounces+2718281-{h}-alice.martin=example.net@em4242.news.litware.example",
}

SUBJECTS = [
    "Re: budget review", "Agenda for Monday", "Updated project plan", "Question about the contract",
    "Re: server maintenance window", "Travel booking confirmation", "Minutes from yesterday",
    "Re: onboarding checklist", "Your invoice is ready", "Weekly status", "Re: access request",
    "Re: offsite logistics", "Draft proposal - comments welcome", "Re: lunch on Thursday?",
    "Reminder: timesheets due Friday", "Ticket update", "Re: firewall change CHG-1182",
    "New office floor plan", "Re: hiring panel", "Vendor security questionnaire",
]  # fmt: skip

PARAGRAPHS = [
    "Thanks for the quick reply. I have gone through the numbers again and they match what we agreed last week.",
    "Could you check the attached file and let me know if anything is missing before I send it on?",
    "The maintenance window is confirmed for Saturday between 06:00 and 08:00 UTC. Users will be notified on Thursday.",
    "I spoke with the vendor this morning. They can deliver in two weeks if we confirm the order by Wednesday.",
    "As discussed, the new process starts on the first of the month. The old form will stop working then.",
    "Please find the summary below. The full report is on the shared drive in the usual folder.",
    "I will be out of the office next week with limited access to mail. Kevin is covering for me.",
    "The test results look good overall. Two of the fifteen cases failed and we are looking into those now.",
    "Can we move our call to 15:30? Something came up at 14:00 that I cannot avoid.",
    "We received three quotes. The middle one is the best value once installation is included.",
    "The access request was approved by your manager; the account will be active tomorrow morning.",
    "For the record, the decision was to keep the current supplier until the end of the year and review in Q4.",
]

FROM_LINES = [  # body lines that start with "From " (mboxrd must quote them)
    "From the notes I took during the call:",
    "From 1 May the front desk opens at 08:00 instead of 08:30.",
    "From what I can see in the logs, the job finished at 02:14.",
]


def _origin_headers(style: str, name: str, addr: str, r: str, subject: str, t: datetime, off: int,
                    seed: str, ctype: str) -> list[tuple[str, str]]:  # fmt: skip
    domain = addr.split("@")[1]
    date = fmt_date(t - _s(1), off)
    to = f"Alice Martin <{r}>"
    if style == "ol":
        return [
            ("From", f"{name} <{addr}>"), ("To", to), ("Subject", subject), ("Thread-Topic", subject),
            ("Thread-Index", base64.b64encode(hashlib.sha256(seed.encode()).digest()[:22]).decode()),
            ("Date", date), ("Message-ID", f"<{hid(seed, 32, '0123456789ABCDEF')}@{domain}>"),
            ("Accept-Language", "en-US"), ("Content-Language", "en-US"), ("Content-Type", ctype),
            ("MIME-Version", "1.0"),
        ]  # fmt: skip
    if style == "gm":
        return [
            ("MIME-Version", "1.0"), ("From", f"{name} <{addr}>"), ("Date", date),
            ("Message-ID", f"<CA{hid(seed, 44, ALNUM + '+_')}@mail.gmail.example>"), ("Subject", subject),
            ("To", r), ("Content-Type", ctype),
        ]  # fmt: skip
    if style == "yh":
        return [
            ("Date", fmt_date(t, 0, "none", "UTC")), ("From", f"{name} <{addr}>"), ("To", to),
            ("Message-ID", f"<{int(hid(seed, 10, '0123456789'))}.{int(hid(seed + 'b', 7, '0123456789'))}."
             f"{int(t.timestamp()) * 1000}@mail.yahoo.example>"),
            ("Subject", subject), ("MIME-Version", "1.0"), ("Content-Type", ctype),
            ("X-Mailer", "WebService/1.1.22077 YMailNorrin"),
        ]  # fmt: skip
    if style == "bulk":
        return [
            ("Date", date), ("From", f"{name} <{addr}>"), ("To", r),
            ("Message-ID", f"<{t:%Y%m%d%H%M%S}.{hid(seed, 16)}@{domain}>"), ("Subject", subject),
            ("MIME-Version", "1.0"), ("Content-Type", ctype),
            ("List-Unsubscribe", f"<mailto:unsubscribe-{hid(seed, 10)}@{domain}>"),
        ]  # fmt: skip
    if style == "cron":
        return [
            ("Date", date), ("From", f"{name} <{addr}>"),
            ("Message-Id",
             f"<{t + timedelta(minutes=off):%Y%m%d%H%M}.40{hid(seed, 12, ALNUM)}@app01.northwind.example>"),
            ("To", r), ("Subject", subject), ("MIME-Version", "1.0"), ("Content-Type", ctype),
        ]  # fmt: skip
    if style == "mutt":
        return [
            ("Date", date), ("From", f"{name} <{addr}>"), ("To", to), ("Subject", subject),
            ("Message-ID", f"<{hid(seed, 16, ALNUM)}@{domain}>"), ("MIME-Version", "1.0"), ("Content-Type", ctype),
            ("Content-Disposition", "inline"), ("User-Agent", "Mutt/2.2.12 (2023-09-09)"),
        ]  # fmt: skip
    return [  # Thunderbird
        ("Message-ID", msgid_uuid(seed, domain)), ("Date", date), ("MIME-Version", "1.0"),
        ("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "en-US"), ("To", to),
        ("From", f"{name} <{addr}>"), ("Subject", subject), ("Content-Type", ctype),
    ]  # fmt: skip


SENDER_OFFSET = {"tb": 60, "ol": 60, "gm": -480, "yh": 0, "bulk": 0, "cron": -300, "mutt": 60}


def mailbox_message(i: int, t: datetime, rng: random.Random, *, r: str = "alice.martin@example.net",
                    sender: int | None = None, from_lines: list[str] | None = None,
                    attach: str | None = None, paragraphs: int | None = None,
                    subject: str | None = None, log_lines: int = 0) -> tuple[str, datetime, str]:  # fmt: skip
    """One delivered message (LF text). Returns (envelope sender, delivery time, text)."""
    name, addr, chain, style = SENDERS[sender if sender is not None else rng.randrange(len(SENDERS))]
    seed = f"mb{i}"
    env = addr
    if addr in BULK_RETURN:
        env = BULK_RETURN[addr].format(h=hid(seed, 12))
    hops = chain(t, rng, env, r, seed)
    subject = subject or rng.choice(SUBJECTS)
    n = paragraphs if paragraphs is not None else rng.choice((1, 1, 2, 2, 3, 4, 6, 10))
    paras = [rng.choice(PARAGRAPHS) for _ in range(n)]
    if from_lines:
        paras.insert(min(1, len(paras)), "\n".join(from_lines))
    if style in ("bulk", "cron"):
        subject, text = _automated(addr, t, seed, rng)
        if from_lines:
            text += "\n" + "\n".join(from_lines) + "\n"
    else:
        text = "Hi Alice,\n\n" + "\n\n".join(_wrap(p) for p in paras) + f"\n\n{name.split()[0]}\n"
    if log_lines:
        text += "\nLog excerpt from backup01, pasted as requested:\n\n" + "".join(
            f"{t - timedelta(hours=9) + timedelta(seconds=7 * k):%Y-%m-%dT%H:%M:%S}Z backup01 nightly-backup[4121]: "
            f"copied /srv/files/share{k % 17:02d}/batch-{k:04d}.tar ({(k * 7919) % 90000 + 1000} KiB) "
            f"{'retry 1/3 after timeout' if k % 41 == 40 else 'ok'}\n"
            for k in range(log_lines)
        )
    off = SENDER_OFFSET[style]
    if attach:
        b = boundary(seed, "tb" if style != "ol" else "ol")
        kind, fname = attach.split(":", 1)
        if kind == "pdf":
            data, ctype = pdf_bytes(fname, [f"Generated for message {i}", subject]), "application/pdf"
        elif kind == "png":
            data, ctype = png_bytes(32, 20 + i % 7, seed), "image/png"
        elif kind == "csv":
            rows = ["date,item,amount"]
            rows += [f"2024-0{1 + k % 4}-{1 + k % 28:02d},item-{k},{(k * 37) % 500}.00" for k in range(40)]
            data, ctype = ("\n".join(rows) + "\n").encode(), "text/csv"
        elif kind == "ics":
            data = (
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//sample_mail//EN\r\nBEGIN:VEVENT\r\n"
                f"UID:{hid(seed, 16)}@example.org\r\nDTSTAMP:{t:%Y%m%dT%H%M%SZ}\r\n"
                f"DTSTART:{t + timedelta(days=3):%Y%m%dT140000Z}\r\nDTEND:{t + timedelta(days=3):%Y%m%dT150000Z}\r\n"
                f"SUMMARY:{subject}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ).encode()
            ctype = "text/calendar"
        else:  # a larger opaque binary (e.g. a zip the sender attached)
            nibbles = hid(seed, 96000)
            data, ctype = bytes.fromhex(nibbles), "application/zip"
        preamble = "This is a multi-part message in MIME format."
        body = multipart(b, [text_part(text), attachment(fname, ctype, data)], preamble)
        ctype_header = f'multipart/mixed; boundary="{b}"'
    elif style in ("gm", "yh", "bulk", "ol") and rng.random() < 0.6:
        b = boundary(seed, "gm" if style == "gm" else "yh" if style == "yh" else "ol" if style == "ol" else "tb")
        body = multipart(b, [text_part(text), html_part(html_of(text))])
        ctype_header = f'multipart/alternative; boundary="{b}"'
    else:
        body = text
        ctype_header = "text/plain; charset=UTF-8; format=flowed" if style == "tb" else "text/plain; charset=UTF-8"
    headers = _origin_headers(style, name, addr, r, subject, hops[0].ts or t, off, seed, ctype_header)
    if not attach and not ctype_header.startswith("multipart"):
        headers.append(("Content-Transfer-Encoding", "7bit"))
    mail = Mail(f"mbox-{i}", hops, headers, body)
    delivered = hops[-1].ts or t
    return env, delivered, mail.render().decode("utf-8")


def _automated(addr: str, t: datetime, seed: str, rng: random.Random) -> tuple[str, str]:
    """Subject and body for machine-sent mail (billing, ticketing, newsletter, cron)."""
    prev = t.replace(day=1) - timedelta(days=1)
    month = MON[prev.month - 1]
    if addr.startswith("billing@"):
        amount = f"{rng.randint(80, 900)}.{rng.randint(0, 99):02d}"
        return f"Your {month} {prev.year} invoice is ready", (
            f"Hello,\n\nYour invoice for {month} {prev.year} is ready.\n\n  Account:    7310-4421-88\n"
            f"  Amount due: EUR {amount}\n\nSign in to https://portal.adatum.example/ to download it.\n\nAdatum Cloud\n"
        )
    if addr.startswith("support@"):
        ticket = rng.randint(58000, 59999)
        return f"[Ticket #{ticket}] {rng.choice(('Update', 'Resolved', 'Awaiting your reply'))}", (
            f"Hi Alice,\n\nThere is an update on ticket #{ticket}:\n\n> {rng.choice(PARAGRAPHS)}\n\n"
            "Reply to this message to add a comment.\nTailwind Support\n"
        )
    if addr.startswith("events@"):
        return rng.choice(("Last chance: early-bird tickets", "Speakers announced", "Your agenda for next week")), (
            "Litware Security Summit 2024\n16-17 April, Convention Centre Hall B\n\n"
            + _wrap(rng.choice(PARAGRAPHS))
            + "\n\nRegister: https://events.litware.example/summit-2024\n\n"
            "You receive this because you attended a Litware event in 2023.\n"
        )
    day = (t + timedelta(minutes=-300)).strftime("%Y-%m-%d")
    return f"Nightly inventory export {day}", (
        f"Nightly inventory export finished.\n\n  Warehouses  : 4\n  SKUs        : {rng.randint(18000, 18600):,}\n"
        f"  Changed     : {rng.randint(50, 900)}\n  Errors      : 0\n\n"
        "-- \nThis message was sent automatically by app01.\n"
    )


def _wrap(paragraph: str, width: int = 72) -> str:
    if "\n" in paragraph:
        return paragraph
    lines, current = [], ""
    for word in paragraph.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join([*lines, current])


def mboxrd_quote(text: str) -> str:
    """mboxrd: every line matching ``^>*From `` gets one more ``>``."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        if stripped.startswith("From "):
            line = ">" + line
        out.append(line)
    return "\n".join(out)


def build_mbox() -> bytes:
    rng = random.Random(20240101)
    t = T("2024-01-02 07:12:00")
    special = {
        6: {"from_lines": [FROM_LINES[0], "- keep the current schedule", "- revisit in June"]},
        19: {"from_lines": [FROM_LINES[1]]},
        33: {
            "from_lines": [
                FROM_LINES[2],
                "",
                "> >From the archive, as quoted in the first reply:",
                ">From the archive: job 4411 ran twice.",
            ]
        },
        47: {"from_lines": ["From here on, replies go to the new helpdesk address."]},
        9: {"attach": "pdf:Invoice-2024-0117.pdf", "sender": 7},
        14: {"attach": "png:screenshot.png", "sender": 5},
        22: {"attach": "csv:expenses-february.csv", "sender": 0},
        28: {"attach": "ics:invite.ics", "sender": 1},
        37: {"attach": "zip:logs-20240311.zip", "sender": 13},
        41: {"attach": "pdf:Signed-Agreement.pdf", "sender": 4},
        52: {"attach": "png:floorplan.png", "sender": 3},
        58: {"attach": "csv:access-review.csv", "sender": 15},
        12: {"paragraphs": 2, "log_lines": 300, "subject": "Re: backup job failures - log excerpt"},
        44: {"paragraphs": 25},
    }
    chunks: list[str] = []
    order: list[int] = []
    for _ in range(4):  # every sender (every chain dialect) four times, in a shuffled order
        block = list(range(len(SENDERS)))
        rng.shuffle(block)
        order += block
    for i in range(64):
        t += timedelta(minutes=rng.randint(30, 2400))
        opts = {"sender": order[i], **special.get(i, {})}
        env, delivered, text = mailbox_message(i, t, rng, **opts)  # type: ignore[arg-type]
        if i % 3 != 2:  # most messages were read in the client that exported the box
            head, _, body = text.partition("\n\n")
            text = f"{head}\nStatus: RO\n\n{body}"
        sender = env if env else "MAILER-DAEMON"
        chunks.append(f"From {sender} {asctime(delivered)}\n{mboxrd_quote(text)}\n")
    return "".join(chunks).encode("utf-8")


def build_mbox_cl2() -> bytes:
    """mboxcl2: CRLF, Content-Length: gives the body length, bodies are not quoted."""
    rng = random.Random(2024_0301)
    t = T("2024-03-01 08:00:00")
    out = b""
    for i in range(5):
        t += timedelta(hours=rng.randint(3, 30), minutes=rng.randint(0, 59))
        opts: dict[str, object] = {
            "sender": [0, 13, 5, 2, 10][i],
            "subject": ["Updated project plan", "Re: hiring panel", "Quarterly report excerpt",
                        "Re: access request", "IPv6 relay check"][i],
        }  # fmt: skip
        if i == 2:
            opts["from_lines"] = ["", "From the quarterly report, section 3:", "  revenue up 4% on Q4"]
        env, delivered, text = mailbox_message(100 + i, t, rng, **opts)  # type: ignore[arg-type]
        head, _, body = text.partition("\n\n")
        body_bytes = body.replace("\n", "\r\n").encode("utf-8")
        head_bytes = (head + f"\nContent-Length: {len(body_bytes)}\n").replace("\n", "\r\n").encode("utf-8")
        out += f"From {env} {asctime(delivered)}\r\n".encode() + head_bytes + b"\r\n" + body_bytes + b"\r\n"
    return out


def build_maildir() -> list[tuple[str, bytes]]:
    """(relative path, bytes) for Maildir/cur and Maildir/new."""
    rng = random.Random(2024_0110)
    t = T("2024-01-01 12:00:00")
    files = []
    plan = [("cur", "S"), ("cur", "RS"), ("cur", "FS"), ("cur", ""), ("cur", "PS"), ("new", None), ("new", None)]
    for i, (folder, flags) in enumerate(plan):
        t += timedelta(minutes=rng.randint(45, 900))
        _env, delivered, text = mailbox_message(200 + i, t, rng, sender=[0, 4, 6, 13, 8, 1, 11][i])
        data = text.encode("utf-8")
        size, vsize = len(data), len(data) + data.count(b"\n")
        stamp = int(delivered.timestamp())
        micro, pid = int(hid(f"md{i}", 6, "0123456789")), 4242 + i
        base = f"{stamp}.M{micro}P{pid}.imap.corp.example.net"
        # the last one has a plain name, as a simple MDA writes it
        name = base if folder == "new" and i == 6 else f"{base},S={size},W={vsize}"
        if flags is not None:
            name += f":2,{flags}"
        files.append((f"Maildir/{folder}/{name}", data))
    return files


# ---------------------------------------------------------------------------------------
def main() -> None:
    for sub in ("eml", "Maildir"):
        target = HERE / sub
        if target.exists():
            shutil.rmtree(target)
    for name in ("export.mbox", "export-crlf-cl.mbox", "expected.json"):
        (HERE / name).unlink(missing_ok=True)

    ensure_keys()
    (HERE / "eml").mkdir()
    expected: dict[str, list[dict[str, object]]] = {}
    for build in EML_BUILDERS:
        mail = build()
        with open(HERE / "eml" / mail.name, "wb") as fh:
            fh.write(mail.render())
        expected[f"eml/{mail.name}"] = mail.expected()
    with open(HERE / "expected.json", "wb") as fh:
        fh.write((json.dumps(expected, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    with open(HERE / "export.mbox", "wb") as fh:
        fh.write(build_mbox())
    with open(HERE / "export-crlf-cl.mbox", "wb") as fh:
        fh.write(build_mbox_cl2())

    for folder in ("cur", "new", "tmp"):
        (HERE / "Maildir" / folder).mkdir(parents=True)
    for rel, data in build_maildir():
        with open(HERE / rel, "wb") as fh:
            fh.write(data)
    print(f"wrote {len(EML_BUILDERS)} eml files, export.mbox, export-crlf-cl.mbox, Maildir/, expected.json")


if __name__ == "__main__":
    main()
