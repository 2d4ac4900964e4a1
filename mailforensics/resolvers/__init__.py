"""DNS resolvers: the one injected transport every check uses.

- :class:`LiveResolver` — real DNS via dnspython, DNSSEC status per answer;
- :class:`ZoneResolver` — zone-file text or a dict, in memory;
- :class:`RecordingResolver` — wraps another, keeps every answer as evidence;
- :class:`ReplayResolver` — serves an evidence file strictly, opens no socket.

The subpackage is named ``resolvers`` so that ``dns.*`` always means dnspython.
"""

from __future__ import annotations

from mailforensics.resolvers.base import DNSAnswer, Resolver
from mailforensics.resolvers.recording import RecordingResolver
from mailforensics.resolvers.replay import ReplayResolver
from mailforensics.resolvers.zone import ZoneResolver

__all__ = ["DNSAnswer", "LiveResolver", "RecordingResolver", "ReplayResolver", "Resolver", "ZoneResolver"]


def __getattr__(name: str) -> object:
    # LiveResolver pulls in dnspython's query machinery; load it on first use only.
    if name == "LiveResolver":
        from mailforensics.resolvers.live import LiveResolver

        return LiveResolver
    raise AttributeError(f"module 'mailforensics.resolvers' has no attribute {name!r}")
