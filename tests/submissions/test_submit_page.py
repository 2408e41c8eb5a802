"""Issue 15, item 15: after acceptance (or any step past the draft) the submit page offers no
Submit button; it sends the lead back to the return, saying why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import accepted_return

pytestmark = pytest.mark.django_db


def test_the_submit_page_of_an_accepted_return_has_no_submit_button(
    client, alice, authority_a, collection_round, analyst
) -> None:
    record = accepted_return(authority_a, collection_round, lead=alice, analyst=analyst)
    client.force_login(alice)
    response = client.get(
        reverse("submissions:submit", args=[authority_a.ons_code, collection_round.label]), follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain, "the submit page should send the lead back to the return"
    assert "This return is accepted, so there is nothing to submit." in html
    assert "Submit the return</button>" not in html
    record.refresh_from_db()
