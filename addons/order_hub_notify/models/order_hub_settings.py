from odoo import api, fields, models

from .res_company import MANAGER_GROUP

# settings field -> res.company field (the secret is handled apart: never read back)
COMPANY_SMS_FIELDS = {
    "sms_access_key_id": "hub_sms_access_key_id",
    "sms_sign_name": "hub_sms_sign_name",
    "sms_endpoint": "hub_sms_endpoint",
}


class OrderHubSettings(models.TransientModel):
    """Aliyun SMS on the managers' settings screen. The AccessKey secret is
    written when typed and never loaded back into the form."""

    _inherit = "order.hub.settings"

    sms_access_key_id = fields.Char(string="Aliyun AccessKey ID", groups=MANAGER_GROUP)
    sms_access_key_secret = fields.Char(
        string="Aliyun AccessKey Secret",
        groups=MANAGER_GROUP,
        help="Type a new secret to replace the stored one; left empty, the stored one is kept.",
    )
    sms_secret_set = fields.Boolean(
        string="Secret Stored", compute="_compute_sms_secret_set", groups=MANAGER_GROUP
    )
    sms_sign_name = fields.Char(string="SMS Signature Name", groups=MANAGER_GROUP)
    sms_endpoint = fields.Char(string="Aliyun SMS Endpoint", groups=MANAGER_GROUP)

    @api.depends("company_id")
    def _compute_sms_secret_set(self):
        for settings in self:
            settings.sms_secret_set = bool(settings.company_id.sudo().hub_sms_access_key_secret)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company.sudo()
        for name, company_field in COMPANY_SMS_FIELDS.items():
            if name in fields_list:
                values[name] = company[company_field]
        return values

    def action_save(self):
        result = super().action_save()  # checks the manager group and the company first
        vals = {company_field: self[name] for name, company_field in COMPANY_SMS_FIELDS.items()}
        if self.sms_access_key_secret:
            vals["hub_sms_access_key_secret"] = self.sms_access_key_secret
        self.company_id.sudo().write(vals)
        self.sms_access_key_secret = False  # not kept on the transient screen
        return result
