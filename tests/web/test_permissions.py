"""Writes need --writable and a CSRF token; a non-loopback server needs its token; downloads go by uid."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import configure


def _csrf(client: Any, uid: str) -> str:
    client.get(f"/artifacts/{uid}/")
    return str(client.cookies["csrftoken"].value)


@pytest.fixture
def writable(web: dict[str, Any]) -> Any:
    from django.test import Client

    configure(writable=True)
    yield Client(enforce_csrf_checks=True)
    configure()


def test_read_only_refuses_writes(client: Any, web: dict[str, Any]) -> None:
    artifact = web["raw"]
    response = client.post(f"/artifacts/{artifact.uid}/description", {"description": "changed"})
    assert response.status_code == 403 and b"--writable" in response.content
    artifact.refresh_from_db()
    assert artifact.description != "changed"
    assert b"Save description" not in client.get(f"/artifacts/{artifact.uid}/").content


def test_writes_without_csrf_token_are_refused(writable: Any, web: dict[str, Any]) -> None:
    artifact = web["raw"]
    response = writable.post(f"/artifacts/{artifact.uid}/description", {"description": "forged"})
    assert response.status_code == 403 and b"CSRF" in response.content
    artifact.refresh_from_db()
    assert artifact.description != "forged"


def test_writable_edits_with_csrf(writable: Any, web: dict[str, Any]) -> None:
    import biolake as ln

    artifact = web["raw"]
    token = _csrf(writable, artifact.uid)
    post = lambda path, **data: writable.post(f"/artifacts/{artifact.uid}/{path}", {**data, "csrfmiddlewaretoken": token})  # noqa: E731
    assert post("description", description="<b>raw counts</b>").status_code == 302
    artifact.refresh_from_db()
    assert artifact.description == "<b>raw counts</b>"
    assert b"&lt;b&gt;raw counts&lt;/b&gt;" in writable.get(f"/artifacts/{artifact.uid}/").content
    assert post("labels", label="DMSO", action="add", feature="perturbation").status_code == 302
    assert list(artifact.ulabels.values_list("name", flat=True)) == ["DMSO"]
    assert artifact.labels.get("perturbation").get().name == "DMSO"
    assert post("labels", label="DMSO", action="remove").status_code == 302
    assert artifact.ulabels.count() == 0
    assert post("labels", label="no such label", action="add").status_code == 400
    assert post("trash").status_code == 302
    assert not ln.Artifact.filter(uid=artifact.uid).exists()
    assert b"in the trash" in writable.get(f"/artifacts/{artifact.uid}/").content
    assert post("restore").status_code == 302
    assert ln.Artifact.filter(uid=artifact.uid, is_latest=True).exists()


def test_non_loopback_server_needs_its_token(web: dict[str, Any]) -> None:
    from django.test import Client

    from biolake.web.config import WebConfig

    config = WebConfig.make(host="0.0.0.0")
    assert config.token and f"?token={config.token}" in config.url
    configure(host="0.0.0.0", token=config.token)
    try:
        client = Client(HTTP_HOST="lab-server.example:8000")
        assert client.get("/").status_code == 401
        assert client.get("/?token=wrong").status_code == 401
        assert client.get(f"/artifacts/{web['raw'].uid}/download").status_code == 401
        response = client.get(f"/artifacts/?token={config.token}&q=raw")
        assert response.status_code == 302 and response["Location"] == "/artifacts/?q=raw"  # token leaves the URL
        assert response.cookies["biolake_token"]["httponly"]
        assert client.get("/artifacts/?q=raw").status_code == 200  # the cookie now
        bearer = Client(HTTP_HOST="lab-server.example:8000", HTTP_AUTHORIZATION=f"Bearer {config.token}")
        assert bearer.get("/").status_code == 200
    finally:
        configure()


def test_loopback_server_refuses_other_host_names(client: Any) -> None:
    # a page elsewhere cannot rebind its name to 127.0.0.1 and read the instance
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/", HTTP_HOST="localhost:8000").status_code == 200


def test_download_by_uid(client: Any, web: dict[str, Any]) -> None:
    artifact = web["notes.md"]
    response = client.get(f"/artifacts/{artifact.uid}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"# Notes\n\nSome *markdown*.\n"
    assert response["Content-Disposition"] == 'attachment; filename="notes.md"'
    for url in ("/artifacts/..%2F..%2Fetc%2Fpasswd/download", "/artifacts/../../etc/passwd/download"):
        assert client.get(url).status_code == 404


def test_html_report_is_sandboxed(client: Any, web: dict[str, Any]) -> None:
    response = client.get(f"/artifacts/{web['report.html'].uid}/raw")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert b"QC report" in b"".join(response.streaming_content)
    image = client.get(f"/artifacts/{web['image.png'].uid}/raw")
    assert image["Content-Type"] == "image/png" and image["Content-Security-Policy"].startswith("sandbox;")
    assert client.get(f"/artifacts/{web['v1'].uid}/raw").status_code == 404  # parquet: download only
