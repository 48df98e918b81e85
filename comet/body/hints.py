"""Small checks that save a user a wasted request: things the service would accept, or refuse,
without the user getting what they meant. Pure functions over a body; the pages phrase them."""

from __future__ import annotations

from typing import Any, Mapping

from comet.core.call import Route

from .spelling import last_user_turn, parts, turns

EMPTY_PROMPT = "Type a prompt first: an empty turn gets an error or an empty reply, not an answer."


def empty_prompt(route: Route, body: Mapping[str, Any]) -> bool:
    """True when there is nothing to answer: no turns at all, or a last user turn that holds only
    blank text (no image, file or function result)."""
    if not any(True for _ in turns(route, body)):
        return True
    turn = last_user_turn(route, body)
    if turn is None:  # a model turn or a function's result is last: that can be answered
        return False
    return all(isinstance(p, Mapping) and set(p) <= {"text", "type"} and not str(p.get("text") or "").strip()
               for p in parts(route, turn))


def error_sentence(kind: str, status: int | None, message: str, request_id: str | None) -> str:
    """The sentence an error box shows: the message once, led by its kind and status (the client's
    messages already start with ``HTTP 429 rate_limited``; others get that lead here), without
    the ``(request id: ...)`` that the page shows once on its own line."""
    text = message.strip()
    if request_id:
        text = text.replace(f" (request id: {request_id})", "").replace(f"(request id: {request_id})", "")
    lead = f"HTTP {status} {kind}" if status else kind
    if text.startswith(lead):
        return text
    return f"{kind}: {text}" if status and text.startswith(f"HTTP {status}") else f"{lead}: {text}"
