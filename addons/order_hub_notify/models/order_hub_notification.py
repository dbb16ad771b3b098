"""The send log: one row per (order, event), the database refuses a second one."""

import re

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_hub_notify.sms_gateway.aliyun import AliyunSmsClient, AliyunSmsError
from odoo.addons.queue_job.exception import RetryableJobError

from .order_hub_notify_template import NOTIFY_EVENTS
from .res_company import MANAGER_GROUP

STATES = [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed"), ("skipped", "Not Sent")]
CHANNELS = [("sms", "SMS"), ("email", "E-mail")]
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mask_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if phone else ""


def mask_email(email):
    name, _at, domain = (email or "").partition("@")
    return f"{name[:1]}***@{domain}" if domain else ""


class OrderHubNotification(models.Model):
    """A message to the customer about one event of one order.

    Created by :meth:`_hub_notify` when the event happens (stage changes,
    tracking scans, address changes) and the company's switch for the event
    is on; sent by a queue_job job (``_job_send``, arguments: this record
    only). Transient faults retry with back-off; a refusal marks the row
    failed with the provider's reason, and managers can *Retry* it.
    """

    _name = "order.hub.notification"
    _description = "Customer Notification"
    _order = "id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one("sale.order", string="Order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    event = fields.Selection(NOTIFY_EVENTS, required=True, index=True)
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    recipient = fields.Char(readonly=True, help="Masked mobile number or e-mail address.")
    provider_ref = fields.Char(
        string="Provider Reference", readonly=True, help="Aliyun BizId or the e-mail's id."
    )
    error = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    job_id = fields.Many2one("queue.job", string="Job", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "order_event_unique",
            "UNIQUE(order_id, event)",
            "A customer is told about an event of an order once.",
        ),
    ]

    # ------------------------------------------------------------------
    # creation (the events)
    # ------------------------------------------------------------------
    @api.model
    def _hub_notify(self, orders, event):
        """Log and enqueue the message of ``event`` for each order whose
        company has the event switched on, unless it was already logged."""
        log = self.sudo()
        templates = self.env["order.hub.notify.template"]
        orders = orders.filtered(lambda o: o.hub_in_scope and o.state == "sale")
        if not orders:
            return log
        done = set(log.search([("order_id", "in", orders.ids), ("event", "=", event)]).mapped("order_id").ids)
        created = log.browse()
        for order in orders:
            if order.id in done or not templates._for(order.company_id, event).enabled:
                continue
            # the unique (order, event) constraint is the guard when two workers race
            try:
                with self.env.cr.savepoint(flush=True):
                    created |= log.create({"order_id": order.id, "event": event})
            except psycopg2.errors.UniqueViolation:
                continue
        created._enqueue()
        return created

    def _enqueue(self):
        channel = self.env.ref("order_hub_notify.channel_order_hub_notify").sudo().complete_name
        for row in self:
            job = row.with_delay(
                channel=channel,
                identity_key=f"order_hub_notification_{row.id}_{row.job_id.id or 0}",
                description=_(
                    "Tell the customer of %(order)s: %(event)s", order=row.order_id.name, event=row.event
                ),
            )._job_send()
            row.job_id = self.env["queue.job"].sudo().search([("uuid", "=", job.uuid)], limit=1)

    # ------------------------------------------------------------------
    # the job
    # ------------------------------------------------------------------
    def _template_params(self):
        order = self.order_id
        params = {"serial": order.hub_serial or order.name}
        if self.event == "shipped":
            picking = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.carrier_tracking_ref
            )[:1]
            params["carrier"] = (picking.carrier_id.name or "")[:20]
            params["tracking"] = picking.hub_public_tracking_ref or picking.carrier_tracking_ref or ""
        return params

    def _sms_target(self, template):
        """(client, phone, template code) when this message can go by SMS."""
        company = self.company_id.sudo()
        phone = self.order_id.hub_phone_normalised or ""
        chinese = (self.order_id.partner_id.lang or "zh_CN").startswith("zh")
        code = (template.sms_template_zh if chinese else template.sms_template_en) or template.sms_template_zh
        if not (
            MOBILE.match(phone)
            and code
            and company.hub_sms_access_key_id
            and company.hub_sms_access_key_secret
        ):
            return None
        client = AliyunSmsClient(
            company.hub_sms_access_key_id,
            company.hub_sms_access_key_secret,
            company.hub_sms_sign_name,
            endpoint=company.hub_sms_endpoint,
        )
        return client, phone, code

    def _job_send(self):
        """Job: send by SMS when the customer has a mainland mobile number and the
        company set up Aliyun SMS, else by e-mail; transient faults retry."""
        self.ensure_one()
        row = self.sudo()
        if row.state != "pending":
            return _("Nothing to do: %(state)s.", state=row.state)
        template = self.env["order.hub.notify.template"]._for(row.company_id, row.event)
        try:
            target = row._sms_target(template)
        except AliyunSmsError as error:
            return row._hub_failed(str(error))
        if target:
            client, phone, code = target
            try:
                result = client.send_sms(phone, code, row._template_params(), out_id=row.id)
            except AliyunSmsError as error:
                if error.retryable:
                    raise RetryableJobError(str(error), seconds=60) from None
                return row._hub_failed(str(error))
            return row._hub_sent("sms", mask_phone(phone), result["biz_id"])
        email = row.order_id.partner_id.email
        if template.mail_template_id and email:
            mail_id = template.mail_template_id.send_mail(row.order_id.id, force_send=False)
            return row._hub_sent("email", mask_email(email), str(mail_id))
        row.write(
            {"state": "skipped", "error": _("The customer has no mainland mobile number nor e-mail address.")}
        )
        return row.error

    def _hub_sent(self, channel, recipient, reference):
        self.write(
            {
                "state": "sent",
                "channel": channel,
                "recipient": recipient,
                "provider_ref": reference,
                "sent_at": fields.Datetime.now(),
                "error": False,
            }
        )
        return _("Sent by %(channel)s.", channel=channel)

    def _hub_failed(self, reason):
        self.write({"state": "failed", "error": reason})
        return reason

    def action_retry(self):
        """Retry button (managers): send a failed message again after the fix."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Order Hub managers can send customer notifications again."))
        rows = self.sudo().filtered(lambda r: r.state in ("failed", "skipped"))
        if not rows:
            raise UserError(_("Only failed or unsent notifications can be sent again."))
        rows.write({"state": "pending", "error": False})
        rows._enqueue()
        return True
