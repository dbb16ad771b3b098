import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..connectors.errors import BadPayload
from .order_hub_channel import PLATFORM_SELECTION

PROPERTY_TYPES = [("boolean", "Yes/No"), ("char", "Text"), ("integer", "Integer"), ("float", "Decimal")]
PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TRUE_WORDS = ("1", "true", "yes", "y", "是")
PROPERTY_CONVERTERS = {
    "boolean": lambda value: value is True or str(value).strip().lower() in TRUE_WORDS,
    "char": str,
    "integer": int,
    "float": float,
}


class OrderHubFieldMap(models.Model):
    _name = "order.hub.field.map"
    _description = "Platform Field Mapping"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    platform = fields.Selection(
        PLATFORM_SELECTION, help="Leave empty to apply the mapping to every platform."
    )
    source = fields.Char(
        required=True,
        help="Field of the canonical order: buyer_remark, seller_remark, payment_method, "
        "invoice.title, or extra.<name> for platform-specific fields (e.g. extra.installation_service).",
    )
    label = fields.Char(
        translate=True, help="Label written in front of the value in the notes, or of the platform field."
    )
    target = fields.Selection(
        [
            ("field", "Sale Order Field"),
            ("note", "Platform Notes"),
            ("property", "Platform Field of the Order"),
        ],
        required=True,
        default="note",
        help="A platform field of the order is shown on the order's Channel tab, for the "
        "orders of the platform's channels only.",
    )
    target_field_id = fields.Many2one(
        "ir.model.fields",
        domain="[('model', '=', 'sale.order'), ('store', '=', True), "
        "('ttype', 'in', ('char', 'text', 'boolean', 'integer', 'float', 'selection'))]",
        ondelete="cascade",
    )
    property_name = fields.Char(
        help="Technical name of the platform field (letters, digits and underscores), "
        "e.g. installation_service."
    )
    property_type = fields.Selection(PROPERTY_TYPES, default="char")

    @api.constrains("target", "target_field_id", "property_name")
    def _check_target(self):
        for rec in self:
            if rec.target == "field" and (
                not rec.target_field_id or rec.target_field_id.model != "sale.order"
            ):
                raise ValidationError(
                    _("Choose the sale order field that receives %(source)s.", source=rec.source)
                )
            if rec.target == "property" and not PROPERTY_NAME.match(rec.property_name or ""):
                raise ValidationError(
                    _(
                        "Give the platform field of %(source)s a technical name made of lower-case "
                        "letters, digits and underscores, e.g. installation_service.",
                        source=rec.source,
                    )
                )

    # the platform fields of the orders follow the mappings
    @api.model_create_multi
    def create(self, vals_list):
        maps = super().create(vals_list)
        self._sync_order_properties()
        return maps

    def write(self, vals):
        res = super().write(vals)
        self._sync_order_properties()
        return res

    def unlink(self):
        res = super().unlink()
        self._sync_order_properties()
        return res

    @api.model
    def _sync_order_properties(self):
        channels = self.env["order.hub.channel"].sudo().with_context(active_test=False).search([])
        channels._sync_order_properties()

    def _property_definitions(self, platform):
        """The properties definition of the platform fields of ``platform``'s orders."""
        definitions, seen = [], set()
        for rec in self:
            if rec.target != "property" or not rec.active or rec.property_name in seen:
                continue
            if rec.platform and rec.platform != platform:
                continue
            seen.add(rec.property_name)
            definitions.append(
                {
                    "name": rec.property_name,
                    "string": rec.label or rec.property_name,
                    "type": rec.property_type,
                }
            )
        return definitions

    @staticmethod
    def _source_value(order, source):
        """Value of a dotted ``source`` on a canonical order, or None."""
        head, _dot, rest = source.partition(".")
        if head == "extra":
            return order.extra.get(rest) if rest else None
        value = getattr(order, head, None)
        if rest and value is not None:
            value = getattr(value, rest, None)
        return value

    def _property_value(self, value):
        try:
            return PROPERTY_CONVERTERS[self.property_type](value)
        except (TypeError, ValueError):
            raise BadPayload(
                self.env._(
                    "The platform field %(field)s is not a number: %(value)s.",
                    field=self.source,
                    value=value,
                ),
                self.source,
            ) from None

    def _apply(self, order, platform):
        """Sale-order values for ``order`` from the mappings in ``self``."""
        vals, notes, properties = {}, [], {}
        for rec in self:
            if rec.platform and rec.platform != platform:
                continue
            value = self._source_value(order, rec.source)
            if rec.target == "property" and value not in (None, ""):
                properties[rec.property_name] = rec._property_value(value)
                continue
            if value in (None, "", False, {}, ()):
                continue
            if rec.target == "field":
                field = rec.target_field_id
                vals[field.name] = bool(value) if field.ttype == "boolean" else value
            elif rec.target == "note":
                label = rec.label or rec.source
                notes.append(f"{label}: {value}")
        if notes:
            vals["channel_notes"] = "\n".join(notes)
        if properties:
            vals["channel_properties"] = properties
        return vals
