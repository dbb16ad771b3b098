from odoo import api, fields, models

from .order_hub_portal_attempt import MAX_PER_IP, MAX_PER_SERIAL, WINDOW_MINUTES
from .sale_order import self_service_window

# settings field -> (system parameter, default)
PARAMS = {
    "portal_max_per_ip": ("order_hub_portal.max_per_ip", MAX_PER_IP),
    "portal_max_per_serial": ("order_hub_portal.max_per_serial", MAX_PER_SERIAL),
    "portal_window_minutes": ("order_hub_portal.window_minutes", WINDOW_MINUTES),
}


class OrderHubSettings(models.TransientModel):
    """The tracking page's look-up limits and its self-service rate on the
    managers' settings screen."""

    _inherit = "order.hub.settings"

    portal_max_per_ip = fields.Integer(
        string="Failed Look-ups per IP Address",
        help="Failed look-ups (wrong serial or phone) allowed from one IP address within the window; "
        "0 switches the limit off.",
    )
    portal_max_per_serial = fields.Integer(
        string="Failed Look-ups per Serial",
        help="Failed look-ups naming one serial allowed within the window; 0 switches the limit off.",
    )
    portal_window_minutes = fields.Integer(string="Look-up Window (minutes)")
    portal_answered_count = fields.Integer(
        string="Answered by the Tracking Page", compute="_compute_portal_self_service"
    )
    portal_ticket_count = fields.Integer(
        string="Customer Request Tickets", compute="_compute_portal_self_service"
    )
    portal_self_service_rate = fields.Float(
        string="Self-service Rate (30 days)",
        compute="_compute_portal_self_service",
        help="Answered by the tracking page ÷ (answered by the tracking page + customer request tickets), "
        "over the last 30 days, for this company. Answered: an order shown after a right serial and phone "
        "on the public page, counted once per order and day. Tickets: exception "
        "tickets opened in the period whose type is marked Customer Request (address problem, logistics "
        "stalled, gift not arrived and the tracking page's own requests).",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        params = self.env["ir.config_parameter"].sudo()
        for name, (key, default) in PARAMS.items():
            if name in fields_list:
                values[name] = int(params.get_param(key, default))
        return values

    @api.depends("company_id")
    def _compute_portal_self_service(self):
        since = self_service_window()
        for settings in self:
            company = settings.company_id or self.env.company
            answered = self.env["order.hub.portal.attempt"]._answered_count(since, company)
            tickets = self.env["sale.order"]._hub_portal_recent_ticket_count(since, company)
            total = answered + tickets
            settings.portal_answered_count = answered
            settings.portal_ticket_count = tickets
            settings.portal_self_service_rate = answered / total if total else 0.0

    def action_save(self):
        result = super().action_save()  # checks the manager group and the company first
        params = self.env["ir.config_parameter"].sudo()
        for name, (key, _default) in PARAMS.items():
            params.set_param(key, str(max(self[name], 0)))
        return result
