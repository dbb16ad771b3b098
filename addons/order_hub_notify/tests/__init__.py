from . import test_notify, test_security
from . import test_access
