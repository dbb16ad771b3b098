from odoo import fields, models


class OrderHubRegion(models.Model):
    """A named set of provinces (e.g. 长三角) routing rules can target at once."""

    _name = "order.hub.region"
    _description = "Order Hub Region"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    state_ids = fields.Many2many("res.country.state", string="Provinces", required=True)
    active = fields.Boolean(default=True)
