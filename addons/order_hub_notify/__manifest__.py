{
    "name": "Order Hub Customer Notifications",
    "summary": "SMS (Aliyun) or e-mail to the customer when the order is confirmed, shipped, "
    "out for delivery, delivered or its address changed; once per event and order",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["order_hub_portal", "queue_job", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/order_hub_notify_security.xml",
        "data/queue_job_data.xml",
        "data/mail_template_data.xml",
        "data/order_hub_notify_template_data.xml",
        "views/order_hub_notify_views.xml",
        "views/sale_order_views.xml",
        "views/order_hub_settings_views.xml",
        "views/order_hub_notify_menus.xml",
    ],
    # demo only: the demo company's SMS go to the Aliyun SMS sandbox of setup/run
    "demo": ["demo/order_hub_notify_demo.xml"],
    "installable": True,
    "auto_install": True,
}
