"""Fetch a web page from a URL sent in the chat, to add it as an article.

Threat model: server-side request forgery (SSRF).  The bot runs inside our
network, so a URL such as ``http://169.254.169.254/`` (cloud metadata, which
hands out credentials), ``http://localhost:6379/`` or ``http://10.0.0.5/admin``
would make the bot reach services that the sender cannot reach themselves.
An attacker can also hide such a target behind a redirect, behind a DNS name
that resolves to a private address, or behind a name whose DNS answer changes
between our check and the connection (DNS rebinding).  A hostile but public
server can also try to exhaust us with huge, endless or very slow responses.

Defences, applied to the first URL and again to every redirect target:
only http(s) without credentials; every resolved address must pass
``address_allowed``; the connection goes to the vetted IP itself; redirects
are followed by hand and counted; one deadline covers the whole fetch; the
body is streamed with a size cap; only HTML and plain text are accepted.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator

import httpx

from ..errors import BotError

__all__ = ["FetchRefused", "Fetched", "fetch", "public_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOWED_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown"}
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Names that point at cloud metadata services without needing a special
# address, so they are refused before any DNS lookup is even attempted.
BLOCKED_HOSTNAMES = frozenset({"metadata.google.internal", "metadata"})

# Spelled out rather than relying only on ipaddress's is_private/is_global,
# whose exact coverage has changed between Python versions.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT, often internal in clouds
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes 169.254.169.254 metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)

# IPv6 prefixes that carry an IPv4 address which the network may reach for us.
NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")

USER_AGENT = "lianghui-bot/0.1 (article fetcher)"
ACCEPT = (
    "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1"
)


class FetchRefused(BotError):
    """The page was not fetched; str(error) is one line fit to show the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str  # e.g. "text/html"
    charset: str | None
    body: bytes
    fetched_at: str  # ISO 8601 UTC, seconds


def public_address(address: IPAddress) -> bool:
    """Whether an address is on the public internet and thus safe to fetch from."""
    if isinstance(address, ipaddress.IPv6Address):
        # These IPv6 forms end up at the embedded IPv4 address, so judge that.
        if address.ipv4_mapped is not None:
            return public_address(address.ipv4_mapped)
        if address in NAT64_NETWORK:
            return public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None and not public_address(address.sixtofour):
            return False
    if any(address in network for network in BLOCKED_NETWORKS):
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def fetch(
    url: str,
    *,
    max_bytes: int = 5_000_000,
    timeout: float = 15.0,
    max_redirects: int = 3,
    address_allowed: Callable[[IPAddress], bool] = public_address,
) -> Fetched:
    """Fetch an HTML or text page from an untrusted URL, or raise FetchRefused."""
    deadline = time.monotonic() + timeout
    current = _parse_url(url.strip())
    redirects_followed = 0
    while True:
        addresses = _vetted_addresses(current, address_allowed, deadline, timeout)
        with _pinned_response(current, addresses, deadline, timeout) as response:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                if redirects_followed >= max_redirects:
                    raise FetchRefused(
                        f"the page redirects too many times (more than {max_redirects})"
                    )
                redirects_followed += 1
                current = _parse_url(_join(current, location))
                continue
            if not 200 <= response.status_code < 300:
                raise FetchRefused(
                    f"the site answered with HTTP status {response.status_code}"
                )
            content_type, charset = _parse_content_type(
                response.headers.get("content-type", "")
            )
            if content_type not in ALLOWED_CONTENT_TYPES:
                raise FetchRefused("that is not a web page or text")
            body = _read_body(response, max_bytes, deadline, timeout)
            return Fetched(
                url=url,
                final_url=str(current),
                content_type=content_type,
                charset=charset,
                body=body,
                fetched_at=datetime.now(timezone.utc)
                .isoformat(timespec="seconds")
                .replace("+00:00", "Z"),
            )


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchRefused("that does not look like a valid web address") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise FetchRefused("only http(s) addresses can be fetched")
    if parsed.userinfo:
        raise FetchRefused("addresses with a user name or password cannot be fetched")
    if not parsed.host:
        raise FetchRefused("the address has no host name")
    return parsed


def _join(base: httpx.URL, location: str) -> str:
    try:
        return str(base.join(location))
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchRefused("the page redirects to an invalid address") from None


def _hostname(url: httpx.URL) -> str:
    # raw_host is the ASCII (IDNA/punycode) form that DNS and TLS expect.
    return url.raw_host.decode("ascii")


def _vetted_addresses(
    url: httpx.URL,
    address_allowed: Callable[[IPAddress], bool],
    deadline: float,
    timeout: float,
) -> list[IPAddress]:
    hostname = _hostname(url)
    if hostname.lower().rstrip(".") in BLOCKED_HOSTNAMES:
        raise FetchRefused("that address belongs to an internal service")
    addresses = _resolve(hostname, url.port or _default_port(url), deadline, timeout)
    # One bad address is enough to refuse: otherwise an attacker could publish
    # a public and a private address and hope we connect to the private one.
    if not all(address_allowed(address) for address in addresses):
        raise FetchRefused("that address points to a private or internal network")
    return addresses


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _resolve(host: str, port: int, deadline: float, timeout: float) -> list[IPAddress]:
    # getaddrinfo cannot be given a timeout, and a slow resolver can take far
    # longer than our budget, so the lookup runs in a daemon thread that we
    # simply stop waiting for once the deadline has passed.
    outcome: dict[str, object] = {}

    def look_up() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            outcome["error"] = error

    lookup = threading.Thread(target=look_up, name="fetch-dns", daemon=True)
    lookup.start()
    lookup.join(_remaining(deadline, timeout))
    if lookup.is_alive():
        raise _took_too_long(timeout)
    if "error" in outcome or not outcome.get("infos"):
        raise FetchRefused("could not fetch the page: the site name was not found")
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in outcome["infos"]:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@contextmanager
def _pinned_response(
    url: httpx.URL, addresses: list[IPAddress], deadline: float, timeout: float
) -> Iterator[httpx.Response]:
    """GET `url` from one of its vetted addresses; yield the streaming response."""
    # A fresh client per hop so that no pooled connection made for one host
    # name (and its TLS session) is ever reused for another one.
    # trust_env=False: an HTTP(S)_PROXY from the environment would make the
    # proxy resolve the name again and defeat the address pinning.
    with httpx.Client(
        transport=httpx.HTTPTransport(retries=0),
        trust_env=False,
        follow_redirects=False,
    ) as client:
        response = _send_to_first_reachable(client, url, addresses, deadline, timeout)
        try:
            yield response
        finally:
            response.close()


def _send_to_first_reachable(
    client: httpx.Client,
    url: httpx.URL,
    addresses: list[IPAddress],
    deadline: float,
    timeout: float,
) -> httpx.Response:
    # Try the vetted addresses in resolver order, as browsers do, so that a
    # host whose IPv6 address is unreachable from here still works.
    last_error: httpx.ConnectError | None = None
    for address in addresses:
        request = _pinned_request(client, url, address, _remaining(deadline, timeout))
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as error:
            last_error = error
        except httpx.HTTPError as error:
            raise _network_error(error) from error
    raise _network_error(last_error) from last_error


def _pinned_request(
    client: httpx.Client, url: httpx.URL, address: IPAddress, timeout: float
) -> httpx.Request:
    """Build a request that connects to `address` but is otherwise for `url`.

    Why this way: letting httpx connect to the host name would make it resolve
    the name a second time, and a rebinding DNS server could then answer with
    a private address.  Putting the vetted IP into the URL makes httpcore
    connect to exactly that address with its stock transport; the original
    name still goes out in the Host header, and httpcore's documented
    "sni_hostname" request extension makes TLS send that name as SNI and
    verify the certificate against it, so HTTPS stays fully checked.
    """
    return client.build_request(
        "GET",
        url.copy_with(host=str(address)),
        headers={
            "Host": url.netloc.decode("ascii"),
            "User-Agent": USER_AGENT,
            "Accept": ACCEPT,
            # Compressed bodies could expand enormously in a single chunk
            # before the size cap sees them; pages are small enough without.
            "Accept-Encoding": "identity",
        },
        extensions={"sni_hostname": _hostname(url)},
        # Each phase (connect, each read, ...) may use what is left of the
        # overall budget; the deadline checks bound the sum of them.
        timeout=timeout,
    )


def _parse_content_type(header: str) -> tuple[str, str | None]:
    media_type, *parameters = header.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media_type.strip().lower(), charset


def _read_body(
    response: httpx.Response, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    declared_length = response.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    try:
        # Content-Length may be missing or lie, so count what really arrives.
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(max_bytes)
            # A server trickling bytes never trips the read timeout; only the
            # overall deadline stops it.
            if time.monotonic() > deadline:
                raise _took_too_long(timeout)
    except httpx.HTTPError as error:
        raise _network_error(error) from error
    return bytes(body)


def _too_large(max_bytes: int) -> FetchRefused:
    return FetchRefused(f"the page is larger than {_human_size(max_bytes)}")


def _remaining(deadline: float, timeout: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _took_too_long(timeout)
    return remaining


def _took_too_long(timeout: float) -> FetchRefused:
    return FetchRefused(
        f"could not fetch the page: it took longer than {timeout:g} seconds"
    )


def _network_error(error: Exception | None) -> FetchRefused:
    # Map to a short fixed reason: raw exception text is long, technical and
    # may echo internal details back to the chat.
    if isinstance(error, httpx.TimeoutException):
        reason = "the site took too long to answer"
    elif isinstance(error, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(
        error
    ):
        reason = "the site's security certificate is not valid"
    elif isinstance(error, httpx.ConnectError):
        reason = "could not connect to the site"
    elif isinstance(error, (httpx.RemoteProtocolError, httpx.DecodingError)):
        reason = "the site sent a broken response"
    else:
        reason = "a network error occurred"
    return FetchRefused(f"could not fetch the page: {reason}")


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    if size >= 1_000:
        return f"{size / 1_000:g} kB"
    return f"{size} bytes"
