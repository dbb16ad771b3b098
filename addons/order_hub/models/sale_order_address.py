from odoo import api, fields, models

TO_CHECK_HELP = "The delivery address could not be matched to a province or city: check it."


class SaleOrder(models.Model):
    """ "Address to check": the delivery address could not be matched to a
    province (or its city lies in another province).  Editing the address
    clears it (see ``res.partner.hub_address_issue``)."""

    _inherit = "sale.order"

    hub_address_to_check = fields.Boolean(
        "Address to Check", compute="_compute_hub_address_to_check", store=True, help=TO_CHECK_HELP
    )
    hub_address_issue = fields.Char(related="partner_shipping_id.hub_address_issue", string="Address Issue")

    @api.depends("partner_shipping_id.hub_address_issue")
    def _compute_hub_address_to_check(self):
        for order in self:
            order.hub_address_to_check = bool(order.partner_shipping_id.hub_address_issue)
