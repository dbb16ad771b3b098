"""Surge mode switches and the check that decides them.

Surge mode switches on when more orders than the company's threshold were
created within its window (default: 100 orders in 10 minutes), and off once
the rate stayed below the threshold for the quiet period (default 30
minutes).  Every switch is a log line; managers are notified.
"""

from datetime import timedelta

from odoo import _, api, fields, models


class OrderHubSurgeLog(models.Model):
    _name = "order.hub.surge.log"
    _description = "Surge Mode Switch"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    switched_on = fields.Boolean(string="Switched On", readonly=True)
    order_count = fields.Integer(string="Orders in Window", readonly=True)
    threshold = fields.Integer(readonly=True)
    note = fields.Char(readonly=True)

    @api.depends("switched_on", "date")
    def _compute_display_name(self):
        for log in self:
            log.display_name = _("Surge mode on") if log.switched_on else _("Surge mode off")

    @api.model
    def _hub_order_rate(self, company):
        """Orders created within the company's surge window, up to now."""
        now = fields.Datetime.now()
        since = now - timedelta(minutes=company.hub_surge_window or 10)
        return (
            self.env["sale.order"]
            .sudo()
            .search_count(
                [
                    ("company_id", "=", company.id),
                    ("hub_arrived_at", ">=", since),
                    ("hub_arrived_at", "<=", now),
                ]
            )
        )

    @api.model
    def _hub_check_surge(self, company):
        """Switch surge mode of ``company`` on or off from the current order rate."""
        company = company.sudo()
        now = fields.Datetime.now()
        rate = self._hub_order_rate(company)
        above = rate > company.hub_surge_threshold
        if above:
            if not company.hub_surge_active:
                self._hub_switch(company, True, rate)
            elif company.hub_surge_quiet_since:
                company.hub_surge_quiet_since = False
            return
        if not company.hub_surge_active:
            return
        if not company.hub_surge_quiet_since:
            company.hub_surge_quiet_since = now
        elif now - company.hub_surge_quiet_since >= timedelta(minutes=company.hub_surge_quiet_minutes):
            self._hub_switch(company, False, rate)

    @api.model
    def _hub_switch(self, company, switched_on, rate):
        company.write({"hub_surge_active": switched_on, "hub_surge_quiet_since": False})
        log = self.sudo().create(
            {
                "company_id": company.id,
                "switched_on": switched_on,
                "order_count": rate,
                "threshold": company.hub_surge_threshold,
            }
        )
        log._hub_notify_managers()
        return log

    def _hub_notify_managers(self):
        managers = (
            self.env.ref("order_hub.group_order_hub_manager")
            .sudo()
            .users.filtered(lambda user: self.company_id in user.company_ids)
        )
        if not managers:
            return
        if self.switched_on:
            body = _(
                "Surge mode is on for %(company)s: %(count)s orders arrived in %(minutes)s minutes. "
                "Healthy orders are now confirmed automatically.",
                company=self.company_id.name,
                count=self.order_count,
                minutes=self.company_id.hub_surge_window,
            )
        else:
            body = _(
                "Surge mode is off for %(company)s: the order rate stayed below %(threshold)s "
                "for %(minutes)s minutes.",
                company=self.company_id.name,
                threshold=self.threshold,
                minutes=self.company_id.hub_surge_quiet_minutes,
            )
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=managers.partner_id.ids, subject=self.display_name, body=body, model=False
        )

    @api.model
    def _cron_check_surge(self):
        for company in self.env["res.company"].sudo().search([]):
            self._hub_check_surge(company)
