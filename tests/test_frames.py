"""DataFrame contracts: declared columns and dtypes, empty or not."""

from __future__ import annotations

import pandas as pd
import pytest

from mailforensics import frames
from mailforensics.context import Context
from mailforensics.message import Message
from mailforensics.trace import trace

RAW = (
    b"Received: from mx1.example.net by store.example.net with LMTP id 1; Tue, 02 Jan 2024 10:00:09 +0000\n"
    b"Received: from mail.example.org (mail.example.org [203.0.113.5]) by mx1.example.net with ESMTPS id 2"
    b" for <bob@example.net>; Tue, 02 Jan 2024 10:00:05 +0000\n"
    b"Received: from x by y with SMTP id 3; Fri, 01 Jan 9999 00:00:00 +0000\n"
    b"From: a@example.org\n\nbody\n"
)


def check_schema(df: pd.DataFrame, table: str) -> None:
    schema = frames.SCHEMAS[table]
    assert list(df.columns) == list(schema)
    for column, dtype in schema.items():
        assert str(df[column].dtype) == dtype, (table, column, df[column].dtype)


@pytest.mark.parametrize("raw", [RAW, b"Subject: nothing\n\n"])
def test_every_frame_has_its_schema(raw: bytes) -> None:
    t = trace(Message.from_bytes(raw), ctx=Context())
    check_schema(t.hops, "hops")
    check_schema(t.envelope, "envelope")
    check_schema(t.headers, "headers")
    check_schema(t.findings, "findings")


def test_hops_values() -> None:
    t = trace(Message.from_bytes(RAW), ctx=Context())
    hops = t.hops
    assert hops["hop"].tolist() == [1, 2, 3]
    # a forged year 9999 fits (microsecond resolution) and shows as a future hop
    assert hops["timestamp"].iloc[0].year == 9999
    assert hops["delay_s"].dtype == "float64" and pd.isna(hops["delay_s"].iloc[0])
    assert hops["delay_s"].iloc[1] < 0  # signed
    assert hops["from_ip"].iloc[1] == "203.0.113.5"
    assert hops["tls"].iloc[1] == True  # noqa: E712 - nullable boolean
    assert hops["tls"].iloc[2] == False  # noqa: E712 - LMTP without TLS details: False, not NA
    assert hops["boundary"].tolist() == [False, True, False]
    assert "hop-in-future" in set(t.findings["code"])


def test_conform_extra_columns_first() -> None:
    df = frames.conform([{"code": "x", "message": "m#1"}], "findings", extra={"message": "string"})
    assert list(df.columns)[:2] == ["message", "code"]
    assert df["severity"].isna().all()
