from datetime import timedelta

from odoo import api, fields, models

# defaults of the system parameters that tune the tracking page's throttle
MAX_PER_IP = 20
MAX_PER_SERIAL = 5
WINDOW_MINUTES = 15


class OrderHubPortalAttempt(models.Model):
    """One look-up on the public tracking page (serial + last 4 phone digits).

    Failed look-ups are the throttle: once ``order_hub_portal.max_per_ip``
    failures came from one IP address, or ``order_hub_portal.max_per_serial``
    failures named one serial, within ``order_hub_portal.window_minutes``,
    further look-ups from that address or for that serial are refused until
    the oldest failure leaves the window. The rows live in the database, so
    the limit holds across HTTP workers (as ``order.hub.login.failure``).
    Successful look-ups are the "answered by the portal" side of the
    self-service rate. Written by the page itself (sudo); managers read them.
    """

    _name = "order.hub.portal.attempt"
    _description = "Order Tracking Look-up"
    _order = "attempted_at desc, id desc"
    _log_access = False

    attempted_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    ip_address = fields.Char(string="IP Address", index=True)
    serial_key = fields.Char(string="Serial Entered", index=True)
    success = fields.Boolean(index=True)
    order_id = fields.Many2one("sale.order", string="Order", ondelete="cascade", index="btree_not_null")

    @api.model
    def _settings(self):
        params = self.env["ir.config_parameter"].sudo()
        max_ip = int(params.get_param("order_hub_portal.max_per_ip", MAX_PER_IP))
        max_serial = int(params.get_param("order_hub_portal.max_per_serial", MAX_PER_SERIAL))
        window = int(params.get_param("order_hub_portal.window_minutes", WINDOW_MINUTES))
        return max_ip, max_serial, timedelta(minutes=window)

    @staticmethod
    def _serial_key(serial):
        return "".join((serial or "").split()).upper()[:64]

    @api.model
    def _is_throttled(self, ip_address, serial):
        max_ip, max_serial, window = self._settings()
        since = fields.Datetime.now() - window
        failures = self.sudo().with_context(active_test=False)
        base = [("success", "=", False), ("attempted_at", ">=", since)]
        if max_ip > 0 and ip_address:
            if failures.search_count([*base, ("ip_address", "=", ip_address)], limit=max_ip) >= max_ip:
                return True
        key = self._serial_key(serial)
        if max_serial > 0 and key:
            if failures.search_count([*base, ("serial_key", "=", key)], limit=max_serial) >= max_serial:
                return True
        return False

    @api.model
    def _record(self, ip_address, serial, order=None):
        return self.sudo().create(
            {
                "ip_address": ip_address,
                "serial_key": self._serial_key(serial),
                "success": bool(order),
                "order_id": order.id if order else False,
            }
        )

    @api.model
    def _answered_count(self, since, companies):
        """Orders of ``companies`` answered by the page since ``since``: one
        per order and day (reloading the page the same day counts once)."""
        groups = self.sudo()._read_group(
            [
                ("success", "=", True),
                ("attempted_at", ">=", since),
                ("order_id.company_id", "in", companies.ids),
            ],
            ["order_id", "attempted_at:day"],
        )
        return len(groups)

    @api.autovacuum
    def _gc_attempts(self):
        # failures only matter inside the window; successes feed the 30-day rate
        _ip, _serial, window = self._settings()
        now = fields.Datetime.now()
        self.sudo().search(
            [("success", "=", False), ("attempted_at", "<", now - max(window, timedelta(days=1)))]
        ).unlink()
        self.sudo().search([("attempted_at", "<", now - timedelta(days=400))]).unlink()
