from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.order_hub_channels.models.order_hub_channel import PLATFORM_SELECTION

# platforms that take the carrier from the order's logistics channel, not from us:
# a Shopee seller's own carrier is a "non-integrated" channel, which takes only
# the tracking number
PLATFORMS_WITHOUT_CODE = ("shopee",)


class OrderHubCarrierCode(models.Model):
    """The company code a platform knows our carrier by.  A line names the
    carrier by its Kuaidi100 company code (``hub_kd100_company`` of the
    carrier: shunfeng, zhongtong, ...), so that the codes shipped as data
    apply to every SF or ZTO carrier of the database; a line for one carrier
    record wins over that."""

    _name = "order.hub.carrier.code"
    _description = "Platform Carrier Code"
    _order = "platform, carrier_key, carrier_id"

    platform = fields.Selection(PLATFORM_SELECTION, required=True, index=True)
    carrier_key = fields.Char(
        "Kuaidi100 Company Code",
        help="The carrier's Kuaidi100 company code (e.g. shunfeng, zhongtong), as on the carrier.",
    )
    carrier_id = fields.Many2one(
        "delivery.carrier",
        "Carrier",
        ondelete="cascade",
        help="Only for this carrier; empty: every carrier with the Kuaidi100 company code.",
    )
    code = fields.Char("Platform Code", required=True, help="The company code the platform expects.")
    name = fields.Char("Platform's Name of the Carrier")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "platform_carrier_unique",
            "unique(platform, carrier_key, carrier_id)",
            "A carrier has one code per platform.",
        ),
    ]

    @api.constrains("carrier_key", "carrier_id")
    def _check_carrier(self):
        for line in self:
            if not line.carrier_key and not line.carrier_id:
                raise ValidationError(_("Give the Kuaidi100 company code or the carrier of the line."))

    @api.model
    def _hub_code_for(self, carrier, platform):
        """The platform's code of ``carrier``; UserError saying what to add when none."""
        if platform in PLATFORMS_WITHOUT_CODE:
            return ""
        lines = self.sudo().search([("platform", "=", platform), ("carrier_id", "=", carrier.id)], limit=1)
        if not lines and carrier.hub_kd100_company:
            lines = self.sudo().search(
                [
                    ("platform", "=", platform),
                    ("carrier_key", "=", carrier.hub_kd100_company),
                    ("carrier_id", "=", False),
                ],
                limit=1,
            )
        if not lines:
            label = dict(self._fields["platform"]._description_selection(self.env))[platform]
            raise UserError(
                _(
                    "%(platform)s has no company code for the carrier %(carrier)s: add it under "
                    "Configuration > Platform Carrier Codes, then retry.",
                    platform=label,
                    carrier=carrier.display_name or _("(none)"),
                )
            )
        return lines.code
