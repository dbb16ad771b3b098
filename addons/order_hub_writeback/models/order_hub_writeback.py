import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.order_hub_channels import connectors
from odoo.addons.order_hub_channels.connectors import writeback as platform_writeback
from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER
from odoo.addons.queue_job.exception import RetryableJobError

WRITEBACK_STATE = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")]
WRITEBACK_KIND = [("ship", "Shipment"), ("cancel", "Cancellation")]
# platforms that ship whole orders: every parcel of the order goes in one call,
# once the last delivery is done (JD joins the tracking numbers; Shopee takes one)
WHOLE_ORDER_PLATFORMS = ("jd", "shopee")


class OrderHubWriteback(models.Model):
    """One push to a platform: a parcel that left (carrier and tracking
    number) or a cancellation made in Odoo.  The push runs in a job of its
    platform's channel (``root.order_hub.writeback.<platform>``): transient
    faults retry with back-off, a refusal marks the record failed with the
    platform's reason, and *Retry* sends it again once the cause is fixed.
    The record keeps what was sent (business parameters, never credentials),
    when, and the answer.

    Extension points: ``_prepare_parcel`` (what a parcel holds) and
    ``_push`` (the call)."""

    _name = "order.hub.writeback"
    _description = "Platform Write-back"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order", "Order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    channel_id = fields.Many2one(related="sale_order_id.channel_id", store=True, string="Sales Channel")
    platform = fields.Selection(related="channel_id.platform", store=True)
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True)
    picking_id = fields.Many2one("stock.picking", "Delivery", readonly=True, ondelete="set null")
    kind = fields.Selection(WRITEBACK_KIND, required=True, readonly=True, default="ship")
    state = fields.Selection(WRITEBACK_STATE, required=True, readonly=True, default="pending", index=True)
    carrier_id = fields.Many2one("delivery.carrier", "Carrier", readonly=True)
    tracking_ref = fields.Char("Tracking Number", readonly=True)
    company_code = fields.Char("Platform Carrier Code", readonly=True)
    request = fields.Text("Sent", readonly=True, help="The business parameters sent, without credentials.")
    answer = fields.Text("Platform's Answer", readonly=True)
    error = fields.Text("Reason", readonly=True)
    sent_at = fields.Datetime("Pushed At", readonly=True)
    job_id = fields.Many2one("queue.job", "Job", readonly=True, ondelete="set null")

    # ------------------------------------------------------------------
    # creation
    # ------------------------------------------------------------------
    @api.model
    def _hub_push_shipments(self, pickings):
        """Write back these done deliveries of platform orders: one push per
        parcel, or one per order on platforms that ship whole orders (when
        its last delivery is done).  The hub's own records: a deliberate sudo,
        a warehouse clerk without an Order Hub role validates deliveries."""
        pushes = self.sudo().browse()
        for picking in pickings:
            order = picking.sudo().sale_id
            if order.channel_id.platform in WHOLE_ORDER_PLATFORMS:
                if order in pushes.sale_order_id:
                    continue  # its deliveries validated together: one push for the order
                open_ = order._hub_outgoing_pickings().filtered(lambda p: p.state != "done")
                if open_:
                    order.message_post(
                        body=_(
                            "%(platform)s ships whole orders: the tracking number %(ref)s goes to the "
                            "platform with the order's last delivery (%(open)s still open).",
                            platform=dict(
                                order.channel_id._fields["platform"]._description_selection(self.env)
                            )[order.channel_id.platform],
                            ref=picking.carrier_tracking_ref or "-",
                            open=", ".join(open_.mapped("name")),
                        )
                    )
                    continue
            pushes |= self.sudo().create(
                {
                    "name": f"{order.name} / {picking.name}",
                    "sale_order_id": order.id,
                    "picking_id": picking.id,
                    "kind": "ship",
                }
            )
        pushes._enqueue()
        return pushes

    @api.model
    def _hub_push_cancellations(self, orders):
        pushes = self.sudo().create(
            [
                {"name": _("%(order)s / cancel", order=o.name), "sale_order_id": o.id, "kind": "cancel"}
                for o in orders
            ]
        )
        pushes._enqueue()
        return pushes

    def _job_channel(self):
        channel = self.env.ref(
            f"order_hub_writeback.channel_writeback_{self.platform}", raise_if_not_found=False
        ) or self.env.ref("order_hub_writeback.channel_writeback")
        return channel.sudo().complete_name

    def _enqueue(self):
        for push in self:
            job = push.with_delay(
                channel=push._job_channel(),
                identity_key=f"order_hub_writeback_{push.id}",
                description=_(
                    "Write back %(what)s to %(channel)s", what=push.name, channel=push.channel_id.name
                ),
            )._job_push()
            push.job_id = self.env["queue.job"].sudo().search([("uuid", "=", job.uuid)], limit=1)

    # ------------------------------------------------------------------
    # the push
    # ------------------------------------------------------------------
    def _idempotency_key(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"oh-{uuid[:8]}-wb-{self.id}"

    def _prepare_parcel(self):
        """The ``Parcel`` of this shipment push, from the deliveries as they are now
        (a retry after a fix reads the fixed data).  UserError says what to fix."""
        self.ensure_one()
        picking, order = self.picking_id, self.sale_order_id
        if not picking or picking.state != "done":
            raise UserError(_("The delivery of this write-back is not done (any more)."))
        if not picking.carrier_tracking_ref:
            raise UserError(
                _(
                    "Delivery %(picking)s has no tracking number: add it on the delivery, then retry.",
                    picking=picking.name,
                )
            )
        code = self.env["order.hub.carrier.code"]._hub_code_for(picking.carrier_id, self.platform)
        outgoing = order._hub_outgoing_pickings()
        done = outgoing.filtered(lambda p: p.state == "done").sorted(lambda p: (p.date_done, p.id))
        items = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.quantity > 0):
            merchant_code = self._merchant_code(move.product_id)
            shipped = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            items[merchant_code] = items.get(merchant_code, 0) + round(shipped)
        self.write(
            {
                "carrier_id": picking.carrier_id.id,
                "tracking_ref": picking.carrier_tracking_ref,
                "company_code": code,
            }
        )
        return platform_writeback.Parcel(
            key=self._idempotency_key(),
            tracking_number=picking.carrier_tracking_ref,
            company_code=code,
            company_name=picking.carrier_id.name or "",
            items=tuple(items.items()),
            # the only delivery, nothing of it dropped (validated without backorder)
            whole_order=outgoing == picking and not picking.move_ids.filtered(lambda m: m.state == "cancel"),
            tracking_numbers=tuple(dict.fromkeys(done.mapped("carrier_tracking_ref"))),
        )

    def _merchant_code(self, product):
        """The code the platform knows the product by: its SKU mapping, else the internal reference."""
        mapping = (
            self.env["order.hub.product.map"]
            .sudo()
            .search(
                [
                    ("platform", "=", self.platform),
                    ("channel_id", "in", [self.channel_id.id, False]),
                    ("product_id", "=", product.id),
                ],
                order="channel_id",
                limit=1,
            )
        )
        return mapping.code or product.default_code or str(product.id)

    def _push(self):
        """Send the push; returns the connectors' ``WritebackResult``."""
        external_id = self.sale_order_id.channel_order_ref
        args = (external_id,) if self.kind == "cancel" else (external_id, self._prepare_parcel())
        try:
            client = self.channel_id._get_client()
        except ValueError as error:  # the channel's settings, e.g. a Shopify channel without its shop
            raise UserError(str(error)) from None
        # a push waits less than a pull: a platform that does not answer in time is
        # asked again by the retried job, which checks the platform's state first
        params = self.env["ir.config_parameter"].sudo()
        client.http.timeout = (
            float(params.get_param("order_hub_writeback.connect_timeout", 5)),
            float(params.get_param("order_hub_writeback.read_timeout", 20)),
        )
        try:
            if self.kind == "cancel":
                return platform_writeback.cancel(client, *args)
            return platform_writeback.ship(client, *args)
        finally:
            client.close()

    def _job_push(self):
        """Job: push to the platform.  Transient faults retry (RetryableJobError);
        a refusal, a missing code or bad credentials mark the push failed with
        the reason (a Retry button sends it again after the fix)."""
        self.ensure_one()
        # the whole push runs in a savepoint: when the job fails (retries run
        # out, a fault of the code), queue_job stores the failure from a second
        # cursor while this one is still open, and the hook that marks the push
        # failed (queue_job.py) must not wait for the row locks taken here
        with self.env.cr.savepoint():
            return self._job_push_locked()

    def _job_push_locked(self):
        push = self.sudo()
        if not push._lock():
            # a job retried by hand while the previous one still runs: let that one finish
            raise RetryableJobError(_("Another job is pushing %(name)s.", name=push.name), seconds=30)
        if push.state == "done":
            return _("Nothing to do: already pushed.")
        errors = connectors.errors
        try:
            result = push._push()
        except (errors.RateLimited, errors.TransientError) as error:
            raise push.channel_id._retryable(error) from None
        except errors.AuthError as error:
            if error.expired:
                raise push.channel_id._retryable(error) from None
            return push._hub_failed(str(error))
        except (errors.ConnectorError, UserError) as error:
            return push._hub_failed(str(error))
        return push._hub_done(result)

    def _lock(self):
        """Lock this push against a second job running it at the same moment."""
        self.flush_recordset(["state"])
        self.env.cr.execute(
            SQL("SELECT id FROM order_hub_writeback WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", self.id)
        )
        locked = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["state"])
        return locked

    def _hub_done(self, result):
        note = (
            _("Pushed to %(channel)s.", channel=self.channel_id.name)
            if result.sent
            else _("%(channel)s already had it; nothing was sent again.", channel=self.channel_id.name)
        )
        self.write(
            {
                "state": "done",
                "error": False,
                "sent_at": fields.Datetime.now(),
                "request": _dump(result.request) if result.request else self.request,
                "answer": _dump(result.answer),
            }
        )
        self.sale_order_id.message_post(body=_("Write-back %(name)s: %(note)s", name=self.name, note=note))
        return note

    def _hub_failed(self, reason):
        self.write({"state": "failed", "error": reason, "sent_at": fields.Datetime.now()})
        self.sale_order_id.message_post(
            body=_("Write-back %(name)s failed: %(reason)s", name=self.name, reason=reason)
        )
        return reason

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_retry(self):
        """Managers: push failed write-backs again (after fixing the cause)."""
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only Order Hub managers can retry a write-back."))
        failed = self.filtered(lambda p: p.state == "failed")
        if not failed:
            raise UserError(_("Only failed write-backs can be retried."))
        failed.sudo().write({"state": "pending", "error": False})
        failed.sudo()._enqueue()
        return True


def _dump(value):
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
