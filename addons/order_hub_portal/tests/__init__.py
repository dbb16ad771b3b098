from . import test_portal, test_security, test_self_service, test_tours
from . import test_access
