"""What both create forms share (one per API): judging the body live, marking fields, the
preview, the Create button, submitting on the kernel's loop and turning into the status widget.

A form subclass owns its controls and says four things: the body they describe (:meth:`body`),
the rules that judge it (:meth:`_judge`), which field holds a violation's path
(:meth:`_field_for`) and its controls by field (:meth:`field_controls`). Everything else is here,
so the two forms cannot differ in how they show a problem or submit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Iterator

import ipywidgets as widgets
from traitlets import Bool, Unicode

from nb_devenv.client._exceptions import SpecValidationError
from nb_devenv.contract import Violation
from nb_devenv.core.clock import Clock

from ..watch import Hub
from . import runtime
from ._html import ERROR_TEXT, MUTED, STYLE, esc
from .form_words import in_words
from .snapshot import LIVE_CLASS, SnapshotDisplay
from .status import InstanceStatusWidget

__all__ = ["FormShell", "LABEL_WIDTH"]

#: the width of the form's label column
LABEL_WIDTH = "110px"


class FormShell(SnapshotDisplay, widgets.VBox):
    """The shell of a create form (see the module docstring); ``api`` is the API it creates in."""

    valid = Bool(False, help="whether the current request passes every rule")
    body_json = Unicode("", help="the JSON body Create would send (as shown in the preview)")
    #: the API the form's body is for; its hub's client speaks it
    api = "devenviron"

    def __init__(self, *, hub: Hub | None = None, settings: runtime.ClientSettings | None = None,
                 clock: Clock | None = None) -> None:
        # the VBox itself is made by _finish, once the subclass has its rows
        self._hub, self._settings, self._clock = hub, settings, clock
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._busy = False
        self._made = False  # the VBox exists (made by _finish): judging may show its verdict
        self._server_error = ""
        #: an error that stays shown whatever is typed (the Notebook form's failed fetch)
        self._standing_error = ""
        self._touched: set[str] = set()
        self._violations: list[Violation] = []
        self._body: dict[str, Any] = {}
        self._created = asyncio.Event()
        self._messages: dict[str, widgets.HTML] = {}
        #: each field's label as the form shows it (what its messages name)
        self._labels: dict[str, str] = {}
        #: each duration's checkbox and its hours and minutes boxes (off: the boxes are disabled)
        self._durations: list[tuple[widgets.Checkbox, widgets.IntText, widgets.IntText]] = []
        #: rows that hold a note (shown only while the note says something)
        self._notes: list[tuple[widgets.GridBox, widgets.HTML]] = []
        self._rows: list[widgets.Widget] = []
        #: the status widget that replaced the form after a successful Create
        self.status_widget: InstanceStatusWidget | None = None
        self.preview = widgets.HTML()
        self.preview.add_class("nb-devenv-preview")
        self.create_button = widgets.Button(description="Create", button_style="primary", icon="rocket")
        self.create_button.add_class("nb-devenv-create-button")
        self.feedback = widgets.HTML()
        self.feedback.add_class("nb-devenv-feedback")
        self.error_html = widgets.HTML()
        self.error_html.add_class("nb-devenv-error")
        self._general = widgets.HTML()
        self._general.add_class("nb-devenv-field-message")

    def _field(self, key: str, label: str, *controls: widgets.Widget) -> widgets.GridBox:
        """A row of the form: ``label``, then ``controls`` and the message line of field ``key``,
        on the grid every row shares (labels in one column, inputs in the next)."""
        message = widgets.HTML()
        message.add_class("nb-devenv-field-message")
        self._messages[key] = message
        self._labels[key] = label
        box = self._grid_row(label, widgets.VBox([widgets.HBox(list(controls)), message]))
        box.add_class(f"nb-devenv-field-{key.replace('_', '-')}")
        return box

    def _grid_row(self, label: str, content: widgets.Widget) -> widgets.GridBox:
        """``label`` and ``content`` in the two columns of the form's grid (a row of its own, so it
        can be hidden alone); rows without a field (notes) have an empty label."""
        caption = widgets.Label(label)
        caption.add_class("nb-devenv-form-label")
        row = widgets.GridBox([caption, content], layout=widgets.Layout(
            grid_template_columns=f"{LABEL_WIDTH} auto", grid_gap="0 8px", align_items="flex-start"))
        row.add_class("nb-devenv-form-row")
        self._rows.append(row)
        return row

    def _duration_controls(self, seconds: int, *, on: bool
                           ) -> tuple[widgets.Checkbox, widgets.IntText, widgets.IntText, list[widgets.Widget]]:
        """An auto-stop duration as the form asks for it: ``[x] after [h] h [min] min``.

        The boxes are unbounded ``IntText``: what is typed stays as typed (a bounded box would
        turn 30 h into 24 h silently), and the contract's range rule says what is allowed. While
        the checkbox is off the boxes are disabled. Returns the checkbox, the hours and the
        minutes boxes, and the row's widgets in order."""
        hours, minutes = divmod(seconds // 60, 60)
        enabled = widgets.Checkbox(value=on, description="after", indent=False,
                                   layout=widgets.Layout(width="64px"))
        hours_box = widgets.IntText(value=hours, layout=widgets.Layout(width="64px"))
        minutes_box = widgets.IntText(value=minutes, layout=widgets.Layout(width="64px"))
        self._durations.append((enabled, hours_box, minutes_box))
        return enabled, hours_box, minutes_box, [enabled, hours_box, widgets.Label("h"), minutes_box,
                                                 widgets.Label("min")]

    def _note_row(self, note: widgets.HTML) -> widgets.GridBox:
        """A row under the previous field for ``note``, taken out of the page while it is empty."""
        row = self._grid_row("", note)
        self._notes.append((row, note))
        return row

    def _finish(self, heading: str, **kwargs: Any) -> None:
        """Make the form from its rows, wire Create and judge the first body."""
        self._preview_box = widgets.Accordion(children=[self.preview], titles=("Request body (JSON)",))
        self._preview_box.selected_index = None  # closed: Create stays in view; one click shows the body
        self._controls_box = widgets.VBox(
            [*self._rows, self._general, self._preview_box,
             widgets.HBox([self.create_button, self.feedback]), self.error_html])
        widgets.VBox.__init__(self, children=[widgets.HTML(STYLE + heading), self._controls_box], **kwargs)
        self.add_class("nb-devenv-form")
        self.add_class(LIVE_CLASS)  # its snapshot's output is hidden while it is rendered
        self.create_button.on_click(lambda _b: self.submit())
        runtime.register(self)
        self._made = True
        self._validate()

    # -- what a form says ---------------------------------------------------------------------------

    def body(self) -> dict[str, Any]:
        """The create request body the controls describe (built by the contract)."""
        raise NotImplementedError

    def field_controls(self) -> dict[str, list[widgets.DOMWidget]]:
        """The input controls of each form field (what gets ``nb-devenv-field-invalid``)."""
        raise NotImplementedError

    def _judge(self, body: dict[str, Any]) -> list[Violation]:
        """Every rule ``body`` breaks."""
        raise NotImplementedError

    def _field_for(self, path: str) -> str:
        """The form field that holds the request field ``path`` (``"general"`` if none does)."""
        raise NotImplementedError

    def _words(self, violation: Violation, label: str) -> str:
        """``violation`` in the form's words (a subclass words its durations and combinations)."""
        return in_words(violation, label)

    def say(self, violation: Violation) -> str:
        """How the form words ``violation``: the field's label and the rule, for people (the
        contract's own text, with the request path, for one the form has no field for)."""
        label = self._labels.get(self._field_for(violation.field))
        return self._words(violation, label) if label else violation.message

    def _show_more(self) -> None:
        """A subclass's own display after each verdict (notes, rows shown or hidden)."""

    def _held(self) -> list[widgets.Widget]:
        """A subclass's widgets that :meth:`_show_more` changes (their updates are batched)."""
        return []

    def _pending(self) -> str:
        """Why Create must wait although nothing is wrong yet (``""``: it need not)."""
        return ""

    # -- judging and showing --------------------------------------------------------------------------

    @property
    def violations(self) -> list[Violation]:
        """Every rule the current request breaks (shown or not yet shown)."""
        return list(self._violations)

    def field_message(self, key: str) -> str:
        """The message shown next to a field ('' when it is fine)."""
        return str(self._messages[key].value if key in self._messages else self._general.value)

    def invalid_fields(self) -> set[str]:
        """Fields currently marked invalid."""
        return {key for key, controls in self.field_controls().items()
                if any("nb-devenv-field-invalid" in c._dom_classes for c in controls)}

    def _changed(self, key: str) -> None:
        self._touched.add(key)
        self._server_error = self._standing_error
        self._validate()

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for w in [self, *self._messages.values(), self._general, self.preview, self.create_button,
                      self.feedback, self.error_html, self.error_html.layout, *self._held(),
                      *(row.layout for row, _ in self._notes), *(b for d in self._durations for b in d[1:])]:
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
        if self._closed or self.status_widget is not None or not self._made:
            return
        self._body = self.body()
        self._violations = self._judge(self._body)
        self._show()

    def _show(self) -> None:
        """Show the last verdict: field marks and messages, the preview, the Create button and
        the feedback line. It judges nothing itself: the controls have not changed since."""
        if self._closed or self.status_widget is not None:
            return
        by_field: dict[str, list[Violation]] = {}
        for violation in self._violations:
            by_field.setdefault(self._field_for(violation.field), []).append(violation)
        pending = self._pending()
        with self._hold():
            for key, controls in self.field_controls().items():
                shown = by_field.get(key, []) if self._judged(key) and not pending else []
                for control in controls:
                    if shown:
                        control.add_class("nb-devenv-field-invalid")
                    else:
                        control.remove_class("nb-devenv-field-invalid")
                self._messages[key].value = "<br>".join(self._problem_html(v) for v in shown)
            general = by_field.get("general", []) if not pending else []
            self._general.value = "<br>".join(self._problem_html(v) for v in general)
            self._show_more()
            for row, note in self._notes:
                row.layout.display = None if note.value else "none"
            for enabled, *boxes in self._durations:
                for box in boxes:
                    box.disabled = self._busy or not enabled.value
            self.body_json = json.dumps(self._body, indent=2)
            self.preview.value = f"<pre>{esc(self.body_json)}</pre>"
            self.valid = not self._violations and not pending
            self.create_button.disabled = not self.valid or self._busy
            hidden = [v for v in self._violations if not self._judged(self._field_for(v.field))]
            if self._busy:
                pass
            elif pending:
                self.feedback.value = f'<span style="color:{MUTED}">{esc(pending)}</span>'
            elif hidden:
                fields = list(dict.fromkeys(self._labels.get(self._field_for(v.field), v.field) for v in hidden))
                self.feedback.value = f'<span style="color:{MUTED}">to do: {esc(", ".join(fields))}</span>'
            else:
                self.feedback.value = ""
            self.error_html.value = (f'<span style="{ERROR_TEXT}">⚠ {esc(self._server_error)}</span>'
                                     if self._server_error else "")
            self.error_html.layout.display = None if self._server_error else "none"

    def _problem_html(self, violation: Violation) -> str:
        """One problem line: the form's words, then the code (to look up, or match the CLI's)."""
        return f'<span style="{ERROR_TEXT}">✗ {esc(self.say(violation))} ({esc(violation.code)})</span>'

    # -- submitting -------------------------------------------------------------------------------------

    def _hub_now(self) -> Hub:
        """The hub (and so the client) the form creates with: the one it was given, else the
        kernel's for its settings and API (``RuntimeError`` without a running loop)."""
        if self._hub is None:
            self._hub = runtime.hub_for(self._settings, self.api)
        return self._hub

    def submit(self) -> asyncio.Task[None] | None:
        """What the Create button does: check, then create on the kernel loop (a task)."""
        if self._closed or self._busy or self.status_widget is not None:
            return None
        self._touched.update(self.field_controls())
        self._show()  # the problems of fields nobody touched are shown now too
        if not self.valid:
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
        self.feedback.value = text
        self._show()
        if busy:
            self.create_button.disabled = True
            self.feedback.value = text

    async def _submit(self, body: dict[str, Any]) -> None:
        try:
            hub = self._hub_now()
            instance = await hub.client.create(body)
        except asyncio.CancelledError:
            raise
        except SpecValidationError as error:
            self._server_error = "; ".join(f"{self.say(v)} ({v.code})" for v in error.violations)
            self._set_busy(False)
            return
        except Exception as error:  # noqa: BLE001 - shown in the form: callback output is invisible
            self._server_error = f"{type(error).__name__}: {error}"
            self._set_busy(False)
            return
        if self._closed:
            return
        status = InstanceStatusWidget(instance, hub=hub, settings=self._settings, clock=self._clock)
        status.snapshot_owner = self  # its changes refresh this output's snapshot
        self.status_widget = status
        old: tuple[widgets.Widget, ...] = tuple(self.children)  # type: ignore[has-type]  # a trait
        self.children = (status,)
        self._created.set()
        for child in old:
            self._close_controls(child)
        self.refresh_snapshot()

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

    # -- what a saved notebook shows ----------------------------------------------------------------

    def snapshot_body(self) -> str:
        """The status widget's state once created; before, the form's request, not submitted."""
        if self.status_widget is not None:
            return self.status_widget.snapshot_body()
        name = self.name.value if isinstance(getattr(self, "name", None), widgets.Text) else ""
        return (f"<div><b>New development environment</b>: a create form, not submitted"
                f"{f' (name {esc(name)})' if name else ''}</div>"
                f"<details><summary>request body</summary><pre>{esc(self.body_json)}</pre></details>")

    def snapshot_footer(self) -> str:
        if self.status_widget is not None:
            return self.status_widget.snapshot_footer()
        return "run <code>%devenv create</code> to open a new form"

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

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = repr(self)
        return data
