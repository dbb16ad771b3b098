import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.order_hub_channels.tests.common import canonical_order

from .common import WritebackCommon

SKUS = ("TST-001", "TST-002")


@tagged("post_install", "-at_install")
class TestConflict(WritebackCommon):
    """The conflict breaker: a platform state that contradicts Odoo's locks
    the order and lists it for a supervisor, whose choice unlocks it and does
    what it says; sandboxes over real HTTP where a platform is called."""

    def platform_update(self, box, channel, order, minutes=5, **values):
        """The platform's new version of ``order`` imported as the hub imports it."""
        self.import_now(
            canonical_order(order.id, skus=SKUS, platform=box.platform, minutes=minutes, **values),
            channel=channel,
        )

    def assertLocked(self, sale, kind):
        """Locked, listed on the supervisors' queue, and audited; returns the conflict (as a manager)."""
        self.assertTrue(sale.hub_conflict_locked)
        queue = self.env["order.hub.conflict"].with_user(self.user_manager).search([("state", "=", "open")])
        conflict = queue.filtered(lambda c: c.sale_order_id == sale)
        self.assertEqual(len(conflict), 1)
        self.assertEqual(conflict.kind, kind)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", sale.id), ("field_name", "=", "hub_conflict_locked")]
        )
        self.assertEqual(len(audit), 1)
        self.assertIn("Locked", audit.new_value)
        self.assertTrue(conflict.platform_data, "the platform's payload is kept as received")
        action = sale.with_user(self.user_manager).action_hub_open_conflicts()
        self.assertIn(conflict, self.env["order.hub.conflict"].search(action["domain"]))
        return conflict

    def assertResolved(self, conflict, choice):
        self.assertEqual(conflict.state, "resolved")
        self.assertEqual(conflict.choice, choice)
        self.assertEqual(conflict.resolved_by_id, self.user_manager)
        self.assertTrue(conflict.resolution)
        self.assertFalse(conflict.sale_order_id.hub_conflict_locked)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", conflict.sale_order_id.id), ("field_name", "=", "hub_conflict_locked")]
        )
        self.assertEqual(audit.mapped("new_value")[0], "Not locked", "the unlock is audited")

    # ------------------------------------------------------------------
    # 1. cancelled (refunded) on the platform, shipped in Odoo
    # ------------------------------------------------------------------
    def test_cancelled_after_shipment_locks_and_following_starts_a_return(self):
        box, channel = self.start_platform("douyin", seed=21)
        order, sale = self.platform_order(box, channel)
        before = self.env["queue.job"].search([])
        picking = self.validate(self.delivery(sale), "SF0000000021")
        pushes = self.push_jobs(before)
        self.assertEqual(len(pushes), 1, "queued, not run yet when the refund arrives")
        box.update_order(order.id, status="cancelled")
        self.platform_update(box, channel, order, status="cancelled", platform_status="REFUNDED")
        self.assertEqual(sale.state, "sale", "nothing is cancelled silently")
        conflict = self.assertLocked(sale, "cancelled_after_shipment")
        self.assertIn("REFUNDED", conflict.platform_data)
        self.assertIn("REFUNDED", conflict.platform_state)
        self.assertIn(picking.name, conflict.odoo_state)
        self.assertIn("SF0000000021", conflict.odoo_state)
        # the write-back queued before the conflict does not go while locked
        self.run_jobs(pushes)
        push = sale.hub_writeback_ids
        self.assertEqual(push.state, "held")
        self.assertFalse(box.writes)
        with self.assertRaises(AccessError):
            conflict.with_user(self.user_cs).action_follow_platform()
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        returns = sale.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(len(returns), 1)
        self.assertEqual(returns.move_ids.mapped("product_uom_qty"), [2.0, 2.0])
        self.assertIn(returns.name, conflict.resolution)
        self.assertEqual(push.state, "dropped")
        self.assertFalse(self.push_jobs(before) - pushes)
        self.assertFalse(box.writes, "nothing was written back")

    def test_keep_ours_pushes_the_shipment_the_platform_then_refuses_with_its_reason(self):
        box, channel = self.start_platform("wechat_shop", seed=22)
        order, sale = self.platform_order(box, channel)
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000022")
        box.update_order(order.id, status="cancelled")
        self.platform_update(box, channel, order, status="cancelled")
        conflict = self.assertLocked(sale, "cancelled_after_shipment")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(sale.hub_writeback_ids.state, "held")
        calls = len(box.requests)
        before = self.env["queue.job"].search([])
        conflict.action_keep_ours()
        self.assertResolved(conflict, "keep")
        jobs = self.push_jobs(before)
        self.assertEqual(len(jobs), 1)
        self.run_jobs(jobs)
        self.assertGreater(len(box.requests), calls, "the push reached the platform")
        self.assertFalse(box.writes, "the platform refused to ship a cancelled order")
        self.assertEqual(sale.hub_writeback_ids.state, "failed")
        self.assertIn("cancelled", sale.hub_writeback_ids.error)
        self.assertTrue(sale.hub_writeback_failed, "listed under Write-back Failures")

    # ------------------------------------------------------------------
    # 2. shipped on the platform, delivery open in Odoo
    # ------------------------------------------------------------------
    def _shipped_with_open_delivery(self, ref):
        self.import_now(canonical_order(ref))
        sale = self.sale_orders(ref)
        # the stock went elsewhere before the warehouse shipped
        sale.picking_ids.do_unreserve()
        stock = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(self.products[0], stock.lot_stock_id, -1000.0)
        self.import_now(canonical_order(ref, status="shipped", minutes=5))
        return sale, stock

    def test_shipped_while_the_delivery_is_open_locks_and_stops_automatic_moves(self):
        sale, stock = self._shipped_with_open_delivery("CF-2")
        conflict = self.assertLocked(sale, "shipped_not_done")
        self.assertNotEqual(sale.picking_ids.state, "done")
        stage = sale.hub_stage_code
        # automatic transitions leave a locked order where it is
        self.import_now(canonical_order("CF-2", status="completed", minutes=10))
        sale._hub_on_carrier_pickup(reason="Carrier scan of SF0000000002")
        sale._hub_on_delivered(reason="Signed for (SF0000000002)")
        self.assertEqual(sale.hub_stage_code, stage)
        self.assertNotEqual(sale.picking_ids.state, "done")
        notes = conflict.message_ids.mapped("body")
        self.assertTrue(any("not applied" in body for body in notes), notes)
        self.assertEqual(len(self.env["order.hub.conflict"].search([("sale_order_id", "=", sale.id)])), 1)
        # following the platform needs the stock: refused with the reason, still open
        with self.assertRaises(UserError):
            conflict.action_follow_platform()
        self.assertEqual(conflict.state, "open")
        self.assertTrue(sale.hub_conflict_locked)
        self.env["stock.quant"]._update_available_quantity(self.products[0], stock.lot_stock_id, 1000.0)
        before = self.env["queue.job"].search([])
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.hub_stage_code, "shipped")
        self.assertFalse(self.push_jobs(before), "the platform's own shipment is not written back")

    def test_shipped_before_the_warehouse_picked_locks_instead_of_validating(self):
        """The delivery is reserved but nobody picked it: the hub does not take
        the stock off the books by itself; following the platform does."""
        self.import_now(canonical_order("CF-7"))
        sale = self.sale_orders("CF-7")
        self.assertEqual(sale.picking_ids.state, "assigned")
        self.import_now(canonical_order("CF-7", status="shipped", minutes=5))
        conflict = self.assertLocked(sale, "shipped_not_done")
        self.assertEqual(sale.picking_ids.state, "assigned", "not validated by the platform's status")
        self.assertIn("not picked", conflict.platform_state)
        self.assertEqual(sale.channel_fulfilment, "shipped", "what the platform says is kept")
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.hub_stage_code, "shipped")

    def test_shipped_after_the_warehouse_picked_is_validated(self):
        self.import_now(canonical_order("CF-8"))
        sale = self.sale_orders("CF-8")
        sale.picking_ids.move_ids.picked = True
        self.import_now(canonical_order("CF-8", status="shipped", minutes=5))
        self.assertFalse(sale.hub_conflict_locked)
        self.assertEqual(sale.picking_ids.state, "done")

    def test_intercept_asks_the_warehouse_and_records_the_request(self):
        sale, _stock = self._shipped_with_open_delivery("CF-3")
        conflict = self.assertLocked(sale, "shipped_not_done")
        activities = sale.activity_ids
        conflict.action_intercept()
        self.assertResolved(conflict, "intercept")
        self.assertTrue(conflict.intercept_requested_at)
        new = sale.activity_ids - activities
        self.assertEqual(len(new), 1)
        self.assertIn("Intercept", new.summary)
        self.assertTrue(new.user_id.has_group("order_hub.group_order_hub_warehouse"))
        with self.assertRaises(UserError):
            conflict.action_keep_ours()

    # ------------------------------------------------------------------
    # 3. address changed on the platform after the waybill
    # ------------------------------------------------------------------
    def _address_changed_after_waybill(self, seed):
        box, channel = self.start_platform("douyin", seed=seed)
        order, sale = self.platform_order(box, channel)
        picking = self.delivery(sale)
        # the paper waybill is printed
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": f"SF00000000{seed}"})
        box.update_order(order.id, address="文一路 8 号")
        self.platform_update(box, channel, order, receiver={"detail": "文一路 8 号"})
        return box, channel, order, sale, picking

    def test_address_after_the_waybill_locks_and_keep_ours_pushes_once(self):
        box, _channel, order, sale, picking = self._address_changed_after_waybill(31)
        old = sale.partner_shipping_id
        conflict = self.assertLocked(sale, "address_after_waybill")
        self.assertEqual(sale.partner_shipping_id, old, "the address is not overwritten")
        self.assertEqual(picking.partner_id, old)
        self.assertEqual(conflict.platform_partner_id.street, "文一路 8 号")
        self.assertIn("文一路 8 号", conflict.platform_state)
        self.assertIn("文一路 8 号", conflict.platform_data)
        self.assertIn("SF0000000031", conflict.odoo_state)
        # the warehouse still ships by hand; nothing goes back while locked
        before = self.env["queue.job"].search([])
        self.validate(picking, "SF0000000031")
        self.assertFalse(self.push_jobs(before))
        self.assertEqual(sale.hub_writeback_ids.state, "held")
        conflict.action_keep_ours()
        self.assertResolved(conflict, "keep")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(
            box.writes,
            [
                (
                    "order.logisticsAdd",
                    {"order_id": order.id, "tracking": "SF0000000031", "company": "shunfeng"},
                )
            ],
        )
        self.assertEqual(sale.hub_writeback_ids.state, "done")
        self.assertEqual(sale.partner_shipping_id, old)

    def test_following_the_new_address_voids_the_paper_waybill(self):
        _box, _channel, _order, sale, picking = self._address_changed_after_waybill(32)
        conflict = self.assertLocked(sale, "address_after_waybill")
        new = conflict.platform_partner_id
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        self.assertEqual(sale.partner_shipping_id, new)
        self.assertEqual(picking.partner_id, new)
        self.assertFalse(picking.carrier_tracking_ref, "the old waybill is void")
        self.assertIn("SF0000000032", conflict.resolution)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", sale.id), ("field_name", "=", "partner_shipping_id")]
        )
        self.assertIn("文一路 8 号", audit[0].new_value)

    def sf_carrier(self):
        """The test carrier made an SF Express carrier creating its waybills in the SF sandbox."""
        from sandbox.carrier_sf import SfSandbox

        sf_box = SfSandbox().start()
        self.addCleanup(sf_box.stop)
        self.carrier.write(
            {
                "delivery_type": "sf_express",
                "integration_level": "rate_and_ship",
                "hub_api_url": sf_box.url + "/std/service",
                "hub_sf_partner_id": "OH_TEST",
                "hub_sf_check_word": "sandbox-check-word",
            }
        )
        return sf_box

    def test_following_the_new_address_cancels_an_sf_waybill_not_shipped_yet(self):
        sf_box = self.sf_carrier()
        box, channel = self.start_platform("douyin", seed=35)
        order, sale = self.platform_order(box, channel)
        picking = self.delivery(sale)
        picking.carrier_id = self.carrier
        picking.send_to_shipper()  # the waybill is printed before the parcel leaves
        waybill = picking.carrier_tracking_ref
        self.assertTrue(waybill)
        self.platform_update(box, channel, order, receiver={"detail": "文一路 8 号"})
        conflict = self.assertLocked(sale, "address_after_waybill")
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        self.assertEqual(sf_box.orders[picking.hub_carrier_order_code]["dealType"], 2, "cancelled at SF")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertIn(waybill, conflict.resolution)
        self.assertEqual(picking.partner_id.street, "文一路 8 号")

    def test_following_the_new_address_of_a_shipped_parcel_asks_the_carrier(self):
        sf_box = self.sf_carrier()
        box, channel = self.start_platform("douyin", seed=34)
        order, sale = self.platform_order(box, channel)
        picking = self.validate(self.delivery(sale), "")
        waybill = picking.carrier_tracking_ref
        self.assertTrue(waybill, "SF created the waybill")
        self.platform_update(box, channel, order, receiver={"detail": "文一路 8 号"})
        conflict = self.assertLocked(sale, "address_after_waybill")
        # the carrier refuses first: the choice fails with its reason, the order stays locked
        sf_box.refuse_address_change.add(waybill)
        with self.assertRaises(UserError) as refused:
            conflict.action_follow_platform()
        self.assertIn("无法改址", str(refused.exception))
        self.assertEqual(conflict.state, "open")
        sf_box.refuse_address_change.clear()
        conflict.action_follow_platform()
        self.assertResolved(conflict, "follow")
        self.assertEqual(sf_box.address_changes[-1]["waybill"], waybill)
        self.assertEqual(sf_box.address_changes[-1]["address"]["address"], "文一路 8 号")
        self.assertEqual(sale.partner_shipping_id.street, "文一路 8 号")
        self.assertEqual(picking.partner_id.street, "文一路 8 号")

    def test_an_address_change_before_the_waybill_applies_as_before(self):
        box, channel = self.start_platform("douyin", seed=33)
        order, sale = self.platform_order(box, channel)
        self.platform_update(box, channel, order, receiver={"detail": "文一路 8 号"})
        self.assertFalse(sale.hub_conflict_locked)
        self.assertEqual(sale.partner_shipping_id.street, "文一路 8 号")

    # ------------------------------------------------------------------
    # scope and uniqueness
    # ------------------------------------------------------------------
    def test_an_order_outside_the_hubs_scope_is_not_affected(self):
        self.import_now(canonical_order("CF-OUT"))
        sale = self.sale_orders("CF-OUT")
        sale.hub_in_scope = False
        self.validate(self.delivery(sale), "SF0000000040")
        self.import_now(canonical_order("CF-OUT", status="cancelled", minutes=5))
        self.assertFalse(sale.hub_conflict_locked)
        self.assertFalse(self.env["order.hub.conflict"].search([("sale_order_id", "=", sale.id)]))
        self.assertIn("cancelled this order after it was shipped", sale.message_ids[0].body)
        # an order taken out of the scope while locked is unlocked
        self.import_now(canonical_order("CF-OUT-2"))
        other = self.sale_orders("CF-OUT-2")
        self.env["order.hub.conflict"]._hub_open(other, "shipped_not_done", note="test")
        self.assertTrue(other.hub_conflict_locked)
        other.hub_in_scope = False
        self.assertFalse(other.hub_conflict_locked)

    def test_one_open_conflict_per_order_and_kind_in_the_database(self):
        self.import_now(canonical_order("CF-UNIQ"))
        sale = self.sale_orders("CF-UNIQ")
        conflicts = self.env["order.hub.conflict"]
        first = conflicts._hub_open(sale, "shipped_not_done", note="first")
        again = conflicts._hub_open(sale, "shipped_not_done", note="again")
        self.assertEqual(first, again)
        self.assertIn("again", again.message_ids[0].body, "the later data is kept on the open conflict")
        # what a second job would insert from a snapshot that does not see the first
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "INSERT INTO order_hub_conflict (name, sale_order_id, kind, state) "
                    "VALUES ('dup', %s, 'shipped_not_done', 'open')",
                    [sale.id],
                )
        first.action_keep_ours()
        second = conflicts._hub_open(sale, "shipped_not_done", note="later")
        self.assertNotEqual(second, first, "a resolved conflict does not block a new one")
        self.assertTrue(sale.hub_conflict_locked)

    def test_a_locked_order_is_not_escalated(self):
        self.import_now(canonical_order("CF-SLA"))
        sale = self.sale_orders("CF-SLA")
        self.env["order.hub.conflict"]._hub_open(sale, "shipped_not_done", note="test")
        activities = sale.activity_ids
        level = sale.hub_escalation_level
        self.assertIsNone(sale._hub_escalate(sale.hub_sla_deadline or sale.create_date))
        self.assertEqual(sale.hub_escalation_level, level)
        self.assertEqual(sale.activity_ids, activities)
