from odoo import fields, models
from odoo.tools import SQL


class ResCompany(models.Model):
    """Order Hub settings kept per company."""

    _inherit = "res.company"

    order_hub_covered_state_ids = fields.Many2many(
        "res.country.state",
        "order_hub_company_covered_state_rel",
        "company_id",
        "state_id",
        string="Covered Provinces",
        help="Provinces the company delivers to; an order to another province "
        "is blocked at confirmation. Empty: no restriction.",
    )
    order_hub_scope_team_ids = fields.Many2many(
        "crm.team",
        "order_hub_company_scope_team_rel",
        "company_id",
        "team_id",
        string="Sales Teams in Order Hub",
        help="Orders of these sales teams go through Order Hub's gates, SLA clocks and review "
        "queue like channel orders. Orders of other teams are handled as in standard Odoo.",
    )
    order_hub_wecom_webhook_url = fields.Char(
        string="WeCom Group Robot Webhook",
        groups="order_hub.group_order_hub_manager",
        help="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... of the group "
        "robot that receives SLA alerts. The key is a secret.",
    )
    order_hub_pay_confirm_minutes = fields.Integer(
        string="Pay-to-Confirm Target (working minutes)",
        default=15,
        help="An order confirmed later than this after payment is flagged.",
    )

    def _order_hub_demo_use_currency(self, currency_xmlid):
        """Demo data only (demo/res_company_demo.xml): the demo company is
        our users' company and counts in CNY. Odoo's own demo (the generic
        chart's furniture invoices) has already posted journal items, so
        account's guard against a currency change would refuse the ORM
        write; the demo database sets it directly on purpose. Never called
        on a production database (it has no demo data)."""
        currency = self.env.ref(currency_xmlid)
        self.env.cr.execute(
            SQL("UPDATE res_company SET currency_id = %s WHERE id IN %s", currency.id, tuple(self.ids))
        )
        self.env["res.company"].invalidate_model(["currency_id"])
        # activated after the change: activating a second currency creates the
        # companies' default pricelists, in their currency (product)
        currency.active = True
        # pricelists made before (a localisation installed earlier may have
        # activated a second currency already) follow the company's currency
        self.env["product.pricelist"].search(
            [("company_id", "in", (*self.ids, False)), ("currency_id", "!=", currency.id)]
        ).write({"currency_id": currency.id})
        return True
