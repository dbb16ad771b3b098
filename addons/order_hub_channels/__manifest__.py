{
    "name": "Order Hub Channels",
    "summary": "Pull and receive orders from Douyin, JD, WeChat Shop, Shopify and "
    "Shopee; map them onto sale orders exactly once",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub", "queue_job"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/order_hub_channels_security.xml",
        "security/ir.model.access.csv",
        "views/order_hub_channels_menus.xml",
    ],
    "demo": [],
    "installable": True,
}
