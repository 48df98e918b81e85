# Needs COMETAPI_KEY in the environment.
CAT_PNG_B64=$(base64 < 'cat.png' | tr -d '\n')
curl -sS 'https://api.cometapi.com/v1/chat/completions' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $COMETAPI_KEY" \
  --data-binary @- <<JSON
{
  "messages": [
    {
      "role": "user",
      "content": [
        {"type": "text", "text": "What is in this picture?"},
        {
          "type": "image_url",
          "image_url": {"url": "data:image/png;base64,${CAT_PNG_B64}"}
        }
      ]
    }
  ],
  "model": "gemini-2.5-flash"
}
JSON
