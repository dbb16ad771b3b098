from .models.order_hub_dashboard import REPORT_ORDER_DROP


def post_init_hook(env):
    """Orders that existed before Order Hub was installed get their first stay
    (their current stage) in the stage history."""
    env["order.hub.stage.history"]._backfill_from_audit()


def uninstall_hook(env):
    """The order aggregate's triggers on sale_order go with the module (the
    table of an abstract model's reporting layer is not Odoo's to drop)."""
    env.cr.execute(REPORT_ORDER_DROP)
    env.cr.execute("DROP TABLE IF EXISTS order_hub_report_order")
