from . import rpc_source
from . import models
from . import controllers
