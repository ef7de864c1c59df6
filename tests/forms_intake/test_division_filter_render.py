"""The queue's division filter: its rendered select is reused only when nothing it shows has changed."""

from django import forms

from forms_intake.backoffice.filters import JINJA2_RENDERER, DivisionFilterSelect

CHOICES = [("", "---------"), ("430000", "湖南省 (430000)"), ("430102", "\u2003\u2003芙蓉区 (430102)")]


def plain(choices, value):
    return forms.Select(choices=choices).render("division", value, {"id": "id_division"}, renderer=JINJA2_RENDERER)


def test_the_reused_select_is_the_same_markup_as_a_fresh_render():
    widget = DivisionFilterSelect(choices=CHOICES)
    first = widget.render("division", "", {"id": "id_division"})
    again = DivisionFilterSelect(choices=CHOICES).render("division", "", {"id": "id_division"})
    assert first == again == plain(CHOICES, "")


def test_another_selected_division_is_selected_in_the_markup():
    widget = DivisionFilterSelect(choices=CHOICES)
    widget.render("division", "", {"id": "id_division"})
    html = widget.render("division", "430102", {"id": "id_division"})
    assert html == plain(CHOICES, "430102")
    assert 'value="430102" selected' in html


def test_new_divisions_or_names_are_never_a_stale_list():
    DivisionFilterSelect(choices=CHOICES).render("division", "", {"id": "id_division"})
    renamed = [*CHOICES[:2], ("430102", "\u2003\u2003芙蓉区（新） (430102)"), ("430103", "天心区 (430103)")]
    html = DivisionFilterSelect(choices=renamed).render("division", "", {"id": "id_division"})
    assert "芙蓉区（新）" in html and 'value="430103"' in html
    assert html == plain(renamed, "")
