"""Webhooks go out of the shop's network, never into it.

A URL staff type could name the database server, a cloud's metadata service
(169.254.169.254) or the admin page of a router: a webhook that posts there is a way in
for whoever can register one (server-side request forgery). So every address the host
name resolves to must be global — not private, loopback, link-local, shared, reserved or
multicast — and the post connects to the very address that was checked, so a DNS answer
that changes in between (rebinding) gains nothing. ``LEADCAPTURE_WEBHOOKS_ALLOW_PRIVATE``
lifts this (and allows plain http) for development and tests. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from ..errors import ValidationError
from ..i18n import gettext

MAX_URL = 2000
#: How much of an answer is read: its status is what counts.
MAX_ANSWER = 64 * 1024


class Refused(Exception):
    """The address is not one webhooks may go to: trying again cannot fix that."""


def checked_url(url: str | None, *, allow_private: bool) -> str:
    """``url`` as an endpoint may have it, or a :class:`ValidationError` on ``url``."""
    url = (url or "").strip()

    def refuse(message: str) -> ValidationError:
        return ValidationError.single("url", message)

    if len(url) > MAX_URL:
        raise refuse(gettext("At most %(count)s characters.", count=MAX_URL))
    try:
        parts = urlsplit(url)
        port = _port(parts)
    except ValueError as error:
        raise refuse(gettext("Give a full https:// address.")) from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise refuse(gettext("Give a full https:// address."))
    if parts.scheme == "http" and not allow_private:
        raise refuse(gettext("Webhooks are sent to https:// addresses only."))
    if parts.username is not None or parts.password is not None:
        raise refuse(
            gettext("Leave the user name and password out: the signature proves the sender.")
        )
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise refuse(gettext("An address has no spaces or control characters."))
    try:
        address_of(parts.hostname, port, allow_private=allow_private)
    except Refused as error:
        raise refuse(str(error)) from error
    except OSError:
        pass  # the name does not resolve now; each delivery checks again
    return url


def address_of(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``; :class:`Refused` if any it resolves to is
    not global (unless allowed). Raises :class:`OSError` if it does not resolve."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not allow_private:
        for address in addresses:
            seen = address
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                seen = address.ipv4_mapped
            if not seen.is_global or seen.is_multicast:
                raise Refused(
                    gettext(
                        "%(host)s is a private, loopback or link-local address (%(address)s):"
                        " webhooks are not sent inside the shop's network.",
                        host=host,
                        address=str(address),
                    )
                )
    return str(addresses[0])


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    address = ""

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTP`, and the certificate is checked against the host name."""

    address = ""

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float
) -> int:
    """POST ``body`` to ``url``; the answer's HTTP status. Raises :class:`Refused` for an
    address webhooks may not go to, :class:`OSError` or :class:`http.client.HTTPException`
    when no answer comes."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = _port(parts)
    if parts.scheme == "http" and not allow_private:
        raise Refused(gettext("Webhooks are sent to https:// addresses only."))
    pinned = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = pinned(host, port, timeout=timeout)
    connection.address = address_of(host, port, allow_private=allow_private)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER)
        return answer.status
    finally:
        connection.close()
