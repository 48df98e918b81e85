"""The only network code: send a request, read its answer.

``client`` (send, stream, retries, the whole-call deadline), ``answer`` (one HTTP answer read as
status and items), ``sse`` (the event-stream decoder), ``chunks`` (stream chunks or a body into a
Reply), ``deadline``, ``retry``, ``redact`` (keys masked in whatever is handed out), ``models``
(the model list and prices). Reads :mod:`comet.core` and :mod:`comet.body`.
"""
