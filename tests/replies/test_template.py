"""The saved replies' own template language: variables, questions, refusals, and no template injection."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.replies import template

VALUES = {"author.first_name": "Zoé", "author.name": "Zoé Martin", "channel.name": "Forum", "agent.name": "Ana"}


def test_known_variables_are_filled_with_or_without_spaces():
    body = "Hi {{author.first_name}} ({{ author.name }}), {{agent.name}} on {{channel.name}}."
    assert template.render(body, VALUES, {}) == "Hi Zoé (Zoé Martin), Ana on Forum."
    assert template.problems(body) == []


def test_questions_are_listed_once_in_order_and_filled_from_the_answers():
    body = "Order {{ask:order number}} ({{ask:date}}), again {{ ask:order   number }}."
    assert template.questions(body) == ["order number", "date"]
    assert template.render(body, VALUES, {"order number": "A-12", "date": "May 3"}) == "Order A-12 (May 3), again A-12."


def test_an_empty_name_leaves_no_stray_space():
    values = {**VALUES, "author.first_name": ""}
    assert template.render("Hello {{author.first_name}}, thanks.", values, {}) == "Hello, thanks."
    assert template.render("Bonjour {{author.first_name}} !", values, {}) == "Bonjour !"


@pytest.mark.parametrize(
    "body",
    ["{{author.email}}", "{{ settings.SECRET_KEY }}", "{{author.name|upper}}", "{{ask:}}", "{{ask:" + "x" * 41 + "}}"],
)
def test_unknown_variables_are_refused_in_words(body):
    found = template.problems(body)
    assert len(found) == 1 and body.replace("{{", "").split("}}")[0][:5] in found[0]


def test_the_refusal_is_in_french():
    with translation.override("fr"):
        assert "n’est pas une variable" in template.problems("{{author.email}}")[0]


@pytest.mark.parametrize(
    "attempt",
    ["{% load static %}{{ request.user }}", "{{author.name}}", "{{ask:x}}", "{% debug %}", "<script>x</script>"],
)
def test_values_are_never_read_as_a_template(attempt):
    """What an author, agent or answer writes comes out as written: one pass, no Django template."""
    values = dict.fromkeys(VALUES, attempt)
    assert template.render("[{{author.name}}|{{agent.name}}|{{ask:q}}]", values, {"q": attempt}) == (
        f"[{attempt}|{attempt}|{attempt}]"
    )


def test_django_template_syntax_in_a_body_stays_text():
    body = "{% for x in y %}{{ x }}{% endfor %} {% now 'Y' %}"
    assert template.render(body, VALUES, {}) == "{% for x in y %}{{ x }}{% endfor %} {% now 'Y' %}"
    assert template.problems(body)  # {{ x }} is not a variable: refused at save time
