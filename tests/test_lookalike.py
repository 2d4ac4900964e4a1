"""Look-alike domains (mailforensics.content.lookalike).

A labelled set of pairs: true look-alikes (with the protected domain they imitate and
the technique expected) and near-miss legitimate domains that must not be flagged. The
set's precision and recall are computed and printed, and held above a floor.

Brand domains appear only as strings (the protected targets); nothing is contacted.
"""

from __future__ import annotations

import pytest

from mailforensics.content import lookalike
from mailforensics.content.lookalike import Brand, ProtectedSet, compare, mixed_script, scripts_of, skeleton

RECIPIENT = ("example.com", "example-corp.example")
PSET = ProtectedSet.build(recipient=RECIPIENT)

# (domain, the protected owner it imitates, the technique) — true look-alikes.
POSITIVES: list[tuple[str, str, str]] = [
    ("examp1e.com", "recipient", "ascii-swap"),
    ("exarnple.com", "recipient", "ascii-swap"),
    ("example-hr.com", "recipient", "brand-plus-words"),
    ("example.co", "recipient", "tld-swap"),
    ("example.com.evil.example", "recipient", "brand-subdomain"),
    ("paypa1.com", "PayPal", "ascii-swap"),
    ("p\u0430ypal.com", "PayPal", "mixed-script"),  # Cyrillic а
    ("xn--pypal-4ve.com", "PayPal", "mixed-script"),  # the same, as an A-label
    ("\u0440\u0430\u0443\u0440\u0430l.com", "PayPal", "mixed-script"),  # Cyrillic р а у р а + Latin l
    ("\u0430\u0440\u0440\u04cf\u0435.com", "Apple", "homograph"),  # all Cyrillic: а р р ӏ е
    ("payp\u00e1l.com", "PayPal", "homograph"),  # diacritic
    ("paypal.co", "PayPal", "tld-swap"),
    ("paypal.com.evil.example", "PayPal", "brand-subdomain"),
    ("paypal-secure-login.example", "PayPal", "brand-plus-words"),
    ("secure-paypal.example", "PayPal", "brand-plus-words"),
    ("mypaypal-account.example", "PayPal", "brand-plus-words"),
    ("pay-pal.com", "PayPal", "edit-distance"),
    ("rnicrosoft.com", "Microsoft", "ascii-swap"),
    ("micros0ft.com", "Microsoft", "ascii-swap"),
    ("microsfot.com", "Microsoft", "edit-distance"),
    ("micosoft.com", "Microsoft", "edit-distance"),
    ("login.microsoftonline.com.evil.example", "Microsoft", "brand-subdomain"),
    ("microsoft-365-support.example", "Microsoft", "brand-plus-words"),
    ("micr\u043esoft.com", "Microsoft", "mixed-script"),  # Cyrillic о
    ("arnazon.com", "Amazon", "ascii-swap"),
    ("amaz0n.com", "Amazon", "ascii-swap"),
    ("amazon-billing.example", "Amazon", "brand-plus-words"),
    ("amazon.co.evil.example", "Amazon", "brand-subdomain"),
    ("arnaz0n-login.example", "Amazon", "brand-plus-words"),
    ("g00gle.com", "Google", "ascii-swap"),
    ("goog1e.com", "Google", "ascii-swap"),
    ("gooogle.com", "Google", "edit-distance"),
    ("googie.com", "Google", "edit-distance"),
    ("netf1ix.com", "Netflix", "ascii-swap"),
    ("netflix-account.example", "Netflix", "brand-plus-words"),
    ("vvellsfargo.com", "Wells Fargo", "ascii-swap"),
    ("wellsfarg0.com", "Wells Fargo", "ascii-swap"),
    ("wellsfargo-alert.example", "Wells Fargo", "brand-plus-words"),
    ("docusign.co", "DocuSign", "tld-swap"),
    ("docusign-files.example", "DocuSign", "brand-plus-words"),
    ("dropbox.com.share.example", "Dropbox", "brand-subdomain"),
    ("linkedln.com", "LinkedIn", "edit-distance"),
    ("faceb00k.com", "Meta", "ascii-swap"),
    ("facebook-security.example", "Meta", "brand-plus-words"),
    ("appleid.apple.com.evil.example", "Apple", "brand-subdomain"),
    ("apple-id-verify.example", "Apple", "brand-plus-words"),
    ("appie-id.example", "Apple", "brand-plus-words"),
    ("icloud-find.example", "Apple", "brand-plus-words"),
    ("coinbase-wallet.example", "Coinbase", "brand-plus-words"),
    ("coinbasse.com", "Coinbase", "edit-distance"),
    ("dhl-parcel.example", "DHL", "brand-plus-words"),
    ("fedex-tracking.example", "FedEx", "brand-plus-words"),
    ("adobe.com.docs.example", "Adobe", "brand-subdomain"),
    ("chase-secure.example", "Chase", "brand-plus-words"),
    ("bankofamerica-alerts.example", "Bank of America", "brand-plus-words"),
    ("paaypaal.com", "PayPal", "edit-distance"),  # two insertions in a 6-letter label: out of reach
]

# Near-miss legitimate domains: the brands' own variants (configured as theirs) and
# ordinary domains that share letters or words with a brand.
NEGATIVES: list[str] = [
    "paypal.com",
    "www.paypal.com",
    "paypal.co.uk",
    "paypal.me",
    "paypalobjects.com",
    "paypal-community.com",
    "microsoftonline.com",
    "login.microsoftonline.com",
    "outlook.com",
    "office365.com",
    "amazon.co.jp",
    "amazonses.com",
    "google.co.uk",
    "googleapis.com",
    "githubusercontent.com",
    "facebook.net",
    "mail.example.com",
    "example.com",
    "example-corp.example",
    "wikipedia.org",
    "python.org",
    "debian.org",
    "kernel.org",
    "bbc.co.uk",
    "groups.example",  # ups
    "cups.example",  # ups
    "inbox.example",  # box
    "visage.example",  # visa
    "targeted.example",  # target
    "zoominfo.com",  # zoom
    "ingredients.example",  # ing
    "wisely.example",  # wise
    "binary.example",  # binance
    "paytm.com",  # paypal
    "chasewood.example",  # chase
    "appleby.example",  # apple
    "x-ray.example",  # x.com
    "docker.com",  # docusign
    "amazon.com.br",  # Amazon's own country domain (in brands.txt since real mail showed the gap)
]


def _predicted(domain: str) -> tuple[str, ...]:
    return tuple(h.owner for h in compare(domain, PSET))


def test_set_size() -> None:
    assert len(POSITIVES) + len(NEGATIVES) >= 60
    assert len(NEGATIVES) >= 20


@pytest.mark.parametrize(("domain", "owner", "technique"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_positive(domain: str, owner: str, technique: str) -> None:
    hits = compare(domain, PSET)
    if domain == "paaypaal.com":
        assert hits == ()  # a known miss: documented and counted in the recall below
        return
    assert hits, domain
    assert hits[0].owner == owner, hits
    assert hits[0].technique == technique, hits


@pytest.mark.parametrize("domain", NEGATIVES)
def test_negative(domain: str) -> None:
    assert compare(domain, PSET) == ()


def test_precision_and_recall() -> None:
    tp = fn = fp = tn = 0
    for domain, owner, _technique in POSITIVES:
        if owner in _predicted(domain):
            tp += 1
        else:
            fn += 1
    for domain in NEGATIVES:
        if _predicted(domain):
            fp += 1
        else:
            tn += 1
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(
        f"look-alike set: {len(POSITIVES)} positives, {len(NEGATIVES)} negatives; "
        f"TP={tp} FP={fp} FN={fn} TN={tn}; precision={precision:.3f} recall={recall:.3f}"
    )
    assert precision >= 0.95
    assert recall >= 0.95


# --- techniques and details -------------------------------------------------------------------
def test_seed_example() -> None:
    (hit,) = compare("examp1e.com", ["example.com"])
    assert hit.technique == "ascii-swap" and hit.resembles == "example.com"
    assert "example.com" in hit.detail


def test_one_hit_per_brand_prefers_same_suffix() -> None:
    hits = compare("paypa1.co.uk", PSET)
    assert len(hits) == 1 and hits[0].resembles == "paypal.co.uk"
    hits = compare("paypa1.com", PSET)
    assert len(hits) == 1 and hits[0].resembles == "paypal.com"


def test_homograph_details() -> None:
    (hit,) = compare("xn--pypal-4ve.com", PSET)
    assert hit.domain == "xn--pypal-4ve.com"
    assert hit.domain_unicode == "p\u0430ypal.com"
    assert hit.mixed_script and hit.scripts == ("Cyrillic", "Latin")


def test_signed_domain_is_defended_but_not_exempt() -> None:
    pset = ProtectedSet.build(signed=["paypa1.com"])
    owners = {h.owner for h in compare("paypa1.com", pset)}
    assert "PayPal" in owners  # a look-alike can sign its own mail
    assert {h.resembles for h in compare("paypa1-login.example", pset)} >= {"paypa1.com"}


def test_plain_iterable_has_no_brands() -> None:
    assert compare("paypa1.com", ["example.com"]) == ()
    assert compare("examp1e.com", ("example.com",))[0].kind == "protected"


def test_custom_brand_list() -> None:
    brand = Brand(name="Contoso", display_names=("Contoso",), domains=("contoso.example", "contoso-mail.example"))
    pset = ProtectedSet.build(brands=[brand])
    assert compare("contoso-mail.example", pset) == ()
    assert compare("c0ntoso.example", pset)[0].owner == "Contoso"


@pytest.mark.parametrize("bad", ["", "   ", "192.0.2.1", "[2001:db8::1]", "com", "co.uk", "a..b", "x" * 300, "é"])
def test_no_hits_and_no_errors_for_odd_input(bad: str) -> None:
    assert compare(bad, PSET) == ()


def test_skeleton_and_scripts() -> None:
    assert skeleton("\u0440\u0430\u0443\u0440\u0430l") == "paypal"
    assert skeleton("g00gle") == "google"
    assert skeleton("rn") == skeleton("m")
    assert scripts_of("p\u0430ypal") == ("Cyrillic", "Latin")
    assert mixed_script("p\u0430ypal")
    assert not mixed_script("\u043f\u0440\u0438\u043c\u0435\u0440")  # all Cyrillic
    assert not mixed_script("abc\u65e5\u672c")  # Latin + Han is allowed (UTS #39 §5.2)


def test_brands_list_is_loaded() -> None:
    brands = lookalike.load_brands()
    assert len(brands) >= 100
    assert sum(len(b.domains) for b in brands) >= 150
    names = [b.name for b in lookalike.brands_in_text("PayPal Service Team")]
    assert names == ["PayPal"]
    assert lookalike.brands_in_text("Chase Miller") == ()  # too common a name: not configured
    assert [b.name for b in lookalike.brands_in_text("Micr\u043esoft account")] == ["Microsoft"]


def test_many_hosts_are_fast() -> None:
    import time

    start = time.perf_counter()
    for i in range(500):
        compare(f"host{i}-something-long-label.example", PSET)
    elapsed = time.perf_counter() - start
    print(f"500 look-alike comparisons: {elapsed:.3f} s")
    assert elapsed < 5.0


@pytest.mark.parametrize(
    ("domain", "protected", "flagged"),
    [
        ("example.org", "example.net", False),  # three documentation organisations (RFC 2606)
        ("lists.example.org", "example.net", False),
        ("gmail.example", "gmail.com", False),  # .example is not a real TLD (RFC 6761)
        ("examp1e.example", "example.net", True),  # a character swap still counts
        ("paypal.co", "paypal.com", True),  # a real TLD swap still counts
    ],
)
def test_documentation_placeholders_are_not_lookalikes(domain: str, protected: str, flagged: bool) -> None:
    assert bool(compare(domain, [protected])) is flagged


@pytest.mark.parametrize(
    ("domain", "flagged"),
    [
        ("mail.example.org", False),  # "mail" is a word, not Mail.ru
        ("live-chat.example.org", False),
        ("gmail.example", False),  # Google's own label under a placeholder TLD, not a misspelt ymail
        ("amazonses.example", False),  # Amazon's own SES label
        ("paypal-secure-login.example", True),
        ("gmai1.com", True),
    ],
)
def test_words_and_exact_labels_with_the_brand_list(domain: str, flagged: bool) -> None:
    assert bool(compare(domain, ProtectedSet.build((), brands=True))) is flagged


# --- the brands' own country and CDN domains ---------------------------------------------------
# Real mail showed these as false alarms: Amazon's image hosts in a genuine Amazon mail read
# as "amazon wrapped in other words", Yahoo Mexico's mail domain as a TLD swap of yahoo.com.
@pytest.mark.parametrize(
    "domain",
    [
        "m.media-amazon.com",
        "images-na.ssl-images-amazon.com",
        "amazon.com.mx",
        "www.amazon.nl",
        "yahoo.com.mx",
        "yahoo.com.ar",
        "s.yimg.com",
        "hotmail.fr",
        "outlook.com.br",
        "google.com.mx",
        "i.ebayimg.com",
        "pbs.twimg.com",
    ],
)
def test_brands_own_country_and_cdn_domains_are_not_lookalikes(domain: str) -> None:
    assert compare(domain, PSET) == ()
    assert domain.split(".", 1)[-1] in PSET.owned or domain in PSET.owned


@pytest.mark.parametrize(
    ("domain", "owner", "technique"),
    [
        ("amazon-security.com", "Amazon", "brand-plus-words"),
        ("arnazon.com", "Amazon", "ascii-swap"),
        ("paypa1.com", "PayPal", "ascii-swap"),
        ("yahoo.com.mx.evil.example", "Yahoo", "brand-subdomain"),
        ("yah00.com.mx", "Yahoo", "ascii-swap"),
        ("yahoo.mx", "Yahoo", "tld-swap"),  # not Yahoo's
        ("media-amazon.co", "Amazon", "tld-swap"),  # a CDN domain is defended too
        ("ssl-images-amazon.com.evil.example", "Amazon", "brand-subdomain"),
    ],
)
def test_lookalikes_of_the_added_domains_are_still_caught(domain: str, owner: str, technique: str) -> None:
    hits = compare(domain, PSET)
    assert hits and (hits[0].owner, hits[0].technique) == (owner, technique), hits


def test_every_brand_domain_is_its_own_registrable_domain() -> None:
    # A brand domain whose registrable domain is shorter (amazon.com.be: "com.be" is not a
    # public suffix) would make the whole parent the brand's and hide look-alikes under it.
    from mailforensics.content.urls import parse_host

    for brand in lookalike.load_brands():
        for d in brand.domains:
            assert parse_host(d).registered_domain in (d, None), (brand.name, d)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        # A Microsoft 365 tenant signs as d=<tenant>.onmicrosoft.com: the tenant's name is
        # what is compared, not Microsoft's own name that every tenant carries.
        ("cmmsrl.onmicrosoft.com", None),
        ("mail.contoso.onmicrosoft.com", None),
        ("onmicrosoft.com", None),
        ("paypal-secure.onmicrosoft.com", ("PayPal", "brand-plus-words")),
        ("micros0ft.onmicrosoft.com", ("Microsoft", "ascii-swap")),
    ],
)
def test_a_tenant_of_a_shared_suffix_is_judged_by_its_own_name(domain: str, expected: tuple[str, str] | None) -> None:
    hits = compare(domain, PSET)
    assert ((hits[0].owner, hits[0].technique) if hits else None) == expected, hits
