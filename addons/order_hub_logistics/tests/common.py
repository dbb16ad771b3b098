import sys
from pathlib import Path

from odoo import Command

from odoo.addons.order_hub.tests.common import OrderHubCommon

# the repository's tests/ folder holds the localhost carrier sandboxes
TESTS_DIR = str(Path(__file__).resolve().parents[3] / "tests")
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)


class LogisticsCommon(OrderHubCommon):
    """Warehouses with stock, a customer in Shanghai, storable products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # each test defines its own routing: the demo rules (demo warehouses
        # and carriers) stay out of it
        cls.env["order.hub.warehouse.rule"].search([]).active = False
        cls.env["order.hub.carrier.rule"].search([]).active = False
        cls.cn = cls.env.ref("base.cn")
        cls.state_sh = cls.env.ref("base.state_cn_SH")
        cls.state_zj = cls.env.ref("base.state_cn_ZJ")
        cls.state_gd = cls.env.ref("base.state_cn_GD")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "张三",
                "mobile": "13900000000",
                "country_id": cls.cn.id,
                "state_id": cls.state_sh.id,
                "city": "上海市",
                "street": "南京东路 8 号",
            }
        )
        cls.categ = cls.env["product.category"].create({"name": "Logistics test goods"})
        cls.product = cls._product("LOG-P1", weight=1.5)
        cls.product_b = cls._product("LOG-P2", weight=0.5)
        cls.wh_a = cls._warehouse("Test Hangzhou", "TLA", cls.state_zj)
        cls.wh_b = cls._warehouse("Test Shanghai", "TLB", cls.state_sh)

    @classmethod
    def _product(cls, code, weight=1.0):
        return cls.env["product.product"].create(
            {
                "name": f"Test {code}",
                "default_code": code,
                "type": "consu",
                "is_storable": True,
                "weight": weight,
                "categ_id": cls.categ.id,
                "list_price": 100,
            }
        )

    @classmethod
    def _warehouse(cls, name, code, state, **values):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "state_id": state.id,
                "country_id": cls.cn.id,
                "city": "城市",
                "street": "仓库路 1 号",
            }
        )
        return cls.env["stock.warehouse"].create(
            {"name": name, "code": code, "partner_id": partner.id, **values}
        )

    @classmethod
    def _stock(cls, warehouse, product, qty):
        cls.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": qty}
        ).action_apply_inventory()

    def _free(self, warehouse, product):
        return product.with_context(warehouse_id=warehouse.id).free_qty

    def _order(self, lines, partner=None, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
                # routing and the hub's gates apply to orders in its scope
                "hub_in_scope": True,
                **values,
            }
        )

    def _rule(self, warehouses, **values):
        return self.env["order.hub.warehouse.rule"].create(
            {
                "name": values.pop("name", "Rule"),
                "line_ids": [
                    Command.create({"warehouse_id": wh.id, "sequence": i}) for i, wh in enumerate(warehouses)
                ],
                **values,
            }
        )
