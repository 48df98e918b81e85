# pip install httpx2; needs COMETAPI_KEY in the environment.
import os

import httpx2


def text_of(response):
    """The answer in a response or a stream chunk (thought summaries left out)."""
    for candidate in response.get("candidates", []):
        if candidate.get("index", 0) == 0:
            parts = candidate.get("content", {}).get("parts", [])
            return "".join(part.get("text", "") for part in parts if not part.get("thought"))
    return ""


url = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent"
headers = {
    "Content-Type": "application/json",
    "x-goog-api-key": os.environ["COMETAPI_KEY"],
}
body = {
    "contents": [
        {"role": "user", "parts": [{"text": "My name is Ada."}]},
        {"role": "model", "parts": [{"text": "Nice to meet you, Ada."}]},
        {"role": "user", "parts": [{"text": "What is my name?"}]},
    ],
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
print(text_of(response.json()))
