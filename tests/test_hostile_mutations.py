"""Every message is hostile, and so is the DNS its sender publishes.

Mutated samples through mf.analyze, every frame, the writeup; and the samples analysed
against mutated SPF, DMARC, DKIM-key, MX and PTR answers (a sender controls those too).

A fixed-seed mutation run over the sample messages (byte flips, cuts, splices, repeated
lines, RFC 2047 and DKIM/ARC/Authentication-Results fragments, deep multipart nesting,
megabyte runs). Each message must give an Analysis, every frame and the HTML fragment,
without an exception and without hanging (a per-message alarm turns a hang into a
failure that names the mutation). The same messages through ``analyze_many`` give one
row each, none with an error.

Campaigns with this generator found: a mangled Received-SPF ``client-ip`` taken as the
envelope's address (SPF raised), a malformed base64 encoded-word in a display name
(HeaderParseError), and a 1 MB display name searched in quadratic time (minutes).
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import mailforensics as mf
from mailforensics import report
from mailforensics.analysis import TABLES
from mailforensics.resolvers import ZoneResolver
from mailforensics.resolvers.base import DNSAnswer

from .conftest import SAMPLE_MAIL

N_MESSAGES = 400
SEED = 20261128
PER_MESSAGE_S = 60

FRAGMENTS = [
    b"(", b")", b"<", b">", b"[", b"]", b";", b'"', b"\\", b"=?utf-8?b?", b"=?utf-8?q?", b"?=", b"\r\n ",
    b"\n", b"\r", b"\x00", b"--", b"boundary=", b'Content-Type: multipart/mixed; boundary="b"\r\n', b"from ",
    b" by ", b" with ", b" id ", b"for <", b"@", b"dkim=", b"spf=", b"arc=", b"; d=", b"b=", b"bh=", b"h=",
    b"i=", b"\xff\xfe", "é".encode(), b"%", b"{", b"Received: ",
    b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=; b=\r\n",
    b"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=x; s=y; b=\r\n",
    b"Authentication-Results: mx; spf=pass smtp.mailfrom=a@b\r\n", b"Received-SPF: pass client-ip=",
    b"=\r\n", b"=3D", b"http://", b"https://xn--", b'<a href="', b"<!--", b"-->", b"\t", b" " * 50, b"A" * 2000,
]  # fmt: skip


def _seeds() -> list[bytes]:
    raws = [m.raw for m in mf.iter_messages(SAMPLE_MAIL / "export.mbox")]
    raws += [p.read_bytes() for p in sorted((SAMPLE_MAIL / "eml").rglob("*.eml"))]
    return raws


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    b = bytearray(raw)
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        pos = rng.randrange(len(b) + 1) if b else 0
        if op < 0.3:
            b[pos:pos] = rng.choice(FRAGMENTS) * rng.choice([1, 1, 1, 3, 50, 500])
        elif op < 0.45 and b:
            del b[pos : pos + rng.randint(1, 200)]
        elif op < 0.6 and b:
            b[pos:pos] = b[rng.randrange(len(b)) :][: rng.randint(1, 3000)]
        elif op < 0.7 and b:
            b[pos % len(b)] = rng.randrange(256)
        elif op < 0.8:
            lines = [line for line in bytes(b).split(b"\n") if line] or [b"X: y"]
            b[pos:pos] = (rng.choice(lines) + b"\n") * rng.choice([2, 10, 200])
        elif op < 0.9:
            depth = rng.choice([5, 50, 300])
            b[pos:pos] = b"".join(
                b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth)
            )
        elif op < 0.95:
            # A megabyte run where a display name, a Received comment or a URL might be.
            b[pos:pos] = rng.choice([b"A", b"a.", b"a-", b"x@", b"(", b"=?"]) * rng.choice([1000, 200_000])
        else:
            del b[pos:]
    return bytes(b)


def _mutated() -> Iterator[tuple[int, bytes]]:
    rng = random.Random(SEED)
    seeds = _seeds()
    for i in range(N_MESSAGES):
        yield i, _mutate(rng, rng.choice(seeds))


@pytest.fixture(scope="module")
def ctx() -> mf.Context:
    zone = (SAMPLE_MAIL / "dns" / "world.zone").read_text()
    return mf.Context(resolver=ZoneResolver.from_text(zone), now="delivery", config=mf.Config())


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def test_mutated_messages_give_every_frame_and_the_writeup(ctx: mf.Context) -> None:
    previous = signal.signal(signal.SIGALRM, _alarm)
    failures: list[str] = []
    try:
        for i, raw in _mutated():
            signal.alarm(PER_MESSAGE_S)
            try:
                a = mf.analyze(mf.Message.from_bytes(raw, origin=f"mutation {i}"), ctx=ctx)
                for table in TABLES:
                    getattr(a, table)
                report.analysis_html(a)
            except _Hang:
                failures.append(f"mutation {i}: still running after {PER_MESSAGE_S} s")
            except Exception as exc:  # every failure is collected and reported at the end
                failures.append(f"mutation {i}: {type(exc).__name__}: {exc}"[:300])
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not failures, "\n".join(failures)


def test_mutated_messages_give_one_row_each_through_the_batch(ctx: mf.Context, tmp_path: Path) -> None:
    messages = [mf.Message.from_bytes(raw, origin=f"mutation {i}") for i, raw in _mutated()][:150]
    batch = mf.analyze_many(messages, ctx=ctx, backend="serial", progress=False)
    assert len(batch.messages) == len(messages)
    assert list(batch.messages["message"]) == [m.origin for m in messages]
    assert batch.messages["error"].isna().all(), batch.errors.to_string()


# --- hostile DNS ---------------------------------------------------------------------------
RECORD_FRAGMENTS = [
    "v=spf1", " include:", " redirect=", " a", " mx", " ptr", " exists:", " ip4:", " ip6:", "/", "/0", "/33", "/129",
    " -all", " ~all", " +all", "%{i}", "%{ir}", "%{d5r-.}", "%{l}", "%{h}", "%{p}", "%{t}", "%{x}", "%%", "%", " exp=",
    "..", "v=DMARC1", "; p=", "reject", "; sp=", "; np=", "; psd=y", "; pct=", "101", "-5", "; rua=mailto:",
    "; adkim=s", "v=DKIM1", "; k=", "ed25519", "; p=", "MIIB", "; h=sha1", "; t=s", ";", "=", " ", "\\", '"', "é",
    "xn--", "*", "10 ", "0 .", "65536 ", "a" * 64, ".".join(["a"] * 130), "127.0.0.2", "::1", "1.2.3", "999.0.0.1",
]  # fmt: skip


class HostileDNS:
    """The sample world's answers, a share of them replaced by mutated records or failures."""

    def __init__(self, base: ZoneResolver, rng: random.Random, rate: float) -> None:
        self.base, self.rng, self.rate = base, rng, rate
        self.answers: dict[tuple[str, str], DNSAnswer] = {}

    def _mutated(self, records: tuple[str, ...]) -> tuple[str, ...]:
        rng = self.rng
        out = []
        for record in records:
            chars = list(record)
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(chars) + 1)
                if rng.random() < 0.7:
                    chars[pos:pos] = rng.choice(RECORD_FRAGMENTS)
                else:
                    del chars[pos : pos + rng.randint(1, 10)]
            out.append("".join(chars))
        return tuple(out * rng.choice([1, 1, 2, 30]))

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        key = (name, rdtype)
        if key not in self.answers:
            answer = self.base.query(name, rdtype)
            if self.rng.random() < self.rate:
                status = self.rng.choice(["NOERROR"] * 6 + ["NXDOMAIN", "SERVFAIL", "TIMEOUT", "REFUSED"])
                records = self._mutated(answer.records or ("v=spf1 -all",)) if status == "NOERROR" else ()
                secure = self.rng.choice([None, True, False])
                answer = DNSAnswer(
                    name=answer.name, rdtype=answer.rdtype, status=status, records=records, secure=secure
                )
            self.answers[key] = answer
        return self.answers[key]


def test_hostile_dns_answers_give_every_frame() -> None:
    # 27,000 analyses of this kind found nothing; this keeps a fixed sample of them.
    rng = random.Random(SEED)
    base = ZoneResolver.from_text((SAMPLE_MAIL / "dns" / "world.zone").read_text())
    seeds = _seeds()
    failures: list[str] = []
    for round_no in range(20):
        resolver = HostileDNS(base, rng, rng.choice([0.1, 0.3, 0.7]))
        ctx = mf.Context(resolver=resolver, now="delivery", config=mf.Config(internal_domains=("example.net",)))
        for k, raw in enumerate(rng.sample(seeds, 10)):
            try:
                a = mf.analyze(mf.Message.from_bytes(raw), ctx=ctx)
                for table in TABLES:
                    getattr(a, table)
                report.analysis_html(a)
            except Exception as exc:  # every failure is collected and reported at the end
                failures.append(f"round {round_no} message {k}: {type(exc).__name__}: {exc}"[:300])
    assert not failures, "\n".join(failures)
