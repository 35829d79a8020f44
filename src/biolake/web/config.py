"""How a server was started: host, port, read-only or writable, the access token."""

from __future__ import annotations

import dataclasses
import ipaddress
import secrets
from typing import Any

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only accepts connections from this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclasses.dataclass(frozen=True)
class WebConfig:
    """The settings of one ``biolake serve``.

    Attributes:
        host: the address to bind; anything but a loopback address requires a token.
        port: the TCP port.
        writable: allow edits (description, labels, trash, restore); read-only otherwise.
        token: the secret a browser must present (``?token=...`` once, then a cookie); ``None``
            on loopback unless given.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    writable: bool = False
    token: str | None = None

    @classmethod
    def make(cls, host: str = "127.0.0.1", port: int = 8000, writable: bool = False, token: str | None = None) -> WebConfig:
        """A config with a fresh random token when ``host`` is not a loopback address and none was given."""
        if token is None and not is_loopback(host):
            token = secrets.token_urlsafe(24)
        return cls(host=host, port=port, writable=writable, token=token or None)

    @property
    def url(self) -> str:
        """The address to open in a browser (with the token, if any)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")


def current() -> WebConfig:
    """The config of the running server (kept in Django's settings, set by ``make_app``)."""
    from django.conf import settings

    config: Any = getattr(settings, "BIOLAKE_WEB", None)
    return config if isinstance(config, WebConfig) else WebConfig()
