# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent' \
  -H 'Content-Type: application/json' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "contents": [
    {
      "role": "user",
      "parts": [{"text": "Explain how AI works in a few words"}]
    }
  ]
}
JSON
