"""The address of the client a request came from, for the login lock-out (django-axes:
settings.AXES_CLIENT_IP_CALLABLE).

Behind reverse proxies every request arrives from the nearest proxy, so REMOTE_ADDR
is the same for everyone. Each proxy appends the address it received the request from
to X-Forwarded-For; with TRUSTED_PROXY_COUNT proxies in front of the app, the client
is the TRUSTED_PROXY_COUNT-th address from the right. Addresses further left were
written by the client itself and are never believed: a client cannot pose as another
one, nor lock another one out. With no trusted proxy (the default: the app is reached
directly) the header is ignored.
"""

import ipaddress

from django.conf import settings


def client_ip_address(request) -> str | None:
    remote_address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_address
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) < proxies:
        # Not every trusted proxy was passed (a request from inside the network, or a
        # proxy that does not set the header): only the connection can be believed.
        return remote_address
    client = _address(forwarded[-proxies])
    # Our own proxy wrote something that is not an address: it is misconfigured.
    return client or remote_address


def _address(hop: str) -> str | None:
    """The address in one X-Forwarded-For entry, which some proxies write with a port
    ("203.0.113.7:51234", "[2001:db8::7]:51234")."""
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None
