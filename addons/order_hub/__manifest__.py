{
    "name": "Order Hub",
    "summary": "Order operations hub: stages with SLA clocks, exception tickets, "
    "audit trail and role workbenches on top of sale orders",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Order Hub",
    "website": "https://github.com/order-hub/order-hub",
    "depends": ["sale_management", "sale_stock", "sale_exception"],
    "external_dependencies": {"python": []},
    "data": [
        "security/order_hub_security.xml",
        "security/ir.model.access.csv",
        "views/order_hub_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/stock_warehouse_demo.xml",
    ],
    "application": True,
    "installable": True,
}
