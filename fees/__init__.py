"""Démarches that cost money: each démarche's price rules, computed on the
server from the answers, and the payment of a request, at its sending or
when its workflow asks for it, through the commune's régies.

The app sits above ``services`` and ``payments`` and joins them through
their extension points (``services.extensions``, the status actions'
registry, ``payments.signals``): neither of them imports it."""
