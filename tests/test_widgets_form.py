"""The create form as real ipywidgets (DummyComm outside a kernel): live validation from the spec.

No server here: the form is judged by nb_devenv.contract alone. Submitting against the real server
is in test_widgets_live.py.
"""

from __future__ import annotations

import html
import json
import re

import ipywidgets as widgets
import pytest

from nb_devenv.contract import FLAVORS, PROFILES, build_create_body, validate_create
from nb_devenv.contract.devenviron import rules
from nb_devenv.notebook.widgets import CreateForm, field_for_path, flavor_option_label
from nb_devenv.notebook.widgets.form_base import LABEL_WIDTH

INVALID = "nb-devenv-field-invalid"


pytestmark = pytest.mark.usefixtures("no_default_server", "closed_widgets")


def preview_body(form: CreateForm) -> dict:
    text = form.preview.value
    assert text.startswith("<pre>") and text.endswith("</pre>")
    return json.loads(html.unescape(text[len("<pre>"):-len("</pre>")]))


def shown_text(markup: str) -> str:
    """What a message says on screen: its HTML without tags or entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def valid_form(**kwargs) -> CreateForm:
    form = CreateForm(**kwargs)
    form.name.value = "demo"
    return form


def test_new_form_waits_for_a_name_without_shouting():
    form = CreateForm()
    assert "nb-devenv-form" in form._dom_classes
    assert form.create_button.description == "Create"
    assert form.create_button.disabled
    assert not form.valid
    assert form.invalid_fields() == set()  # untouched: not marked red yet
    assert "to do: Name" in form.feedback.value  # the field as labelled, not the request path
    assert [v.code for v in form.violations] == ["ModelArts.6335"]


def test_invalid_name_marks_the_field_and_disables_create():
    form = CreateForm()
    form.name.value = "bad name!"
    assert form.invalid_fields() == {"name"}
    assert INVALID in form.name._dom_classes
    message = form.field_message("name")
    assert "ModelArts.6334" in message and "may contain only letters" in message
    assert form.create_button.disabled

    form.name.value = "good-name_1"
    assert form.invalid_fields() == set()
    assert INVALID not in form.name._dom_classes
    assert form.field_message("name") == ""
    assert not form.create_button.disabled
    assert form.valid


def test_preview_is_exactly_the_body_the_spec_builds():
    form = valid_form()
    form.description.value = "nightly run"
    expected = build_create_body(name="demo", profile_id="Python3", flavor="modelarts.vm.cpu.2u",
                                 description="nightly run", storage="EVS", volume_size=5, auto_stop=7200)
    assert form.body() == expected
    assert preview_body(form) == expected
    assert json.loads(form.body_json) == expected
    assert validate_create(expected) == []


def test_the_flavor_list_offers_only_what_the_profile_runs_on():
    form = valid_form()
    for profile in PROFILES.values():
        form.profile.value = profile.id
        offered = [value for _, value in form.flavor.options]
        assert offered == [f.name for f in FLAVORS.values() if f.hardware == profile.hardware]
        assert form.flavor.value in offered and not FLAVORS[form.flavor.value].needs_permission
        assert form.valid and form.invalid_fields() == set()


def test_a_preset_flavor_the_profile_cannot_run_is_kept_and_explained_in_words():
    gpu = next(f for f in FLAVORS.values() if f.hardware == "GPU")
    form = CreateForm(name="demo", profile_id="Python3", flavor=gpu.name)
    assert form.flavor.value == gpu.name and "flavor" in form.invalid_fields()
    message = html.unescape(form.field_message("flavor"))
    assert f"Flavor: {gpu.name} is a GPU flavor, but the Python3 profile runs on CPU flavors only" in message
    assert "ModelArts.6330" in message and "flavor profile" not in message
    assert form.create_button.disabled
    form.profile.value = next(p.id for p in PROFILES.values() if p.hardware == "GPU")
    assert form.flavor.value == gpu.name and form.valid  # it fits the new profile: kept


def test_permission_flavors_are_marked_short_and_explained_below():
    form = CreateForm()
    form.profile.value = next(p.id for p in PROFILES.values() if p.hardware == "GPU")
    labels = dict((value, label) for label, value in form.flavor.options)
    for name, label in labels.items():
        assert label == flavor_option_label(FLAVORS[name])
        assert label.endswith(" *") == FLAVORS[name].needs_permission
        assert "(" not in label and len(label) <= 60  # nothing for the dropdown to cut off
    assert "* needs a permission" in form.flavor_note.value
    permission = next(f for f in FLAVORS.values() if f.needs_permission)
    form.flavor.value = permission.name
    assert "needs a permission" in form.flavor_note.value and "ModelArts.6328" in form.flavor_note.value
    (note_row, _), = form._notes
    assert note_row.layout.display is None
    form.profile.value = "Python3"  # a CPU list has no such flavor: no note, and no empty row
    assert form.flavor_note.value == "" and note_row.layout.display == "none"


def test_storage_toggle_shows_obs_path_or_evs_size():
    form = valid_form()
    assert form._evs_box.layout.display is None and form._obs_box.layout.display == "none"
    form.storage.value = "OBS"
    assert form._obs_box.layout.display is None and form._evs_box.layout.display == "none"
    assert "ModelArts.6317" in form.field_message("obs_path")
    assert form.create_button.disabled
    form.obs_path.value = "my-bucket/work"
    assert "ModelArts.6318" in form.field_message("obs_path")
    form.obs_path.value = "my-bucket/"
    assert "ModelArts.6358" in form.field_message("obs_path")
    form.obs_path.value = "my-bucket/work/"
    assert form.valid and not form.create_button.disabled
    assert form.body()["spec"]["storage"] == {"type": "OBS", "location": {"path": "my-bucket/work/"}}


def test_evs_size_out_of_range_names_the_rule():
    form = valid_form()
    form.volume_size.value = 2
    assert form.invalid_fields() == {"volume_size"}
    assert "ModelArts.6331" in form.field_message("volume_size")
    assert f"between {rules.VOLUME_MIN} and {rules.VOLUME_MAX}" in html.unescape(form.field_message("volume_size"))
    form.volume_size.value = 50
    assert form.valid


def test_auto_stop_in_hours_and_minutes_within_the_allowed_range():
    form = valid_form()
    form.auto_stop_hours.value = 0
    form.auto_stop_minutes.value = 30
    assert form.invalid_fields() == {"auto_stop"}
    assert all(INVALID in c._dom_classes for c in (form.auto_stop_hours, form.auto_stop_minutes))
    message = html.unescape(form.field_message("auto_stop"))
    assert "Auto-stop must be between 1 h and 24 h, not 30 min (ModelArts.6349)" in message
    form.auto_stop_hours.value = 1
    assert form.valid and form.body()["spec"]["auto_stop"] == {"enable": True, "duration": 5400}
    form.auto_stop.value = False
    assert form.valid and "auto_stop" not in form.body()["spec"]
    assert form.auto_stop_hours.disabled and form.auto_stop_minutes.disabled  # off: nothing to type
    form.auto_stop.value = True
    assert not form.auto_stop_hours.disabled and not form.auto_stop_minutes.disabled


def test_hours_past_the_maximum_stay_as_typed_and_are_explained():
    form = valid_form()
    form.auto_stop_hours.value, form.auto_stop_minutes.value = 30, 0
    assert form.auto_stop_hours.value == 30  # no silent clamping to 24
    assert form.body()["spec"]["auto_stop"]["duration"] == 30 * 3600  # the preview shows what was typed
    message = html.unescape(form.field_message("auto_stop"))
    assert "Auto-stop must be between 1 h and 24 h, not 30 h" in message
    assert "spec.auto_stop" not in message and "seconds" not in message and "86400" not in message
    assert form.create_button.disabled


def test_a_rule_changed_in_the_spec_changes_the_form(monkeypatch):
    form = valid_form()
    form.auto_stop_hours.value = 1
    form.auto_stop_minutes.value = 0
    assert form.valid
    monkeypatch.setattr(rules, "DURATION_MIN", 2 * 3600)
    form.auto_stop_minutes.value = 1  # any edit re-validates
    assert not form.valid and "ModelArts.6349" in form.field_message("auto_stop")
    assert "between 2 h and 24 h, not 1 h 1 min" in html.unescape(form.field_message("auto_stop"))


def test_messages_name_fields_as_labelled_not_request_paths():
    form = CreateForm(name="bad name!", storage="OBS", path="bucket", volume_size=2)
    form.auto_stop_hours.value = 0
    shown = {key: shown_text(form.field_message(key)) for key in ("name", "obs_path", "auto_stop")}
    assert shown["name"].startswith("✗ Name may contain only letters")
    assert shown["obs_path"].startswith("✗ OBS path ")
    assert shown["auto_stop"].startswith("✗ Auto-stop must be between")
    for text in shown.values():
        assert "spec." not in text and "location" not in text


def test_the_form_is_one_grid_with_the_preview_closed():
    form = valid_form()
    assert form._preview_box.selected_index is None  # Create stays above the fold
    rows = [r for r in form._rows if isinstance(r, widgets.GridBox)]
    assert len(rows) == len(form._rows)
    assert {r.layout.grid_template_columns for r in rows} == {f"{LABEL_WIDTH} auto"}  # one label column
    labels = {r.children[0].value for r in rows}
    assert {"Name", "Profile", "Flavor", "Storage", "Auto-stop"} <= labels
    storage_row = next(r for r in rows if r.children[0].value == "Storage")
    assert form.storage in storage_row.children[1].children[0].children  # the label beside its buttons
    assert all(not getattr(c, "description", "") for c in (form.name, form.flavor, form.storage))


def test_no_glyph_needs_an_emoji_font():
    form = valid_form()
    form.profile.value = next(p.id for p in PROFILES.values() if p.hardware == "GPU")
    form.flavor.value = next(f.name for f in FLAVORS.values() if f.needs_permission)
    texts = [form.flavor_note.value, *(label for label, _ in form.flavor.options)]
    form.name.value = "bad!"
    texts.append(form.field_message("name"))
    for text in texts:
        assert text and all(ord(ch) < 0x1F000 for ch in text), text


def test_description_rules_and_escaped_messages():
    form = valid_form()
    form.description.value = "a <b>bold</b> & 'quoted' claim"
    assert form.invalid_fields() == {"description"}
    message = form.field_message("description")
    assert "ModelArts.6334" in message
    assert "<b>" not in message and "&lt;" in message
    assert "<b>bold" not in form.preview.value  # the preview escapes too


def test_annotations_rows_add_and_remove():
    form = valid_form()
    key, value = form.annotations.add_row()
    key.value, value.value = "team", "vision"
    form.annotations.add_row("owner", "ana")
    assert form.body()["spec"]["annotations"] == {"team": "vision", "owner": "ana"}
    assert preview_body(form)["spec"]["annotations"] == {"team": "vision", "owner": "ana"}
    first = form.annotations._rows[0]
    first[2].click()  # the row's Remove button
    assert form.body()["spec"]["annotations"] == {"owner": "ana"}
    form.annotations._rows[0][2].click()
    assert "annotations" not in form.body()["spec"]


def test_workspace_field_and_presets():
    form = CreateForm(name="pre", profile_id="Python3", flavor="modelarts.vm.cpu.8u", storage="OBS",
                      path="bkt/dir/", auto_stop=None, annotations={"k": "v"}, workspace="ws-1")
    assert form.valid
    assert form.body() == build_create_body(name="pre", profile_id="Python3", flavor="modelarts.vm.cpu.8u",
                                            storage="OBS", path="bkt/dir/", annotations={"k": "v"},
                                            workspace="ws-1")
    form.workspace.value = ""
    assert "workspace" not in form.body()


def test_unknown_presets_are_kept_and_explained():
    form = CreateForm(name="x", profile_id="Python9", flavor="modelarts.vm.none")
    assert form.profile.value == "Python9"
    assert {"profile", "flavor"} <= form.invalid_fields()
    assert "ModelArts.6336" in form.field_message("profile")
    assert "ModelArts.6323" in form.field_message("flavor")


def test_every_violation_path_maps_to_a_field():
    assert field_for_path("spec.storage.location.path") == "obs_path"
    assert field_for_path("spec.storage.location.volume_size") == "volume_size"
    assert field_for_path("spec.storage.type") == "storage"
    assert field_for_path("spec.auto_stop.duration") == "auto_stop"
    assert field_for_path("spec.annotations.team") == "annotations"
    assert field_for_path("workspace.id") == "workspace"
    assert field_for_path("name") == "name"
    assert field_for_path("spec") == "general"


def test_submit_without_a_loop_shows_the_error_inside_the_form():
    form = valid_form()
    assert form.submit() is None  # no running loop here (a plain sync test)
    assert "running event loop" in form.error_html.value
    assert "nb-devenv-error" in form.error_html._dom_classes


def test_repr_is_one_line():
    form = valid_form()
    assert repr(form) == ("CreateForm(name='demo', profile=Python3, flavor=modelarts.vm.cpu.2u, "
                          "storage=EVS, valid)")
    assert form._repr_mimebundle_()["text/plain"] == repr(form)


def test_close_closes_the_controls():
    form = valid_form()
    name = form.name
    form.close()
    assert name.comm is None and form.comm is None
