"""The JSON object ``python -m comet send`` prints for one run."""

from __future__ import annotations

from typing import Any

from comet.body import schema
from comet.core.exchange import Exchange, Reply, Usage
from comet.runs.stamp import request_hash


def summary(exchange: Exchange) -> dict[str, Any]:
    """The CLI's JSON object (``python -m comet send``)."""
    usage = (exchange.reply.usage if exchange.reply else Usage()).to_dict()
    summary = {
        "ok": exchange.ok,
        "status": exchange.status,
        "text": exchange.text,
        "thoughts": exchange.thoughts,
        "finish_reason": exchange.reply.finish_reason if exchange.reply else None,
        "usage": usage,
        "latency_ms": _round(exchange.timing.latency_ms),
        "ttft_ms": _round(exchange.timing.ttft_ms),
        "attempts": exchange.attempts,
        "model_version": exchange.reply.model_version if exchange.reply else None,
        "response_id": exchange.reply.response_id if exchange.reply else None,
        "request_hash": request_hash(exchange.call),
        "stopped": exchange.stopped,
        "partial": exchange.partial,
        "error": None if exchange.error is None else {
            "kind": exchange.error.kind, "message": exchange.error.message,
            "status": exchange.error.status, "retryable": exchange.error.retryable,
        },
    }
    summary.update(_parts(exchange.reply))
    asked = schema.requested(exchange.call.route, exchange.call.body)
    if asked.schema is not None and exchange.reply is not None and not exchange.partial:
        summary["schema"] = schema.verdict(exchange.text, asked).to_dict()
    return summary


def _parts(reply: Reply | None) -> dict[str, Any]:
    """What a reply holds besides its text, for the CLI: images (and an image model's drafts, its
    thought images), code runs, URL context, and for a blocked prompt its reason and ratings."""
    if reply is None:
        return {"images": [], "drafts": [], "code": [], "url_context": [], "block_reason": None,
                "safety_ratings": []}
    feedback = reply.prompt_feedback or {}
    return {
        "images": [{"mime_type": i.mime_type, "bytes": len(i.data)} for i in reply.images],
        "drafts": [{"mime_type": i.mime_type, "bytes": len(i.data)} for i in reply.drafts],
        "code": [{"language": c.language, "code": c.code, "outcome": c.outcome, "output": c.output}
                 for c in reply.code],
        "url_context": [{"url": u.get("retrievedUrl") or u.get("retrieved_url"),
                         "status": u.get("urlRetrievalStatus") or u.get("url_retrieval_status")}
                        for u in reply.url_context if isinstance(u, dict)],
        "block_reason": feedback.get("blockReason"),
        "safety_ratings": list(feedback.get("safetyRatings") or reply.safety_ratings),
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)
