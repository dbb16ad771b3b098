"""pytest-odoo set-up shared by the addons' tests.

odoo.tests.common logs an ERROR when it is imported outside test mode, and
pytest-odoo only turns test mode on after collection has imported it.  Import
it once here in test mode; test mode must be off again before the registry
loads, or Odoo would run every installed module's at_install tests.
"""

import odoo

odoo.tools.config["test_enable"] = True
try:
    import odoo.tests.common  # noqa: F401
finally:
    odoo.tools.config["test_enable"] = False
