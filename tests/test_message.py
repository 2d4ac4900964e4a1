"""Message: exact bytes kept, header block split like a mail client, defects not exceptions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mailforensics.findings import FindingCode
from mailforensics.message import Message


def test_fields_positions_and_folding() -> None:
    raw = b"Received: from a\r\n\tby b; Tue, 2 Jan 2024 10:00:00 +0000\r\nSubject: hi\r\n there\r\n\r\nbody\r\n"
    m = Message.from_bytes(raw, origin="x.eml", source_format="eml")
    assert m.raw == raw
    assert [(h.index, h.name) for h in m.headers] == [(0, "Received"), (1, "Subject")]
    assert m.headers[0].value == "from a\n\tby b; Tue, 2 Jan 2024 10:00:00 +0000"
    assert m.headers[0].unfolded == "from a by b; Tue, 2 Jan 2024 10:00:00 +0000"
    assert m.get("subject") == "hi there"
    assert m.body == b"body\r\n"
    assert m.defects == ()
    assert len(m.sha256) == 64


def test_missing_separator_ends_headers_like_email_package() -> None:
    m = Message.from_bytes(b"Subject: x\nthis is not a header\nTo: y\n")
    assert [h.name for h in m.headers] == ["Subject"]
    assert FindingCode.MESSAGE_NO_BODY_SEPARATOR in {d.code for d in m.defects}
    assert m.body == b"this is not a header\nTo: y\n"


def test_obsolete_space_before_colon_and_latin1() -> None:
    m = Message.from_bytes(b"Subject : caf\xe9\n\nx")
    assert m.headers[0].name == "Subject" and m.headers[0].value == "café"
    assert FindingCode.MESSAGE_NON_ASCII_HEADERS in {d.code for d in m.defects}


def test_garbage_is_defects() -> None:
    assert FindingCode.MESSAGE_EMPTY in {d.code for d in Message.from_bytes(b"").defects}
    junk = Message.from_bytes(b"\x00\x01\x02\xff binary")
    codes = {d.code for d in junk.defects}
    assert FindingCode.MESSAGE_NOT_RFC5322 in codes and FindingCode.MESSAGE_NUL_BYTES in codes
    folded_first = Message.from_bytes(b" starts folded\nSubject: x\n\n")
    assert folded_first.headers == ()
    mixed = Message.from_bytes(b"Subject: x\r\nTo: y\n\nbody")
    assert FindingCode.MESSAGE_BARE_CR_OR_LF in {d.code for d in mixed.defects}


def test_email_view_is_lazy_and_tolerant() -> None:
    m = Message.from_bytes(b"Content-Type: text/plain; charset=utf-8\n\nh\xc3\xa9\n")
    assert m.email.get_content_type() == "text/plain"
    assert "Message origin='<bytes>'" in repr(m)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_make_a_message(data: bytes) -> None:
    m = Message.from_bytes(data)
    assert m.raw == data
    for h in m.headers:
        assert ":" not in h.name
    if m.body_offset is not None:
        assert 0 <= m.body_offset <= len(data)


def test_derived_values_are_computed_once_and_not_pickled() -> None:
    import pickle

    m = Message.from_bytes(b"From: a@example.org\nReceived: x\nreceived: y\nSubject: s\n\nbody\n")
    calls: list[int] = []

    def count(message: Message) -> int:
        calls.append(1)
        return len(message.headers)

    assert m.derived("test.count", count) == 4 and m.derived("test.count", count) == 4
    assert len(calls) == 1
    assert [h.value for h in m.get_all("RECEIVED")] == ["x", "y"] and m.get_all("missing") == ()
    m.email  # noqa: B018 - a parsed view, cached
    copy = pickle.loads(pickle.dumps(m))
    assert copy == m and "_derived" not in copy.__dict__ and "email" not in copy.__dict__
    assert copy.get_all("received") == m.get_all("received")


def test_a_second_content_type_is_a_mime_defect() -> None:
    raw = (
        b"From: a@example.org\nTo: b@example.net\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n'
        b'--b1\nContent-Type: application/octet-stream; name="run.exe"\n\nMZ\n--b1--\n'
    )
    m = Message.from_bytes(raw)
    (defect,) = [d for d in m.defects if d.code == FindingCode.MIME_STRUCTURE_DEFECT]
    assert defect.severity == "warning"
    assert defect.where == "header 3, 4"
    assert defect.evidence == (
        ("Content-Type (header 3)", "text/plain"),
        ("Content-Type (header 4)", 'multipart/mixed; boundary="b1"'),
    )
    assert "RFC 2045" in defect.detail and "first" in defect.detail
    assert m.email.get_content_type() == "text/plain"  # the reading the defect warns about


def test_repeated_mime_fields_by_kind() -> None:
    def mime_defects(head: bytes) -> list[tuple[str, str]]:
        m = Message.from_bytes(b"From: a@example.org\n" + head + b"\nbody\n")
        return [(str(d.severity), d.where) for d in m.defects if d.code == FindingCode.MIME_STRUCTURE_DEFECT]

    assert mime_defects(b"Content-Type: text/plain\n") == []
    assert mime_defects(b"Content-Transfer-Encoding: 7bit\ncontent-transfer-encoding: BASE64\n") == [
        ("warning", "header 1, 2")
    ]
    assert mime_defects(b"Content-Disposition: inline\nContent-Disposition: attachment\n") == [
        ("notice", "header 1, 2")
    ]
    # The same value twice: against RFC 2045, but every reader sees the same thing.
    assert mime_defects(b"Content-Type: text/plain\nContent-Type:  TEXT/plain\n") == [("notice", "header 1, 2")]
    # Only the top-level header block: a part's fields are the MIME parser's business.
    assert mime_defects(b"Content-Type: text/plain\n\nContent-Type: text/html\n") == []


def test_a_source_envelope_travels_with_the_message() -> None:
    import pickle

    from mailforensics.message import SourceEnvelope

    raw = b"Subject: s\n\nbody\n"
    assert Message.from_bytes(raw).source_envelope is None  # every other format
    envelope = SourceEnvelope(helo="relay.example.org", mail_from="<a@example.org>", rcpt_to=("<b@example.net>",))
    m = Message.from_bytes(raw, origin="batch#0", source_format="bsmtp", source_envelope=envelope)
    assert m.source_envelope == envelope and envelope.source == "BSMTP envelope"
    assert m != Message.from_bytes(raw, origin="batch#0", source_format="bsmtp")  # part of what it is
    copy = pickle.loads(pickle.dumps(m))  # to a batch worker
    assert copy == m and copy.source_envelope == envelope


# --- broken folds: a continuation line written without its leading whitespace -----------

_BROKEN_FOLD = (
    b"From: a@example.org\r\nTo: b@example.net\r\nSubject: report\r\n"
    b"X-Diagnostics: 1;AAAA0001;6:Zm9vYmFy\r\n"
    b"YmF6cXV4+/Zm9vYmFy\r\n"  # the rest of the value, folded without whitespace
    b"X-Later: ds;MX:1;A:1;\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
    b"--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
    b'--alt\r\nContent-Type: text/html\r\n\r\n<a href="https://evil.example/">x</a>\r\n--alt--\r\n'
)


def test_a_broken_fold_before_content_type_keeps_the_header_section() -> None:
    m = Message.from_bytes(_BROKEN_FOLD)
    assert m.raw == _BROKEN_FOLD
    assert [h.name for h in m.headers] == [
        "From", "To", "Subject", "X-Diagnostics", "X-Later", "MIME-Version", "Content-Type",
    ]  # fmt: skip
    assert m.headers[3].value == "1;AAAA0001;6:Zm9vYmFy\nYmF6cXV4+/Zm9vYmFy"
    assert m.body.startswith(b"--alt\r\n")
    codes = [d.code for d in m.defects]
    assert FindingCode.MESSAGE_NO_BODY_SEPARATOR not in codes
    (defect,) = [d for d in m.defects if d.code == FindingCode.MESSAGE_HEADER_SYNTAX]
    assert defect.where == "header 3" and defect.evidence == (("line", "YmF6cXV4+/Zm9vYmFy"),)
    # The MIME view reads the same header section: the HTML part is there to be scanned.
    assert m.email.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in m.email.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert list(m.email.keys()) == [h.name for h in m.headers]
    # A copy made elsewhere (a batch worker, a source adding a defect) reads it the same.
    import dataclasses
    import pickle

    for copy in (pickle.loads(pickle.dumps(m)), dataclasses.replace(m, origin="elsewhere")):
        assert copy.email.get_content_type() == "multipart/alternative"


def test_without_a_blank_line_body_lines_are_not_taken_as_fields() -> None:
    # The body follows the header with no empty line; its first line is not a field and
    # a later one looks like one. No empty line comes after it: the header ends there.
    for raw in (
        b"Subject: x\nHello there\nNote: x\n",
        b"Subject: x\nHello there\nNote: x\nmore text\n\nsecond paragraph\n",
        b"Subject: x\nHi Bob,\n\nthanks\n",  # no field between it and the empty line
        b"Subject: x\nHello\nNote : x\n\nmore\n",  # obsolete form: email would stop there
        b"Subject : x\nHello\nNote: x\n\nmore\n",  # ... or earlier
        b"Subject: x\nHello\rthere\nNote: x\n\nmore\n",  # email splits this line at the CR
    ):
        m = Message.from_bytes(raw)
        assert [h.name.strip() for h in m.headers] == ["Subject"], raw
        assert m.defects[-1].code == FindingCode.MESSAGE_NO_BODY_SEPARATOR, raw
        assert m.body == raw[raw.index(b"\n") + 1 :], raw
        assert FindingCode.MESSAGE_HEADER_SYNTAX not in {d.code for d in m.defects}, raw
    assert Message.from_bytes(b"Subject: x\nHello there\nNote: x\n").email.keys() == ["Subject"]


def test_the_broken_fold_lookahead_is_bounded() -> None:
    fields = [b"X-F%d: v\n" % i for i in range(250)]
    far = Message.from_bytes(b"Subject: x\nbroken\n" + b"".join(fields) + b"\nbody\n")  # > 200 lines on
    assert [h.name for h in far.headers] == ["Subject"]
    near = Message.from_bytes(b"Subject: x\nbroken\n" + b"".join(fields[:150]) + b"\nbody\n")
    assert near.headers[0].value == "x\nbroken" and near.body == b"body\n" and len(near.headers) == 151
    big = b"X-Big: " + b"a" * 70_000 + b"\n"  # > 64 KB on
    assert len(Message.from_bytes(b"Subject: x\nbroken\n" + big + b"\nbody\n").headers) == 1
    # Only one broken fold is read: a second one is where the header section ends.
    twice = Message.from_bytes(b"Subject: x\nbroken\nTo: y\nagain\nFrom: z\n\nbody\n")
    assert [h.name for h in twice.headers] == ["Subject"]


def test_junk_header_lines_take_linear_time() -> None:
    import time

    shapes = (
        b"Subject: x\n" + b"junk line\n" * 100_000,
        b"Subject: x\njunk\n" + b"X-A: b\n" * 100_000,  # fields, never an empty line
        b"Subject: x\n" + b"junk\nX-A: b\n" * 50_000 + b"\n",
        b"Subject: x\n" + b"X-A: b\n" * 100_000 + b"junk\n" + b" c\n" * 100_000 + b"\n",
    )
    for raw in shapes:
        start = time.perf_counter()
        m = Message.from_bytes(raw)
        m.email  # noqa: B018 - the MIME view reads the same header section
        assert time.perf_counter() - start < 5.0
        assert m.raw == raw
    assert len(Message.from_bytes(shapes[3]).headers) == 100_001  # the broken fold, read


_HEADER_LINES = st.sampled_from(["X-A: b", " folded", "junk+/AAAA", "Content-Type: text/html", "Note: x", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(_HEADER_LINES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_the_header_reader_and_the_mime_view_agree_on_the_fields(lines: list[str], eol: str) -> None:
    raw = ("Subject: s" + eol + eol.join(lines) + eol + "body" + eol).encode()
    m = Message.from_bytes(raw)
    assert m.email.keys() == [h.name for h in m.headers]
    assert [" ".join(v.split()) for v in m.email.values()] == [" ".join(h.value.split()) for h in m.headers]
