from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    order_hub_covered_state_ids = fields.Many2many(
        related="company_id.order_hub_covered_state_ids", readonly=False
    )
    order_hub_scope_team_ids = fields.Many2many(related="company_id.order_hub_scope_team_ids", readonly=False)
    order_hub_wecom_webhook_url = fields.Char(
        related="company_id.order_hub_wecom_webhook_url",
        readonly=False,
        groups="order_hub.group_order_hub_manager",
    )
    order_hub_pay_confirm_minutes = fields.Integer(
        related="company_id.order_hub_pay_confirm_minutes", readonly=False
    )
