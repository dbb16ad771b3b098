"""The bounds every received order passes (connectors.limits): numbers finite
and in range, amounts rounded to the currency's decimals, strings cut or
refused at documented lengths, a receiver, a line limit, a payload size."""

import json
from datetime import timedelta, timezone
from decimal import Decimal

import connectors
import pytest
from channel_helpers import PLATFORMS, canonical_order, client_for, pull_all
from connectors import canonical
from connectors.limits import Limits, check_order, check_raw

CST = timezone(timedelta(hours=8))
LIMITS = Limits()


def make(lines=None, receiver=None, **values):
    return canonical_order(
        receiver=receiver
        if receiver is not None
        else canonical.Address(name="王伟", phone="13800138000", city="杭州市", detail="文三路 100 号"),
        lines=lines
        if lines is not None
        else (canonical.Line("sku-1", "BRK-1", quantity=Decimal(2), unit_price=Decimal("268.00")),),
        **values,
    )


def line(**values):
    return canonical.Line("sku-1", "BRK-1", **values)


def test_a_good_order_passes_unchanged():
    order = make()
    assert check_order(order, LIMITS) == order


@pytest.mark.parametrize(
    ("bad_line", "field", "words"),
    [
        (line(quantity=Decimal("NaN")), "lines[1].quantity", "not a finite number"),
        (line(quantity=Decimal("Infinity")), "lines[1].quantity", "not a finite number"),
        (line(quantity=Decimal(0)), "lines[1].quantity", "more than 0"),
        (line(quantity=Decimal(-1)), "lines[1].quantity", "more than 0"),
        (line(quantity=Decimal("1e30")), "lines[1].quantity", "more than the limit"),
        (line(unit_price=Decimal("-0.01")), "lines[1].unit_price", "at least 0"),
        (line(unit_price=Decimal("1e30")), "lines[1].unit_price", "more than the limit"),
        (line(unit_price=Decimal("sNaN")), "lines[1].unit_price", "not a finite number"),
        (line(discount=Decimal("-5")), "lines[1].discount", "at least 0"),
    ],
)
def test_numbers_out_of_bounds_are_refused_with_the_field(bad_line, field, words):
    with pytest.raises(connectors.BadPayload) as caught:
        check_order(make(lines=(bad_line,)), LIMITS)
    assert caught.value.field == field
    assert words in str(caught.value)


@pytest.mark.parametrize("name", ["total_amount", "shipping_amount", "discount_amount"])
def test_order_amounts_are_bounded(name):
    with pytest.raises(connectors.BadPayload, match=name):
        check_order(make(**{name: Decimal("-1")}), LIMITS)
    with pytest.raises(connectors.BadPayload, match="more than the limit"):
        check_order(make(**{name: Decimal("1e30")}), LIMITS)


def test_amounts_are_rounded_to_the_currency_decimals():
    order = make(
        lines=(line(unit_price=Decimal("19.995"), discount=Decimal("0.004")),), total_amount=Decimal("1.005")
    )
    checked = check_order(order, LIMITS)
    assert checked.lines[0].unit_price == Decimal("20.00")
    assert checked.lines[0].discount == Decimal("0.00")
    assert checked.total_amount == Decimal("1.01")
    yen = check_order(order, Limits(currency_decimals=0))
    assert yen.lines[0].unit_price == Decimal("20")


def test_the_limits_are_settings():
    order = make(lines=(line(quantity=Decimal(11), unit_price=Decimal(5)),))
    with pytest.raises(connectors.BadPayload, match="limit of 10"):
        check_order(order, Limits(max_quantity=Decimal(10)))
    with pytest.raises(connectors.BadPayload, match="limit of 4"):
        check_order(order, Limits(max_price=Decimal(4)))


def test_line_limit_per_order():
    many = tuple(line(external_line_id=str(index)) for index in range(501))
    with pytest.raises(connectors.BadPayload, match="501 lines, more than the limit of 500") as caught:
        check_order(make(lines=many), LIMITS)
    assert caught.value.field == "lines"
    assert len(check_order(make(lines=many[:500]), LIMITS).lines) == 500


def test_long_order_id_and_remark_are_refused_long_names_are_cut():
    with pytest.raises(connectors.BadPayload, match="order id is 5000 characters") as caught:
        check_order(make(external_id="9" * 5000), LIMITS)
    assert caught.value.field == "external_id"
    with pytest.raises(connectors.BadPayload, match="buyer_remark is 2001 characters"):
        check_order(make(buyer_remark="好" * 2001), LIMITS)
    with pytest.raises(connectors.BadPayload, match="seller_remark"):
        check_order(make(seller_remark="x" * 5_000_000), LIMITS)
    long_name = "王" * 1000
    checked = check_order(
        make(
            receiver=canonical.Address(name=long_name, phone="1" * 300, detail="路" * 900),
            lines=(line(name="刹车片" * 200),),
            buyer_id="b" * 999,
        ),
        LIMITS,
    )
    assert checked.receiver.name == long_name[:256]
    assert len(checked.receiver.phone) == len(checked.receiver.detail) == 256
    assert len(checked.lines[0].name) == 256 and len(checked.buyer_id) == 256


@pytest.mark.parametrize(
    "receiver",
    [
        canonical.Address(),
        canonical.Address(phone="13800138000", detail="文三路 100 号"),  # no name
        canonical.Address(name="王伟"),  # neither phone nor address
        canonical.Address(name="   ", phone="13800138000"),
    ],
)
def test_an_order_needs_a_receiver_with_name_and_phone_or_address(receiver):
    with pytest.raises(connectors.BadPayload, match="no usable receiver") as caught:
        check_order(make(receiver=receiver), LIMITS)
    assert caught.value.field == "receiver"


@pytest.mark.parametrize(
    "receiver",
    [
        canonical.Address(name="王伟", phone="138****0000"),
        canonical.Address(name="王伟", province="浙江省", city="杭州市"),
        # Douyin: the receiver only as ciphertexts, decrypted later
        canonical.Address(encrypted={"name": "#enc#", "phone": "#enc-tel#"}),
    ],
)
def test_masked_partial_or_encrypted_receivers_pass(receiver):
    check_order(make(receiver=receiver), LIMITS)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), float("1e400")])
def test_raw_payloads_with_non_finite_numbers_are_refused_at_any_depth(value):
    raw = {"order": {"items": [{"qty": 1}, {"qty": value}]}}
    with pytest.raises(connectors.BadPayload, match=r"order\.order\.items\[1\]\.qty is not a finite number"):
        check_raw(raw, LIMITS)
    # as JSON parsers read them back from a stored payload
    check_raw(json.loads(json.dumps({"qty": 1e300})), LIMITS)
    with pytest.raises(connectors.BadPayload):
        check_raw(json.loads('{"qty": NaN}'), LIMITS)


def test_raw_payload_size_limit():
    with pytest.raises(connectors.BadPayload, match="more than the limit of 2097152 bytes"):
        check_raw({}, LIMITS, size=2 * 1024 * 1024 + 1)
    check_raw({}, LIMITS, size=2 * 1024 * 1024)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_sandbox_order_passes_the_default_limits(make_sandbox, platform):
    """The defaults refuse nothing a platform really sends (masked, encrypted,
    gifts, discounts, invoices of the sandboxes)."""
    box = make_sandbox(platform, orders=40, seed=7)
    client = client_for(box)
    for raw in pull_all(client).values():
        order = client.normalise(raw)
        check_raw(raw, LIMITS)
        assert check_order(order, LIMITS).external_id == order.external_id
