from odoo import fields, models


class ExceptionRule(models.Model):
    _inherit = "exception.rule"

    method = fields.Selection(
        selection_add=[
            ("_hub_detect_special_invoice_incomplete", "Order Hub: special invoice data incomplete"),
            ("_hub_detect_gift_without_promise", "Order Hub: short gift without a promised date"),
        ],
        ondelete={
            "_hub_detect_special_invoice_incomplete": "cascade",
            "_hub_detect_gift_without_promise": "cascade",
        },
    )
