"""The ground floor: the values every other layer reads, and nothing that reads them.

``call`` (the request value, :func:`~comet.core.call.prepare`), ``exchange`` (what one run produced),
``errors`` (the exception tree and the status table), ``limits``, ``config``, ``capabilities``
(what each model takes), ``cancel`` (the Stop token), ``values``. Imports nothing else of comet.
"""
