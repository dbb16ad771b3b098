from odoo import Command

from .common import OrderHubCommon


class OrderRulesCommon(OrderHubCommon):
    """Customers, products and an order factory for the order-rule tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Asia/Shanghai"))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "杭州恒驰汽配有限公司",
                "is_company": True,
                "street": "余杭区文一西路 998 号",
                "city": "杭州市",
                "country_id": cls.env.ref("base.cn").id,
                "phone": "0571-88123456",
                "mobile": "138 0013 8000",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Brake pads", "type": "consu", "is_storable": True, "list_price": 268.0}
        )
        cls.gift_product = cls.env["product.product"].create(
            {"name": "Car wax (gift)", "type": "consu", "is_storable": True, "list_price": 0.0}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.stock_location, 100)

    @classmethod
    def _order(cls, partner=None, products=None, **values):
        products = products or [(cls.product, 1)]
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in products
                ],
                # the hub's gates and review queue apply to orders in its scope
                "hub_in_scope": True,
                **values,
            }
        )
