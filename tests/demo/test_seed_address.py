"""`make run` serves where BIND/PORT say, and the demo seeding prints that address."""

import pytest
from django.core.management import CommandError

from demo.management.commands.seed_demo import address_to_open


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("127.0.0.1:8123", "http://127.0.0.1:8123/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("[::]:9000", "http://[::1]:9000/"),
        ("crm.local:8080", "http://crm.local:8080/"),
        ("8001", "http://127.0.0.1:8001/"),
    ],
)
def test_the_address_printed_is_the_one_served(bind, url):
    assert address_to_open(bind) == url


@pytest.mark.parametrize("bind", ["127.0.0.1:http", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:0"])
def test_a_bind_that_is_not_host_and_port_is_refused_clearly(bind):
    with pytest.raises(CommandError, match="is not host:port"):
        address_to_open(bind)
