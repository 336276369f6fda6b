"""The browser connector: a small JSON API on 127.0.0.1 through which the browser
extension saves pages as the browser rendered them. No Qt here: the window and
`quire serve` run the same server (server.py) over the same endpoints (api.py)."""
from app.connector.api import ApiError, ConnectorAPI
from app.connector.secret import SecretFile, new_secret, read_secret
from app.connector.server import DEFAULT_PORT, ConnectorServer, PortInUseError

__all__ = ["ApiError", "ConnectorAPI", "ConnectorServer", "DEFAULT_PORT", "PortInUseError",
           "SecretFile", "new_secret", "read_secret"]
