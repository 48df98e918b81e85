# pip install httpx2; needs COMETAPI_KEY in the environment.
import json
import os

import httpx2


def text_of(response):
    """The answer in a response or a stream chunk (thought summaries left out)."""
    for candidate in response.get("candidates", []):
        if candidate.get("index", 0) == 0:
            parts = candidate.get("content", {}).get("parts", [])
            return "".join(part.get("text", "") for part in parts if not part.get("thought"))
    return ""


url = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
headers = {
    "Content-Type": "application/json",
    "Accept": "text/event-stream",
    "x-goog-api-key": os.environ["COMETAPI_KEY"],
}
body = {
    "contents": [{"role": "user", "parts": [{"text": "Write a haiku about rivers."}]}],
}

with httpx2.stream("POST", url, headers=headers, json=body, timeout=120) as response:
    if response.is_error:
        raise SystemExit(f"HTTP {response.status_code}: {response.read().decode()}")
    for line in response.iter_lines():
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            print(text_of(json.loads(line[5:])), end="", flush=True)
print()
