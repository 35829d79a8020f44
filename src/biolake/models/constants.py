"""Named values the registries share."""

from __future__ import annotations

MAIN_BRANCH = 1  # ``branch_id`` of records in use
TRASH_BRANCH = -1  # ``branch_id`` of records in the trash
ARCHIVE_BRANCH = 0  # ``branch_id`` of archived records (hidden, kept)
ALL_SPACE = 1  # ``space_id`` of the built-in space "all"
RUN_ARTIFACT_KIND = "__biolake_run__"  # ``kind`` of a run's environment and report: hidden from default queries
