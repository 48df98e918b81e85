"""Read a request body into one :class:`Ask` (the same shape for both routes), or raise
:class:`Reject` with the status and message the real service would give.

Gemini bodies are accepted in camelCase and snake_case at any depth (proto3 JSON mapping,
wire-formats B.3: google-genai Python sends ``thinkingConfig: {"thinking_budget": 0}``);
property names, function ``args`` and function ``response`` objects are user data and keep
their spelling. Messages follow the Gemini API's wording (wire-formats B.7) and, on the
OpenAI-compatible route, CometAPI's statuses and codes (wire-formats A.3).

This module reads bodies on its own and deliberately does not use :mod:`comet.body.spelling`: the
emulator is the oracle the client is tested against, so a mistake in the client's reading of
a body must not be copied here. Only the capability tables (thinking ranges, media types, the
inline limit) come from the product, :mod:`comet.core.capabilities`, so both enforce one set.
"""

from __future__ import annotations

from comet.core.capabilities import INLINE_LIMIT, MEDIA_TYPES as MEDIA_MIME

from .common import (BUILT_IN_TOOLS, CHUNKS_DIRECTIVE, EFFORT_BUDGET, EFFORT_LEVEL, EFFORT_TOKENS, EFFORTS, GEMINI_TOP,
                     GENERATION_CONFIG, HARM_CATEGORIES, JSON_MIME, LEVEL_TOKENS, MAX_CHUNKS, MEDIA_TOKENS, PART_DATA,
                     TEXT_MIME, THRESHOLDS, TOKEN, TOOL_USE_TOKENS, TRIGGER, Ask, Attachment, Reject, bad, camel,
                     camelize, check_mime, constraint, count_tokens, decode_base64, directive, invalid, mentions,
                     pick_function, resolve_thinking)
from .gemini import count_ask, gemini_ask, gemini_contents, unknown_fields
from .openai import comet_bad, openai_ask

__all__ = ["BUILT_IN_TOOLS", "TOOL_USE_TOKENS", "INLINE_LIMIT", "MEDIA_MIME", "CHUNKS_DIRECTIVE", "EFFORTS",
           "EFFORT_BUDGET", "EFFORT_LEVEL", "EFFORT_TOKENS", "GEMINI_TOP", "GENERATION_CONFIG",
           "HARM_CATEGORIES", "JSON_MIME", "LEVEL_TOKENS", "MAX_CHUNKS", "MEDIA_TOKENS",
           "PART_DATA", "TEXT_MIME", "THRESHOLDS", "TOKEN", "TRIGGER", "bad", "camel", "camelize",
           "check_mime", "constraint", "count_tokens", "decode_base64", "directive", "invalid",
           "mentions", "pick_function", "resolve_thinking", "Ask", "Attachment", "Reject",
           "count_ask", "gemini_ask", "gemini_contents", "unknown_fields", "comet_bad", "openai_ask"]
