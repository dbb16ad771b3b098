from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    hub_health_threshold = fields.Integer(
        string="Health Score Threshold",
        default=60,
        help="Orders scoring below this value go to the manual review queue.",
    )
    hub_auto_confirm = fields.Boolean(
        string="Confirm Healthy Orders Automatically",
        help="Confirm orders typed in (phone, WeCom) that pass every rule as soon as they are "
        "saved, even outside surge mode. Channel orders are confirmed when their platform "
        "says they are paid.",
    )
    hub_surge_threshold = fields.Integer(
        string="Surge Threshold (orders)",
        default=100,
        help="Surge mode switches on when more orders than this arrive within the surge window.",
    )
    hub_surge_window = fields.Integer(string="Surge Window (minutes)", default=10)
    hub_surge_quiet_minutes = fields.Integer(
        string="Surge Quiet Period (minutes)",
        default=30,
        help="Surge mode switches off after the rate stayed below the threshold this long.",
    )
    hub_surge_active = fields.Boolean(string="Surge Mode", readonly=True, copy=False)
    hub_surge_quiet_since = fields.Datetime(
        string="Below Threshold Since",
        readonly=True,
        copy=False,
        help="When the arrival rate last fell below the threshold while in surge mode.",
    )
