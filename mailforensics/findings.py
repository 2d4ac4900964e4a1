"""Findings: what is suspicious or broken, and why.

A :class:`Finding` is the toolkit's equivalent of a defect in CPython's ``email``
package: it is collected and returned, never raised. Codes are a :class:`FindingCode`
``StrEnum`` so that they are stable strings in DataFrames, JSON and Parquet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Finding", "FindingCode", "Severity"]


class Severity(StrEnum):
    """How much a finding matters to an analyst."""

    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"
    ALERT = "alert"
    ERROR = "error"  # the toolkit could not read or check something


class FindingCode(StrEnum):
    """Stable identifiers of findings. Never renumber or rename: users filter on them."""

    # --- input and parsing ------------------------------------------------------------
    MESSAGE_EMPTY = "message-empty"
    MESSAGE_NOT_RFC5322 = "message-not-rfc5322"
    MESSAGE_TRUNCATED = "message-truncated"
    MESSAGE_NO_BODY_SEPARATOR = "message-no-body-separator"
    MESSAGE_BARE_CR_OR_LF = "message-mixed-line-endings"
    MESSAGE_NUL_BYTES = "message-nul-bytes"
    MESSAGE_NON_ASCII_HEADERS = "message-non-ascii-headers"
    MESSAGE_HEADER_SYNTAX = "message-header-syntax"
    MESSAGE_CONVERTED = "message-converted"
    MESSAGE_READ_ERROR = "message-read-error"
    MBOX_CONTENT_LENGTH_MISMATCH = "mbox-content-length-mismatch"
    MBOX_FROM_QUOTING_AMBIGUOUS = "mbox-from-quoting-ambiguous"
    MAILDIR_UNDELIVERED = "maildir-undelivered"
    BSMTP_STREAM_DEFECT = "bsmtp-stream-defect"
    RECEIVED_UNPARSED = "received-unparsed"
    RECEIVED_NO_TIMESTAMP = "received-no-timestamp"
    RECEIVED_NO_ZONE = "received-no-timezone"
    # --- path and clock ---------------------------------------------------------------
    HOP_NEGATIVE_DELAY = "hop-negative-delay"
    HOP_LONG_DELAY = "hop-long-delay"
    HOP_IN_FUTURE = "hop-in-future"
    HOP_CLEARTEXT = "hop-cleartext"
    DATE_AFTER_FIRST_HOP = "date-after-first-hop"
    DATE_LONG_BEFORE_FIRST_HOP = "date-long-before-first-hop"
    DATE_AFTER_TRUSTED_HOP = "date-after-trusted-hop"
    HOP_FOREIGN_BLOCK = "hop-foreign-block"
    DATE_MISSING = "date-missing"
    DATE_NO_ZONE = "date-no-timezone"
    DATE_UNREADABLE = "date-unreadable"
    NO_RECEIVED = "no-received"
    NO_EXTERNAL_HOP = "no-external-hop"
    BOUNDARY_NO_CLIENT_IP = "boundary-no-client-ip"
    PRIVATE_IP_OUTSIDE_BOUNDARY = "private-ip-outside-boundary"
    HELO_IS_IP_LITERAL = "helo-is-ip-literal"
    # --- envelope ---------------------------------------------------------------------
    ENVELOPE_FROM_CONFLICT = "envelope-from-conflict"
    ENVELOPE_RCPT_CONFLICT = "envelope-rcpt-conflict"
    ENVELOPE_HELO_CONFLICT = "envelope-helo-conflict"
    ENVELOPE_IP_CONFLICT = "envelope-ip-conflict"
    ENVELOPE_NULL_SENDER = "envelope-null-sender"
    ENVELOPE_MULTIPLE_RETURN_PATH = "envelope-multiple-return-path"
    ENVELOPE_SUBMITTER_IP = "envelope-submitter-ip"
    # --- DNS reputation (rDNS, HELO, DNSBL, MX) ---------------------------------------
    DNS_TEMPERROR = "dns-temperror"
    RDNS_NONE = "rdns-none"
    RDNS_NOT_CONFIRMED = "rdns-not-forward-confirmed"
    RDNS_GENERIC = "rdns-generic"
    RDNS_CHANGED = "rdns-changed-since-delivery"
    HELO_NOT_RESOLVING = "helo-does-not-resolve"
    HELO_NOT_MATCHING_IP = "helo-does-not-match-ip"
    HELO_DIFFERS_FROM_RDNS = "helo-differs-from-rdns"
    HELO_CLAIMS_RECIPIENT_DOMAIN = "helo-claims-recipient-domain"
    DNSBL_LISTED = "dnsbl-listed"
    DNSBL_ERROR = "dnsbl-error"
    DNSBL_ZONE_UNUSABLE = "dnsbl-zone-unusable"
    MX_NONE = "mx-none"
    MX_NULL = "mx-null"
    # --- SPF and claims --------------------------------------------------------------------
    SPF_FAIL = "spf-fail"
    SPF_ERROR = "spf-permerror"
    AUTH_CLAIM_UNTRUSTED = "auth-claim-untrusted"
    AUTH_CLAIM_MISMATCH = "auth-claim-mismatch"
    # --- DKIM and ARC -------------------------------------------------------------------
    DKIM_FAIL = "dkim-fail"
    DKIM_BODY_MODIFIED = "dkim-body-modified"
    DKIM_HEADER_MODIFIED = "dkim-header-modified"
    DKIM_UNVERIFIABLE = "dkim-unverifiable"
    DKIM_NO_KEY = "dkim-no-key"
    DKIM_KEY_REVOKED = "dkim-key-revoked"
    DKIM_KEY_TESTING = "dkim-key-testing"
    DKIM_EXPIRED = "dkim-expired"
    DKIM_FUTURE_TIMESTAMP = "dkim-future-timestamp"
    DKIM_WEAK_ALGORITHM = "dkim-weak-algorithm"
    DKIM_IDENTITY_MISMATCH = "dkim-identity-mismatch"
    DKIM_UNSIGNED_BODY_CONTENT = "dkim-unsigned-body-content"
    DKIM_HEADER_DUPLICATED = "dkim-header-duplicated"
    DKIM_HISTORICAL_KEY = "dkim-historical-key-used"
    ARC_FAIL = "arc-fail"
    ARC_MODIFIED_IN_TRANSIT = "arc-modified-in-transit"
    ARC_SEAL_CV_FAIL = "arc-seal-cv-fail"
    ARC_NO_KEY = "arc-no-key"
    ARC_WEAK_KEY = "arc-weak-key"
    ARC_TIMESTAMP = "arc-timestamp"
    ARC_HISTORICAL_KEY = "arc-historical-key-used"
    # --- DMARC and the author (From) domain ------------------------------------------
    DMARC_FAIL = "dmarc-fail"
    DMARC_NO_POLICY = "dmarc-no-policy"
    DMARC_RECORD_INVALID = "dmarc-record-invalid"
    DMARC_TESTING = "dmarc-testing"
    DMARC_REPORT_URI_UNAUTHORIZED = "dmarc-report-uri-unauthorized"
    FROM_MISSING = "from-missing"
    FROM_MULTIPLE = "from-multiple"
    FROM_UNPARSEABLE = "from-unparseable"
    FROM_DISPLAY_NAME_ADDRESS = "from-display-name-address"
    # --- message content: URLs, look-alikes, header tricks, attachments ---------------------
    URL_TEXT_MISMATCH = "url-text-mismatch"
    URL_IP_LITERAL = "url-ip-literal"
    URL_IDN = "url-idn"
    URL_USERINFO = "url-userinfo"
    URL_OBFUSCATED = "url-obfuscated"
    URL_DANGEROUS_SCHEME = "url-dangerous-scheme"
    URL_LIMIT = "url-limit-reached"
    LOOKALIKE_DOMAIN = "lookalike-domain"
    DISPLAY_NAME_BRAND = "display-name-brand"
    REPLY_TO_OTHER_DOMAIN = "reply-to-other-domain"
    RETURN_PATH_OTHER_DOMAIN = "return-path-other-domain"
    SENDER_MISMATCH = "from-sender-mismatch"
    HEADER_BIDI = "header-bidi-control"
    HEADER_INVISIBLE = "header-invisible-character"
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
    CONTENT_PART_UNREADABLE = "content-part-unreadable"
    MIME_STRUCTURE_DEFECT = "mime-structure-defect"
    CONTENT_LIMIT = "content-limit-reached"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One observation about a message, with the evidence behind it.

    Parameters
    ----------
    code
        A stable :class:`FindingCode`.
    severity
        How much it matters (:class:`Severity`).
    where
        The place it was seen, for example ``"hop 3"``, ``"header 7 (Received)"``,
        ``"message"``.
    detail
        One human sentence.
    evidence
        The exact text or values the finding rests on, as ``(label, value)`` pairs.
    """

    code: FindingCode
    severity: Severity
    where: str
    detail: str
    evidence: tuple[tuple[str, str], ...] = ()
