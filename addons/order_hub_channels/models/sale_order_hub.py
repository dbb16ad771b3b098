import hashlib
import logging

import psycopg2

from odoo import _, models
from odoo.tools import mute_logger

from odoo.addons.order_hub.models.stock_move import DEFER_RESERVATION_KEY

from .order_hub_order_importer import BULK_CONTEXT, DATA_ERRORS

_logger = logging.getLogger(__name__)
# orders one confirmation or reservation job takes at most
CONFIRM_BATCH = 50
# queue_job's default priority is 10, lower runs first: reservations first (the
# narrow lane), then confirmations, then the imports waiting for a worker
RESERVE_PRIORITY = 5
CONFIRM_PRIORITY = 8
CONCURRENCY_ERRORS = (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure)


def _batches(records, size=CONFIRM_BATCH):
    for start in range(0, len(records), size):
        yield records[start : start + size]


def _batch_key(records):
    return hashlib.sha1(",".join(map(str, sorted(records.ids))).encode()).hexdigest()


def _batch_label(records):
    return ", ".join(records[:3].mapped("name")) + ("…" if len(records) > 3 else "")


class SaleOrder(models.Model):
    """Confirmation of imported orders: two lanes of queue jobs.

    - ``_job_hub_channel_action`` (channel ``root.order_hub.confirm``, as many
      at once as workers allow): order rules, then the confirmation itself,
      deliveries created but not reserved (``hub_defer_reservation``);
    - ``_job_hub_reserve`` (channel ``root.order_hub.reserve``, capacity 1 in
      the runner's configuration): reserves the deliveries of a batch under the
      stock locks.  Reservations change the same quants, so they run one after
      the other anyway; a lane of their own avoids wasted retries.

    Orders whose warehouse is chosen from the stock at confirmation
    (logistics routing) and the shipped/completed actions are confirmed in the
    reservation lane, in one go.
    """

    _inherit = "sale.order"

    def _job_prepare_context_before_enqueue_keys(self):
        # the audit source of a webhook import follows its confirmation job
        return (*super()._job_prepare_context_before_enqueue_keys(), "order_hub_source")

    def _hub_enqueue_channel_action(self, action, reserve_now=False):
        """Apply a confirming platform status action in jobs of their own, once
        the import that created the orders has committed: one job per channel
        and batch, so that their stock rules and deliveries are made together."""
        for channel in self.channel_id or [self.channel_id]:
            sales = self.filtered(lambda s, c=channel: s.channel_id == c)
            for batch in _batches(sales):
                batch.with_delay(
                    channel="root.order_hub.reserve" if reserve_now else "root.order_hub.confirm",
                    priority=RESERVE_PRIORITY if reserve_now else CONFIRM_PRIORITY,
                    identity_key=f"order_hub_channel_action_{action}_{int(reserve_now)}_{_batch_key(batch)}",
                    description=_("Apply the platform status of %(orders)s", orders=_batch_label(batch)),
                )._job_hub_channel_action(action, reserve_now=reserve_now)

    def _hub_enqueue_reservation(self):
        for batch in _batches(self):
            batch.with_delay(
                channel="root.order_hub.reserve",
                priority=RESERVE_PRIORITY,
                identity_key=f"order_hub_reserve_{_batch_key(batch)}",
                description=_("Reserve the deliveries of %(orders)s", orders=_batch_label(batch)),
            )._job_hub_reserve()

    def _job_hub_channel_action(self, action, reserve_now=False):
        """Job: confirm (and mark shipped or completed) imported orders.

        Orders the order rules hold (suspected duplicate, low health score)
        go to the review queue; the others are confirmed together.  An order
        that cannot be confirmed keeps its reason on its received payload and
        does not stop the others.
        """
        orders = self.with_context(**BULK_CONTEXT).exists()
        reviewed = orders._hub_review_before_confirm()
        todo = orders - reviewed
        if reserve_now:
            now, handed, deferred = todo, self.browse(), self.browse()
        else:
            # confirmed and reserved in one go, in the reservation lane
            handed = todo if action != "confirm" else todo._hub_routing_at_confirmation()
            handed._hub_enqueue_channel_action(action, reserve_now=True)
            now, deferred = self.browse(), todo - handed
        blocked, failed = now._hub_apply_channel_action(action)
        deferred_blocked, deferred_failed = deferred.with_context(
            **{DEFER_RESERVATION_KEY: True}
        )._hub_apply_channel_action(action)
        deferred.filtered(lambda s: s.state == "sale")._hub_enqueue_reservation()
        blocked |= deferred_blocked
        failed.update(deferred_failed)
        return _(
            "%(done)s of %(count)s orders: %(action)s done; %(handed)s handed to the reservation "
            "lane, %(review)s sent to review, %(blocked)s blocked by exception rules, %(failed)s failed.",
            done=len((now | deferred) - blocked) - len(failed),
            count=len(orders),
            action=action,
            handed=len(handed),
            review=len(reviewed),
            blocked=len(blocked),
            failed=len(failed),
        )

    def _hub_review_before_confirm(self):
        """Order rules first: a suspected duplicate or a low health score waits
        for a manual review instead of being confirmed; returns those orders."""
        waiting = self.filtered(lambda s: s.state in ("draft", "sent") and s.hub_review_state != "approved")
        waiting._hub_flag_duplicate()
        reviewed = self.browse()
        for sale in waiting:
            reasons = sale._hub_review_reasons()
            if reasons:
                sale._hub_send_to_review(reasons)
                reviewed |= sale
        return reviewed

    def _hub_apply_channel_action(self, action):
        """Apply ``action`` to these orders together, else one by one; returns
        (orders the exception rules block, {order: reason it failed})."""
        importer = self.env["order.hub.order.importer"]
        blocked, failed = self.browse(), {}
        if not self:
            return blocked, failed
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                blocked = importer._do_status_action(self, action)
        except CONCURRENCY_ERRORS:
            raise  # a concurrent reservation: queue_job retries the whole job
        except (psycopg2.Error, *DATA_ERRORS):
            for sale in self:  # isolate the order that fails, each with its reason
                try:
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        blocked |= importer._do_status_action(sale, action)
                except CONCURRENCY_ERRORS:
                    raise
                except (psycopg2.Error, *DATA_ERRORS) as error:
                    _logger.info("status action %s failed on %s: %s", action, sale.id, error)
                    failed[sale] = importer._reason(error)
        for sale in blocked:
            sale._hub_note_on_payloads(importer._blocked_message())
        for sale, reason in failed.items():
            sale._hub_note_on_payloads(
                _("Created, but the action %(action)s failed: %(error)s", action=action, error=reason)
            )
        return blocked, failed

    def _job_hub_reserve(self):
        """Job: reserve the deliveries of confirmed orders, under the stock locks."""
        orders = self.with_context(**BULK_CONTEXT).exists().filtered(lambda s: s.state == "sale")
        short = orders._hub_reserve()
        return _(
            "%(reserved)s of %(count)s orders reserved, %(short)s short of stock.",
            reserved=len(orders - short),
            count=len(orders),
            short=len(short),
        )

    def _hub_note_on_payloads(self, message):
        self.ensure_one()
        self.inbound_order_ids.filtered(lambda r: r.state == "done").write({"error": message})

    def _hub_on_stock_short(self, reason):
        res = super()._hub_on_stock_short(reason)
        for sale in self:
            sale._hub_note_on_payloads(reason)
        return res
