from odoo import fields, models


class OrderHubWarehouseRuleLine(models.Model):
    _name = "order.hub.warehouse.rule.line"
    _description = "Order Hub Preferred Warehouse"
    _order = "sequence, id"

    rule_id = fields.Many2one("order.hub.warehouse.rule", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, ondelete="cascade", domain=[("hub_is_flash_sale", "=", False)]
    )
