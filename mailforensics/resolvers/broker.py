"""DNSBroker: one resolver shared by many processes, so that each question is asked once.

A batch (:func:`mailforensics.analyze_many`) runs its analyses in worker processes (a
process pool, or Dask workers). Each worker asking live DNS on its own would ask the same
questions again and again (a domain that sends 1,000 messages has its SPF, DMARC and key
records asked by every worker), and the evidence would hold one answer per worker,
possibly different ones. The broker keeps one
:class:`~mailforensics.resolvers.recording.RecordingResolver` in the parent process and
serves it to the workers:

- :class:`DNSBroker` (parent side) listens on a TCP socket, by default on loopback, with
  :mod:`multiprocessing.connection` and a random key (HMAC challenge on connect: only the
  holders of the key, which travels inside the pickled client, can ask); one thread per
  connected worker asks the recorder, which asks the real resolver once per question
  (two workers asking the same question at the same time wait for one answer);
- :class:`BrokerResolver` (worker side) is a picklable
  :class:`~mailforensics.resolvers.base.Resolver`: it connects on first use (again after a
  fork), keeps every answer it received, and hands out the recorder's original
  :class:`~mailforensics.resolvers.evidence.EvidenceRecord` through ``evidence_record`` so
  that an analysis in a worker shows the evidence exactly as the broker recorded it.

Exceptions the real resolver raises (``InputError`` for an unknown record type,
``EvidenceMissing`` from a strict replay) are sent back and raised in the worker.
"""

from __future__ import annotations

import contextlib
import os
import threading
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from mailforensics.resolvers.base import DNSAnswer, Resolver, normalize_name, normalize_rdtype
from mailforensics.resolvers.evidence import EvidenceRecord
from mailforensics.resolvers.recording import RecordingResolver

__all__ = ["BrokerResolver", "DNSBroker"]


class DNSBroker:
    """Serve ``resolver`` to other processes through :class:`BrokerResolver` clients.

    Parameters
    ----------
    resolver
        The resolver that really answers. A :class:`RecordingResolver` is used as is;
        anything else is wrapped in one, so every answer is kept as evidence
        (:attr:`records`) and asked once.
    host
        The address to listen on (default loopback). Workers on other machines (a Dask
        cluster) need an address they can reach.

    Examples
    --------
    >>> with DNSBroker(ZoneResolver.from_text(zone)) as broker:   # doctest: +SKIP
    ...     client = broker.client()        # picklable; give it to a worker process
    ...     client.query("example.com", "MX")
    """

    def __init__(self, resolver: Resolver, *, host: str = "127.0.0.1") -> None:
        self.recorder = resolver if isinstance(resolver, RecordingResolver) else RecordingResolver(resolver)
        self._authkey = os.urandom(32)
        self._listener = Listener((host, 0), authkey=self._authkey)
        self.address: tuple[str, int] = self._listener.address
        self._lock = threading.Lock()
        self._closed = False
        self._connections: list[Connection] = []
        #: questions received from workers (a worker asks each question at most once)
        self.requests = 0
        self._thread = threading.Thread(target=self._serve, name="mailforensics-dns-broker", daemon=True)
        self._thread.start()

    # --- parent side --------------------------------------------------------------------
    def client(self) -> BrokerResolver:
        """A picklable resolver that asks this broker."""
        return BrokerResolver(self.address, self._authkey, identity=self.recorder.identity)

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        """Every answer given, in the order first asked."""
        return self.recorder.records

    def close(self) -> None:
        """Stop listening and drop the connections (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections = list(self._connections)
        with contextlib.suppress(OSError):  # wake the accept() call up, then close the listening socket
            Client(self.address, authkey=self._authkey).close()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.close()

    def __enter__(self) -> DNSBroker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<DNSBroker {self.address[0]}:{self.address[1]} answers={len(self.recorder.records)}>"

    # --- serving ------------------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except Exception:  # a client that fails the challenge, or the listener closed
                if self._closed:
                    return
                continue
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._connections.append(conn)
            threading.Thread(
                target=self._handle, args=(conn,), name="mailforensics-dns-broker-conn", daemon=True
            ).start()

    def _handle(self, conn: Connection) -> None:
        try:
            while True:
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return
                if request is None:
                    return
                name, rdtype = request
                with self._lock:
                    self.requests += 1
                try:
                    self.recorder.query(name, rdtype)
                    reply: tuple[str, Any] = ("ok", self.recorder.evidence_record(name, rdtype))
                except Exception as exc:
                    reply = ("error", exc)
                try:
                    conn.send(reply)
                except (OSError, ValueError):
                    return
        finally:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()


class BrokerResolver:
    """A :class:`~mailforensics.resolvers.base.Resolver` that asks a :class:`DNSBroker`.

    Made by :meth:`DNSBroker.client`; picklable (the connection is opened in the process
    that uses it, on first use). Thread-safe. Every answer received is kept, so a
    question is sent to the broker at most once per process.
    """

    def __init__(self, address: tuple[str, int], authkey: bytes, *, identity: str = "broker") -> None:
        self.address: tuple[str, int] = (str(address[0]), int(address[1]))
        self._authkey = authkey
        self.identity = identity
        self._init_local()

    def _init_local(self) -> None:
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._pid = os.getpid()
        self._records: dict[tuple[str, str], EvidenceRecord] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"address": self.address, "authkey": self._authkey, "identity": self.identity}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.address = (str(state["address"][0]), int(state["address"][1]))
        self._authkey = state["authkey"]
        self.identity = state["identity"]
        self._init_local()

    def _ask(self, key: tuple[str, str]) -> EvidenceRecord:
        if self._conn is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._conn = Client(self.address, authkey=self._authkey)
        self._conn.send(key)
        status, value = self._conn.recv()
        if status == "error":
            raise value
        assert isinstance(value, EvidenceRecord)
        return value

    def query(self, name: str, rdtype: str) -> DNSAnswer:
        """The broker's answer to ``(name, rdtype)`` (asked once per process)."""
        key = (normalize_name(name), normalize_rdtype(rdtype))
        with self._lock:
            record = self._records.get(key)
            if record is None:
                record = self._records[key] = self._ask(key)
        return record.answer

    def evidence_record(self, name: str, rdtype: str) -> EvidenceRecord | None:
        """The broker's record for a question this process already asked, or None."""
        return self._records.get((normalize_name(name), normalize_rdtype(rdtype)))

    def close(self) -> None:
        """Close this process's connection (a later query reconnects)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                try:
                    self._conn.send(None)
                    self._conn.close()
                except OSError:
                    pass
            self._conn = None

    def __repr__(self) -> str:
        return f"<BrokerResolver {self.address[0]}:{self.address[1]} answers={len(self._records)}>"
