from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_datetime

from odoo.addons.order_hub_channels import connectors
from odoo.addons.order_hub_channels.connectors import decrypt as platform_decrypt
from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER
from odoo.addons.queue_job.exception import RetryableJobError

RECEIVER_STATE = [
    ("encrypted", "Receiver Encrypted"),
    ("decrypted", "Decrypted"),
    ("quota", "Decrypt Failed: Quota"),
    ("failed", "Decrypt Failed"),
]
# after the n-th quota refusal in a row, the next try waits this many minutes
# (Douyin gives a shop new decrypt quota per day); then a person retries
QUOTA_BACKOFF_MINUTES = (30, 60, 120, 240, 480, 960)
RETRY_GROUPS = ("order_hub.group_order_hub_customer_service", "order_hub.group_order_hub_warehouse")
OPEN_JOB_STATES = ("wait_dependencies", "pending", "enqueued")


class OrderHubReceiver(models.Model):
    """The receiver of a platform order as the platform sent it: encrypted
    (Douyin ``encrypt_post_receiver``, ``encrypt_post_tel``,
    ``post_addr.encrypt_detail``), next to the masked form the order keeps.

    The receiver is decrypted through the platform's API only when a waybill
    needs it: when a delivery of the order gets a carrier that asks for a
    waybill through its API (``stock.picking._hub_request_decryption``), a job
    of the platform's channel (``root.order_hub.writeback.<platform>``)
    decrypts it.  The plaintext goes only onto a delivery contact of the
    customer (``partner_id``), which becomes the contact of the order's open
    deliveries; the order keeps the masked receiver.  Without a decrypted
    receiver no waybill is requested (``stock.picking._hub_receiver_for_waybill``).

    A refusal of the shop's decrypt quota leaves the state *Decrypt Failed:
    Quota* and tries again later by itself (``QUOTA_BACKOFF_MINUTES``);
    network faults retry with queue_job's back-off; any failure has a *Retry
    Decryption* button.  The plaintext never goes into a message, a log line,
    a job's arguments or an error text.

    Extension points: ``_decrypt`` (the call) and ``_prepare_partner_vals``."""

    _name = "order.hub.receiver"
    _description = "Encrypted Receiver"
    _order = "id desc"

    sale_order_id = fields.Many2one(
        "sale.order", "Order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    channel_id = fields.Many2one(related="sale_order_id.channel_id", store=True, string="Sales Channel")
    platform = fields.Selection(related="channel_id.platform", store=True)
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True)
    state = fields.Selection(RECEIVER_STATE, required=True, readonly=True, default="encrypted", index=True)
    error = fields.Text("Reason", readonly=True)
    # the platform's ciphertexts, kept for the decrypt call; useless without the app's credentials
    cipher_name = fields.Char("Encrypted Name", readonly=True, groups=MANAGER)
    cipher_phone = fields.Char("Encrypted Phone", readonly=True, groups=MANAGER)
    cipher_detail = fields.Char("Encrypted Address", readonly=True, groups=MANAGER)
    # the parts of the address the platform sends in clear
    province = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    district = fields.Char(readonly=True)
    street = fields.Char("Street or Town", readonly=True)
    zip = fields.Char(readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Decrypted Delivery Address",
        readonly=True,
        ondelete="set null",
        help="The customer's delivery contact holding the decrypted receiver, used for the waybill.",
    )
    decrypted_at = fields.Datetime(readonly=True)
    attempts = fields.Integer("Quota Refusals", readonly=True, help="Quota refusals in a row.")
    retry_at = fields.Datetime("Next Try", readonly=True)
    job_id = fields.Many2one("queue.job", "Job", readonly=True, ondelete="set null")

    _sql_constraints = [
        ("sale_order_unique", "unique(sale_order_id)", "An order has one encrypted receiver."),
    ]

    # ------------------------------------------------------------------
    # import: keep the ciphertexts
    # ------------------------------------------------------------------
    @api.model
    def _hub_store(self, sale, receiver):
        """Keep the ciphertexts of the canonical ``receiver`` of an imported
        order.  When the platform sends other ciphertexts (the buyer changed
        the address), the receiver is encrypted again: its open deliveries
        go back to the order's masked receiver until it is decrypted again."""
        vals = {
            "cipher_name": receiver.encrypted.get("name") or False,
            "cipher_phone": receiver.encrypted.get("phone") or False,
            "cipher_detail": receiver.encrypted.get("detail") or False,
            "province": receiver.province or False,
            "city": receiver.city or False,
            "district": receiver.district or False,
            "street": receiver.street or False,
            "zip": receiver.zip or False,
        }
        record = sale.sudo().hub_receiver_ids[:1]
        if not record:
            record = self.sudo().create({"sale_order_id": sale.id, **vals})
            if sale.state == "sale":  # an order whose deliveries already exist
                record._hub_request()
            return record
        if all(record[name] == value for name, value in vals.items()):
            return record
        old = record.partner_id
        reset = {"state": "encrypted", "error": False, "partner_id": False, "attempts": 0, "retry_at": False}
        record.write({**vals, **reset})
        if old:
            record._hub_open_deliveries().filtered(lambda p: p.partner_id == old).with_context(
                tracking_disable=True
            ).write({"partner_id": sale.partner_shipping_id.id})
            sale.message_post(
                body=_("The platform sent another receiver: it is decrypted again when a waybill needs it.")
            )
        record._hub_request()
        return record

    # ------------------------------------------------------------------
    # when a waybill needs it
    # ------------------------------------------------------------------
    def _hub_open_deliveries(self):
        self.ensure_one()
        # searched, not read from the order: deliveries created in this
        # transaction (at confirmation) are not in the order's cached picking_ids
        return (
            self.env["stock.picking"]
            .sudo()
            .search(
                [
                    ("sale_id", "=", self.sale_order_id.id),
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "not in", ("done", "cancel")),
                ]
            )
        )

    def _hub_waybill_pickings(self):
        """The open deliveries of the order that will ask their carrier for a waybill."""
        return self._hub_open_deliveries().filtered(lambda p: p._hub_requests_waybill())

    def _hub_job_open(self):
        return bool(self.job_id and self.job_id.sudo().state in OPEN_JOB_STATES)

    def _hub_request(self):
        """Decrypt, in a job, the encrypted receivers a waybill needs now."""
        for record in self.sudo().filtered(lambda r: r.state == "encrypted"):
            if not record._hub_job_open() and record._hub_waybill_pickings():
                record._enqueue()

    def _job_channel(self):
        channel = self.env.ref(
            f"order_hub_writeback.channel_writeback_{self.platform}", raise_if_not_found=False
        ) or self.env.ref("order_hub_writeback.channel_writeback")
        return channel.sudo().complete_name

    def _enqueue(self, eta=None):
        for record in self:
            job = record.with_delay(
                channel=record._job_channel(),
                eta=eta,
                # the try after the n-th quota refusal is queued by the job of the n-th
                identity_key=f"order_hub_receiver_{record.id}_{record.attempts}",
                description=_("Decrypt the receiver of %(order)s", order=record.sale_order_id.name),
            )._job_decrypt()
            record.job_id = self.env["queue.job"].sudo().search([("uuid", "=", job.uuid)], limit=1)

    # ------------------------------------------------------------------
    # the job
    # ------------------------------------------------------------------
    def _decrypt(self):
        """Ask the platform; returns the connectors' ``Receiver`` (plaintext)."""
        self.ensure_one()
        try:
            client = self.channel_id._get_client()
        except ValueError as error:  # the channel's settings
            raise UserError(str(error)) from None
        params = self.env["ir.config_parameter"].sudo()
        client.http.timeout = (
            float(params.get_param("order_hub_writeback.connect_timeout", 5)),
            float(params.get_param("order_hub_writeback.read_timeout", 20)),
        )
        ciphers = {"name": self.cipher_name, "phone": self.cipher_phone, "detail": self.cipher_detail}
        try:
            return platform_decrypt.decrypt_receiver(
                client, self.sale_order_id.channel_order_ref, {k: v for k, v in ciphers.items() if v}
            )
        finally:
            client.close()

    def _job_decrypt(self):
        """Job: decrypt the receiver when a delivery still needs a waybill.
        Runs in a savepoint, as the write-back job does (see ``_job_push``)."""
        self.ensure_one()
        with self.env.cr.savepoint():
            return self._job_decrypt_locked()

    def _job_decrypt_locked(self):
        record = self.sudo()
        if not record._lock():
            raise RetryableJobError(
                _("Another job is decrypting the receiver of %(order)s.", order=record.sale_order_id.name),
                seconds=30,
            )
        if record.state == "decrypted":
            return _("Nothing to do: already decrypted.")
        if not record._hub_waybill_pickings():
            # never decrypted without a waybill to make (cancelled, shipped, carrier changed)
            return _("Nothing to do: no delivery of the order needs a waybill now.")
        errors = connectors.errors
        try:
            receiver = record._decrypt()
        except errors.QuotaExceeded as error:
            return record._hub_quota(str(error))
        except (errors.RateLimited, errors.TransientError) as error:
            raise record.channel_id._retryable(error) from None
        except errors.AuthError as error:
            if error.expired:
                raise record.channel_id._retryable(error) from None
            return record._hub_failed(str(error))
        except (errors.ConnectorError, UserError) as error:
            return record._hub_failed(str(error))
        return record._hub_decrypted(receiver)

    def _lock(self):
        """Lock this receiver against a second job decrypting it at the same moment."""
        self.flush_recordset(["state"])
        self.env.cr.execute(
            SQL("SELECT id FROM order_hub_receiver WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", self.id)
        )
        locked = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["state"])
        return locked

    def _prepare_partner_vals(self, receiver):
        """Values of the delivery contact holding the decrypted ``receiver``."""
        sale = self.sale_order_id
        vals = self.env["res.partner"]._hub_cn_address_vals(
            self.province, self.city, self.district, self.street, receiver.detail
        )
        vals.update(
            {
                "name": receiver.name,
                "phone": receiver.phone,
                "zip": self.zip or False,
                "parent_id": sale.partner_id.id,
                "type": "delivery",
                "company_id": sale.company_id.id,
            }
        )
        return vals

    def _hub_decrypted(self, receiver):
        sale = self.sale_order_id
        vals = self._prepare_partner_vals(receiver)
        partner = sale.partner_id.child_ids.filtered(
            lambda c: c.type == "delivery"
            and (c.name, c.phone, c.street, c.street2, c.state_id.id)
            == (vals["name"], vals["phone"], vals["street"], vals["street2"], vals["state_id"])
        )[:1]
        if not partner:
            partner = self.env["res.partner"].with_context(tracking_disable=True).create(vals)
        masked = sale.partner_shipping_id | sale.partner_id
        deliveries = self._hub_open_deliveries().filtered(lambda p: p.partner_id in masked)
        deliveries.with_context(tracking_disable=True).write({"partner_id": partner.id})
        self.write(
            {
                "state": "decrypted",
                "error": False,
                "partner_id": partner.id,
                "decrypted_at": fields.Datetime.now(),
                "attempts": 0,
                "retry_at": False,
            }
        )
        note = _(
            "Receiver decrypted for the waybill of %(deliveries)s; the order keeps the masked receiver.",
            deliveries=", ".join(deliveries.mapped("name")) or "-",
        )
        sale.message_post(body=note)
        return note

    def _hub_quota(self, reason):
        """The shop's decrypt quota is used up: try again later, by itself."""
        attempts = self.attempts + 1
        retry_at = False
        if attempts <= len(QUOTA_BACKOFF_MINUTES):
            retry_at = fields.Datetime.now() + timedelta(minutes=QUOTA_BACKOFF_MINUTES[attempts - 1])
            note = _(
                "%(reason)s Order Hub tries again at %(when)s.",
                reason=reason,
                when=format_datetime(self.env, retry_at),
            )
        else:
            note = _(
                "%(reason)s Order Hub stopped trying by itself; press Retry Decryption once the "
                "platform gives new quota.",
                reason=reason,
            )
        self.write({"state": "quota", "error": note, "attempts": attempts, "retry_at": retry_at})
        self.sale_order_id.message_post(body=_("Decrypting the receiver failed: %(reason)s", reason=note))
        if retry_at:
            self._enqueue(eta=retry_at)
        return note

    def _hub_failed(self, reason):
        self.write({"state": "failed", "error": reason, "retry_at": False})
        self.sale_order_id.message_post(body=_("Decrypting the receiver failed: %(reason)s", reason=reason))
        return reason

    # ------------------------------------------------------------------
    # the guard and the button
    # ------------------------------------------------------------------
    def _hub_waybill_refusal(self, picking):
        """Why ``picking`` cannot get its waybill with this receiver (not decrypted)."""
        label = dict(self._fields["state"]._description_selection(self.env))[self.state]
        if self.state == "encrypted":
            return _(
                "The receiver of %(order)s is encrypted by the platform and not decrypted yet, so no "
                "waybill is requested for %(picking)s with the masked address. Order Hub decrypts it "
                "in a job; validate again in a moment, or press Retry Decryption on the order.",
                order=self.sale_order_id.name,
                picking=picking.name,
            )
        return _(
            "%(state)s for %(order)s: %(reason)s No waybill is requested for %(picking)s with the masked "
            "address; press Retry Decryption on the order once the cause is fixed.",
            state=label,
            order=self.sale_order_id.name,
            reason=self.error or "",
            picking=picking.name,
        )

    def action_retry(self):
        """Customer service and warehouse: decrypt again now (after a quota
        refusal or a failure, or when the job has not run)."""
        if not self.env.su and not any(self.env.user.has_group(g) for g in RETRY_GROUPS):
            raise AccessError(_("Only Order Hub users can retry a decryption."))
        todo = self.sudo().filtered(lambda r: r.state != "decrypted")
        if not todo:
            raise UserError(_("The receiver is already decrypted."))
        for record in todo:
            if not record._hub_waybill_pickings():
                raise UserError(
                    _(
                        "No delivery of %(order)s needs a waybill now, so its receiver is not decrypted "
                        "(give the delivery a carrier that creates waybills first).",
                        order=record.sale_order_id.name,
                    )
                )
            if record._hub_job_open():
                record.job_id.button_cancelled()
            record.write({"state": "encrypted", "error": False, "retry_at": False})
            record._enqueue()
        return True
