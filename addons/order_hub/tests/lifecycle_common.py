from datetime import datetime

from odoo import Command, fields

from .common import OrderHubCommon


class LifecycleCommon(OrderHubCommon):
    """Orders, products and stock for the lifecycle tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Stage = cls.env["order.hub.stage"]
        cls.AuditLog = cls.env["order.hub.audit.log"]
        cls.calendar = cls.env.ref("order_hub.resource_calendar_order_hub")
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Zhang Wei",
                "street": "88 Nanjing Road",
                "city": "Shanghai",
                "zip": "200001",
                "country_id": cls.env.ref("base.cn").id,
                "phone": "+86 138 0000 0000",
            }
        )
        cls.service = cls.env["product.product"].create(
            {"name": "Installation service", "type": "service", "list_price": 50.0}
        )
        cls.storable = cls.env["product.product"].create(
            {
                "name": "Brake pads",
                "type": "consu",
                "is_storable": True,
                "list_price": 268.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.storable, cls.warehouse.lot_stock_id, 100.0)

    @classmethod
    def _stage(cls, code):
        return cls.env["order.hub.stage"].search([("code", "=", code)])

    def _order(self, product=None, qty=1.0, **values):
        product = product or self.service
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
                # the hub's gates and clocks apply to orders in its scope
                "hub_in_scope": True,
                **values,
            }
        )

    @staticmethod
    def _utc(*args):
        """A naive UTC datetime from Shanghai wall-clock values (UTC+8)."""
        local = datetime(*args)
        return fields.Datetime.subtract(local, hours=8)

    def _audit(self, order, field_name=None):
        domain = [("order_id", "=", order.id)]
        if field_name:
            domain.append(("field_name", "=", field_name))
        return self.AuditLog.search(domain, order="id")
