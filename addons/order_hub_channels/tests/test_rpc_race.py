import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service import model as rpc_model
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .common import canonical_order, delete_committed_channel


@tagged("post_install", "-at_install")
class TestRpcRace(BaseCase):
    """Ten callers send the same new order at the same moment, each through
    Odoo's RPC dispatch (``odoo.service.model.execute_kw``: its own cursor,
    its own transaction, the serialization-failure retry): one sale order,
    and every caller gets ``created`` or ``updated`` with it and its serial."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.code = f"race-{uuid.uuid4().hex[:8]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"].create(
                {"name": "Race part", "default_code": f"RC-{self.code}", "type": "consu"}
            )
            env["order.hub.channel"].create({"name": "Race", "code": self.code, "platform": "shopify"})
            self.caller_uid = env.ref("base.user_admin").id  # an Order Hub manager
        self.addCleanup(self.cleanup)

    def cleanup(self):
        delete_committed_channel(self.registry, self.code, f"RC-{self.code}")

    def call(self, order, results, index, start):
        start.wait()
        try:
            results[index] = rpc_model.execute_kw(
                get_db_name(), self.caller_uid, "order.hub.channel", "import_orders", [self.code, [order]]
            )[0]
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = {"result": "raised", "reason": repr(error)}

    def test_ten_callers_of_one_new_order(self):
        order = canonical_order(
            "RACE-1", skus=(f"RC-{self.code}",), status="unpaid", receiver={"phone": "13911112222"}
        )
        results, start = {}, threading.Barrier(10)
        threads = [threading.Thread(target=self.call, args=(order, results, i, start)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        outcomes = [results[i]["result"] for i in range(10)]
        self.assertEqual(outcomes.count("created"), 1, results)
        self.assertEqual(outcomes.count("updated"), 9, results)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sale = env["sale.order"].search([("channel_id.code", "=", self.code)])
            self.assertEqual(len(sale), 1)
            self.assertEqual({results[i]["sale_order"] for i in range(10)}, {sale.name})
            self.assertEqual({results[i]["hub_serial"] for i in range(10)}, {sale.hub_serial})
            self.assertEqual({results[i]["reason"] for i in range(10)}, {""})
