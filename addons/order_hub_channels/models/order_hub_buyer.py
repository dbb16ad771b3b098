from odoo import fields, models


class OrderHubBuyer(models.Model):
    """The buyers the channel imports created: one row per company and buyer key.

    The key is the buyer's normalised phone (or platform and buyer id when the
    platform masks the phone).  Its unique constraint is what stops two
    imports running at the same moment from both creating a customer for the
    same new buyer: the second one is refused and retried, and then finds the
    first one's customer.
    """

    _name = "order.hub.buyer"
    _description = "Channel Buyer"
    _rec_name = "key"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True, readonly=True)
    key = fields.Char(
        string="Buyer Key",
        required=True,
        readonly=True,
        help="Normalised phone, or platform and buyer id when the platform masks the phone.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True, readonly=True
    )

    _sql_constraints = [
        ("key_unique", "UNIQUE(company_id, key)", "This buyer was already created in this company."),
    ]
