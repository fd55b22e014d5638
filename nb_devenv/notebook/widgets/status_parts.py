"""Rows of the status widget, as small widgets of their own: the action buttons, the auto-stop
countdown and the lease with its Extend buttons. They hold controls and put values into them;
what the values are is decided in :mod:`.status_view`, what a click does in :mod:`.status`.
"""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as widgets

from nb_devenv.client._api import DEVENVIRON, can

from ._html import html_part, set_hidden
from .status_view import EXTEND_STEPS, CountdownView, LeaseView, button_tooltips

__all__ = ["ActionBar", "CountdownRow", "LeaseRow"]


class ActionBar(widgets.HBox):
    """Stop, Start, Delete and Refresh (classes ``nb-devenv-<name>-button``); the owner wires
    their clicks, :meth:`enable` follows :func:`nb_devenv.contract.can` and says in each
    disabled button's tooltip why it is disabled.

    Delete asks first, in place: :meth:`ask` replaces the buttons by the question (class
    ``nb-devenv-confirm``) with **Confirm delete** (``nb-devenv-confirm-delete-button``) and
    **Cancel** (``nb-devenv-cancel-button``); the owner wires those too."""

    def __init__(self, **kwargs: Any) -> None:
        self.stop_button = widgets.Button(description="Stop", icon="stop")
        self.start_button = widgets.Button(description="Start", icon="play")
        self.delete_button = widgets.Button(description="Delete", icon="trash", button_style="danger")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.question = html_part("nb-devenv-confirm-question")
        self.confirm_button = widgets.Button(description="Confirm delete", icon="trash", button_style="danger",
                                             tooltip="Delete the instance now",
                                             layout=widgets.Layout(width="auto"))
        self.cancel_button = widgets.Button(description="Cancel", tooltip="Keep the instance",
                                            layout=widgets.Layout(width="auto"))
        for name, button in (("stop", self.stop_button), ("start", self.start_button),
                             ("delete", self.delete_button), ("refresh", self.refresh_button),
                             ("confirm-delete", self.confirm_button), ("cancel", self.cancel_button)):
            button.add_class(f"nb-devenv-{name}-button")
        self.confirm_box = widgets.HBox([self.question, self.confirm_button, self.cancel_button])
        self.confirm_box.add_class("nb-devenv-confirm")
        self.confirm_box.add_class("nb-devenv-row")
        self.button_box = widgets.HBox([self.stop_button, self.start_button, self.delete_button,
                                        self.refresh_button])
        self.button_box.add_class("nb-devenv-row")
        set_hidden(self.confirm_box, True)
        super().__init__(children=[self.button_box, self.confirm_box], **kwargs)
        self.add_class("nb-devenv-row")

    @property
    def asking(self) -> bool:
        """Whether the delete question is shown."""
        return bool(self.question.value)

    def ask(self, question: str) -> None:
        """Show ``question`` (HTML) with Confirm delete / Cancel instead of the buttons; ``""``
        puts the buttons back."""
        self.question.value = question
        set_hidden(self.confirm_box, not question)
        set_hidden(self.button_box, bool(question))

    @property
    def buttons(self) -> dict[str, widgets.Button]:
        """The buttons by description."""
        return {b.description: b for b in (self.stop_button, self.start_button, self.delete_button,
                                           self.refresh_button)}

    def enable(self, status: str, *, busy: str | None = None, deleted: bool = False,
               api: str = DEVENVIRON) -> None:
        """Enable what ``api``'s rules allow in ``status``; nothing while an action (``busy``)
        runs or once the instance is deleted. Each tooltip says what the button does, or why
        it is disabled."""
        idle = busy is None and not deleted
        enabled = {"Stop": idle and can(api, "stop", status), "Start": idle and can(api, "start", status),
                   "Delete": idle and can(api, "delete", status), "Refresh": idle}
        tips = button_tooltips(status, enabled, busy=busy)
        for name, button in self.buttons.items():
            button.disabled = not enabled[name]
            button.tooltip = tips[name]
        self.confirm_button.disabled = not enabled["Delete"]

    def all_widgets(self) -> list[widgets.Widget]:
        return [self, self.button_box, self.stop_button, self.start_button, self.delete_button, self.refresh_button,
                self.confirm_box, self.question, self.confirm_button, self.cancel_button]


class CountdownRow(widgets.HBox):
    """The countdown (class ``nb-devenv-countdown``), its bar (``nb-devenv-countdown-bar``) and
    the warning (``nb-devenv-warning``)."""

    def __init__(self, **kwargs: Any) -> None:
        self.countdown = html_part("nb-devenv-countdown")
        self.bar = widgets.FloatProgress(min=0.0, max=1.0, value=0.0, bar_style="success",
                                         layout=widgets.Layout(width="240px", flex="0 0 auto"))
        self.bar.add_class("nb-devenv-countdown-bar")
        # a line of its own under the countdown and the bar, never a column beside them
        self.warning = html_part("nb-devenv-warning")
        self.warning.layout.flex = "1 0 100%"
        super().__init__(children=[self.countdown, self.bar, self.warning], **kwargs)
        self.add_class("nb-devenv-row")

    def show(self, view: CountdownView) -> None:
        """Put ``view`` into the controls (unchanged values send nothing to the front end)."""
        self.countdown.value = view.text
        if view.bar_max is not None:
            self.bar.max = view.bar_max  # before the value, which must fit under it
            self.bar.value = view.bar_value
            self.bar.bar_style = view.bar_style
        self.warning.value = view.warning
        if view.text:  # a hidden row keeps its bar and warning as they were: fewer messages
            set_hidden(self.bar, view.bar_max is None)
            set_hidden(self.warning, not view.warning)
        set_hidden(self, not view.text)

    def all_widgets(self) -> list[widgets.Widget]:
        return [self, self.countdown, self.bar, self.warning]


class LeaseRow(widgets.HBox):
    """The lease (class ``nb-devenv-lease``): a line about it (``nb-devenv-lease-note``) and,
    for a running Notebook API instance, the Extend buttons (box ``nb-devenv-extend``; "+1 h",
    "+4 h", class ``nb-devenv-extend-button``). A click calls ``on_extend(seconds)``."""

    def __init__(self, on_extend: Callable[[int], None], **kwargs: Any) -> None:
        self.note = html_part("nb-devenv-lease-note")
        self.extend_buttons = {seconds: widgets.Button(description=f"+{seconds // 3600} h", icon="clock-o",
                                                       tooltip=f"let it run {seconds // 3600} h longer before it stops",
                                                       layout=widgets.Layout(width="auto"))
                               for seconds in EXTEND_STEPS}
        for seconds, button in self.extend_buttons.items():
            button.add_class("nb-devenv-extend-button")
            button.on_click(lambda _b, seconds=seconds: on_extend(seconds))
        self.extend_box = widgets.HBox(list(self.extend_buttons.values()))
        self.extend_box.add_class("nb-devenv-extend")
        super().__init__(children=[self.note, self.extend_box], **kwargs)
        self.add_class("nb-devenv-lease")

    @property
    def buttons(self) -> dict[str, widgets.Button]:
        """The Extend buttons by description ("+1 h", "+4 h")."""
        return {b.description: b for b in self.extend_buttons.values()}

    def show(self, view: LeaseView) -> None:
        """Put ``view`` into the controls; an empty view hides the row."""
        self.note.value = view.note
        for seconds, button in self.extend_buttons.items():
            button.disabled = seconds not in view.extendable
            hours = seconds // 3600
            button.tooltip = (f"let it run {hours} h longer before it stops" if not button.disabled
                              else f"+{hours} h: wait for the current action to finish" if view.busy
                              else f"+{hours} h: its run time would pass the API's 72 h")
        set_hidden(self.extend_box, not view.extend)
        set_hidden(self, not (view.note or view.extend))

    def all_widgets(self) -> list[widgets.Widget]:
        return [self, self.note, self.extend_box, *self.extend_buttons.values()]
