"""Render a local or remote folder as a rich tree with file counts per suffix.

Example output::

    /data/lake
    2 sub-directories & 5 files with suffixes '.csv', '.parquet'
    ├── .biolake/ (3 files: .parquet: 2, .csv: 1)
    │   ├── 3mAxR5zVnDyq0000.parquet
    │   ...
    └── raw/ (2 files: .csv: 2)

Folder counts include the files of their sub-folders. Hidden folders, including
the managed ``.biolake`` folder, are shown.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from biolake._logging import print_renderable
from biolake.errors import StorageError
from biolake.storage import _listing
from biolake.storage.paths import create_path, extract_suffix

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree
    from upath import UPath

__all__ = [
    "render_tree",
    "view_tree",
]


@dataclass
class _Folder:
    folders: dict[str, _Folder] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def suffix_counts(self) -> Counter[str]:
        counts = Counter(extract_suffix(name) for name in self.files)
        for folder in self.folders.values():
            counts.update(folder.suffix_counts())
        return counts

    def n_folders(self) -> int:
        return sum(1 + folder.n_folders() for folder in self.folders.values())


def render_tree(
    path: str | os.PathLike[str] | UPath, level: int = -1, limit: int = 40, show_files: bool = True
) -> Tree:
    """Return a rich tree of the folder at ``path``.

    Args:
        path: A local or remote folder (or file).
        level: How many folder levels to show below the root; -1 shows all.
        limit: At most this many entries per folder, then ``"... N more"``.
        show_files: List files, not only folders.

    Raises:
        StorageError: Nothing exists at ``path``.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.csv").write_text("x")
        >>> render_tree(d).children[0].label.plain
        'a.csv'
    """
    from rich.text import Text
    from rich.tree import Tree

    upath = create_path(path)
    if not _listing.is_dir(upath):
        if not _listing.exists(upath):
            raise StorageError(f"No file or folder at {str(upath)!r}; check the path.", path=str(upath))
        return Tree(Text(str(upath), style="bold"))
    root = _build(_listing.walk(upath, dirs=True))
    tree = Tree(_root_label(str(upath), root))
    _add_children(tree, root, 1, level, limit, show_files)
    return tree


def view_tree(
    path: str | os.PathLike[str] | UPath, level: int = -1, limit: int = 40, show_files: bool = True
) -> None:
    """Print the tree of :func:`render_tree`."""
    print_renderable(render_tree(path, level=level, limit=limit, show_files=show_files))


def _build(entries: list[_listing.Entry]) -> _Folder:
    root = _Folder()
    for entry in entries:
        *parents, name = entry.key.split("/")
        folder = root
        for part in parents:
            folder = folder.folders.setdefault(part, _Folder())
        if entry.is_dir:
            folder.folders.setdefault(name, _Folder())
        else:
            folder.files.append(name)
    return root


def _root_label(name: str, root: _Folder) -> Text:
    from rich.text import Text

    n_dirs, counts = root.n_folders(), root.suffix_counts()
    n_files = sum(counts.values())
    summary = f"{_plural(n_dirs, 'sub-directory', 'sub-directories')} & {_plural(n_files, 'file', 'files')}"
    suffixes = sorted(suffix for suffix in counts if suffix)
    if suffixes:
        summary += " with suffixes " + ", ".join(f"'{suffix}'" for suffix in suffixes)
    label = Text(name, style="bold")
    label.append("\n" + summary, style="dim")
    return label


def _add_children(node: Tree, folder: _Folder, depth: int, level: int, limit: int, show_files: bool) -> None:
    from rich.text import Text

    if 0 <= level < depth:
        return
    names: list[tuple[str, _Folder | None]] = [(name, folder.folders[name]) for name in sorted(folder.folders)]
    if show_files:
        names += [(name, None) for name in sorted(folder.files)]
    for name, child in names[: max(limit, 0)]:
        if child is None:
            node.add(Text(name))
            continue
        branch = node.add(_folder_label(name, child))
        _add_children(branch, child, depth + 1, level, limit, show_files)
    if len(names) > limit:
        node.add(Text(f"... {len(names) - max(limit, 0)} more", style="dim"))


def _folder_label(name: str, folder: _Folder) -> Text:
    from rich.text import Text

    counts = folder.suffix_counts()
    n_files = sum(counts.values())
    label = Text(name + "/", style="bold blue")
    if n_files == 0:
        label.append(" (empty)", style="dim")
        return label
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    detail = ", ".join(f"{suffix or 'no suffix'}: {count}" for suffix, count in ordered)
    label.append(f" ({_plural(n_files, 'file', 'files')}: {detail})", style="dim")
    return label


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
