from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

from ..rpc_source import current_rpc_address

AUDIT_SOURCES = [
    ("web", "Web"),
    ("rpc", "RPC"),
    ("cron", "Scheduled Action"),
    ("webhook", "Webhook"),
    ("system", "System"),
]
RPC_PATH_PREFIXES = ("/xmlrpc", "/jsonrpc", "/json/2")


class OrderHubAuditLog(models.Model):
    """Append-only trail of who changed what on an order, when and from where.

    Lines are only created through :meth:`_record` (in superuser mode); ``write``
    and ``unlink`` are refused for everyone, managers and administrators
    included, so neither the UI nor RPC can alter the trail.

    Other addons log their key fields with::

        self.env["order.hub.audit.log"]._record(order, "field", old, new)
    """

    _name = "order.hub.audit.log"
    _description = "Order Hub Audit Log"
    _order = "logged_at desc, id desc"
    _rec_name = "field_description"

    order_id = fields.Many2one("sale.order", string="Order", index=True, ondelete="set null", readonly=True)
    order_name = fields.Char(string="Order Reference", readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    field_name = fields.Char(string="Technical Field", readonly=True)
    field_description = fields.Char(string="Field", readonly=True)
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)
    note = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, ondelete="restrict")
    logged_at = fields.Datetime(string="Time", readonly=True, index=True)
    source = fields.Selection(AUDIT_SOURCES, readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_("Audit lines are written by Order Hub itself and cannot be created by hand."))
        return super().create(vals_list)

    # Refusing is the point (the trail is append-only): no parent method to call.
    def write(self, vals):  # pylint: disable=method-required-super
        raise AccessError(_("Audit lines cannot be changed: the audit trail is append-only."))

    def unlink(self):  # pylint: disable=method-required-super
        raise AccessError(_("Audit lines cannot be deleted: the audit trail is append-only."))

    @api.model
    def _detect_source(self):
        """Return ``(source, ip)`` of the current change.

        RPC calls always count as ``rpc`` (a client cannot pass itself off as
        a webhook through the context; see ``rpc_source``); HTTP requests are ``web``
        unless the controller set ``order_hub_source`` (e.g. ``webhook``) in the
        context; outside requests the context key, then a running scheduled
        action, then ``system``.
        """
        context_source = self.env.context.get("order_hub_source")
        http_request = request.httprequest if request else None
        if http_request is not None:
            ip_address = http_request.remote_addr
            if http_request.path.startswith(RPC_PATH_PREFIXES):
                return "rpc", ip_address
            return context_source or "web", ip_address
        rpc_address = current_rpc_address()
        if rpc_address is not None:
            return "rpc", rpc_address or None
        if context_source:
            return context_source, None
        if self.env.context.get("ir_cron_progress_id") or "lastcall" in self.env.context:
            return "cron", None
        return "system", None

    @api.model
    def _record(self, order, field_name, old_value, new_value, source=None, note=None):
        """Append one audit line per order in ``order``.

        :param order: sale.order recordset
        :param field_name: technical name of the changed field (any string)
        :param old_value: previous value, already formatted for people
        :param new_value: new value, already formatted for people
        :param source: ``web``/``rpc``/``cron``/``webhook``/``system``; detected when None
        :return: the created audit lines
        """
        detected, ip_address = self._detect_source()
        field = order._fields.get(field_name)
        description = field._description_string(self.env) if field else field_name
        # to the microsecond (fields.Datetime.now() drops them): the trail
        # orders and times events less than a second apart (push latency
        # benchmark); forms and lists still show seconds
        now = datetime.now()
        vals_list = [
            {
                "order_id": rec.id,
                "order_name": rec.name,
                "company_id": rec.company_id.id,
                "field_name": field_name,
                "field_description": description,
                "old_value": self._format(old_value),
                "new_value": self._format(new_value),
                "note": note or False,
                "user_id": self.env.uid,
                "logged_at": now,
                "source": source or detected,
                "ip_address": ip_address,
            }
            for rec in order
        ]
        return self.sudo().create(vals_list)

    @api.model
    def _format(self, value):
        if value is None or value is False:
            return False
        if isinstance(value, models.BaseModel):
            return ", ".join(value.mapped("display_name")) or False
        return str(value)
