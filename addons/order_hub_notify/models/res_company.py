from odoo import fields, models

MANAGER_GROUP = "order_hub.group_order_hub_manager"
CS_GROUP = "order_hub.group_order_hub_customer_service"  # managers imply it


class ResCompany(models.Model):
    _inherit = "res.company"

    hub_sms_access_key_id = fields.Char(string="Aliyun AccessKey ID", groups=MANAGER_GROUP)
    # the secret: managers only, never in logs, job arguments or error texts
    hub_sms_access_key_secret = fields.Char(string="Aliyun AccessKey Secret", groups=MANAGER_GROUP)
    hub_sms_sign_name = fields.Char(string="SMS Signature Name", groups=MANAGER_GROUP)
    hub_sms_endpoint = fields.Char(
        string="Aliyun SMS Endpoint", default="https://dysmsapi.aliyuncs.com/", groups=MANAGER_GROUP
    )
