"""wres_portal.reverse_cache: the same URL as reverse() for every name and value (issue 18)."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from wres_portal.reverse_cache import reverse_cached, reverser

#: Routes with an `int` converter (a plan year), with values it takes and values it refuses.
INT_CONVERTERS = [
    ("actionplans:detail", ("E06000001", 2026)),
    ("actionplans:detail", ("E06000001", "2026")),
    ("actionplans:detail", ("E06000001", "007")),
    ("actionplans:detail", ("E06000001", "20x6")),
    ("actionplans:detail", ("E06000001", "-1")),
    ("actionplans:detail", ("E06000001", "٢٠٢٦")),  # digits, but not [0-9]
    ("actionplans:detail", ("2026", 2026)),
    ("actionplans:report", ("E06000001", 2026, "2026-q1")),
    ("actionplans:report", ("a b", 2026, "2026-q1")),
]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("portal:home", ()),
        ("accounts:logout", ()),
        ("portal:council_home", ("E06000001",)),
        ("submissions:detail", ("E06000001", "2025-26")),
        ("submissions:detail", ("a b/c", "2025")),  # quoted or refused by reverse() itself
        ("submissions:detail", ("..", "2025")),
        ("submissions:detail", ("é", "x?y#z")),
        ("metrics:council_results", ("W06000011", "2026")),
        ("accounts:member_role", ("E06000001", uuid.UUID(int=7))),
        *INT_CONVERTERS,
    ],
)
def test_it_gives_what_reverse_gives(name, args) -> None:
    for _ in range(2):  # the first call makes the template, the second uses it
        try:
            expected = reverse(name, args=args)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                reverse_cached(name, args)
            continue
        assert reverse_cached(name, args) == expected


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("portal:council_home", ("E06000001",)),
        ("submissions:detail", ("E06000001", "2025-26")),
        ("submissions:detail", ("a b/c", "2025")),
        ("submissions:detail", ("..", "2025")),
        ("submissions:detail", ("é", "x?y#z")),
        ("accounts:member_role", ("E06000001", uuid.UUID(int=7))),
        *INT_CONVERTERS,
    ],
)
def test_a_reverser_for_a_lists_rows_gives_what_reverse_gives(name, args) -> None:
    made = reverser(name, len(args))
    try:
        expected = reverse(name, args=args)
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            made(*args)
        return
    assert made(*args) == expected
    assert made(*args) == expected  # and again: nothing kept from one row to the next


def test_a_reverser_keeps_the_script_prefix_it_was_made_under() -> None:
    set_script_prefix("/portal/")
    try:
        made = reverser("portal:council_home", 1)
        assert made("E1") == "/portal/councils/E1/" == reverse("portal:council_home", args=["E1"])
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_it_takes_keyword_arguments_and_the_script_prefix() -> None:
    kwargs = {"ons_code": "E06000001", "round_label": "2026"}
    assert reverse_cached("submissions:detail", kwargs=kwargs) == reverse("submissions:detail", kwargs=kwargs)
    set_script_prefix("/portal/")
    try:
        assert reverse_cached("portal:council_home", ["E1"]) == "/portal/councils/E1/"
        assert reverse_cached("portal:council_home", ["E1"]) == reverse("portal:council_home", args=["E1"])
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_a_missing_name_raises_as_reverse_does() -> None:
    with pytest.raises(NoReverseMatch):
        reverse_cached("portal:no_such_page")


urlpatterns: list[object] = []


def test_a_change_of_urlconf_drops_the_templates() -> None:
    assert reverse_cached("portal:home") == "/"
    with override_settings(ROOT_URLCONF=__name__), pytest.raises(NoReverseMatch):
        reverse_cached("portal:home")
    assert reverse_cached("portal:home") == "/"


def test_an_int_converters_argument_is_filled_from_the_template_not_reversed(monkeypatch) -> None:
    """A plan's link in a list of 50 councils went through reverse() on every row (its year is an
    `int` converter's, which a letter stand-in does not fit)."""
    import wres_portal.reverse_cache as reverse_cache

    made = reverser("actionplans:detail", 2)
    expected = reverse("actionplans:detail", args=["E06000001", 2026])

    def refuse(*args, **kwargs):
        raise AssertionError("reverse() called for a value the template takes")

    monkeypatch.setattr(reverse_cache, "reverse", refuse)
    assert made("E06000001", 2026) == expected
