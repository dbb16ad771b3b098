"""Maps canonical orders onto sale orders, exactly once, in batches.

Template of one import (OCA connector importers), each step a method:
parse and normalise (``_parse_all``), validate (``_validate_order``), skip
(``_must_skip``: a newer payload of the same order in the batch), up to date?
(``_is_uptodate``), map (``_prepare_order_vals``), create or update, bind
(``_bind``: the payload records its order), ``_after_import``: hands the
orders with the action of their platform status to sale.order, which owns
what a status means (arrival, confirmation, shipping: see
``sale.order._hub_on_platform_status``).  A batch prefetches products,
partners and existing orders once and creates the new orders with one
``create``; each order keeps its own savepoint fallback so bad data fails that
order only.

Errors by kind: bad data (``BadPayload``, ``UserError``/``ValidationError``)
fails the payload with its reason; anything else is a fault of the code and
propagates, failing the job (see ``order.hub.inbound.order._job_import``).
"""

import logging
from datetime import UTC
from decimal import Decimal

import psycopg2

from odoo import Command, _, api, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from ..connectors.canonical import BadPayload
from .order_hub_channel import connector_errors
from .res_partner import phone_key

_logger = logging.getLogger(__name__)
# what makes two delivery addresses the same (besides the phone)
ADDRESS_FIELDS = ("name", "street", "street2", "city", "zip", "state_id", "city_id", "country_id")
# bad data: the payload fails with this reason (ValidationError is a UserError);
# a KeyError, TypeError, AttributeError... raised here is a bug, not bad data
DATA_ERRORS = (BadPayload, UserError)
# bulk work, as Odoo's own imports do it: no chatter tracking nor automatic
# followers (the audit trail of order_hub records what matters)
BULK_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
# another transaction created the same row at the same moment
CONFLICT_ERRORS = (psycopg2.errors.UniqueViolation, psycopg2.errors.SerializationFailure)


def naive_utc(stamp):
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp else False


class ImportContext:
    """What a batch prefetches once: products, partners, mappings, existing orders."""

    def __init__(self, env, channel, orders, raise_on_conflict=False):
        self.env = env
        self.channel = channel
        self.company = channel.company_id
        self.raise_on_conflict = raise_on_conflict
        self.status_cache = {}
        self.field_maps = env["order.hub.field.map"].sudo().search([])
        self.products = self._prefetch_products(orders)
        keys = {self.partner_key(order) for order in orders} - {""}
        partners = env["res.partner"].search(
            [
                ("order_hub_phone_key", "in", list(keys)),
                ("parent_id", "=", False),
                ("company_id", "in", [self.company.id, False]),
            ],
            order="id",
        )
        self.partners = {}
        for partner in partners:
            self.partners.setdefault(partner.order_hub_phone_key, partner)
        # buyers an import created, also when their phone was edited since
        buyers = (
            env["order.hub.buyer"]
            .sudo()
            .search([("company_id", "=", self.company.id), ("key", "in", list(keys - set(self.partners)))])
        )
        for buyer in buyers:
            self.partners.setdefault(buyer.key, buyer.partner_id.with_env(env))
        self.country = env.ref("base.cn")
        self.countries = {}
        self.cn_addresses = {}  # partner values of each Chinese address text
        self.existing = {
            order.channel_order_ref: order
            for order in env["sale.order"].search(
                [
                    ("channel_id", "=", channel.id),
                    ("channel_order_ref", "in", [order.external_id for order in orders]),
                ]
            )
        }

    def partner_key(self, order):
        receiver = order.receiver
        return phone_key(receiver.phone, order.platform, order.buyer_id)

    def _prefetch_products(self, orders):
        codes = set()
        for order in orders:
            for line in order.lines:
                codes.update(code for code in (line.platform_sku, line.merchant_code) if code)
        codes = list(codes)
        found = {}
        product_model = self.env["product.product"].with_company(self.company)
        for product in product_model.search(
            [("barcode", "in", codes), ("company_id", "in", [self.company.id, False])]
        ):
            found[product.barcode] = product
        for product in product_model.search(
            [("default_code", "in", codes), ("company_id", "in", [self.company.id, False])]
        ):
            found[product.default_code] = product
        maps = (
            self.env["order.hub.product.map"]
            .sudo()
            .search(
                [
                    ("platform", "=", self.channel.platform),
                    ("code", "in", codes),
                    ("channel_id", "in", [self.channel.id, False]),
                ],
                order="channel_id",  # channel-specific mappings last: they win
            )
        )
        for mapping in maps.sorted(lambda m: bool(m.channel_id)):
            found[mapping.code] = mapping.product_id
        return found

    def product(self, line):
        for code in (line.platform_sku, line.merchant_code):
            if code and code in self.products:
                return self.products[code]
        raise BadPayload(
            _(
                "Unknown SKU %(sku)s on channel %(channel)s: map it in Configuration > "
                "SKU Mappings (or give the product this internal reference), then retry.",
                sku=line.merchant_code or line.platform_sku,
                channel=self.channel.name,
            ),
            "lines",
        )


class OrderHubOrderImporter(models.AbstractModel):
    _name = "order.hub.order.importer"
    _description = "Channel Order Importer"

    # ------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------
    @api.model
    def _import_inbound(self, channel, records, raise_on_conflict=False):
        """Import pending inbox ``records`` of ``channel``."""
        env = self.env(context=dict(self.env.context, **BULK_CONTEXT))
        self = self.with_env(env)
        channel = channel.with_env(env)
        parsed = self._parse_all(channel, records.with_env(env))
        if not parsed:
            return
        latest = {}
        for rec, order in sorted(parsed, key=lambda item: (item[1].updated_at, item[0].id)):
            previous = latest.get(order.external_id)
            if previous:
                self._must_skip(previous[0])
            latest[order.external_id] = (rec, order)
        ctx = ImportContext(env, channel, [order for _rec, order in latest.values()], raise_on_conflict)
        self._create_customers(ctx, [order for _rec, order in latest.values()])
        to_create = []
        for rec, order in latest.values():
            existing = ctx.existing.get(order.external_id)
            try:
                with env.cr.savepoint():
                    if existing:
                        self._update_order(ctx, rec, existing, order)
                    else:
                        to_create.append((rec, order, self._prepare_order_vals(ctx, order)))
            except DATA_ERRORS as error:
                rec._fail(self._reason(error))
        self._create_orders(ctx, to_create, raise_on_conflict)

    def _must_skip(self, rec):
        """A newer payload of the same order is in the batch: this one is skipped."""
        rec._finish("ignored", error=_("A newer payload of this order was imported."))

    def _parse_all(self, channel, records):
        parsed = []
        errors = connector_errors()
        for rec in records:
            try:
                order = rec._normalise(rec._parse())
                self._validate_order(channel, order)
            except (errors.ConnectorError, *DATA_ERRORS) as error:
                rec._fail(self._reason(error))
                continue
            parsed.append((rec, order))
        return parsed

    def _validate_order(self, channel, order):
        """Refuse a canonical order this channel cannot import (BadPayload)."""
        if order.platform != channel.platform:
            raise BadPayload(
                _(
                    "The order is from %(platform)s, not from this channel's platform.",
                    platform=order.platform,
                )
            )
        if not order.lines:
            raise BadPayload(_("The order has no lines."))

    def _reason(self, error):
        return str(error).strip() or error.__class__.__name__

    # ------------------------------------------------------------------
    # create
    # ------------------------------------------------------------------
    def _create_orders(self, ctx, to_create, raise_on_conflict):
        if not to_create:
            return
        orders = self.env["sale.order"]
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                orders = orders.create([vals for _rec, _order, vals in to_create])
            created = list(zip(to_create, orders, strict=True))
        except (psycopg2.errors.UniqueViolation, *DATA_ERRORS):
            created = []
            for item in to_create:
                rec, order, vals = item
                try:
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        created.append((item, self.env["sale.order"].create(vals)))
                except psycopg2.errors.UniqueViolation:
                    # another worker created it after our snapshot: import again later,
                    # in a new transaction that sees it, as an update
                    if raise_on_conflict:
                        raise RetryableJobError(
                            _("Order %(ref)s is being imported concurrently.", ref=order.external_id),
                            seconds=2,
                        ) from None
                    rec.write({"error": _("Imported concurrently; retried as an update.")})
                    rec._enqueue_import()
                except DATA_ERRORS as error:
                    rec._fail(self._reason(error))
        imported = []
        for (rec, order, _vals), sale in created:
            self._bind(rec, sale, "created")
            imported.append((rec, sale, order, "created"))
        self._after_import(ctx, imported)

    def _bind(self, rec, sale, result):
        """The payload records the order it was imported into."""
        rec._finish("done", sale, result)

    def _after_import(self, ctx, imported):
        """Hook after orders were created or updated and bound; ``imported``
        lists ``(payload, sale order, canonical order, "created"|"updated")``.
        Hands each order with the action of its platform status to sale.order
        (``_hub_on_platform_status``), which owns what the status means."""
        status_map = self.env["order.hub.status.map"]
        todo = {}
        for _rec, sale, order, result in imported:
            action = status_map._action_for(
                order.platform, order.platform_status, order.status, ctx.status_cache
            )
            todo.setdefault((action, result == "created"), []).append(sale)
        for (action, arrived), sales in todo.items():
            self.env["sale.order"].union(*sales)._hub_on_platform_status(action, arrived=arrived)

    # ------------------------------------------------------------------
    # update
    # ------------------------------------------------------------------
    def _is_uptodate(self, sale, order):
        """True when the order already reflects a newer payload than ``order``."""
        return bool(sale.channel_updated_at and naive_utc(order.updated_at) < sale.channel_updated_at)

    def _update_order(self, ctx, rec, sale, order):
        if self._is_uptodate(sale, order):
            rec._finish("ignored", sale, error=_("Older than the version already imported; nothing changed."))
            return
        vals = {"platform_status": order.platform_status, "channel_updated_at": naive_utc(order.updated_at)}
        vals.update(ctx.field_maps._apply(order, order.platform))
        if sale.state != "cancel" and not sale.picking_ids.filtered(lambda p: p.state == "done"):
            customer = sale.partner_id
            shipping = self._shipping_partner(ctx, customer, order)
            if shipping != sale.partner_shipping_id:
                vals["partner_shipping_id"] = shipping.id
                sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).write(
                    {"partner_id": shipping.id}
                )
        sale.write(vals)
        self._bind(rec, sale, "updated")
        self._after_import(ctx, [(rec, sale, order, "updated")])

    # ------------------------------------------------------------------
    # mapping
    # ------------------------------------------------------------------
    def _prepare_order_vals(self, ctx, order):
        """Sale order values of a new canonical order (extension hook)."""
        channel = ctx.channel
        customer = self._customer(ctx, order)
        lines = [Command.create(self._prepare_line_vals(ctx, line)) for line in order.lines]
        if order.shipping_amount:
            shipping = self.env.ref("order_hub_channels.product_channel_shipping")
            lines.append(
                Command.create(
                    {
                        "product_id": shipping.id,
                        "name": shipping.name,
                        "product_uom_qty": 1,
                        "price_unit": float(order.shipping_amount),
                        "tax_id": [Command.clear()],
                    }
                )
            )
        vals = {
            "partner_id": customer.id,
            "partner_invoice_id": customer.id,
            "partner_shipping_id": self._shipping_partner(ctx, customer, order).id,
            "company_id": ctx.company.id,
            "channel_id": channel.id,
            "channel_order_ref": order.external_id,
            "client_order_ref": order.external_id,
            "origin": f"{channel.name} {order.external_id}",
            "platform_status": order.platform_status,
            "channel_updated_at": naive_utc(order.updated_at),
            "date_order": naive_utc(order.paid_at or order.created_at),
            "order_line": lines,
        }
        if channel.warehouse_id:
            vals["warehouse_id"] = channel.warehouse_id.id
        if channel.pricelist_id:
            vals["pricelist_id"] = channel.pricelist_id.id
        if channel.team_id:
            vals["team_id"] = channel.team_id.id
        # explicit, even when empty: the default would be the job's user (OdooBot)
        vals["user_id"] = channel._hub_order_user().id
        vals.update(ctx.field_maps._apply(order, order.platform))
        return vals

    def _prepare_line_vals(self, ctx, line):
        product = ctx.product(line)
        quantity = line.quantity
        if quantity <= 0:
            raise BadPayload(_("The quantity of SKU %(sku)s is not positive.", sku=line.platform_sku))
        gross = quantity * line.unit_price
        discount = Decimal(0)
        if gross and line.discount:
            discount = min(Decimal(100), line.discount / gross * 100)
        return {
            "product_id": product.id,
            "name": line.name or product.display_name,
            "product_uom_qty": float(quantity),
            "price_unit": 0.0 if line.is_gift else float(line.unit_price),
            "discount": float(round(discount, 4)),
            "tax_id": [Command.clear()],  # platform prices are what the buyer pays
        }

    def _address_vals(self, ctx, receiver):
        """Partner values of a receiver: a Chinese address gets its province
        (and city) as records, or keeps its text with an issue to check."""
        code = (receiver.country_code or "CN").upper()
        if code == "CN":
            key = (receiver.province, receiver.city, receiver.district, receiver.street, receiver.detail)
            if key not in ctx.cn_addresses:
                ctx.cn_addresses[key] = self.env["res.partner"]._hub_cn_address_vals(*key)
            vals = dict(ctx.cn_addresses[key])
            # a buyer in China reads Chinese (notifications, portal, documents), whoever imports
            if self.env["res.lang"]._lang_get("zh_CN"):
                vals["lang"] = "zh_CN"
        else:
            if code not in ctx.countries:
                ctx.countries[code] = self.env["res.country"].search([("code", "=", code)], limit=1)
            street2 = " ".join(
                part for part in (receiver.province, receiver.district, receiver.street) if part
            )
            vals = {
                "street": receiver.detail or False,
                "street2": street2 or False,
                "city": receiver.city or False,
                "country_id": (ctx.countries[code] or ctx.country).id,
            }
        vals.update(
            {"name": receiver.name or "", "phone": receiver.phone or False, "zip": receiver.zip or False}
        )
        return vals

    def _create_customers(self, ctx, orders):
        """Create the new buyers of a batch with one ``create`` (one per phone)."""
        todo = {}
        for order in orders:
            key = ctx.partner_key(order)
            if key and key not in ctx.partners and order.external_id not in ctx.existing:
                todo.setdefault(key, order)
        if not todo:
            return
        try:
            partners = self._create_buyers(
                ctx, {key: self._customer_vals(ctx, order, key) for key, order in todo.items()}
            )
        except DATA_ERRORS as error:  # left to each order, which then fails alone
            _logger.info("batch creation of buyers failed: %s", error)
            return
        if partners is not None:  # else left to each order, which then fails alone
            ctx.partners.update(zip(todo, partners, strict=True))

    def _create_buyers(self, ctx, vals_by_key):
        """Create the customers of new buyers and record the buyers; the
        database refuses a buyer another import creates at the same moment
        (unique company and key): a job then retries, else None is returned."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                partners = self.env["res.partner"].create(list(vals_by_key.values()))
                self.env["order.hub.buyer"].sudo().create(
                    [
                        {"company_id": ctx.company.id, "key": key, "partner_id": partner.id}
                        for key, partner in zip(vals_by_key, partners, strict=True)
                        if key
                    ]
                )
        except CONFLICT_ERRORS:
            if ctx.raise_on_conflict:
                raise RetryableJobError(
                    _("A buyer of these orders is being created by another import."), seconds=2
                ) from None
            return None
        return partners

    def _customer_vals(self, ctx, order, key):
        vals = self._address_vals(ctx, order.receiver)
        vals.update(
            {
                "name": vals["name"] or order.buyer_id or _("Buyer of %(ref)s", ref=order.external_id),
                "company_id": ctx.company.id,
                "customer_rank": 1,
            }
        )
        if key and not key[:1].isdigit():
            vals["order_hub_buyer_key"] = key
        return vals

    def _customer(self, ctx, order):
        """The buyer: matched by normalised phone within the company, else created."""
        key = ctx.partner_key(order)
        partner = ctx.partners.get(key) if key else None
        if partner:
            return partner
        vals = self._customer_vals(ctx, order, key)
        partner = self._create_buyers(ctx, {key: vals})
        if partner is None:
            raise UserError(
                _(
                    "The buyer %(buyer)s is being created by another import at this moment; "
                    "retry this payload.",
                    buyer=vals["name"],
                )
            )
        if key:
            ctx.partners[key] = partner
        return partner

    def _shipping_partner(self, ctx, customer, order):
        vals = self._address_vals(ctx, order.receiver)
        vals["name"] = vals["name"] or customer.name

        def same(partner):
            if phone_key(partner.phone) != phone_key(vals["phone"]):
                return False
            for name in ADDRESS_FIELDS:
                if name not in vals:
                    continue
                value = partner[name]
                if isinstance(value, models.BaseModel):
                    value = value.id
                if (value or False) != (vals[name] or False):
                    return False
            return True

        if same(customer):
            return customer
        for child in customer.child_ids:
            if child.type == "delivery" and same(child):
                return child
        vals.update({"parent_id": customer.id, "type": "delivery", "company_id": ctx.company.id})
        return self.env["res.partner"].create(vals)
