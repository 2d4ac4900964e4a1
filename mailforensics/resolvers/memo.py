"""Results of DNS checks kept per resolver, with the evidence each one used.

A mailbox export asks the same checks again and again: the forward-confirmed rDNS of a
provider's outbound relay, that relay's blocklist listings, the recipient domain's MX.
Their DNS answers are cached already (the analysis's recorder, the batch's broker), but
over a replay, building the result from the answers costs more than the answers do.
A check's result is a function of its arguments and of the answers its resolver gives,
so :class:`CheckMemo` keeps it per resolver. The answers the check used are kept with
it and merged into the asking analysis's recorder, so that every analysis's evidence is
what a fresh run would have recorded and replays on its own.

Bounded (least recently used entries go first), and an entry stands for ``ttl_s``
seconds: a live resolver's answers change (a relay listed mid-run), a replay's do not.
No library offers a memo keyed by resolver identity that also carries evidence records,
hence this module.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from mailforensics.context import Context
from mailforensics.resolvers.evidence import EvidenceRecord
from mailforensics.resolvers.recording import RecordingResolver

__all__ = ["CheckMemo"]

_T = TypeVar("_T")

_Entry = tuple[Any, tuple[EvidenceRecord, ...], float]


class CheckMemo:
    """Check results per resolver, each with the evidence records it used.

    Parameters
    ----------
    max_entries
        Results kept per resolver; the least recently used go first.
    ttl_s
        Seconds a result stands (monotonic clock).

    Notes
    -----
    Thread-safe. Two threads computing the same key at once both compute it; the results
    are equal, the second one is kept.
    """

    def __init__(self, *, max_entries: int = 4096, ttl_s: float = 600.0) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._tables: weakref.WeakKeyDictionary[Any, OrderedDict[Hashable, _Entry]] = weakref.WeakKeyDictionary()

    def get(
        self,
        key: Hashable,
        compute: Callable[[Context], _T],
        *,
        ctx: Context,
        recorder: RecordingResolver,
    ) -> _T:
        """The result of ``compute`` for ``key`` through ``ctx``'s resolver.

        Parameters
        ----------
        key
            Everything the result depends on besides the DNS answers (the check's
            arguments, its ``where``, the configuration it reads).
        compute
            Runs the check given a context whose resolver records into ``recorder``.
        ctx
            The analysis's context: its resolver (``ctx.get_resolver()``, not the
            recorder) is what the memo is kept per; its clock and configuration are
            passed on.
        recorder
            The analysis's recorder: a result from the memo has its records merged into
            it, a computed one records there as it is computed.

        Returns
        -------
        The check's result.
        """
        resolver = ctx.get_resolver()
        now = time.monotonic()
        try:
            with self._lock:
                table = self._tables.get(resolver)
                if table is None:
                    table = self._tables[resolver] = OrderedDict()
                entry = table.get(key)
                if entry is not None:
                    table.move_to_end(key)
        except TypeError:  # a resolver that cannot be weakly referenced, or an unhashable key
            return compute(Context(resolver=recorder, now=ctx.now, config=ctx.config))
        if entry is not None and entry[2] > now:
            recorder.merge(entry[1])
            return entry[0]
        # A recorder over the analysis's recorder: it records the answers this check
        # used (those the analysis had already asked included) and passes each question
        # on, so the analysis records them too, in the order they are asked.
        probe = RecordingResolver(recorder)
        result = compute(Context(resolver=probe, now=ctx.now, config=ctx.config))
        with self._lock:
            table[key] = (result, probe.records, now + self.ttl_s)
            table.move_to_end(key)
            while len(table) > self.max_entries:
                table.popitem(last=False)
        return result

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._tables = weakref.WeakKeyDictionary()
