from odoo import _, fields, models


class OrderHubDashboard(models.AbstractModel):
    """The self-service rate of the manager dashboard, measured by the
    tracking page (the same definition as on the settings screen)."""

    _inherit = "order.hub.dashboard"

    def _kpi_self_service(self, ctx):
        companies = self.env["res.company"].browse(ctx["companies"])
        since = ctx["from"]
        answered = self.env["order.hub.portal.attempt"]._answered_count(since, companies)
        tickets = self.env["sale.order"]._hub_portal_recent_ticket_count(since, companies)
        since_s = fields.Datetime.to_string(since)
        return self._ratio(
            "self_service",
            _("Self-service rate"),
            answered,
            answered + tickets,
            [
                ("company_id", "in", list(ctx["companies"])),
                "|",
                ("hub_portal_attempt_ids", "any", [("success", "=", True), ("attempted_at", ">=", since_s)]),
                (
                    "hub_ticket_ids",
                    "any",
                    [("create_date", ">=", since_s), ("type_id.hub_customer_request", "=", True)],
                ),
            ],
            _(
                "Customer requests answered by the tracking page (an order shown after a right serial and "
                "phone, once per order and day), out of those plus the customer request tickets opened in "
                "the period."
            ),
        )
