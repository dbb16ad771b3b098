"""Buyer tax ids of Chinese VAT invoices (order_hub/models/tax_id.py, no Odoo)."""

import pytest
from addon_source import load

tax_id = load("order_hub", "models/tax_id.py")


@pytest.mark.parametrize(
    "value, verdict",
    [
        ("91310110666007217T", tax_id.VALID),
        ("91310115591693856A", tax_id.VALID),
        ("9131 0110-6660 07217t", tax_id.VALID),
        ("91350211M00013FA1N", tax_id.BAD_CHECK),
        ("91310110666007217I", tax_id.BAD_FORMAT),
        # registration authority given as a letter (GB 32100-2015): A, N, Y, ...
        ("N2330106MA2B0XY31D", tax_id.VALID),
        ("N1330106080011234W", tax_id.VALID),
        ("Y1330106MA2B0XY318", tax_id.VALID),
        ("A1110000MA01C2D3EN", tax_id.VALID),
        ("N2330106MA2B0XY31E", tax_id.BAD_CHECK),
        ("Y1330106MA2B0XY317", tax_id.BAD_CHECK),
        ("A1110000MA01C2D3EM", tax_id.BAD_CHECK),
        ("I1110000MA01C2D3EN", tax_id.BAD_FORMAT),
        ("N2ABCDEFMA2B0XY31D", tax_id.BAD_FORMAT),
        ("330106143212345", tax_id.VALID),
        ("33010619800101123", tax_id.VALID),
        ("33010619800101123401", tax_id.VALID),
        ("3301061432123456", tax_id.BAD_FORMAT),
        ("ABCDEF143212345", tax_id.BAD_FORMAT),
        ("", tax_id.EMPTY),
        (None, tax_id.EMPTY),
    ],
)
def test_check(value, verdict):
    assert tax_id.check(value) == verdict


def test_compact():
    assert tax_id.compact(" 9131 0110-6660 07217t ") == "91310110666007217T"
