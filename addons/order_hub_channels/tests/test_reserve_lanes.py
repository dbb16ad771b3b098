from odoo.tests import tagged

from odoo.addons.queue_job.jobrunner.channels import ChannelManager

from ..models.sale_order_hub import RESERVE_CHANNEL, reserve_channel
from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestReserveLanes(ChannelsCommon):
    """Reservations of one warehouse run one after the other; those of two
    warehouses side by side: one reservation lane (queue_job channel) per
    warehouse, scheduled by queue_job's own channel manager as its runner is
    configured."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.second = cls.env["stock.warehouse"].create(
            {"name": "Lane test east", "code": "LTE", "company_id": cls.company.id}
        )
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(product, cls.second.lot_stock_id, 1000)
        cls.channel.warehouse_id = cls.first
        cls.east = cls.channel.copy(
            {"name": "Test Shopify east", "code": "test-shopify-east", "warehouse_id": cls.second.id}
        )

    def confirm(self, channel, *external_ids):
        """Import and confirm the orders; returns them and the reservation jobs
        their confirmation enqueued."""
        before = self.env["queue.job"].search([])
        records = self.store(*(canonical_order(ref) for ref in external_ids), channel=channel)
        records._import_batch()
        actions = self.new_jobs(before).filtered(lambda j: j.method_name == "_job_hub_channel_action")
        before = self.env["queue.job"].search([])
        self.run_jobs(actions)
        return records.sale_order_id, self.new_jobs(before)

    def runner(self, config):
        """queue_job's channel manager configured as the runner is, with the
        jobs as the runner reads them from the database (runner.select_jobs)."""
        manager = ChannelManager()
        manager.simple_configure(config)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT channel, uuid, id, date_created, priority, EXTRACT(EPOCH FROM eta), state "
            "FROM queue_job WHERE state = 'pending' AND method_name = '_job_hub_reserve' ORDER BY id"
        )
        for row in self.env.cr.fetchall():
            manager.notify(self.env.cr.dbname, *row)
        return manager

    def running(self, manager):
        return {job.uuid for job in manager.get_jobs_to_run(now=1e10)}

    def test_each_warehouse_has_its_own_lane(self):
        west, west_jobs = self.confirm(self.channel, "LANE-W1", "LANE-W2")
        east, east_jobs = self.confirm(self.east, "LANE-E1")
        self.assertEqual(set(west.warehouse_id.ids), {self.first.id})
        self.assertEqual(east.warehouse_id, self.second)
        self.assertEqual(west_jobs.mapped("method_name"), ["_job_hub_reserve"])
        self.assertEqual(west_jobs.channel, f"{RESERVE_CHANNEL}.warehouse_{self.first.id}")
        self.assertEqual(east_jobs.channel, f"{RESERVE_CHANNEL}.warehouse_{self.second.id}")
        no_warehouse = self.env["stock.warehouse"]
        self.assertEqual(reserve_channel(no_warehouse), RESERVE_CHANNEL, "no warehouse: the shared lane")
        [west_result] = self.run_jobs(west_jobs)
        [east_result] = self.run_jobs(east_jobs)
        self.assertIn("2 of 2 orders reserved", west_result)
        self.assertIn("1 of 1 orders reserved", east_result)
        self.assertEqual(set((west | east).picking_ids.mapped("state")), {"assigned"})
        self.assertEqual(east.picking_ids.location_id, self.second.lot_stock_id, "east stock, not west")

    def test_one_confirmation_of_two_warehouses_reserves_in_two_lanes(self):
        """Orders of one job in two warehouses (e.g. sent to a second
        warehouse by a rule) get one reservation job per warehouse."""
        west, _jobs = self.confirm(self.channel, "LANE-M1", "LANE-M2")
        self.env["queue.job"].search([("method_name", "=", "_job_hub_reserve")]).unlink()
        west[1].picking_ids.action_cancel()
        west[1].warehouse_id = self.second
        before = self.env["queue.job"].search([])
        west._hub_enqueue_reservation()
        jobs = self.new_jobs(before)
        self.assertEqual(len(jobs), 2)
        self.assertEqual(
            sorted(jobs.mapped("channel")), sorted(reserve_channel(w) for w in (self.first, self.second))
        )
        self.assertEqual({job.records.warehouse_id for job in jobs}, {self.first, self.second})

    def test_runner_runs_two_warehouses_side_by_side_and_one_warehouse_in_sequence(self):
        _west, west_first = self.confirm(self.channel, "LANE-A1")
        _west, west_second = self.confirm(self.channel, "LANE-A2")
        _east, east_first = self.confirm(self.east, "LANE-B1")
        lanes = (
            f"root:4,{RESERVE_CHANNEL}:2:capacity_default=1,"
            f"{reserve_channel(self.first)}:1,{reserve_channel(self.second)}:1"
        )
        manager = self.runner(lanes)
        started = self.running(manager)
        self.assertEqual(
            started, {west_first.uuid, east_first.uuid}, "the first job of each warehouse, side by side"
        )
        self.assertFalse(self.running(manager), "the second job of the west waits for the first")
        west_first.state = "done"
        self.env.flush_all()
        manager.notify(
            self.env.cr.dbname,
            west_first.channel,
            west_first.uuid,
            west_first.id,
            west_first.date_created,
            west_first.priority,
            None,
            "done",
        )
        self.assertEqual(self.running(manager), {west_second.uuid}, "then it runs")

        # the plain configuration of one reservation lane: every warehouse in it
        manager = self.runner(f"root:4,{RESERVE_CHANNEL}:1")
        self.assertEqual(len(self.running(manager)), 1, "one reservation at a time, whatever the warehouse")

        # a warehouse the configuration does not list shares the fallback lane
        manager = self.runner(
            f"root:4,{RESERVE_CHANNEL}:2:capacity_default=1,{reserve_channel(self.first)}:1"
        )
        started = self.running(manager)
        self.assertEqual(len(started), 2)
        self.assertIn(east_first.uuid, started, "the unlisted east in the fallback lane")
