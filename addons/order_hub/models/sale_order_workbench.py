from odoo import api, fields, models

# Tags that put an order on top of the customer service list, most urgent first.
CS_PRIORITY_TAGS = (
    ("order_hub.crm_tag_overdue_response", 4),
    ("order_hub.crm_tag_address_anomaly", 2),
    ("order_hub.crm_tag_gift_not_shipped", 1),
)


class SaleOrder(models.Model):
    """Role workbench helpers: the customer service list is sorted by its
    tags ("overdue response", then "address anomaly", then "gift not shipped")."""

    _inherit = "sale.order"

    hub_cs_priority = fields.Integer(
        string="Customer Service Priority",
        compute="_compute_hub_cs_priority",
        store=True,
        index=True,
        help="Overdue response 4, address anomaly 2, gift not shipped 1, added up.",
    )

    @api.depends("tag_ids")
    def _compute_hub_cs_priority(self):
        weights = {}
        for xmlid, weight in CS_PRIORITY_TAGS:
            tag = self.env.ref(xmlid, raise_if_not_found=False)
            if tag:
                weights[tag.id] = weight
        for order in self:
            order.hub_cs_priority = sum(weights.get(tag_id, 0) for tag_id in order.tag_ids.ids)
