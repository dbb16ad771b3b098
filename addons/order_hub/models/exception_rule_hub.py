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
    hub_only = fields.Boolean(
        string="Order Hub Orders Only",
        help="The rule only checks orders in Order Hub's scope (channel orders and the sales "
        "teams in scope). Untick it to apply the rule to every sales order of the company, "
        "e.g. the credit limit.",
    )

    def _to_cache_entry(self):
        # base_exception evaluates rules from this cached copy, not the records
        return {**super()._to_cache_entry(), "hub_only": self.hub_only}
