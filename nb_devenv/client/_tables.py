"""Instances as rows of a table, for the CLI's ``list`` and the ``%devenv list`` magic.

One definition of the columns, rendered as aligned text here; the notebook renders the same
rows as escaped HTML.
"""

from __future__ import annotations

from typing import Iterable

from nb_devenv.contract import format_duration

from ._models import Instance

__all__ = ["COLUMNS", "instance_row", "text_table"]

COLUMNS = ("name", "id", "status", "flavor", "storage", "time left")


def instance_row(instance: Instance) -> dict[str, str]:
    """The table cells of one instance (``time left`` is the auto-stop countdown, if any)."""
    left = instance.remain_time
    return {
        "name": instance.name,
        "id": instance.id,
        "status": instance.status,
        "flavor": instance.flavor,
        "storage": instance.storage.describe(),
        "time left": format_duration(left) if left is not None else "-",
    }


def text_table(instances: Iterable[Instance]) -> str:
    """An aligned plain-text table with a header line."""
    rows = [instance_row(i) for i in instances]
    if not rows:
        return "no instances"
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip() for r in rows]
    return "\n".join(lines)
