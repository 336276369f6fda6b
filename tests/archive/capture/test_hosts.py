"""Fetches made on a caller's behalf (the browser connector's) reach public
addresses only: loopback, private, link-local and local names are refused
before any request is sent."""
from __future__ import annotations

import pytest

from archive.capture.fetch import Fetcher
from archive.capture.hosts import PrivateAddressError, is_public_ip, refuse_at_once


@pytest.mark.parametrize("address,public", [
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
    ("127.0.0.1", False), ("127.8.9.1", False), ("10.0.0.1", False), ("172.16.5.4", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("224.0.0.1", False), ("255.255.255.255", False), ("not-an-ip", False),
])
def test_which_addresses_are_public(address, public):
    assert is_public_ip(address) is public


@pytest.mark.parametrize("url", ["http://localhost/", "http://LOCALHOST.:8080/x", "http://app.localhost/",
                                 "http://127.0.0.1:9/", "http://[::1]/", "http://10.0.0.8/a",
                                 "http://2130706433/", "http://printer/"])
def test_local_names_and_addresses_are_refused_without_resolving(url):
    with pytest.raises(PrivateAddressError):
        refuse_at_once(url)


def test_public_names_pass_the_quick_check():
    refuse_at_once("https://example.com/a")
    refuse_at_once("http://93.184.215.14/")


def test_a_public_only_fetcher_sends_nothing_to_a_local_server(httpserver):
    httpserver.expect_request("/p").respond_with_data("<html><body><p>x</p></body></html>",
                                                      content_type="text/html")
    with Fetcher(public_only=True) as fetcher:
        with pytest.raises(PrivateAddressError, match="not a public web address"):
            fetcher.fetch(httpserver.url_for("/p"))
        with pytest.raises(PrivateAddressError):
            fetcher.fetch_bytes(f"http://localhost:{httpserver.port}/p")
    assert httpserver.log == []
    with Fetcher() as fetcher:  # the archive's own fetcher is unchanged
        assert fetcher.fetch(httpserver.url_for("/p")).status == 200
