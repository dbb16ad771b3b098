from odoo import _, api, fields, models

from . import cn_address

# editing one of these by hand is checking the address: its issue is cleared
CHECKED_BY_EDITING = ("state_id", "city", "street", "street2", "zip", "country_id")


class ResPartner(models.Model):
    """Chinese addresses received as text become records: the province a
    ``res.country.state``, the city a ``res.city`` when city data is installed
    (bridge ``order_hub_cn_city``).  What cannot be matched keeps its text and
    an issue that puts the orders shipped there on the "address to check" list."""

    _inherit = "res.partner"

    hub_address_issue = fields.Char(
        string="Address to Check",
        copy=False,
        help="Why Order Hub could not match this address to a province or city; "
        "cleared when the address is edited.",
    )

    @api.model
    def _hub_cn_address_vals(self, province, city, district, street, detail):
        """Partner values of a Chinese address given as text: ``country_id``,
        ``state_id``, ``city``, ``street2`` (the district, what carriers call
        the county), ``street`` (street or town, house number and the rest)
        and ``hub_address_issue``.  A province that names no province is
        kept as text in ``street2``, never guessed."""
        code = cn_address.province_code(province)
        state = self.env.ref(f"base.state_cn_{code}", raise_if_not_found=False) if code else None
        vals = {
            "country_id": self.env.ref("base.cn").id,
            "state_id": state.id if state else False,
            "city": city or False,
            "street": " ".join(part for part in (street, detail) if part) or False,
            "street2": district or False,
            "hub_address_issue": False,
        }
        if state:
            vals.update(self._hub_cn_city_vals(state, code, city, district))
        else:
            vals["street2"] = " ".join(part for part in (province, district) if part) or False
            vals["hub_address_issue"] = (
                _("Province %(province)s not recognised.", province=province)
                if province
                else _("The address has no province.")
            )
        return vals

    @api.model
    def _hub_cn_city_vals(self, state, code, city, district):
        """Extension hook: values matching the city and district in ``state``
        (the bridge ``order_hub_cn_city`` sets ``city_id``)."""
        return {}

    def write(self, vals):
        if "hub_address_issue" not in vals and set(vals) & set(CHECKED_BY_EDITING):
            if any(self.mapped("hub_address_issue")):
                vals = dict(vals, hub_address_issue=False)
        return super().write(vals)
