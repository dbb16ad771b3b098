import base64
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .carrier_common import CarrierCommon
from .common import LogisticsCommon


@tagged("post_install", "-at_install")
class TestScanStation(LogisticsCommon):
    """The scan station's server side (``order.hub.scan.station``): open a
    delivery by order, waybill or delivery name, count its products, refuse
    wrong scans without changing anything, validate when complete."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.barcode = "6901000000017"
        cls.product_b.barcode = "6901000000024"
        cls.product_c = cls._product("LOG-P3")
        cls.product_c.barcode = "6901000000031"
        cls.product_x = cls._product("LOG-PX")
        cls.product_x.barcode = "6901000000048"
        for product in (cls.product, cls.product_b, cls.product_c):
            cls._stock(cls.wh_a, product, 50)

    def setUp(self):
        super().setUp()
        self.order = self._confirmed([(self.product, 2), (self.product_b, 1)])
        self.picking = self._delivery(self.order)
        self.station = self.env["order.hub.scan.station"].with_user(self.user_warehouse)

    def _confirmed(self, lines, **values):
        order = self._order(lines, warehouse_id=self.wh_a.id, **{"hub_source": "phone", **values})
        order.action_confirm()
        return order

    def _delivery(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def _counts(self, picking=None):
        return (picking or self.picking).move_ids.sorted("id").mapped("hub_scanned_qty")

    def _scan(self, barcode, picking=None, station=None, **kwargs):
        result = (station or self.station).scan(barcode, picking_id=(picking or self.picking).id, **kwargs)
        self.env.invalidate_all()
        return result

    def test_scan_a_delivery_to_shipped(self):
        opened = self.station.scan(self.order.name)
        self.assertTrue(opened["ok"])
        self.assertEqual(opened["picking"]["id"], self.picking.id)
        self.assertEqual(len(opened["picking"]["lines"]), 2)
        for barcode in ("6901000000017", "6901000000024"):
            self.assertTrue(self._scan(barcode)["ok"])
        self.assertEqual(self._counts(), [1.0, 1.0])
        self.assertEqual(self.picking.state, "assigned", "not validated before the last product")
        last = self._scan("6901000000017")
        self.assertTrue(last["ok"], last.get("message"))
        self.assertEqual(self.picking.state, "done")
        self.assertTrue(last["picking"]["done"])
        self.assertEqual(self.picking.move_ids.mapped("quantity"), [2.0, 1.0])
        self.assertEqual(self.order.hub_stage_code, "shipped")
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", self.order.id), ("field_name", "=", "hub_scan_validation")]
        )
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit.user_id, self.user_warehouse)
        self.assertIn(self.picking.name, audit.new_value)
        self.assertIn("/report/pdf/stock.report_deliveryslip/", last["picking"]["print"]["url"])
        # the delivery is closed: another scan is refused
        self.assertFalse(self._scan("6901000000017")["ok"])

    def test_open_by_waybill_delivery_name_and_customer_reference(self):
        self.picking.carrier_tracking_ref = "SF1234567890"
        self.order.client_order_ref = "PLATFORM-778899"
        for code in ("SF1234567890", self.picking.name, "PLATFORM-778899", f"  {self.order.name} "):
            result = self.station.scan(code)
            self.assertTrue(result["ok"], code)
            self.assertEqual(result["picking"]["id"], self.picking.id, code)
        unknown = self.station.scan("NO-SUCH-THING")
        self.assertFalse(unknown["ok"])
        self.assertNotIn("picking", unknown)

    def test_wrong_product_is_refused_and_changes_nothing(self):
        self._scan("6901000000017")
        for barcode in ("6901000000048", "0000000000000"):
            result = self._scan(barcode)
            self.assertFalse(result["ok"], barcode)
            self.assertEqual(self._counts(), [1.0, 0.0], barcode)
        self.assertIn(self.product_x.display_name, self._scan("6901000000048")["message"])

    def test_over_scan_is_refused_and_changes_nothing(self):
        self.assertTrue(self._scan("6901000000024")["ok"])
        result = self._scan("6901000000024")
        self.assertFalse(result["ok"])
        self.assertIn("Over-scan", result["message"])
        self.assertEqual(self._counts(), [0.0, 1.0])
        self.assertEqual(self.picking.state, "assigned")

    def test_product_of_another_order_is_refused(self):
        other = self._confirmed([(self.product_c, 1)])
        result = self._scan("6901000000031")
        self.assertFalse(result["ok"])
        self.assertIn(other.name, result["message"])
        self.assertEqual(self._counts(), [0.0, 0.0])
        self.assertEqual(self._counts(self._delivery(other)), [0.0])

    def test_two_phones_count_on_the_same_delivery(self):
        """Counts live on the server: a second phone (or a reload) continues
        from them, and the total is never exceeded."""
        phone_2 = self.env["order.hub.scan.station"].with_user(self.user_manager)
        self.assertTrue(self._scan("6901000000017")["ok"])
        second = self._scan("6901000000017", station=phone_2)
        self.assertTrue(second["ok"])
        self.assertEqual(second["picking"]["lines"][0]["scanned"], 2.0)
        self.assertFalse(self._scan("6901000000017")["ok"], "the first phone cannot add a third")
        reloaded = self.station.get_picking(self.picking.id)["picking"]
        self.assertEqual([line["scanned"] for line in reloaded["lines"]], [2.0, 0.0])

    def test_validate_rechecks_the_counts(self):
        self._scan("6901000000017")
        result = self.station.validate(self.picking.id)
        self.assertFalse(result["ok"])
        self.assertIn(self.product_b.display_name, result["message"])
        self.assertEqual(self.picking.state, "assigned")

    def test_platform_order_asks_for_its_carrier_first(self):
        order = self._confirmed([(self.product_c, 1)], hub_source="jd")
        picking = self._delivery(order)
        result = self._scan("6901000000031", picking=picking)
        self.assertTrue(result["ok"])
        self.assertEqual(result["action"]["res_model"], "order.hub.ship.wizard")
        self.assertEqual(picking.state, "assigned", "nothing shipped before the carrier is known")

    def test_gifts_are_part_of_the_list(self):
        order = self._confirmed([(self.product_c, 1)])
        gift_line = self.env["sale.order.line"].create(
            {"order_id": order.id, "product_id": self.product_b.id, "product_uom_qty": 1, "hub_is_gift": True}
        )
        self.assertTrue(gift_line.hub_is_gift)
        picking = self._delivery(order)
        lines = self.station.scan(order.name)["picking"]["lines"]
        self.assertEqual([line["gift"] for line in lines], [False, True])
        self._scan("6901000000031", picking=picking)
        self.assertEqual(picking.state, "assigned", "the gift is still to scan")
        self._scan("6901000000024", picking=picking)
        self.assertEqual(picking.state, "done")

    def test_owed_gifts_are_listed_and_their_reship_is_scanned(self):
        gift = self.env["order.hub.gift"].create(
            {
                "order_id": self.order.id,
                "sale_line_id": self.order.order_line[1].id,
                "product_id": self.product_b.id,
                "quantity": 1,
                "promised_date": fields.Date.today() + timedelta(days=3),
            }
        )
        owed = self.station.scan(self.order.name)["picking"]["owed_gifts"]
        self.assertEqual([g["product"] for g in owed], [self.product_b.display_name])
        gift.action_create_reship()
        reship = gift.picking_id
        rows = {row["id"]: row for row in self.station.get_today()["pickings"]}
        self.assertIn(reship.id, rows, "the re-ship delivery is on today's list")
        self.assertTrue(rows[reship.id]["gift"])
        self.assertFalse(self.station.scan(self.order.name)["picking"]["owed_gifts"], "no longer owed")
        result = self._scan("6901000000024", picking=reship)
        self.assertTrue(result["ok"], result.get("message"))
        self.assertEqual(reship.state, "done")
        self.assertEqual(gift.state, "shipped")

    def test_carrier_label_is_printed(self):
        self.env["ir.attachment"].create(
            {
                "name": "Label-SF.pdf",
                "res_model": "stock.picking",
                "res_id": self.picking.id,
                "mimetype": "application/pdf",
                "datas": base64.b64encode(b"%PDF-1.4 label"),
            }
        )
        for barcode in ("6901000000017", "6901000000017", "6901000000024"):
            result = self._scan(barcode)
        self.assertRegex(result["picking"]["print"]["url"], r"^/web/content/\d+$")

    def test_today_list_puts_overdue_first(self):
        late = self._confirmed([(self.product_c, 1)])
        late.hub_promised_ship_date = fields.Datetime.now() - timedelta(hours=2)
        self.order.hub_promised_ship_date = fields.Datetime.now() + timedelta(hours=2)
        rows = self.station.get_today()["pickings"]
        ids = [row["id"] for row in rows]
        self.assertIn(self.picking.id, ids)
        self.assertLess(ids.index(self._delivery(late).id), ids.index(self.picking.id))
        first = next(row for row in rows if row["id"] == self._delivery(late).id)
        self.assertTrue(first["overdue"])
        self.assertEqual(first["order"], late.name)
        self.assertEqual(first["barcodes"], ["6901000000031"])

    def test_batch_then_order(self):
        second = self._confirmed([(self.product_c, 1)])
        third = self._confirmed([(self.product_c, 1)])
        outsider = self._confirmed([(self.product_c, 1)])
        batch = self.env["stock.picking.batch"].create(
            {
                "picking_ids": [
                    Command.set((self.picking | self._delivery(second) | self._delivery(third)).ids)
                ]
            }
        )
        batch.action_confirm()
        opened = self.station.scan(batch.name)
        self.assertEqual(opened["batch"]["id"], batch.id)
        self.assertEqual(len(opened["batch"]["pickings"]), 3)
        refused = self.station.scan(outsider.name, batch_id=batch.id)
        self.assertFalse(refused["ok"])
        self.assertIn(batch.name, refused["message"])
        result = self.station.scan(second.name, batch_id=batch.id)
        self.assertEqual(result["picking"]["id"], self._delivery(second).id)
        self._scan("6901000000031", picking=self._delivery(second), batch_id=batch.id)
        self.assertEqual(self._delivery(second).state, "done")
        self.assertEqual(second.hub_stage_code, "shipped")
        self.assertIn(batch.id, [b["id"] for b in self.station.get_today()["batches"]])
        outside = self._order([(self.product_c, 1)], warehouse_id=self.wh_a.id, hub_in_scope=False)
        outside.action_confirm()
        outside_batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set(self._delivery(outside).ids)]}
        )
        outside_batch.action_confirm()
        listed = [b["id"] for b in self.station.get_today()["batches"]]
        self.assertNotIn(outside_batch.id, listed, "batches of sales outside the hub stay out")
        single = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set(self._delivery(outsider).ids)]}
        )
        single.action_confirm()
        listed = [b["id"] for b in self.station.get_today()["batches"]]
        self.assertNotIn(
            single.id, listed, "a batch of one delivery (Odoo's batch per customer) is not offered"
        )
        self.assertIn(batch.id, listed)

    def test_access(self):
        """Customer service and plain users cannot use the station (nor
        validate through it); the warehouse and managers can."""
        plain = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "plain_scan_user",
                "groups_id": [Command.set([self.ref("base.group_user")])],
            }
        )
        for user in (self.user_cs, plain):
            station = self.env["order.hub.scan.station"].with_user(user)
            with self.assertRaises(AccessError):
                station.get_today()
            with self.assertRaises(AccessError):
                station.scan("6901000000017", picking_id=self.picking.id)
            with self.assertRaises(AccessError):
                station.validate(self.picking.id)
        self.assertEqual(self._counts(), [0.0, 0.0])
        self.assertTrue(self.env["order.hub.scan.station"].with_user(self.user_manager).get_today())
        menu = self.env.ref("order_hub_logistics.order_hub_scan_station_menu")
        visible = self.env["ir.ui.menu"].with_user(plain)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_cs)._visible_menu_ids())
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_warehouse)._visible_menu_ids())

    def test_warehouse_demo_user_lands_on_the_station(self):
        user = self.env.ref("order_hub.user_order_hub_warehouse_demo", raise_if_not_found=False)
        if not user:
            self.skipTest("database installed without demo data")
        station = self.env.ref("order_hub_logistics.order_hub_scan_station_action")
        self.assertEqual(user.action_id.id, station.id)


@tagged("post_install", "-at_install")
class TestScanStationCarrier(CarrierCommon):
    """The last scan validates through the carrier: SF creates the waybill
    (its sandbox); a carrier that cannot be reached leaves the delivery open
    with its counts, for the picker to validate again."""

    def _scanned_delivery(self, carrier):
        self.product.barcode = "6901000000055"
        order = self._order([(self.product, 1)], warehouse_id=self.wh_a.id, hub_source="jd")
        order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        picking.carrier_id = carrier
        station = self.env["order.hub.scan.station"].with_user(self.user_warehouse)
        result = station.scan("6901000000055", picking_id=picking.id)
        self.env.invalidate_all()
        return order, picking, result

    def test_sf_creates_the_waybill_at_the_last_scan(self):
        order, picking, result = self._scanned_delivery(self.sf)
        self.assertTrue(result["ok"], result.get("message"))
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertEqual(result["picking"]["waybill"], picking.carrier_tracking_ref)
        self.assertEqual(order.hub_stage_code, "shipped")

    def test_unreachable_carrier_keeps_the_counts(self):
        self.sf.hub_api_url = "http://127.0.0.1:9/std/service"
        order, picking, result = self._scanned_delivery(self.sf)
        self.assertFalse(result["ok"])
        self.assertIn(picking.name, result["message"])
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.hub_scanned_qty, 1.0)
        self.assertTrue(result["picking"]["complete"], "the Validate button is offered")
        self.assertNotEqual(order.hub_stage_code, "shipped")
