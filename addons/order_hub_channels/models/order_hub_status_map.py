from odoo import api, fields, models

from .order_hub_channel import PLATFORM_SELECTION

STATUS_ACTIONS = [
    ("draft", "Create as Quotation"),
    ("confirm", "Confirm"),
    ("cancel", "Cancel"),
    ("ship", "Mark Shipped"),
    ("complete", "Mark Completed"),
]
# Used when no mapping names the platform status: canonical status -> action.
DEFAULT_ACTIONS = {
    "unpaid": "draft",
    "paid": "confirm",
    "partially_shipped": "confirm",
    "shipped": "ship",
    "completed": "complete",
    "cancelled": "cancel",
    "other": "draft",
}


class OrderHubStatusMap(models.Model):
    _name = "order.hub.status.map"
    _description = "Platform Status Mapping"
    _order = "platform, platform_status"

    platform = fields.Selection(PLATFORM_SELECTION, required=True)
    platform_status = fields.Char(required=True, help="The platform's own status code.")
    name = fields.Char(string="Meaning", translate=True)
    action = fields.Selection(STATUS_ACTIONS, required=True, default="confirm")

    _sql_constraints = [
        (
            "status_unique",
            "UNIQUE(platform, platform_status)",
            "This platform status is already mapped.",
        ),
    ]

    @api.model
    def _action_for(self, platform, platform_status, canonical_status, cache=None):
        """The action for a platform status; ``cache`` is a dict reused over a batch."""
        if cache is None:
            cache = {}
        if platform not in cache:
            cache[platform] = {
                rec.platform_status: rec.action for rec in self.sudo().search([("platform", "=", platform)])
            }
        return cache[platform].get(platform_status) or DEFAULT_ACTIONS.get(canonical_status, "draft")
