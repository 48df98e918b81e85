# pip install httpx2; needs COMETAPI_KEY in the environment.
import os

import httpx2

url = "https://api.cometapi.com/v1/chat/completions"
headers = {
    "Content-Type": "application/json",
    "Authorization": f"Bearer {os.environ['COMETAPI_KEY']}",
}
body = {
    "messages": [{"role": "user", "content": "Explain how AI works in a few words"}],
    "model": "gemini-2.5-flash",
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
print(response.json()["choices"][0]["message"]["content"])
