{
    "name": "Order Hub Customer Portal",
    "summary": "Customers follow their order with its serial and phone, and ask "
    "customer service for an address change, a gift re-shipment or an urgent upgrade",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["portal", "order_hub_channels", "order_hub_logistics"],
    "data": [
        "security/ir.model.access.csv",
        "data/order_hub_ticket_type_data.xml",
        "views/portal_templates.xml",
        "views/order_hub_settings_views.xml",
        "views/order_hub_ticket_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "order_hub_portal/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
}
