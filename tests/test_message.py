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
