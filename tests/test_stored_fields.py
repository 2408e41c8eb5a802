"""Issue 18: a list page's filter fields are rendered once per process for each state, not by the
form templates on every request; what a visitor typed and a field in error are rendered as before."""

from __future__ import annotations

import pytest
from django.forms import BoundField
from django.urls import reverse

from accounts.models import Region

pytestmark = pytest.mark.django_db


def _filter_form(page: bytes) -> str:
    text = page.decode()
    start = text.index('<form method="get"')
    return text[start : text.index("</form>", start)]


def _spy_on_rendering(monkeypatch) -> list[str]:
    """The names of the fields rendered by their templates from now on."""
    calls: list[str] = []
    original = BoundField.as_field_group

    def spy(self: BoundField) -> str:
        calls.append(self.name)
        return original(self)

    monkeypatch.setattr(BoundField, "as_field_group", spy)
    return calls


def test_the_monitors_filter_fields_are_rendered_once_for_each_state(
    client, analyst, collection_round, monkeypatch
) -> None:
    client.force_login(analyst)
    url = reverse("submissions:monitor", args=[collection_round.label])
    asked = {"status": "not_started", "region": Region.LONDON, "late": "yes"}
    first = _filter_form(client.get(url, asked).content)
    calls = _spy_on_rendering(monkeypatch)
    assert _filter_form(client.get(url, asked).content) == first
    assert calls == []
    assert 'value="not_started" selected' in first and f'value="{Region.LONDON}" selected' in first
    # A value that is no choice: rendered afresh, with its error.
    wrong = _filter_form(client.get(url, {**asked, "status": "nonsense"}).content)
    assert calls == ["status"] and "govuk-form-group--error" in wrong


def test_a_search_typed_into_the_authority_list_is_rendered_not_stored(
    client, analyst, collection_round, monkeypatch
) -> None:
    client.force_login(analyst)
    url = reverse("portal:authority_list")
    first = _filter_form(client.get(url, {"region": Region.LONDON}).content)
    calls = _spy_on_rendering(monkeypatch)
    assert _filter_form(client.get(url, {"region": Region.LONDON}).content) == first
    assert calls == []
    typed = _filter_form(client.get(url, {"region": Region.LONDON, "q": "Bad<ger"}).content)
    assert calls == ["q"] and 'value="Bad&lt;ger"' in typed
