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
        {
            "role": "user",
            "parts": [
                {
                    "text": "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
                },
            ],
        },
    ],
    "systemInstruction": {
        "parts": [
            {
                "text": "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
            },
        ],
    },
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
print(text_of(response.json()))
