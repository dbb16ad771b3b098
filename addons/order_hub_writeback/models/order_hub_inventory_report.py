from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_hub_channels.connectors.inventory_sentinel import exceeds
from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER

REPORT_STATE = [("agreed", "Agreed"), ("paused", "Paused")]
WAREHOUSE = "order_hub.group_order_hub_warehouse"


class OrderHubInventoryReport(models.Model):
    """The last figure a cloud warehouse reported for one product, next to
    Odoo's.  More than the sentinel's threshold apart, the product is paused
    on every channel (0 published) and the warehouse manager alerted; it
    resumes when the figures agree again (an inventory adjustment, or
    *Accept Their Figure*).  Each pause and resume leaves an audit line."""

    _name = "order.hub.inventory.report"
    _description = "Reported Warehouse Stock"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, reported_at desc, id desc"
    _rec_name = "product_id"

    sentinel_id = fields.Many2one(
        "order.hub.inventory.sentinel", required=True, readonly=True, ondelete="cascade"
    )
    warehouse_id = fields.Many2one(related="sentinel_id.warehouse_id", store=True)
    company_id = fields.Many2one(related="sentinel_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, ondelete="cascade")
    their_qty = fields.Float("Their Figure", readonly=True)
    our_qty = fields.Float("Odoo's Figure", readonly=True)
    difference = fields.Float(readonly=True)
    state = fields.Selection(REPORT_STATE, default="agreed", required=True, readonly=True, tracking=True)
    event_id = fields.Char("Last Report", readonly=True)
    reported_at = fields.Datetime(readonly=True)
    resolved_at = fields.Datetime("Resumed At", readonly=True)

    _sql_constraints = [
        (
            "sentinel_product_unique",
            "UNIQUE(sentinel_id, product_id)",
            "One reported figure per warehouse and product.",
        ),
    ]

    def _hub_our_qty(self):
        self.ensure_one()
        return self.product_id.with_context(warehouse_id=self.warehouse_id.id).qty_available

    def _hub_check(self):
        """Compare the figures now; pause or resume; returns the state."""
        self.ensure_one()
        ours = self._hub_our_qty()
        too_far = exceeds(self.their_qty, ours, self.sentinel_id.threshold)
        self.write({"our_qty": ours, "difference": self.their_qty - ours})
        if too_far and self.state != "paused":
            self._hub_pause()
        elif not too_far and self.state == "paused":
            self._hub_resume()
        return self.state

    def _hub_describe(self):
        return _(
            "%(sku)s in %(warehouse)s: the warehouse reports %(theirs)s, Odoo has %(ours)s "
            "(difference %(diff)s, threshold %(threshold)s).",
            sku=self.product_id.default_code or self.product_id.display_name,
            warehouse=self.warehouse_id.name,
            theirs=_number(self.their_qty),
            ours=_number(self.our_qty),
            diff=_number(self.difference),
            threshold=_number(self.sentinel_id.threshold),
        )

    def _hub_pause(self):
        self.write({"state": "paused", "resolved_at": False})
        product = self.product_id.sudo()
        was_paused = product.hub_stock_paused
        product.hub_stock_paused = True
        note = self._hub_describe()
        self._hub_audit(was_paused, True, _("Paused by the inventory sentinel: %(why)s", why=note))
        user = self.sentinel_id.user_id
        if user:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=_("Stock paused: %(sku)s", sku=self.product_id.default_code or self.product_id.name),
                note=note,
            )
        self.message_post(body=note)
        self.with_delay(description=_("WeCom alert: stock paused"))._job_wecom_alert(
            _("Stock paused on every channel: %(why)s", why=note)
        )

    def _hub_resume(self):
        self.write({"state": "agreed", "resolved_at": fields.Datetime.now()})
        self.activity_ids.action_feedback(feedback=_("The figures agree again."))
        others = self.search(
            [("product_id", "=", self.product_id.id), ("state", "=", "paused"), ("id", "!=", self.id)]
        )
        note = self._hub_describe()
        if not others:
            self.product_id.sudo().hub_stock_paused = False
            self._hub_audit(True, False, _("Resumed: %(why)s", why=note))
        self.message_post(body=_("The figures agree again: %(why)s", why=note))

    def _hub_audit(self, old, new, note):
        Audit = self.env["order.hub.audit.log"].sudo()
        source, ip_address = Audit._detect_source()
        field = self.product_id._fields["hub_stock_paused"]
        Audit.create(
            {
                "order_name": self.product_id.display_name,
                "company_id": self.company_id.id,
                "field_name": "hub_stock_paused",
                "field_description": field._description_string(self.env),
                "old_value": _("Yes") if old else _("No"),
                "new_value": _("Yes") if new else _("No"),
                "note": note,
                "user_id": self.env.uid,
                "logged_at": fields.Datetime.now(),
                "source": source,
                "ip_address": ip_address,
            }
        )

    def _job_wecom_alert(self, text):
        """Job: the alert line to the company's WeCom robot (at most 20 a minute)."""
        self.ensure_one()
        return self.env["sale.order"]._hub_post_wecom(
            self.company_id, [text], header=_("Order Hub inventory sentinel")
        )

    def _hub_recheck(self, products):
        """Stock of ``products`` was adjusted: compare the paused rows again."""
        for row in self.sudo().search([("product_id", "in", products.ids), ("state", "=", "paused")]):
            row._hub_check()

    def action_accept_their_figure(self):
        """Apply the warehouse's figure as an inventory adjustment of the
        warehouse's stock location; the product resumes once the figures agree."""
        if not self.env.su and not (self.env.user.has_group(MANAGER) or self.env.user.has_group(WAREHOUSE)):
            raise AccessError(
                _("Only Order Hub managers and warehouse staff can accept a warehouse's figure.")
            )
        for row in self.sudo():
            location = row.warehouse_id.lot_stock_id
            if row.product_id.tracking != "none":
                raise UserError(
                    _(
                        "%(product)s is tracked by lot or serial number: adjust its stock by lot.",
                        product=row.product_id.display_name,
                    )
                )
            Quant = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
            quant = Quant.search(
                [("product_id", "=", row.product_id.id), ("location_id", "=", location.id)], limit=1
            )
            change = row.their_qty - row._hub_our_qty()
            if quant:
                quant.inventory_quantity = quant.quantity + change
            else:
                quant = Quant.create(
                    {
                        "product_id": row.product_id.id,
                        "location_id": location.id,
                        "inventory_quantity": change,
                    }
                )
            quant.action_apply_inventory()
            row._hub_check()
        return True


def _number(value):
    return f"{value:g}"
