"""Where pentrack may send: webhook and peer URLs must be http(s) to public addresses.

Checked twice. When a URL is stored, its scheme and host are checked as written: an address
literal in any form a resolver accepts (`2130706433`, `0x7f.1`, `[::ffff:169.254.169.254]`) must
be public, and names that only ever mean this machine or its cloud metadata are refused. When
the worker sends, the name is resolved again and every address it resolves to must be public
(a name may be re-pointed after it was stored: DNS rebinding); the request then goes to the
address that was checked, with the name kept for the Host header and TLS.

`PENTRACK_ALLOW_PRIVATE_DESTINATIONS=true` lifts both checks, for development and tests whose
receivers run on 127.0.0.1.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.problems import Problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Names that resolve to this machine, a private zone or a cloud metadata service.
LOCAL_NAMES = frozenset({"localhost", "metadata", "metadata.google.internal", "instance-data"})
LOCAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


class DestinationNotAllowed(Problem):
    status = 422
    type = "destination-not-allowed"
    title = "Outbound URL not allowed"


class DestinationRefused(ValueError):
    """The destination is not one pentrack sends to (the reason is the message)."""


def _literal_address(host: str) -> IPAddress | None:
    """The address `host` spells, in any form a resolver would accept, or None for a name."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
            return None
        try:  # legacy IPv4 forms: 2130706433, 0x7f000001, 017700000001, 127.1
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise DestinationNotAllowed unless `url` may be stored as a destination."""
    try:
        _check(url, allow_private=allow_private)
    except DestinationRefused as exc:
        raise DestinationNotAllowed(f"{exc} ({url[:200]})") from exc


def _check(url: str, *, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("only http and https URLs are sent to")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise DestinationRefused("the URL names no host")
    if allow_private:
        return
    address = _literal_address(host)
    if address is not None and not _public(address):
        raise DestinationRefused(f"{address} is not a public address")
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        raise DestinationRefused(f"{host} names a local or private host")


@dataclass(frozen=True)
class Pinned:
    """A request target whose address was checked: send to `url`, naming `host`."""

    url: str
    host: str | None  # the Host header and TLS server name, when `url` carries an address
    port: int


def pin(url: str, *, allow_private: bool) -> Pinned:
    """Resolve `url`'s host now and check every address; DestinationRefused if any is not
    public. With private destinations allowed, the URL is used as it is."""
    _check(url, allow_private=allow_private)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return Pinned(url, None, port)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DestinationRefused(f"{host} does not resolve") from exc
    addresses = [_literal_address(str(info[4][0])) for info in infos]
    for address in addresses:
        if address is None or not _public(address):
            raise DestinationRefused(f"{host} resolves to {address}, not a public address")
    first = addresses[0]
    assert first is not None
    netloc = f"[{first}]:{port}" if first.version == 6 else f"{first}:{port}"
    return Pinned(parts._replace(netloc=netloc).geturl(), host, port)
