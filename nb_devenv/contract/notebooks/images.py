"""The image catalogue of the Notebook API (``GET /v1/{project_id}/images``): one image per profile.

The Notebook API names what an instance runs by ``image_id`` (a UUID) where the old API took a
``profile_id``. Each image here is derived from one :data:`~nb_devenv.contract.catalogue.PROFILES`
entry (no second hand-written list), so both dialects run the same things, and it keeps its
profile so the server knows what to run (Python major version, CPU or GPU).

Ids are ``uuid5(IMAGE_ID_NAMESPACE, profile id)``: the same on every machine and in every run, so
tests, notebooks and SDK scripts may write them down.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from ..catalogue import PROFILES, Profile

__all__ = [
    "IMAGE_ID_NAMESPACE",
    "IMAGE_NAME_PATTERN",
    "IMAGE_NAME_MAX",
    "IMAGE_REGISTRY",
    "IMAGE_ARCH",
    "CATALOGUE_TIME_MS",
    "Image",
    "IMAGES",
    "image_by_id",
    "image_for_profile",
    "image_ids",
]

#: the namespace of the image ids; changing it changes every id users may have written down
IMAGE_ID_NAMESPACE = uuid.UUID("5b0b7d3c-3a1e-5c52-9d5e-6e6f7465626f")
#: image names (§3.4): lowercase letters, digits, ``-``, ``_`` and ``.``, at most 512 characters
IMAGE_NAME_MAX = 512
IMAGE_NAME_PATTERN = re.compile(rf"[a-z0-9._-]{{1,{IMAGE_NAME_MAX}}}")
#: the registry part of ``swr_path``: ModelArts shows ``swr.<region>.<domain>``; the local server
#: pulls nothing, so a name that says so
IMAGE_REGISTRY = "swr.local"
#: the local server runs images on the machine it runs on: an x86-64 PC or server, lowercase as
#: the samples write it (§8 row 14)
IMAGE_ARCH = "x86_64"
#: ``create_at`` / ``update_at`` of the built-in images: fixed, so that answers do not change
#: from run to run (2023-11-14T22:13:20Z)
CATALOGUE_TIME_MS = 1_700_000_000_000


def _image_name(profile: Profile) -> str:
    """The profile's image name in the image-name alphabet (lowercase; others become ``-``)."""
    name = re.sub(r"[^a-z0-9._-]", "-", profile.image_name.lower())
    return name[:IMAGE_NAME_MAX]


@dataclass(frozen=True)
class Image:
    """A built-in image: what the Notebook API shows of it, and the profile it stands for."""

    id: str
    name: str
    tag: str
    namespace: str
    description: str
    profile: Profile

    @property
    def profile_id(self) -> str:
        """The old API's name for the same environment (``Python3``, ``Python3-gpu``, ...)."""
        return self.profile.id

    @property
    def hardware(self) -> str:
        """``CPU`` or ``GPU``: which kind of flavor the image runs on."""
        return self.profile.hardware

    @property
    def python_major(self) -> int:
        """The Python the image carries; the local server can only run Python 3."""
        return self.profile.python_major

    @property
    def swr_path(self) -> str:
        """``swr.local/<namespace>/<name>:<tag>``, the shape of ModelArts' SWR addresses."""
        return f"{IMAGE_REGISTRY}/{self.namespace}/{self.name}:{self.tag}"

    @property
    def resource_categories(self) -> list[str]:
        """The flavor categories the image runs on (one here: the profile's hardware)."""
        return [self.hardware]

    def as_api(self, *, detail: bool = False) -> dict[str, Any]:
        """The ListImage item (ImageResponse, §3.4); with ``detail``, the ShowImage body
        (Image), which adds ``support_res_categories``.

        ``show_name`` is the profile id, so a user who knows the old API's profile names finds
        its image (``show_name`` is documented as the display name of preset images). ``size``,
        ``origin`` and ``status_message`` are left out: the local server builds nothing and does
        not know an image's size.
        """
        answer: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "tag": self.tag,
            "swr_path": self.swr_path,
            "namespace": self.namespace,
            "description": self.description,
            "arch": IMAGE_ARCH,
            "type": "BUILD_IN",
            "service_type": "COMMON",
            "dev_services": ["NOTEBOOK"],
            "resource_categories": self.resource_categories,
            "status": "ACTIVE",
            "visibility": "PUBLIC",
            "workspace_id": "0",
            "show_name": self.profile_id,
            "show_tag": self.tag,
            "create_at": CATALOGUE_TIME_MS,
            "update_at": CATALOGUE_TIME_MS,
        }
        if detail:
            answer["support_res_categories"] = self.resource_categories
        return answer

    def as_instance_api(self) -> dict[str, Any]:
        """The ``image`` object of an instance (NotebookResp): the fields the samples show."""
        return {"id": self.id, "name": self.name, "tag": self.tag, "swr_path": self.swr_path,
                "description": self.description, "type": "BUILD_IN"}


def _image(profile: Profile) -> Image:
    return Image(
        id=str(uuid.uuid5(IMAGE_ID_NAMESPACE, profile.id)),
        name=_image_name(profile),
        tag=profile.image_tag,
        namespace=profile.namespace,
        description=profile.description,
        profile=profile,
    )


#: every image by id, in catalogue (profile) order
IMAGES: Mapping[str, Image] = MappingProxyType({image.id: image for image in map(_image, PROFILES.values())})

_BY_PROFILE: Mapping[str, Image] = MappingProxyType({image.profile_id: image for image in IMAGES.values()})


def image_by_id(image_id: str) -> Image | None:
    """The image with this id, or ``None`` (ModelArts.6797 is the caller's answer)."""
    return IMAGES.get(image_id)


def image_for_profile(profile_id: str) -> Image:
    """The image that stands for an old-API profile (``KeyError`` for an unknown profile)."""
    return _BY_PROFILE[profile_id]


def image_ids() -> list[str]:
    """Image ids in catalogue order (the order forms and help texts show them)."""
    return list(IMAGES)
