from . import test_notify, test_security
