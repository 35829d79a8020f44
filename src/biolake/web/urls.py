"""The URLconf of ``biolake serve``."""

from __future__ import annotations

from django.urls import path, re_path

from biolake.web.views import artifacts, code, diff, edit, errors, files, home, lineage, registries, search

UID = "<str:uid>"

urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search, name="search"),
    path("artifacts/", artifacts.artifact_list, name="artifacts"),
    path(f"artifacts/{UID}/", artifacts.artifact_page, name="artifact"),
    path(f"artifacts/{UID}/download", files.download, name="download"),
    path(f"artifacts/{UID}/raw", files.raw, name="raw"),
    path(f"artifacts/{UID}/description", edit.edit_description, name="edit-description"),
    path(f"artifacts/{UID}/labels", edit.edit_labels, name="edit-labels"),
    path(f"artifacts/{UID}/trash", edit.trash, name="trash"),
    path(f"artifacts/{UID}/restore", edit.restore, name="restore"),
    path("diff/", diff.diff_page, name="diff"),
    path("collections/", registries.collection_list, name="collections"),
    path(f"collections/{UID}/", registries.collection_page, name="collection"),
    path("transforms/", code.transform_list, name="transforms"),
    path(f"transforms/{UID}/", code.transform_page, name="transform"),
    path("runs/", code.run_list, name="runs"),
    path(f"runs/{UID}/", code.run_page, name="run"),
    re_path(r"^lineage/(?P<kind>[a-z]+)/(?P<uid>[A-Za-z0-9]+)\.json$", lineage.lineage_json, name="lineage-json"),
    path("lineage/<str:kind>/<str:uid>/", lineage.lineage_page, name="lineage"),
    path("registries/", registries.registry_index, name="registries"),
    path("registries/<str:name>/", registries.registry_list, name="registry"),
    path("registries/<str:name>/<str:uid>/", registries.record_page, name="record"),
]

handler404 = errors.not_found
handler500 = errors.server_error
