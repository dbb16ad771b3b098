from datetime import datetime, timedelta, timezone

import pytest
from channel_helpers import canonical_order
from connectors import canonical

CST = timezone(timedelta(hours=8))


def make(**values):
    return canonical_order(**values)


def test_to_dict_is_json_friendly():
    data = make().to_dict()
    assert data["created_at"] == "2026-11-22T09:30:00+08:00"
    assert data["lines"][0]["unit_price"] == "268.00"
    assert data["receiver"]["country_code"] == "CN"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"platform": "taobao"}, "platform"),
        ({"external_id": ""}, "external_id"),
        ({"status": "WAIT_SELLER_STOCK_OUT"}, "status"),
        ({"created_at": datetime(2026, 11, 22, 9, 30)}, "created_at"),
    ],
)
def test_bad_values_raise_bad_payload_naming_the_field(values, field):
    with pytest.raises(canonical.BadPayload) as error:
        make(**values)
    assert error.value.field == field
