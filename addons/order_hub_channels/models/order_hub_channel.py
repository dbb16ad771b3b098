import logging
from datetime import timedelta, timezone

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.exception import RetryableJobError

from .. import connectors

_logger = logging.getLogger(__name__)

MANAGER = "order_hub.group_order_hub_manager"
# roles that can be made the operators of a channel, and read its payloads then
OPERATOR_ROLES = ",".join(
    f"order_hub.group_order_hub_{role}" for role in ("manager", "customer_service", "warehouse")
)
# the platforms of the registered clients (connectors.registry): the one list
PLATFORM_SELECTION = connectors.selection()
# First pull of a channel without watermark goes back this far.
INITIAL_LOOKBACK = timedelta(days=1)
PAGE_SIZE = 50


def connector_errors():
    """The connectors' typed errors (imported late: the plain layer is optional at load)."""
    from ..connectors import errors

    return errors


class OrderHubChannel(models.Model):
    _name = "order.hub.channel"
    _description = "Sales Channel"
    _order = "sequence, name"

    name = fields.Char(required=True)
    code = fields.Char(
        required=True,
        help="Short unique code used by webhooks (/order_hub/webhook/<code>) and RPC imports.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    platform = fields.Selection(PLATFORM_SELECTION, required=True)
    shop_id = fields.Char(string="Shop ID")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Default Warehouse",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    pricelist_id = fields.Many2one("product.pricelist", check_company=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        help="Salesperson of the channel's orders; SLA breaches go to this person. "
        "Empty: the sales team's leader.",
    )
    # Credentials and endpoint: managers only (never in logs, job arguments or errors).
    api_base_url = fields.Char(string="API Base URL", groups=MANAGER)
    app_key = fields.Char(groups=MANAGER, copy=False)
    app_secret = fields.Char(groups=MANAGER, copy=False)
    access_token = fields.Char(groups=MANAGER, copy=False)
    refresh_token = fields.Char(groups=MANAGER, copy=False)
    token_expires_at = fields.Datetime(groups=MANAGER, copy=False)
    webhook_secret = fields.Char(
        groups=MANAGER,
        copy=False,
        string="Push Token",
        help="WeChat Shop push token (the other platforms sign pushes with the app secret).",
    )
    webhook_aes_key = fields.Char(string="Webhook AES Key", groups=MANAGER, copy=False)
    poll_interval = fields.Integer(
        string="Poll Interval (minutes)", default=5, help="Minutes between two pulls."
    )
    overlap_minutes = fields.Integer(
        string="Overlap Window (minutes)",
        default=30,
        help="Each pull starts this long before the last watermark, to catch late updates.",
    )
    rate_limit = fields.Float(string="Requests per Second", default=5.0)
    watermark = fields.Datetime(
        string="Last Successful Watermark",
        copy=False,
        help="Update time up to which every order was stored; moves only after a stored page.",
    )
    last_pull_at = fields.Datetime(readonly=True, copy=False)
    last_pull_message = fields.Char(readonly=True, copy=False)
    cron_id = fields.Many2one("ir.cron", string="Scheduled Pull", readonly=True, copy=False)
    order_properties_definition = fields.PropertiesDefinition(
        string="Platform Fields of Orders",
        help="Declared by the field mappings of the channel's platform (target: platform field).",
    )
    operator_ids = fields.Many2many(
        "res.users",
        "order_hub_channel_operator_rel",
        "channel_id",
        "user_id",
        string="Operators",
        domain="[('share', '=', False)]",
        help="Besides the Order Hub managers, these users may pull the channel's orders and "
        "retry or ignore its received orders (the shop's operations staff, for example). "
        "They see the channel under Order Hub > My Channels.",
    )
    hub_can_operate = fields.Boolean(
        string="Can Operate",
        compute="_compute_hub_can_operate",
        help="The current user may pull this channel and retry or ignore its received orders.",
    )
    inbound_count = fields.Integer(compute="_compute_inbound_count", groups=OPERATOR_ROLES)
    failed_count = fields.Integer(compute="_compute_inbound_count", groups=OPERATOR_ROLES)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Another channel already uses this code."),
        ("poll_interval_positive", "CHECK(poll_interval > 0)", "The poll interval must be positive."),
        ("overlap_positive", "CHECK(overlap_minutes >= 0)", "The overlap window cannot be negative."),
    ]

    def _hub_order_user(self):
        """Salesperson of a new order of this channel: the channel's
        responsible, else its sales team's leader, else nobody (never the
        user who runs the import job, e.g. OdooBot)."""
        self.ensure_one()
        return self.user_id or self.team_id.user_id

    @api.depends("operator_ids")
    @api.depends_context("uid")
    def _compute_hub_can_operate(self):
        manager = self.env.su or self.env.user.has_group(MANAGER)
        for channel in self:
            channel.hub_can_operate = manager or self.env.user in channel.sudo().operator_ids

    def _hub_operate(self, message):
        """These channels, ready for an operation the current user may do
        (pull, retry, ignore): as they are for managers; as the scheduled
        pull runs them (superuser) for the channels' operators, so that the
        jobs they start can import orders; an AccessError with ``message``
        for anybody else, also over RPC."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return self
        if self and all(self.mapped("hub_can_operate")):
            return self.with_user(SUPERUSER_ID)
        raise AccessError(message)

    def _compute_inbound_count(self):
        groups = self.env["order.hub.inbound.order"]._read_group(
            [("channel_id", "in", self.ids)], ["channel_id", "state"], ["__count"]
        )
        counts = {}
        for channel, state, count in groups:
            counts.setdefault(channel.id, {})[state] = count
        for channel in self:
            by_state = counts.get(channel.id, {})
            channel.inbound_count = sum(by_state.values())
            channel.failed_count = by_state.get("failed", 0)

    # ------------------------------------------------------------------
    # life cycle: one scheduled action per channel
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("api_base_url") and vals.get("platform"):
                vals["api_base_url"] = connectors.CLIENTS[vals["platform"]].default_base_url or False
        channels = super().create(vals_list)
        channels._sync_cron()
        channels._sync_order_properties()
        # the Integration group's record rules list the channels (cached domains)
        self.env.registry.clear_cache()
        return channels

    def write(self, vals):
        res = super().write(vals)
        if {"poll_interval", "active", "name"} & set(vals):
            self._sync_cron()
        if "platform" in vals:
            self._sync_order_properties()
        if "company_id" in vals:
            self.env.registry.clear_cache()
        return res

    def _sync_order_properties(self):
        """Declare the platform fields of each channel's orders, from the field
        mappings of its platform (sudo: the mappings are configuration)."""
        maps = self.env["order.hub.field.map"].sudo().search([("target", "=", "property")])
        for channel in self.sudo():
            definitions = maps._property_definitions(channel.platform)
            if definitions != (channel.order_properties_definition or []):
                channel.order_properties_definition = definitions

    def unlink(self):
        crons = self.sudo().cron_id
        res = super().unlink()
        crons.unlink()
        self.env.registry.clear_cache()
        return res

    def _sync_cron(self):
        """Create or update each channel's own scheduled pull (sudo: ir.cron is admin data)."""
        model = self.env["ir.model"]._get("order.hub.channel")
        for channel in self.sudo():
            vals = {
                "name": _("Order Hub: pull %(channel)s", channel=channel.name),
                "model_id": model.id,
                "state": "code",
                "code": f"model.browse({channel.id})._cron_pull()",
                "interval_number": channel.poll_interval,
                "interval_type": "minutes",
                "active": channel.active,
                "user_id": self.env.ref("base.user_root").id,
            }
            if channel.cron_id:
                channel.cron_id.write(vals)
            else:
                channel.cron_id = self.env["ir.cron"].sudo().create(vals)

    # ------------------------------------------------------------------
    # client
    # ------------------------------------------------------------------
    def _client_config(self):
        """The connector configuration; reads secrets, so only for server-side use."""
        self.ensure_one()
        from ..connectors.base import ClientConfig

        channel = self.sudo()
        expires = channel.token_expires_at
        return ClientConfig(
            platform=channel.platform,
            base_url=channel.api_base_url or "",
            app_key=channel.app_key or "",
            app_secret=channel.app_secret or "",
            access_token=channel.access_token or "",
            refresh_token=channel.refresh_token or "",
            token_expires_at=expires.replace(tzinfo=timezone.utc) if expires else None,
            shop_id=channel.shop_id or "",
            extra={},
            rate_limit=channel.rate_limit or 0.0,
        )

    def _get_client(self):
        self.ensure_one()
        from .. import connectors

        return connectors.get_client(self._client_config(), token_callback=self._store_token)

    def _store_token(self, info):
        """Keep a refreshed token (the client calls this after each refresh)."""
        vals = {"access_token": info.access_token}
        if info.refresh_token:
            vals["refresh_token"] = info.refresh_token
        if info.expires_at:
            vals["token_expires_at"] = info.expires_at.astimezone(timezone.utc).replace(tzinfo=None)
        self.sudo().write(vals)

    def _call_client(self, method, *args, **kwargs):
        """Call ``client.method`` (the client refreshes an expired token by itself)."""
        client = self._get_client()
        try:
            return getattr(client, method)(*args, **kwargs)
        finally:
            client.close()

    @staticmethod
    def _error_text(error):
        """The typed connector error as a sentence (the connectors never put secrets in it)."""
        return str(error) or error.__class__.__name__

    def _retryable(self, error):
        """Translate a transient connector error into a queue_job retry."""
        errors = connector_errors()
        if isinstance(error, errors.RateLimited):
            seconds = max(int(error.retry_after or 1), 1)
            return RetryableJobError(
                _("%(channel)s is rate limited; retrying in %(s)s s.", channel=self.name, s=seconds),
                seconds=seconds,
            )
        return RetryableJobError(
            _("%(channel)s did not answer: %(error)s", channel=self.name, error=self._error_text(error))
        )

    def _check_manager(self, message):
        """Buttons that act on a channel (pull, test) are for managers, also over RPC."""
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(message)

    def action_test_connection(self):
        self.ensure_one()
        self._check_manager(_("Only Order Hub managers can test a channel's connection."))
        errors = connector_errors()
        try:
            message = self._call_client("test_connection")
        except errors.ConnectorError as error:
            raise UserError(
                _(
                    "The connection to %(channel)s failed: %(error)s Check the credentials "
                    "and the API base URL, then test again.",
                    channel=self.name,
                    error=self._error_text(error),
                )
            ) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection works"),
                "message": message or _("%(channel)s answered.", channel=self.name),
                "type": "success",
                "sticky": False,
            },
        }

    # ------------------------------------------------------------------
    # pull
    # ------------------------------------------------------------------
    def _cron_pull(self):
        """Scheduled action: enqueue the pull of each active channel (one job per channel)."""
        for channel in self.filtered("active"):
            channel.with_delay(
                channel=channel._job_channel(),
                identity_key=f"order_hub_pull_{channel.id}",
                description=_("Pull orders of %(channel)s", channel=channel.name),
            )._job_pull()

    def _job_channel(self):
        """The job channel of this platform, declared in data/queue_job_data.xml
        (the parent channel when a platform has none of its own)."""
        channel = self.env.ref(
            f"order_hub_channels.channel_order_hub_{self.platform}", raise_if_not_found=False
        ) or self.env.ref("order_hub_channels.channel_order_hub")
        return channel.sudo().complete_name

    def _pull_window(self, now=None):
        now = now or fields.Datetime.now()
        start = (self.watermark or now - INITIAL_LOOKBACK) - timedelta(minutes=self.overlap_minutes)
        return start, now

    def _job_pull(self, now=None):
        """Pull every page since the watermark minus the overlap window.

        Each page is stored in the inbox (one import job per new payload) before
        the watermark moves to the page's watermark; a failing page raises a
        retry and rolls the job back, so it is pulled again.
        """
        self.ensure_one()
        errors = connector_errors()
        start, end = self._pull_window(now)
        utc = timezone.utc
        stored = 0
        client = self._get_client()
        try:
            pages = client.iter_order_pages(start.replace(tzinfo=utc), end.replace(tzinfo=utc), PAGE_SIZE)
            for page in pages:
                inbound = self.env["order.hub.inbound.order"]._store_payloads(
                    self, page.orders, source="pull"
                )
                inbound._enqueue_import()
                stored += len(page.orders)
                if page.watermark:
                    mark = page.watermark.astimezone(utc).replace(tzinfo=None)
                    if not self.watermark or mark > self.watermark:
                        self.watermark = mark
        except (errors.RateLimited, errors.TransientError, errors.BadPayload) as error:
            # a page cut short or garbled is fetched again, like a 5xx
            raise self._retryable(error) from None
        except errors.ConnectorError as error:
            self.write(
                {
                    "last_pull_at": fields.Datetime.now(),
                    "last_pull_message": _("Pull failed: %(error)s", error=self._error_text(error)),
                }
            )
            return self.last_pull_message
        finally:
            client.close()
        self.write(
            {
                "last_pull_at": fields.Datetime.now(),
                "last_pull_message": _("%(count)s orders received.", count=stored),
            }
        )
        return self.last_pull_message

    def action_pull_now(self):
        self.ensure_one()
        channel = self._hub_operate(
            _("Only Order Hub managers and the channel's operators can pull its orders.")
        )
        # the job runs as the scheduled pull does (superuser), also when a
        # manager asks: managers do not create received payloads themselves
        channel.with_user(SUPERUSER_ID)._cron_pull()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Pull queued"),
                "message": _("The orders of %(channel)s are being pulled.", channel=self.name),
                "type": "info",
                "sticky": False,
            },
        }

    def action_view_inbound(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_hub_channels.order_hub_inbound_order_action"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"search_default_filter_failed": 1}
        return action

    # ------------------------------------------------------------------
    # RPC entry point for external systems
    # ------------------------------------------------------------------
    @api.model
    def import_orders(self, channel_code, payloads):
        """Import orders pushed by an external system (XML-RPC / JSON-RPC).

        ``payloads``: list of orders, each either the platform's own order JSON
        or the canonical JSON form (``"order_hub_format": "canonical"``).
        Idempotent: sending an order again updates it.  Returns one dict per
        payload: ``{"external_id", "result": created|updated|failed, "reason",
        "sale_order", "hub_serial"}``; each payload fails alone (bad data with
        its reason, a programming error as "internal error (reference ...)").
        The call as a whole is refused only for the caller's rights, an unknown
        channel or a call larger than the company's limit per call.
        """
        user = self.env.user
        if not (user.has_group("order_hub.group_order_hub_integration") or user.has_group(MANAGER)):
            raise AccessError(_("Only Integration users and managers can import orders."))
        if not isinstance(payloads, list):
            raise UserError(_("Send the orders as a list of JSON objects."))
        channel = self.search([("code", "=", channel_code)], limit=1)
        if not channel or not user._order_hub_may_import(channel):
            # the same answer for a channel that does not exist and one the key may not use
            raise UserError(
                _("No active channel has the code %(code)s for this user.", code=str(channel_code or "")[:64])
            )
        self._check_call_size(channel, payloads)
        return self.env["order.hub.inbound.order"].sudo()._import_rpc(channel.sudo(), payloads)

    @api.model
    def _check_call_size(self, channel, payloads):
        from .order_hub_inbound_order import payload_text

        limit_mb = channel.sudo().company_id.order_hub_max_call_mb
        size = sum(len(payload_text(raw).encode("utf-8", errors="replace")) for raw in payloads)
        if size > limit_mb * 1024 * 1024:
            raise UserError(
                _(
                    "The call carries %(size)s MB of orders, more than the limit of %(limit)s MB per call; "
                    "nothing was imported. Send the orders in smaller calls.",
                    size=round(size / 1024 / 1024, 1),
                    limit=limit_mb,
                )
            )
