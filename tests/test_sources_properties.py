"""Property tests of mailforensics.sources (hypothesis).

Run with ``-s`` to see the slowest example of each property.
"""

from __future__ import annotations

import gzip
import io
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailforensics import sources
from mailforensics.message import Message
from mailforensics.sources import iter_messages
from tests.test_sources import make_msg  # the MS-CFB/.msg writer

SLOWEST: dict[str, float] = {}
COMMON = settings(
    max_examples=300,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def _report_slowest() -> Iterator[None]:
    yield
    for name, seconds in sorted(SLOWEST.items()):
        print(f"\n[slowest example] {name}: {seconds * 1000:.1f} ms")


def timed(name: str, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return run()
    finally:
        SLOWEST[name] = max(SLOWEST.get(name, 0.0), time.perf_counter() - started)


class NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# --------------------------------------------------------------------------- strategies

MAGIC = [
    b"From ",
    b"From x\nContent-Length: 3\n\n",
    b"\x1f\x8b",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
    b"BZh91AY&SY",
    b"\xfd7zXZ\x00",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
]
LINES = st.sampled_from(
    [b"From x", b">From y", b">>From z", b"From", b"", b"\r", b"Subject: s", b"Content-Length: 4", b"body"]
)
text_like = st.lists(st.one_of(LINES, st.binary(max_size=12)), max_size=30).map(b"\n".join)
any_input = st.one_of(
    st.binary(max_size=3000),
    st.tuples(st.sampled_from(MAGIC), st.one_of(st.binary(max_size=3000), text_like)).map(b"".join),
    text_like,
    text_like.map(lambda data: b"From x\n" + data),
    st.binary(max_size=2000).map(gzip.compress),
    st.tuples(st.binary(min_size=1, max_size=2000), st.floats(0, 1)).map(
        lambda t: gzip.compress(t[0])[: int(len(gzip.compress(t[0])) * t[1])]
    ),
)


def _check(messages: list[Message], data: bytes) -> None:
    assert messages, "at least one Message"
    assert all(isinstance(m, Message) for m in messages)
    if data.startswith(b"From "):
        assert [m.origin.rpartition("#")[2] for m in messages] == [str(i) for i in range(len(messages))]
        assert sum(len(m.raw) for m in messages) <= len(data)  # nothing is invented


@COMMON
@given(data=any_input)
def test_any_bytes_yield_messages(data: bytes) -> None:
    messages = timed("any bytes (bytes source)", lambda: list(iter_messages(data)))
    _check(messages, data)
    streamed = timed("any bytes (non-seekable stream)", lambda: list(iter_messages(NonSeekable(data))))
    assert len(streamed) == len(messages)


@COMMON
@given(data=any_input)
def test_any_file_yields_messages(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("any") / "input.bin"
    path.write_bytes(data)
    messages = timed("any bytes (file)", lambda: list(iter_messages(path)))
    _check(messages, data)
    assert [m.raw for m in messages] == [m.raw for m in iter_messages(data)]


# --------------------------------------------------------------------------- mbox round trip

_QUOTED = re.compile(rb"^>*From ", re.MULTILINE)


def quote_mboxrd(body: bytes) -> bytes:
    """mboxrd: every line matching ``^>*From `` gets one more ``>``."""
    return _QUOTED.sub(lambda m: b">" + m.group(0), body)


def write_mbox(bodies: list[bytes], crlf: bool) -> bytes:
    eol = b"\r\n" if crlf else b"\n"
    out = []
    for number, body in enumerate(bodies):
        out.append(b"From sender%d@example.net Mon Jan  1 00:00:00 2024" % number + eol)
        # The one line break after each message belongs to the separator (RFC 4155). A
        # body ending in CR must be closed with CRLF, or its CR would read as part of it.
        out.append(quote_mboxrd(body) + (b"\r\n" if crlf or body.endswith(b"\r") else b"\n"))
    return b"".join(out)


body_strategy = st.one_of(
    st.binary(max_size=400),
    text_like,
    text_like.map(lambda b: b.replace(b"\n", b"\r\n")),
    text_like.map(lambda b: b"Subject: generated\n\n" + b),
)
mbox_case = st.tuples(st.lists(body_strategy, min_size=1, max_size=12), st.booleans())


@COMMON
@given(case=mbox_case)
def test_mboxrd_round_trip(case: tuple[list[bytes], bool], tmp_path_factory: pytest.TempPathFactory) -> None:
    bodies, crlf = case
    data = write_mbox(bodies, crlf)
    path = tmp_path_factory.mktemp("rt") / "export.mbox"
    path.write_bytes(data)
    for name, source in [
        ("round trip (bytes)", data),
        ("round trip (file)", path),
        ("round trip (gzip stream)", NonSeekable(gzip.compress(data))),
    ]:
        messages = timed(name, lambda source=source: list(iter_messages(source, variant="mboxrd")))
        assert [m.raw for m in messages] == bodies


def _has_line(body: bytes, pattern: bytes) -> bool:
    return re.search(pattern, body, re.MULTILINE) is not None


@COMMON
@given(case=mbox_case)
def test_auto_variant_follows_its_rule(case: tuple[list[bytes], bool]) -> None:
    bodies, crlf = case
    bodies = [b for b in bodies if b"ontent-" not in b.lower()]  # Content-Length is tested elsewhere
    if not bodies:
        return
    data = write_mbox(bodies, crlf)
    messages = timed("auto variant (bytes)", lambda: list(iter_messages(data)))
    # mboxrd evidence: a quoted line of the form >>+From, i.e. a body line matching >+From.
    evidence = any(_has_line(b, rb"^>+From ") for b in bodies)
    expected = bodies if evidence else [quote_mboxrd(b) for b in bodies]
    assert [m.raw for m in messages] == expected


@COMMON
@given(case=mbox_case, chunk=st.integers(1, 64))
def test_chunk_size_does_not_change_results(case: tuple[list[bytes], bool], chunk: int) -> None:
    bodies, crlf = case
    data = write_mbox(bodies, crlf) + b"From tail\nContent-Length: 5\n\nFrom \n"
    expected = [(m.raw, m.defects) for m in iter_messages(data)]
    original = sources._CHUNK
    sources._CHUNK = chunk
    try:
        got = timed("small chunks (bytes)", lambda: [(m.raw, m.defects) for m in iter_messages(data)])
    finally:
        sources._CHUNK = original
    assert got == expected


MSG = make_msg(
    headers="Received: from a (a [192.0.2.1]) by b; Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: s\r\n\r\n",
    body="hello",
    attachments=(("a.bin", "application/octet-stream", b"z" * 5000),),
)


@settings(COMMON, max_examples=150)
@given(edits=st.lists(st.tuples(st.integers(0, len(MSG) - 1), st.binary(min_size=1, max_size=8)), max_size=6))
def test_corrupted_msg_yields_a_record(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(MSG)
    for offset, patch in edits:
        data[offset : offset + len(patch)] = patch
    messages = timed("corrupted .msg", lambda: list(iter_messages(bytes(data))))
    assert len(messages) == 1
    if data.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        assert messages[0].source_format == "msg"
