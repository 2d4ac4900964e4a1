"""resolvers.memo.CheckMemo: results per resolver, with the evidence they used."""

from __future__ import annotations

import mailforensics as mf
from mailforensics.resolvers import ZoneResolver
from mailforensics.resolvers.memo import CheckMemo
from mailforensics.resolvers.recording import RecordingResolver

ZONE = """
$ORIGIN example.org.
a 300 A 192.0.2.1
b 300 A 192.0.2.2
c 300 A 192.0.2.3
"""


def _lookup(name: str, calls: list[str]):  # type: ignore[no-untyped-def]
    def compute(ctx: mf.Context) -> tuple[str, ...]:
        calls.append(name)
        return ctx.get_resolver().query(name, "A").records  # type: ignore[no-any-return]

    return compute


def test_hit_merges_the_records_the_check_used() -> None:
    memo = CheckMemo()
    ctx = mf.Context(resolver=ZoneResolver.from_text(ZONE))
    calls: list[str] = []
    first = RecordingResolver(ctx.get_resolver())
    assert memo.get("a", _lookup("a.example.org", calls), ctx=ctx, recorder=first) == ("192.0.2.1",)
    second = RecordingResolver(ctx.get_resolver())
    assert memo.get("a", _lookup("a.example.org", calls), ctx=ctx, recorder=second) == ("192.0.2.1",)
    assert calls == ["a.example.org"]
    assert [r.answer for r in second.records] == [r.answer for r in first.records]
    assert [r.answer.name for r in second.records] == ["a.example.org"]


def test_entries_expire_and_are_bounded() -> None:
    ctx = mf.Context(resolver=ZoneResolver.from_text(ZONE))
    calls: list[str] = []
    expired = CheckMemo(ttl_s=0.0)
    for _ in range(2):
        expired.get("a", _lookup("a.example.org", calls), ctx=ctx, recorder=RecordingResolver(ctx.get_resolver()))
    assert calls == ["a.example.org"] * 2

    calls.clear()
    small = CheckMemo(max_entries=2)
    for name in ("a", "b", "c", "a"):  # "a" was the least recently used when "c" came in
        small.get(name, _lookup(f"{name}.example.org", calls), ctx=ctx, recorder=RecordingResolver(ctx.get_resolver()))
    assert calls == ["a.example.org", "b.example.org", "c.example.org", "a.example.org"]
    small.get("c", _lookup("c.example.org", calls), ctx=ctx, recorder=RecordingResolver(ctx.get_resolver()))
    assert len(calls) == 4


def test_unhashable_key_or_resolver_computes_every_time() -> None:
    calls: list[str] = []

    class Unhashable(ZoneResolver):
        __hash__ = None  # type: ignore[assignment]

    for resolver, key in ((ZoneResolver.from_text(ZONE), ["a"]), (Unhashable.from_text(ZONE), "a")):
        ctx = mf.Context(resolver=resolver)
        memo = CheckMemo()
        for _ in range(2):
            recorder = RecordingResolver(resolver)
            assert memo.get(key, _lookup("a.example.org", calls), ctx=ctx, recorder=recorder) == ("192.0.2.1",)
            assert [r.answer.name for r in recorder.records] == ["a.example.org"]
    assert calls == ["a.example.org"] * 4
