from __future__ import annotations

import pytest

from submissions import services
from submissions.models import Return, ReturnVersion
from tests.factories import open_round, valid_data


@pytest.fixture
def collection_round(analyst):  # type: ignore[no-untyped-def]
    return open_round(created_by=analyst)


@pytest.fixture
def draft(authority_a, alice, collection_round) -> Return:  # type: ignore[no-untyped-def]
    record = services.return_get_or_create(authority=authority_a, collection_round=collection_round)
    services.draft_save(record=record, data=valid_data(), user=alice, source=ReturnVersion.Source.WEB)
    record.refresh_from_db()
    return record
