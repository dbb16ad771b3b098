def post_init_hook(env):
    """Orders that existed before Order Hub was installed get their first stay
    (their current stage) in the stage history."""
    env["order.hub.stage.history"]._backfill_from_audit()
