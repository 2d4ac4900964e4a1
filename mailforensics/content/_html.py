"""A linear-time HTML tokenizer for hostile input.

CPython's :mod:`html.parser` is not used: on Python 3.11 it is quadratic on inputs such
as one megabyte of ``<`` or ``<a`` (a known issue, fixed in later security releases), and
a phishing body can be exactly that. This tokenizer follows the HTML Living Standard's
tokenization closely enough for link extraction (§13.2.5: tag open, attribute name and
value states, comments, bogus comments, raw-text elements) and is linear by construction:
every scan either consumes what it scanned or ends the input, and the "find the next X"
searches never re-scan a region.

Subclass :class:`Tokenizer` and override the ``on_*`` hooks.
"""

from __future__ import annotations

import html
import re

__all__ = ["RAW_TEXT", "Tokenizer"]

#: Elements whose content is text up to the matching end tag (§13.1.2 raw text and
#: escapable raw text elements, plus the legacy ones browsers treat the same way).
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"})

_MARKUP = re.compile(r"<[A-Za-z/!?]")
# A start tag without attributes or an end tag, "<p>" or "</p>": most tags of a message.
# Tokenized here in one match, with the same result as the general states below.
_PLAIN_TAG = re.compile(r"(/?)([A-Za-z][^\s/>]*)>")
_NAME = re.compile(r"[^\s/>]*")
_ATTR_NAME = re.compile(r"[^\s/>=]*")
_UNQUOTED = re.compile(r"[^\s>]*")
_SPACE = re.compile(r"[\s/]*")
_WS = re.compile(r"\s*")
_MAX_ATTRS = 256
_UNQUOTED_RUN = re.compile(r"[^\"'>]*")
_END_TAGS: dict[str, re.Pattern[str]] = {name: re.compile(f"</{name}", re.IGNORECASE) for name in RAW_TEXT}


def unescape(value: str) -> str:
    """Decode character references (``&amp;``, ``&#104;``, ``&#x68;``) as browsers do."""
    return html.unescape(value) if "&" in value else value


class Tokenizer:
    """Walk an HTML document once; call the hooks for each token.

    Hooks receive decoded text: attribute values and text have their character
    references decoded (§13.2.5.72); raw-text element content and comments are passed
    as written.
    """

    def on_start(self, name: str, attrs: dict[str, str], encoded: bool) -> None:
        """A start tag; ``attrs`` maps lower-case names to decoded values (first wins);
        ``encoded`` is True when a value was written with numeric character references."""

    def on_end(self, name: str) -> None:
        """An end tag."""

    def on_text(self, text: str) -> None:
        """Character data (decoded)."""

    def on_comment(self, text: str) -> None:
        """A comment or bogus comment (as written)."""

    def on_raw(self, name: str, text: str) -> None:
        """The content of a raw-text element such as ``<style>`` or ``<script>``."""

    def feed(self, doc: str) -> None:
        """Tokenize ``doc`` (the whole document at once)."""
        n = len(doc)
        pos = 0
        search = _MARKUP.search
        while pos < n:
            m = search(doc, pos)
            if m is None:
                self.on_text(unescape(doc[pos:]))
                return
            lt = m.start()
            if lt > pos:
                # "<" not followed by a tag name, "/", "!" or "?" is text (§13.2.5.6).
                self.on_text(unescape(doc[pos:lt]))
            nxt = doc[lt + 1]
            plain = _PLAIN_TAG.match(doc, lt + 1) if nxt != "!" and nxt != "?" else None
            if plain is not None:
                name = plain.group(2).lower()
                pos = plain.end()
                if plain.group(1):
                    self.on_end(name)
                else:
                    self.on_start(name, {}, False)
                    if name in RAW_TEXT:
                        pos = self._raw_text(doc, name, pos, n)
            elif nxt == "/":
                pos = self._end_tag(doc, lt + 2, n)
            elif nxt == "!":
                pos = self._markup_decl(doc, lt + 2, n)
            elif nxt == "?":
                gt = doc.find(">", lt + 2)
                end = n if gt < 0 else gt
                self.on_comment(doc[lt + 2 : end])
                pos = end + 1
            else:
                pos = self._start_tag(doc, lt + 1, n)

    # --- states ------------------------------------------------------------------------
    def _markup_decl(self, doc: str, pos: int, n: int) -> int:
        if doc.startswith("--", pos):
            end = doc.find("-->", pos + 2)
            if end < 0:
                self.on_comment(doc[pos + 2 :])  # EOF in comment: the rest is comment
                return n
            self.on_comment(doc[pos + 2 : end])
            return end + 3
        if doc.startswith("[CDATA[", pos):
            end = doc.find("]]>", pos + 7)
            stop = n if end < 0 else end
            self.on_text(doc[pos + 7 : stop])
            return n if end < 0 else end + 3
        gt = doc.find(">", pos)  # <!DOCTYPE ...> and other bogus comments
        stop = n if gt < 0 else gt
        self.on_comment(doc[pos:stop])
        return stop + 1

    def _end_tag(self, doc: str, pos: int, n: int) -> int:
        m = _NAME.match(doc, pos)
        name = m.group().lower() if m else ""
        gt = doc.find(">", pos)
        if gt < 0:
            return n  # EOF in tag: dropped
        if not name or not name[0].isalpha():
            self.on_comment(doc[pos:gt])
            return gt + 1
        self.on_end(name)
        return gt + 1

    def _start_tag(self, doc: str, pos: int, n: int) -> int:
        encoded = False
        m = _NAME.match(doc, pos)
        name = m.group().lower() if m else ""
        pos = m.end() if m else pos
        attrs: dict[str, str] = {}
        seen = 0
        while True:
            seen += 1
            if seen > _MAX_ATTRS:
                # A hostile tag with thousands of attributes: skip to its end, honouring
                # quoted values (which may hold ">"), a run at a time.
                while True:
                    pos = _UNQUOTED_RUN.match(doc, pos).end()  # type: ignore[union-attr]
                    if pos >= n:
                        return n
                    if doc[pos] == ">":
                        pos += 1
                        break
                    close = doc.find(doc[pos], pos + 1)
                    if close < 0:
                        return n
                    pos = close + 1
                break
            pos = _SPACE.match(doc, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                return n  # EOF in tag: the tag is dropped (§13.2.5.32)
            ch = doc[pos]
            if ch == ">":
                pos += 1
                break
            m = _ATTR_NAME.match(doc, pos + 1)  # the first character may be "="
            end = m.end() if m else pos + 1
            attr = doc[pos:end].lower()
            pos = _WS.match(doc, end).end()  # type: ignore[union-attr]
            value = ""
            if pos < n and doc[pos] == "=":
                pos = _WS.match(doc, pos + 1).end()  # type: ignore[union-attr]
                if pos >= n:
                    return n
                q = doc[pos]
                if q in "\"'":
                    close = doc.find(q, pos + 1)
                    if close < 0:
                        return n  # EOF in attribute value
                    value = doc[pos + 1 : close]
                    pos = close + 1
                else:
                    m = _UNQUOTED.match(doc, pos)
                    vend = m.end() if m else pos
                    value = doc[pos:vend]
                    pos = vend
            if attr not in attrs:
                if "&" in value:
                    encoded = encoded or "&#" in value
                    value = html.unescape(value)
                attrs[attr] = value
        self.on_start(name, attrs, encoded)
        if name in RAW_TEXT:
            return self._raw_text(doc, name, pos, n)
        return pos

    def _raw_text(self, doc: str, name: str, pos: int, n: int) -> int:
        m2 = _END_TAGS[name].search(doc, pos)
        stop = n if m2 is None else m2.start()
        self.on_raw(name, doc[pos:stop])
        if m2 is None:
            return n
        gt = doc.find(">", m2.end())
        self.on_end(name)
        return n if gt < 0 else gt + 1
