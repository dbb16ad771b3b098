import json
import subprocess
import sys
from pathlib import Path

import odoo
from odoo.tests import TransactionCase, tagged

# Run by "odoo-bin shell" in a separate process: outside test mode, so that
# base_exception really writes through its second connection, as in production.
SCRIPT = r"""
import json, threading
from odoo import SUPERUSER_ID, Command, api
from odoo.addons.base_exception.exceptions import BaseExceptionError

registry = env.registry
with registry.cursor() as cr:
    e = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    rule = e["exception.rule"].create({
        "name": "Order Hub test: every order", "model": "sale.order",
        "exception_type": "by_domain", "domain": "[('id', '!=', 0)]", "is_blocking": True})
    partner = e["res.partner"].create({"name": "Exception cursor test"})
    product = e["product.product"].create({"name": "Exception cursor test", "type": "service"})
    order = e["sale.order"].create({"partner_id": partner.id,
                                    "order_line": [Command.create({"product_id": product.id})]})
    ids = {"rule": rule.id, "partner": partner.id, "product": product.id, "order": order.id}

def confirm(write_first, result):
    with registry.cursor() as cr:
        e = api.Environment(cr, SUPERUSER_ID, {})
        order = e["sale.order"].browse(ids["order"])
        if write_first:
            order.note = "changed by this transaction before confirming"
            e.flush_all()  # this transaction now holds the order's row
        try:
            order.action_confirm()
            result["outcome"] = "confirmed"
        except BaseExceptionError:
            result["outcome"] = "blocked"
        result["exceptions"] = order.exception_ids.ids
        cr.rollback()

report = {}
for case, write_first in (("written", True), ("untouched", False)):
    result = {}
    thread = threading.Thread(target=confirm, args=(write_first, result), daemon=True)
    thread.start()
    thread.join(30)
    result["hung"] = thread.is_alive()
    if result["hung"]:
        with registry.cursor() as cr:
            cr.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND wait_event_type = 'Lock'")
        thread.join(30)
    with registry.cursor() as cr:
        e = api.Environment(cr, SUPERUSER_ID, {})
        result["kept"] = ids["rule"] in e["sale.order"].browse(ids["order"]).exception_ids.ids
        e["sale.order"].browse(ids["order"]).exception_ids = [Command.clear()]
    report[case] = result
with registry.cursor() as cr:
    e = api.Environment(cr, SUPERUSER_ID, {})
    e["sale.order"].browse(ids["order"]).unlink()
    e["exception.rule"].browse(ids["rule"]).unlink()
    e["product.product"].browse(ids["product"]).unlink()
    e["res.partner"].browse(ids["partner"]).unlink()
print("ORDER_HUB_REPORT " + json.dumps(report))
"""


@tagged("post_install", "-at_install")
class TestExceptionCursor(TransactionCase):
    """OCA base_exception writes exceptions through a second connection; that
    must never wait for the confirming transaction's own row locks (a worker
    would hang for ever), and must still be used when it is safe."""

    def test_confirmation_never_waits_on_its_own_transaction(self):
        config = odoo.tools.config
        odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
        command = [sys.executable, str(odoo_bin), "shell", "-d", self.env.cr.dbname, "--no-http"]
        if config.rcfile:
            command += ["-c", config.rcfile]
        # no server-wide queue_job: its job runner must not start in that process
        command += [f"--addons-path={config['addons_path']}", "--log-level=warn", "--load=base,web"]
        done = subprocess.run(command, input=SCRIPT, capture_output=True, text=True, timeout=240, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("ORDER_HUB_REPORT ")]
        self.assertTrue(lines, done.stdout[-2000:] + done.stderr[-2000:])
        report = json.loads(lines[-1].split(" ", 1)[1])
        written, untouched = report["written"], report["untouched"]
        self.assertFalse(written["hung"], "the confirmation waited for its own transaction's locks")
        self.assertEqual(written["outcome"], "blocked")
        self.assertFalse(untouched["hung"])
        self.assertEqual(untouched["outcome"], "blocked")
        # written through the second connection: kept although the confirming
        # transaction was rolled back, so the user sees why the order is blocked
        self.assertTrue(untouched["kept"])
