"""What turns a request into something else, or something else into a request.

``snippets/`` (copy-paste code, one module a language), ``curl_import`` and ``shell_words``
(a pasted curl command into a request), ``share`` (links and request files), ``doctor`` (the setup
check). Reads the layers below.
"""
