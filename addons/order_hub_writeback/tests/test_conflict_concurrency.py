import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name


@tagged("post_install", "-at_install")
class TestConcurrentConflicts(BaseCase):
    """Two jobs find the same contradiction at the same moment, each in its own
    transaction (committed data, removed afterwards): the partial unique index
    lets one open conflict in; the other job's insert waits, is refused, and
    that job goes on without a second conflict."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Conflict race buyer"})
            self.partner_id = partner.id
            self.order_id = env["sale.order"].create({"partner_id": partner.id}).id
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["order.hub.conflict"].search([("sale_order_id", "=", self.order_id)]).unlink()
            # the audit trail refuses unlink to everyone: the test's own lines go by SQL
            cr.execute("DELETE FROM order_hub_audit_log WHERE order_id = %s", [self.order_id])
            env["sale.order"].browse(self.order_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def open_in_own_transaction(self, name, outcome, start, hold=0.0, delay=0.0):
        start.wait()
        time.sleep(delay)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["sale.order"].browse(self.order_id)
            conflict = env["order.hub.conflict"]._hub_open(order, "shipped_not_done", note=name)
            time.sleep(hold)  # still uncommitted while the other job inserts
            outcome[name] = conflict.id
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_jobs_open_one_conflict(self):
        outcome, start = {}, threading.Barrier(2)
        threads = [
            threading.Thread(target=self.open_in_own_transaction, args=("first", outcome, start, 1.5)),
            threading.Thread(target=self.open_in_own_transaction, args=("second", outcome, start, 0.0, 0.5)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertTrue(outcome["first"])
        self.assertFalse(outcome["second"], "the second insert was refused by the index")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM order_hub_conflict WHERE sale_order_id = %s AND state = 'open'",
                [self.order_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
