"""Named values the registries share."""

from __future__ import annotations

MAIN_BRANCH = 1  # ``branch_id`` of records in use
TRASH_BRANCH = -1  # ``branch_id`` of records in the trash
RUN_ARTIFACT_KIND = "__biolake_run__"  # ``kind`` of a run's environment and report: hidden from default queries
