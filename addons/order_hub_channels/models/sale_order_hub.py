import hashlib

from psycopg2.errors import LockNotAvailable

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.order_hub.models.sale_order_claims import CLAIM_KEY
from odoo.addons.order_hub.models.stock_move import DEFER_RESERVATION_KEY
from odoo.addons.queue_job.exception import RetryableJobError

from .order_hub_order_importer import BULK_CONTEXT

# orders one confirmation or reservation job takes at most
CONFIRM_BATCH = 50
# seconds after which a job finding its products' stock locks taken runs again
STOCK_BUSY_RETRY = 1
# queue_job's default priority is 10, lower runs first: reservations first (the
# narrow lane), then confirmations, then the imports waiting for a worker
RESERVE_PRIORITY = 5
CONFIRM_PRIORITY = 8
CONFIRMING_ACTIONS = ("confirm", "ship", "complete")
# the reservation lane; the reservations of one warehouse run in its own
# sub-lane (``reserve_channel``)
RESERVE_CHANNEL = "root.order_hub.reserve"
SHIPPING_ACTIONS = ("ship", "complete")


def _batches(records, size=CONFIRM_BATCH):
    for start in range(0, len(records), size):
        yield records[start : start + size]


def _batch_key(records):
    return hashlib.sha1(",".join(map(str, sorted(records.ids))).encode()).hexdigest()


def reserve_channel(warehouse):
    """The queue_job channel of the reservation jobs of ``warehouse``.

    Reservations of one warehouse change the same quants, those of two
    warehouses never do (their stock locations differ): each warehouse has its
    own lane, ``root.order_hub.reserve.warehouse_<id>``.  The job runner runs a
    lane as configured, e.g. ``root.order_hub.reserve:2:capacity_default=1,
    root.order_hub.reserve.warehouse_1:1,root.order_hub.reserve.warehouse_2:1``
    (two warehouses side by side, each one job at a time).  A lane the runner
    does not list falls back under ``root.order_hub.reserve``: with
    ``capacity_default=1`` all unlisted warehouses share one lane of capacity
    1, and with the plain ``root.order_hub.reserve:1`` every reservation runs
    one after the other, as before the lanes were split."""
    return f"{RESERVE_CHANNEL}.warehouse_{warehouse.id}" if warehouse else RESERVE_CHANNEL


def _batch_label(records):
    return ", ".join(records[:3].mapped("name")) + ("…" if len(records) > 3 else "")


class SaleOrder(models.Model):
    """What a platform status means for an order, and the jobs that apply it.

    The importer maps payloads onto orders and hands each imported order with
    the action of its platform status to ``_hub_on_platform_status`` (its
    ``_after_import`` hook).  New orders then pass order_hub's one arrival
    step (``_hub_process_arrival``: duplicates, health score, review queue,
    confirmation) in a queue job, after the import committed; the meaning of
    the status (``_hub_apply_platform_status``) follows.

    The lane of a job is chosen when it is enqueued, by its job function
    (channels declared in ``data/queue_job_data.xml``):

    - ``_job_hub_channel_action`` (``root.order_hub.confirm``, as many at once
      as workers allow): confirmation with the deliveries created but not
      reserved (``hub_defer_reservation``), then one ``_job_hub_reserve``
      (``root.order_hub.reserve.warehouse_<id>``, one lane per warehouse,
      capacity 1: see ``reserve_channel``) reserves them: reservations of one
      warehouse change the same quants, so they run one after the other
      anyway, but beside the confirmations (they do not change the quantity free to
      promise that confirmations check under the stock locks);
    - ``_job_hub_channel_action_reserve`` (``root.order_hub.reserve``): orders
      whose warehouse is chosen from the stock at confirmation (logistics
      routing) and the shipped/completed statuses, confirmed and reserved in
      one go.

    Routing is decided once per order, when the job is enqueued, and carried
    into its confirmation (``_hub_with_routing_known``).
    """

    _inherit = "sale.order"

    def _job_prepare_context_before_enqueue_keys(self):
        # the audit source of a webhook import follows its confirmation job
        return (*super()._job_prepare_context_before_enqueue_keys(), "order_hub_source")

    # ------------------------------------------------------------------
    # after an import
    # ------------------------------------------------------------------
    def _hub_on_platform_status(self, action, arrived=False):
        """Called by the importer once these orders were imported with a
        platform status meaning ``action``.  A cancellation applies now; new
        orders (``arrived``) arrive in a job; for known orders, work that
        confirms or ships goes to a job, anything else changes nothing."""
        if action == "cancel":
            self._hub_apply_platform_status(action)
        elif arrived:
            self._hub_enqueue_platform_status(action, arrival=True)
        elif action in CONFIRMING_ACTIONS:
            pending = self.filtered(lambda s: s._hub_platform_status_pending(action))
            pending._hub_enqueue_platform_status(action)

    def _hub_platform_status_pending(self, action):
        """True when ``action`` still has something to do on this order."""
        self.ensure_one()
        if self.state in ("draft", "sent"):
            return self.hub_review_state in ("none", "approved")
        if self.state != "sale" or action == "confirm":
            return False
        wanted = "completed" if action == "complete" else "shipped"
        return self.channel_fulfilment != wanted and not (
            wanted == "shipped" and self.channel_fulfilment == "completed"
        )

    def _hub_enqueue_platform_status(self, action, arrival=False):
        """Enqueue the jobs applying ``action``: one job per channel, lane and
        batch, so that their stock rules and deliveries are made together.
        The lane is chosen here, from the routing decided once per order."""
        quotations = self.filtered(lambda s: s.state in ("draft", "sent"))
        routed = quotations._hub_routing_at_confirmation() if action in CONFIRMING_ACTIONS else self.browse()
        for channel in self.channel_id or [self.channel_id]:
            sales = self.filtered(lambda s, c=channel: s.channel_id == c)
            now = sales if action in SHIPPING_ACTIONS else sales & routed
            for reserve_now, lane in ((True, now), (False, sales - now)):
                for batch in _batches(lane):
                    job = batch.with_delay(
                        priority=RESERVE_PRIORITY if reserve_now else CONFIRM_PRIORITY,
                        identity_key=(
                            f"order_hub_channel_action_{action}_{int(reserve_now)}_{int(arrival)}_"
                            f"{_batch_key(batch)}"
                        ),
                        description=_("Apply the platform status of %(orders)s", orders=_batch_label(batch)),
                    )
                    if reserve_now:
                        job._job_hub_channel_action_reserve(action, arrival=arrival, routed=batch & routed)
                    else:
                        job._job_hub_channel_action(action, arrival=arrival)

    def _hub_enqueue_reservation(self):
        """One reservation job per batch of orders of one warehouse, in the
        lane of that warehouse (``reserve_channel``)."""
        for warehouse, orders in self.grouped("warehouse_id").items():
            for batch in _batches(orders):
                batch.with_delay(
                    priority=RESERVE_PRIORITY,
                    channel=reserve_channel(warehouse),
                    identity_key=f"order_hub_reserve_{_batch_key(batch)}",
                    description=_("Reserve the deliveries of %(orders)s", orders=_batch_label(batch)),
                )._job_hub_reserve()

    # ------------------------------------------------------------------
    # jobs
    # ------------------------------------------------------------------
    def _hub_job_lock_stock(self):
        """Take the stock locks of these orders first thing in a job, or hand
        the job back to the runner for a moment when another job holds one.

        A job's snapshot is taken before its code runs: waiting for a lock
        would end in a serialisation failure once the holder commits (the
        lock rows are bumped on purpose, see ``order.hub.stock.lock``), after
        the worker sat idle the holder's whole transaction and redid its own
        work, and queue_job would run it again only 5 s later, counted as a
        retry.  Not waiting, the job is tried again after
        ``STOCK_BUSY_RETRY`` seconds, uncounted, and the worker takes other
        work meanwhile."""
        try:
            self._hub_lock_stock(nowait=True)
        except LockNotAvailable as error:
            raise RetryableJobError(
                _("Another job is reserving the stock of these products: tried again in a moment."),
                seconds=STOCK_BUSY_RETRY,
                ignore_retry=True,
            ) from error

    # The jobs run in a savepoint: when one fails, queue_job stores the failure
    # from a second connection while the job's is still open, and the hook
    # noting it on the payloads (queue_job.py) must not wait for the row locks
    # the job took.
    def _job_hub_channel_action(self, action, arrival=False):
        with self.env.cr.savepoint():
            return self._hub_channel_action_run(action, arrival=arrival)

    def _hub_channel_action_run(self, action, arrival=False):
        """Job (confirmation lane): arrival and platform status of imported
        orders, deliveries reserved afterwards by a reservation job.  None of
        these orders is routed at confirmation: that was decided when the job
        was enqueued."""
        # the free-stock gate claims the stock in a short transaction of its
        # own (order.hub.stock.claim): confirmations of the same products run
        # side by side
        orders = self.with_context(**BULK_CONTEXT, **{DEFER_RESERVATION_KEY: True, CLAIM_KEY: True}).exists()
        orders = orders._hub_with_routing_known(routed=orders.browse())
        summary = orders._hub_run_platform_status(action, arrival)
        orders.filtered(lambda s: s.state == "sale")._hub_enqueue_reservation()
        return summary

    def _job_hub_channel_action_reserve(self, action, arrival=False, routed=None):
        with self.env.cr.savepoint():
            return self._hub_channel_action_reserve_run(action, arrival=arrival, routed=routed)

    def _hub_channel_action_reserve_run(self, action, arrival=False, routed=None):
        """Job (reservation lane): arrival and platform status of imported
        orders that confirm and reserve in one go (routed orders, shipped and
        completed statuses)."""
        orders = self.with_context(**BULK_CONTEXT).exists()
        orders._hub_job_lock_stock()
        if routed is not None:
            orders = orders._hub_with_routing_known(routed=routed)
        return orders._hub_run_platform_status(action, arrival)

    def _hub_run_platform_status(self, action, arrival):
        if arrival:
            confirm = self if action in CONFIRMING_ACTIONS else self.browse()
            self._hub_process_arrival(confirm=confirm)
            self.filtered(lambda s: s.state == "sale")._hub_apply_platform_status(action)
        else:
            self._hub_apply_platform_status(action)
        return self._hub_status_summary(action)

    def _hub_status_summary(self, action):
        review = self.filtered(lambda s: s.hub_review_state == "pending")
        waiting = self.filtered(lambda s: s.state in ("draft", "sent")) - review
        blocked = waiting.filtered("exception_ids")
        failed = (waiting - blocked) if action in CONFIRMING_ACTIONS else self.browse()
        return _(
            "%(done)s of %(count)s orders: %(action)s done; %(review)s sent to review, "
            "%(blocked)s blocked by exception rules, %(failed)s failed.",
            done=len(self) - len(review | waiting),
            count=len(self),
            action=action,
            review=len(review),
            blocked=len(blocked),
            failed=len(failed),
        )

    def _job_hub_reserve(self):
        with self.env.cr.savepoint():
            return self._hub_reserve_run()

    def _hub_reserve_run(self):
        """Job (reservation lane): reserve the deliveries of confirmed orders."""
        orders = self.with_context(**BULK_CONTEXT).exists().filtered(lambda s: s.state == "sale")
        # the free quantity the confirmations check does not change: they
        # and this job need not wait for each other (see _hub_reserve)
        short = orders._hub_reserve(lock=False)
        return _(
            "%(reserved)s of %(count)s orders reserved, %(short)s short of stock.",
            reserved=len(orders - short),
            count=len(orders),
            short=len(short),
        )

    # ------------------------------------------------------------------
    # what a platform status means
    # ------------------------------------------------------------------
    def _hub_apply_platform_status(self, action):
        """Apply the meaning of a platform status to these orders, which have
        already arrived: paid confirms (through ``_hub_confirm``, orders held
        for review excepted), shipped validates the delivery, completed is the
        platform's signed-for event, cancelled cancels."""
        if action in CONFIRMING_ACTIONS:
            drafts = self.filtered(
                lambda s: s.state in ("draft", "sent") and s.hub_review_state in ("none", "approved")
            )
            drafts._hub_confirmation_refused(*drafts._hub_confirm())
        if action in SHIPPING_ACTIONS:
            for sale in self.filtered(lambda s: s.state == "sale"):
                sale._hub_platform_shipped(completed=action == "complete")
        elif action == "cancel":
            to_cancel = self.filtered(lambda s: s.state != "cancel")
            shipped = to_cancel.filtered(lambda s: s.picking_ids.filtered(lambda p: p.state == "done"))
            for sale in shipped:
                sale.message_post(
                    body=_("The platform cancelled this order after it was shipped; handle the return.")
                )
            (to_cancel - shipped).with_context(disable_cancel_warning=True).action_cancel()

    def _hub_platform_shipped(self, completed=False):
        """The platform says the order shipped (or was completed): its
        delivery is validated when fully reserved; otherwise the order keeps
        its stage and the order and its payload say why."""
        self.ensure_one()
        wanted = "completed" if completed else "shipped"
        if self.channel_fulfilment != "completed":
            self.channel_fulfilment = wanted
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self._hub_reserve()  # this job runs in the reservation lane
                # the platform has the carrier and tracking number: nobody to ask
                reason = self.with_context(order_hub_carrier_checked=True)._hub_validate_deliveries()
        except UserError as error:
            reason = str(error)
        if reason:
            note = _(
                "The platform says this order was shipped, but its delivery is still open in Odoo: "
                "%(reason)s",
                reason=reason,
            )
            self.message_post(body=note)
            self._hub_note_on_payloads(note)
        elif completed:
            self._hub_on_delivered(reason=_("Completed on the platform"))

    def _hub_confirmation_refused(self, blocked, failed):
        # the orders' received payloads say why they are still quotations
        super()._hub_confirmation_refused(blocked, failed)
        message = self.env._(
            "Imported as a quotation: exception rules block its confirmation; "
            "see the exceptions on the order, fix them and confirm it."
        )
        for sale in blocked:
            sale._hub_note_on_payloads(message)
        for sale, reason in failed.items():
            sale._hub_note_on_payloads(
                self.env._(
                    "Created, but the action %(action)s failed: %(error)s", action="confirm", error=reason
                )
            )

    def _hub_note_on_payloads(self, message):
        self.ensure_one()
        # the hub's own records, whoever's job or click noted it
        self.sudo().inbound_order_ids.filtered(lambda r: r.state == "done").write({"error": message})

    def _hub_on_stock_short(self, reason):
        res = super()._hub_on_stock_short(reason)
        for sale in self:
            sale._hub_note_on_payloads(reason)
        return res

    def _hub_arrives_on_create(self):
        # imported orders arrive in the import's confirmation job
        return super()._hub_arrives_on_create().filtered(lambda s: not s.channel_id)
