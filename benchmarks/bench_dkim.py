"""Benchmark: ``mailforensics.auth.dkim.verify`` against plain dkimpy on the same messages.

1. Generates an RSA-2048 key (``cryptography``) and an Ed25519 key (PyNaCl), and signs
   N messages with each using dkimpy's ``dkim.sign`` (relaxed/relaxed, a few KB of body,
   realistic headers including Received fields).
2. Serves both key records from an in-memory ``ZoneResolver``.
3. Times, in the same run and interleaved (best of REPEATS):
   - ``dkimpy``: ``dkim.verify(raw, dnsfunc=...)`` with the TXT record handed over from a
     dict (the floor: no resolver at all);
   - ``dkimpy+resolver``: the same through the project's resolver
     (``_dkimdns.dnsfunc_for``), i.e. what plain dkimpy costs inside this toolkit;
   - ``mf.dkim.verify``: the detailed verifier (every check, body hash and signature
     independently, ``DKIMResult`` records).

No assertions on time: it prints a table with totals, µs per message and the ratio
against the dkimpy floor (goal: ≤ 1.2×). Run:

    .venv/bin/python benchmarks/bench_dkim.py [N]
"""

from __future__ import annotations

import base64
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import dkim
import nacl.encoding
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailforensics.auth import _dkimdns
from mailforensics.auth import dkim as mf_dkim
from mailforensics.context import Context
from mailforensics.resolvers.zone import ZoneResolver

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
REPEATS = 5
DOMAIN = "bench.example"
NOW = datetime.now(UTC)

BODY_PARAGRAPH = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n"
    "incididunt ut labore et dolore magna aliqua.  Ut enim ad minim veniam, quis \r\n"
    "nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.\r\n\r\n"
)


def message(i: int) -> bytes:
    """One unsigned message of about 3 KB with the usual header fields."""
    headers = [
        f"Received: from mx{i % 7}.sender.example (mx{i % 7}.sender.example [192.0.2.{i % 250}])\r\n"
        f"\tby mx.receiver.example with ESMTPS id Q{i:08d}; Mon, 6 May 2024 12:{i % 60:02d}:00 +0000",
        "Received: from internal.sender.example by mx.sender.example; Mon, 6 May 2024 11:59:00 +0000",
        f"From: Sender {i} <sender{i}@{DOMAIN}>",
        f"To: rcpt{i}@receiver.example",
        f"Subject: Quarterly report number {i}",
        "Date: Mon, 6 May 2024 11:58:00 +0000",
        f"Message-ID: <{i}.bench@{DOMAIN}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    body = f"Hello {i},\r\n\r\n" + BODY_PARAGRAPH * 10
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def keys() -> tuple[bytes, str, bytes, str]:
    """(RSA private PEM, RSA key record, Ed25519 private base64, Ed25519 key record)."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    spki = rsa_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    rsa_record = "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()
    ed = nacl.signing.SigningKey.generate()
    ed_private = ed.encode(encoder=nacl.encoding.Base64Encoder)
    ed_record = "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(ed.verify_key)).decode()
    return pem, rsa_record, ed_private, ed_record


def signed(messages: list[bytes], selector: bytes, private: bytes, algorithm: bytes) -> list[bytes]:
    out = []
    for raw in messages:
        sig = dkim.sign(
            raw,
            selector,
            DOMAIN.encode(),
            private,
            signature_algorithm=algorithm,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"],
        )
        out.append(sig + raw)
    return out


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    pem, rsa_record, ed_private, ed_record = keys()
    records = {f"rsa._domainkey.{DOMAIN}.": rsa_record, f"ed._domainkey.{DOMAIN}.": ed_record}
    zone = ZoneResolver.from_dict({name: {"TXT": [rec]} for name, rec in records.items()})
    ctx = Context(resolver=zone, now=NOW)
    plain_records = {name.encode(): rec.encode() for name, rec in records.items()}

    def dict_dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        return plain_records.get(name)

    base = [message(i) for i in range(N)]
    sets = {
        "rsa-sha256 (2048)": signed(base, b"rsa", pem, b"rsa-sha256"),
        "ed25519-sha256": signed(base, b"ed", ed_private, b"ed25519-sha256"),
    }

    rows = []
    for label, msgs in sets.items():
        # Correctness first: same verdicts everywhere.
        assert all(dkim.verify(m, dnsfunc=dict_dnsfunc) for m in msgs)
        assert all(r.result == "pass" for m in msgs for r in mf_dkim.verify(m, ctx=ctx))

        def run_dkimpy(msgs: list[bytes] = msgs) -> None:
            for m in msgs:
                dkim.verify(m, dnsfunc=dict_dnsfunc)

        def run_dkimpy_resolver(msgs: list[bytes] = msgs) -> None:
            for m in msgs:
                dkim.verify(m, dnsfunc=_dkimdns.dnsfunc_for(ctx, []))

        def run_mf(msgs: list[bytes] = msgs) -> None:
            for m in msgs:
                mf_dkim.verify(m, ctx=ctx)

        run_mf()  # warm caches (the parsed-key memo), as in a batch
        t_floor = best(run_dkimpy)
        t_res = best(run_dkimpy_resolver)
        t_mf = best(run_mf)
        rows.append((label, "dkimpy (dict dnsfunc)", t_floor, t_floor))
        rows.append((label, "dkimpy + resolver", t_res, t_floor))
        rows.append((label, "mf.dkim.verify", t_mf, t_floor))

    print(f"DKIM verification, {N} messages per set, best of {REPEATS}\n")
    print(f"{'set':<20} {'verifier':<24} {'total s':>9} {'µs/msg':>9} {'ratio':>7}")
    print("-" * 73)
    for label, name, total, floor in rows:
        print(f"{label:<20} {name:<24} {total:>9.4f} {total / N * 1e6:>9.1f} {total / floor:>6.2f}×")


if __name__ == "__main__":
    main()
