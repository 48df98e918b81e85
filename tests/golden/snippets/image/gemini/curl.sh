# Needs COMETAPI_KEY in the environment.
CAT_PNG_B64=$(base64 < 'cat.png' | tr -d '\n')
curl -sS 'https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent' \
  -H 'Content-Type: application/json' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<JSON
{
  "contents": [
    {
      "role": "user",
      "parts": [
        {"text": "What is in this picture?"},
        {
          "inlineData": {
            "mimeType": "image/png",
            "data": "${CAT_PNG_B64}"
          }
        }
      ]
    }
  ]
}
JSON
