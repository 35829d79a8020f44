"""The current user's handle: the OS user name (read once per process) unless ``BIOLAKE_USER`` is set."""

from __future__ import annotations

import getpass

import pytest


def test_biolake_user_wins_over_the_os_user_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from biolake.setup import settings as settings_module

    monkeypatch.delenv("BIOLAKE_USER", raising=False)
    settings_module._login_name.cache_clear()
    calls = []
    monkeypatch.setattr(getpass, "getuser", lambda: calls.append(1) or "os-user")
    assert settings_module.settings.user_handle == "os-user"
    assert settings_module.settings.user_handle == "os-user" and len(calls) == 1  # the account database is read once
    monkeypatch.setenv("BIOLAKE_USER", "alice")
    assert settings_module.settings.user_handle == "alice"
    settings_module._login_name.cache_clear()
