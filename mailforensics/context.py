"""Context and Config: what every check is given instead of global state.

A :class:`Context` carries the DNS resolver (the one injected transport, as in httpx),
the clock (``now``) and the :class:`Config`. Checks never read the system clock or a
global resolver themselves: that is what makes a writeup re-runnable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from mailforensics.addresses import is_private_address, parse_ip
from mailforensics.errors import InputError

__all__ = ["Config", "Context"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(values: Sequence[str]) -> tuple[_Network, ...]:
    out: list[_Network] = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise InputError(f"not an IP network: {value!r}") from exc
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Site knowledge and thresholds.

    Parameters
    ----------
    trusted_networks
        CIDR blocks of the recipient's own relays (``("198.51.100.0/24",)``). A client
        address inside them is internal, so the trust boundary lies further down.
    trusted_relays
        Host names of the recipient's own relays, compared with a hop's reverse-DNS name
        (never with its HELO name, which the client chooses).
    internal_domains
        The recipient organisation's domains (``("example.net",)``). A receiving host
        inside them is the recipient's infrastructure.
    private_is_internal
        Treat private, loopback and link-local client addresses (RFC 1918, RFC 4193,
        RFC 6890) as internal when walking down from the top hop. Default True.
    clock_tolerance_s
        Clock drift allowed between hosts (seconds). A hop dated up to this much before
        the hop before it is reported at info level only (ordinary drift), beyond it as a
        warning; a hop up to this much after the analysis time, or a Date up to this much
        after the first hop or the oldest trusted hop, is not reported.
    long_delay_s
        A hop delay above this is reported (seconds).
    date_before_first_hop_s
        A Date header older than the first hop by more than this is reported (seconds).
    dnsbl_zones
        The DNS blocklists to consult: :class:`~mailforensics.reputation.dnsbl.DNSBLZone`
        records; ``None`` for :data:`~mailforensics.reputation.dnsbl.DEFAULT_ZONES`;
        ``()`` for none.
    dns_checks
        Run the DNS checks (authentication re-verification, PTR, FCrDNS, HELO, DNSBL, MX)
        in :func:`~mailforensics.analyze`. With False, analysis asks no DNS question and
        reports the headers only.
    dmarc_method
        ``"rfc9989"`` (DMARCbis DNS Tree Walk, default) or ``"rfc7489"`` (Public Suffix
        List, with PSD DMARC per RFC 9091).
    historical_keys
        A :class:`~mailforensics.resolvers.base.Resolver` (a ``ZoneResolver`` over zone
        text, or a ``ReplayResolver`` over an evidence file) holding DKIM/ARC key records
        of selectors that have since been rotated away. Its answers override DNS for the
        names it has records for, and results say the key came from there.
    """

    trusted_networks: tuple[str, ...] = ()
    trusted_relays: tuple[str, ...] = ()
    internal_domains: tuple[str, ...] = ()
    private_is_internal: bool = True
    clock_tolerance_s: float = 300.0
    long_delay_s: float = 6 * 3600.0
    date_before_first_hop_s: float = 2 * 86400.0
    dnsbl_zones: tuple[Any, ...] | None = None
    dns_checks: bool = True
    historical_keys: Any = None
    dmarc_method: str = "rfc9989"
    _nets: tuple[_Network, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.dmarc_method not in ("rfc9989", "rfc7489"):
            raise InputError(f"Config.dmarc_method must be 'rfc9989' or 'rfc7489', not {self.dmarc_method!r}")
        if self.dnsbl_zones is not None:
            object.__setattr__(self, "dnsbl_zones", tuple(self.dnsbl_zones))
        for name in ("trusted_networks", "trusted_relays", "internal_domains"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise InputError(f"Config.{name} takes a sequence of strings, not one string")
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "_nets", _networks(self.trusted_networks))

    def is_trusted_ip(self, ip: str | None) -> bool:
        """True if ``ip`` is in ``trusted_networks`` (or private/loopback, if so configured)."""
        addr = parse_ip(ip)
        if addr is None:
            return False
        if any(addr in net for net in self._nets):
            return True
        return self.private_is_internal and is_private_address(addr)

    def is_internal_host(self, name: str | None) -> bool:
        """True if ``name`` is a trusted relay or lies inside an internal domain."""
        if not name:
            return False
        host = name.lower().rstrip(".")
        if host in (r.lower().rstrip(".") for r in self.trusted_relays):
            return True
        for domain in self.internal_domains:
            d = domain.lower().strip(".")
            if host == d or host.endswith("." + d):
                return True
        return False


NowSpec = datetime | Literal["delivery"] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a check is given: the resolver, the clock and the configuration.

    Parameters
    ----------
    resolver
        A :class:`~mailforensics.resolvers.base.Resolver`; ``None`` means live DNS.
    now
        The time checks are judged at: an aware ``datetime``; ``"delivery"`` for the
        top hop's timestamp (as the receiver judged it); ``None`` for the system clock.
    config
        A :class:`Config`; ``None`` for the defaults.
    """

    resolver: Any = None
    now: NowSpec = None
    config: Config = field(default_factory=Config)

    def __init__(self, resolver: Any = None, now: NowSpec = None, config: Config | None = None) -> None:
        if isinstance(now, datetime) and now.tzinfo is None:
            raise InputError("Context(now=...) needs an aware datetime (with tzinfo)")
        if now is not None and not isinstance(now, datetime) and now != "delivery":
            raise InputError("Context(now=...) takes a datetime, 'delivery' or None")
        object.__setattr__(self, "resolver", resolver)
        object.__setattr__(self, "now", now)
        object.__setattr__(self, "config", config if config is not None else Config())

    @classmethod
    def offline(
        cls, evidence_path: str | os.PathLike[str], *, now: NowSpec = None, config: Config | None = None
    ) -> Context:
        """A context that answers DNS from an evidence file only (strict replay).

        No socket is ever opened: a question the evidence does not answer raises
        :class:`~mailforensics.errors.EvidenceMissing`.

        Parameters
        ----------
        evidence_path
            A DNS evidence file (JSON Lines) saved by a recording run.
        now, config
            As for :class:`Context`.
        """
        from mailforensics.resolvers.replay import ReplayResolver

        return cls(resolver=ReplayResolver(evidence_path), now=now, config=config)

    def get_resolver(self) -> Any:
        """The resolver to use: the one given, or a :class:`LiveResolver` made once."""
        if self.resolver is None:
            from mailforensics.resolvers.live import LiveResolver

            object.__setattr__(self, "resolver", LiveResolver())
        return self.resolver

    def current_time(self, delivery: datetime | None = None) -> datetime:
        """The time to judge at.

        Parameters
        ----------
        delivery
            The top hop's timestamp, used when ``now == "delivery"``; if that is None too,
            the system clock is used.
        """
        if isinstance(self.now, datetime):
            return self.now.astimezone(UTC)
        if self.now == "delivery" and delivery is not None:
            return delivery
        return datetime.now(UTC)
