# pip install httpx2; needs COMETAPI_KEY in the environment.
import json
import os

import httpx2


def text_of(chunk):
    """The answer text in a stream chunk."""
    for choice in chunk.get("choices", []):
        if choice.get("index", 0) == 0:
            return choice.get("delta", {}).get("content") or ""
    return ""


url = "https://api.cometapi.com/v1/chat/completions"
headers = {
    "Content-Type": "application/json",
    "Accept": "text/event-stream",
    "Authorization": f"Bearer {os.environ['COMETAPI_KEY']}",
}
body = {
    "messages": [{"role": "user", "content": "Write a haiku about rivers."}],
    "stream_options": {"include_usage": True},
    "model": "gemini-2.5-flash",
    "stream": True,
}

with httpx2.stream("POST", url, headers=headers, json=body, timeout=120) as response:
    if response.is_error:
        raise SystemExit(f"HTTP {response.status_code}: {response.read().decode()}")
    for line in response.iter_lines():
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            print(text_of(json.loads(line[5:])), end="", flush=True)
print()
