"""The public surface: __all__ is curated, import is light, the socket guard works."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

import mailforensics as mf

PUBLIC = {
    "Analysis", "analyze", "analyze_many", "Batch",
    "Config", "Context", "EvidenceError", "EvidenceFormatError", "EvidenceMissing", "Finding",
    "FindingCode", "HeaderField", "Hop", "InputError", "MailForensicsError", "Message", "Severity",
    "Trace", "__version__", "domain_posture", "iter_messages", "load", "parse_received", "trace",
}  # fmt: skip


def test_all_is_curated_and_resolves() -> None:
    assert set(mf.__all__) == PUBLIC
    for name in mf.__all__:
        assert getattr(mf, name) is not None
    with pytest.raises(AttributeError):
        _ = mf.no_such_name  # type: ignore[attr-defined]


def test_public_names_have_docstrings() -> None:
    for name in mf.__all__:
        obj = getattr(mf, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name


def test_import_is_light() -> None:
    heavy = "('pandas', 'matplotlib', 'jinja2', 'extract_msg')"
    code = f"import sys, mailforensics; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_socket_guard_blocks_non_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(AssertionError, match="non-loopback"):
        s.connect(("192.0.2.1", 25))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(AssertionError, match="non-loopback"):
        s.sendto(b"x", ("198.51.100.1", 53))


def test_socket_guard_allows_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
