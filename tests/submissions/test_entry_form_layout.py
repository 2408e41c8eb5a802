"""Issue 15, item 6: the figure-entry form does not run each measure into its hint
("HeadcountDirectly employed..."), and each box carries its group's name for the stacked layout
at narrow widths (checked in a browser at 320 px by tests/browser/test_journeys.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_each_measure_and_its_hint_are_separate_words(client, alice, draft) -> None:
    client.force_login(alice)
    url = reverse("submissions:enter", args=[draft.authority.ons_code, draft.round.label, "adults"])
    html = client.get(url).content.decode()
    headers = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', html, re.S)
    assert headers
    texts = [re.sub(r"<[^>]+>", "", header) for header in headers]
    assert "Headcount Directly employed" in " ".join(" ".join(t.split()) for t in texts)
    assert not any("HeadcountDirectly" in text for text in texts)
    for group in ("White", "Minority ethnic", "Unknown"):
        assert f'aria-hidden="true">{group}</span>' in html
