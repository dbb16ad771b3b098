from odoo import api, fields, models

NOTIFY_EVENTS = [
    ("confirmed", "Order confirmed"),
    ("shipped", "Shipped (with tracking number)"),
    ("out_for_delivery", "Out for delivery"),
    ("delivered", "Delivered"),
    ("address_changed", "Address change done"),
]


class OrderHubNotifyTemplate(models.Model):
    """What a company tells its customers on one event: the switch, the Aliyun
    SMS template codes in Chinese and English (the texts are registered at
    Aliyun; the hub sends the template code and its parameters) and the Odoo
    mail template used when the customer has no mobile number."""

    _name = "order.hub.notify.template"
    _description = "Customer Notification Template"
    _order = "company_id, sequence, id"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    event = fields.Selection(NOTIFY_EVENTS, required=True)
    sequence = fields.Integer(default=10)
    enabled = fields.Boolean(string="Send", help="Tell customers about this event.")
    sms_template_zh = fields.Char(
        string="SMS Template (Chinese)", help="Aliyun template code, e.g. SMS_123456789."
    )
    sms_template_en = fields.Char(
        string="SMS Template (English)",
        help="Aliyun template code for customers whose language is not Chinese.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "sale.order")],
        help="Sent when the customer has no mainland mobile number (or SMS is not set up); "
        "written in the customer's language.",
    )

    _sql_constraints = [
        ("company_event_unique", "UNIQUE(company_id, event)", "One template per event and company."),
    ]

    @api.model
    def _for(self, company, event):
        return self.sudo().search([("company_id", "=", company.id), ("event", "=", event)], limit=1)
