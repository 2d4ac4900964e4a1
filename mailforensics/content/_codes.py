"""Finding codes of the content checks, by the names the content modules use.

Each constant is the stable value of a :class:`~mailforensics.findings.FindingCode`
member; :func:`code` returns that member.
"""

from __future__ import annotations

from mailforensics.findings import FindingCode

# --- URLs ---------------------------------------------------------------------------------
URL_TEXT_MISMATCH = "url-text-mismatch"
URL_IP_LITERAL = "url-ip-literal"
URL_IDN = "url-idn"
URL_USERINFO = "url-userinfo"
URL_OBFUSCATED = "url-obfuscated"
URL_DANGEROUS_SCHEME = "url-dangerous-scheme"
URL_LIMIT = "url-limit-reached"
# --- look-alike domains -------------------------------------------------------------------
LOOKALIKE_DOMAIN = "lookalike-domain"
# --- header tricks ------------------------------------------------------------------------
DISPLAY_NAME_BRAND = "display-name-brand"
REPLY_TO_OTHER_DOMAIN = "reply-to-other-domain"
RETURN_PATH_OTHER_DOMAIN = "return-path-other-domain"
SENDER_MISMATCH = "from-sender-mismatch"
HEADER_BIDI = "header-bidi-control"
HEADER_INVISIBLE = "header-invisible-character"
# --- attachments --------------------------------------------------------------------------
ATTACHMENT_EXECUTABLE = "attachment-executable"
ATTACHMENT_SCRIPT = "attachment-script"
ATTACHMENT_RISKY_TYPE = "attachment-risky-type"
ATTACHMENT_DOUBLE_EXTENSION = "attachment-double-extension"
ATTACHMENT_NAME_BIDI = "attachment-name-bidi"
ATTACHMENT_TYPE_MISMATCH = "attachment-type-mismatch"
ATTACHMENT_CREDENTIAL_FORM = "attachment-credential-form"
ATTACHMENT_SAVE_FAILED = "attachment-save-failed"
ARCHIVE_ENCRYPTED = "archive-encrypted"
ARCHIVE_BOMB = "archive-bomb"
ARCHIVE_EXECUTABLE = "archive-contains-executable"
ARCHIVE_UNREADABLE = "archive-unreadable"
CALENDAR_LINKS = "calendar-invite-links"
# --- MIME ---------------------------------------------------------------------------------
CONTENT_PART_UNREADABLE = "content-part-unreadable"
CONTENT_LIMIT = "content-limit-reached"

ALL_CODES: tuple[str, ...] = tuple(
    value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str)
)


def code(value: str) -> FindingCode:
    """The :class:`FindingCode` member with ``value``."""
    return FindingCode(value)
