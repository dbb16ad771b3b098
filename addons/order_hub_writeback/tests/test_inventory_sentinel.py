import importlib.util
import json
import time
from pathlib import Path

import requests

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.order_hub_channels.connectors.inventory_sentinel import sign

from .common import WritebackCommon

ROBOT = Path(__file__).resolve().parents[3] / "tests" / "sandbox" / "wecom_robot_sandbox.py"


def robot_sandbox():
    spec = importlib.util.spec_from_file_location("order_hub_wecom_robot_sandbox_sentinel", ROBOT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WecomRobotSandbox


@tagged("post_install", "-at_install")
class TestInventorySentinel(WritebackCommon, HttpCase):
    """A cloud warehouse posts signed stock reports over HTTP; a difference
    beyond the threshold pauses the product on every channel (0 published to
    the platform sandbox), alerts the warehouse manager, and resumes once the
    figures agree again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cloud = cls.env["stock.warehouse"].create(
            {"name": "Cloud WH", "code": "CLD", "company_id": cls.company.id}
        )
        cls.part = cls.env["product.product"].create(
            {"name": "Sentinel part", "default_code": "SEN-1", "is_storable": True, "type": "consu"}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.part, cls.cloud.lot_stock_id, 14)
        cls.sentinel = cls.env["order.hub.inventory.sentinel"].create(
            {"warehouse_id": cls.cloud.id, "user_id": cls.user_warehouse.id, "secret": "cloud-secret-1"}
        )

    def setUp(self):
        super().setUp()
        from sandbox import start_sandbox

        self.box = start_sandbox("douyin", seed=31)
        self.addCleanup(self.box.stop)
        self.channel = self.sandbox_channel(
            self.box, "sentinel-dy", warehouse_id=self.cloud.id, hub_stock_sync=True
        )
        self.env["order.hub.product.map"].create(
            {"platform": "douyin", "channel_id": self.channel.id, "code": "80001", "product_id": self.part.id}
        )

    def post(self, items, secret="cloud-secret-1", sentinel=None, tamper=False):
        body = json.dumps({"event_id": "ev-1", "items": items}).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-OrderHub-Timestamp": stamp,
            "X-OrderHub-Signature": sign(secret, stamp, body),
        }
        if tamper:
            body = body.replace(b"ev-1", b"ev-2")
        url = f"{self.base_url()}/order_hub/inventory/{(sentinel or self.sentinel).id}"
        self.env.flush_all()  # the request reads the database (e.g. the jobs that ran)
        response = requests.post(url, data=body, headers=headers, timeout=20)
        self.env.invalidate_all()  # the request wrote through its own environment
        return response

    def reports(self):
        return self.env["order.hub.inventory.report"].search([("sentinel_id", "=", self.sentinel.id)])

    def publish(self):
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_job_publish_stock"), ("state", "=", "pending")]
        )
        self.run_jobs(jobs.filtered(lambda j: j.records == self.channel))

    def audits(self):
        return self.env["order.hub.audit.log"].search([("field_name", "=", "hub_stock_paused")], order="id")

    def test_bad_signatures_are_refused_and_nothing_is_stored(self):
        audits = self.audits()
        other = self.env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
        archived = self.sentinel.copy({"warehouse_id": other.id, "active": False, "secret": "cloud-secret-1"})
        for kwargs in ({"secret": "wrong"}, {"tamper": True}, {"sentinel": archived}):
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                response = self.post([{"sku": "SEN-1", "quantity": 40}], **kwargs)
                self.assertEqual(response.status_code, 401)
                self.assertFalse(self.reports())
                self.assertFalse(self.part.hub_stock_paused)
                self.assertEqual(self.audits(), audits)

    def test_a_five_unit_difference_does_not_pause(self):
        response = self.post([{"sku": "SEN-1", "quantity": 19}, {"sku": "NOPE", "quantity": 1}])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["unknown"], ["NOPE"])
        self.assertEqual(self.reports().state, "agreed")
        self.assertFalse(self.part.hub_stock_paused)

    def _pause(self):
        self.env.ref("order_hub_writeback.ir_cron_hub_stock_sync").method_direct_trigger()
        self.publish()
        self.assertEqual(self.box.stock, {"80001": 14})
        Robot = robot_sandbox()
        with Robot(keys={"sentinel-key"}) as robot:
            self.company.order_hub_wecom_webhook_url = robot.url("sentinel-key")
            response = self.post([{"sku": "SEN-1", "quantity": 20}])
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.json()["paused"], ["SEN-1"])
            report = self.reports()
            self.assertEqual(report.state, "paused")
            self.assertEqual(report.difference, 6)
            self.assertTrue(self.part.hub_stock_paused)
            # the warehouse manager's activity and the WeCom robot
            self.assertEqual(report.activity_ids.user_id, self.user_warehouse)
            alerts = self.env["queue.job"].search([("method_name", "=", "_job_wecom_alert")])
            self.run_jobs(alerts)
            texts = [payload["text"]["content"] for _key, payload in robot.messages]
        self.assertTrue(any("SEN-1" in text and "20" in text and "14" in text for text in texts), texts)
        # 0 published on the channel
        self.publish()
        self.assertEqual(self.box.stock, {"80001": 0})
        pause = self.audits()[-1]
        self.assertEqual((pause.old_value, pause.new_value, pause.source), ("No", "Yes", "webhook"))
        self.assertIn("SEN-1", pause.note)
        return report

    def test_pause_then_resume_after_an_inventory_adjustment(self):
        report = self._pause()
        quant = self.env["stock.quant"].search(
            [("product_id", "=", self.part.id), ("location_id", "=", self.cloud.lot_stock_id.id)]
        )
        quant.with_user(self.user_manager).with_context(inventory_mode=True).inventory_quantity = 18
        quant.with_user(self.user_manager).action_apply_inventory()
        self.assertEqual(report.state, "agreed")
        self.assertFalse(self.part.hub_stock_paused)
        self.assertFalse(report.activity_ids, "the activity is done")
        resume = self.audits()[-1]
        self.assertEqual((resume.old_value, resume.new_value), ("Yes", "No"))
        self.env.cr.precommit.run()
        self.publish()
        self.assertEqual(self.box.stock, {"80001": 18})

    def test_pause_then_resume_by_accepting_their_figure(self):
        report = self._pause()
        report.with_user(self.user_warehouse).action_accept_their_figure()
        self.assertEqual(report.state, "agreed")
        self.assertEqual(self.part.with_context(warehouse_id=self.cloud.id).qty_available, 20)
        self.assertFalse(self.part.hub_stock_paused)
        self.assertEqual(self.audits()[-1].new_value, "No")
        self.env.cr.precommit.run()
        self.publish()
        self.assertEqual(self.box.stock, {"80001": 20})

    def test_the_secret_is_for_managers_only(self):
        self.assertEqual(self.sentinel.with_user(self.user_manager).secret, "cloud-secret-1")
        for user in (self.user_warehouse, self.user_cs):
            with self.subTest(user=user.name):
                with self.assertRaises(AccessError):
                    self.sentinel.with_user(user).read(["secret"])
