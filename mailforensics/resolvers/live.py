"""LiveResolver: real DNS through dnspython, with a DNSSEC status on every answer.

Queries go to the configured nameservers (default: the system's, from resolv.conf)
over UDP with EDNS0 and the DO bit (RFC 3225), and are retried over TCP when the answer
is truncated (RFC 7766 §5). Timeouts, SERVFAIL and REFUSED are answers, not exceptions.

DNSSEC status (``DNSAnswer.secure``) comes from one of two places:

- ``trust_ad=True``: the AD bit of a validating resolver you trust, reached over a path
  you trust (RFC 6840 §5.7) — e.g. a local unbound on 127.0.0.1;
- local validation (default whenever ``trust_anchors`` cover the name): RRSIGs are
  checked with dnspython against DNSKEYs, DNSKEYs against DS records, up to a trust
  anchor (the root KSKs by default; tests configure their zone's key). Denials
  (NXDOMAIN/NODATA) are secure when their NSEC records are validly signed and actually
  cover the question (RFC 4035 §5.4); an NSEC3 NODATA proof is checked by hashing the
  name (RFC 5155 §8.5); other NSEC3 denials stay unknown.

``secure`` is ``True`` when validated, ``False`` when bogus (a signature that does not
verify, or an unsigned answer from a zone whose keys validate), ``None`` when unknown
(no anchor covers the name, or the zone is unsigned and no proof was sought).

Answers are cached for their TTL (a negative answer for its SOA minimum, RFC 2308 §5);
the resolver is thread-safe and :meth:`LiveResolver.query_many` keeps many questions in
flight for batch work.
"""

from __future__ import annotations

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
        trust_ad: bool = False,
        trust_anchors: Mapping[str, Sequence[str]] | None = None,
        cache: bool = True,
    ) -> None:
        if nameservers is None:
            nameservers = dns.resolver.Resolver(configure=True).nameservers
        self.nameservers = tuple(str(ns) for ns in nameservers)
        self.port = port
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
        with self._lock:
            hit = self._raw_cache.get(cache_key)
        if hit is not None and hit[0] > now:
            return hit[1]
        query = dns.message.make_query(qname, rdtype, want_dnssec=True, use_edns=0, payload=1232)
        query.flags |= dns.flags.RD
        if self.trust_ad:
            query.flags |= dns.flags.AD  # ask for the AD bit (RFC 6840 §5.7)
        deadline = time.monotonic() + self.lifetime
        last_rcode: int | None = None
        for server in self.nameservers:
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
            if rcode in (dns.rcode.SERVFAIL, dns.rcode.REFUSED) and server != self.nameservers[-1]:
                last_rcode = rcode
                continue  # another server may answer (RFC 1035 §7.2)
            result = _Response(
                rcode=rcode,
                answer=list(response.answer),
                authority=list(response.authority),
                ad=bool(response.flags & dns.flags.AD),
            )
            if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                ttl = min((rr.ttl for rr in response.answer + response.authority), default=0)
                with self._lock:
                    self._raw_cache[cache_key] = (time.monotonic() + min(ttl, 86400), result)
            return result
        return _Response(rcode=last_rcode, answer=[], authority=[], ad=False, timed_out=last_rcode is None)

    # --- answer assembly -------------------------------------------------------------------------
    def _resolve(self, name: str, rdtype: str) -> DNSAnswer:
        try:
            qname = dns.name.from_text(name)
            rt = dns.rdatatype.from_text(rdtype)
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
            status = dns.rcode.to_text(resp.rcode) if resp.rcode is not None else "SERVFAIL"
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
                owner = alias[0].target  # type: ignore[attr-defined]
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
        return self._validate_rrset(rrset, sigs, owner)

    def _denial_status(self, resp: _Response, qname: dns.name.Name, rdtype: int) -> bool | None:
        if self.trust_ad:
            return True if resp.ad else None
        if not self._anchor_for(qname):
            return None
        signed: list[dns.rrset.RRset] = []
        for rrset in resp.authority:
            if rrset.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3, dns.rdatatype.SOA):
                sigs = _find(resp.authority, rrset.name, dns.rdatatype.RRSIG, covers=rrset.rdtype)
                status = self._validate_rrset(rrset, sigs, rrset.name)
                if status is not True:
                    return status
                signed.append(rrset)
        if not signed:
            # No signed denial: bogus if the zone is signed, unknown otherwise.
            zone_signed = self._zone_is_signed(qname)
            return False if zone_signed else None
        nsecs = [r for r in signed if r.rdtype == dns.rdatatype.NSEC]
        nsec3s = [r for r in signed if r.rdtype == dns.rdatatype.NSEC3]
        if nsecs:
            return True if _nsec_denies(nsecs, qname, rdtype, nodata=not _is_nxdomain(resp)) else False
        if nsec3s and not _is_nxdomain(resp):
            return True if _nsec3_nodata(nsec3s, qname, rdtype) else None
        return None

    def _anchor_for(self, name: dns.name.Name) -> dns.name.Name | None:
        best = None
        for zone in self._anchors:
            if name.is_subdomain(zone) and (best is None or len(zone) > len(best)):
                best = zone
        return best

    def _validate_rrset(
        self, rrset: dns.rrset.RRset, sigs: dns.rrset.RRset | None, owner: dns.name.Name
    ) -> bool | None:
        if sigs is None or len(sigs) == 0:
            return False if self._zone_is_signed(owner) else None
        signer = sigs[0].signer  # type: ignore[attr-defined]
        keys = self._trusted_keys(signer, depth=0)
        if keys is None:
            return None
        if keys is False:
            return False
        try:
            dns.dnssec.validate(rrset, sigs, {signer: keys})
            return True
        except dns.dnssec.ValidationFailure:
            return False

    def _zone_is_signed(self, name: dns.name.Name) -> bool:
        """Is there a validated DNSKEY set for the zone holding ``name``? (walks up)"""
        candidate = name
        while True:
            resp = self._exchange(candidate, dns.rdatatype.DNSKEY)
            keys = _find(resp.answer, candidate, dns.rdatatype.DNSKEY)
            if keys is not None:
                trusted = self._trusted_keys(candidate, depth=0)
                return trusted not in (None, False)
            if candidate == dns.name.root or self._anchor_for(candidate) is None:
                return False
            candidate = candidate.parent()

    def _trusted_keys(self, zone: dns.name.Name, *, depth: int) -> dns.rrset.RRset | bool | None:
        """The zone's DNSKEY set if it validates up to an anchor; False if bogus; None if unknown."""
        if depth > 8:
            return None
        resp = self._exchange(zone, dns.rdatatype.DNSKEY)
        keys = _find(resp.answer, zone, dns.rdatatype.DNSKEY)
        sigs = _find(resp.answer, zone, dns.rdatatype.RRSIG, covers=dns.rdatatype.DNSKEY)
        if keys is None:
            return None
        if sigs is None:
            return False
        if zone in self._anchors:
            allowed = _keys_matching(keys, self._anchors[zone])
        else:
            parent_anchor = self._anchor_for(zone)
            if parent_anchor is None:
                return None
            ds_resp = self._exchange(zone, dns.rdatatype.DS)
            ds = _find(ds_resp.answer, zone, dns.rdatatype.DS)
            if ds is None:
                return None  # no DS: an island of security we cannot reach
            ds_sigs = _find(ds_resp.answer, zone, dns.rdatatype.RRSIG, covers=dns.rdatatype.DS)
            if ds_sigs is None:
                return False
            parent_keys = self._trusted_keys(ds_sigs[0].signer, depth=depth + 1)  # type: ignore[attr-defined]
            if parent_keys in (None, False):
                return parent_keys  # type: ignore[return-value]
            try:
                dns.dnssec.validate(ds, ds_sigs, {ds_sigs[0].signer: parent_keys})  # type: ignore[attr-defined,dict-item]
            except dns.dnssec.ValidationFailure:
                return False
            allowed = _keys_matching(keys, list(ds))
        if not allowed:
            return False
        try:
            dns.dnssec.validate(keys, sigs, {zone: allowed})
        except dns.dnssec.ValidationFailure:
            return False
        return keys


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


def _has_denial(resp: _Response) -> bool:
    return any(r.rdtype == dns.rdatatype.SOA for r in resp.authority)


def _is_nxdomain(resp: _Response) -> bool:
    return resp.rcode == dns.rcode.NXDOMAIN


def _negative_ttl(resp: _Response) -> int:
    # RFC 2308 §5: min(SOA TTL, SOA MINIMUM)
    for rrset in resp.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return int(min(rrset.ttl, rrset[0].minimum))  # type: ignore[attr-defined]
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


def _nsec_denies(nsecs: list[dns.rrset.RRset], qname: dns.name.Name, rdtype: int, *, nodata: bool) -> bool:
    """RFC 4035 §5.4: an NSEC at qname without the type (NODATA), or one covering qname."""
    for rrset in nsecs:
        nsec = rrset[0]
        if nodata:
            if rrset.name == qname:
                types = set()
                for window, bitmap in nsec.windows:  # type: ignore[attr-defined]
                    for i, byte in enumerate(bitmap):
                        for bit in range(8):
                            if byte & (0x80 >> bit):
                                types.add(window * 256 + i * 8 + bit)
                if rdtype not in types and dns.rdatatype.CNAME not in types:
                    return True
        else:
            owner, nxt = rrset.name, nsec.next  # type: ignore[attr-defined]
            if owner < qname < nxt or (nxt <= owner and (qname > owner or qname < nxt)):
                return True
    return False


def _nsec3_nodata(nsec3s: list[dns.rrset.RRset], qname: dns.name.Name, rdtype: int) -> bool:
    """RFC 5155 §8.5: an NSEC3 matching H(qname) whose bitmap lacks the type."""
    for rrset in nsec3s:
        n3 = rrset[0]
        zone = rrset.name.parent()
        try:
            hashed = dns.dnssec.nsec3_hash(qname, n3.salt, n3.iterations, n3.algorithm)  # type: ignore[attr-defined]
        except (ValueError, dns.dnssec.ValidationFailure):
            continue
        if rrset.name == dns.name.from_text(hashed, zone):
            types = set()
            for window, bitmap in n3.windows:  # type: ignore[attr-defined]
                for i, byte in enumerate(bitmap):
                    for bit in range(8):
                        if byte & (0x80 >> bit):
                            types.add(window * 256 + i * 8 + bit)
            return rdtype not in types and dns.rdatatype.CNAME not in types
    return False
