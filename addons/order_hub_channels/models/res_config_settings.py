from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    order_hub_max_lines = fields.Integer(related="company_id.order_hub_max_lines", readonly=False)
    order_hub_max_quantity = fields.Float(related="company_id.order_hub_max_quantity", readonly=False)
    order_hub_max_price = fields.Float(related="company_id.order_hub_max_price", readonly=False)
    order_hub_max_payload_kb = fields.Integer(related="company_id.order_hub_max_payload_kb", readonly=False)
    order_hub_max_call_mb = fields.Integer(related="company_id.order_hub_max_call_mb", readonly=False)
    order_hub_max_remark = fields.Integer(related="company_id.order_hub_max_remark", readonly=False)
