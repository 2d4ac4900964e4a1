"""LiveResolver: real DNS through dnspython, with a DNSSEC status on every answer.

Queries go to the configured nameservers (default: the system's, from resolv.conf)
over UDP with EDNS0 and the DO bit (RFC 3225), and are retried over TCP when the answer
is truncated (RFC 7766 §5). Timeouts, SERVFAIL and REFUSED are answers, not exceptions.

DNSSEC status (``DNSAnswer.secure``) comes from one of two places:

- ``trust_ad=True``: the AD bit of a validating resolver you trust, reached over a path
  you trust (RFC 6840 §5.7) — e.g. a local unbound on 127.0.0.1;
- local validation (default whenever ``trust_anchors`` cover the name): RRSIGs are
  checked with dnspython against DNSKEYs, DNSKEYs against DS records, up to a trust
  anchor (the root KSKs by default; tests configure their zone's key). Only a signature
  by the zone holding the name counts (its signer must be an ancestor, RFC 4035
  §5.3.1). Denials (NXDOMAIN/NODATA) are secure when their NSEC or NSEC3 records are
  validly signed by that zone and actually prove the denial: NSEC per RFC 4035 §5.4
  (including empty non-terminals and wildcard NODATA), NSEC3 per RFC 5155 §8.4–8.7
  (closest-encloser proofs). A wildcard expansion is secure only with the proof that the
  name itself does not exist (RFC 4035 §5.3.4). A zone delegated without a DS, proven
  by the parent's signed NSEC/NSEC3, is insecure: its answers are unknown, not bogus.

``secure`` is ``True`` when validated, ``False`` when bogus (a signature that does not
verify, a denial that does not prove what it claims, or an unsigned answer from a zone
whose keys validate), ``None`` when unknown (no anchor covers the name, the zone is
provably insecure, or an NSEC3 opt-out span leaves it open).

Answers are cached for their TTL (a negative answer for its SOA minimum, RFC 2308 §5);
the resolver is thread-safe and :meth:`LiveResolver.query_many` keeps many questions in
flight for batch work.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NSEC
import dns.resolver
import dns.rrset

from mailforensics.errors import InputError
from mailforensics.resolvers.base import DNSAnswer, normalize_name, normalize_rdtype

__all__ = ["ROOT_TRUST_ANCHORS", "LiveResolver"]

#: The root zone's key-signing keys as DS records (IANA root-anchors.xml):
#: KSK-2017 and KSK-2024.
ROOT_TRUST_ANCHORS: Mapping[str, tuple[str, ...]] = {
    ".": (
        "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
        "38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    )
}

_MAX_CNAME = 8
_MAX_DEPTH = 12  # zone cuts followed up to an anchor
_NEGATIVE_TTL_CAP = 900


class _Response:
    """The parts of one DNS response we keep (so the cache does not hold whole messages)."""

    __slots__ = ("ad", "answer", "authority", "rcode", "timed_out")

    def __init__(
        self,
        *,
        rcode: int | None,
        answer: list[dns.rrset.RRset],
        authority: list[dns.rrset.RRset],
        ad: bool,
        timed_out: bool = False,
    ) -> None:
        self.rcode = rcode
        self.answer = answer
        self.authority = authority
        self.ad = ad
        self.timed_out = timed_out


class LiveResolver:
    """Ask real DNS servers; every outcome is a :class:`DNSAnswer`.

    Parameters
    ----------
    nameservers
        Server addresses; default: the system's (``/etc/resolv.conf``).
    port
        Server port (53).
    timeout
        Seconds to wait for one server's answer to one packet.
    lifetime
        Seconds one question may take in all, across servers and retries.
    tries
        Times each server is asked over UDP (round-robin) before giving up, within
        ``lifetime``.
    trust_ad
        Take the AD bit of the answering resolver as the DNSSEC status.
    trust_anchors
        ``{zone: (DS or DNSKEY presentation text, ...)}`` for local validation; default:
        the root KSKs. ``{}`` turns local validation off.
    cache
        Keep answers for their TTL.
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        port: int = 53,
        timeout: float = 2.0,
        lifetime: float = 6.0,
        tries: int = 2,
        trust_ad: bool = False,
        trust_anchors: Mapping[str, Sequence[str]] | None = None,
        cache: bool = True,
    ) -> None:
        if nameservers is None:
            configured = dns.resolver.Resolver(configure=True).nameservers
            nameservers = [ns if isinstance(ns, str) else ns.answer_nameserver() for ns in configured]
        self.nameservers = tuple(str(ns) for ns in nameservers)
        self.port = port
        self.tries = max(1, tries)
        self.timeout = timeout
        self.lifetime = lifetime
        self.trust_ad = trust_ad
        anchors = ROOT_TRUST_ANCHORS if trust_anchors is None else trust_anchors
        self._anchors = {dns.name.from_text(zone): _anchor_rdatas(zone, texts) for zone, texts in anchors.items()}
        self._use_cache = cache
        self._cache: dict[tuple[str, str], tuple[float, DNSAnswer]] = {}
        self._raw_cache: dict[tuple[str, int], tuple[float, _Response]] = {}
        self._lock = threading.Lock()
        self.identity = f"live {','.join(self.nameservers)}:{port}" + (" trust-ad" if trust_ad else "")

    # --- public API ------------------------------------------------------------------------------
    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """Ask ``(name, rdtype)``; never raises for DNS outcomes."""
        key = (normalize_name(name), normalize_rdtype(rdtype))
        now = time.monotonic()
        if self._use_cache:
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        answer = self._resolve(*key)
        if self._use_cache and answer.status in ("NOERROR", "NXDOMAIN"):
            ttl = answer.ttl if answer.ttl is not None else 0
            if not answer.records:
                ttl = min(ttl, _NEGATIVE_TTL_CAP)
            with self._lock:
                self._cache[key] = (now + ttl, answer)
        return answer

    def query_many(self, questions: Iterable[tuple[str, str]], *, max_workers: int = 32) -> list[DNSAnswer]:
        """Ask many questions with up to ``max_workers`` in flight; answers in order."""
        questions = list(questions)
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(questions) or 1))) as pool:
            return list(pool.map(lambda q: self.query(q[0], q[1]), questions))

    def __repr__(self) -> str:
        return f"<LiveResolver {self.identity}>"

    # --- transport -------------------------------------------------------------------------------
    def _exchange(self, qname: dns.name.Name, rdtype: int) -> _Response:
        """One question to the servers in turn: UDP, TCP on truncation, within ``lifetime``."""
        cache_key = (qname.to_text().lower(), rdtype)
        now = time.monotonic()
        if self._use_cache:
            with self._lock:
                hit = self._raw_cache.get(cache_key)
            if hit is not None and hit[0] > now:
                return hit[1]
        query = dns.message.make_query(
            qname, dns.rdatatype.RdataType(rdtype), want_dnssec=True, use_edns=0, payload=1232
        )
        query.flags |= dns.flags.RD
        if self.trust_ad:
            query.flags |= dns.flags.AD  # ask for the AD bit (RFC 6840 §5.7)
        deadline = time.monotonic() + self.lifetime
        last_rcode: int | None = None
        # Each server is tried ``tries`` times, round-robin, within ``lifetime``: one lost
        # UDP datagram must not turn into a TIMEOUT verdict (RFC 1035 §4.2.1).
        order = [server for _ in range(self.tries) for server in self.nameservers]
        for attempt, server in enumerate(order):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = dns.query.udp(query, server, timeout=min(self.timeout, remaining), port=self.port)
                if response.flags & dns.flags.TC:
                    remaining = deadline - time.monotonic()
                    response = dns.query.tcp(
                        query, server, timeout=max(0.1, min(self.timeout, remaining)), port=self.port
                    )
            except (dns.exception.Timeout, OSError, EOFError):
                continue
            except dns.exception.DNSException:
                last_rcode = dns.rcode.SERVFAIL  # a malformed answer: treat like a server failure
                continue
            rcode = response.rcode()
            if rcode in (dns.rcode.SERVFAIL, dns.rcode.REFUSED) and attempt < len(self.nameservers) - 1:
                last_rcode = rcode
                continue  # another server may answer (RFC 1035 §7.2)
            result = _Response(
                rcode=rcode,
                answer=list(response.answer),
                authority=list(response.authority),
                ad=bool(response.flags & dns.flags.AD),
            )
            if self._use_cache and rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                ttl = min((rr.ttl for rr in response.answer + response.authority), default=0)
                with self._lock:
                    self._raw_cache[cache_key] = (time.monotonic() + min(ttl, 86400), result)
            return result
        return _Response(rcode=last_rcode, answer=[], authority=[], ad=False, timed_out=last_rcode is None)

    # --- answer assembly -------------------------------------------------------------------------
    def _resolve(self, name: str, rdtype: str) -> DNSAnswer:
        try:
            rt = dns.rdatatype.from_text(rdtype)
        except (dns.exception.DNSException, ValueError) as exc:
            raise InputError(f"unknown DNS record type {rdtype!r}") from exc
        try:
            qname = dns.name.from_text(name)
        except (dns.exception.DNSException, ValueError):
            # A name that cannot be asked (an empty label, a label over 63 octets): the
            # question has no answer in the DNS, which is what NXDOMAIN says.
            return DNSAnswer(name=name, rdtype=rdtype, status="NXDOMAIN")
        chain: list[str] = []
        current = qname
        ttl: int | None = None
        secure: bool | None = True
        for _ in range(_MAX_CNAME + 1):
            resp = self._exchange(current, rt)
            if resp.timed_out:
                return DNSAnswer(name=name, rdtype=rdtype, status="TIMEOUT", cname_chain=tuple(chain))
            status = dns.rcode.to_text(dns.rcode.Rcode(resp.rcode)) if resp.rcode is not None else "SERVFAIL"
            if status not in ("NOERROR", "NXDOMAIN"):
                status = status if status in ("SERVFAIL", "REFUSED") else "SERVFAIL"
                return DNSAnswer(name=name, rdtype=rdtype, status=status, cname_chain=tuple(chain))
            # Follow the CNAME chain within this response first (RFC 1034 §4.3.2).
            owner = current
            records: tuple[str, ...] = ()
            answered = False
            for _link in range(_MAX_CNAME + 1):
                target = _find(resp.answer, owner, rt)
                if target is not None:
                    records = tuple(r.to_text() for r in target)
                    ttl = target.ttl if ttl is None else min(ttl, target.ttl)
                    secure = _and(secure, self._status(resp, target, owner))
                    answered = True
                    break
                alias = _find(resp.answer, owner, dns.rdatatype.CNAME) if rt != dns.rdatatype.CNAME else None
                if alias is None:
                    break
                chain.append(normalize_name(owner.to_text()))
                ttl = alias.ttl if ttl is None else min(ttl, alias.ttl)
                secure = _and(secure, self._status(resp, alias, owner))
                owner = alias[0].target
            if answered:
                return DNSAnswer(
                    name=name, rdtype=rdtype, status="NOERROR", records=records, ttl=ttl,
                    secure=secure, cname_chain=tuple(chain),
                )  # fmt: skip
            if owner != current and status == "NOERROR" and not _has_denial(resp):
                current = owner  # the server gave the alias only: ask for its target
                continue
            neg_ttl = _negative_ttl(resp)
            secure = _and(secure, self._denial_status(resp, owner, rt))
            return DNSAnswer(
                name=name, rdtype=rdtype, status=status, ttl=neg_ttl if ttl is None else min(ttl, neg_ttl),
                secure=secure, cname_chain=tuple(chain),
            )  # fmt: skip
        return DNSAnswer(name=name, rdtype=rdtype, status="SERVFAIL", cname_chain=tuple(chain))

    # --- DNSSEC ----------------------------------------------------------------------------------
    def _status(self, resp: _Response, rrset: dns.rrset.RRset, owner: dns.name.Name) -> bool | None:
        if self.trust_ad:
            return True if resp.ad else None
        if not self._anchor_for(owner):
            return None
        sigs = _find(resp.answer, owner, dns.rdatatype.RRSIG, covers=rrset.rdtype)
        status, sig = self._check_rrset(rrset, sigs, owner, depth=0)
        if status is True and sig is not None and sig.labels < len(owner) - 1:  # type: ignore[attr-defined]
            # A wildcard expansion: the signature alone would fit any name the wildcard
            # covers, so the qname must be proven not to exist (RFC 4035 §5.3.4, RFC 5155 §8.8).
            return self._wildcard_proof(resp, owner, sig)
        return status

    def _denial_status(self, resp: _Response, qname: dns.name.Name, rdtype: int) -> bool | None:
        if self.trust_ad:
            return True if resp.ad else None
        if not self._anchor_for(qname):
            return None
        nsecs: list[dns.rrset.RRset] = []
        nsec3s: list[dns.rrset.RRset] = []
        for rrset in resp.authority:
            if rrset.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3, dns.rdatatype.SOA):
                continue
            sigs = _find(resp.authority, rrset.name, dns.rdatatype.RRSIG, covers=rrset.rdtype)
            status, sig = self._check_rrset(rrset, sigs, rrset.name, depth=0)
            if status is not True:
                return status
            # Only records of the zone that holds qname can deny it: a validly signed NSEC
            # of another zone proves nothing about this name (RFC 4035 §5.4).
            if sig is None or not qname.is_subdomain(sig.signer):  # type: ignore[attr-defined]
                continue
            if rrset.rdtype == dns.rdatatype.NSEC:
                nsecs.append(rrset)
            elif rrset.rdtype == dns.rdatatype.NSEC3:
                nsec3s.append(rrset)
        if not nsecs and not nsec3s:
            # No signed denial: bogus if the zone is signed, unknown otherwise.
            return False if self._zone_is_signed(qname) else None
        nxdomain = _is_nxdomain(resp)
        if nsecs:
            return _nsec_denies(nsecs, qname, rdtype, nxdomain=nxdomain)
        return _nsec3_denies(nsec3s, qname, rdtype, nxdomain=nxdomain)

    def _wildcard_proof(self, resp: _Response, owner: dns.name.Name, sig: dns.rdata.Rdata) -> bool | None:
        """A validated wildcard answer for ``owner``: is there a signed proof that owner does not exist?"""
        nsecs: list[dns.rrset.RRset] = []
        nsec3s: list[dns.rrset.RRset] = []
        for rrset in resp.authority:
            if rrset.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
                continue
            sigs = _find(resp.authority, rrset.name, dns.rdatatype.RRSIG, covers=rrset.rdtype)
            status, nsig = self._check_rrset(rrset, sigs, rrset.name, depth=0)
            if status is not True or nsig is None or nsig.signer != sig.signer:  # type: ignore[attr-defined]
                continue
            (nsecs if rrset.rdtype == dns.rdatatype.NSEC else nsec3s).append(rrset)
        for r in nsecs:
            nxt = r[0].next
            if _nsec_covers(r.name, nxt, owner) and not nxt.is_subdomain(owner):
                return True
        # NSEC3: the next closer name (one label below the wildcard's parent) is covered.
        next_closer = dns.name.Name(owner.labels[-(sig.labels + 2) :])  # type: ignore[attr-defined]
        return any(_nsec3_covers(r, next_closer) for r in nsec3s)

    def _anchor_for(self, name: dns.name.Name) -> dns.name.Name | None:
        best = None
        for zone in self._anchors:
            if name.is_subdomain(zone) and (best is None or len(zone) > len(best)):
                best = zone
        return best

    def _check_rrset(
        self, rrset: dns.rrset.RRset, sigs: dns.rrset.RRset | None, owner: dns.name.Name, *, depth: int
    ) -> tuple[bool | None, dns.rdata.Rdata | None]:
        """Validate ``rrset`` against its RRSIGs; the status and the signature that verified.

        Only signatures by the zone holding ``owner`` (an ancestor, RFC 4035 §5.3.1) count.
        With no such signature the answer is bogus if that zone is signed, unknown if not.
        """
        usable = [s for s in (sigs or ()) if owner.is_subdomain(s.signer)]
        if not usable:
            return (False if self._zone_is_signed(owner, depth=depth) else None), None
        results: list[bool | None] = []
        # The closest signer first: that is the zone that should hold the records.
        for signer in sorted({s.signer for s in usable}, key=len, reverse=True):
            keys = self._trusted_keys(signer, depth=depth + 1)
            if keys is None or keys is False:
                results.append(keys if keys is False else None)
                continue
            assert isinstance(keys, dns.rrset.RRset)
            for sig in (s for s in usable if s.signer == signer):
                try:
                    dns.dnssec.validate_rrsig(rrset, sig, {signer: keys})
                except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
                    results.append(False)
                    continue
                return True, sig
        if False in results:
            return False, None
        return None, None

    def _zone_apex(self, name: dns.name.Name) -> dns.name.Name | None:
        """The apex of the zone the server answers ``name`` from (the SOA it shows), if any."""
        resp = self._exchange(name, dns.rdatatype.SOA)
        if resp.timed_out or resp.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return None
        for section in (resp.answer, resp.authority):
            for rrset in section:
                if rrset.rdtype == dns.rdatatype.SOA and name.is_subdomain(rrset.name):
                    return rrset.name
        return None

    def _enclosing_zone(self, name: dns.name.Name, anchor: dns.name.Name) -> dns.name.Name:
        """The zone holding ``name`` below ``anchor``, as the server reports it (clamped to the anchor)."""
        apex = self._zone_apex(name)
        if apex is None or not apex.is_subdomain(anchor):
            return anchor
        return apex

    def _zone_is_signed(self, name: dns.name.Name, *, depth: int = 0) -> bool:
        """Must answers at ``name`` be signed? True if the zone holding it has (or claims,
        bogusly) a key set on a chain of trust from an anchor; False if it is provably
        insecure (a delegation without DS), unknown, or outside every anchor."""
        anchor = self._anchor_for(name)
        if anchor is None:
            return False
        zone = self._enclosing_zone(name, anchor)
        return self._trusted_keys(zone, depth=depth + 1) is not None

    def _parent_zone_keys(self, zone: dns.name.Name, *, depth: int) -> dns.rrset.RRset | bool | None:
        """The trusted keys of the zone above ``zone`` (None: insecure or unknown)."""
        anchor = self._anchor_for(zone)
        if anchor is None or zone == anchor or zone == dns.name.root:
            return None
        parent = self._enclosing_zone(zone.parent(), anchor)
        if parent == zone or not zone.is_subdomain(parent):
            parent = anchor
        return self._trusted_keys(parent, depth=depth + 1)

    def _trusted_keys(self, zone: dns.name.Name, *, depth: int) -> dns.rrset.RRset | bool | None:
        """The zone's DNSKEY set if it validates up to an anchor; False if bogus; None if
        unknown or insecure (a delegation proven to have no DS)."""
        if depth > _MAX_DEPTH:
            return None
        if zone in self._anchors:
            resp = self._exchange(zone, dns.rdatatype.DNSKEY)
            keys = _find(resp.answer, zone, dns.rdatatype.DNSKEY)
            if keys is None:
                return None
            allowed = _keys_matching(keys, self._anchors[zone])
        else:
            if self._anchor_for(zone) is None:
                return None
            ds_resp = self._exchange(zone, dns.rdatatype.DS)
            ds = _find(ds_resp.answer, zone, dns.rdatatype.DS)
            if ds is None:
                return self._no_ds_status(ds_resp, zone, depth=depth)
            all_ds_sigs = _find(ds_resp.answer, zone, dns.rdatatype.RRSIG, covers=dns.rdatatype.DS)
            # A DS is signed by the parent: a proper ancestor of the zone.
            ds_sigs = [s for s in (all_ds_sigs or ()) if zone != s.signer and zone.is_subdomain(s.signer)]
            if not ds_sigs:
                # An unsigned DS is fine only below an insecure parent.
                return None if self._parent_zone_keys(zone, depth=depth) is None else False
            signer = ds_sigs[0].signer
            parent_keys = self._trusted_keys(signer, depth=depth + 1)
            if parent_keys is None or parent_keys is False:
                return parent_keys
            assert isinstance(parent_keys, dns.rrset.RRset)
            try:
                dns.dnssec.validate(ds, _rrsig_set(zone, ds_sigs), {signer: parent_keys})
            except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
                return False
            resp = self._exchange(zone, dns.rdatatype.DNSKEY)
            keys = _find(resp.answer, zone, dns.rdatatype.DNSKEY)
            if keys is None:
                return False if not resp.timed_out else None  # a DS but no keys: bogus
            allowed = _keys_matching(keys, list(ds))
        sigs = _find(resp.answer, zone, dns.rdatatype.RRSIG, covers=dns.rdatatype.DNSKEY)
        if sigs is None or not allowed:
            return False
        try:
            dns.dnssec.validate(keys, sigs, {zone: allowed})
        except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
            return False
        return keys

    def _no_ds_status(self, resp: _Response, zone: dns.name.Name, *, depth: int) -> bool | None:
        """No DS for ``zone``: None if that is proven (an insecure delegation) or cannot be
        known; False if the parent is signed but does not prove it (bogus)."""
        if resp.timed_out or resp.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return None
        nsecs: list[dns.rrset.RRset] = []
        nsec3s: list[dns.rrset.RRset] = []
        for rrset in resp.authority:
            if rrset.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
                continue
            all_sigs = _find(resp.authority, rrset.name, dns.rdatatype.RRSIG, covers=rrset.rdtype)
            sigs = [s for s in (all_sigs or ()) if zone != s.signer and zone.is_subdomain(s.signer)]
            if not sigs:
                continue
            signer = sigs[0].signer
            keys = self._trusted_keys(signer, depth=depth + 1)
            if keys is None:
                return None  # the parent itself is insecure (or unknown)
            if keys is False:
                return False
            assert isinstance(keys, dns.rrset.RRset)
            try:
                dns.dnssec.validate(rrset, _rrsig_set(rrset.name, sigs), {signer: keys})
            except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
                return False
            (nsecs if rrset.rdtype == dns.rdatatype.NSEC else nsec3s).append(rrset)
        if not nsecs and not nsec3s:
            return None if self._parent_zone_keys(zone, depth=depth) is None else False
        if any(_is_insecure_delegation_nsec(r, zone) for r in nsecs):
            return None
        if _nsec3_insecure_delegation(nsec3s, zone):
            return None
        return False


# --- helpers ---------------------------------------------------------------------------------------
def _and(a: bool | None, b: bool | None) -> bool | None:
    """Combine statuses along a chain: any bogus link is bogus; any unknown is unknown."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _find(
    section: list[dns.rrset.RRset], name: dns.name.Name, rdtype: int, covers: int = dns.rdatatype.NONE
) -> dns.rrset.RRset | None:
    for rrset in section:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def _rrsig_set(name: dns.name.Name, sigs: Sequence[dns.rdata.Rdata]) -> dns.rrset.RRset:
    """An RRSIG RRset of the given signatures (dnspython validates against an RRset)."""
    rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RRSIG, sigs[0].covers())
    for sig in sigs:
        rrset.add(sig)
    return rrset


def _has_denial(resp: _Response) -> bool:
    return any(r.rdtype == dns.rdatatype.SOA for r in resp.authority)


def _is_nxdomain(resp: _Response) -> bool:
    return resp.rcode == dns.rcode.NXDOMAIN


def _negative_ttl(resp: _Response) -> int:
    # RFC 2308 §5: min(SOA TTL, SOA MINIMUM)
    for rrset in resp.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return int(min(rrset.ttl, rrset[0].minimum))
    return 0


def _anchor_rdatas(zone: str, texts: Sequence[str]) -> list[dns.rdata.Rdata]:
    out = []
    for text in texts:
        parts = text.split()
        # DNSKEY presentation starts with flags (256/257) and protocol 3; DS with a key tag.
        rdtype = dns.rdatatype.DNSKEY if len(parts) > 3 and parts[1] == "3" else dns.rdatatype.DS
        out.append(dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.from_text(zone)))
    return out


def _keys_matching(keys: dns.rrset.RRset, anchors: Sequence[dns.rdata.Rdata]) -> dns.rrset.RRset | None:
    """The DNSKEYs of ``keys`` that an anchor (DS digest or identical DNSKEY) vouches for."""
    matching = dns.rrset.RRset(keys.name, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    for key in keys:
        for anchor in anchors:
            if anchor.rdtype == dns.rdatatype.DNSKEY:
                if key == anchor:
                    matching.add(key)
            else:
                try:
                    digest = dns.dnssec.make_ds(keys.name, key, anchor.digest_type)  # type: ignore[attr-defined]
                except (dns.dnssec.UnsupportedAlgorithm, ValueError):
                    continue
                if digest == anchor:
                    matching.add(key)
    return matching if len(matching) else None


def _types(rdata: dns.rdata.Rdata) -> set[int]:
    """The types in an NSEC/NSEC3 type bitmap."""
    types = set()
    for window, bitmap in rdata.windows:  # type: ignore[attr-defined]
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + i * 8 + bit)
    return types


def _common_ancestor(a: dns.name.Name, b: dns.name.Name) -> dns.name.Name:
    nlabels = a.fullcompare(b)[2]
    return dns.name.Name(a.labels[len(a) - nlabels :])


def _nsec_covers(owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name) -> bool:
    """``owner < name < next`` in canonical order (RFC 4034 §6.1); the zone's last NSEC
    (next = the apex) covers every name after its owner."""
    if owner < nxt:
        return owner < name < nxt
    return name > owner and name.is_subdomain(nxt)


def _nsec_denies(nsecs: list[dns.rrset.RRset], qname: dns.name.Name, rdtype: int, *, nxdomain: bool) -> bool:
    """RFC 4035 §5.4 (and §3.1.3): does this set of validated NSECs deny the question?

    NXDOMAIN: an NSEC covers qname, and one covers the wildcard at the closest encloser.
    NODATA: an NSEC at qname without the type (or CNAME); or qname is an empty
    non-terminal (an NSEC covers it and its next name is below it); or qname is covered
    and the wildcard at its closest encloser has an NSEC without the type.
    """
    by_owner = {r.name: r[0] for r in nsecs}
    covering = [(r.name, r[0].next) for r in nsecs if _nsec_covers(r.name, r[0].next, qname)]

    def no_type(nsec: dns.rdata.Rdata) -> bool:
        types = _types(nsec)
        if rdtype in types or dns.rdatatype.CNAME in types:
            return False
        # An NSEC from the parent side of a delegation speaks only for the DS type.
        delegation = dns.rdatatype.NS in types and dns.rdatatype.SOA not in types
        return not delegation or rdtype == dns.rdatatype.DS

    if not nxdomain and qname in by_owner:
        return no_type(by_owner[qname])
    for owner, nxt in covering:
        if nxt.is_subdomain(qname) and nxt != qname:
            # qname has descendants: an empty non-terminal, so NODATA, never NXDOMAIN.
            if not nxdomain:
                return True
            continue
        encloser = max(_common_ancestor(qname, owner), _common_ancestor(qname, nxt), key=len)
        wildcard = dns.name.Name((b"*", *encloser.labels))
        if nxdomain:
            if wildcard not in by_owner and any(_nsec_covers(r.name, r[0].next, wildcard) for r in nsecs):
                return True
        elif wildcard in by_owner and no_type(by_owner[wildcard]):
            return True
    return False


def _is_insecure_delegation_nsec(rrset: dns.rrset.RRset, zone: dns.name.Name) -> bool:
    """An NSEC at the delegation point ``zone``: NS, but neither DS nor SOA (RFC 4035 §5.2)."""
    if rrset.name != zone:
        return False
    types = _types(rrset[0])
    return dns.rdatatype.NS in types and dns.rdatatype.DS not in types and dns.rdatatype.SOA not in types


# --- NSEC3 (RFC 5155 §8) ------------------------------------------------------------------------
def _nsec3_owner_hash(rrset: dns.rrset.RRset) -> bytes | None:
    try:
        return base64.b32hexdecode(rrset.name.labels[0].upper())
    except (ValueError, IndexError, binascii.Error):
        return None


def _nsec3_hash(rrset: dns.rrset.RRset, name: dns.name.Name) -> bytes | None:
    n3 = rrset[0]
    try:
        hashed = dns.dnssec.nsec3_hash(name, n3.salt, n3.iterations, n3.algorithm)
    except (ValueError, dns.exception.DNSException):
        return None
    return base64.b32hexdecode(hashed)


def _nsec3_matches(rrset: dns.rrset.RRset, name: dns.name.Name) -> bool:
    if not name.is_subdomain(rrset.name.parent()):
        return False
    owner = _nsec3_owner_hash(rrset)
    return owner is not None and owner == _nsec3_hash(rrset, name)


def _nsec3_covers(rrset: dns.rrset.RRset, name: dns.name.Name) -> bool:
    if not name.is_subdomain(rrset.name.parent()):
        return False
    owner = _nsec3_owner_hash(rrset)
    hashed = _nsec3_hash(rrset, name)
    if owner is None or hashed is None:
        return False
    nxt = rrset[0].next
    if owner < nxt:
        return owner < hashed < nxt
    return hashed > owner or hashed < nxt  # the last NSEC3 of the hash chain wraps


def _nsec3_closest_encloser(
    nsec3s: list[dns.rrset.RRset], qname: dns.name.Name
) -> tuple[dns.name.Name, dns.rrset.RRset] | None:
    """RFC 5155 §8.3: the closest encloser (an NSEC3 matches it) and the NSEC3 covering the
    next closer name; None without such a proof."""
    zones = {r.name.parent() for r in nsec3s}
    if len(zones) != 1:
        return None
    zone = zones.pop()
    if not qname.is_subdomain(zone) or qname == zone:
        return None
    next_closer = qname
    candidate = qname.parent()
    while True:
        if any(_nsec3_matches(r, candidate) for r in nsec3s):
            for r in nsec3s:
                if _nsec3_covers(r, next_closer):
                    return candidate, r
            return None
        if candidate == zone:
            return None
        next_closer, candidate = candidate, candidate.parent()


def _nsec3_denies(nsec3s: list[dns.rrset.RRset], qname: dns.name.Name, rdtype: int, *, nxdomain: bool) -> bool | None:
    """RFC 5155 §8.4–8.7: True if the NSEC3s deny the question, None if opt-out leaves it
    unproven (an insecure delegation may exist), False if they do not deny it."""

    def no_type(rrset: dns.rrset.RRset) -> bool:
        types = _types(rrset[0])
        return rdtype not in types and dns.rdatatype.CNAME not in types

    if not nxdomain:
        for r in nsec3s:
            if _nsec3_matches(r, qname):  # §8.5 (also empty non-terminals, which have NSEC3s)
                return no_type(r)
    proof = _nsec3_closest_encloser(nsec3s, qname)
    if proof is None:
        return False
    encloser, covering = proof
    wildcard = dns.name.Name((b"*", *encloser.labels))
    if nxdomain:
        if any(_nsec3_covers(r, wildcard) for r in nsec3s):  # §8.4
            return None if covering[0].flags & 1 else True
        return False
    for r in nsec3s:
        if _nsec3_matches(r, wildcard):  # §8.7: wildcard NODATA
            return no_type(r)
    if rdtype == dns.rdatatype.DS and covering[0].flags & 1:
        return None  # §8.6: opt-out, an insecure delegation
    return False


def _nsec3_insecure_delegation(nsec3s: list[dns.rrset.RRset], zone: dns.name.Name) -> bool:
    """No DS for ``zone`` proven by NSEC3: a matching NSEC3 with NS but neither DS nor SOA,
    or the next closer name covered by an opt-out NSEC3 (RFC 5155 §8.6, §8.9)."""
    for r in nsec3s:
        if _nsec3_matches(r, zone):
            types = _types(r[0])
            return dns.rdatatype.NS in types and dns.rdatatype.DS not in types and dns.rdatatype.SOA not in types
    proof = _nsec3_closest_encloser(nsec3s, zone)
    return proof is not None and bool(proof[1][0].flags & 1)
