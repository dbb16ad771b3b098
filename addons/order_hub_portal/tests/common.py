import re

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.order_hub.tests.common import out_of_surge

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
# the CSRF token differs per page (a timestamp and the session); everything else must not
CSRF_ANY = re.compile(r"[0-9a-f]{40}o[0-9]+")
RIGHT_PHONE = "13812345678"


def make_hub_order(env, product, buyer, phone, serial, partner=None):
    """A confirmed phone order with its serial, for ``partner`` or a new buyer."""
    partner = partner or env["res.partner"].create(
        {"name": buyer, "phone": phone, "city": "杭州市", "street": "文三路 100 号"}
    )
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "ignore_exception": True,  # the confirmation gates are tested elsewhere
            "hub_source": "phone",
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
        }
    )
    order.action_confirm()
    order.hub_serial = serial
    return order


class PortalCommon(HttpCase):
    """Two hub orders of two customers, as the tracking page sees them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out_of_surge(cls.env)
        cls.product = cls.env["product.product"].create({"name": "Wiper blade TRACK", "type": "consu"})
        cls.order = cls._hub_order("Portal Buyer One", RIGHT_PHONE, "D209901-0001")
        cls.other = cls._hub_order("Portal Buyer Two", "13900009999", "D209901-0002")

    @classmethod
    def _hub_order(cls, buyer, phone, serial, partner=None):
        return make_hub_order(cls.env, cls.product, buyer, phone, serial, partner)

    def _csrf(self, path="/order/track"):
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        return CSRF_INPUT.search(response.text).group(1)

    def _lookup(self, serial, phone, lang="en_US"):
        data = {"csrf_token": self._csrf(), "serial": serial, "phone": phone, "lang": lang}
        return self.url_open("/order/track", data=data)

    def _request(self, order, kind, message="", **extra):
        data = {"csrf_token": self._csrf(), "order_id": order.id, "kind": kind, "message": message, **extra}
        return self.url_open("/order/track/request", data=data)
