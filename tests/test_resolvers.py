"""The resolvers that need no server: ZoneResolver, RecordingResolver, ReplayResolver, the
evidence format, DNSAnswer helpers, and Context.offline (which must open no socket)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailforensics.context import Context
from mailforensics.errors import EvidenceError, EvidenceFormatError, EvidenceMissing, InputError
from mailforensics.resolvers import RecordingResolver, ReplayResolver, Resolver, ZoneResolver
from mailforensics.resolvers.base import DNSAnswer, join_txt, normalize_name, normalize_rdtype
from mailforensics.resolvers.evidence import FORMAT, VERSION, EvidenceRecord, header_line, record_line

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

ZONES = """\
$ORIGIN example.test.
$TTL 600
@ IN SOA ns1 hostmaster 1 3600 900 604800 300
@ IN NS ns1
@ IN MX 10 mx
@ IN MX 20 mx2.example.test.
@ 120 IN TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
ns1 IN A 192.0.2.53
mx IN A 192.0.2.25
mx IN AAAA 2001:db8::25
_25._tcp.mx IN TLSA 3 1 1 8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d
www IN CNAME web
web IN CNAME host.example.test.
host IN A 192.0.2.80
dangling IN CNAME nowhere
loop1 IN CNAME loop2
loop2 IN CNAME loop1
self IN CNAME self
*.wild IN A 192.0.2.99
*.wild IN TXT "wildcard"
sub.wild IN A 192.0.2.98
deep.ent.wild IN A 192.0.2.97
*.alias IN CNAME host
Mixed.Case IN A 192.0.2.7
$ORIGIN example.net.
$TTL 60
@ IN A 198.51.100.1
www IN CNAME example.test.
$ORIGIN sub
x IN A 198.51.100.2
$ORIGIN 2.0.192.in-addr.arpa.
25 IN PTR mx.example.test.
"""


@pytest.fixture(scope="module")
def zone() -> ZoneResolver:
    return ZoneResolver.from_text(ZONES)


# --- DNSAnswer and names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("presentation", "joined"),
    [
        ('"v=spf1 " "-all"', "v=spf1 -all"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"back\\\\slash"', "back\\slash"),
        ('"ends with \\\\"', "ends with \\"),
        ('"\\065\\066C"', "ABC"),
        ('"caf\\195\\169"', "café"),  # UTF-8 bytes as \DDD
        ('"a\\;b"', "a;b"),  # \X is X
        ('"\\255"', "\ufffd"),  # not UTF-8: replaced, never an exception
        ('"" "x"', "x"),
        ('"with  spaces" "\tand tab"', "with  spaces\tand tab"),
        ("unquoted", "unquoted"),
    ],
)
def test_txt_strings_unescape(presentation: str, joined: str) -> None:
    assert join_txt(presentation) == joined
    answer = DNSAnswer(name="x.test", rdtype="TXT", status="NOERROR", records=(presentation, '"second"'))
    assert answer.txt_strings() == (joined, "second")


def test_answer_properties() -> None:
    assert DNSAnswer(name="a", rdtype="A", status="NOERROR", records=("192.0.2.1",)).ok
    nodata = DNSAnswer(name="a", rdtype="A", status="NOERROR")
    assert nodata.ok and nodata.nodata and not nodata.temporary_failure
    nx = DNSAnswer(name="a", rdtype="A", status="NXDOMAIN")
    assert not nx.ok and not nx.nodata and not nx.temporary_failure
    for status in ("SERVFAIL", "REFUSED", "TIMEOUT"):
        failed = DNSAnswer(name="a", rdtype="A", status=status)
        assert failed.temporary_failure and not failed.ok and not failed.nodata


def test_normalisation() -> None:
    assert normalize_name(" Example.TEST. ") == "example.test"
    assert normalize_name(".") == "."
    assert normalize_rdtype(" txt ") == "TXT"


def test_resolvers_satisfy_the_protocol(zone: ZoneResolver, tmp_path: Path) -> None:
    recording = RecordingResolver(zone)
    recording.query("example.test", "MX")
    path = recording.save(tmp_path / "e.jsonl")
    for r in (zone, recording, ReplayResolver(path)):
        assert isinstance(r, Resolver)


# --- ZoneResolver ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rdtype", "records", "ttl"),
    [
        ("example.test", "MX", ("10 mx.example.test.", "20 mx2.example.test."), 600),
        ("example.test", "TXT", ('"v=spf1 ip4:192.0.2.0/24 " "-all"',), 120),  # an explicit TTL wins
        ("example.test", "NS", ("ns1.example.test.",), 600),
        ("mx.example.test", "AAAA", ("2001:db8::25",), 600),
        (
            "_25._tcp.mx.example.test",
            "TLSA",
            ("3 1 1 8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d",),
            600,
        ),
        ("example.net", "A", ("198.51.100.1",), 60),  # second $ORIGIN, its own $TTL
        ("x.sub.example.net", "A", ("198.51.100.2",), 60),  # relative $ORIGIN; $TTL carried over
        ("25.2.0.192.in-addr.arpa", "PTR", ("mx.example.test.",), 60),
    ],
)
def test_from_text_several_origins(
    zone: ZoneResolver, name: str, rdtype: str, records: tuple[str, ...], ttl: int
) -> None:
    a = zone.query(name, rdtype)
    assert (a.status, a.records, a.ttl, a.cname_chain) == ("NOERROR", records, ttl, ())
    assert (a.name, a.rdtype) == (name, rdtype)


def test_from_text_with_an_origin_argument() -> None:
    z = ZoneResolver.from_text("$TTL 30\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n", origin="example.org")
    assert z.query("example.org", "A").records == ("192.0.2.1",)
    assert z.query("www.example.org", "A").ttl == 30


def test_generate_directive() -> None:
    z = ZoneResolver.from_text("$ORIGIN g.test.\n$TTL 60\n$GENERATE 1-3 host$ A 192.0.2.$\n")
    assert [z.query(f"host{i}.g.test", "A").records for i in (1, 2, 3)] == [
        ("192.0.2.1",),
        ("192.0.2.2",),
        ("192.0.2.3",),
    ]


def test_out_of_zone_owner_is_ignored() -> None:
    z = ZoneResolver.from_text("$ORIGIN a.test.\n$TTL 60\n@ IN A 192.0.2.1\nfoo.b.test. IN A 192.0.2.2\n")
    assert z.query("a.test", "A").records == ("192.0.2.1",)
    assert z.query("foo.b.test", "A").status == "NXDOMAIN"


def test_nxdomain_nodata_and_empty_non_terminals(zone: ZoneResolver) -> None:
    nx = zone.query("nope.example.test", "A")
    assert nx.status == "NXDOMAIN" and nx.records == ()
    assert zone.query("nope.mx.example.test", "A").status == "NXDOMAIN"
    nodata = zone.query("mx.example.test", "TXT")
    assert nodata.status == "NOERROR" and nodata.nodata
    ent = zone.query("_tcp.mx.example.test", "TLSA")  # exists: it has a descendant (RFC 8020)
    assert ent.status == "NOERROR" and ent.nodata
    assert zone.query("wild.example.test", "A").nodata  # the wildcard's parent is an ENT too


def test_wildcards_rfc4592(zone: ZoneResolver) -> None:
    assert zone.query("x.wild.example.test", "A").records == ("192.0.2.99",)
    assert zone.query("X.Wild.Example.Test", "TXT").records == ('"wildcard"',)
    assert zone.query("a.b.wild.example.test", "A").records == ("192.0.2.99",)  # several labels
    assert zone.query("x.wild.example.test", "MX").nodata  # the wildcard exists, no MX
    # An existing name is not covered by the wildcard, whatever the type (§2.2.1).
    assert zone.query("sub.wild.example.test", "A").records == ("192.0.2.98",)
    assert zone.query("sub.wild.example.test", "TXT").nodata
    # Below an existing name the closest encloser is that name: *.sub.wild does not exist (§3.3.1).
    assert zone.query("y.sub.wild.example.test", "A").status == "NXDOMAIN"
    # An empty non-terminal (ent.wild, above deep.ent.wild) blocks the wildcard too (§2.2.2).
    assert zone.query("ent.wild.example.test", "A").nodata
    assert zone.query("other.ent.wild.example.test", "A").status == "NXDOMAIN"
    # Asking for the wildcard's own name matches it.
    assert zone.query("*.wild.example.test", "A").records == ("192.0.2.99",)


def test_wildcard_cname(zone: ZoneResolver) -> None:
    a = zone.query("anything.alias.example.test", "A")
    assert a.records == ("192.0.2.80",) and a.cname_chain == ("anything.alias.example.test",)


def test_cname_following(zone: ZoneResolver) -> None:
    a = zone.query("www.example.test", "A")
    assert a.records == ("192.0.2.80",)
    assert a.cname_chain == ("www.example.test", "web.example.test")
    assert zone.query("www.example.test", "CNAME").records == ("web.example.test.",)
    across = zone.query("www.example.net", "MX")  # into another zone of the same text
    assert across.records == ("10 mx.example.test.", "20 mx2.example.test.")
    assert across.cname_chain == ("www.example.net",)
    dangling = zone.query("dangling.example.test", "A")
    assert dangling.status == "NXDOMAIN" and dangling.cname_chain == ("dangling.example.test",)


@pytest.mark.parametrize("name", ["loop1.example.test", "loop2.example.test", "self.example.test"])
def test_cname_loops_are_servfail(zone: ZoneResolver, name: str) -> None:
    a = zone.query(name, "A")
    assert a.status == "SERVFAIL" and a.records == () and a.temporary_failure
    assert a.cname_chain and a.cname_chain[0] == name


def test_long_cname_chain_is_servfail() -> None:
    links = {f"c{i}.test": {"CNAME": [f"c{i + 1}.test."]} for i in range(12)}
    links["c12.test"] = {"A": ["192.0.2.1"]}
    z = ZoneResolver.from_dict(links)
    assert z.query("c4.test", "A").records == ("192.0.2.1",)  # 8 links: followed
    assert z.query("c0.test", "A").status == "SERVFAIL"  # 12 links: too many


def test_case_insensitivity(zone: ZoneResolver) -> None:
    a = zone.query("MIXED.case.EXAMPLE.test.", "a")
    assert (a.name, a.rdtype, a.records) == ("mixed.case.example.test", "A", ("192.0.2.7",))
    assert zone.query("mixed.case.example.test", "A") == a


def test_include_is_refused() -> None:
    for text in ("$INCLUDE /etc/passwd\n", "$ORIGIN a.test.\n$include other.zone a.test.\n"):
        with pytest.raises(InputError, match=r"\$INCLUDE"):
            ZoneResolver.from_text(text)


def test_invalid_zone_text_is_input_error() -> None:
    with pytest.raises(InputError):
        ZoneResolver.from_text("$ORIGIN a.test.\n$TTL 60\n@ IN A not-an-address\n")
    with pytest.raises(ValueError):  # InputError is a ValueError
        ZoneResolver.from_text("$ORIGIN a.test.\n$TTL 60\n@ IN MX\n")


def test_from_text_secure_flag() -> None:
    z = ZoneResolver.from_text("$ORIGIN a.test.\n$TTL 60\n@ IN A 192.0.2.1\n", secure=True)
    assert z.query("a.test", "A").secure is True
    assert z.query("a.test", "MX").secure is True
    assert z.query("nope.a.test", "A").secure is True


def test_from_dict() -> None:
    z = ZoneResolver.from_dict(
        {
            "Example.TEST.": {"txt": "v=spf1 -all", "MX": ["10 mx.example.test"], "A": "TIMEOUT"},
            "mx.example.test": {"A": ["192.0.2.25"], "AAAA": "servfail"},
            "quoted.test": {"TXT": ['"already" "quoted"']},
            "escape.test": {"TXT": 'say "hi" \\ back'},
            "long.test": {"TXT": "x" * 300},
            "down.test": "SERVFAIL",
            "gone.test": "REFUSED",
        },
        ttl=42,
    )
    spf = z.query("example.test", "TXT")
    assert spf.records == ('"v=spf1 -all"',) and spf.ttl == 42
    assert z.query("example.test", "MX").records == ("10 mx.example.test.",)  # made absolute
    assert z.query("example.test", "A").status == "TIMEOUT"
    assert z.query("mx.example.test", "AAAA").status == "SERVFAIL"
    assert z.query("mx.example.test", "A").records == ("192.0.2.25",)
    assert z.query("quoted.test", "TXT").txt_strings() == ("alreadyquoted",)
    assert z.query("escape.test", "TXT").txt_strings() == ('say "hi" \\ back',)
    long = z.query("long.test", "TXT")
    assert long.records[0].count('" "') == 1  # split into 255 + 45 octets (RFC 1035 §3.3.14)
    assert long.txt_strings() == ("x" * 300,)
    assert z.query("down.test", "MX").status == "SERVFAIL"
    assert z.query("gone.test", "A").status == "REFUSED"
    assert set(z.names()) >= {"example.test", "mx.example.test", "down.test"}


def test_forced_failures_in_the_constructor() -> None:
    z = ZoneResolver({"a.test": {"A": "TIMEOUT", "MX": (300, ("10 mx.a.test.",))}, "b.test": "SERVFAIL"})
    assert z.query("a.test", "A").status == "TIMEOUT"
    assert z.query("a.test", "MX").records == ("10 mx.a.test.",)
    assert z.query("b.test", "TXT").status == "SERVFAIL"


@pytest.mark.parametrize("bad", [{"x.test": "BOGUS"}, {"x.test": {"A": "MAYBE"}}])
def test_unknown_forced_status_is_input_error(bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        ZoneResolver(bad)  # type: ignore[arg-type]


def test_zone_resolver_opens_no_socket(zone: ZoneResolver, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_sockets(monkeypatch)
    assert zone.query("www.example.test", "A").records == ("192.0.2.80",)


# --- RecordingResolver -------------------------------------------------------------------------------


class Counting:
    """Wraps a resolver; counts the questions it is really asked (optionally slowly)."""

    def __init__(self, inner: Resolver, delay: float = 0.0) -> None:
        self.inner = inner
        self.delay = delay
        self.asked: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.identity = "counting"

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        with self._lock:
            self.asked.append((name, rdtype))
        if self.delay:
            time.sleep(self.delay)
        return self.inner.query(name, rdtype)


class Fixed:
    """Answers from a dict of prepared DNSAnswers (to record every status and secure value)."""

    def __init__(self, answers: list[DNSAnswer]) -> None:
        self.answers = {(a.name, a.rdtype): a for a in answers}

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        return self.answers[(normalize_name(name), normalize_rdtype(rdtype))]


PREPARED = [
    DNSAnswer(name="a.test", rdtype="A", status="NOERROR", records=("192.0.2.1", "192.0.2.2"), ttl=300, secure=True),
    DNSAnswer(name="a.test", rdtype="TXT", status="NOERROR", records=('"v=spf1 " "-all"', '"caf\\195\\169"'), ttl=60),
    DNSAnswer(name="a.test", rdtype="MX", status="NOERROR", ttl=300, secure=False),  # NODATA
    DNSAnswer(name="nx.a.test", rdtype="A", status="NXDOMAIN", ttl=300, secure=True),
    DNSAnswer(name="fail.a.test", rdtype="A", status="SERVFAIL"),
    DNSAnswer(name="refused.test", rdtype="MX", status="REFUSED"),
    DNSAnswer(name="slow.test", rdtype="TXT", status="TIMEOUT"),
    DNSAnswer(
        name="www.a.test",
        rdtype="AAAA",
        status="NOERROR",
        records=("2001:db8::1",),
        ttl=30,
        cname_chain=("www.a.test", "web.a.test"),
    ),
    DNSAnswer(name="ünïcode.test", rdtype="TXT", status="NOERROR", records=('"ünï"',), ttl=1),
]


def _clock() -> Iterator[datetime]:
    t = T0
    while True:
        yield t
        t += timedelta(seconds=1)


def test_recording_asks_once_per_question(zone: ZoneResolver) -> None:
    inner = Counting(zone)
    rec = RecordingResolver(inner)
    first = rec.query("www.example.test", "A")
    assert rec.query("WWW.Example.Test.", "a") == first
    assert rec.query("www.example.test", "A") is first
    rec.query("www.example.test", "AAAA")
    assert inner.asked == [("www.example.test", "A"), ("www.example.test", "AAAA")]
    assert [r.answer for r in rec.records] == [first, zone.query("www.example.test", "AAAA")]


def test_recording_concurrent_identical_questions(zone: ZoneResolver) -> None:
    inner = Counting(zone, delay=0.05)
    rec = RecordingResolver(inner)
    barrier = threading.Barrier(32)
    results: list[DNSAnswer] = []
    lock = threading.Lock()

    def ask(i: int) -> None:
        barrier.wait(timeout=10)
        name = "example.test" if i % 2 else "EXAMPLE.TEST."
        answer = rec.query(name, "mx")
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert len(results) == 32 and len(set(results)) == 1
    assert inner.asked == [("example.test", "MX")]
    assert len(rec.records) == 1


def test_recording_concurrent_distinct_questions(zone: ZoneResolver) -> None:
    inner = Counting(zone, delay=0.01)
    rec = RecordingResolver(inner)
    questions = [(f"h{i % 20}.example.test", "A") for i in range(100)]
    threads = [threading.Thread(target=rec.query, args=q) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(inner.asked) == sorted(set(questions))
    assert len(rec.records) == 20


def test_recording_inner_exception_propagates_and_does_not_block() -> None:
    class Broken:
        calls = 0

        def query(self, name: str, rdtype: str) -> DNSAnswer:
            Broken.calls += 1
            time.sleep(0.01)
            raise RuntimeError("resolver bug")

    rec = RecordingResolver(Broken())
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            rec.query("a.test", "A")
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 8 and Broken.calls == 8  # nothing recorded, everyone re-asks
    assert rec.records == ()


def test_recording_keeps_time_and_identity(zone: ZoneResolver) -> None:
    clock = _clock()
    rec = RecordingResolver(Counting(zone), clock=lambda: next(clock))
    rec.query("example.test", "MX")
    rec.query("nope.example.test", "A")
    rec.query("example.test", "MX")
    assert [r.queried_at for r in rec.records] == [T0, T0 + timedelta(seconds=1)]
    assert {r.resolver for r in rec.records} == {"counting"}
    assert rec.identity == "recording(counting)"
    assert RecordingResolver(zone).identity == "recording(ZoneResolver)"


def test_save_and_replay_round_trip(tmp_path: Path) -> None:
    clock = _clock()
    rec = RecordingResolver(Fixed(PREPARED), clock=lambda: next(clock))
    for a in PREPARED:
        assert rec.query(a.name, a.rdtype) == a
    path = rec.save(tmp_path / "evidence.jsonl")
    replay = ReplayResolver(path)
    assert len(replay) == len(PREPARED)
    for a in PREPARED:
        assert replay.query(a.name, a.rdtype) == a  # every field, every status
        assert replay.query(a.name.upper(), a.rdtype.lower()) == a
    assert replay.query("slow.test", "TXT").status == "TIMEOUT"  # a timeout is evidence too
    assert [r.queried_at for r in replay.records] == [r.queried_at for r in rec.records]
    assert [r.resolver for r in replay.records] == ["Fixed"] * len(PREPARED)
    # The file: a header, then one sorted-key JSON object per answer.
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == FORMAT and header["version"] == VERSION
    assert len(lines) == 1 + len(PREPARED)
    assert "ünï" in path.read_text(encoding="utf-8")  # not \u-escaped


def test_recording_over_a_zone_then_replay(zone: ZoneResolver, tmp_path: Path) -> None:
    rec = RecordingResolver(zone)
    questions = [
        ("example.test", "MX"),
        ("www.example.test", "A"),
        ("nope.example.test", "A"),
        ("mx.example.test", "TXT"),
        ("loop1.example.test", "A"),
        ("x.wild.example.test", "TXT"),
    ]
    original = [rec.query(n, t) for n, t in questions]
    replay = ReplayResolver(rec.save(tmp_path / "e.jsonl"))
    assert [replay.query(n, t) for n, t in questions] == original


def test_merge_first_answer_wins(zone: ZoneResolver) -> None:
    rec = RecordingResolver(zone)
    mine = rec.query("example.test", "MX")
    other = EvidenceRecord(
        answer=DNSAnswer(name="example.test", rdtype="MX", status="SERVFAIL"), queried_at=T0, resolver="x"
    )
    new = EvidenceRecord(answer=DNSAnswer(name="b.test", rdtype="A", status="NXDOMAIN"), queried_at=T0, resolver="x")
    rec.merge((other, new))
    assert rec.query("example.test", "MX") == mine
    assert rec.query("b.test", "A").status == "NXDOMAIN"  # served from the merged record


# --- ReplayResolver strictness -----------------------------------------------------------------------


def _evidence(*answers: DNSAnswer) -> list[str]:
    lines = [header_line(T0, "mailforensics test")]
    lines += [record_line(EvidenceRecord(answer=a, queried_at=T0, resolver="test")) for a in answers]
    return lines


def test_replay_missing_question_raises() -> None:
    replay = ReplayResolver(_evidence(PREPARED[0]))
    assert replay.query("a.test", "A") == PREPARED[0]
    with pytest.raises(EvidenceMissing, match=r"a\.test AAAA"):
        replay.query("a.test", "AAAA")
    with pytest.raises(LookupError):
        replay.query("never.asked.test", "A")
    assert issubclass(EvidenceMissing, EvidenceError)


def test_replay_from_lines_and_blank_lines() -> None:
    lines = ["", *_evidence(PREPARED[3]), "", "   "]
    assert ReplayResolver(lines).query("nx.a.test", "A") == PREPARED[3]


def test_replay_ignores_unknown_keys_and_keeps_the_first_answer() -> None:
    header, line = _evidence(PREPARED[0])
    extended = json.loads(line)
    extended["future_field"] = {"anything": [1, 2]}
    duplicate = json.loads(line)
    duplicate["status"] = "SERVFAIL"
    replay = ReplayResolver([header, json.dumps(extended), json.dumps(duplicate)])
    assert replay.query("a.test", "A") == PREPARED[0]
    assert len(replay) == 1


def _header(**changes: object) -> str:
    header = json.loads(header_line(T0, "t"))
    header.update(changes)
    return json.dumps({k: v for k, v in header.items() if v is not None})


@pytest.mark.parametrize(
    "first_line",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"format": "something-else", "version": 1}',
        json.dumps({"version": 1}),
        _header(version=2),
        _header(version="1"),
        _header(version=None),
    ],
)
def test_replay_bad_header(first_line: str) -> None:
    with pytest.raises(EvidenceFormatError):
        ReplayResolver([first_line])


def test_replay_wrong_version_message() -> None:
    with pytest.raises(EvidenceFormatError, match="version 2"):
        ReplayResolver([_header(version=2)])


def test_replay_record_line_first_is_a_bad_header() -> None:
    _, line = _evidence(PREPARED[0])
    with pytest.raises(EvidenceFormatError, match="bad first line"):
        ReplayResolver([line])


@pytest.mark.parametrize("empty", [[], [""], ["", "  "]])
def test_replay_empty_evidence(empty: list[str]) -> None:
    with pytest.raises(EvidenceFormatError, match="empty"):
        ReplayResolver(empty)


def _broken(**changes: object) -> str:
    obj = json.loads(_evidence(PREPARED[0])[1])
    for key, value in changes.items():
        if value is None:
            del obj[key]
        else:
            obj[key] = value
    return json.dumps(obj)


@pytest.mark.parametrize(
    "line",
    [
        "{not json",
        "42",
        '"a string"',
        _broken(status=None),
        _broken(name=None),
        _broken(rdtype=None),
        _broken(queried_at=None),
        _broken(status="NOTASTATUS"),
        _broken(status="noerror"),
        _broken(ttl="soon"),
        _broken(queried_at="yesterday"),
    ],
)
def test_replay_malformed_line(line: str) -> None:
    header, good = _evidence(PREPARED[0])
    with pytest.raises(EvidenceFormatError, match=r"<evidence>:3"):
        ReplayResolver([header, good, line])


def test_replay_malformed_line_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    header, _ = _evidence(PREPARED[0])
    path.write_text(header + "\n{oops\n", encoding="utf-8")
    with pytest.raises(EvidenceFormatError, match=r"bad\.jsonl:2"):
        ReplayResolver(path)


def test_replay_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no evidence file"):
        ReplayResolver(tmp_path / "absent.jsonl")
    with pytest.raises(InputError):
        ReplayResolver(str(tmp_path))  # a directory is not an evidence file


# --- Context.offline: no socket, ever --------------------------------------------------------------


def _forbid_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_socket(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a socket was opened")

    def no_lookup(*args: object, **kwargs: object) -> object:
        raise AssertionError("a name was looked up")

    monkeypatch.setattr(socket, "socket", no_socket)
    monkeypatch.setattr(socket, "create_connection", no_socket)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", no_lookup)


@pytest.fixture
def evidence_file(tmp_path: Path) -> Path:
    rec = RecordingResolver(Fixed(PREPARED), clock=lambda: T0)
    for a in PREPARED:
        rec.query(a.name, a.rdtype)
    return rec.save(tmp_path / "evidence.jsonl")


def test_the_socket_guard_catches_live_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard below is real: a LiveResolver under it fails at its first socket."""
    from mailforensics.resolvers.live import LiveResolver

    live = LiveResolver(["127.0.0.1"], port=9, timeout=0.1, lifetime=0.2, trust_anchors={})
    _forbid_sockets(monkeypatch)
    with pytest.raises(AssertionError, match="socket was opened"):
        live.query("example.test", "A")


def test_context_offline_opens_no_socket(evidence_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_sockets(monkeypatch)
    ctx = Context.offline(evidence_file, now=T0)
    assert isinstance(ctx.resolver, ReplayResolver)
    assert ctx.get_resolver() is ctx.resolver
    for a in PREPARED:
        assert ctx.resolver.query(a.name, a.rdtype) == a
        assert ctx.get_resolver().query(a.name, a.rdtype) == a
    with pytest.raises(EvidenceMissing):
        ctx.get_resolver().query("not.in.evidence.test", "A")
    assert ctx.current_time() == T0


def test_context_offline_needs_an_evidence_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_sockets(monkeypatch)
    with pytest.raises(InputError):
        Context.offline(tmp_path / "absent.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": "other"}\n', encoding="utf-8")
    with pytest.raises(EvidenceFormatError):
        Context.offline(bad)


@pytest.mark.parametrize(
    "bad",
    [
        '"secure": "false"',
        '"records": "192.0.2.1"',
        '"ttl": 300.5',
        '"ttl": -1',
        '"ttl": true',
        '"cname_chain": [1]',
    ],
)
def test_evidence_lines_are_checked_strictly(tmp_path: Path, bad: str) -> None:
    from mailforensics.errors import EvidenceFormatError
    from mailforensics.resolvers.evidence import FORMAT, VERSION

    good = {
        "name": "a.example", "rdtype": "A", "status": "NOERROR", "records": ["192.0.2.1"], "ttl": 300,
        "secure": None, "cname_chain": [], "queried_at": "2024-01-02T10:00:00+00:00", "resolver": "x",
    }  # fmt: skip
    key = bad.split(":")[0].strip('"')
    line = json.dumps(good).replace(f'"{key}": {json.dumps(good[key])}', bad)
    assert bad in line
    header = json.dumps({"format": FORMAT, "version": VERSION})
    path = tmp_path / "ev.jsonl"
    path.write_text(header + "\n" + line + "\n")
    with pytest.raises(EvidenceFormatError):
        ReplayResolver(path)
