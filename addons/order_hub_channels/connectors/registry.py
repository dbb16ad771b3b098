"""The one registry of channel clients: platform code -> client class.

Every ``ChannelClient`` subclass that names its ``platform`` registers itself
here when it is defined (``base.ChannelClient.__init_subclass__``); the
platform selections of the ORM layer, the canonical order's check of its
platform and the webhook acknowledgements all read this registry.
"""

CLIENTS = {}


def register(client_class):
    CLIENTS[client_class.platform] = client_class
    return client_class


def selection():
    """``[(platform, label)]`` of the registered clients, for Odoo selections."""
    return [(platform, client.label) for platform, client in CLIENTS.items()]
