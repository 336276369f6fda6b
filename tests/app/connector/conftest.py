"""A connector running on 127.0.0.1 (a free port) over a fresh archive, and an
httpx client that speaks to it the way the extension does."""
from __future__ import annotations

import httpx
import pytest

from archive import Archive
from app.connector import ConnectorAPI, ConnectorServer


class Running:
    """A started connector, what it told, and clients for it."""

    def __init__(self, archive: Archive, *, allow_private_hosts: bool) -> None:
        self.archive = archive
        self.changes: list[tuple[str, str]] = []
        self.api = ConnectorAPI(archive, allow_private_hosts=allow_private_hosts,
                                on_changed=lambda aid, what: self.changes.append((aid, what)))
        self.server = ConnectorServer(self.api, port=0).start()
        self.port = self.server.port
        self.base = self.server.url
        self.secret = self.server.secret.get()
        self.client = httpx.Client(base_url=self.base, timeout=30,
                                   headers={"Authorization": f"Bearer {self.secret}"})
        self.anonymous = httpx.Client(base_url=self.base, timeout=30)

    def close(self) -> None:
        self.client.close()
        self.anonymous.close()
        self.server.stop()


def _running(tmp_path, *, allow_private_hosts: bool):
    """A connector over a fresh archive in tmp_path, stopped after the test."""
    with Archive(tmp_path / "arch", seed=False, fetch=False) as archive:
        running = Running(archive, allow_private_hosts=allow_private_hosts)
        yield running
        running.close()


@pytest.fixture
def connector(tmp_path):
    """A connector that may fetch from 127.0.0.1 (the tests' web server lives there)."""
    yield from _running(tmp_path, allow_private_hosts=True)


@pytest.fixture
def strict_connector(tmp_path):
    """A connector as shipped: it refuses local and private addresses."""
    yield from _running(tmp_path, allow_private_hosts=False)
