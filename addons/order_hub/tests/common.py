from odoo import Command
from odoo.tests import TransactionCase

ROLE_GROUPS = {
    "customer_service": "order_hub.group_order_hub_customer_service",
    "warehouse": "order_hub.group_order_hub_warehouse",
    "manager": "order_hub.group_order_hub_manager",
    "integration": "order_hub.group_order_hub_integration",
}
USER_TYPES = {"integration": "base.group_portal"}
OUR_ADDONS = (
    "order_hub",
    "order_hub_channels",
    "order_hub_logistics",
    "order_hub_cn_city",
    "order_hub_writeback",
    "order_hub_portal",
    "order_hub_notify",
)


def out_of_surge(env):
    """The tests decide when their orders are confirmed: out of any surge the
    database is in (committed orders of concurrency tests, a benchmark run on
    it) and without automatic confirmation (in the test's transaction)."""
    env.company.write(
        {
            "hub_surge_active": False,
            "hub_surge_quiet_since": False,
            "hub_surge_threshold": 10**6,
            "hub_auto_confirm": False,
        }
    )


def without_customer_notifications(env):
    """The tests decide when customers are told: the demo database has the
    demo company's notifications switched on (order_hub_notify's demo data,
    for setup/run), which would add a notification and its job to every
    confirmation. Tests of the notifications switch them on themselves."""
    if "order.hub.notify.template" in env:
        env["order.hub.notify.template"].sudo().search([("enabled", "=", True)]).enabled = False


class OrderHubCommon(TransactionCase):
    """Fixtures shared by the Order Hub tests: one user per role.

    Tests build their own data and never depend on the demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        out_of_surge(cls.env)
        without_customer_notifications(cls.env)
        cls.role_users = {role: cls._create_hub_user(role) for role in ROLE_GROUPS}
        cls.user_cs = cls.role_users["customer_service"]
        cls.user_warehouse = cls.role_users["warehouse"]
        cls.user_manager = cls.role_users["manager"]
        cls.user_integration = cls.role_users["integration"]

    @classmethod
    def _create_hub_user(cls, role, **values):
        group = cls.env.ref(ROLE_GROUPS[role])
        # integration users are portal users, as in the demo data (least privilege)
        user_type = cls.env.ref(USER_TYPES.get(role, "base.group_user"))
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"Test {role}",
                    "login": f"test_hub_{role}",
                    "email": f"test_hub_{role}@example.com",
                    "tz": "Asia/Shanghai",
                    "groups_id": [Command.set([user_type.id, group.id])],
                    **values,
                }
            )
        )


MODES = {"r": "read", "w": "write", "c": "create", "d": "unlink"}


class AccessDesignMixin:
    """Checks a model x role CRUD matrix against the installed ACLs.

    ``design`` maps each model an addon defines to ``{role: "rwcd"}``; roles
    left out (and the portal and public users) must have no access at all.
    A model the addon defines but the design does not list fails the test,
    so no model can ship without a deliberate access decision.
    """

    def _defined_models(self, addon):
        return {
            name
            for name, model in self.env.registry.items()
            if model._original_module == addon and not model._abstract
        }

    def assertAccessDesign(self, addon, design):
        self.assertEqual(
            self._defined_models(addon),
            set(design),
            f"every model of {addon} must be listed in its access design",
        )
        users = dict(self.role_users)
        users["portal"] = self.env.ref("base.demo_user0", raise_if_not_found=False) or (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Test portal",
                    "login": "test_hub_portal",
                    "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
                }
            )
        )
        users["public"] = self.env.ref("base.public_user")
        access = self.env["ir.model.access"]
        for model, rights in design.items():
            for role, user in users.items():
                allowed = rights.get(role, "")
                for letter, mode in MODES.items():
                    with self.subTest(model=model, role=role, mode=mode):
                        self.assertEqual(
                            access.with_user(user).check(model, mode, raise_exception=False),
                            letter in allowed,
                            f"{role} {mode} on {model}",
                        )
