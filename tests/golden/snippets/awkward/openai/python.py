# pip install httpx2; needs COMETAPI_KEY in the environment.
import os

import httpx2

url = "https://api.cometapi.com/v1/chat/completions"
headers = {
    "Content-Type": "application/json",
    "Authorization": f"Bearer {os.environ['COMETAPI_KEY']}",
}
body = {
    "messages": [
        {
            "role": "system",
            "content": "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
        },
        {
            "role": "user",
            "content": "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
        },
    ],
    "model": "gemini-2.5-flash",
}

response = httpx2.post(url, headers=headers, json=body, timeout=120)
if response.is_error:
    raise SystemExit(f"HTTP {response.status_code}: {response.text}")
print(response.json()["choices"][0]["message"]["content"])
