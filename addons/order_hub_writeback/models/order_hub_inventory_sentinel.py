import secrets

from odoo import _, api, fields, models

from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER


class OrderHubInventorySentinel(models.Model):
    """A third-party (cloud) warehouse that reports its stock to Order Hub.

    It posts signed stock reports to ``/order_hub/inventory/<id>`` (see
    ``connectors/inventory_sentinel.py``); a product whose reported figure
    and Odoo's differ by more than the threshold is paused on every channel
    (``order.hub.inventory.report``)."""

    _name = "order.hub.inventory.sentinel"
    _description = "Inventory Sentinel"
    _order = "warehouse_id"
    _rec_name = "warehouse_id"

    warehouse_id = fields.Many2one("stock.warehouse", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True)
    active = fields.Boolean(default=True)
    secret = fields.Char(
        "Shared Secret",
        groups=MANAGER,
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="The warehouse signs each report with it (HMAC-SHA256).",
    )
    threshold = fields.Float(
        "Threshold (units)",
        default=5.0,
        help="A difference larger than this between the warehouse's figure and Odoo's pauses the product.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Warehouse Manager",
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
        help="Gets an activity when a product is paused.",
    )
    url = fields.Char("Report URL", compute="_compute_url")
    report_ids = fields.One2many("order.hub.inventory.report", "sentinel_id", string="Reported Stock")

    _sql_constraints = [
        ("warehouse_unique", "UNIQUE(warehouse_id)", "This warehouse already has a sentinel."),
        ("threshold_positive", "CHECK(threshold >= 0)", "The threshold cannot be negative."),
    ]

    @api.depends_context("uid")
    def _compute_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for sentinel in self:
            sentinel.url = f"{base}/order_hub/inventory/{sentinel.id}" if sentinel.id else False

    def _hub_receive(self, report):
        """Apply a verified ``Report``: one row per product reported (an
        upsert), paused or resumed as the difference says.  Returns
        ``(paused skus, unknown skus)``."""
        self.ensure_one()
        Report = self.env["order.hub.inventory.report"]
        skus = [sku for sku, _qty in report.items]
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "in", skus), ("company_id", "in", [self.company_id.id, False])])
        )
        by_code = {p.default_code: p for p in products}
        unknown = [sku for sku in skus if sku not in by_code]
        paused = []
        for sku, qty in report.items:
            product = by_code.get(sku)
            if not product:
                continue
            row = Report.search([("sentinel_id", "=", self.id), ("product_id", "=", product.id)])
            vals = {
                "their_qty": float(qty),
                "event_id": report.event_id,
                "reported_at": fields.Datetime.now(),
            }
            if row:
                row.write(vals)
            else:
                row = Report.create({"sentinel_id": self.id, "product_id": product.id, **vals})
            if row._hub_check() == "paused":
                paused.append(sku)
        return paused, unknown

    def action_new_secret(self):
        """Managers: a new shared secret (give it to the warehouse)."""
        self.env["order.hub.channel"]._check_manager(_("Only Order Hub managers can change the secret."))
        for sentinel in self.sudo():
            sentinel.secret = secrets.token_urlsafe(24)
        return True
