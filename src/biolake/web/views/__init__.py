"""The pages of the web UI, one module per area (home, artifacts, files, lineage, code, registries, ...)."""
