"""Profiles and flavors as data: the lists of modelarts_03_0110, with what each needs from a machine.

A rule such as "a GPU profile needs a GPU flavor" is written against these records
(``profile.hardware == flavor.hardware``), never as an ``if`` on a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, TypeVar

T = TypeVar("T")

__all__ = ["Profile", "Flavor", "PROFILES", "FLAVORS", "profile_ids", "flavor_names"]


@dataclass(frozen=True)
class Profile:
    """A development-environment configuration (image + engine) a user picks with ``profile_id``."""

    id: str
    description: str
    hardware: str  # "CPU" or "GPU": which kind of flavor it runs on
    python_major: int  # the Python the image carries; the local server can only run Python 3
    image_name: str
    image_tag: str
    namespace: str = "atelier"

    def as_api(self) -> dict[str, Any]:
        """The ``profile`` object of the API's instance responses (modelarts_03_0110's response tables)."""
        return {
            "id": self.id,
            "name": self.id,
            "description": self.description,
            "de_type": "Notebook",
            "flavor_type": self.hardware,
            "provision": {
                "type": "Docker",
                "spec": {
                    "engine": "CCE",
                    "params": {
                        "namespace": self.namespace,
                        "image_name": self.image_name,
                        "image_tag": self.image_tag,
                    },
                },
                "annotations": {"category": self.id, "type": "system"},
            },
        }


@dataclass(frozen=True)
class Flavor:
    """A machine flavor: hardware kind, size, and whether the user must be granted it first."""

    name: str
    hardware: str  # "CPU" or "GPU"
    cpus: int
    memory_gib: int
    gpus: int = 0
    gpu_type: str = ""
    needs_permission: bool = False
    label: str = ""
    storage_types: tuple[str, ...] = field(default=("obs", "evs"))
    #: memory of one GPU card (the Notebook API's flavor list shows it)
    gpu_memory_gib: int = 0
    #: what the flavor is for, as the Notebook API's flavor list words it
    description: str = ""

    def as_api(self, permitted: bool) -> dict[str, Any]:
        """The ``flavor_details`` object of the API's instance responses."""
        params: dict[str, Any] = {"CPU": self.cpus, "memory": f"{self.memory_gib}GiB"}
        if self.gpus:
            params.update({"GPU": self.gpus, "gpu_type": self.gpu_type})
        return {
            "name": self.name,
            "status": "onSale",
            "type": self.hardware,
            "params": params,
            "is_permitted": permitted,
            "promo_type": "NoDiscount",
            "storage_list": list(self.storage_types),
        }


def _index(items: Iterable[T], key: Callable[[T], str]) -> Mapping[str, T]:
    return MappingProxyType({key(item): item for item in items})


PROFILES: Mapping[str, Profile] = _index(
    [
        Profile("Python3", "Python 3 notebook (CPU)", "CPU", 3, "mul-kernel-cpu-cp36", "2.0.5"),
        Profile("Python3-gpu", "Python 3 notebook (GPU)", "GPU", 3, "mul-kernel-gpu-cuda-cp36", "2.0.5"),
        Profile("Python2", "Python 2 notebook (CPU)", "CPU", 2, "mul-kernel-cpu-cp27", "2.0.5"),
        Profile("Python2-gpu", "Python 2 notebook (GPU)", "GPU", 2, "mul-kernel-gpu-cuda-cp27", "2.0.5"),
        # the profile of modelarts_03_0110's example request
        Profile("ML-1.0.0-python2.7", "machine learning python2.7 notebook", "CPU", 2,
                "mls_singleuser_python", "4"),
    ],
    key=lambda p: p.id,
)

FLAVORS: Mapping[str, Flavor] = _index(
    [
        Flavor("modelarts.vm.cpu.2u", "CPU", 2, 8, label="2 vCPUs | 8 GiB",
               description="General-purpose Intel CPU flavor, ideal for rapid data exploration and experiments"),
        Flavor("modelarts.vm.cpu.8u", "CPU", 8, 32, label="8 vCPUs | 32 GiB",
               description="Compute-intensive Intel CPU flavor, ideal for compute-intensive workloads"),
        Flavor("modelarts.vm.gpu.p100", "GPU", 8, 64, 1, "p100", label="1 x P100 | 8 vCPUs | 64 GiB",
               gpu_memory_gib=16, description="One NVIDIA P100 GPU, for deep learning training and debugging"),
        Flavor("modelarts.vm.gpu.2p100", "GPU", 16, 128, 2, "p100", needs_permission=True,
               label="2 x P100 | 16 vCPUs | 128 GiB (needs permission)",
               gpu_memory_gib=16, description="Two NVIDIA P100 GPUs, for multi-GPU training"),
        Flavor("modelarts.vm.gpu.4p100", "GPU", 32, 256, 4, "p100", needs_permission=True,
               label="4 x P100 | 32 vCPUs | 256 GiB (needs permission)",
               gpu_memory_gib=16, description="Four NVIDIA P100 GPUs, for multi-GPU training"),
    ],
    key=lambda f: f.name,
)


def profile_ids() -> list[str]:
    """Profile ids in catalogue order (the order forms and help texts show them)."""
    return list(PROFILES)


def flavor_names() -> list[str]:
    """Flavor names in catalogue order."""
    return list(FLAVORS)
