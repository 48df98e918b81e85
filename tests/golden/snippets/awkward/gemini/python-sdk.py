# pip install google-genai; needs COMETAPI_KEY in the environment.
import os

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[
        {
            "role": "user",
            "parts": [
                {
                    "text": "Quotes \" ' `backticks` $HOME ${PATH} $(rm -rf /) %s %d \\ \\n \\\\ back\\slash\nTab\there, new\nline, CR\r, bell\u0007, NUL-free, \u2028 line sep \u2029 para sep\nEOF\nJSON\n'JSON'\n</script><!-- ! !! -->\nEmoji 😀👍🏽👨\u200d👩\u200d👧, RTL: مرحبا بالعالم, שלום, bidi \u202eevil\u202c, zero\u200bwidth, café, 日本語",
                },
            ],
        },
    ],
    config={
        "system_instruction": {
            "parts": [
                {
                    "text": "Reply with \"OK\" and 'OK' — then `$(whoami)` literally; 100% sure\\?",
                },
            ],
        },
    },
)
print(response.text)
