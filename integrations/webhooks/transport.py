"""One HTTP POST to a partner's endpoint, guarded against server-side request forgery.

A webhook URL is chosen by a partner: without care it would let them make the server
call its own network (the database, Redis, a cloud metadata service). So, unless the
development/test switches say otherwise (settings.WEBHOOKS_ALLOW_HTTP,
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, refused when DEBUG is off):

- https:// only, no user name or password in the URL;
- the host is resolved once, at send time, and refused if ANY of its addresses is not a
  public unicast address (private, loopback, link-local and so the metadata service
  169.254.169.254, shared CGNAT 100.64.0.0/10, multicast, reserved, unspecified,
  unique-local and so fd00:ec2::254, and IPv6 forms embedding such an IPv4 address:
  IPv4-mapped, 6to4, NAT64);
- the connection goes to that checked address, never re-resolved (a DNS answer that
  changes between the check and the connection, "DNS rebinding", cannot redirect it),
  with SNI and certificate verification for the URL's host name;
- redirects are not followed (a 3xx is a failed attempt), and at most
  WEBHOOKS_MAX_RESPONSE_BYTES of the response are read;
- one deadline per attempt, WEBHOOKS_TIMEOUT_SECONDS from its start, bounds all of it:
  connecting, the TLS handshake, sending, the status line and headers, the body. Every
  socket operation gets the time that remains as its time-out (a receiver trickling
  its headers a byte at a time cannot hold the worker longer); an attempt past the
  deadline is a failed attempt.
"""

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.connection import HTTPConnection, HTTPSConnection

# Public-looking (is_global) ranges that still reach somewhere they must not.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REFUSED_NETWORKS = [
    ipaddress.ip_network("100.64.0.0/10"),  # shared address space (CGNAT); not is_global, stated for clarity
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
    ipaddress.ip_network("169.254.169.254/32"),  # cloud metadata (link-local anyway)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6 (unique-local anyway)
]


class Refused(Exception):  # noqa: N818 - a refusal, not a programming error
    """The URL or its addresses may not be called. `str()` is for the delivery log."""


@dataclass
class Result:
    status_code: int | None
    duration_ms: int
    body: bytes = b""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address a webhook may be sent to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_is_public(embedded)
        if address.teredo:
            return False
    if any(address in network for network in _REFUSED_NETWORKS if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name as written in the URL (no brackets), for SNI, the certificate and Host
    port: int
    path: str  # path and query
    address: str  # the checked address connected to


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL that may be called, or Refused. No DNS."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(_("The URL is not valid.")) from error
    scheme = parts.scheme.lower()
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}
    if scheme not in allowed:
        raise Refused(_("Only https:// URLs may receive webhooks."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("The URL may not contain a user name or password."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(_("The URL has no host."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Check the URL, resolve its host once and check every address; Refused otherwise."""
    scheme, host, port, path = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(_("The host name could not be resolved.")) from error
    addresses = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        # Drop an IPv6 zone ("fe80::1%eth0"): it is link-local, refused below anyway.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(_("The host name could not be resolved."))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not address_is_public(address):
                raise Refused(_("The host resolves to a private, local or reserved address: refused."))
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


class _DeadlineMixin:
    """Each blocking socket call may take at most the time left before the attempt's
    deadline (a call's time-out bounds the whole call: CPython's recv, sendall and TLS
    handshake and read each keep one deadline). Past the deadline: TimeoutError."""

    deadline: float

    def _within_deadline(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("webhook attempt deadline passed")
        self.settimeout(remaining)


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    __slots__ = ("deadline",)

    def connect(self, address):
        self._within_deadline()
        return super().connect(address)

    def recv(self, *args):
        self._within_deadline()
        return super().recv(*args)

    def recv_into(self, *args):
        self._within_deadline()
        return super().recv_into(*args)

    def send(self, *args):
        self._within_deadline()
        return super().send(*args)

    def sendall(self, *args):
        self._within_deadline()
        return super().sendall(*args)


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    """The TLS socket over a _DeadlineSocket (SSLContext.sslsocket_class); a subclass
    per attempt carries its deadline."""

    def do_handshake(self, *args):
        self._within_deadline()
        return super().do_handshake(*args)

    def read(self, *args):
        self._within_deadline()
        return super().read(*args)

    def write(self, *args):
        self._within_deadline()
        return super().write(*args)

    def send(self, *args):
        self._within_deadline()
        return super().send(*args)


def _open_socket(connection, deadline: float) -> socket.socket:
    """The TCP connection to the checked address (an IP literal: no DNS here), as a
    _DeadlineSocket."""
    address = ipaddress.ip_address(connection._dns_host)
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = _DeadlineSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.deadline = deadline
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.connect((str(address), connection.port))
    except TimeoutError as error:
        sock.close()
        raise urllib3.exceptions.ConnectTimeoutError(connection, "Connection timed out.") from error
    except OSError as error:
        sock.close()
        raise urllib3.exceptions.NewConnectionError(connection, f"Failed to establish a connection: {error}") from error
    return sock


def _connection_classes(deadline: float):
    class DeadlineHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return _open_socket(self, deadline)

    class DeadlineHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return _open_socket(self, deadline)

    return DeadlineHTTPConnection, DeadlineHTTPSConnection


def post(url: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST `body`; never raises for the network's or the receiver's failures (they are
    the Result's `error`), nor for a refused URL. The whole attempt ends by
    WEBHOOKS_TIMEOUT_SECONDS after its start (the module's docstring)."""
    started = time.monotonic()
    seconds = settings.WEBHOOKS_TIMEOUT_SECONDS
    deadline = started + seconds

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    def failed(error: BaseException) -> Result:
        if time.monotonic() >= deadline:
            message = str(_("The receiver did not answer in time (%(seconds)s s for the whole attempt).")) % {
                "seconds": f"{seconds:g}"
            }
        else:
            message = _describe(error)
        return Result(status_code=None, duration_ms=elapsed(), error=message)

    try:
        target = resolve(url)
    except Refused as refusal:
        return Result(status_code=None, duration_ms=elapsed(), error=str(refusal))
    # urllib3's own time-outs are per socket call; the deadline sockets bound the total.
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    http_class, https_class = _connection_classes(deadline)
    if target.scheme == "https":
        context = ssl.create_default_context()  # certificate and host name verified
        context.sslsocket_class = type("AttemptSSLSocket", (_DeadlineSSLSocket,), {"deadline": deadline})
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            maxsize=1,
            retries=False,
            ssl_context=context,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
        pool.ConnectionCls = https_class
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, maxsize=1, retries=False)
        pool.ConnectionCls = http_class
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": _host_header(target)},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            received = _read_capped(response)
        finally:
            response.release_conn()
            response.close()
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return failed(error)
    finally:
        pool.close()
    result = Result(status_code=response.status, duration_ms=elapsed(), body=received)
    if 300 <= response.status < 400:
        result.error = str(_("Redirect not followed."))
    return result


def _read_capped(response) -> bytes:
    """At most WEBHOOKS_MAX_RESPONSE_BYTES (the deadline sockets bound the time)."""
    limit = settings.WEBHOOKS_MAX_RESPONSE_BYTES
    chunks, size = [], 0
    while size < limit:
        chunk = response.read(min(8192, limit - size), decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _describe(error: BaseException) -> str:
    # urllib3 2 makes NewConnectionError a ConnectTimeoutError: a refused connection is
    # told apart first, or the log would say "timed out" for it.
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        return str(_("Could not connect."))
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        return str(_("Connection timed out."))
    if isinstance(error, urllib3.exceptions.ReadTimeoutError | TimeoutError | socket.timeout):
        return str(_("The receiver did not answer in time."))
    if isinstance(error, urllib3.exceptions.SSLError | ssl.SSLError):
        return str(_("TLS error: %(error)s")) % {"error": str(error)[:300]}
    if isinstance(error, urllib3.exceptions.NewConnectionError | ConnectionError):
        return str(_("Could not connect."))
    return str(_("Network error: %(error)s")) % {"error": type(error).__name__}
