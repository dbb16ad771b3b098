from datetime import timedelta

from odoo import api, fields, models

# defaults of the system parameters that tune the per-account login throttle
MAX_FAILURES = 10
WINDOW_MINUTES = 15


class OrderHubLoginFailure(models.Model):
    """One failed login for one account: the per-account throttle on top of
    Odoo's per-IP pause (``res.users._assert_can_auth``).  After
    ``order_hub.login_max_failures`` failures for one login within
    ``order_hub.login_window_minutes``, further attempts for that login are
    refused until the oldest of them leaves the window, whatever the IP; other
    accounts are not affected.  Rows are written by the login itself (sudo) and
    read by nobody else."""

    _name = "order.hub.login.failure"
    _description = "Failed Login"
    _order = "id desc"
    _log_access = False

    login = fields.Char(required=True, index=True)
    failed_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    ip_address = fields.Char(string="IP Address")

    @api.model
    def _settings(self):
        params = self.env["ir.config_parameter"].sudo()
        max_failures = int(params.get_param("order_hub.login_max_failures", MAX_FAILURES))
        window = int(params.get_param("order_hub.login_window_minutes", WINDOW_MINUTES))
        return max_failures, timedelta(minutes=window)

    @api.model
    def _is_throttled(self, login):
        max_failures, window = self._settings()
        if max_failures <= 0:
            return False
        since = fields.Datetime.now() - window
        count = self.sudo().search_count(
            [("login", "=", self._key(login)), ("failed_at", ">=", since)], limit=max_failures
        )
        return count >= max_failures

    @api.model
    def _record(self, login, ip_address=None):
        self.sudo().create({"login": self._key(login), "ip_address": ip_address})

    @staticmethod
    def _key(login):
        return (login or "").strip().lower()[:256]

    @api.autovacuum
    def _gc_failures(self):
        _max, window = self._settings()
        before = fields.Datetime.now() - max(window, timedelta(days=1))
        self.sudo().search([("failed_at", "<", before)]).unlink()
