import contextlib
import logging

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessDenied
from odoo.http import request

_logger = logging.getLogger(__name__)


class LoginThrottled(AccessDenied):
    """A login refused because its account failed too often (not counted again)."""


class ResUsers(models.Model):
    _inherit = "res.users"

    @contextlib.contextmanager
    def _assert_can_auth(self, user=None):
        """Odoo's per-IP pause, then the per-account throttle of
        ``order.hub.login.failure``: a login that failed too often within the
        window is refused whatever the IP, before its credentials are read."""
        with super()._assert_can_auth(user=user):
            if isinstance(user, str) and self.env["order.hub.login.failure"]._is_throttled(user):
                _logger.warning("login attempt refused for %r: too many failures for this account", user)
                raise LoginThrottled(self.env._("Too many failed logins for this account; try again later."))
            yield

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        """Record a failed login for its account, in a transaction of its own
        (the login's transaction is rolled back when the credentials are wrong)."""
        try:
            return super()._login(db, credential, user_agent_env)
        except LoginThrottled:
            raise
        except AccessDenied:
            login = credential.get("login") if isinstance(credential, dict) else None
            if login:
                ip_address = request.httprequest.remote_addr if request else None
                with cls.pool.cursor() as cr:
                    failures = api.Environment(cr, SUPERUSER_ID, {})["order.hub.login.failure"]
                    failures._record(login, ip_address)
            raise
