import hashlib
import logging

import psycopg2

from odoo import _, models
from odoo.tools import mute_logger

from .order_hub_order_importer import DATA_ERRORS

_logger = logging.getLogger(__name__)
# orders one confirmation job takes at most
CONFIRM_BATCH = 50
CONFIRM_PRIORITY = 5  # queue_job's default is 10; lower runs first


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _job_prepare_context_before_enqueue_keys(self):
        # the audit source of a webhook import follows its confirmation job
        return (*super()._job_prepare_context_before_enqueue_keys(), "order_hub_source")

    def _hub_enqueue_channel_action(self, action):
        """Run a confirming platform status action in a job of its own, once
        the import that created the orders has committed: one job per channel
        and batch of orders, so that their stock rules, deliveries and
        reservations are made together (``action_confirm`` on the batch)."""
        for channel in self.channel_id or [self.channel_id]:
            sales = self.filtered(lambda s, c=channel: s.channel_id == c)
            for start in range(0, len(sales), CONFIRM_BATCH):
                batch = sales[start : start + CONFIRM_BATCH]
                key = hashlib.sha1(",".join(map(str, sorted(batch.ids))).encode()).hexdigest()
                batch.with_delay(
                    channel=channel._job_channel_confirm() if channel else None,
                    # before the imports waiting for a worker: the confirmation
                    # lane is the narrow one, keep it busy
                    priority=CONFIRM_PRIORITY,
                    identity_key=f"order_hub_channel_action_{action}_{key}",
                    description=_(
                        "Apply the platform status of %(orders)s",
                        orders=", ".join(batch[:3].mapped("name")) + ("…" if len(batch) > 3 else ""),
                    ),
                )._job_hub_channel_action(action)

    def _job_hub_channel_action(self, action):
        """Job: confirm (and mark shipped or completed) imported orders.

        Orders the order rules hold (suspected duplicate, low health score)
        go to the review queue; the others are confirmed together.  An order
        that cannot be confirmed keeps its reason on its received payload and
        does not stop the others.
        """
        orders = self.exists()
        waiting = orders.filtered(lambda s: s.state in ("draft", "sent") and s.hub_review_state != "approved")
        # order rules first: a suspected duplicate or a low health score
        # waits for a manual review instead of being confirmed
        waiting._hub_flag_duplicate()
        reviewed = self.browse()
        for sale in waiting:
            reasons = sale._hub_review_reasons()
            if reasons:
                sale._hub_send_to_review(reasons)
                reviewed |= sale
        importer = self.env["order.hub.order.importer"]
        todo = orders - reviewed
        blocked, failed = self.browse(), {}
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                blocked = importer._do_status_action(todo, action)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise  # a concurrent confirmation: queue_job retries the whole job
        except (psycopg2.Error, *DATA_ERRORS):
            for sale in todo:  # isolate the order that fails, each with its reason
                try:
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        blocked |= importer._do_status_action(sale, action)
                except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
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
        return _(
            "%(done)s of %(count)s orders: %(action)s done; %(review)s sent to review, "
            "%(blocked)s blocked by exception rules, %(failed)s failed.",
            done=len(todo - blocked) - len(failed),
            count=len(orders),
            action=action,
            review=len(reviewed),
            blocked=len(blocked),
            failed=len(failed),
        )

    def _hub_note_on_payloads(self, message):
        self.ensure_one()
        self.inbound_order_ids.filtered(lambda r: r.state == "done").write({"error": message})
