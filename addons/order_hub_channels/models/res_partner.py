import re

from odoo import api, fields, models

from odoo.addons.order_hub.models import cn_address

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

    @api.model
    def _hub_migrate_channel_addresses(self):
        """Give the addresses earlier imports wrote (province as text at the
        start of ``street2``) their province record; called by the migration
        to 18.0.1.1.0.  Returns the partners it changed."""
        orders = self.env["sale.order"].sudo().search([("channel_id", "!=", False)])
        partners = (orders.partner_id | orders.partner_shipping_id).filtered(
            lambda p: not p.state_id and p.street2 and p.country_id.code in ("CN", False)
        )
        for partner in partners:
            code, rest = cn_address.split_province(partner.street2)
            province = cn_address.FULL_NAMES.get(code, "")
            if not code:  # the first word names no province: kept as text, and flagged
                province, _space, rest = partner.street2.partition(" ")
            district, _space, street = rest.partition(" ")
            vals = partner._hub_cn_address_vals(province, partner.city, district, street, partner.street)
            partner.write({key: value for key, value in vals.items() if key != "city"})
        return partners
