from odoo import api, fields, models

INTEGRATION = "order_hub.group_order_hub_integration"


class ResUsers(models.Model):
    _inherit = "res.users"

    order_hub_channel_ids = fields.Many2many(
        "order.hub.channel",
        "order_hub_channel_res_users_rel",
        "user_id",
        "channel_id",
        string="Import Channels",
        groups="order_hub.group_order_hub_manager",
        help="Channels this Integration user's API keys may import into (import_orders) and read; "
        "leave empty for every channel of the user's companies.",
    )
    order_hub_import_channel_ids = fields.Many2many(
        "order.hub.channel",
        compute="_compute_order_hub_import_channel_ids",
        compute_sudo=True,
        string="Channels the user may import into",
        help="Used by the record rules of the Integration group.",
    )

    @api.depends("order_hub_channel_ids", "company_ids")
    def _compute_order_hub_import_channel_ids(self):
        channels = self.env["order.hub.channel"].with_context(active_test=False)
        for user in self:
            user.order_hub_import_channel_ids = user.order_hub_channel_ids or channels.search(
                [("company_id", "in", user.company_ids.ids)]
            )

    def write(self, vals):
        res = super().write(vals)
        if "order_hub_channel_ids" in vals:
            # the record rules of the Integration group read these channels (cached domains)
            self.env.registry.clear_cache()
        return res

    def _order_hub_may_import(self, channel):
        """True when this user may import into ``channel``: managers always,
        Integration users into the channels they are limited to (all when none)."""
        self.ensure_one()
        if self.has_group("order_hub.group_order_hub_manager"):
            return True
        return channel in self.sudo().order_hub_import_channel_ids
