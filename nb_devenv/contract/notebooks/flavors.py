"""The Notebook API's view of the flavor catalogue (``GET /v1/{project_id}/notebooks/flavors``).

Every NotebookFlavor here is :data:`~nb_devenv.contract.catalogue.FLAVORS` seen through the new
API's eyes (§4.10): the same flavors, the same sizes, one home for both dialects. Whether a
flavor is sold out depends on the machine the server runs on, so the caller says it.
"""

from __future__ import annotations

from typing import Any

from ..catalogue import FLAVORS, Flavor
from .images import IMAGE_ARCH

__all__ = [
    "FLAVOR_CATEGORIES",
    "FLAVOR_FEATURE",
    "FLAVOR_STORAGES",
    "KIB_PER_GIB",
    "flavor_display_name",
    "notebook_flavor",
    "notebook_flavors",
]

#: the ``category`` values the API documents; the catalogue holds CPU and GPU flavors only
FLAVOR_CATEGORIES: tuple[str, ...] = ("CPU", "GPU", "ASCEND")
#: every catalogue flavor is a billed notebook flavor: none is a free CodeLab (``DEFAULT``) one
FLAVOR_FEATURE = "NOTEBOOK"
#: the storage the local server gives an instance: one EVS-like work volume
FLAVOR_STORAGES: tuple[str, ...] = ("EVS",)
#: ``memory`` is in KiB: the samples give 8388608 for "8 GB" (not documented, §4.10)
KIB_PER_GIB = 1024 * 1024


def flavor_display_name(flavor: Flavor) -> str:
    """``CPU: 2 vCPUs 8 GB`` as the samples word it; GPU flavors name their cards first, in the
    shape of the Ascend sample (``GPU: 1*NVIDIA-P100(16GB) | CPU: 8 vCPUs 64 GB``)."""
    cpu = f"CPU: {flavor.cpus} vCPUs {flavor.memory_gib} GB"
    if not flavor.gpus:
        return cpu
    return f"GPU: {flavor.gpus}*NVIDIA-{flavor.gpu_type.upper()}({flavor.gpu_memory_gib}GB) | {cpu}"


def notebook_flavor(flavor: Flavor, *, sold_out: bool = False) -> dict[str, Any]:
    """The NotebookFlavor item of ``flavor``; ``sold_out`` is the server's word (e.g. a GPU
    flavor on a machine without one).

    ``gpu.gpu_memory`` is a number of GB as a string and ``gpu.type`` is ``nvidia-<model>``,
    after the Ascend sample's ``npu_memory: "32"`` and ``type: "ascend-snt9"`` (the GPU
    fields are not documented further). ``billing`` follows the sample: the flavor code, 1 unit.
    """
    item: dict[str, Any] = {
        "id": flavor.name,
        "name": flavor_display_name(flavor),
        "description": flavor.description,
        "category": flavor.hardware,
        "arch": IMAGE_ARCH,
        "feature": FLAVOR_FEATURE,
        "free": False,
        "sold_out": sold_out,
        "vcpus": flavor.cpus,
        "memory": flavor.memory_gib * KIB_PER_GIB,
        "storages": list(FLAVOR_STORAGES),
        "billing": {"code": flavor.name, "unit_num": 1},
    }
    if flavor.gpus:
        item["gpu"] = {"gpu": flavor.gpus, "gpu_memory": str(flavor.gpu_memory_gib),
                       "type": f"nvidia-{flavor.gpu_type.lower()}"}
    return item


def notebook_flavors(sold_out: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every catalogue flavor as a NotebookFlavor, in catalogue order; the names in
    ``sold_out`` are marked sold out."""
    return [notebook_flavor(flavor, sold_out=flavor.name in sold_out) for flavor in FLAVORS.values()]
