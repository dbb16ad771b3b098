from odoo import _, api, models

from odoo.addons.order_hub.models import cn_address


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _hub_cn_city_vals(self, state, code, city, district):
        """``city_id`` of the city and district in ``state`` (l10n_cn_city names
        them 杭州市西湖区, or 朝阳区 in the municipalities).  A city found only
        in another province is an issue to check; a city not found keeps its
        text (the data predates some district reforms)."""
        vals = super()._hub_cn_city_vals(state, code, city, district)
        names = cn_address.city_names(code, city, district)
        if not names:
            return vals
        found = self.env["res.city"].search([("name", "in", names), ("country_id", "=", state.country_id.id)])
        rank = {name: index for index, name in enumerate(names)}
        found = found.sorted(lambda c: (c.state_id != state, rank[c.name]))
        if found and found[0].state_id == state:
            vals["city_id"] = found[0].id
        elif found:
            vals["hub_address_issue"] = _(
                "%(city)s %(district)s is in %(other)s, not in %(state)s.",
                city=city,
                district=district or "",
                other=found[0].state_id.name,
                state=state.name,
            )
        return vals
