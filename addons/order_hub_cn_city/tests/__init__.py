from . import test_city
