"""Suspected duplicates: the same buyer ordering the same products on two channels.

``hub_source`` is the channel (platform code) an order came from: the one
sales-channel field of Order Hub.  Duplicate detection compares it, and the
logistics addon routes on it (flash-sale warehouses, warehouse rules).  The
channels addon fills it from its channel's platform when it imports an order,
or overrides ``_hub_channel_key`` to compare channel records.
"""

from datetime import timedelta

from odoo import _, api, fields, models

from .order_hub_blacklist import normalise_phone

# Sources without a platform connector; order_hub_channels adds one value per
# platform it has a client for (selection_add): the one list of channels.
HUB_SOURCES = [
    ("wecom", "WeCom"),
    ("phone", "Phone"),
    ("other", "Other"),
]
DUPLICATE_WINDOW = timedelta(hours=24)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_source = fields.Selection(HUB_SOURCES, string="Channel", index=True, copy=False)
    hub_phone_normalised = fields.Char(
        string="Normalised Phone", compute="_compute_hub_phone_normalised", store=True, index=True
    )
    hub_duplicate_of_id = fields.Many2one(
        "sale.order", string="Suspected Duplicate Of", copy=False, readonly=True, index="btree_not_null"
    )
    hub_is_suspected_duplicate = fields.Boolean(string="Suspected Duplicate", copy=False, readonly=True)

    @api.depends("partner_shipping_id.phone", "partner_shipping_id.mobile")
    def _compute_hub_phone_normalised(self):
        for order in self:
            address = order.partner_shipping_id
            order.hub_phone_normalised = normalise_phone(address.mobile or address.phone) or False

    def _hub_channel_key(self):
        """What makes two orders come from different channels."""
        self.ensure_one()
        return self.hub_source

    def _hub_find_duplicate(self):
        """An order of another channel with the same phone within 24 h sharing a product."""
        self.ensure_one()
        if not (self.hub_phone_normalised and self.hub_source and self.hub_in_scope):
            return self.browse()
        moment = self.date_order or fields.Datetime.now()
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("hub_phone_normalised", "=", self.hub_phone_normalised),
                ("hub_source", "!=", False),
                ("hub_in_scope", "=", True),
                ("state", "!=", "cancel"),
                ("date_order", ">=", moment - DUPLICATE_WINDOW),
                ("date_order", "<=", moment + DUPLICATE_WINDOW),
            ],
            order="date_order, id",
        )
        products = self.order_line.product_id
        return candidates.filtered(
            lambda other: other._hub_channel_key() != self._hub_channel_key()
            and other.order_line.product_id & products
        )[:1]

    def _hub_flag_duplicate(self):
        for order in self:
            other = order._hub_find_duplicate()
            if other:
                order.write({"hub_is_suspected_duplicate": True, "hub_duplicate_of_id": other.id})

    def _hub_review_reasons(self):
        reasons = super()._hub_review_reasons()
        if self.hub_is_suspected_duplicate:
            reasons.append(
                _(
                    "Suspected duplicate of %(order)s (same phone, another channel, shared products).",
                    order=self.hub_duplicate_of_id.name,
                )
            )
        return reasons

    def action_hub_clear_duplicate(self):
        """The reviewer decided the order is not a duplicate."""
        self.write({"hub_is_suspected_duplicate": False})
