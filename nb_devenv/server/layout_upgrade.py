"""Bringing a data directory written by an older nb_devenv up to today's layout.

Layout 1 (nb_devenv 0.1.0) kept EVS disks in ``evs/<instance>/`` and OBS buckets in
``obs/<bucket>/``, one tree shared by every project, so one project's instance could read
another's files. Layout 2 gives each project its own tree: ``evs/<project>/<instance>/`` and
``obs/<project>/<bucket>/``. The upgrade moves files, never deletes them: a bucket goes to the
project of the oldest instance that names it (it was that project's first), and a bucket no
instance names goes to the data directory's own project.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from nb_devenv.contract import parse_obs_path

from .data_dir import DataDir, UnsafePath
from .store import Store

__all__ = ["LAYOUT_VERSION", "upgrade_layout"]

log = logging.getLogger("nb_devenv.server")

LAYOUT_VERSION = 2
_KEY = "layout_version"


def upgrade_layout(store: Store, layout: DataDir, default_project_id: str) -> list[str]:
    """Move layout-1 directories to their project's tree; returns what moved (relative paths)."""
    if int(store.get_meta(_KEY) or 1) >= LAYOUT_VERSION:
        return []
    moved: list[str] = []
    records = sorted(store.all_instances(), key=lambda r: r.created_ms)
    owners: dict[str, str] = {}
    for record in records:
        if record.storage.obs_path is None:
            _move(layout, layout.root / "evs" / record.id, layout.evs_dir(record.project_id, record.id), moved)
        else:
            bucket, _ = parse_obs_path(record.storage.obs_path)
            owners.setdefault(bucket, record.project_id)
    obs = layout.root / "obs"
    buckets = [entry for entry in obs.iterdir() if entry.is_dir() and not entry.is_symlink()] if obs.is_dir() else []
    for bucket_dir in buckets:
        owner = owners.get(bucket_dir.name, default_project_id)
        _move(layout, bucket_dir, layout.obs_root(owner) / bucket_dir.name, moved)
    store.set_meta(_KEY, str(LAYOUT_VERSION))
    if moved:
        log.info("data directory upgraded to layout %d: moved %s", LAYOUT_VERSION, ", ".join(moved))
    return moved


def _move(layout: DataDir, old: Path, new: Path, moved: list[str]) -> None:
    if not old.is_dir() or old.is_symlink() or new.exists():
        return
    try:
        layout.make_dirs(new.parent)
        os.rename(old, new)
    except (OSError, UnsafePath) as error:
        log.warning("could not move %s to %s: %s", layout.relative(old), layout.relative(new), error)
        return
    moved.append(f"{layout.relative(old)} -> {layout.relative(new)}")
