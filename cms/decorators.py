"""Decorators of the project's views."""


def reachable_in_preparation(view):
    """Mark a view that answers whether or not its commune is open to the
    public (``cms.preparation``): what banks, billing software and load
    balancers call, which no visitor reads."""
    view.reachable_in_preparation = True
    return view
