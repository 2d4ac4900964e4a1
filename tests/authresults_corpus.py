"""Real-world-shaped authentication-results values and the :class:`AuthResults` each means.

The shapes follow what the receivers really write: Gmail (``mx.google.com``, data in
comments, quoted ``header.b``, ``dara``), Microsoft 365 (no authserv-id,
``action=``/``compauth``/``reason=``, ``mx.microsoft.com 1`` in ARC), Yahoo (``atlas...``,
``dmarc=pass(p=REJECT)`` without a space, the legacy ``from=...;`` form), Fastmail
(``x-...`` methods, ``policy.*`` properties, ``x-bits``), Proofpoint (``ppops.net``),
Mimecast (``relay.mimecast.com``, a quoted string inside a comment), Cisco IronPort
(upper-case results, Received-SPF with ``x-record-text``), Amazon SES (RFC 7208 pairs
between resinfos), OpenDKIM/OpenDMARC/OpenARC/policyd-spf behind Postfix, and the
examples of RFC 8601 Appendix B and RFC 7208 §9.1.

Only documentation addresses (RFC 5737) and example domains are used; provider host
names are kept where they are the authserv-id, because their shape matters.

Each case gives the *whole* expected record: ``raw`` is the value, ``header_index`` None,
and every other field is stated or defaults to "absent / read cleanly", so any
unexpected value fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailforensics.authresults import AuthResults, Claim

AR, ARC, SPF = "ar", "arc", "spf"
_DEFAULT_FIELD = {AR: "Authentication-Results", ARC: "ARC-Authentication-Results", SPF: "Received-SPF"}


@dataclass(frozen=True)
class Case:
    """One field value, who writes it, which parser reads it, and what it means."""

    name: str
    vendor: str
    kind: str
    value: str
    expect: AuthResults


def C(
    method: str,
    result: str,
    *props: str,
    reason: str | None = None,
    version: str | None = None,
    comment: str | None = None,
) -> Claim:
    """A claim; ``props`` are ``"key=value"`` (split at the first ``=``)."""
    pairs = tuple((k, v) for k, _, v in (p.partition("=") for p in props))
    return Claim(method=method, result=result, reason=reason, properties=pairs, method_version=version, comment=comment)


def case(
    name: str,
    vendor: str,
    kind: str,
    value: str,
    *,
    authserv_id: str | None,
    claims: tuple[Claim, ...],
    instance: int | None = None,
    version: str | None = None,
    parsed: bool = True,
    defects: tuple[str, ...] = (),
    field: str | None = None,
) -> Case:
    expect = AuthResults(
        field=field or _DEFAULT_FIELD[kind],
        header_index=None,
        authserv_id=authserv_id,
        instance=instance,
        version=version,
        claims=claims,
        raw=value,
        parsed=parsed,
        defects=defects,
    )
    return Case(name, vendor, kind, value, expect)


NO_AUTHSERV_ID = (
    "no authserv-id: the value starts with a result, as Microsoft 365 writes it (RFC 8601 §2.2 requires one)"
)

CASES: list[Case] = [
    # ------------------------------------------------------------------- Gmail ----
    case(
        "gmail-dkim-arc-spf-dmarc",
        "Gmail",
        AR,
        "mx.google.com;\n       dkim=pass header.i=@example.com header.s=20230601 header.b=AbCdEf12;\n"
        "       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass"
        " fromdomain=example.com);\n"
        "       spf=pass (google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender)"
        " smtp.mailfrom=alice@example.com;\n"
        "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com",
        authserv_id="mx.google.com",
        claims=(
            C("dkim", "pass", "header.i=@example.com", "header.s=20230601", "header.b=AbCdEf12"),
            C(
                "arc",
                "pass",
                comment="i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass"
                " fromdomain=example.com",
            ),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=alice@example.com",
                comment="google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender",
            ),
            C("dmarc", "pass", "header.from=example.com", comment="p=REJECT sp=REJECT dis=NONE"),
        ),
    ),
    case(
        "gmail-two-dkim-quoted-b-srs-mailfrom",
        "Gmail",
        AR,
        'mx.google.com;\n       dkim=pass header.i=@example.com header.s=s1 header.b="AbC/dE+f";\n'
        "       dkim=pass header.i=@esp.example header.s=es2 header.b=GhIjKl34;\n"
        "       spf=pass (google.com: domain of bounce+x1=example.com@esp.example designates 198.51.100.7 as"
        ' permitted sender) smtp.mailfrom="bounce+x1=example.com@esp.example";\n'
        "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
        authserv_id="mx.google.com",
        claims=(
            C("dkim", "pass", "header.i=@example.com", "header.s=s1", "header.b=AbC/dE+f"),
            C("dkim", "pass", "header.i=@esp.example", "header.s=es2", "header.b=GhIjKl34"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=bounce+x1=example.com@esp.example",
                comment="google.com: domain of bounce+x1=example.com@esp.example designates 198.51.100.7 as"
                " permitted sender",
            ),
            C("dmarc", "pass", "header.from=example.com", comment="p=NONE sp=NONE dis=NONE"),
        ),
    ),
    case(
        "gmail-softfail-dmarc-fail",
        "Gmail",
        AR,
        "mx.google.com; spf=softfail (google.com: domain of transitioning alice@example.com does not"
        " designate 203.0.113.66 as permitted sender) smtp.mailfrom=alice@example.com;"
        " dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from=example.com",
        authserv_id="mx.google.com",
        claims=(
            C(
                "spf",
                "softfail",
                "smtp.mailfrom=alice@example.com",
                comment="google.com: domain of transitioning alice@example.com does not designate 203.0.113.66"
                " as permitted sender",
            ),
            C("dmarc", "fail", "header.from=example.com", comment="p=QUARANTINE sp=QUARANTINE dis=QUARANTINE"),
        ),
    ),
    case(
        "gmail-dkim-neutral-arc-fail-dara",
        "Gmail",
        AR,
        "mx.google.com;\n       dkim=neutral (body hash did not verify) header.i=@example.com header.s=s1"
        " header.b=AbCdEf12;\n       arc=fail (body hash mismatch);\n"
        "       spf=pass (google.com: domain of list-bounces@lists.example.org designates 198.51.100.20 as"
        " permitted sender) smtp.mailfrom=list-bounces@lists.example.org;\n"
        "       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=example.com;\n"
        "       dara=pass header.i=@gmail.com",
        authserv_id="mx.google.com",
        claims=(
            C(
                "dkim",
                "neutral",
                "header.i=@example.com",
                "header.s=s1",
                "header.b=AbCdEf12",
                comment="body hash did not verify",
            ),
            C("arc", "fail", comment="body hash mismatch"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=list-bounces@lists.example.org",
                comment="google.com: domain of list-bounces@lists.example.org designates 198.51.100.20 as"
                " permitted sender",
            ),
            C("dmarc", "fail", "header.from=example.com", comment="p=NONE sp=NONE dis=NONE"),
            C("dara", "pass", "header.i=@gmail.com"),
        ),
    ),
    case(
        "gmail-arc-aar",
        "Gmail",
        ARC,
        "i=1; mx.google.com;\n       dkim=pass header.i=@example.com header.s=20230601 header.b=AbCdEf12;\n"
        "       spf=pass (google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender)"
        " smtp.mailfrom=alice@example.com;\n"
        "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com",
        authserv_id="mx.google.com",
        instance=1,
        claims=(
            C("dkim", "pass", "header.i=@example.com", "header.s=20230601", "header.b=AbCdEf12"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=alice@example.com",
                comment="google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender",
            ),
            C("dmarc", "pass", "header.from=example.com", comment="p=REJECT sp=REJECT dis=NONE"),
        ),
    ),
    case(
        "gmail-groups-x-original",
        "Gmail",
        AR,
        "mx.google.com;\n       dkim=pass header.i=@example.com header.s=s1 header.b=AbCdEf12;\n"
        "       spf=pass (google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender)"
        " smtp.mailfrom=alice@example.com;\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
        field="X-Original-Authentication-Results",
        authserv_id="mx.google.com",
        claims=(
            C("dkim", "pass", "header.i=@example.com", "header.s=s1", "header.b=AbCdEf12"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=alice@example.com",
                comment="google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender",
            ),
            C("dmarc", "pass", "header.from=example.com", comment="p=NONE sp=NONE dis=NONE"),
        ),
    ),
    case(
        "gmail-received-spf-pass",
        "Gmail",
        SPF,
        "pass (google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender)"
        " client-ip=203.0.113.5;",
        authserv_id="google.com",
        claims=(
            C(
                "spf",
                "pass",
                "client-ip=203.0.113.5",
                comment="google.com: domain of alice@example.com designates 203.0.113.5 as permitted sender",
            ),
        ),
    ),
    case(
        "gmail-received-spf-neutral-best-guess",
        "Gmail",
        SPF,
        "neutral (google.com: 203.0.113.9 is neither permitted nor denied by best guess record for domain of"
        " alice@example.com) client-ip=203.0.113.9;",
        authserv_id="google.com",
        claims=(
            C(
                "spf",
                "neutral",
                "client-ip=203.0.113.9",
                comment="google.com: 203.0.113.9 is neither permitted nor denied by best guess record for domain"
                " of alice@example.com",
            ),
        ),
    ),
    # -------------------------------------------------------------- Microsoft ----
    case(
        "m365-no-authserv-id",
        "Microsoft",
        AR,
        "spf=pass (sender IP is 203.0.113.5)\n smtp.mailfrom=example.com; dkim=pass (signature was verified)\n"
        " header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass\n reason=100",
        authserv_id=None,
        claims=(
            C("spf", "pass", "smtp.mailfrom=example.com", comment="sender IP is 203.0.113.5"),
            C("dkim", "pass", "header.d=example.com", comment="signature was verified"),
            C("dmarc", "pass", "action=none", "header.from=example.com"),
            C("compauth", "pass", reason="100"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-spoof-oreject",
        "Microsoft",
        AR,
        "spf=fail (sender IP is 203.0.113.66)\n smtp.mailfrom=example.com; dkim=none (message not signed)\n"
        " header.d=none;dmarc=fail action=oreject header.from=example.com;compauth=fail\n reason=000",
        authserv_id=None,
        claims=(
            C("spf", "fail", "smtp.mailfrom=example.com", comment="sender IP is 203.0.113.66"),
            C("dkim", "none", "header.d=none", comment="message not signed"),
            C("dmarc", "fail", "action=oreject", "header.from=example.com"),
            C("compauth", "fail", reason="000"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-internal-trailing-semicolon",
        "Microsoft",
        AR,
        "dkim=none (message not signed)\n header.d=none;dmarc=none action=none header.from=example.com;",
        authserv_id=None,
        claims=(
            C("dkim", "none", "header.d=none", comment="message not signed"),
            C("dmarc", "none", "action=none", "header.from=example.com"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-helo-temperror-bestguesspass",
        "Microsoft",
        AR,
        "spf=temperror (sender IP is 203.0.113.8) smtp.helo=mail.example.com; dkim=none (message not signed)"
        " header.d=none;dmarc=bestguesspass action=none header.from=example.com;compauth=pass reason=109",
        authserv_id=None,
        claims=(
            C("spf", "temperror", "smtp.helo=mail.example.com", comment="sender IP is 203.0.113.8"),
            C("dkim", "none", "header.d=none", comment="message not signed"),
            C("dmarc", "bestguesspass", "action=none", "header.from=example.com"),
            C("compauth", "pass", reason="109"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-x-ms-exchange",
        "Microsoft",
        AR,
        "spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=example.com; dkim=pass (signature was verified)"
        " header.d=example.com;dmarc=pass action=none header.from=example.com;",
        field="X-MS-Exchange-Authentication-Results",
        authserv_id=None,
        claims=(
            C("spf", "pass", "smtp.mailfrom=example.com", comment="sender IP is 203.0.113.5"),
            C("dkim", "pass", "header.d=example.com", comment="signature was verified"),
            C("dmarc", "pass", "action=none", "header.from=example.com"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-authentication-results-original",
        "Microsoft",
        AR,
        "dkim=none (message not signed)\n header.d=none;dmarc=none action=none header.from=example.com;",
        field="Authentication-Results-Original",
        authserv_id=None,
        claims=(
            C("dkim", "none", "header.d=none", comment="message not signed"),
            C("dmarc", "none", "action=none", "header.from=example.com"),
        ),
        defects=(NO_AUTHSERV_ID,),
    ),
    case(
        "m365-arc-aar-authserv-version",
        "Microsoft",
        ARC,
        "i=1; mx.microsoft.com 1; spf=pass\n smtp.mailfrom=example.com; dmarc=pass action=none"
        " header.from=example.com;\n dkim=pass header.d=example.com; arc=none",
        authserv_id="mx.microsoft.com",
        instance=1,
        version="1",
        claims=(
            C("spf", "pass", "smtp.mailfrom=example.com"),
            C("dmarc", "pass", "action=none", "header.from=example.com"),
            C("dkim", "pass", "header.d=example.com"),
            C("arc", "none"),
        ),
    ),
    case(
        "m365-arc-aar-comments",
        "Microsoft",
        ARC,
        "i=1; mx.microsoft.com 1; spf=pass (sender ip is\n 198.51.100.17) smtp.rcpttodomain=lists.example.org"
        " smtp.mailfrom=example.com; \n dmarc=pass (p=quarantine sp=quarantine pct=100) action=none\n"
        " header.from=example.com; dkim=none (message not signed); arc=none (0)",
        authserv_id="mx.microsoft.com",
        instance=1,
        version="1",
        claims=(
            C(
                "spf",
                "pass",
                "smtp.rcpttodomain=lists.example.org",
                "smtp.mailfrom=example.com",
                comment="sender ip is 198.51.100.17",
            ),
            C(
                "dmarc",
                "pass",
                "action=none",
                "header.from=example.com",
                comment="p=quarantine sp=quarantine pct=100",
            ),
            C("dkim", "none", comment="message not signed"),
            C("arc", "none", comment="0"),
        ),
    ),
    case(
        "m365-received-spf-pass",
        "Microsoft",
        SPF,
        "Pass (protection.outlook.com: domain of example.com designates 203.0.113.5 as permitted sender)\n"
        " receiver=protection.outlook.com; client-ip=203.0.113.5;\n helo=mail.example.com; pr=C",
        authserv_id="protection.outlook.com",
        claims=(
            C(
                "spf",
                "pass",
                "receiver=protection.outlook.com",
                "client-ip=203.0.113.5",
                "helo=mail.example.com",
                "pr=C",
                comment="protection.outlook.com: domain of example.com designates 203.0.113.5 as permitted sender",
            ),
        ),
    ),
    case(
        "m365-received-spf-softfail",
        "Microsoft",
        SPF,
        "Softfail (protection.outlook.com: domain of transitioning\n example.com discourages use of 203.0.113.9"
        " as permitted sender)",
        authserv_id="protection.outlook.com",
        claims=(
            C(
                "spf",
                "softfail",
                comment="protection.outlook.com: domain of transitioning example.com discourages use of"
                " 203.0.113.9 as permitted sender",
            ),
        ),
    ),
    case(
        "m365-received-spf-none",
        "Microsoft",
        SPF,
        "None (protection.outlook.com: example.com does not designate\n permitted sender hosts)",
        authserv_id="protection.outlook.com",
        claims=(
            C("spf", "none", comment="protection.outlook.com: example.com does not designate permitted sender hosts"),
        ),
    ),
    # ------------------------------------------------------------------- Yahoo ----
    case(
        "yahoo-atlas",
        "Yahoo",
        AR,
        "atlas-production.v2.mail.yahoo.com; dkim=pass header.i=@mail.example.com header.s=s2048;"
        " spf=pass smtp.mailfrom=bounces.example.net; dmarc=pass(p=REJECT) header.from=example.com;",
        authserv_id="atlas-production.v2.mail.yahoo.com",
        claims=(
            C("dkim", "pass", "header.i=@mail.example.com", "header.s=s2048"),
            C("spf", "pass", "smtp.mailfrom=bounces.example.net"),
            C("dmarc", "pass", "header.from=example.com", comment="p=REJECT"),
        ),
    ),
    case(
        "yahoo-perm-fail-unknown",
        "Yahoo",
        AR,
        "atlas210.free.mail.gq1.yahoo.com; dkim=perm_fail header.i=@example.com header.s=s1;"
        " spf=softfail smtp.mailfrom=example.com; dmarc=unknown header.from=example.com;",
        authserv_id="atlas210.free.mail.gq1.yahoo.com",
        claims=(
            C("dkim", "perm_fail", "header.i=@example.com", "header.s=s1"),
            C("spf", "softfail", "smtp.mailfrom=example.com"),
            C("dmarc", "unknown", "header.from=example.com"),
        ),
    ),
    case(
        "yahoo-legacy-from-before-methods",
        "Yahoo",
        AR,
        "mta1046.mail.sp2.yahoo.com  from=example.com; domainkeys=pass (ok);  from=example.com; dkim=pass (ok)",
        authserv_id="mta1046.mail.sp2.yahoo.com",
        claims=(C("domainkeys", "pass", comment="ok"), C("dkim", "pass", comment="ok")),
        parsed=False,
        defects=(
            "no ';' after the authserv-id",
            "no method=result in 'from=example.com'",
            "no method=result in 'from=example.com'",
        ),
    ),
    # ---------------------------------------------------------------- Fastmail ----
    case(
        "fastmail-full",
        "Fastmail",
        AR,
        "mx1.messagingengine.com;\n    x-csa=none;\n    x-me-sender=none;\n"
        "    x-ptr=pass smtp.helo=mail.example.com policy.ptr=mail.example.com;\n"
        "    bimi=none (No BIMI records found);\n    arc=none (no signatures found);\n"
        "    dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com\n"
        "    header.b=Y+EgdIPN header.a=rsa-sha256 header.s=s2048 x-bits=2048;\n"
        "    dmarc=pass policy.published-domain-policy=reject\n"
        "    policy.applied-disposition=none policy.evaluated-disposition=none\n"
        "    (p=reject,d=none,d.eval=none) policy.policy-from=p\n    header.from=example.com;\n"
        "    iprev=pass smtp.remote-ip=203.0.113.146 (mail.example.com);\n"
        "    spf=pass smtp.mailfrom=alice@example.com smtp.helo=mail.example.com;\n"
        "    x-aligned-from=pass (Address match);\n"
        "    x-return-mx=pass header.domain=example.com policy.is_org=yes\n"
        "      (MX Records found: mx1.example.com,mx2.example.com);\n"
        "    x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384\n      smtp.bits=256/256;\n"
        "    x-vs=clean score=-100 state=0",
        authserv_id="mx1.messagingengine.com",
        claims=(
            C("x-csa", "none"),
            C("x-me-sender", "none"),
            C("x-ptr", "pass", "smtp.helo=mail.example.com", "policy.ptr=mail.example.com"),
            C("bimi", "none", comment="No BIMI records found"),
            C("arc", "none", comment="no signatures found"),
            C(
                "dkim",
                "pass",
                "header.d=example.com",
                "header.i=@example.com",
                "header.b=Y+EgdIPN",
                "header.a=rsa-sha256",
                "header.s=s2048",
                "x-bits=2048",
                comment="2048-bit rsa key sha256",
            ),
            C(
                "dmarc",
                "pass",
                "policy.published-domain-policy=reject",
                "policy.applied-disposition=none",
                "policy.evaluated-disposition=none",
                "policy.policy-from=p",
                "header.from=example.com",
                comment="p=reject,d=none,d.eval=none",
            ),
            C("iprev", "pass", "smtp.remote-ip=203.0.113.146", comment="mail.example.com"),
            C("spf", "pass", "smtp.mailfrom=alice@example.com", "smtp.helo=mail.example.com"),
            C("x-aligned-from", "pass", comment="Address match"),
            C(
                "x-return-mx",
                "pass",
                "header.domain=example.com",
                "policy.is_org=yes",
                comment="MX Records found: mx1.example.com,mx2.example.com",
            ),
            C(
                "x-tls",
                "pass",
                "smtp.version=TLSv1.3",
                "smtp.cipher=TLS_AES_256_GCM_SHA384",
                "smtp.bits=256/256",
            ),
            C("x-vs", "clean", "score=-100", "state=0"),
        ),
    ),
    case(
        "fastmail-arc-i2-after-microsoft",
        "Fastmail",
        ARC,
        "i=2; mx2.messagingengine.com;\n    x-csa=none;\n    x-me-sender=none;\n"
        "    x-ptr=fail smtp.helo=EUR05-DB8-obe.outbound.protection.outlook.com\n"
        "    policy.ptr=mail-db8eur05olkn2101.outbound.protection.outlook.com;\n"
        "    bimi=skipped (DMARC Policy is not at enforcement);\n"
        "    arc=pass (as.1.microsoft.com=pass, ams.1.microsoft.com=pass)\n    smtp.remote-ip=198.51.100.101;\n"
        "    dkim2=none (no signatures found);\n"
        "    dmarc=pass policy.published-domain-policy=none\n"
        "    policy.applied-disposition=none policy.evaluated-disposition=none\n"
        "    (p=none,d=none,d.eval=none) policy.policy-from=p\n    header.from=example.com",
        authserv_id="mx2.messagingengine.com",
        instance=2,
        claims=(
            C("x-csa", "none"),
            C("x-me-sender", "none"),
            C(
                "x-ptr",
                "fail",
                "smtp.helo=EUR05-DB8-obe.outbound.protection.outlook.com",
                "policy.ptr=mail-db8eur05olkn2101.outbound.protection.outlook.com",
            ),
            C("bimi", "skipped", comment="DMARC Policy is not at enforcement"),
            C(
                "arc",
                "pass",
                "smtp.remote-ip=198.51.100.101",
                comment="as.1.microsoft.com=pass, ams.1.microsoft.com=pass",
            ),
            C("dkim2", "none", comment="no signatures found"),
            C(
                "dmarc",
                "pass",
                "policy.published-domain-policy=none",
                "policy.applied-disposition=none",
                "policy.evaluated-disposition=none",
                "policy.policy-from=p",
                "header.from=example.com",
                comment="p=none,d=none,d.eval=none",
            ),
        ),
    ),
    case(
        "fastmail-spf-softfail-dmarc-none",
        "Fastmail",
        AR,
        "mx3.messagingengine.com; dkim=none (no signatures found);"
        " dmarc=none policy.published-domain-policy=none header.from=example.org;"
        " spf=softfail smtp.mailfrom=bob@example.org smtp.helo=relay.example.org; x-aligned-from=pass;"
        " x-me-sender=none",
        authserv_id="mx3.messagingengine.com",
        claims=(
            C("dkim", "none", comment="no signatures found"),
            C("dmarc", "none", "policy.published-domain-policy=none", "header.from=example.org"),
            C("spf", "softfail", "smtp.mailfrom=bob@example.org", "smtp.helo=relay.example.org"),
            C("x-aligned-from", "pass"),
            C("x-me-sender", "none"),
        ),
    ),
    # -------------------------------------------------------------- Proofpoint ----
    case(
        "proofpoint-ppops-softfail",
        "Proofpoint",
        AR,
        "ppops.net;\n        spf=softfail smtp.mailfrom=carol@example.com",
        authserv_id="ppops.net",
        claims=(C("spf", "softfail", "smtp.mailfrom=carol@example.com"),),
    ),
    case(
        "proofpoint-ppops-none-tab-folded",
        "Proofpoint",
        AR,
        "ppops.net;\n\tspf=none smtp.mailfrom=dave@opensource.example.com",
        authserv_id="ppops.net",
        claims=(C("spf", "none", "smtp.mailfrom=dave@opensource.example.com"),),
    ),
    # ---------------------------------------------------------------- Mimecast ----
    case(
        "mimecast-arc-spf-none",
        "Mimecast",
        ARC,
        "i=1; relay.mimecast.com; dkim=none; dmarc=none;\n\tspf=none (relay.mimecast.com: domain of"
        " erin@example.cz has no SPF policy\n\twhen checking 203.0.113.98) smtp.mailfrom=erin@example.cz",
        authserv_id="relay.mimecast.com",
        instance=1,
        claims=(
            C("dkim", "none"),
            C("dmarc", "none"),
            C(
                "spf",
                "none",
                "smtp.mailfrom=erin@example.cz",
                comment="relay.mimecast.com: domain of erin@example.cz has no SPF policy when checking 203.0.113.98",
            ),
        ),
    ),
    case(
        "mimecast-arc-dmarc-policy-comment",
        "Mimecast",
        ARC,
        "i=1; relay.mimecast.com; dkim=none;\n\tdmarc=pass (policy=none) header.from=example.edu;\n"
        "\tspf=pass (relay.mimecast.com: domain of frank@example.edu designates\n\t198.51.100.121 as permitted"
        " sender) smtp.mailfrom=frank@example.edu",
        authserv_id="relay.mimecast.com",
        instance=1,
        claims=(
            C("dkim", "none"),
            C("dmarc", "pass", "header.from=example.edu", comment="policy=none"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=frank@example.edu",
                comment="relay.mimecast.com: domain of frank@example.edu designates 198.51.100.121 as permitted sender",
            ),
        ),
    ),
    case(
        "mimecast-quoted-string-inside-comment",
        "Mimecast",
        AR,
        "relay.mimecast.com; dkim=pass header.d=example.com header.s=selector1 header.b=AbCdEf12;"
        ' arc=pass ("microsoft.com:s=arcselector9901:i=1"); dmarc=pass (policy=reject) header.from=example.com;'
        " spf=pass (relay.mimecast.com: domain of grace@example.com designates 203.0.113.40 as permitted"
        " sender) smtp.mailfrom=grace@example.com",
        authserv_id="relay.mimecast.com",
        claims=(
            C("dkim", "pass", "header.d=example.com", "header.s=selector1", "header.b=AbCdEf12"),
            C("arc", "pass", comment='"microsoft.com:s=arcselector9901:i=1"'),
            C("dmarc", "pass", "header.from=example.com", comment="policy=reject"),
            C(
                "spf",
                "pass",
                "smtp.mailfrom=grace@example.com",
                comment="relay.mimecast.com: domain of grace@example.com designates 203.0.113.40 as permitted sender",
            ),
        ),
    ),
    # ----------------------------------------------------- Cisco IronPort (ESA) ----
    case(
        "ironport-upper-case-results",
        "Cisco IronPort",
        AR,
        "esa1.example.iphmx.com;\n dkim=none (message not signed) header.i=none;\n"
        " spf=None smtp.pra=heidi@example.com;\n spf=Pass smtp.mailfrom=Heidi@example.com;\n"
        " spf=None smtp.helo=postmaster@mail.example.com",
        authserv_id="esa1.example.iphmx.com",
        claims=(
            C("dkim", "none", "header.i=none", comment="message not signed"),
            C("spf", "none", "smtp.pra=heidi@example.com"),
            C("spf", "pass", "smtp.mailfrom=Heidi@example.com"),
            C("spf", "none", "smtp.helo=postmaster@mail.example.com"),
        ),
    ),
    case(
        "ironport-received-spf-record-text",
        "Cisco IronPort",
        SPF,
        "Pass (esa1.example.iphmx.com: domain of\n Heidi@example.com designates 203.0.113.21 as permitted\n"
        " sender) identity=mailfrom; client-ip=203.0.113.21;\n receiver=esa1.example.iphmx.com;\n"
        ' envelope-from="Heidi@example.com";\n x-sender="Heidi@example.com";\n'
        ' x-conformance=sidf_compatible; x-record-type="v=spf1";\n'
        ' x-record-text="v=spf1 ip4:203.0.113.0/24\n ip4:198.51.100.40/30 ~all"',
        authserv_id="esa1.example.iphmx.com",
        claims=(
            C(
                "spf",
                "pass",
                "identity=mailfrom",
                "client-ip=203.0.113.21",
                "receiver=esa1.example.iphmx.com",
                "envelope-from=Heidi@example.com",
                "x-sender=Heidi@example.com",
                "x-conformance=sidf_compatible",
                "x-record-type=v=spf1",
                "x-record-text=v=spf1 ip4:203.0.113.0/24 ip4:198.51.100.40/30 ~all",
                comment="esa1.example.iphmx.com: domain of Heidi@example.com designates 203.0.113.21 as permitted"
                " sender",
            ),
        ),
    ),
    case(
        "ironport-received-spf-none-helo",
        "Cisco IronPort",
        SPF,
        "None (esa1.example.iphmx.com: no sender\n authenticity information available from domain of\n"
        " postmaster@mail.example.com) identity=helo;\n client-ip=203.0.113.21; receiver=esa1.example.iphmx.com;\n"
        ' envelope-from="Heidi@example.com";\n x-sender="postmaster@mail.example.com";\n'
        " x-conformance=sidf_compatible",
        authserv_id="esa1.example.iphmx.com",
        claims=(
            C(
                "spf",
                "none",
                "identity=helo",
                "client-ip=203.0.113.21",
                "receiver=esa1.example.iphmx.com",
                "envelope-from=Heidi@example.com",
                "x-sender=postmaster@mail.example.com",
                "x-conformance=sidf_compatible",
                comment="esa1.example.iphmx.com: no sender authenticity information available from domain of"
                " postmaster@mail.example.com",
            ),
        ),
    ),
    # -------------------------------------------------------------- Amazon SES ----
    case(
        "ses-spf-pairs-between-resinfos",
        "Amazon SES",
        AR,
        "amazonses.com;\n spf=pass (spfCheck: domain of example.com designates 203.0.113.78 as permitted sender)"
        " client-ip=203.0.113.78; envelope-from=ivan@example.com; helo=mail-qt1-f78.example.com;\n"
        " dkim=pass header.i=@example.com;\n dmarc=pass header.from=example.com;",
        authserv_id="amazonses.com",
        claims=(
            C(
                "spf",
                "pass",
                "client-ip=203.0.113.78",
                "envelope-from=ivan@example.com",
                "helo=mail-qt1-f78.example.com",
                comment="spfCheck: domain of example.com designates 203.0.113.78 as permitted sender",
            ),
            C("dkim", "pass", "header.i=@example.com"),
            C("dmarc", "pass", "header.from=example.com"),
        ),
        defects=("';' inside the 'spf' result, before 'envelope-from=ivan@example.com'",),
    ),
    case(
        "ses-received-spf",
        "Amazon SES",
        SPF,
        "pass (spfCheck: domain of example.com designates 203.0.113.78 as permitted sender)"
        " client-ip=203.0.113.78; envelope-from=ivan@example.com; helo=mail-qt1-f78.example.com;",
        authserv_id=None,
        claims=(
            C(
                "spf",
                "pass",
                "client-ip=203.0.113.78",
                "envelope-from=ivan@example.com",
                "helo=mail-qt1-f78.example.com",
                comment="spfCheck: domain of example.com designates 203.0.113.78 as permitted sender",
            ),
        ),
    ),
    # ------------------------------------ Postfix + OpenDKIM / OpenDMARC / OpenARC ----
    case(
        "opendkim-pass-semicolon-in-comment",
        "Postfix/OpenDKIM",
        AR,
        "mail.example.net;\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com"
        " header.a=rsa-sha256 header.s=s1 header.b=AbCdEf12;\n\tdkim-atps=neutral",
        authserv_id="mail.example.net",
        claims=(
            C(
                "dkim",
                "pass",
                "header.d=example.com",
                "header.i=@example.com",
                "header.a=rsa-sha256",
                "header.s=s1",
                "header.b=AbCdEf12",
                comment="2048-bit key; unprotected",
            ),
            C("dkim-atps", "neutral"),
        ),
    ),
    case(
        "opendkim-fail-quoted-reason",
        "Postfix/OpenDKIM",
        AR,
        'mail.example.net; dkim=fail reason="signature verification failed" (2048-bit key; secure)'
        ' header.d=example.com header.i=@example.com header.b="Ab/Cd+Ef"',
        authserv_id="mail.example.net",
        claims=(
            C(
                "dkim",
                "fail",
                "header.d=example.com",
                "header.i=@example.com",
                "header.b=Ab/Cd+Ef",
                reason="signature verification failed",
                comment="2048-bit key; secure",
            ),
        ),
    ),
    case(
        "opendmarc-fail",
        "Postfix/OpenDMARC",
        AR,
        "mail.example.net; dmarc=fail (p=reject dis=none) header.from=example.com",
        authserv_id="mail.example.net",
        claims=(C("dmarc", "fail", "header.from=example.com", comment="p=reject dis=none"),),
    ),
    case(
        "opendmarc-spf",
        "Postfix/OpenDMARC",
        AR,
        "mail.example.net; spf=pass smtp.mailfrom=example.com",
        authserv_id="mail.example.net",
        claims=(C("spf", "pass", "smtp.mailfrom=example.com"),),
    ),
    case(
        "openarc-kernel-subspace-no-space",
        "Postfix/OpenARC",
        ARC,
        "i=1; smtp.subspace.kernel.org; dmarc=pass (p=none dis=none) header.from=example.com;"
        " spf=none smtp.helo=mx0b-00000000.pphosted.com; dkim=pass (2048-bit key) header.d=example.com"
        " header.i=@example.com header.b=GV68HtCk; arc=none smtp.client-ip=203.0.113.173",
        authserv_id="smtp.subspace.kernel.org",
        instance=1,
        claims=(
            C("dmarc", "pass", "header.from=example.com", comment="p=none dis=none"),
            C("spf", "none", "smtp.helo=mx0b-00000000.pphosted.com"),
            C(
                "dkim",
                "pass",
                "header.d=example.com",
                "header.i=@example.com",
                "header.b=GV68HtCk",
                comment="2048-bit key",
            ),
            C("arc", "none", "smtp.client-ip=203.0.113.173"),
        ),
    ),
    case(
        "policyd-spf-received-spf",
        "Postfix/policyd-spf",
        SPF,
        "Pass (mailfrom) identity=mailfrom; client-ip=198.51.100.25; helo=smtp.example.org;"
        " envelope-from=bob@example.org; receiver=mail.example.net",
        authserv_id="mail.example.net",
        claims=(
            C(
                "spf",
                "pass",
                "identity=mailfrom",
                "client-ip=198.51.100.25",
                "helo=smtp.example.org",
                "envelope-from=bob@example.org",
                "receiver=mail.example.net",
                comment="mailfrom",
            ),
        ),
    ),
    case(
        "policyd-spf-received-spf-unknown-receiver",
        "Postfix/policyd-spf",
        SPF,
        "None (no SPF record) identity=helo; client-ip=198.51.100.25; helo=smtp.example.org;"
        " envelope-from=bob@example.org; receiver=<UNKNOWN>",
        authserv_id=None,
        claims=(
            C(
                "spf",
                "none",
                "identity=helo",
                "client-ip=198.51.100.25",
                "helo=smtp.example.org",
                "envelope-from=bob@example.org",
                "receiver=<UNKNOWN>",
                comment="no SPF record",
            ),
        ),
    ),
    case(
        "libspf2-received-spf-mechanism",
        "Postfix/libspf2",
        SPF,
        "neutral (mail.example.net: 203.0.113.5 is neither permitted nor denied by domain of example.com)"
        " client-ip=203.0.113.5; envelope-from=judy@example.com; helo=mail.example.com;"
        " receiver=mail.example.net; mechanism=default; identity=mailfrom",
        authserv_id="mail.example.net",
        claims=(
            C(
                "spf",
                "neutral",
                "client-ip=203.0.113.5",
                "envelope-from=judy@example.com",
                "helo=mail.example.com",
                "receiver=mail.example.net",
                "mechanism=default",
                "identity=mailfrom",
                comment="mail.example.net: 203.0.113.5 is neither permitted nor denied by domain of example.com",
            ),
        ),
    ),
    # ------------------------------------------ RFC 8601 App. B, RFC 7208 §9.1 ----
    case(
        "rfc8601-b2-none-with-version",
        "RFC examples",
        AR,
        "example.org 1; none",
        authserv_id="example.org",
        version="1",
        claims=(),
    ),
    case(
        "rfc8601-b3-spf",
        "RFC examples",
        AR,
        "example.com;\n          spf=pass smtp.mailfrom=example.net",
        authserv_id="example.com",
        claims=(C("spf", "pass", "smtp.mailfrom=example.net"),),
    ),
    case(
        "rfc8601-b4-auth-spf",
        "RFC examples",
        AR,
        "example.com;\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\n"
        "          spf=pass smtp.mailfrom=example.net",
        authserv_id="example.com",
        claims=(
            C("auth", "pass", "smtp.auth=sender@example.net", comment="cram-md5"),
            C("spf", "pass", "smtp.mailfrom=example.net"),
        ),
    ),
    case(
        "rfc8601-b4-iprev",
        "RFC examples",
        AR,
        "example.com;\n          iprev=pass\n          policy.iprev=192.0.2.200",
        authserv_id="example.com",
        claims=(C("iprev", "pass", "policy.iprev=192.0.2.200"),),
    ),
    case(
        "rfc8601-b5-two-dkim",
        "RFC examples",
        AR,
        "example.com;\n          dkim=pass (good signature) header.d=mail-router.example.net;\n"
        "          dkim=fail (bad signature) header.d=newyork.example.com",
        authserv_id="example.com",
        claims=(
            C("dkim", "pass", "header.d=mail-router.example.net", comment="good signature"),
            C("dkim", "fail", "header.d=newyork.example.com", comment="bad signature"),
        ),
    ),
    case(
        "rfc8601-b6-sender-id",
        "RFC examples",
        AR,
        "example.com;\n          sender-id=fail header.from=example.com;\n"
        "          dkim=pass (good signature) header.d=example.com",
        authserv_id="example.com",
        claims=(
            C("sender-id", "fail", "header.from=example.com"),
            C("dkim", "pass", "header.d=example.com", comment="good signature"),
        ),
    ),
    case(
        "rfc8601-b7-comments-everywhere",
        "RFC examples",
        AR,
        "foo.example.net (foobar) 1 (baz);\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\n"
        "      policy (A dot can go here) . (like that) expired\n"
        "      (this surprised me) = (as I wasn't expecting it) 1362471462",
        authserv_id="foo.example.net",
        version="1",
        claims=(
            C(
                "dkim",
                "fail",
                "policy.expired=1362471462",
                version="1",
                comment="Because I like it One yay wait for it A dot can go here like that this surprised me"
                " as I wasn't expecting it",
            ),
        ),
    ),
    case(
        "rfc7208-9.1-received-spf",
        "RFC examples",
        SPF,
        "pass (mybox.example.org: domain of\n myname@example.com designates 192.0.2.1 as\n permitted sender)\n"
        ' receiver=mybox.example.org; client-ip=192.0.2.1;\n envelope-from="myname@example.com";\n'
        " helo=foo.example.com;",
        authserv_id="mybox.example.org",
        claims=(
            C(
                "spf",
                "pass",
                "receiver=mybox.example.org",
                "client-ip=192.0.2.1",
                "envelope-from=myname@example.com",
                "helo=foo.example.com",
                comment="mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender",
            ),
        ),
    ),
    # ------------------------------------------------- other receivers, broken ----
    case(
        "bimi-uri-values",
        "Other",
        AR,
        "mx.example.net; bimi=pass header.d=example.com header.selector=default policy.authority=pass"
        " policy.authority-uri=https://bimi.example.com/vmc.pem",
        authserv_id="mx.example.net",
        claims=(
            C(
                "bimi",
                "pass",
                "header.d=example.com",
                "header.selector=default",
                "policy.authority=pass",
                "policy.authority-uri=https://bimi.example.com/vmc.pem",
            ),
        ),
    ),
    case(
        "quoted-local-part-in-pvalue",
        "Other",
        AR,
        'mail.example.net; spf=pass smtp.mailfrom="pat smith"@example.com\n smtp.helo=mta.example.com;'
        ' dkim=pass header.i="pat;smith"@example.com header.d=example.com',
        authserv_id="mail.example.net",
        claims=(
            C("spf", "pass", 'smtp.mailfrom="pat smith"@example.com', "smtp.helo=mta.example.com"),
            C("dkim", "pass", 'header.i="pat;smith"@example.com', "header.d=example.com"),
        ),
    ),
    case(
        "comment-before-at-in-pvalue",
        "Other",
        AR,
        "mail.example.net; spf=pass smtp.mailfrom=robin (list bounce) @lists.example.org\n smtp.helo=mta.example.org",
        authserv_id="mail.example.net",
        claims=(
            C(
                "spf",
                "pass",
                "smtp.mailfrom=robin@lists.example.org",
                "smtp.helo=mta.example.org",
                comment="list bounce",
            ),
        ),
    ),
    case(
        "slash-in-authserv-id",
        "Other",
        AR,
        "mx.example.net/2; spf=pass smtp.mailfrom=sky@example.com",
        authserv_id="mx.example.net/2",
        claims=(C("spf", "pass", "smtp.mailfrom=sky@example.com"),),
        defects=("'/' in the authserv-id 'mx.example.net/2' (RFC 8601 §2.2: a token or quoted-string)",),
    ),
    case(
        "upper-case-everything",
        "Other",
        AR,
        "MX.EXAMPLE.NET; DKIM=PASS HEADER.D=Example.COM; SPF=SOFTFAIL SMTP.MAILFROM=Bob@Example.COM",
        authserv_id="MX.EXAMPLE.NET",
        claims=(
            C("dkim", "pass", "header.d=Example.COM"),
            C("spf", "softfail", "smtp.mailfrom=Bob@Example.COM"),
        ),
    ),
    case(
        "missing-semicolon-between-results",
        "Other",
        AR,
        "mail.example.net; dkim=pass header.d=example.com header.s=s1 spf=pass smtp.mailfrom=kim@example.com",
        authserv_id="mail.example.net",
        claims=(
            C("dkim", "pass", "header.d=example.com", "header.s=s1"),
            C("spf", "pass", "smtp.mailfrom=kim@example.com"),
        ),
        defects=("no ';' before 'spf=pass'",),
    ),
    case(
        "missing-semicolon-after-authserv-id",
        "Other",
        AR,
        "mail.example.net dkim=pass header.d=example.com; dmarc=pass header.from=example.com",
        authserv_id="mail.example.net",
        claims=(
            C("dkim", "pass", "header.d=example.com"),
            C("dmarc", "pass", "header.from=example.com"),
        ),
        defects=("no ';' after the authserv-id",),
    ),
    case(
        "unclosed-comment",
        "Other",
        AR,
        "mail.example.net; dkim=pass (2048-bit key header.d=example.com",
        authserv_id="mail.example.net",
        claims=(C("dkim", "pass", comment="2048-bit key header.d=example.com"),),
        parsed=False,
        defects=("unclosed comment",),
    ),
    case(
        "stray-text-and-paren",
        "Other",
        AR,
        "mail.example.net; spf=pass smtp.mailfrom=liam@example.com) checked by policy; dmarc=none",
        authserv_id="mail.example.net",
        claims=(C("spf", "pass", "smtp.mailfrom=liam@example.com"), C("dmarc", "none")),
        parsed=False,
        defects=("unbalanced ')'", "unreadable text in the 'spf' result: 'checked by policy'"),
    ),
    case(
        "arc-aar-without-instance",
        "Other",
        ARC,
        "mail.example.net; spf=pass smtp.mailfrom=mia@example.com",
        authserv_id="mail.example.net",
        claims=(C("spf", "pass", "smtp.mailfrom=mia@example.com"),),
        parsed=False,
        defects=("no ARC instance tag 'i=' first (RFC 8617 §4.1.1)",),
    ),
    case(
        "authserv-id-only",
        "Other",
        AR,
        "mail.example.net;",
        authserv_id="mail.example.net",
        claims=(),
        parsed=False,
        defects=("no results and no 'none' (RFC 8601 §2.2)",),
    ),
]
