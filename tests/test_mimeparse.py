"""The faster MIME parse behind Message.email gives CPython's compat32 tree, exactly."""

from __future__ import annotations

import email
import email.message
import email.policy
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import mailforensics as mf
from mailforensics import _mimeparse

SAMPLE_MAIL = Path(__file__).resolve().parent.parent / "sample_mail"


def dump(m: email.message.Message) -> Any:
    payload = m._payload  # type: ignore[attr-defined]
    return (
        m._headers,  # type: ignore[attr-defined]
        m._unixfrom,  # type: ignore[attr-defined]
        m.preamble,
        m.epilogue,
        [(type(d).__name__, str(d)) for d in m.defects],
        m._default_type,  # type: ignore[attr-defined]
        [dump(x) for x in payload] if isinstance(payload, list) else payload,
    )


def stdlib(raw: bytes) -> email.message.Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def test_the_shim_is_in_use() -> None:
    assert _mimeparse._FeedParser is not None  # on this Python the fast path is taken


def test_every_sample_message_parses_to_the_stdlib_tree() -> None:
    messages = [
        m
        for source in ("eml", "export.mbox", "export-crlf-cl.mbox", "Maildir")
        for m in mf.iter_messages(SAMPLE_MAIL / source)
    ]
    assert len(messages) > 100
    for m in messages:
        assert dump(_mimeparse.message_from_bytes(m.raw)) == dump(stdlib(m.raw)), m.origin


def test_continuations_are_read_as_folded_lines() -> None:
    raw = b"Subject: s\nX-D: 1;AA\nBBBB+/CC\nContent-Type: text/html\n\n<p>x</p>\n"
    mended = raw.replace(b"\nBBBB", b"\n BBBB")
    offset = raw.index(b"BBBB")
    assert dump(_mimeparse.message_from_bytes(raw, continuations=(offset,))) == dump(stdlib(mended))
    assert _mimeparse.message_from_bytes(raw, continuations=(offset,)).get_content_type() == "text/html"
    assert dump(_mimeparse.message_from_bytes(raw)) == dump(stdlib(raw))  # only when asked
    assert stdlib(raw).get_content_type() == "text/plain"
    assert mf.Message.from_bytes(raw).email.get_content_type() == "text/html"


_ORIGINAL_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_TEXT = st.lists(st.sampled_from([*"-ab \t\r\n.*?()[]\\$^|+{}", "\udcff", "é", "\u2028"]), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT, _TEXT)
def test_boundary_matcher_matches_as_the_stdlib_regex(boundary: str, rest: str) -> None:
    separator = "--" + boundary
    pattern = "(?P<sep>" + re.escape(separator) + _ORIGINAL_TAIL
    shim = _mimeparse._ReShim.compile(pattern)
    assert isinstance(shim, _mimeparse._BoundaryMatcher) and shim.separator == separator
    for line in (separator + rest, rest, separator + "--" + rest):
        a, b = re.compile(pattern).match(line), shim.match(line)
        assert (a is None) == (b is None), (separator, line)
        if a is not None and b is not None:
            assert a.group("end", "ws", "linesep") == b.group("end", "ws", "linesep")


_LINE = st.sampled_from(
    ["--b", "--b--", "--b  ", "--bb", "-- b", "text", "", "Content-Type: text/plain", "--b\r", "=?x?="]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_random_multipart_bodies_parse_to_the_stdlib_tree(lines: list[str], eol: str, nested: bool) -> None:
    head = 'Content-Type: multipart/mixed; boundary="b"' + eol
    inner = 'Content-Type: multipart/alternative; boundary="b"' + eol + eol if nested else ""
    raw = (head + eol + "--b" + eol + inner + eol.join(lines) + eol).encode("utf-8", "surrogateescape")
    assert dump(_mimeparse.message_from_bytes(raw)) == dump(stdlib(raw))


_LINES = st.sampled_from(
    [
        "--B",
        "--B--",
        "--C",
        "--C--",
        "--",
        "",
        "\r",
        "Content-Type: text/plain",
        'Content-Type: multipart/mixed; boundary="C"',
        'Content-Disposition: attachment; filename="a.exe"',
        "Content-Transfer-Encoding: base64",
        " folded",
        "X-A: b",
        "TVqQAAMAAAAEAAAA",
        "https://h.example/x",
        "\udcff\udcfe",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINES, max_size=40), st.sampled_from(["B", "Z"]))
def test_structure_reading_never_raises_and_sections_are_unique(lines: list[str], boundary: str) -> None:
    from mailforensics.content._parts import MAX_RECOVERED, read_structure, structure_findings

    body = "\n".join(lines).encode("ascii", "surrogateescape")
    raw = f'From: a@example.com\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode() + body
    structure = read_structure(mf.Message.from_bytes(raw))
    structure_findings(structure)
    sections = [p.section for p in structure.parts]
    assert len(sections) == len(set(sections))
    assert sum(1 for p in structure.parts if p.recovered and p.section.split(".")[-1].isdigit()) <= MAX_RECOVERED
