"""The create form: one stock control per request field, judged live by the spec layer.

``CreateForm()`` makes the DevEnviron API's form (this module); ``CreateForm(api="notebooks")``
(or the magics' setting) makes the Notebook API's, :class:`~.form_notebooks.NotebookCreateForm`,
which lists the images and flavors the server offers. What both do alike is in :mod:`.form_base`.

On every change the form builds the request body with :func:`nb_devenv.contract.build_create_body`
and runs :func:`nb_devenv.contract.validate_create` on it, the same check the client, the CLI and
the server run. Each violation's ``field`` path is mapped to the control that holds it: that
control gets the CSS class ``nb-devenv-field-invalid`` and the message next to it says, in the
form's words (:mod:`.form_words`), which field (as labelled) breaks which rule, durations in
hours and minutes, with the error code. The flavor list offers only the flavors the chosen
profile runs on. The Create button is disabled while the request is invalid, and a preview
(closed at first) shows the exact JSON body that Create will send.

Create submits on the kernel's event loop (a task, so the kernel stays free), shows progress,
and then the form's content is replaced by the live
:class:`~nb_devenv.notebook.widgets.status.InstanceStatusWidget` of the new instance. Server errors are
shown inside the form (output printed by widget callbacks is invisible in JupyterLab).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import ipywidgets as widgets

from nb_devenv.client._api import NOTEBOOKS
from nb_devenv.contract import (
    FLAVORS,
    PROFILES,
    STORAGE_TYPES,
    VOLUME_DEFAULT,
    AutoStopSetting,
    Flavor,
    Violation,
    build_create_body,
    by_code,
    validate_create,
)
from nb_devenv.core.clock import Clock

from ..watch import InstanceHub
from . import runtime
from ._html import MUTED, WARN_TEXT, esc
from .form_base import FormShell
from .form_words import in_words

__all__ = ["CreateForm", "flavor_option_label", "flavor_size", "field_for_path", "PERMISSION_MARK"]

#: auto-stop preset of a new form (a cost guard: an instance nobody stops stops by itself)
DEFAULT_AUTO_STOP = 2 * 3600

# request field path prefix -> form field; the most specific prefixes come first
_FIELD_PATHS: tuple[tuple[str, str], ...] = (
    ("spec.storage.location.path", "obs_path"),
    ("spec.storage.location.volume_size", "volume_size"),
    ("spec.storage", "storage"),
    ("spec.auto_stop", "auto_stop"),
    ("spec.annotations", "annotations"),
    ("workspace", "workspace"),
    ("profile_id", "profile"),
    ("description", "description"),
    ("flavor", "flavor"),
    ("name", "name"),
)


def field_for_path(path: str) -> str:
    """The form field that holds the request field ``path`` (``"general"`` if none does)."""
    for prefix, key in _FIELD_PATHS:
        if path == prefix or path.startswith(prefix + "."):
            return key
    return "general"


#: marks a flavor that needs a permission in the list; the note below the list says what it means
PERMISSION_MARK = "*"


def flavor_size(flavor: Flavor) -> str:
    """``2 x P100 | 16 vCPUs | 128 GiB``: what a flavor gives, from the catalogue's numbers."""
    parts = [f"{flavor.gpus} x {flavor.gpu_type.upper()}"] if flavor.gpus else []
    return " | ".join([*parts, f"{flavor.cpus} vCPUs", f"{flavor.memory_gib} GiB"])


def flavor_option_label(flavor: Flavor) -> str:
    """Dropdown text of a flavor: its name and size, and :data:`PERMISSION_MARK` when it needs a
    permission (the note below the list explains it: a long suffix would be cut off)."""
    mark = f" {PERMISSION_MARK}" if flavor.needs_permission else ""
    return f"{flavor.name} — {flavor_size(flavor)}{mark}"


class _AnnotationRows(widgets.VBox):
    """Annotations as key/value rows with add and remove buttons."""

    def __init__(self, on_change: Callable[[str], None], initial: Mapping[str, str] | None = None) -> None:
        self._on_change = on_change
        self._rows: list[tuple[widgets.Text, widgets.Text, widgets.Button, widgets.HBox]] = []
        self.add_button = widgets.Button(description="Add annotation", icon="plus")
        self.add_button.add_class("nb-devenv-annotation-add")
        self.add_button.on_click(lambda _b: self.add_row())
        self._list = widgets.VBox()
        super().__init__(children=[self._list, self.add_button])
        self.add_class("nb-devenv-annotations")
        for key, value in (initial or {}).items():
            self.add_row(key, value, notify=False)

    def add_row(self, key: str = "", value: str = "", notify: bool = True) -> tuple[widgets.Text, widgets.Text]:
        key_text = widgets.Text(value=key, placeholder="key", layout=widgets.Layout(width="180px"))
        value_text = widgets.Text(value=value, placeholder="value", layout=widgets.Layout(width="260px"))
        remove = widgets.Button(description="Remove", icon="minus", layout=widgets.Layout(width="auto"))
        row = widgets.HBox([key_text, value_text, remove])
        row.add_class("nb-devenv-annotation-row")
        entry = (key_text, value_text, remove, row)
        self._rows.append(entry)
        key_text.observe(lambda _c: self._on_change("annotations"), "value")
        value_text.observe(lambda _c: self._on_change("annotations"), "value")
        remove.on_click(lambda _b: self.remove_row(entry))
        self._list.children = [r[3] for r in self._rows]
        if notify:
            self._on_change("annotations")
        return key_text, value_text

    def remove_row(self, entry: tuple[widgets.Text, widgets.Text, widgets.Button, widgets.HBox]) -> None:
        if entry in self._rows:
            self._rows.remove(entry)
            self._list.children = [r[3] for r in self._rows]
            for w in entry:
                w.close()
            self._on_change("annotations")

    @property
    def rows(self) -> list[tuple[widgets.Text, widgets.Text]]:
        return [(k, v) for k, v, _, _ in self._rows]

    def value(self) -> dict[str, str]:
        """The annotations (rows with an empty key are ignored)."""
        return {k.value: v.value for k, v in self.rows if k.value}

    def inputs(self) -> list[widgets.DOMWidget]:
        return [w for k, v in self.rows for w in (k, v)]

    def all_widgets(self) -> list[widgets.Widget]:
        return [self, self._list, self.add_button, *(w for row in self._rows for w in row)]


class CreateForm(FormShell):
    """A form that builds, checks and submits a create request (see the module docstring).

    Keyword arguments preset the fields: ``name``, ``profile_id``, ``flavor``, ``description``,
    ``storage`` ("OBS"/"EVS"), ``path``, ``volume_size``, ``auto_stop`` (seconds, or ``"off"``
    as everywhere; ``None`` is off too; default :data:`DEFAULT_AUTO_STOP`), ``annotations``,
    ``workspace``. ``hub``/``settings``/``clock`` are passed on to the
    status widget that replaces the form after Create.

    ``api="notebooks"`` (or ``settings.api``) gives the Notebook API's form instead, a
    :class:`~.form_notebooks.NotebookCreateForm` with that class's presets.
    """

    def __new__(cls, *args: Any, api: str | None = None, settings: runtime.ClientSettings | None = None,
                **kwargs: Any) -> Any:
        if cls is CreateForm and (settings or runtime.ClientSettings()).resolved_api(api) == NOTEBOOKS:
            from .form_notebooks import NotebookCreateForm

            return NotebookCreateForm(settings=settings, **kwargs)
        return super().__new__(cls, *args, api=api, settings=settings, **kwargs)

    def __init__(self, *, name: str | None = None, profile_id: str | None = None, flavor: str | None = None,
                 description: str | None = None, storage: str | None = None, path: str | None = None,
                 volume_size: int | None = None, auto_stop: AutoStopSetting | None = DEFAULT_AUTO_STOP,
                 annotations: Mapping[str, str] | None = None, workspace: str | None = None,
                 hub: InstanceHub | None = None, settings: runtime.ClientSettings | None = None,
                 clock: Clock | None = None, api: str | None = None, **kwargs: Any) -> None:
        super().__init__(hub=hub, settings=settings, clock=clock)
        wide = widgets.Layout(width="480px")
        self.name = widgets.Text(value=name or "", placeholder="letters, digits, - and _", layout=wide)
        profile_options = [(f"{p.id} — {p.description}", p.id) for p in PROFILES.values()]
        self.profile = widgets.Dropdown(options=profile_options, layout=wide)
        if profile_id is not None:
            self._set_option(self.profile, profile_id)
        self.flavor = widgets.Dropdown(options=self._flavor_choices(flavor), layout=wide)
        self.flavor.value = flavor if flavor is not None else self._first_fitting()
        self.flavor_note = widgets.HTML()
        self.flavor_note.add_class("nb-devenv-flavor-note")
        self.description = widgets.Textarea(value=description or "", placeholder="optional", layout=wide)
        self.storage = widgets.ToggleButtons(options=list(STORAGE_TYPES))
        self.obs_path = widgets.Text(value=path or "", placeholder="my-bucket/work/", layout=wide)
        self.volume_size = widgets.IntText(value=VOLUME_DEFAULT if volume_size is None else volume_size,
                                           layout=widgets.Layout(width="120px"))
        preset = auto_stop if isinstance(auto_stop, int) else None  # None and "off": off
        duration = self._duration_controls(DEFAULT_AUTO_STOP if preset is None else preset, on=preset is not None)
        self.auto_stop, self.auto_stop_hours, self.auto_stop_minutes, auto_stop_controls = duration
        self.workspace = widgets.Text(value=workspace or "", placeholder="0 (default)")
        self.annotations = _AnnotationRows(self._changed, annotations)

        kind = (storage or ("OBS" if path else "EVS")).upper()
        self.storage.value = kind if kind in STORAGE_TYPES else "EVS"

        self._field("name", "Name", self.name)
        self._field("profile", "Profile", self.profile)
        self._field("flavor", "Flavor", self.flavor)
        self._note_row(self.flavor_note)
        self._field("description", "Description", self.description)
        self._field("storage", "Storage", self.storage)
        self._obs_box = self._field("obs_path", "OBS path", self.obs_path)
        self._evs_box = self._field("volume_size", "EVS size", self.volume_size, widgets.Label("GB"))
        self._field("auto_stop", "Auto-stop", *auto_stop_controls)
        self._field("workspace", "Workspace", self.workspace)
        self._field("annotations", "Annotations", self.annotations)

        given = {"name": name, "profile": profile_id, "flavor": flavor, "description": description,
                 "storage": storage, "obs_path": path, "volume_size": volume_size,
                 "annotations": annotations, "workspace": workspace}
        self._touched.update(k for k, v in given.items() if v)
        # before the form judges a new profile, the flavor list shows only the flavors it runs on
        self.profile.observe(lambda _c: self._profile_changed(), "value")
        for key, control in (("name", self.name), ("profile", self.profile), ("flavor", self.flavor),
                             ("description", self.description), ("storage", self.storage),
                             ("obs_path", self.obs_path), ("volume_size", self.volume_size),
                             ("auto_stop", self.auto_stop), ("auto_stop", self.auto_stop_hours),
                             ("auto_stop", self.auto_stop_minutes), ("workspace", self.workspace)):
            control.observe(lambda _c, key=key: self._changed(key), "value")
        self._finish("<b>New development environment</b>", **kwargs)

    # -- the request --------------------------------------------------------------------------------

    def _flavor_choices(self, keep: str | None = None) -> list[tuple[str, str]]:
        """The flavors the chosen profile runs on (all of them for an unknown profile), and
        ``keep`` (a preset that is unknown or does not fit) marked, so its message explains it."""
        profile = PROFILES.get(self.profile.value)
        options = [(flavor_option_label(f), f.name) for f in FLAVORS.values()
                   if profile is None or f.hardware == profile.hardware]
        if keep is not None and keep not in {value for _, value in options}:
            known = FLAVORS.get(keep)
            options.append((f"{keep} ({known.hardware} flavor)" if known else f"{keep} (not in the catalogue)", keep))
        return options

    def _first_fitting(self) -> str | None:
        """The flavor a new list preselects: the first that needs no permission."""
        names = [value for _, value in self._flavor_choices()]
        return next((n for n in names if n in FLAVORS and not FLAVORS[n].needs_permission),
                    names[0] if names else None)

    def _profile_changed(self) -> None:
        """Offer only the flavors the new profile runs on, keeping the chosen one if it fits."""
        current = self.flavor.value
        options = self._flavor_choices()
        with self.flavor.hold_sync():
            self.flavor.options = options
            self.flavor.value = current if current in {v for _, v in options} else self._first_fitting()

    @staticmethod
    def _set_option(dropdown: widgets.Dropdown, value: str) -> None:
        values = [v for _, v in dropdown.options]
        if value not in values:
            # keep an unknown preset visible, so the spec's message explains what is wrong with it
            dropdown.options = [*dropdown.options, (f"{value} (not in the catalogue)", value)]
        dropdown.value = value

    def _words(self, violation: Violation, label: str) -> str:
        """Auto-stop in hours and minutes; a flavor the profile does not run on, said plainly."""
        profile, flavor = PROFILES.get(self.profile.value), FLAVORS.get(self.flavor.value)
        if violation.code == "ModelArts.6330" and profile is not None and flavor is not None:
            return (f"{label}: {flavor.name} is a {flavor.hardware} flavor, but the {profile.id} profile runs on "
                    f"{profile.hardware} flavors only")
        seconds = self.auto_stop_seconds()
        return in_words(violation, label, typed_seconds=seconds)

    def auto_stop_seconds(self) -> int | None:
        """The auto-stop duration the controls describe (``None``: off)."""
        if not self.auto_stop.value:
            return None
        return int(self.auto_stop_hours.value) * 3600 + int(self.auto_stop_minutes.value) * 60

    def body(self) -> dict[str, Any]:
        """The create request body the controls describe (built by the spec layer)."""
        storage = self.storage.value
        return build_create_body(
            name=self.name.value or None,
            profile_id=self.profile.value,
            flavor=self.flavor.value,
            description=self.description.value or None,
            storage=storage,
            path=(self.obs_path.value or None) if storage == "OBS" else None,
            volume_size=self.volume_size.value if storage == "EVS" else None,
            auto_stop=self.auto_stop_seconds(),
            annotations=self.annotations.value() or None,
            workspace=self.workspace.value.strip() or None,
        )

    def field_controls(self) -> dict[str, list[widgets.DOMWidget]]:
        """The input controls of each form field (what gets ``nb-devenv-field-invalid``)."""
        return {
            "name": [self.name], "profile": [self.profile], "flavor": [self.flavor],
            "description": [self.description], "storage": [self.storage], "obs_path": [self.obs_path],
            "volume_size": [self.volume_size],
            "auto_stop": [self.auto_stop_hours, self.auto_stop_minutes],
            "workspace": [self.workspace], "annotations": self.annotations.inputs(),
        }

    def _judge(self, body: dict[str, Any]) -> list[Violation]:
        return validate_create(body)

    def _field_for(self, path: str) -> str:
        return field_for_path(path)

    # -- live validation ------------------------------------------------------------------------------

    def _changed(self, key: str) -> None:
        if key == "storage":  # the field the toggle reveals is now asked for
            self._touched.update({"obs_path", "volume_size"})
        super()._changed(key)

    def _held(self) -> list[widgets.Widget]:
        return [self.flavor_note, self._obs_box.layout, self._evs_box.layout]

    def _show_more(self) -> None:
        obs = self.storage.value == "OBS"
        self._obs_box.layout.display = None if obs else "none"
        self._evs_box.layout.display = "none" if obs else None
        chosen = FLAVORS.get(self.flavor.value)
        marked = any(value in FLAVORS and FLAVORS[value].needs_permission for _, value in self.flavor.options)
        if chosen is not None and chosen.needs_permission:
            self.flavor_note.value = (
                f'<span style="{WARN_TEXT}">⚠ {esc(chosen.name)} needs a permission granted to your '
                f'account; without it the service answers ModelArts.6328 '
                f'("{esc(by_code("ModelArts.6328").template)}")</span>')
        elif marked:
            self.flavor_note.value = (f'<span style="color:{MUTED}">{PERMISSION_MARK} needs a permission granted '
                                      f'to your account</span>')
        else:
            self.flavor_note.value = ""

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.annotations.add_button.disabled = busy
        super()._set_busy(busy, text)

    def __repr__(self) -> str:
        if self.status_widget is not None:
            return repr(self.status_widget)
        state = "valid" if self.valid else f"{len(self._violations)} problem(s)"
        return (f"CreateForm(name={self.name.value!r}, profile={self.profile.value}, flavor={self.flavor.value}, "
                f"storage={self.storage.value}, {state})")
