# pip install google-genai; needs COMETAPI_KEY in the environment.
import os

from google import genai

client = genai.Client(
    api_key=os.environ["COMETAPI_KEY"],
    http_options={"base_url": "https://api.cometapi.com", "api_version": "v1beta"},
)

# http_options.extra_body carries the fields the SDK has no parameter for.
response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[{"role": "user", "parts": [{"text": "Who won the 2022 World Cup?"}]}],
    config={
        "tools": [{"google_search": {}}],
        "safety_settings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
        ],
        "temperature": 0.5,
        "http_options": {
            "extra_body": {"generationConfig": {"enableAffectiveDialog": False}},
        },
    },
)
print(response.text)
