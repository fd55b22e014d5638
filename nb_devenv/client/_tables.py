"""Instances, images and flavors as rows of a table, for the CLI's ``list``/``images``/``flavors``
and the ``%devenv`` magics of the same names.

One definition of each table's columns, rendered as aligned text here; the notebook renders the
same rows as escaped HTML.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from nb_devenv.contract import format_duration

from ._models import Instance, NotebookFlavor, NotebookImage

__all__ = ["COLUMNS", "IMAGE_COLUMNS", "FLAVOR_COLUMNS", "instance_row", "image_row", "flavor_row", "text_table",
           "rows_text"]

COLUMNS = ("name", "id", "status", "flavor", "storage", "time left")
IMAGE_COLUMNS = ("name", "tag", "id", "runs on", "show name", "description")
FLAVOR_COLUMNS = ("id", "name", "category", "vcpus", "memory", "gpus", "available")


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


def image_row(image: NotebookImage) -> dict[str, str]:
    """The table cells of one image (``show name``: on the local server, the old profile id)."""
    return {"name": image.name, "tag": image.tag, "id": image.id,
            "runs on": ", ".join(image.resource_categories) or "-", "show name": image.show_name or "-",
            "description": image.description}


def flavor_row(flavor: NotebookFlavor) -> dict[str, str]:
    """The table cells of one flavor (``available``: ``sold out`` when the server says so)."""
    gpus = f"{flavor.gpus} × {flavor.gpu_type}" if flavor.gpus else "-"
    return {"id": flavor.id, "name": flavor.name, "category": flavor.category,
            "vcpus": "-" if flavor.vcpus is None else str(flavor.vcpus),
            "memory": "-" if flavor.memory_gib is None else f"{flavor.memory_gib} GB", "gpus": gpus,
            "available": "sold out" if flavor.sold_out else "yes"}


def rows_text(rows: Sequence[Mapping[str, str]], columns: Sequence[str], empty: str = "nothing") -> str:
    """An aligned plain-text table with a header line (``empty`` when there is no row)."""
    if not rows:
        return empty
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines)


def text_table(instances: Iterable[Instance]) -> str:
    """The instances as an aligned plain-text table with a header line."""
    return rows_text([instance_row(i) for i in instances], COLUMNS, empty="no instances")
