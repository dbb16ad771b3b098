{
    "name": "Order Hub China Cities",
    "summary": "Imported Chinese addresses get their city record from Odoo's China city data",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub_channels", "l10n_cn_city"],
    "data": [],
    "auto_install": True,
    "installable": True,
}
