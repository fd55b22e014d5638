"""The create form: one stock control per request field, judged live by the spec layer.

On every change the form builds the request body with :func:`nb_devenv.contract.build_create_body`
and runs :func:`nb_devenv.contract.validate_create` on it, the same check the client, the CLI and
the server run. Each violation's ``field`` path is mapped to the control that holds it: that
control gets the CSS class ``nb-devenv-field-invalid`` and the message next to it names the
error code and the rule. The Create button is disabled while the request is invalid, and a
preview shows the exact JSON body that Create will send.

Create submits on the kernel's event loop (a task, so the kernel stays free), shows progress,
and then the form's content is replaced by the live
:class:`~nb_devenv.notebook.widgets.status.InstanceStatusWidget` of the new instance. Server errors are
shown inside the form (output printed by widget callbacks is invisible in JupyterLab).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Callable, Iterator, Mapping

import ipywidgets as widgets
from traitlets import Bool, Unicode

from nb_devenv.client._exceptions import SpecValidationError
from nb_devenv.contract import (
    DURATION_MAX,
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
from ._html import STYLE, esc
from .status import InstanceStatusWidget

__all__ = ["CreateForm", "flavor_option_label", "field_for_path"]

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


def flavor_option_label(flavor: Flavor) -> str:
    """Dropdown text of a flavor: its name, its catalogue label, and whether it needs a
    permission (the catalogue's ``needs_permission``, shown even if the label omits it)."""
    text = f"{flavor.name} — {flavor.label}" if flavor.label else flavor.name
    if flavor.needs_permission and "permission" not in text.lower():
        text += " (needs permission)"
    return text


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


class CreateForm(widgets.VBox):
    """A form that builds, checks and submits a create request (see the module docstring).

    Keyword arguments preset the fields: ``name``, ``profile_id``, ``flavor``, ``description``,
    ``storage`` ("OBS"/"EVS"), ``path``, ``volume_size``, ``auto_stop`` (seconds, or ``"off"``
    as everywhere; ``None`` is off too; default :data:`DEFAULT_AUTO_STOP`), ``annotations``,
    ``workspace``. ``hub``/``settings``/``clock`` are passed on to the
    status widget that replaces the form after Create.
    """

    valid = Bool(False, help="whether the current request passes every rule")
    body_json = Unicode("", help="the JSON body Create would send (as shown in the preview)")

    def __init__(self, *, name: str | None = None, profile_id: str | None = None, flavor: str | None = None,
                 description: str | None = None, storage: str | None = None, path: str | None = None,
                 volume_size: int | None = None, auto_stop: AutoStopSetting | None = DEFAULT_AUTO_STOP,
                 annotations: Mapping[str, str] | None = None, workspace: str | None = None,
                 hub: InstanceHub | None = None, settings: runtime.ClientSettings | None = None,
                 clock: Clock | None = None, **kwargs: Any) -> None:
        self._hub, self._settings, self._clock = hub, settings, clock
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._busy = False
        self._server_error = ""
        self._touched: set[str] = set()
        self._violations: list[Violation] = []
        self._body: dict[str, Any] = {}
        self._created = asyncio.Event()
        #: the status widget that replaced the form after a successful Create
        self.status_widget: InstanceStatusWidget | None = None

        style = {"description_width": "110px"}
        wide = widgets.Layout(width="520px")
        self.name = widgets.Text(value=name or "", description="Name", placeholder="letters, digits, - and _",
                                 style=style, layout=wide)
        profile_options = [(f"{p.id} — {p.description}", p.id) for p in PROFILES.values()]
        self.profile = widgets.Dropdown(options=profile_options, description="Profile", style=style, layout=wide)
        self.flavor = widgets.Dropdown(options=[(flavor_option_label(f), f.name) for f in FLAVORS.values()],
                                       description="Flavor", style=style, layout=wide)
        self.flavor_note = widgets.HTML()
        self.flavor_note.add_class("nb-devenv-flavor-note")
        self.description = widgets.Textarea(value=description or "", description="Description",
                                            placeholder="optional", style=style, layout=wide)
        self.storage = widgets.ToggleButtons(options=list(STORAGE_TYPES), description="Storage", style=style)
        self.obs_path = widgets.Text(value=path or "", description="OBS path", placeholder="my-bucket/work/",
                                     style=style, layout=wide)
        self.volume_size = widgets.IntText(value=VOLUME_DEFAULT if volume_size is None else volume_size,
                                           description="EVS size (GB)", style=style)
        preset = auto_stop if isinstance(auto_stop, int) else None  # None and "off": off
        hours, minutes = divmod((DEFAULT_AUTO_STOP if preset is None else preset) // 60, 60)
        self.auto_stop = widgets.Checkbox(value=preset is not None, description="Auto-stop after",
                                          indent=False, layout=widgets.Layout(width="150px", margin="0 0 0 40px"))
        self.auto_stop_hours = widgets.BoundedIntText(value=min(hours, DURATION_MAX // 3600), min=0,
                                                      max=DURATION_MAX // 3600, description="h",
                                                      layout=widgets.Layout(width="110px"),
                                                      style={"description_width": "15px"})
        self.auto_stop_minutes = widgets.BoundedIntText(value=minutes, min=0, max=59, description="min",
                                                        layout=widgets.Layout(width="120px"),
                                                        style={"description_width": "30px"})
        self.workspace = widgets.Text(value=workspace or "", description="Workspace", placeholder="0 (default)",
                                      style=style)
        self.annotations = _AnnotationRows(self._changed, annotations)
        self.preview = widgets.HTML()
        self.preview.add_class("nb-devenv-preview")
        self.create_button = widgets.Button(description="Create", button_style="primary", icon="rocket")
        self.create_button.add_class("nb-devenv-create-button")
        self.feedback = widgets.HTML()
        self.feedback.add_class("nb-devenv-feedback")
        self.error_html = widgets.HTML()
        self.error_html.add_class("nb-devenv-error")

        if profile_id is not None:
            self._set_option(self.profile, profile_id)
        if flavor is not None:
            self._set_option(self.flavor, flavor)
        kind = (storage or ("OBS" if path else "EVS")).upper()
        self.storage.value = kind if kind in STORAGE_TYPES else "EVS"

        self._messages: dict[str, widgets.HTML] = {}
        rows = []

        def field(key: str, *controls: widgets.Widget) -> widgets.VBox:
            message = widgets.HTML()
            message.add_class("nb-devenv-field-message")
            self._messages[key] = message
            box = widgets.VBox([widgets.HBox(list(controls)), message])
            box.add_class(f"nb-devenv-field-{key.replace('_', '-')}")
            rows.append(box)
            return box

        field("name", self.name)
        field("profile", self.profile)
        field("flavor", self.flavor)
        rows.append(self.flavor_note)
        field("description", self.description)
        field("storage", self.storage)
        self._obs_box = field("obs_path", self.obs_path)
        self._evs_box = field("volume_size", self.volume_size)
        field("auto_stop", self.auto_stop, self.auto_stop_hours, self.auto_stop_minutes)
        field("workspace", self.workspace)
        annotations_label = widgets.HTML("<b>Annotations</b> (optional key/value pairs)")
        rows.append(annotations_label)
        field("annotations", self.annotations)
        self._general = widgets.HTML()
        self._general.add_class("nb-devenv-field-message")
        self._preview_box = widgets.Accordion(children=[self.preview], titles=("Request body (JSON)",))
        self._preview_box.selected_index = 0  # shown: what Create sends is part of the form
        self._controls_box = widgets.VBox(
            [*rows, self._general, self._preview_box,
             widgets.HBox([self.create_button, self.feedback]), self.error_html])
        heading = widgets.HTML(STYLE + "<b>New development environment</b>")
        super().__init__(children=[heading, self._controls_box],
                         **kwargs)
        self.add_class("nb-devenv-form")

        given = {"name": name, "profile": profile_id, "flavor": flavor, "description": description,
                 "storage": storage, "obs_path": path, "volume_size": volume_size,
                 "annotations": annotations, "workspace": workspace}
        self._touched.update(k for k, v in given.items() if v)
        for key, control in (("name", self.name), ("profile", self.profile), ("flavor", self.flavor),
                             ("description", self.description), ("storage", self.storage),
                             ("obs_path", self.obs_path), ("volume_size", self.volume_size),
                             ("auto_stop", self.auto_stop), ("auto_stop", self.auto_stop_hours),
                             ("auto_stop", self.auto_stop_minutes), ("workspace", self.workspace)):
            control.observe(lambda _c, key=key: self._changed(key), "value")
        self.create_button.on_click(lambda _b: self.submit())
        runtime.register(self)
        self._validate()

    # -- the request --------------------------------------------------------------------------------

    @staticmethod
    def _set_option(dropdown: widgets.Dropdown, value: str) -> None:
        values = [v for _, v in dropdown.options]
        if value not in values:
            # keep an unknown preset visible, so the spec's message explains what is wrong with it
            dropdown.options = [*dropdown.options, (f"{value} (not in the catalogue)", value)]
        dropdown.value = value

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

    @property
    def violations(self) -> list[Violation]:
        """Every rule the current request breaks (shown or not yet shown)."""
        return list(self._violations)

    def field_controls(self) -> dict[str, list[widgets.DOMWidget]]:
        """The input controls of each form field (what gets ``nb-devenv-field-invalid``)."""
        return {
            "name": [self.name], "profile": [self.profile], "flavor": [self.flavor],
            "description": [self.description], "storage": [self.storage], "obs_path": [self.obs_path],
            "volume_size": [self.volume_size],
            "auto_stop": [self.auto_stop_hours, self.auto_stop_minutes],
            "workspace": [self.workspace], "annotations": self.annotations.inputs(),
        }

    def field_message(self, key: str) -> str:
        """The message shown next to a field ('' when it is fine)."""
        return str(self._messages[key].value if key in self._messages else self._general.value)

    def invalid_fields(self) -> set[str]:
        """Fields currently marked invalid."""
        return {key for key, controls in self.field_controls().items()
                if any("nb-devenv-field-invalid" in c._dom_classes for c in controls)}

    # -- live validation ------------------------------------------------------------------------------

    def _changed(self, key: str) -> None:
        self._touched.add(key)
        if key == "storage":  # the field the toggle reveals is now asked for
            self._touched.update({"obs_path", "volume_size"})
        self._server_error = ""
        self._validate()

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for w in [self, *self._messages.values(), self._general, self.preview, self.create_button,
                      self.feedback, self.flavor_note, self._obs_box.layout, self._evs_box.layout,
                      self.error_html, self.error_html.layout]:
                stack.enter_context(w.hold_sync())
            yield

    def _judged(self, key: str) -> bool:
        """Whether a field's problems are shown: not for an empty field nobody has touched yet
        (a new form should not open in red), always otherwise."""
        if key in self._touched or key not in self.field_controls():
            return True
        return any(getattr(c, "value", None) not in ("", None) for c in self.field_controls()[key])

    def _validate(self) -> None:
        """Judge the request the controls describe (after every change), then show the verdict."""
        if self._closed or self.status_widget is not None:
            return
        self._body = self.body()
        self._violations = validate_create(self._body)
        self._show()

    def _show(self) -> None:
        """Show the last verdict: field marks and messages, the preview, the Create button and
        the feedback line. It judges nothing itself: the controls have not changed since."""
        if self._closed or self.status_widget is not None:
            return
        body = self._body
        by_field: dict[str, list[Violation]] = {}
        for violation in self._violations:
            by_field.setdefault(field_for_path(violation.field), []).append(violation)
        with self._hold():
            obs = self.storage.value == "OBS"
            self._obs_box.layout.display = None if obs else "none"
            self._evs_box.layout.display = "none" if obs else None
            for key, controls in self.field_controls().items():
                shown = by_field.get(key, []) if self._judged(key) else []
                for control in controls:
                    if shown:
                        control.add_class("nb-devenv-field-invalid")
                    else:
                        control.remove_class("nb-devenv-field-invalid")
                self._messages[key].value = "<br>".join(
                    f'<span style="color:#cf222e">✗ {esc(str(v))}</span>' for v in shown)
            general = by_field.get("general", [])
            self._general.value = "<br>".join(
                f'<span style="color:#cf222e">✗ {esc(str(v))}</span>' for v in general)
            chosen = FLAVORS.get(self.flavor.value)
            self.flavor_note.value = (
                f'<span style="color:#9a6700">🔒 {esc(chosen.name)} needs a permission granted to your '
                f'account; without it the service answers ModelArts.6328 '
                f'("{esc(by_code("ModelArts.6328").template)}")</span>'
                if chosen is not None and chosen.needs_permission else "")
            self.body_json = json.dumps(body, indent=2)
            self.preview.value = f"<pre>{esc(self.body_json)}</pre>"
            self.valid = not self._violations
            self.create_button.disabled = bool(self._violations) or self._busy
            hidden = [v for v in self._violations if not self._judged(field_for_path(v.field))]
            if self._busy:
                pass
            elif hidden:
                fields = sorted({v.field for v in hidden})
                self.feedback.value = f'<span style="color:#57606a">to do: {esc(", ".join(fields))}</span>'
            else:
                self.feedback.value = ""
            self.error_html.value = (f'<span style="color:#cf222e">⚠ {esc(self._server_error)}</span>'
                                     if self._server_error else "")
            self.error_html.layout.display = None if self._server_error else "none"

    # -- submitting -------------------------------------------------------------------------------------

    def submit(self) -> asyncio.Task[None] | None:
        """What the Create button does: check, then create on the kernel loop (a task)."""
        if self._closed or self._busy or self.status_widget is not None:
            return None
        self._touched.update(self.field_controls())
        self._show()  # the problems of fields nobody touched are shown now too
        if self._violations:
            return None
        body = self._body  # judged when the controls last changed; the client checks it once more
        try:
            self._task = runtime.spawn(self._submit(body), name="nb_devenv-create")
        except RuntimeError:
            self._server_error = "Create needs a running event loop (a Jupyter kernel); use %devenv create instead"
            self._show()
            return None
        self._server_error = ""
        self._set_busy(True, f'<span class="nb-devenv-progress">⟳ creating {esc(body.get("name"))}…</span>')
        return self._task

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        for controls in self.field_controls().values():
            for control in controls:
                control.disabled = busy
        self.annotations.add_button.disabled = busy
        self.feedback.value = text
        self._show()
        if busy:
            self.create_button.disabled = True
            self.feedback.value = text

    async def _submit(self, body: dict[str, Any]) -> None:
        try:
            hub = self._hub or runtime.hub_for(self._settings)
            instance = await hub.client.create(body)
        except asyncio.CancelledError:
            raise
        except SpecValidationError as error:
            self._server_error = str(error)
            self._set_busy(False)
            return
        except Exception as error:  # noqa: BLE001 - shown in the form: callback output is invisible
            self._server_error = f"{type(error).__name__}: {error}"
            self._set_busy(False)
            return
        if self._closed:
            return
        status = InstanceStatusWidget(instance, hub=hub, settings=self._settings, clock=self._clock)
        self.status_widget = status
        old: tuple[widgets.Widget, ...] = tuple(self.children)  # type: ignore[has-type]  # a trait
        self.children = (status,)
        self._created.set()
        for child in old:
            self._close_controls(child)

    @property
    def settings(self) -> runtime.ClientSettings:
        """The connection and timing settings of this form and the status widget it turns into."""
        return self._settings or runtime.ClientSettings()

    async def wait_created(self) -> InstanceStatusWidget:
        """The status widget, once Create has succeeded."""
        await self._created.wait()
        if self.status_widget is None:  # set before _created is
            raise RuntimeError("the form was created without a status widget")
        return self.status_widget

    # -- closing and text forms ----------------------------------------------------------------------

    def _close_controls(self, box: widgets.Box | None) -> None:
        def walk(w: widgets.Widget) -> None:
            for child in getattr(w, "children", ()) or ():
                if child is not self.status_widget:
                    walk(child)
                    child.close()
        if box is not None:
            walk(box)
            box.close()

    def close(self) -> None:
        """Cancel a pending Create, close the controls (and the status widget), then the form."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.status_widget is not None:
            self.status_widget.close()
        for child in self.children:
            if child is not self.status_widget:
                self._close_controls(child)
        super().close()

    def __repr__(self) -> str:
        if self.status_widget is not None:
            return repr(self.status_widget)
        state = "valid" if self.valid else f"{len(self._violations)} problem(s)"
        return (f"CreateForm(name={self.name.value!r}, profile={self.profile.value}, flavor={self.flavor.value}, "
                f"storage={self.storage.value}, {state})")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = repr(self)
        return data
