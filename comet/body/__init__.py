"""What a route's JSON body says, and what may be sent: pure functions over a body.

``spelling`` (keys in both casings, turns, parts), ``form`` (the Playground's fields),
``features/`` (one module a feature: read, set and the feature's rules; the registry is
``features.FEATURES``), ``validate`` and ``rules`` (one rulebook: the client, the CLI and the
editor ask it), ``schema`` (structured output), ``variables`` (``{{name}}``), ``hints``,
``convert/`` (Gemini native <-> OpenAI-compatible). Reads only :mod:`comet.core`.
"""
