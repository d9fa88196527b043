"""The URL fetcher (bot.ingest.fetch) against a real HTTP server on 127.0.0.1.

The production policy refuses loopback, so tests that expect a successful
fetch from the local server pass `LOOPBACK_ONLY`, a test-only policy.
"""

from __future__ import annotations

import functools
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest

import bot.ingest.fetch as fetch_module
from bot.ingest.fetch import FetchRefused, Fetched, fetch, public_address

SIX_MB = 6_000_000
HTML = b"<!doctype html><html><head><title>News</title></head><body>Hi</body></html>"
TEXT = b"plain news text\n"


def LOOPBACK_ONLY(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_loopback


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up on purpose (size or time limit)

    def _route(self) -> None:
        path = self.path
        if path == "/html":
            self._reply(200, "text/html; charset=UTF-8", HTML)
        elif path == "/xhtml":
            self._reply(200, "application/xhtml+xml", HTML)
        elif path == "/text":
            self._reply(200, "text/plain", TEXT)
        elif path == "/markdown":
            self._reply(200, 'text/markdown; charset="utf-8"', b"# News\n")
        elif path == "/pdf":
            self._reply(200, "application/pdf", b"%PDF-1.4 fake")
        elif path == "/no-type":
            self._reply(200, None, TEXT)
        elif path == "/big":
            self._reply(200, "text/html", b"x" * SIX_MB)
        elif path == "/stream-no-length":
            self._stream_until_closed(headers={})
        elif path == "/lying-length":
            # Claims a tiny body, then streams a huge one with chunked encoding.
            self._stream_until_closed(
                headers={"Content-Length": "10", "Transfer-Encoding": "chunked"},
                chunked=True,
            )
        elif path.startswith("/redirect/"):
            # /redirect/N answers with a chain of exactly N redirects.
            remaining = int(path.rsplit("/", 1)[1])
            target = "/html" if remaining <= 1 else f"/redirect/{remaining - 1}"
            self._redirect(target)
        elif path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/to-ftp":
            self._redirect("ftp://127.0.0.1/secret")
        elif path == "/slow":
            time.sleep(2.5)
            self._reply(200, "text/html", HTML)
        elif path == "/trickle":
            self._trickle()
        elif path == "/echo-host":
            self._reply(200, "text/plain", self.headers["Host"].encode())
        else:
            self._reply(404, "text/html", b"<h1>Not found</h1>")

    def _reply(self, status: int, content_type: str | None, body: bytes) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_until_closed(self, headers: dict[str, str], chunked: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"y" * 65_536
        for _ in range(SIX_MB // len(chunk) + 2):
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for _ in range(30):
            self.wfile.write(b"z")
            self.wfile.flush()
            time.sleep(0.1)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def refusal(url: str, **kwargs: object) -> str:
    with pytest.raises(FetchRefused) as caught:
        fetch(url, **kwargs)
    return str(caught.value)


# --- successful fetches (test-only loopback policy) ------------------------


def test_fetches_html_page(base_url: str) -> None:
    page = fetch(f"{base_url}/html", address_allowed=LOOPBACK_ONLY)
    assert isinstance(page, Fetched)
    assert page.url == f"{base_url}/html"
    assert page.final_url == f"{base_url}/html"
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.body == HTML
    parsed = datetime.fromisoformat(page.fetched_at.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
    assert parsed.microsecond == 0


@pytest.mark.parametrize(
    ("path", "content_type", "charset"),
    [
        ("/text", "text/plain", None),
        ("/xhtml", "application/xhtml+xml", None),
        ("/markdown", "text/markdown", "utf-8"),
    ],
)
def test_fetches_other_text_types(
    base_url: str, path: str, content_type: str, charset: str | None
) -> None:
    page = fetch(f"{base_url}{path}", address_allowed=LOOPBACK_ONLY)
    assert (page.content_type, page.charset) == (content_type, charset)
    assert page.body


def test_surrounding_whitespace_is_ignored(base_url: str) -> None:
    page = fetch(f"  {base_url}/text\n", address_allowed=LOOPBACK_ONLY)
    assert page.body == TEXT


def test_follows_redirect_chain_of_two(base_url: str) -> None:
    page = fetch(f"{base_url}/redirect/2", address_allowed=LOOPBACK_ONLY)
    assert page.url == f"{base_url}/redirect/2"
    assert page.final_url == f"{base_url}/html"
    assert page.body == HTML


def test_follows_exactly_max_redirects(base_url: str) -> None:
    page = fetch(f"{base_url}/redirect/3", address_allowed=LOOPBACK_ONLY)
    assert page.final_url == f"{base_url}/html"


def test_connects_to_vetted_address_and_sends_original_host(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is resolved once, and that answer is used.

    The fake resolver answers loopback on the first lookup and fails every
    later one, so the fetch only works if nothing resolves the name again.
    """
    port = int(base_url.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "news.example":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        if len(lookups) > 1:
            raise socket.gaierror("rebinding resolver: second lookup")
        return real_getaddrinfo("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    page = fetch(f"http://news.example:{port}/echo-host", address_allowed=LOOPBACK_ONLY)
    assert page.body == f"news.example:{port}".encode()
    assert page.final_url == f"http://news.example:{port}/echo-host"
    assert lookups == ["news.example"]


def test_pinned_request_keeps_name_for_host_header_and_tls() -> None:
    with httpx.Client() as client:
        request = fetch_module._pinned_request(
            client,
            httpx.URL("https://news.example:8443/a?b=1"),
            ipaddress.ip_address("93.184.216.34"),
            5.0,
        )
    assert request.url == httpx.URL("https://93.184.216.34:8443/a?b=1")
    assert request.headers["Host"] == "news.example:8443"
    assert request.extensions["sni_hostname"] == "news.example"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose certificate is for news.example only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
         "-subj", "/CN=news.example", "-addext", "subjectAltName=DNS:news.example",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    server_names: list[str] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, server_names
    server.shutdown()
    server.server_close()


@pytest.fixture
def trust_test_certificate(
    tls_server: tuple[int, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make fetch trust the test certificate and resolve *.example to loopback."""
    _port, cert, _names = tls_server
    verify = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(
        httpx, "HTTPTransport", functools.partial(httpx.HTTPTransport, verify=verify)
    )
    real_getaddrinfo = socket.getaddrinfo

    def resolve_example_to_loopback(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host.endswith(".example"):
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve_example_to_loopback)


@pytest.mark.usefixtures("trust_test_certificate")
def test_https_uses_original_name_for_sni_and_certificate(
    tls_server: tuple[int, Path, list[str]],
) -> None:
    port, _cert, server_names = tls_server
    page = fetch(f"https://news.example:{port}/echo-host", address_allowed=LOOPBACK_ONLY)
    assert page.body == f"news.example:{port}".encode()
    assert server_names[-1] == "news.example"


@pytest.mark.usefixtures("trust_test_certificate")
def test_https_refuses_certificate_for_another_name(
    tls_server: tuple[int, Path, list[str]],
) -> None:
    port, _cert, _names = tls_server
    message = refusal(f"https://other.example:{port}/html", address_allowed=LOOPBACK_ONLY)
    assert message == "could not fetch the page: the site's security certificate is not valid"


# --- refusals about content, size, status and time -------------------------


def test_refuses_pdf(base_url: str) -> None:
    assert refusal(f"{base_url}/pdf", address_allowed=LOOPBACK_ONLY) == (
        "that is not a web page or text"
    )


def test_refuses_missing_content_type(base_url: str) -> None:
    assert "not a web page" in refusal(f"{base_url}/no-type", address_allowed=LOOPBACK_ONLY)


def test_refuses_large_body_by_content_length(base_url: str) -> None:
    assert refusal(f"{base_url}/big", address_allowed=LOOPBACK_ONLY) == (
        "the page is larger than 5 MB"
    )


@pytest.mark.parametrize("path", ["/stream-no-length", "/lying-length"])
def test_refuses_large_body_without_honest_length(base_url: str, path: str) -> None:
    message = refusal(f"{base_url}{path}", address_allowed=LOOPBACK_ONLY)
    assert message == "the page is larger than 5 MB"


def test_max_bytes_is_configurable(base_url: str) -> None:
    assert refusal(
        f"{base_url}/html", address_allowed=LOOPBACK_ONLY, max_bytes=10
    ) == "the page is larger than 10 bytes"


def test_refuses_404_with_status(base_url: str) -> None:
    message = refusal(f"{base_url}/missing", address_allowed=LOOPBACK_ONLY)
    assert "404" in message


def test_refuses_slow_server(base_url: str) -> None:
    started = time.monotonic()
    message = refusal(f"{base_url}/slow", address_allowed=LOOPBACK_ONLY, timeout=1)
    assert message.startswith("could not fetch the page: ")
    assert time.monotonic() - started < 2


def test_deadline_covers_trickling_body(base_url: str) -> None:
    # Each byte arrives well within the read timeout; only the deadline stops it.
    started = time.monotonic()
    message = refusal(f"{base_url}/trickle", address_allowed=LOOPBACK_ONLY, timeout=1)
    assert message == "could not fetch the page: it took longer than 1 seconds"
    assert time.monotonic() - started < 2


def test_network_error_is_refused_briefly() -> None:
    # Grab a free port and close it so that nothing is listening there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = refusal(f"http://127.0.0.1:{port}/", address_allowed=LOOPBACK_ONLY)
    assert message == "could not fetch the page: could not connect to the site"


def test_unknown_host_is_refused() -> None:
    message = refusal("http://no-such-host.invalid/")
    assert message == "could not fetch the page: the site name was not found"


# --- refusals about redirects ----------------------------------------------


def test_refuses_redirect_chain_of_four(base_url: str) -> None:
    message = refusal(f"{base_url}/redirect/4", address_allowed=LOOPBACK_ONLY)
    assert message == "the page redirects too many times (more than 3)"


def test_refuses_redirect_to_metadata_address(base_url: str) -> None:
    message = refusal(f"{base_url}/to-metadata", address_allowed=LOOPBACK_ONLY)
    assert message == "that address points to a private or internal network"


@pytest.mark.parametrize("path", ["/to-file", "/to-ftp"])
def test_refuses_redirect_to_other_scheme(base_url: str, path: str) -> None:
    message = refusal(f"{base_url}{path}", address_allowed=LOOPBACK_ONLY)
    assert message == "only http(s) addresses can be fetched"


# --- refusals about the URL itself -----------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)", "gopher://x/"],
)
def test_refuses_non_http_schemes(url: str) -> None:
    assert refusal(url) == "only http(s) addresses can be fetched"


def test_refuses_userinfo() -> None:
    message = refusal("http://user:secret@example.com/")
    assert message == "addresses with a user name or password cannot be fetched"


@pytest.mark.parametrize("url", ["http:///path", "https://"])
def test_refuses_missing_host(url: str) -> None:
    assert refusal(url) == "the address has no host name"


# --- refusals about addresses (default policy) -----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",  # a host name that resolves to loopback
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://192.168.1.1:8080/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_default_policy_refuses_internal_addresses(url: str) -> None:
    assert refusal(url) == "that address points to a private or internal network"


def test_default_policy_refuses_local_server(base_url: str) -> None:
    message = refusal(f"{base_url}/html")
    assert message == "that address points to a private or internal network"


@pytest.mark.parametrize(
    "host", ["metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata"]
)
def test_refuses_metadata_name_without_lookup(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("must not resolve the metadata name")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    assert refusal(f"http://{host}/") == "that address belongs to an internal service"


def test_refuses_when_any_resolved_address_is_private(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def mixed_answer(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed_answer)
    message = refusal("https://mixed.example/")
    assert message == "that address points to a private or internal network"


# --- public_address ---------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("1.1.1.1", True),
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.255.255.254", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("172.31.255.255", False),
        ("172.32.0.1", True),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("100.127.255.255", False),
        ("0.0.0.0", False),
        ("0.1.2.3", False),
        ("::", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("ff02::1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("192.0.2.1", False),  # documentation range
        ("2001:db8::1", False),  # documentation range
    ],
)
def test_public_address(address: str, allowed: bool) -> None:
    assert public_address(ipaddress.ip_address(address)) is allowed
