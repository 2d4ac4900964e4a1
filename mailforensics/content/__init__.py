"""What the message itself says: URLs, look-alike domains, header tricks, attachments.

Modules (imported by name, as elsewhere in the toolkit):

:mod:`~mailforensics.content.urls`
    Every URL in the text, HTML and calendar parts, with its host read as a browser
    reads it (``urls.extract``).
:mod:`~mailforensics.content.lookalike`
    Look-alike domains against the recipient's, the signers' and the most impersonated
    brands' domains (``lookalike.compare``).
:mod:`~mailforensics.content.headers`
    Display-name, Reply-To, Sender and hidden-character tricks (``headers.check``).
:mod:`~mailforensics.content.attachments`
    The attachment inventory: names, sniffed types, hashes, archives listed without
    extraction, credential forms, calendar links (``attachments.extract``).
:mod:`~mailforensics.content.scan`
    All of the above plus the domain blocklists, for one message (``scan.scan``).

Every function here is pure (records in, frozen records out), linear in its input and
does not raise for anything a message contains. No URL is ever fetched.
"""

from __future__ import annotations

__all__ = ["attachments", "headers", "lookalike", "scan", "urls"]


def __getattr__(name: str) -> object:
    # Submodules load on first use, so that ``import mailforensics`` stays fast.
    if name in __all__:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
