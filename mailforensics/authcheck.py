"""Re-verify a message's SPF, DKIM, ARC and DMARC, and set each beside what it claims.

One :class:`AuthCheck` per check — SPF for the MAIL FROM identity, SPF for the HELO
identity, each DKIM signature, the ARC chain, DMARC — with the verdict recorded in the
message for the same check (``claimed``) and who recorded it (``claimed_by``, inside or
outside the trust boundary; see :mod:`mailforensics.claims`).

Findings say where the story does not hold:

- a verdict field outside the trust boundary that claims a pass (the sender wrote its own
  Authentication-Results: RFC 8601 §7.2 — ``auth-claim-untrusted``);
- a trusted claim that today's re-verification contradicts, with the likely reason: a
  DKIM key rotated away since delivery (supply it as ``Config.historical_keys``), a body
  or header modified after the receiver checked it, an SPF or DMARC record changed
  (``auth-claim-mismatch``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mailforensics.auth import arc as arc_mod
from mailforensics.auth import dkim as dkim_mod
from mailforensics.auth import dmarc as dmarc_mod
from mailforensics.auth import spf as spf_mod
from mailforensics.claims import PlacedClaim, best_claim, locate, signature_b
from mailforensics.context import Context
from mailforensics.envelope import Envelope
from mailforensics.findings import Finding, FindingCode, Severity
from mailforensics.message import Message
from mailforensics.path import Path

__all__ = ["AuthCheck", "AuthVerification", "verify"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthCheck:
    """One re-verified check beside the message's own claim for it (a row of ``auth``).

    Parameters
    ----------
    method
        ``"spf"``, ``"dkim"``, ``"arc"`` or ``"dmarc"``.
    instance
        ``"mailfrom"``/``"helo"`` for SPF, the signature number (1 = topmost) for DKIM,
        the newest ARC instance for ARC, ``None`` for DMARC.
    domain, selector
        The domain checked (SPF), ``d=``/``s=`` (DKIM), the newest seal's (ARC), the author
        domain (DMARC).
    result, reason
        Today's verdict (RFC 8601 token) and why.
    aligned
        DMARC alignment of a passing identifier (SPF, DKIM rows); the DMARC row: whether
        any aligned identifier passed.
    claimed, claimed_by, claim_trusted
        The message's claimed result for this check, who claimed it, and whether that
        claim was made inside the trust boundary.
    detail
        One sentence.
    """

    method: str
    instance: str | None
    domain: str | None
    selector: str | None
    result: str | None
    reason: str | None
    aligned: bool | None
    claimed: str | None
    claimed_by: str | None
    claim_trusted: bool | None
    detail: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthVerification:
    """Everything re-verified for one message, with the claims placed."""

    spf_mailfrom: spf_mod.SPFResult | None
    spf_helo: spf_mod.SPFResult | None
    dkim: tuple[dkim_mod.DKIMResult, ...]
    arc: arc_mod.ARCResult | None
    dmarc: dmarc_mod.DMARCResult
    author: dmarc_mod.AuthorDomain
    claims: tuple[PlacedClaim, ...]
    checks: tuple[AuthCheck, ...]
    findings: tuple[Finding, ...]


def _domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().rstrip(".").lower() or None


def verify(message: Message, path: Path, envelope: Envelope, *, ctx: Context) -> AuthVerification:
    """Re-verify SPF, DKIM, ARC and DMARC of ``message`` and place its claims.

    Parameters
    ----------
    message, path, envelope
        The message, its path and its reconstructed envelope (the SPF inputs: the
        originating IP, MAIL FROM and HELO).
    ctx
        The context (resolver, clock, ``Config.dmarc_method``).
    """
    findings: list[Finding] = []
    ip, mail_from, helo = envelope.client_ip, envelope.mail_from, envelope.helo
    spf_mailfrom = spf_helo = None
    if ip:
        # %{r} is the host that checked (the boundary hop's receiver); %{t} is judged at
        # delivery when ctx.now == "delivery" (RFC 7208 §7.2).
        boundary = next((ph.hop for ph in path.hops if ph.number == path.boundary_hop), None)
        receiver = boundary.by_host if boundary else None
        # RFC 7208 §2.4: the null sender is checked as postmaster@<helo>.
        spf_mailfrom = spf_mod.check(
            ip, mail_from or "", helo, ctx=ctx, identity="mailfrom", receiver=receiver, delivery=path.delivered_at
        )
        if helo:
            spf_helo = spf_mod.check(
                ip, mail_from or "", helo, ctx=ctx, identity="helo", receiver=receiver, delivery=path.delivered_at
            )
    dkim_results = dkim_mod.verify_message(message, ctx=ctx)
    arc_result = arc_mod.verify_message(message, ctx=ctx) if message.raw_is_original else None
    author = dmarc_mod.author_domain(message)
    findings.extend(author.findings)
    spf_for_dmarc = (spf_mailfrom.result, spf_mailfrom.domain) if spf_mailfrom is not None else None
    dmarc_result = dmarc_mod.evaluate(
        author.domain,
        spf=spf_for_dmarc,
        dkim=tuple((r.result, r.domain) for r in dkim_results),
        ctx=ctx,
        method=ctx.config.dmarc_method,  # type: ignore[arg-type]
    )
    for spf_result in (spf_mailfrom, spf_helo):
        if spf_result is not None:
            findings.extend(_spf_findings(spf_result))
    for r in dkim_results:
        findings.extend(r.findings)
    if arc_result is not None:
        findings.extend(arc_result.findings)
    findings.extend(dmarc_result.findings)

    placed = locate(message, path)
    checks: list[AuthCheck] = []
    aligned_dkim = set(dmarc_result.aligned_dkim_domains)

    def row(method: str, instance: str | None, claim: PlacedClaim | None, **values: object) -> None:
        checks.append(
            AuthCheck(
                method=method,
                instance=instance,
                claimed=claim.claim.result if claim else None,
                claimed_by=claim.by if claim else None,
                claim_trusted=claim.trusted if claim else None,
                **values,  # type: ignore[arg-type]
            )
        )
        result = values.get("result")
        if claim is not None:
            findings.extend(_claim_findings(method, instance, claim, result, values.get("reason")))  # type: ignore[arg-type]

    for identity, spf_result in (("mailfrom", spf_mailfrom), ("helo", spf_helo)):
        claim = best_claim(placed, lambda p, i=identity: _is_spf_claim(p, i))  # type: ignore[misc]
        if spf_result is None:
            if claim is not None or identity == "mailfrom":
                row("spf", identity, claim, domain=_domain(mail_from) if identity == "mailfrom" else helo,
                    selector=None, result=None, reason="no originating IP to check", aligned=None,
                    detail="No external client address was found, so SPF could not be re-checked.")  # fmt: skip
            continue
        row(
            "spf",
            identity,
            claim,
            domain=spf_result.domain,
            selector=None,
            result=spf_result.result,
            reason=spf_result.problem or (f"matched {spf_result.mechanism}" if spf_result.mechanism else None),
            aligned=dmarc_result.spf_aligned if identity == "mailfrom" else None,
            detail=spf_result.explanation,
        )
    for number, r in enumerate(dkim_results, start=1):
        b = signature_b(r.raw or "")
        claim = best_claim(placed, lambda p, r=r, b=b: _is_dkim_claim(p, r.domain, r.selector, b))  # type: ignore[misc]
        row(
            "dkim",
            str(number),
            claim,
            domain=r.domain,
            selector=r.selector,
            result=r.result,
            reason=r.reason,
            aligned=(r.domain or "").lower() in aligned_dkim if r.result == "pass" else None,
            detail=r.detail,
        )
    if arc_result is not None and arc_result.cv != "none":
        newest = arc_result.sets[-1] if arc_result.sets else None
        claim = best_claim(placed, lambda p: p.claim.method == "arc")
        row(
            "arc",
            str(newest.instance) if newest else None,
            claim,
            domain=newest.as_domain if newest else None,
            selector=newest.as_selector if newest else None,
            result=arc_result.cv,
            reason=arc_result.reason,
            aligned=None,
            detail=arc_result.reason_text,
        )
    claim = best_claim(placed, lambda p: p.claim.method == "dmarc")
    row(
        "dmarc",
        None,
        claim,
        domain=dmarc_result.from_domain,
        selector=None,
        result=dmarc_result.result,
        reason=dmarc_result.problem
        or (f"policy {dmarc_result.policy_tag}={dmarc_result.policy}" if dmarc_result.policy else None),
        aligned=(bool(dmarc_result.spf_aligned) or bool(dmarc_result.dkim_aligned))
        if dmarc_result.result in ("pass", "fail")
        else None,
        detail=f"disposition {dmarc_result.disposition}" if dmarc_result.disposition else None,
    )
    # A verdict field outside the boundary is untrusted even when no check matches it. It
    # is a forgery when it poses as the recipient's own verifier (an authserv-id its
    # trusted fields use, or one inside its domains; RFC 8601 §5); otherwise it is another
    # organisation's verdict (a list, a forwarder) — a claim to read, not an alarm.
    own = {p.header.authserv_id.lower() for p in placed if p.trusted and p.header.authserv_id}
    for p in placed:
        if not p.trusted and p.header.field.lower() != "arc-authentication-results" and p.claim.result == "pass":
            findings.append(_untrusted(p, _poses_as_own(p.header.authserv_id, own, ctx.config.internal_domains)))
    return AuthVerification(
        spf_mailfrom=spf_mailfrom,
        spf_helo=spf_helo,
        dkim=dkim_results,
        arc=arc_result,
        dmarc=dmarc_result,
        author=author,
        claims=placed,
        checks=tuple(checks),
        findings=tuple(dict.fromkeys(findings)),
    )


def _is_spf_claim(p: PlacedClaim, identity: str) -> bool:
    if p.claim.method != "spf":
        return False
    if p.header.field.lower() == "received-spf":
        claimed_identity = (p.claim.get("identity") or "mailfrom").lower()
        return claimed_identity == identity
    has_mailfrom = p.claim.get("smtp.mailfrom") is not None
    return has_mailfrom if identity == "mailfrom" else (not has_mailfrom and p.claim.get("smtp.helo") is not None)


def _is_dkim_claim(p: PlacedClaim, domain: str | None, selector: str | None, b: str) -> bool:
    if p.claim.method != "dkim":
        return False
    d = (p.claim.get("header.d") or (p.claim.get("header.i") or "").rsplit("@", 1)[-1]).lower()
    if domain and d and d != domain.lower():
        return False
    s = p.claim.get("header.s")
    if selector and s and s != selector:
        return False
    claimed_b = p.claim.get("header.b")
    # RFC 6008: header.b is a prefix (at least 8 characters) of the signature's b=.
    return not (claimed_b and b and not b.startswith(claimed_b))


def _poses_as_own(authserv_id: str | None, own: set[str], internal_domains: tuple[str, ...]) -> bool:
    if not authserv_id:
        return False
    sid = authserv_id.lower().rstrip(".")
    return sid in own or any(sid == d.lower() or sid.endswith("." + d.lower()) for d in internal_domains)


def _untrusted(p: PlacedClaim, poses_as_own: bool) -> Finding:
    if poses_as_own:
        severity = Severity.ALERT
        who = (
            f"it carries the recipient's own authserv-id ({p.header.authserv_id}) but stands outside the trust "
            "boundary: it came with the message, written by the sender or a relay — a forged verdict"
        )
    else:
        severity = Severity.NOTICE
        who = (
            "it stands outside the trust boundary: another organisation's verdict (a mailing list, a "
            "forwarder, the sender's own relay)"
        )
    return Finding(
        code=FindingCode.AUTH_CLAIM_UNTRUSTED,
        severity=severity,
        where=p.by,
        detail=f"{p.header.field} says {p.claim.method}={p.claim.result}; {who}. Treat it as a claim, not a verdict.",
        evidence=(("field", p.header.raw[:300]),),
    )


_WHY = {
    ("dkim", "no-key"): "the key is no longer in DNS — rotated since delivery? Give the archived key as "
    "Config.historical_keys",
    ("dkim", "key-revoked"): "the key has been revoked (empty p=) since delivery",
    ("dkim", "body-hash-mismatch"): "the body was modified after this receiver checked it",
    ("dkim", "signature-mismatch"): "a signed header was modified after this receiver checked it",
    ("dkim", "expired"): "the signature has expired since; judge it as of delivery with Context(now='delivery')",
}


def _claim_findings(
    method: str, instance: str | None, claim: PlacedClaim, result: str | None, reason: str | None
) -> list[Finding]:
    out: list[Finding] = []
    claimed = claim.claim.result
    if not claim.trusted or result is None or claimed == result:
        return out
    if method == "dkim":
        why = _WHY.get(("dkim", reason or ""), f"today's check says {reason or result}")
    elif method == "spf":
        why = "the SPF record changed since delivery, or the envelope was not what it seems"
    elif method == "dmarc":
        why = "the DMARC record, or an underlying SPF/DKIM verdict, changed since delivery"
    else:
        why = "the chain or its keys changed since delivery"
    out.append(
        Finding(
            code=FindingCode.AUTH_CLAIM_MISMATCH,
            severity=Severity.WARNING if claimed == "pass" else Severity.NOTICE,
            where=f"{method}{' ' + instance if instance else ''}",
            detail=f"{claim.by} recorded {method}={claimed}; re-verified today: {result}. Likely: {why}.",
            evidence=(("claim", claim.header.raw[:300]),),
        )
    )
    return out


def _spf_findings(r: spf_mod.SPFResult) -> list[Finding]:
    where = f"spf {r.identity} ({r.domain})"
    if r.result in ("fail", "softfail"):
        return [
            Finding(
                code=FindingCode.SPF_FAIL,
                severity=Severity.WARNING if r.result == "fail" else Severity.NOTICE,
                where=where,
                detail=f"SPF {r.result}: {r.ip} is not authorized to send for {r.domain}"
                + (f" (matched {r.mechanism})" if r.mechanism else "")
                + ".",
                evidence=(("record", r.record or ""),),
            )
        ]
    if r.result in ("permerror", "temperror"):
        return [
            Finding(
                code=FindingCode.SPF_ERROR if r.result == "permerror" else FindingCode.DNS_TEMPERROR,
                severity=Severity.NOTICE if r.result == "permerror" else Severity.ERROR,
                where=where,
                detail=f"SPF {r.result}: {r.problem or 'the policy could not be evaluated'}.",
                evidence=(("record", r.record or ""),),
            )
        ]
    return []
