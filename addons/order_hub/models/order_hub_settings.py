from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "order_hub.group_order_hub_manager"

# settings field -> res.company field it edits; nothing else is ever written
COMPANY_FIELDS = {
    "covered_state_ids": "order_hub_covered_state_ids",
    "wecom_webhook_url": "order_hub_wecom_webhook_url",
    "pay_confirm_minutes": "order_hub_pay_confirm_minutes",
    "health_threshold": "hub_health_threshold",
    "auto_confirm": "hub_auto_confirm",
    "surge_threshold": "hub_surge_threshold",
    "surge_window": "hub_surge_window",
    "surge_quiet_minutes": "hub_surge_quiet_minutes",
    "refund_approval_amount": "order_hub_refund_approval_amount",
}


class OrderHubSettings(models.TransientModel):
    """The Order Hub settings screen of managers (Odoo's Settings need
    Administration rights: ``res.config.settings.execute`` is for
    ``base.group_system`` only).

    It edits the current company's Order Hub fields listed in
    ``COMPANY_FIELDS`` and links to the records managers configure anyway
    (stages, exception rules, health rules...). ``action_save`` checks the
    manager group and writes only those fields, with a deliberate ``sudo()``:
    managers cannot write ``res.company`` (its name, currency, users...).
    Other addons add their own links (channels, carriers) to the view.
    """

    _name = "order.hub.settings"
    _description = "Order Hub Settings"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    covered_state_ids = fields.Many2many(
        "res.country.state",
        "order_hub_settings_covered_state_rel",
        "settings_id",
        "state_id",
        string="Covered Provinces",
        help="Orders delivered outside these provinces are blocked at confirmation; "
        "leave empty to deliver everywhere.",
    )
    wecom_webhook_url = fields.Char(
        string="WeCom Group Robot Webhook",
        groups=MANAGER_GROUP,
        help="Webhook of the WeCom group robot that receives SLA alerts "
        "(at most 20 messages a minute). The key is a secret.",
    )
    pay_confirm_minutes = fields.Integer(
        string="Pay-to-Confirm Target (working minutes)",
        help="Working minutes from payment to confirmation before an order is flagged.",
    )
    health_threshold = fields.Integer(
        string="Health Score Threshold",
        help="Orders scoring below this value go to the manual review queue.",
    )
    auto_confirm = fields.Boolean(
        string="Confirm Healthy Orders Automatically",
        help="Confirm arriving orders that pass every rule even outside surge mode.",
    )
    surge_threshold = fields.Integer(
        string="Surge Threshold (orders)",
        help="Surge mode switches on when more orders than this arrive within the surge window.",
    )
    surge_window = fields.Integer(string="Surge Window (minutes)")
    surge_quiet_minutes = fields.Integer(
        string="Surge Quiet Period (minutes)",
        help="Surge mode switches off after the rate stayed below the threshold this long.",
    )
    surge_active = fields.Boolean(related="company_id.hub_surge_active", string="Surge Mode Now")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company.sudo()
        for name, company_field in COMPANY_FIELDS.items():
            if name not in fields_list:
                continue
            value = company[company_field]
            if isinstance(value, models.BaseModel):
                value = [fields.Command.set(value.ids)]
            values[name] = value
        return values

    @api.depends("company_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # the breadcrumb of the screen
        for settings in self:
            settings.display_name = _("Order Hub Settings")

    @api.model
    def action_open_settings(self):
        """Menu entry (server action): open a settings record filled from the
        current company, titled like the screen."""
        self._check_manager()
        settings = self.create({})
        action = self.env["ir.actions.act_window"]._for_xml_id("order_hub.order_hub_settings_action")
        action.update({"res_id": settings.id, "name": settings.display_name})
        return action

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Order Hub managers can change the Order Hub settings."))

    def _prepare_company_vals(self):
        self.ensure_one()
        vals = {}
        for name, company_field in COMPANY_FIELDS.items():
            value = self[name]
            if isinstance(value, models.BaseModel):
                value = [fields.Command.set(value.ids)]
            vals[company_field] = value
        return vals

    def action_save(self):
        """Save button: write the settings onto the current company."""
        self.ensure_one()
        self._check_manager()
        if self.company_id not in self.env.companies:
            raise AccessError(
                _("Switch to %(company)s to change its settings.", company=self.company_id.name)
            )
        self.company_id.sudo().write(self._prepare_company_vals())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Order Hub settings saved."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
