import re

from odoo import api, fields, models

MASK = re.compile(r"[*xX]{2,}")


def phone_key(phone, platform="", buyer_id=""):
    """Normalised phone used to recognise repeat buyers.

    Digits only, China's +86/0086 prefix dropped.  A masked number
    (138****1234) identifies nobody: the platform's buyer id is used instead
    when there is one, else the masked number as it is.
    """
    phone = (phone or "").strip()
    if not phone:
        return f"{platform}:{buyer_id}" if buyer_id else ""
    if MASK.search(phone):
        return f"{platform}:{buyer_id}" if buyer_id else f"masked:{phone}"
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits


class ResPartner(models.Model):
    _inherit = "res.partner"

    order_hub_phone_key = fields.Char(
        string="Normalised Phone",
        compute="_compute_order_hub_phone_key",
        store=True,
        index="btree_not_null",
        copy=False,
    )
    order_hub_buyer_key = fields.Char(
        string="Platform Buyer",
        index="btree_not_null",
        copy=False,
        help="Platform and buyer id of a buyer whose phone the platform masks.",
    )

    @api.depends("phone", "mobile", "order_hub_buyer_key")
    def _compute_order_hub_phone_key(self):
        for partner in self:
            partner.order_hub_phone_key = partner.order_hub_buyer_key or phone_key(
                partner.mobile or partner.phone
            )
