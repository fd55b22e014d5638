"""The Notebook API's create form: the images and flavors the *server* offers, judged live by
:mod:`nb_devenv.contract.notebooks`.

The image and flavor lists come from the server (``client.images()``, ``client.flavors()``),
fetched once per form in a task on the kernel's loop, so the kernel is never blocked; until they
arrive (or when they cannot be fetched) Create waits and the form says why. Sold-out flavors are
marked in the list, and choosing one is refused with ModelArts.6329 as the server would; the
flavor list offers only the flavors of the chosen image's resource categories. Given
``images=``/``flavors=``, the form fetches nothing.

Everything else (marks, messages, preview, Create, turning into the status widget) is the
shell's, :mod:`.form_base`, shared with the DevEnviron API's form.
"""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

import ipywidgets as widgets

from nb_devenv.client._api import NOTEBOOKS
from nb_devenv.client._models import NotebookFlavor, NotebookImage
from nb_devenv.contract import AutoStopSetting, Violation
from nb_devenv.contract import notebooks as nb
from nb_devenv.contract.durations import AUTO_STOP_OFF
from nb_devenv.contract.notebooks.lease import MS_PER_SECOND
from nb_devenv.core.clock import Clock

from ..watch import InstanceHub
from . import runtime
from ._html import WARN_TEXT, esc
from .form import DEFAULT_AUTO_STOP
from .form_base import FormShell
from .form_words import in_words

__all__ = ["NotebookCreateForm", "notebook_field_for_path", "image_option_label", "notebook_flavor_label"]

# request field path prefix -> form field; the most specific prefixes come first
_FIELD_PATHS: tuple[tuple[str, str], ...] = (
    ("volume", "capacity"),
    ("lease", "lease"),
    ("duration", "lease"),
    ("image_id", "image"),
    ("workspace_id", "workspace"),
    ("description", "description"),
    ("flavor", "flavor"),
    ("name", "name"),
)
_LOADING = "loading the server's images and flavors…"


def notebook_field_for_path(path: str) -> str:
    """The form field that holds the NotebookCreateRequest field ``path`` (``"general"`` if none)."""
    for prefix, key in _FIELD_PATHS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return key
    return "general"


def image_option_label(image: NotebookImage) -> str:
    """Dropdown text of an image, short enough not to be cut off: its show name (the local
    server's is the old profile id) and ``name:tag``; ``name:tag — description`` without one."""
    if image.show_name:
        return f"{image.show_name} — {image.name}:{image.tag}"
    return f"{image.name}:{image.tag} — {image.description}" if image.description else f"{image.name}:{image.tag}"


def notebook_flavor_size(flavor: NotebookFlavor) -> str:
    """``1 x P100 | 8 vCPUs | 64 GiB`` from the flavor's numbers (its name when they are missing)."""
    if flavor.vcpus is None or flavor.memory_gib is None:
        return flavor.name
    cards = [f"{flavor.gpus} x {flavor.gpu_type.upper().removeprefix('NVIDIA-')}"] if flavor.gpus else []
    return " | ".join([*cards, f"{flavor.vcpus} vCPUs", f"{flavor.memory_gib} GiB"])


def notebook_flavor_label(flavor: NotebookFlavor) -> str:
    """Dropdown text of a flavor: its id and size, and "sold out" when the server says so (short
    enough for the list: the server's own name, ``GPU: 1*NVIDIA-P100(16GB) | CPU: ...``, is not)."""
    size = notebook_flavor_size(flavor)
    text = f"{flavor.id} — {size}" if size else flavor.id
    return f"{text} (sold out)" if flavor.sold_out else text


class NotebookCreateForm(FormShell):
    """The Notebook API's create form (see the module docstring); ``CreateForm(api="notebooks")``
    makes one.

    Keyword arguments preset the fields: ``name``, ``image`` (an id, name, ``name:tag`` or show
    name, matched once the images arrive), ``flavor``, ``description``, ``capacity`` (GB),
    ``lease`` (seconds, or ``"off"``; default :data:`~.form.DEFAULT_AUTO_STOP`), ``workspace``.
    ``images``/``flavors`` give the lists instead of fetching them. ``hub``/``settings``/``clock``
    are passed on to the status widget that replaces the form after Create.
    """

    api = NOTEBOOKS

    def __init__(self, *, name: str | None = None, image: str | None = None, flavor: str | None = None,
                 description: str | None = None, capacity: int | None = None,
                 lease: AutoStopSetting | None = DEFAULT_AUTO_STOP, workspace: str | None = None,
                 images: Sequence[NotebookImage] | None = None, flavors: Sequence[NotebookFlavor] | None = None,
                 hub: InstanceHub | None = None, settings: runtime.ClientSettings | None = None,
                 clock: Clock | None = None, **kwargs: Any) -> None:
        super().__init__(hub=hub, settings=settings, clock=clock)
        self._preset_image, self._preset_flavor = image, flavor
        self._flavors: dict[str, NotebookFlavor] = {}
        self._loaded = False
        self._load_task: asyncio.Task[None] | None = None
        self._images: dict[str, NotebookImage] = {}
        self._all_flavors: list[NotebookFlavor] = []
        wide = widgets.Layout(width="480px")
        self.name = widgets.Text(value=name or "", placeholder="letters, digits, - and _ (names may repeat)",
                                 layout=wide)
        self.image = widgets.Dropdown(options=[], layout=wide)
        self.flavor = widgets.Dropdown(options=[], layout=wide)
        self.flavor_note = widgets.HTML()
        self.flavor_note.add_class("nb-devenv-flavor-note")
        self.description = widgets.Textarea(value=description or "", placeholder="optional", layout=wide)
        self.capacity = widgets.IntText(value=nb.VOLUME_DEFAULT if capacity is None else capacity,
                                        layout=widgets.Layout(width="120px"))
        preset = lease if isinstance(lease, int) else None  # None and "off": off
        self.lease, self.lease_hours, self.lease_minutes, lease_controls = self._duration_controls(
            DEFAULT_AUTO_STOP if preset is None else preset, on=preset is not None)
        self.workspace = widgets.Text(value=workspace or "", placeholder="0 (default)")

        self._field("name", "Name", self.name)
        self._field("image", "Image", self.image)
        self._field("flavor", "Flavor", self.flavor)
        self._note_row(self.flavor_note)
        self._field("description", "Description", self.description)
        self._field("capacity", "EVS size", self.capacity, widgets.Label("GB"))
        self._field("lease", "Auto-stop", *lease_controls)
        self._field("workspace", "Workspace", self.workspace)

        given = {"name": name, "image": image, "flavor": flavor, "description": description,
                 "capacity": capacity, "workspace": workspace}
        self._touched.update(k for k, v in given.items() if v)
        # before the form judges a new image, the flavor list shows only the flavors it runs on
        self.image.observe(lambda _c: self._image_changed(), "value")
        for key, control in (("name", self.name), ("image", self.image), ("flavor", self.flavor),
                             ("description", self.description), ("capacity", self.capacity),
                             ("lease", self.lease), ("lease", self.lease_hours), ("lease", self.lease_minutes),
                             ("workspace", self.workspace)):
            control.observe(lambda _c, key=key: self._changed(key), "value")
        if images is not None and flavors is not None:
            self._fill(images, flavors)
        self._finish("<b>New development environment</b> (Notebook API)", **kwargs)
        if not self._loaded:
            self._start_loading()

    # -- the server's images and flavors ---------------------------------------------------------

    def _start_loading(self) -> None:
        try:
            self._load_task = runtime.spawn(self._load(), name="nb_devenv-form-catalogue")
        except RuntimeError:
            self._fetch_failed("the images and flavors are fetched on a running event loop (a Jupyter kernel); "
                               "use %devenv create --api notebooks with flags instead")

    def _fetch_failed(self, why: str) -> None:
        self._standing_error = self._server_error = why
        self._show()

    async def _load(self) -> None:
        """Fetch the images and the flavors once, on the kernel's loop, then fill the lists."""
        try:
            client = self._hub_now().client
            images, flavors = await asyncio.gather(client.images(), client.flavors())
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - shown in the form: callback output is invisible
            self._fetch_failed(f"could not fetch the server's images and flavors: {type(error).__name__}: {error}")
            return
        if not self._closed:
            self._fill(images, flavors)
            self._validate()

    async def wait_loaded(self) -> None:
        """Until the images and flavors are in the lists (or could not be fetched)."""
        if self._load_task is not None:
            await asyncio.shield(self._load_task)

    @property
    def loaded(self) -> bool:
        """Whether the lists hold the server's images and flavors."""
        return self._loaded

    def _fill(self, images: Sequence[NotebookImage], flavors: Sequence[NotebookFlavor]) -> None:
        """Put the server's images and flavors into the lists, the presets chosen if they match."""
        self._flavors = {f.id: f for f in flavors}
        self._all_flavors = list(flavors)
        self._images = {i.id: i for i in images}
        options = [(image_option_label(i), i.id) for i in images]
        ref = self._preset_image
        chosen = next((i for i in images if ref and i.matches(ref)), None)
        if ref and chosen is None:  # keep it visible, so the rule's message explains it
            options.append((f"{ref} (not offered by the server)", ref))
        with self.image.hold_sync():
            self.image.options = options
            if ref:
                self.image.value = chosen.id if chosen else ref
            elif images:  # the first image, as the old form's first profile: its flavors are listed
                self.image.value = images[0].id
        keep = self._preset_flavor
        self.flavor.options = self._flavor_choices(keep)
        self.flavor.value = keep if keep else self._first_fitting()
        self._loaded = True

    def _flavor_choices(self, keep: str | None = None) -> list[tuple[str, str]]:
        """The flavors the chosen image runs on (its resource categories; all of them for an
        image the server did not list), and ``keep`` (a preset that is not among them) marked."""
        image = self._images.get(self.image.value or "")
        categories = set(image.resource_categories) if image is not None and image.resource_categories else None
        options = [(notebook_flavor_label(f), f.id) for f in self._all_flavors
                   if categories is None or f.category in categories]
        if keep and keep not in {value for _, value in options}:
            known = self._flavors.get(keep)
            options.append((f"{keep} ({known.category} flavor)" if known else f"{keep} (not offered by the server)",
                            keep))
        return options

    def _first_fitting(self) -> str | None:
        """The flavor a list preselects: the first that is not sold out, as a console would."""
        ids = [value for _, value in self._flavor_choices()]
        return next((i for i in ids if i in self._flavors and not self._flavors[i].sold_out), ids[0] if ids else None)

    def _image_changed(self) -> None:
        """Offer only the flavors the new image runs on, keeping the chosen one if it fits."""
        if not self._loaded:
            return
        current = self.flavor.value
        options = self._flavor_choices()
        with self.flavor.hold_sync():
            self.flavor.options = options
            self.flavor.value = current if current in {v for _, v in options} else self._first_fitting()

    # -- the request -----------------------------------------------------------------------------

    def lease_seconds(self) -> int | None:
        """The run time the lease controls describe (``None``: off)."""
        if not self.lease.value:
            return None
        return int(self.lease_hours.value) * 3600 + int(self.lease_minutes.value) * 60

    def body(self) -> dict[str, Any]:
        """The NotebookCreateRequest the controls describe (built by the contract)."""
        seconds = self.lease_seconds()
        return nb.build_create_body(
            name=self.name.value or None,
            image_id=self.image.value or None,
            flavor=self.flavor.value or None,
            description=self.description.value or None,
            capacity=self.capacity.value,
            lease=AUTO_STOP_OFF if seconds is None else seconds,
            workspace_id=self.workspace.value.strip() or None,
        )

    def field_controls(self) -> dict[str, list[widgets.DOMWidget]]:
        return {"name": [self.name], "image": [self.image], "flavor": [self.flavor],
                "description": [self.description], "capacity": [self.capacity],
                "lease": [self.lease_hours, self.lease_minutes], "workspace": [self.workspace]}

    def _judge(self, body: dict[str, Any]) -> list[Violation]:
        """The contract's rules, and what only the server knows: a sold-out flavor (6329)."""
        found = nb.validate_create(body)
        flavor = self._flavors.get(str(body.get("flavor")))
        if flavor is not None and flavor.sold_out:
            found.append(Violation("ModelArts.6329", "flavor",
                                   f"{flavor.id} is sold out on this server: choose another flavor"))
        return found

    def _field_for(self, path: str) -> str:
        return notebook_field_for_path(path)

    def _words(self, violation: Violation, label: str) -> str:
        """Auto-stop in hours and minutes (the rule's range is in milliseconds); an image and a
        flavor that do not go together, said plainly."""
        image, flavor = self._images.get(self.image.value or ""), self._flavors.get(self.flavor.value or "")
        if violation.code == "ModelArts.6330" and image is not None and flavor is not None:
            runs_on = " or ".join(image.resource_categories) or "other"
            return (f"{label}: {flavor.id} is a {flavor.category} flavor, but the image {image.name} runs on "
                    f"{runs_on} flavors only")
        chosen = self.image.value or ""
        if self._field_for(violation.field) == "image" and chosen and chosen not in self._images:
            return f"{label}: {chosen} is not offered by this server: choose one from the list"
        return in_words(violation, label, seconds_per_unit=1 / MS_PER_SECOND, typed_seconds=self.lease_seconds())

    def _pending(self) -> str:
        if self._standing_error:
            return ""  # the fetch failed, and its error is shown: nothing to wait for
        return "" if self._loaded else _LOADING

    def _held(self) -> list[widgets.Widget]:
        return [self.flavor_note]

    def _show_more(self) -> None:
        flavor = self._flavors.get(self.flavor.value or "")
        sold_out = [f.id for f in self._flavors.values() if f.sold_out]
        note = ""
        if flavor is not None and flavor.sold_out:
            note = f"{esc(flavor.id)} is sold out on this server: choose another flavor"
        elif sold_out:
            note = f"sold out on this server now: {esc(', '.join(sold_out))}"
        self.flavor_note.value = f'<span style="{WARN_TEXT}">{note}</span>' if note else ""

    def close(self) -> None:
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()
        super().close()

    def __repr__(self) -> str:
        if self.status_widget is not None:
            return repr(self.status_widget)
        state = "valid" if self.valid else (_LOADING if self._pending() else f"{len(self._violations)} problem(s)")
        return (f"NotebookCreateForm(name={self.name.value!r}, image={self.image.value}, flavor={self.flavor.value}, "
                f"{state})")
