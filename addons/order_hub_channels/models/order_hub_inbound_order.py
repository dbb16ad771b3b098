import hashlib
import json
import logging
import uuid
from datetime import datetime

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from .. import canonical_json
from ..connectors import limits as bounds
from ..connectors.canonical import BadPayload
from .order_hub_channel import connector_errors

_logger = logging.getLogger(__name__)

INBOUND_STATES = [
    ("pending", "Pending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("error", "Internal Error"),
    ("ignored", "Ignored"),
]
SOURCES = [
    ("pull", "Pull"),
    ("webhook", "Webhook"),
    ("file", "File"),
    ("rpc", "RPC"),
]
KINDS = [("order", "Order"), ("notification", "Notification")]
# payloads one import job takes at most (its own plus pending ones nobody holds)
IMPORT_BATCH = 50
# errors Odoo's RPC layer answers by running the call again (odoo.service.model)
CONCURRENCY_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.LockNotAvailable,
    psycopg2.errors.DeadlockDetected,
)


def payload_text(raw):
    """The payload as stored: text as received, or JSON of a parsed order."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)


class OrderHubInboundOrder(models.Model):
    _name = "order.hub.inbound.order"
    _description = "Received Order Payload"
    _order = "received_at desc, id desc"
    _rec_name = "external_id"

    channel_id = fields.Many2one("order.hub.channel", required=True, ondelete="restrict", index=True)
    hub_can_operate = fields.Boolean(
        string="Can Operate",
        compute="_compute_hub_can_operate",
        help="The current user may retry or ignore this payload (a manager or an operator of its channel).",
    )
    platform = fields.Selection(related="channel_id.platform", store=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Platform Order ID", required=True, index=True, readonly=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, default="order", readonly=True)
    payload = fields.Text(required=True, readonly=True, help="The payload exactly as received.")
    digest = fields.Char(required=True, readonly=True, help="SHA-256 of the payload.")
    event_id = fields.Char(
        readonly=True, index="btree_not_null", help="The platform's id of the pushed event."
    )
    # to the microsecond (fields.Datetime.now() drops them): push latency is
    # measured from it; forms and lists still show seconds
    received_at = fields.Datetime(required=True, default=lambda self: datetime.now(), readonly=True)
    state = fields.Selection(INBOUND_STATES, required=True, default="pending", index=True)
    attempts = fields.Integer(readonly=True)
    error = fields.Text(string="Reason", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    result = fields.Selection(
        [("created", "Created"), ("updated", "Updated"), ("unchanged", "Unchanged")],
        readonly=True,
    )
    processed_at = fields.Datetime(readonly=True)
    job_id = fields.Many2one(
        "queue.job",
        string="Failed Job",
        readonly=True,
        ondelete="set null",
        groups="queue_job.group_queue_job_manager",
        help="The import job that failed on an internal error; its traceback is there.",
    )

    _sql_constraints = [
        (
            "payload_unique",
            "UNIQUE(channel_id, external_id, digest)",
            "This payload was already received for this order.",
        ),
    ]

    # ------------------------------------------------------------------
    # storing
    # ------------------------------------------------------------------
    @api.model
    def _external_id_of(self, channel, raw):
        if canonical_json.is_canonical(raw):
            return str(raw.get("external_id") or "")
        from .. import connectors

        return str(connectors.external_id(channel.platform, raw) or "")

    @api.model
    def _prepare_vals(self, channel, raw, source, kind="order", external_id=None):
        text = payload_text(raw)
        vals = {
            "channel_id": channel.id,
            "source": source,
            "kind": kind,
            "payload": text,
            "digest": hashlib.sha256(text.encode()).hexdigest(),
        }
        if external_id is None:
            try:
                external_id = self._external_id_of(channel, raw)
            except (BadPayload, KeyError, TypeError, ValueError, AttributeError) as error:
                _logger.info("payload without order id on channel %s: %s", channel.id, error)
                external_id = ""
        if not external_id:
            vals.update(
                state="failed",
                error=_("The payload has no readable order id; it is kept as received."),
            )
            external_id = f"unknown-{vals['digest'][:16]}"
        elif len(external_id) > bounds.Limits.max_external_id:
            # kept short (indexed); the payload keeps the id as received
            vals.update(
                state="failed",
                error=_(
                    "The order id is %(size)s characters long, more than the limit of %(limit)s; "
                    "it is kept as received.",
                    size=len(external_id),
                    limit=bounds.Limits.max_external_id,
                ),
            )
            external_id = f"{external_id[:32]}…{vals['digest'][:16]}"
        vals["external_id"] = external_id
        return vals

    @api.model
    def _store_payloads(self, channel, raws, source, kind="order", external_ids=None, event_ids=None):
        """Store payloads once per (channel, external id, digest); return the new records.

        A payload received before (same digest) is not stored again, also when a
        concurrent transaction stores it at the same moment (the unique
        constraint refuses it and the savepoint is rolled back).
        """
        vals_list = [
            self._prepare_vals(channel, raw, source, kind, (external_ids or {}).get(index))
            for index, raw in enumerate(raws)
        ]
        for index, vals in enumerate(vals_list):
            if (event_ids or {}).get(index):
                vals["event_id"] = event_ids[index]
        if not vals_list:
            return self.browse()
        existing = self.search(
            [
                ("channel_id", "=", channel.id),
                ("external_id", "in", [vals["external_id"] for vals in vals_list]),
                ("digest", "in", [vals["digest"] for vals in vals_list]),
            ]
        )
        seen = {(rec.external_id, rec.digest) for rec in existing}
        new_vals = []
        for vals in vals_list:
            key = (vals["external_id"], vals["digest"])
            if key not in seen:
                seen.add(key)
                new_vals.append(vals)
        if not new_vals:
            return self.browse()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return self.create(new_vals)
        except psycopg2.errors.UniqueViolation:
            pass
        records = self.browse()
        for vals in new_vals:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    records |= self.create(vals)
            except psycopg2.errors.UniqueViolation:
                _logger.info("payload of %s stored concurrently, skipped", vals["external_id"])
        return records

    @api.model
    def _seen_events(self, channel, event_ids):
        """Event ids of ``channel`` already stored (a redelivered push)."""
        event_ids = [event_id for event_id in event_ids if event_id]
        if not event_ids:
            return set()
        records = self.search([("channel_id", "=", channel.id), ("event_id", "in", event_ids)])
        return set(records.mapped("event_id"))

    def _find_same(self, channel, raw):
        """The stored record of an identical payload, if any (for idempotent answers)."""
        vals = self._prepare_vals(channel, raw, "rpc")
        return self.search(
            [
                ("channel_id", "=", channel.id),
                ("external_id", "=", vals["external_id"]),
                ("digest", "=", vals["digest"]),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------
    # jobs
    # ------------------------------------------------------------------
    def _enqueue_import(self):
        for rec in self.filtered(lambda r: r.state == "pending"):
            rec.with_delay(
                channel=rec.channel_id._job_channel(),
                identity_key=rec._import_job_key(),
                description=_(
                    "Import order %(ref)s of %(channel)s",
                    ref=rec.external_id,
                    channel=rec.channel_id.name,
                ),
            )._job_import()

    def _job_import(self):
        """Job: import this payload.  Transient channel errors retry (RetryableJobError);
        bad data marks the record failed with its reason and ends the job; any
        other exception is a fault of the code: it fails the job (traceback
        for administrators) and ``_mark_internal_error`` marks the payload.

        The job runs in a savepoint: when it fails, queue_job stores the
        failure from a second connection while this one is still open, and
        the hook marking the payloads (queue_job.py) must not wait for the
        row locks this job took, or the worker would wait for itself."""
        self.ensure_one()
        with self.env.cr.savepoint():
            return self._job_import_locked()

    def _job_import_locked(self):
        if not self._lock_pending():
            return _("Nothing to do: the payload was imported by another job.")
        # batch-friendly: also take other pending payloads of the channel that no
        # other worker holds; their own jobs then find them done and end at once
        size = self.env.context.get("order_hub_import_batch", IMPORT_BATCH)
        taken = self._claim_pending(size - 1)
        (self | taken)._import_isolated(restart=False, owner=self)
        taken.filtered(lambda r: r.state != "pending")._settle_import_jobs(self)
        return self.error or self.result

    def _import_job_key(self):
        return f"order_hub_inbound_{self.id}"

    def _settle_import_jobs(self, by):
        """Mark the still pending import jobs of payloads imported by the job of
        ``by`` as done, so that workers do not start them only to find nothing
        to do.  A job the runner is starting at this very moment is left alone
        (it then ends at once: its payload is no longer pending)."""
        if not self:
            return
        jobs = self.env["queue.job"].sudo()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM queue_job WHERE identity_key = ANY(%s) AND state = 'pending' "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        [rec._import_job_key() for rec in self],
                    ),
                    log_exceptions=False,
                )
                jobs = jobs.browse([row[0] for row in self.env.cr.fetchall()])
                jobs._change_job_state(
                    "done",
                    result=_("Imported by the job of payload %(ref)s.", ref=by.external_id),
                )
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            _logger.info("import jobs changed concurrently; they will end by themselves")

    def _lock_pending(self):
        """Lock this payload if it is pending (or its job is run again after an
        internal error) and no other worker holds it."""
        self.flush_model(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM order_hub_inbound_order WHERE id = %s AND state IN ('pending', 'error') "
                "FOR NO KEY UPDATE SKIP LOCKED",
                self.id,
            )
        )
        found = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["state"])
        if found and self.state == "error":
            self.write({"state": "pending", "error": False})
        return found

    def _claim_pending(self, limit):
        if limit <= 0:
            return self.browse()
        self.flush_model(["state", "channel_id", "kind"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM order_hub_inbound_order WHERE channel_id = %s "
                "AND state = 'pending' AND kind = 'order' AND id != %s "
                "ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED",
                self.channel_id.id,
                self.id,
                limit,
            )
        )
        records = self.browse([row[0] for row in self.env.cr.fetchall()])
        records.invalidate_recordset(["state"])
        return records

    @api.depends("channel_id.operator_ids")
    @api.depends_context("uid")
    def _compute_hub_can_operate(self):
        for record in self:
            record.hub_can_operate = record.channel_id.hub_can_operate

    def _hub_operate(self):
        """Retry and ignore change what gets imported: managers and the
        operators of the payloads' channels only, also over RPC (see the
        channel's ``_hub_operate``)."""
        channels = self.channel_id._hub_operate(
            _("Only Order Hub managers and the channel's operators can retry or ignore its received orders.")
        )
        return self.with_env(channels.env)

    def action_retry(self):
        """Requeue failed payloads (after a fix such as a new SKU mapping)."""
        records = self._hub_operate().filtered(lambda r: r.state in ("failed", "error", "ignored"))
        if not records:
            raise UserError(_("Only failed or ignored payloads can be retried."))
        records.write({"state": "pending", "error": False})
        records._enqueue_import()
        return True

    def _mark_internal_error(self, job):
        """The import job of these payloads failed on an internal error (not
        on their data): say so, and link the job that holds the traceback."""
        for rec in self.filtered(lambda r: r.state == "pending"):
            rec.write(
                {
                    "state": "error",
                    "job_id": job.id,
                    "attempts": rec.attempts + 1,
                    "processed_at": fields.Datetime.now(),
                    "error": _(
                        "Internal error of Order Hub, not a problem of the platform's data: the "
                        "import job %(job)s failed. An administrator finds its traceback in Queue "
                        "Jobs; retry once it is fixed.",
                        job=job.uuid,
                    ),
                }
            )

    def action_ignore(self):
        user = self.env.user
        self._hub_operate().filtered(lambda r: r.state in ("pending", "failed", "error")).write(
            {"state": "ignored", "error": _("Ignored by %(user)s.", user=user.name)}
        )
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # processing
    # ------------------------------------------------------------------
    def _parse(self):
        """The raw payload as JSON, or BadPayload with the parser's reason
        (also when it is larger than the company's limit per order)."""
        limits = self.company_id._order_hub_limits()
        size = bounds.payload_size(self.payload)
        if size > limits.max_payload_bytes:
            raise BadPayload(
                _(
                    "The payload is %(size)s bytes, more than the limit of %(limit)s bytes per order.",
                    size=size,
                    limit=limits.max_payload_bytes,
                ),
                "payload",
            )
        try:
            return json.loads(self.payload)
        except ValueError as error:
            raise BadPayload(_("The payload is not valid JSON (%(error)s).", error=str(error))) from None

    def _normalise(self, raw):
        """The canonical order of ``raw`` within the company's limits: the one
        normalise step of pulled, pushed and RPC payloads (``connectors.limits``)."""
        limits = self.company_id._order_hub_limits()
        bounds.check_raw(raw, limits)
        try:
            if canonical_json.is_canonical(raw):
                order = canonical_json.from_dict(raw)
            else:
                from .. import connectors

                order = connectors.normalise(self.channel_id.platform, raw)
        except ArithmeticError as error:  # a number no normaliser can compute with
            raise BadPayload(
                _("The order holds a number out of range (%(error)s).", error=error.__class__.__name__)
            ) from None
        return bounds.check_order(order, self.company_id._order_hub_limits(self._currency_decimals(order)))

    def _currency_decimals(self, order):
        company_currency = self.company_id.currency_id
        if order.currency == company_currency.name:
            return company_currency.decimal_places
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", order.currency)], limit=1)
        )
        return (currency or company_currency).decimal_places

    def _finish(self, state, sale=None, result=False, error=False):
        vals = {
            "state": state,
            "attempts": self.attempts + 1,
            "processed_at": fields.Datetime.now(),
            "error": error,
        }
        if sale:
            vals["sale_order_id"] = sale.id
        if result:
            vals["result"] = result
        self.write(vals)

    def _fail(self, reason):
        self.write(
            {
                "state": "failed",
                "error": reason,
                "attempts": self.attempts + 1,
                "processed_at": fields.Datetime.now(),
            }
        )

    def _import_batch(self, raise_on_conflict=False):
        """Import pending payloads in batches (savepoint per order, bad data isolated)."""
        importer = self.env["order.hub.order.importer"]
        for channel in self.channel_id:
            pending = self.filtered(lambda r, c=channel: r.channel_id == c and r.state == "pending")
            # webhook payloads are imported apart: their audit lines say "webhook"
            for webhook in (False, True):
                records = pending.filtered(lambda r, w=webhook: (r.source == "webhook") == w)
                if not records:
                    continue
                notifications = records.filtered(lambda r: r.kind == "notification")
                if notifications:
                    records = (records - notifications) | notifications._fetch_orders()
                source_importer = importer.with_context(order_hub_source="webhook") if webhook else importer
                source_importer._import_inbound(channel, records, raise_on_conflict)

    def _fetch_orders(self):
        """Notifications carry only an order id: fetch each order, store and return it."""
        fetched = self.browse()
        channel = self.channel_id
        errors = connector_errors()
        for rec in self:
            try:
                raw = channel._call_client("get_order", rec.external_id)
            except (errors.RateLimited, errors.TransientError) as error:
                raise channel._retryable(error) from None
            except errors.ConnectorError as error:
                rec._fail(_("The order could not be fetched: %(error)s", error=channel._error_text(error)))
                continue
            stored = self._store_payloads(channel, [raw], source="pull")
            if not stored:
                stored = self._find_same(channel, raw)
            rec.write({"state": "done", "attempts": rec.attempts + 1, "processed_at": fields.Datetime.now()})
            fetched |= stored.filtered(lambda r: r.state == "pending")
        return fetched

    def _import_rpc(self, channel, payloads):
        """Store and import RPC payloads now; one result per payload.

        Each payload fails alone: bad data with its reason, a programming error
        as "internal error (reference ...)" logged for administrators.  A call
        that loses a race against a concurrent call importing the same order
        runs again in a new transaction (Odoo's RPC layer retries a
        serialization failure), so it answers the winner's result."""
        records = []
        for raw in payloads:
            stored = self._store_payloads(channel, [raw], source="rpc")
            record = stored or self._find_same(channel, raw)
            if not record:  # stored by a concurrent call this transaction cannot see
                self._restart_transaction()
            records.append((record[:1], bool(stored)))
        pending = self.browse().union(*[rec for rec, _new in records])
        pending.filtered(lambda r: r.state == "pending")._import_isolated()
        return [self._rpc_result(record, new) for record, new in records]

    @staticmethod
    def _rpc_result(record, new):
        if record.state == "done":
            # an order sent again unchanged is "updated" (nothing to change)
            result = "created" if new and record.result == "created" else "updated"
        elif record.state == "ignored":
            result = "updated"
        else:
            result = "failed"
        return {
            "external_id": record.external_id,
            "result": result,
            "reason": record.error or "",
            "sale_order": record.sale_order_id.name or False,
            "hub_serial": record.sale_order_id.hub_serial or False,
        }

    def _import_isolated(self, restart=True, owner=None):
        """Import these payloads now, in one batch; when the batch meets an
        error nobody expected, import them one by one so that only the payload
        that causes it fails ("internal error", logged with a reference).

        A lost race (``RetryableJobError``) restarts the RPC call
        (``restart``), or is raised for queue_job to retry the job.

        In an import job (``owner``: the job's own payload), an error nobody
        expected is a fault of the code and fails that payload's own job
        loudly (queue_job keeps the traceback, ``_mark_internal_error`` marks
        the payload): raised when the owner causes it, else the payload that
        causes it stays pending for its own job."""
        try:
            with self.env.cr.savepoint():
                self._import_batch(raise_on_conflict=True)
            return
        except RetryableJobError:  # lost a race: the other transaction has the order
            if not restart:
                raise
            self._restart_transaction()
        except CONCURRENCY_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - isolated below, each payload in its own savepoint
            _logger.info("batch import failed; importing its payloads one by one", exc_info=True)
        # the savepoint was rolled back: drop what the cache still holds of it
        self.env.invalidate_all(flush=False)
        pending = self.filtered(lambda r: r.state == "pending")
        if owner:
            pending = (owner & pending) | (pending - owner)
        for rec in pending:
            try:
                with self.env.cr.savepoint():
                    rec._import_batch(raise_on_conflict=True)
            except RetryableJobError:
                if not restart:
                    raise
                self._restart_transaction()
            except CONCURRENCY_ERRORS:
                raise
            except Exception as error:  # noqa: BLE001 - a bug must not take the other orders down
                self.env.invalidate_all(flush=False)
                if owner is None:
                    rec._fail_internal(error)
                elif rec == owner:
                    raise
                else:
                    _logger.info("payload %s left to its own import job: %s", rec.id, error)

    def _fail_internal(self, error):
        """Fail this payload for a programming error: the traceback goes to the
        server log with a reference, the caller gets only the reference."""
        reference = uuid.uuid4().hex[:12]
        _logger.exception(
            "internal error %s importing payload %s (order %s of channel %s), reference %s",
            error.__class__.__name__,
            self.id,
            self.external_id,
            self.channel_id.id,
            reference,
        )
        self._fail(
            _(
                "Internal error (reference %(reference)s): an administrator finds the details "
                "in the server log; retry the payload once it is fixed.",
                reference=reference,
            )
        )

    def _restart_transaction(self):
        """Lost a race with a concurrent import of the same order: end this
        transaction with a serialization failure, which Odoo's RPC layer
        (``odoo.service.model.retrying``) answers by running the call again in
        a new transaction, where the other call's order is visible."""
        _logger.info("import lost a race with a concurrent call; the call runs again")
        self.env.cr.execute(
            SQL(
                "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure', "
                "MESSAGE = 'order imported by a concurrent call'; END $$"
            ),
            log_exceptions=False,
        )
