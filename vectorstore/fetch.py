"""Fetch a news page for ingest: http(s) only, few redirects, a size cap and a deadline,
and one line saying why for every way it can fail.

urllib's timeout bounds each network operation, not the whole fetch, so a server that
drips a byte at a time would never time out; reading stops at an overall deadline too.
Compressed answers are unpacked only up to the size cap (a small gzip can hold gigabytes).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from vectorstore.errors import FetchError

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
_SCHEMES = ("http", "https")
_USER_AGENT = "Mozilla/5.0 (compatible; newsqa article ingest)"
_READ_BYTES = 64 * 1024
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "zarsrc", "gidzl"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchedPage:
    """A page as the server sent it; `charset` is the one its Content-Type names, if any."""

    url: str
    final_url: str
    data: bytes
    charset: str = ""


def looks_like_url(text: str) -> bool:
    """Whether a command-line argument is meant as an address rather than a file."""
    return "://" in text


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise FetchError(f"{req.full_url}: redirects to {newurl!r}, which is not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """Only what an http(s) fetch needs: no file:, ftp: or data: handlers."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _Redirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_page(url: str, timeout_s: float, max_bytes: int) -> FetchedPage:
    """GET an HTML page; raises FetchError with a one-line reason naming the URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port checks that the port is a number
    except ValueError as exc:
        raise FetchError(f"{url}: not a valid web address ({exc})") from None
    if parts.scheme.lower() not in _SCHEMES:
        raise FetchError(f"{url}: only http:// and https:// addresses can be fetched")
    if not host:
        raise FetchError(f"{url}: not a web address (no host name)")
    deadline = time.monotonic() + timeout_s
    request = urllib.request.Request(
        url,
        headers={"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml", "Accept-Encoding": "identity"},
    )
    try:
        with _opener().open(request, timeout=timeout_s) as response:
            headers = response.headers
            _check_type(url, headers)
            data = _read_body(url, response, headers, max_bytes, deadline, timeout_s)
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: {_http_reason(exc)}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: {_network_reason(exc.reason, timeout_s)}") from None
    except OSError as exc:  # a timeout or reset while reading the answer
        raise FetchError(f"{url}: {_network_reason(exc, timeout_s)}") from None
    except http.client.HTTPException as exc:  # a malformed answer, or one cut short
        raise FetchError(f"{url}: the server's answer broke off or is malformed ({type(exc).__name__})") from None
    return FetchedPage(url=url, final_url=final_url, data=data, charset=headers.get_content_charset() or "")


def _check_type(url: str, headers: Message) -> None:
    kind = headers.get_content_type() if headers.get("Content-Type") else ""
    if kind and kind not in HTML_TYPES:
        raise FetchError(f"{url}: the server sent {kind}, not a web page (save the file and ingest it instead)")


def _read_body(
    url: str, response: http.client.HTTPResponse, headers: Message, max_bytes: int, deadline: float, timeout_s: float
) -> bytes:
    length = headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url}: {_too_large(int(length), max_bytes)}")
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"{url}: the server compressed the page as {encoding!r}, which cannot be read")
    # wbits 47: a gzip or a zlib header, whichever the stream has.
    unpack = None if encoding == "identity" else zlib.decompressobj(47)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: the page did not arrive within {timeout_s:g} s")
        raw = response.read1(_READ_BYTES)  # read() would wait for all of it, whatever the deadline
        if not raw:
            break
        if unpack is not None:
            try:
                raw = unpack.decompress(raw, max_bytes + 1 - size)
            except zlib.error:
                raise FetchError(f"{url}: the compressed page is damaged") from None
        chunks.append(raw)
        size += len(raw)
        if size > max_bytes:
            raise FetchError(f"{url}: {_too_large(size, max_bytes, at_least=True)}")
    if unpack is not None and not unpack.eof:
        raise FetchError(f"{url}: the compressed page is cut short")
    return b"".join(chunks)


def _too_large(size: int, max_bytes: int, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"{more}{size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit for one article "
        "(raise NEWSQA_MAX_ARTICLE_BYTES to ingest it)"
    )


def _http_reason(exc: urllib.error.HTTPError) -> str:
    if 300 <= exc.code < 400 and urlsplit(exc.url).scheme.lower() not in _SCHEMES:
        # urllib refuses some schemes itself, naming the target as the error's URL.
        return f"redirects to {exc.url!r}, which is not an http(s) address"
    if 300 <= exc.code < 400:
        return f"more than {MAX_REDIRECTS} redirects, or redirects in a loop"
    return f"the server answered HTTP {exc.code} {exc.reason}".rstrip()


def _network_reason(reason: object, timeout_s: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the address right, and the site up?)"
    if isinstance(reason, socket.gaierror):
        return "host not found (check the address, or the network)"
    if isinstance(reason, ssl.SSLError):
        return f"secure connection failed ({reason.reason or reason})"
    if isinstance(reason, ConnectionError):
        return f"connection lost ({type(reason).__name__})"
    detail = getattr(reason, "strerror", None) or str(reason)
    return f"unreachable ({' '.join(detail.split())})"


def canonical_url(claimed: str, fetched: str) -> str:
    """The address that names a fetched page: the canonical URL the page claims, if it is
    on the site it was fetched from (a page cannot claim another site's article, and so
    overwrite it), else the address fetched; without fragment or tracking parameters."""
    chosen = claimed if claimed and _same_site(claimed, fetched) else fetched
    parts = urlsplit(chosen)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _same_site(claimed: str, fetched: str) -> bool:
    a, b = (urlsplit(u) for u in (claimed, fetched))
    if a.scheme.lower() not in _SCHEMES or not a.hostname or not b.hostname:
        return False
    host_a, host_b = (h.lower().removeprefix("www.") for h in (a.hostname, b.hostname))
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)
