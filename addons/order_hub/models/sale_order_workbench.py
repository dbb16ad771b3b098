from odoo import api, fields, models

# Facts that put an order on top of the customer service desk, most urgent first
# (see sale_order_desk.py): overdue response, address anomaly, gift not shipped.
CS_PRIORITY_WEIGHTS = (("hub_desk_overdue", 4), ("hub_desk_address", 2), ("hub_desk_gift", 1))


class SaleOrder(models.Model):
    """Role workbench helpers: the customer service desk is sorted by its
    facts ("overdue response", then "address anomaly", then "gift not shipped")."""

    _inherit = "sale.order"

    hub_cs_priority = fields.Integer(
        string="Customer Service Priority",
        compute="_compute_hub_cs_priority",
        store=True,
        index=True,
        help="Overdue response 4, address anomaly 2, gift not shipped 1, added up.",
    )

    @api.depends("hub_desk_overdue", "hub_desk_address", "hub_desk_gift")
    def _compute_hub_cs_priority(self):
        for order in self:
            order.hub_cs_priority = sum(weight for fname, weight in CS_PRIORITY_WEIGHTS if order[fname])
