"""``email.message_from_bytes(raw, policy=compat32)``, the same tree, built faster.

CPython's FeedParser compiles a regular expression for each multipart boundary it meets
(``re.compile('(?P<sep>' + re.escape(separator) + <a fixed tail>)``). Boundaries are
unique to each message, so the ``re`` cache never helps, and the compilation costs about
as much as the rest of parsing a typical message.

The parser here runs the FeedParser's own ``_parsegen`` code object, unchanged, with one
difference in the globals it sees: its ``re`` is :class:`_ReShim`, whose ``compile``
returns a :class:`_BoundaryMatcher` (a literal prefix test, then the fixed tail compiled
once) for exactly that pattern, and the real ``re.compile`` for anything else. A Python
whose parser builds the pattern differently just gets the real compile: the shim only
recognises the exact pattern text. Every part of the stdlib's behaviour (defects,
preamble, epilogue, payloads) is the stdlib's own.
"""

from __future__ import annotations

import email
import email.feedparser
import email.message
import email.policy
import re
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["message_from_bytes"]

_SEP_OPEN = "(?P<sep>"
_SEP_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
# The tail as FeedParser compiles it, once, matched from the end of the separator.
_TAIL = re.compile(_SEP_TAIL[1:])
# re.escape puts a backslash before each special character and changes nothing else, so
# removing one backslash before each character undoes it exactly.
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


class _BoundaryMatcher:
    """What ``re.compile('(?P<sep>' + re.escape(separator) + tail)`` matches, as ``.match``
    (the groups FeedParser reads, ``end``, ``ws`` and ``linesep``, included)."""

    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if not line.startswith(self.separator):
            return None
        return _TAIL.match(line, len(self.separator))


class _ReShim:
    """The ``re`` module as the borrowed ``_parsegen`` sees it."""

    escape = staticmethod(re.escape)

    @staticmethod
    def compile(pattern: Any, flags: int = 0) -> Any:
        if (
            not flags
            and isinstance(pattern, str)
            and pattern.startswith(_SEP_OPEN)
            and pattern.endswith(_SEP_TAIL)
            and len(pattern) > len(_SEP_OPEN) + len(_SEP_TAIL)
        ):
            return _BoundaryMatcher(_UNESCAPE.sub(r"\1", pattern[len(_SEP_OPEN) : -len(_SEP_TAIL)]))
        return re.compile(pattern, flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


def _fast_parser_class() -> type[email.feedparser.FeedParser] | None:
    method = getattr(email.feedparser.FeedParser, "_parsegen", None)
    code = getattr(method, "__code__", None)
    if code is None or getattr(method, "__closure__", None):  # not a plain function: leave it
        return None
    namespace = dict(vars(email.feedparser))
    namespace["re"] = _ReShim()
    parsegen = types.FunctionType(code, namespace, code.co_name, method.__defaults__)  # type: ignore[union-attr]
    return type("_FeedParser", (email.feedparser.FeedParser,), {"_parsegen": parsegen})


_FeedParser = _fast_parser_class()


def message_from_bytes(raw: bytes, *, continuations: Sequence[int] = ()) -> email.message.Message:
    """``email.message_from_bytes(raw, policy=email.policy.compat32)``.

    ``continuations``: offsets of lines in ``raw`` to read as folded continuations — each
    is given the one leading space it lacks before parsing (the broken folds that
    :mod:`mailforensics.message` found in the header section), so that the header fields
    after them are read as header, as the message's own header reader reads them.
    """
    if continuations:
        pieces, last = [], 0
        for offset in sorted(set(continuations)):
            pieces += [raw[last:offset], b" "]
            last = offset
        raw = b"".join([*pieces, raw[last:]])
    if _FeedParser is None:
        return email.message_from_bytes(raw, policy=email.policy.compat32)
    # email.parser.BytesParser.parsebytes, then Parser.parse: the text fed in 8192
    # character pieces, as Parser reads it from a StringIO.
    text = raw.decode("ASCII", errors="surrogateescape")
    parser = _FeedParser(policy=email.policy.compat32)
    for start in range(0, len(text), 8192):
        parser.feed(text[start : start + 8192])
    root: email.message.Message = parser.close()
    return root
