"""mailforensics.addresses.read_mailboxes: the common forms read directly give what
email.utils.getaddresses gives; the rest as mail clients read them."""

from __future__ import annotations

import random
from email.utils import getaddresses

import pytest

from mailforensics import addresses
from mailforensics.addresses import read_mailboxes

SIMPLE = [
    "alice@example.com",
    "<alice@example.com>",
    "Alice <alice@example.com>",
    "Alice  Liddell\t<alice.l+tag@mail.example.com>",
    '"Liddell, Alice" <alice@example.com>',
    '"" <alice@example.com>',
    "A.B. O'Neil <o'neil@example.org>",
    "x-y_z <a-b@sub-1.example.net>",
]


@pytest.mark.parametrize("value", SIMPLE)
def test_the_common_forms_are_read_directly_and_as_getaddresses_reads_them(value: str) -> None:
    assert addresses._SIMPLE_MAILBOX.fullmatch(value) is not None
    assert read_mailboxes(value).pairs == getaddresses([value])


def test_random_simple_forms_agree_with_getaddresses() -> None:
    rng = random.Random(7)
    atext = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
    pieces = [*atext, ".", " ", "\t", '"', "<", ">", "@", ",", "(", ")", ":", ";", "\\"]
    checked = 0
    for _ in range(20000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 24)))
        for candidate in (value, f"{value} <a.b@x.example>", f'"{value}" <a@x.example>', f"{value}@x.example"):
            if addresses._SIMPLE_MAILBOX.fullmatch(candidate) is None:
                continue
            checked += 1
            assert read_mailboxes(candidate).pairs == getaddresses([candidate]), candidate
    assert checked > 1000


def test_an_address_as_the_display_name_is_one_mailbox() -> None:
    read = read_mailboxes("billing@bank.example <collect@drop.example>")
    assert read.pairs == [("billing@bank.example", "collect@drop.example")]
    assert read.unquoted_at == ("billing@bank.example",)
    assert read_mailboxes("a@x.example, b@y.example").pairs == [("", "a@x.example"), ("", "b@y.example")]
