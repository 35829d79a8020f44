"""Every page renders on SQLite and PostgreSQL, with hostile input escaped; search; keyset pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from web_data import HOSTILE


def _ok(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return response.content.decode()


def test_every_page_renders(client: Any, web: dict[str, Any]) -> None:
    import biolake as ln
    from biolake.models.registries import all_registries
    from biolake.web.links import record_url, registry_path

    run = web["derived"].run
    pages = [
        "/", "/artifacts/", "/artifacts/?sort=key", "/artifacts/?sort=-size", "/artifacts/?all_versions=1",
        "/collections/", f"/collections/{web['collection'].uid}/", "/transforms/", f"/transforms/{run.transform.uid}/",
        "/runs/", f"/runs/{run.uid}/", "/registries/", "/search/?q=IFNG", "/search/",
        f"/lineage/artifact/{web['derived'].uid}/", f"/lineage/run/{run.uid}/", f"/lineage/transform/{run.transform.uid}/",
        f"/lineage/collection/{web['collection'].uid}/", f"/diff/?old={web['v0'].uid}&new={web['v1'].uid}",
    ]
    pages += [f"/artifacts/{a.uid}/" for a in ln.Artifact.objects.all()]  # run logs included
    for model in all_registries():
        pages.append(f"/registries/{registry_path(model)}/")
        pages += [record_url(r) for r in model.filter()[:3]]
    for url in pages:
        _ok(client, url)


def test_previews_of_each_kind(client: Any, web: dict[str, Any]) -> None:
    frame = _ok(client, f"/artifacts/{web['v1'].uid}/")
    assert "3 rows × 11 columns" in frame and "ENSG00000153563" in frame and "IFNG" in frame
    adata = _ok(client, f"/artifacts/{web['adata'].uid}/")
    assert "30 observations × 100 variables" in adata and "obs.cell_type" in adata
    assert f'<img class="thumb" src="/artifacts/{web["image.png"].uid}/raw"' in _ok(client, f"/artifacts/{web['image.png'].uid}/")
    markdown = _ok(client, f"/artifacts/{web['notes.md'].uid}/")
    assert 'class="highlight"' in markdown and "markdown" in markdown
    report = _ok(client, f"/artifacts/{web['report.html'].uid}/")
    assert f'<iframe class="report" sandbox src="/artifacts/{web["report.html"].uid}/raw"' in report
    assert "parent.document.title" not in report  # the stored HTML is never inlined


def test_artifact_page_shows_describe(client: Any, web: dict[str, Any]) -> None:
    page = _ok(client, f"/artifacts/{web['curated'].uid}/")
    for text in ("Dataset features", "My DataFrame schema", "perturbation", "cat[ULabel]", "temperature", "21.6",
                 ".cell_types", "bio.CellType", "T cell", "Versions", "Labels", "curate.py"):
        assert text in page, text
    versions = _ok(client, f"/artifacts/{web['v1'].uid}/")
    assert f'/diff/?old={web["v0"].uid}&amp;new={web["v1"].uid}' in versions


def test_hostile_text_is_escaped(client: Any, web: dict[str, Any]) -> None:
    for url in (f"/artifacts/{web['v0'].uid}/", f"/artifacts/{web['hostile'].uid}/", "/artifacts/?all_versions=1",
                f"/search/?q={HOSTILE}", f"/artifacts/?q={HOSTILE}"):
        page = _ok(client, url)
        assert HOSTILE not in page, url
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in _ok(client, f"/artifacts/{web['hostile'].uid}/")


def test_pages_carry_a_content_security_policy(client: Any, web: dict[str, Any]) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_search_across_registries(client: Any, web: dict[str, Any]) -> None:
    page = _ok(client, "/search/?q=IFNG")
    assert "/registries/ULabel/" in page and ">IFNG<" in page
    term = _ok(client, "/search/?q=T%20cell")
    assert "bio.CellType" in term and f"/registries/bio.CellType/{web['tcell'].uid}/" in term
    assert "rnaseq1.parquet" in _ok(client, "/search/?q=rnaseq1")


def test_term_page_shows_ontology_context(client: Any, web: dict[str, Any]) -> None:
    page = _ok(client, f"/registries/bio.CellType/{web['tcell'].uid}/")
    assert "CL:0000084" in page and "T-cell" in page  # ontology id, a synonym
    parents = page.split('id="parents"')[1].split("</section>")[0]
    assert "lymphocyte" in parents
    linked = page.split('id="linked-artifacts"')[1].split("</section>")[0]
    assert "my_curated_dataset.parquet" in linked and "cell_type" in linked
    lymphocyte = _ok(client, "/registries/bio.CellType/?q=lymphocyte")
    assert "lymphocyte" in lymphocyte


def test_artifact_filters(client: Any, web: dict[str, Any]) -> None:
    def keys(query: str) -> set[str]:
        page = _ok(client, f"/artifacts/?{query}")
        return {a.key for a in __import__("biolake").Artifact.filter() if a.key and f">{a.key}<" in page}

    assert keys("key_prefix=files/") == {"files/image.png", "files/notes.md", "files/log.txt", "files/report.html"}
    assert keys("suffix=.h5ad") == {"scrna/batch1.h5ad"}
    assert keys("label=IFNG") == {"my_curated_dataset.parquet"}
    assert keys("label=T%20cell") == {"my_curated_dataset.parquet"}
    assert keys("feature=temperature%3D21.6") == {"my_curated_dataset.parquet"}
    assert keys("q=counts") == {"raw/counts.parquet"}
    assert keys("since=2000-01-01&created_by=nobody") == set()
    assert "feature=value" in _ok(client, "/artifacts/?feature=nonsense")


def test_keyset_pagination_walks_every_artifact_once(client: Any, web: dict[str, Any], monkeypatch: Any) -> None:
    import re

    import biolake as ln
    from biolake.web import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 3)
    expected = {a.uid for a in ln.Artifact.filter()}
    for sort in ("-created_at", "key", "-size", "created_at"):
        seen: list[str] = []
        url = f"/artifacts/?all_versions=1&sort={sort}"
        while url:
            page = _ok(client, url)
            seen += re.findall(r'<td class="mono">([A-Za-z0-9]{20})</td>', page)
            nxt = re.search(r'<a class="next" href="([^"]+)"', page)
            url = nxt.group(1).replace("&amp;", "&") if nxt else ""
        assert sorted(seen) == sorted(expected), sort  # no row twice, none missing


def test_lineage_json_has_nodes_edges_and_transform(client: Any, web: dict[str, Any]) -> None:
    derived, raw = web["derived"], web["raw"]
    data = json.loads(_ok(client, f"/lineage/artifact/{derived.uid}.json"))
    ids = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    run, transform = derived.run, derived.run.transform
    assert set(ids) == {f"artifact:{derived.uid}", f"artifact:{raw.uid}", f"run:{run.uid}", f"transform:{transform.uid}"}
    assert ids[f"artifact:{derived.uid}"]["focus"] and ids[f"transform:{transform.uid}"]["url"] == f"/transforms/{transform.uid}/"
    edges = {(e["data"]["source"], e["data"]["target"]) for e in data["edges"]}
    assert (f"artifact:{raw.uid}", f"run:{run.uid}") in edges and (f"run:{run.uid}", f"artifact:{derived.uid}") in edges
    only = json.loads(_ok(client, f"/lineage/artifact/{derived.uid}.json?depth=0"))
    assert [n["data"]["id"] for n in only["nodes"]] == [f"artifact:{derived.uid}"]


def test_transform_source_is_highlighted(client: Any, web: dict[str, Any]) -> None:
    run = web["derived"].run
    page = _ok(client, f"/transforms/{run.transform.uid}/")
    source = page.split('id="source"')[1]
    assert 'class="highlight"' in source and '<span class="kn">import</span>' in source
    run_page = _ok(client, f"/runs/{run.uid}/")
    assert "lr" in run_page and "raw/counts.parquet" in run_page and "derived/top.parquet" in run_page


@pytest.mark.parametrize("url", ["/artifacts/nope/", "/runs/nope/", "/registries/NoSuch/", "/registries/ULabel/nope/",
                                 "/lineage/foo/abc/", "/diff/?old=a&new=b"])
def test_unknown_records_are_404(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert b"Not found" in response.content


def test_run_page_shows_the_runs_features(client: Any, web: dict[str, Any]) -> None:
    import biolake as ln

    ln.Feature(name="sequencer", dtype=str).save()
    run = web["derived"].run
    run.features.add_values({"sequencer": "NovaSeq <X>"})
    page = _ok(client, f"/runs/{run.uid}/")
    features = page.split("<h2>Features</h2>")[1].split("</section>")[0]
    assert "<dt>sequencer</dt><dd>NovaSeq &lt;X&gt;</dd>" in features  # escaped
