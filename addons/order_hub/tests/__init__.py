from . import test_demo_data, test_i18n, test_menus, test_security
