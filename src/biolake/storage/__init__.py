"""Storage: where artifact bytes live, how they are named, hashed, moved and cached.

This package speaks fsspec and universal-pathlib only; it knows nothing of the
database. Its modules, each one idea:

- :mod:`biolake.storage.keys`      validate user keys (relative POSIX paths inside a root)
- :mod:`biolake.storage.paths`     build paths, normalize roots, find roots, suffixes
- :mod:`biolake.storage.hashing`   BLAKE3 hashes of files and folders
- :mod:`biolake.storage.transfer`  atomic upload, download, move and delete, with progress
- :mod:`biolake.storage.cache`     a local cache of remote files that notices remote changes
- :mod:`biolake.storage.tree`      render a folder as a rich tree
- :mod:`biolake.storage.upath`     the ``UPath`` factory; importing it adds ``UPath.view_tree``

Importing this package is cheap: it imports none of its modules (and so no fsspec).
"""
