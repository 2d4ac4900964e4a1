"""Look-alike domains: is this domain dressed up as one the reader trusts?

:func:`compare` checks one domain against a :class:`ProtectedSet` (the recipient's own
domains, the domains that legitimately signed the message, and the brands most often
impersonated, :func:`load_brands`) and returns one :class:`Lookalike` per protected
domain it resembles, with the technique:

``"homograph"``
    An internationalized name whose UTS #39 skeleton is the protected name's: every
    character is a confusable of the original (``аррӏе.com``, all Cyrillic). Also when
    only diacritics differ (``paypál.com``).
``"mixed-script"``
    The same, with scripts mixed inside one label (``pаypal.com``: a Cyrillic ``а`` among
    Latin letters), which UTS #39 §5.2 restriction levels forbid in an identifier.
``"ascii-swap"``
    ASCII letters and digits that read alike: ``1``/``l``, ``0``/``o``, ``rn``/``m``,
    ``vv``/``w``, ``cl``/``d`` (``examp1e.com``, ``rnicrosoft.com``).
``"tld-swap"``
    The same registrable label under another public suffix (``paypal.co``).
``"brand-subdomain"``
    The protected name as labels of another domain (``paypal.com.evil.example``,
    ``paypal.evil.example``, ``paypal-login.evil.example``).
``"brand-plus-words"``
    The protected label with words around it (``paypal-secure-login.example``,
    ``mypaypal.example`` for labels of six letters or more).
``"edit-distance"``
    A Damerau–Levenshtein distance (adjacent transpositions count one) of 1 or 2 on the
    registrable label: at most 1 for labels of 4 to 8 characters (4 only with the same
    suffix), 2 from 9 on; shorter labels are compared exactly only, because every short
    word is one edit from some three-letter brand.

Skeletons use a subset of Unicode's ``confusables.txt`` (UTS #39, Unicode 13.0: every
mapping to ASCII letters, digits and ``-``; see ``confusables.txt`` in this folder and
``_make_data.py``), and script detection uses Unicode ``Scripts.txt`` ranges
(``scripts.txt``). The comparison is made on the registrable label (the Public Suffix
List organizational domain minus its suffix), in lower case.

A domain that a brand or the recipient owns (:attr:`ProtectedSet.owned`) is never a
look-alike, so legitimate variants (``paypal.co.uk`` for PayPal) are configured as the
brand's own. Pure functions; the data files are read once.

Domains repeat across a mailbox, and so do protected sets: what :func:`compare` reads
from a domain is cached (bounded, per distinct domain), sets built by
:meth:`ProtectedSet.build` for one recipient share one index of the brands and the
recipient's domains (adding a small one for the signers), and each index keeps its
results per host name (bounded).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType

from mailforensics.content.urls import parse_host

__all__ = [
    "TECHNIQUES",
    "Brand",
    "Lookalike",
    "Protected",
    "ProtectedSet",
    "brands_in_text",
    "compare",
    "default_set",
    "load_brands",
    "mixed_script",
    "scripts_of",
    "skeleton",
]

#: The techniques, strongest first (the order hits are reported in).
TECHNIQUES = (
    "homograph",
    "mixed-script",
    "ascii-swap",
    "tld-swap",
    "brand-subdomain",
    "brand-plus-words",
    "edit-distance",
)
_RANK = {t: i for i, t in enumerate(TECHNIQUES)}

# ASCII look-alike sequences, longest first; applied to both sides before comparing.
_SWAPS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("1", "l"), ("0", "o"), ("|", "l"))
# Script combinations allowed in one label (UTS #39 §5.2 "Highly Restrictive").
_ALLOWED_MIXES = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Bopomofo"}),
    frozenset({"Latin", "Han", "Hangul"}),
)
_NEUTRAL_SCRIPTS = frozenset({"Common", "Inherited", "Unknown"})
_MAX_LEFT_LABELS = 16
# Endings that make a word of a brand name rather than a brand plus a word.
_DOTTED_I = frozenset("\u0456\u0069\uff49\u2170")  # і i ｉ ⅰ keep their dot
_INFLECTIONS = frozenset({"s", "es", "ed", "er", "ers", "ing", "ings", "ly", "ion", "ions"})


# ---------------------------------------------------------------------------------------
# Unicode data
# ---------------------------------------------------------------------------------------
def _data(name: str) -> str:
    return resources.files("mailforensics.content").joinpath(name).read_text(encoding="utf-8")


@cache
def _confusables() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for line in _data("confusables.txt").splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        src, _, dst = data.partition(";")
        try:
            key = "".join(chr(int(x, 16)) for x in src.split())
            table[key] = "".join(chr(int(x, 16)) for x in dst.split())
        except ValueError:
            continue
    return MappingProxyType(table)


@cache
def _scripts() -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
    starts: list[int] = []
    ends: list[int] = []
    names: list[str] = []
    for line in _data("scripts.txt").splitlines():
        if not line or line.startswith("#"):
            continue
        span, _, name = line.partition(" ")
        lo, _, hi = span.partition("..")
        starts.append(int(lo, 16))
        ends.append(int(hi, 16))
        names.append(name.strip())
    return tuple(starts), tuple(ends), tuple(names)


def _script(ch: str) -> str:
    starts, ends, names = _scripts()
    cp = ord(ch)
    i = bisect.bisect_right(starts, cp) - 1
    if i >= 0 and cp <= ends[i]:
        return names[i]
    return "Unknown"


def scripts_of(text: str) -> tuple[str, ...]:
    """The Unicode scripts of ``text``'s characters, without Common and Inherited.

    Examples
    --------
    >>> scripts_of("pаypal")  # a Cyrillic "а"
    ('Cyrillic', 'Latin')
    """
    return tuple(sorted({_script(c) for c in text} - _NEUTRAL_SCRIPTS))


def mixed_script(label: str) -> bool:
    """True when one label mixes scripts beyond UTS #39's Highly Restrictive level."""
    found = frozenset(scripts_of(label))
    if len(found) <= 1:
        return False
    return not any(found <= allowed for allowed in _ALLOWED_MIXES)


def skeleton(text: str) -> str:
    """The UTS #39 §4 skeleton of ``text``, lower-cased for domain names.

    ``NFD``, each character replaced by its confusables prototype, ``NFD`` again; then
    lower case (DNS names are case-insensitive, so ``0`` → ``O`` → ``o``).

    Examples
    --------
    >>> skeleton("раураl")  # Cyrillic р, а, у
    'paypal'
    """
    table = _confusables()
    nfd = unicodedata.normalize("NFD", text.lower())
    mapped = "".join(table.get(c, c) for c in nfd)
    return unicodedata.normalize("NFD", mapped).lower()


def _deconfuse(label: str) -> tuple[str, bool, str]:
    """``label`` with each non-ASCII character replaced by its confusables prototype and
    diacritics removed (ASCII characters are kept); whether diacritics were removed; and
    the same form with the ``i`` that came from non-ASCII characters read as ``l``.

    Equal results mean equal UTS #39 skeletons (the prototypes are ASCII), except for the
    diacritics step, which goes further than UTS #39 (``paypál`` reads as ``paypal``),
    and the last form: UTS #39 maps the Cyrillic palochka ``ӏ`` and the dotless ``ı`` to
    ``i``, yet without a dot they read as ``l`` (``аррӏе``).
    """
    table = _confusables()
    out: list[str] = []
    alt: list[str] = []
    marks = False
    for c in unicodedata.normalize("NFD", label.lower()):
        proto = c if c.isascii() else table.get(c, c)
        for p in unicodedata.normalize("NFD", proto):
            if unicodedata.combining(p):
                marks = True
                continue
            p = p.lower()
            out.append(p)
            alt.append("l" if p == "i" and not c.isascii() and c not in _DOTTED_I else p)
    return "".join(out), marks, "".join(alt)


def _swap(label: str) -> str:
    for seq, rep in _SWAPS:
        label = label.replace(seq, rep)
    return label


# ---------------------------------------------------------------------------------------
# Brands and the protected set
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Brand:
    """A brand from ``brands.txt``.

    Parameters
    ----------
    name
        The brand's name.
    display_names
        Names that, shown in a From display name, claim to be the brand.
    domains
        The domains it owns, main one first.
    """

    name: str
    display_names: tuple[str, ...]
    domains: tuple[str, ...]


@cache
def load_brands() -> tuple[Brand, ...]:
    """The shipped list of the most impersonated brands (``content/brands.txt``)."""
    out: list[Brand] = []
    for line in _data("brands.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 3:
            continue
        name, shown, domains = fields
        out.append(
            Brand(
                name=name,
                display_names=tuple(s.strip() for s in shown.split(",") if s.strip()),
                domains=tuple(d.lower() for d in domains.split()),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Protected:
    """One protected domain, split for comparison.

    Parameters
    ----------
    domain
        The domain (A-labels, lower case): an organizational domain.
    label
        Its registrable label (``"paypal"``).
    suffix
        Its public suffix (``"com"``, ``"co.uk"``).
    owner
        Who owns it: the brand name, ``"recipient"``, or the domain itself.
    kind
        ``"brand"``, ``"recipient"``, ``"signed"`` (signed this message) or
        ``"protected"`` (given by the caller).
    order
        Its position among its owner's domains (0: the main one).
    """

    domain: str
    label: str
    suffix: str
    owner: str
    kind: str
    order: int = 0

    @property
    def group(self) -> str:
        """The key hits are grouped by: a brand or the recipient as a whole, else the domain."""
        return f"{self.kind}:{self.owner}" if self.kind in ("brand", "recipient") else f"domain:{self.domain}"


@cache
def default_set() -> ProtectedSet:
    """The protected set of the shipped brands only (built once)."""
    return ProtectedSet.build()


#: Suffixes under which anyone gets a name of their own (a Microsoft 365 tenant signs
#: mail as ``d=<tenant>.onmicrosoft.com``), though the Public Suffix List does not list
#: them: the look-alike comparison takes the tenant's label as the registrable one.
_TENANT_SUFFIXES = frozenset({"onmicrosoft.com"})


def _split(domain: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """(org domain, label, suffix, labels left of the org domain) in A-labels, or None."""
    info = parse_host(domain.strip())
    if info.ascii is None or info.ip_literal:
        return None
    org = info.registered_domain
    if org is None:
        return None
    left = info.ascii[: -len(org)].rstrip(".")
    if org in _TENANT_SUFFIXES and left:
        # <tenant>.onmicrosoft.com: the tenant's name is its registrable label, chosen by
        # whoever signed up (so "cmmsrl" is compared, and "paypal-secure" is caught), not
        # the provider's own name, which every tenant carries.
        left, _, tenant = left.rpartition(".")
        org = f"{tenant}.{org}"
    label, _, suffix = org.partition(".")
    return org, label, suffix, tuple(left.split(".")) if left else ()


def _deletes(word: str, k: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(k):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


def _near(word: str, k: int, by_delete: Mapping[str, tuple[Protected, ...]]) -> set[Protected]:
    """The entries filed under ``word`` less at most ``k`` characters (its deletes)."""
    out: set[Protected] = set()
    if len(by_delete) <= _FEW_DELETES:
        # A small table (a signer's domain or two): test its keys against the word rather
        # than list the word's deletes. A key is one of them when it is a subsequence of
        # the word at most k characters shorter.
        n = len(word)
        for d, entries in by_delete.items():
            if 0 <= n - len(d) <= k:
                rest = iter(word)
                if all(c in rest for c in d):
                    out.update(entries)
        return out
    for d in _deletes(word, k):
        out.update(by_delete.get(d, ()))
    return out


_FEW_DELETES = 128
# How many hosts' hits a layer keeps: the shared layer many, a signers' layer (one of up
# to a few hundred kept by the callers) a few.
_ROOM = 8192
_ROOM_EXTRA = 32


def _max_distance(length: int) -> int:
    if length < 4:
        return 0
    if length <= 8:
        return 1
    return 2


class _Index:
    """The lookup tables over some protected domains: one layer of a :class:`ProtectedSet`.

    Each table keeps a key's entries in the order they were given, so looking a key up in
    several layers, in order, gives what one table over all their entries would give.
    ``hits`` keeps :func:`_layer_hits` per host name, at most ``room`` of them: a mailbox
    shows the same hosts again and again.
    """

    __slots__ = ("by_delete", "by_domain", "by_label", "by_swap", "hits", "long_labels", "room")

    def __init__(self, entries: Sequence[Protected], *, room: int) -> None:
        self.hits: dict[str, _Hits] = {}
        self.room = room
        by_label: dict[str, list[Protected]] = {}
        by_swap: dict[str, list[Protected]] = {}
        by_delete: dict[str, list[Protected]] = {}
        by_domain: dict[str, list[Protected]] = {}
        for e in entries:
            by_label.setdefault(e.label, []).append(e)
            by_swap.setdefault(_swap(e.label), []).append(e)
            by_domain.setdefault(e.domain, []).append(e)
            for d in _deletes(e.label, _max_distance(len(e.label))):
                by_delete.setdefault(d, []).append(e)
        self.by_label = {k: tuple(v) for k, v in by_label.items()}
        self.by_swap = {k: tuple(v) for k, v in by_swap.items()}
        self.by_delete = {k: tuple(v) for k, v in by_delete.items()}
        self.by_domain = {k: tuple(v) for k, v in by_domain.items()}
        self.long_labels = tuple(sorted({e.label for e in entries if len(e.label) >= 6}))


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtectedSet:
    """The domains to defend, with who owns what; build it with :meth:`build`.

    Parameters
    ----------
    entries
        The protected domains.
    owned
        Organizational domain → owner, for the domains that are never look-alikes (a
        brand's own domains, the recipient's).
    brands
        The brands included (for display-name checks).
    """

    entries: tuple[Protected, ...] = ()
    owned: Mapping[str, str] = field(default_factory=dict)
    brands: tuple[Brand, ...] = ()
    # The lookup tables, in layers. A set from build() shares its first layer (the
    # recipient's domains and the brands, indexed once per recipient and brand list) and
    # adds a small one for the signers' and the caller's domains: a batch with a different
    # signer in every message does not index the brand list again for each.
    _layers: tuple[_Index, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "owned", MappingProxyType(dict(self.owned)))
        object.__setattr__(self, "_layers", (_Index(self.entries, room=_ROOM),))

    def __hash__(self) -> int:
        return hash(self.entries)

    @classmethod
    def _extended(cls, base: ProtectedSet, extra: Sequence[Protected]) -> ProtectedSet:
        """``base`` plus ``extra`` (entries it does not hold, owning nothing), sharing its tables."""
        new = object.__new__(cls)
        object.__setattr__(new, "entries", base.entries + tuple(extra))
        object.__setattr__(new, "owned", base.owned)
        object.__setattr__(new, "brands", base.brands)
        object.__setattr__(new, "_layers", (*base._layers, _Index(extra, room=_ROOM_EXTRA)))
        return new

    @classmethod
    def build(
        cls,
        domains: Iterable[str] = (),
        *,
        recipient: Iterable[str] = (),
        signed: Iterable[str] = (),
        brands: bool | Sequence[Brand] = True,
    ) -> ProtectedSet:
        """A protected set from the three sources the analysis knows.

        Parameters
        ----------
        domains
            Other domains to defend, each its own owner (not exempt from comparison
            with the rest).
        recipient
            The recipient organization's domains (``Config.internal_domains``): defended
            and owned.
        signed
            Domains that signed the message with a passing DKIM signature: defended, but
            not exempt (a look-alike can sign its own mail).
        brands
            True for :func:`load_brands`, False for none, or a sequence of brands.
        """
        brand_list: tuple[Brand, ...]
        if brands is True:
            brand_list = load_brands()
        elif brands is False:
            brand_list = ()
        else:
            brand_list = tuple(brands)
        base, counts = _owned_part(tuple(recipient), brand_list)
        taken = base._layers[0].by_domain
        extra: dict[str, Protected] = {}
        more: dict[str, int] = {}

        def add(domain: str, owner: str, kind: str) -> None:
            # As _owned_part adds, after it: the first entry for an org domain wins, and
            # an owner's domains are numbered on from the base's count.
            split = _split(domain)
            if split is None:
                return
            org, label, suffix, _left = split
            if org in taken or org in extra:
                return
            order = counts.get(owner, 0) + more.get(owner, 0)
            more[owner] = more.get(owner, 0) + 1
            extra[org] = Protected(domain=org, label=label, suffix=suffix, owner=owner, kind=kind, order=order)

        for d in signed:
            add(d, d.lower(), "signed")
        for d in domains:
            add(d, d.lower(), "protected")
        return cls._extended(base, tuple(extra.values())) if extra else base


@lru_cache(maxsize=32)
def _owned_part(recipient: tuple[str, ...], brands: tuple[Brand, ...]) -> tuple[ProtectedSet, Mapping[str, int]]:
    """The owned part of a :meth:`ProtectedSet.build` set (the recipient's domains, then the
    brands') and how many entries each owner has: built once per recipient list and brand
    list, and shared by every set built for them."""
    entries: dict[str, Protected] = {}
    owned: dict[str, str] = {}
    counts: dict[str, int] = {}

    def add(domain: str, owner: str, kind: str) -> None:
        split = _split(domain)
        if split is None:
            return
        org, label, suffix, _left = split
        owned.setdefault(org, owner)
        if org not in entries:
            order = counts.get(owner, 0)
            counts[owner] = order + 1
            entries[org] = Protected(domain=org, label=label, suffix=suffix, owner=owner, kind=kind, order=order)

    for d in recipient:
        add(d, "recipient", "recipient")
    for b in brands:
        for d in b.domains:
            add(d, b.name, "brand")
    return ProtectedSet(entries=tuple(entries.values()), owned=owned, brands=brands), MappingProxyType(counts)


def _osa(a: str, b: str, k: int) -> int:
    """Optimal string alignment distance, or ``k + 1`` when it exceeds ``k``."""
    if abs(len(a) - len(b)) > k:
        return k + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur) > k:
            return k + 1
        prev2, prev = prev, cur
    return prev[-1]


# ---------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Lookalike:
    """One resemblance between a domain and a protected domain.

    Parameters
    ----------
    domain
        The domain checked (A-labels, lower case).
    domain_unicode
        The same in U-labels (as a reader sees it).
    resembles
        The protected domain it imitates.
    owner
        Who owns that domain (brand name, ``"recipient"``, or the domain).
    kind
        The protected domain's kind (``"brand"``, ``"recipient"``, ``"signed"``,
        ``"protected"``).
    technique
        One of :data:`TECHNIQUES`.
    detail
        One sentence.
    distance
        The edit distance of the registrable labels, for ``"edit-distance"``.
    scripts
        The scripts of the domain's registrable label (without Common/Inherited).
    mixed_script
        True when that label mixes scripts.
    """

    domain: str
    domain_unicode: str
    resembles: str
    owner: str
    kind: str
    technique: str
    detail: str
    distance: int | None = None
    scripts: tuple[str, ...] = ()
    mixed_script: bool = False


def _tokens(label: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    for c in label:
        if c.isalpha():
            cur.append(c)
        else:
            if cur:
                out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def compare(domain: str, protected: ProtectedSet | Iterable[str]) -> tuple[Lookalike, ...]:
    """The protected domains that ``domain`` imitates, and how.

    Parameters
    ----------
    domain
        A domain or host name (U-labels or A-labels; a URL host, a From domain, a DKIM
        ``d=``). IP addresses and public suffixes have no look-alikes.
    protected
        A :class:`ProtectedSet`, or domains to defend (each its own owner; no brands).

    Returns
    -------
    tuple of Lookalike
        At most one per protected domain (its strongest technique), strongest first;
        empty for a domain the recipient or a brand owns. Never raises.

    Examples
    --------
    >>> [h.technique for h in compare("examp1e.com", ["example.com"])]
    ['ascii-swap']
    """
    pset = protected if isinstance(protected, ProtectedSet) else ProtectedSet.build(protected, brands=False)
    if not isinstance(domain, str) or not domain.strip():
        return ()
    return _compare(domain, pset)


# RFC 2606 / RFC 6761 placeholders: example.com, example.net and example.org are three
# different (documentation) organisations, and .example/.test/.invalid/.localhost are not
# real top-level domains, so one placeholder organisation is no TLD swap of another, and
# "gmail.example" is no TLD swap of gmail.com. Character tricks (examp1e) still count.
_PLACEHOLDER_SLDS = frozenset({"example.com", "example.net", "example.org"})
# Brand labels that are everyday words in host names: "mail.example.org" does not imitate
# mail.ru, nor "live-chat.example" live.com.
_GENERIC_WORDS = frozenset({"mail", "live", "office", "windows", "box", "me", "mac", "ing", "td", "wf", "meta"})
_PLACEHOLDER_TLDS = frozenset({"example", "test", "invalid", "localhost"})


def _placeholders(protected: str, org: str, suffix: str, technique: str) -> bool:
    if technique != "tld-swap":
        return False
    both = protected in _PLACEHOLDER_SLDS and org in _PLACEHOLDER_SLDS
    return both or suffix.rsplit(".", 1)[-1] in _PLACEHOLDER_TLDS


class _Form:
    """What the comparison needs to know about one domain, whatever it is compared with:
    read once per distinct domain (:func:`_read`). All of it follows from ``host``."""

    __slots__ = (
        "form",
        "form_l",
        "host",
        "idn",
        "left",
        "left_labels",
        "marks",
        "mixed",
        "org",
        "scripts",
        "shown",
        "suffix",
        "swapped_tokens",
        "toks",
        "unicode_host",
    )

    def __init__(self, host: str, unicode_host: str, org: str, suffix: str, u_label: str, u_left: list[str]) -> None:
        label = org.partition(".")[0]
        self.host = host
        self.unicode_host = unicode_host
        self.org = org
        self.suffix = suffix
        self.idn = idn = u_label != label
        self.scripts = scripts_of(u_label)
        self.mixed = mixed_script(u_label)
        # The form of the registrable label that is compared: itself, or (for an IDN) the
        # label with every confusable replaced by its ASCII prototype.
        self.form, self.marks, self.form_l = _deconfuse(u_label) if idn else (label, False, label)
        self.shown = unicode_host if idn else host
        # The labels left of the organizational domain, read as ASCII, and each with its words.
        self.left = left = [x if x.isascii() else _deconfuse(x)[2] for x in u_left[-_MAX_LEFT_LABELS:]]
        self.left_labels = tuple(tuple({x, *(_tokens(x) if not x.isalpha() else ())}) for x in left)
        self.toks = _tokens(self.form)
        self.swapped_tokens = _tokens(_swap(self.form))


def _read(key: str) -> _Form | None:
    """The :class:`_Form` of a domain (stripped of blanks and a final dot), None when it
    has no look-alikes (an IP address, a public suffix, not a domain name)."""
    info = parse_host(key)
    if info.ascii is None or info.ip_literal or info.registered_domain is None:
        return None
    host = info.ascii
    split = _split(host)
    if split is None:
        return None
    org, _label, suffix, _left = split
    unicode_host = info.unicode or host
    u_labels = unicode_host.split(".")
    if len(u_labels) != len(host.split(".")):
        u_labels = host.split(".")
    n_org = org.count(".") + 1
    return _Form(host, unicode_host, org, suffix, u_labels[-n_org], u_labels[:-n_org])


_MAX_CACHED = 256
_read_cached = lru_cache(maxsize=4096)(_read)

#: One layer's hits on one domain: (group, (entry, technique, detail, distance)) pairs, and
#: whether the domain's registrable label is exactly a brand's or the recipient's.
_Hits = tuple[tuple[tuple[str, tuple[Protected, str, str, int | None]], ...], bool]


def _layer_hits(f: _Form, ix: _Index) -> _Hits:
    """The protected domains of one layer that ``f`` imitates, one hit per group."""
    org, suffix, form, shown, host = f.org, f.suffix, f.form, f.shown, f.host
    hits: dict[str, tuple[Protected, str, str, int | None]] = {}

    def hit(e: Protected, technique: str, detail: str, distance: int | None = None) -> None:
        # One hit per brand (or per protected domain): the strongest technique, then the
        # domain with the same suffix, then the owner's main domain.
        if e.domain == org or _placeholders(e.domain, org, suffix, technique):
            return
        old = hits.get(e.group)
        if old is None or (_RANK[technique], e.suffix != suffix, e.order) < (
            _RANK[old[1]],
            old[0].suffix != suffix,
            old[0].order,
        ):
            hits[e.group] = (e, technique, detail, distance)

    by_label = ix.by_label
    # 1. Homographs (IDN) and ASCII swaps: the label reads as the protected label.
    homographs = ix.by_swap.get(_swap(form), ())
    if f.idn and f.form_l != form:
        homographs = (*homographs, *ix.by_swap.get(_swap(f.form_l), ()))
    for e in homographs:
        if f.idn:
            technique = "mixed-script" if f.mixed else "homograph"
            if f.mixed:
                how = f"mixes {' and '.join(f.scripts)} letters"
            elif f.marks and form == e.label:
                how = "differs only in diacritics"
            else:
                how = f"is written in {', '.join(f.scripts) or 'look-alike characters'}"
            hit(e, technique, f"{shown} ({host}) {how} and reads as {e.label}; it imitates {e.domain}.")
        elif e.label != form:
            hit(e, "ascii-swap", f"{host} swaps look-alike characters in {e.domain} ({form} vs {e.label}).")
    # 2. TLD swaps: the same label under another suffix.
    for e in by_label.get(form, ()):
        if e.suffix != suffix and len(e.label) >= 3:
            hit(e, "tld-swap", f"{shown} is {e.label} under .{suffix} instead of .{e.suffix} ({e.domain}).")
    # 3. The protected name as labels of another domain.
    left = f.left
    for i in range(len(left)):
        for j in range(i + 1, min(len(left), i + 4) + 1):
            for e in ix.by_domain.get(".".join(left[i:j]), ()):
                hit(e, "brand-subdomain", f"{shown} starts with {e.domain} but belongs to {org}.")
    for words in f.left_labels:
        for t in words:
            for e in by_label.get(t, ()):
                if len(e.label) >= 3 and e.label not in _GENERIC_WORDS:
                    hit(e, "brand-subdomain", f"{shown} uses {e.label} in a subdomain of {org}.")
    # 4. The protected label with words around it.
    toks = f.toks
    swapped_tokens = f.swapped_tokens
    if len(toks) > 1 or len(swapped_tokens) > 1:
        for t in {*toks, *swapped_tokens}:
            for e in by_label.get(t, ()):
                if len(e.label) >= 3 and e.label not in _GENERIC_WORDS:
                    hit(e, "brand-plus-words", f"{shown} wraps {e.label} in other words; it imitates {e.domain}.")
    for lab in ix.long_labels:
        at = form.find(lab)
        if at < 0 or len(form) - len(lab) < 2:
            continue
        rest = form[:at] + form[at + len(lab) :]
        if at == 0 and rest in _INFLECTIONS:
            continue  # "targeted" is a word of its own, not "target" plus a word
        for e in by_label.get(lab, ()):
            hit(e, "brand-plus-words", f"{shown} contains {e.label}; it imitates {e.domain}.")
    by_delete = ix.by_delete
    # A misspelt protected label among other words ("appie-id").
    if len(toks) > 1:
        for t in toks:
            if len(t) < 5:
                continue
            for e in _near(t, 1, by_delete):
                if len(e.label) >= 5 and e.label != t and _osa(t, e.label, 1) <= 1:
                    hit(e, "brand-plus-words", f"{shown} holds {t!r}, one edit from {e.label}; it imitates {e.domain}.")
    # 5. Edit distance on the registrable label.
    for e in _near(form, 2 if len(form) >= 8 else 1, by_delete):
        k = _max_distance(len(e.label))
        if k == 0 or e.label == form:
            continue
        if len(e.label) == 4 and e.suffix != suffix:
            continue
        dist = _osa(form, e.label, k)
        if dist <= k:
            hit(e, "edit-distance", f"{shown} is {dist} edit(s) from {e.domain} ({form} vs {e.label}).", dist)
    exact = any(e.kind in ("brand", "recipient") for e in by_label.get(form, ()))
    return (tuple(hits.items()), exact) if hits or exact else _NO_HITS


_NO_HITS: _Hits = ((), False)  # most hosts' result, kept once


def _compare(domain: str, pset: ProtectedSet) -> tuple[Lookalike, ...]:
    key = domain.strip().rstrip(".")
    # Domains repeat across a mailbox, so what is read from one is cached; the length
    # limit keeps hostile strings out of the cache.
    f = _read_cached(key) if len(key) <= _MAX_CACHED else _read(key)
    if f is None or f.org in pset.owned:
        return ()
    layers = pset._layers
    hits: dict[str, tuple[Protected, str, str, int | None]] = {}
    exact = False
    for ix in layers:
        # Hits depend on the host name alone (everything in the form is read from it).
        known = ix.hits.get(f.host)
        if known is None:
            known = _layer_hits(f, ix)
            if len(ix.hits) >= ix.room:
                ix.hits.clear()  # bounded; clear() is atomic where a popped key may race
            ix.hits[f.host] = known
        found, x = known
        # Layers hold different groups (the shared one brands and the recipient, the
        # others one domain each), so one layer's hit never displaces another's.
        hits.update(found)
        exact = exact or x
    if not hits:
        return ()
    form = f.form
    if exact:
        # The label is exactly a brand's or the recipient's (gmail.example,
        # amazonses.example): it is that name under another suffix — a TLD swap of it or
        # nothing — not a near-miss of some other brand (gmail is no misspelt ymail). A
        # signed domain's label does not count: a look-alike can sign its own mail.
        hits = {g: h for g, h in hits.items() if h[0].label == form}
    out = [
        Lookalike(
            domain=f.host,
            domain_unicode=f.unicode_host,
            resembles=e.domain,
            owner=e.owner,
            kind=e.kind,
            technique=technique,
            detail=detail,
            distance=distance,
            scripts=f.scripts,
            mixed_script=f.mixed,
        )
        for e, technique, detail, distance in hits.values()
    ]
    out.sort(key=lambda h: (_RANK[h.technique], h.resembles))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# Brands named in text
# ---------------------------------------------------------------------------------------
def _words(text: str) -> str:
    # Format characters (zero width space, soft hyphen, bidi controls) are dropped first:
    # "Pay\u200bPal" is shown, and read, as PayPal.
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    folded = skeleton(visible)
    return " " + " ".join("".join(c if c.isalnum() else " " for c in folded).split()) + " "


@cache
def _brand_names(brands: tuple[Brand, ...]) -> tuple[tuple[str, Brand], ...]:
    out: list[tuple[str, Brand]] = []
    for b in brands:
        for name in b.display_names:
            out.append((_words(name), b))
    return tuple(out)


def brands_in_text(text: str, brands: Sequence[Brand] | None = None) -> tuple[Brand, ...]:
    """The brands whose display names appear in ``text`` as whole words.

    Matching is on UTS #39 skeletons, so ``PаyPal`` (Cyrillic ``а``) counts as PayPal.

    Parameters
    ----------
    text
        A display name, a subject.
    brands
        The brands to look for (default: :func:`load_brands`).
    """
    if not text:
        return ()
    head = text[:1000]
    if brands is None or brands is load_brands():
        # The common case, cached: a mailbox shows the same display names again and again.
        return _shipped_brands_in(head)
    return _brands_in(head, tuple(brands))


def _brands_in(head: str, brands: tuple[Brand, ...]) -> tuple[Brand, ...]:
    words = _words(head)
    found: dict[str, Brand] = {}
    for name, brand in _brand_names(brands):
        if name.strip() and name in words:
            found.setdefault(brand.name, brand)
    return tuple(found.values())


@lru_cache(maxsize=2048)
def _shipped_brands_in(head: str) -> tuple[Brand, ...]:
    return _brands_in(head, load_brands())
