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
        {"type": "text", "text": "A lighthouse in the style of this cat"},
        {
          "type": "image_url",
          "image_url": {"url": "data:image/png;base64,${CAT_PNG_B64}"}
        }
      ]
    },
    {"role": "assistant", "content": "Here it is."},
    {"role": "user", "content": "Make the sky purple"}
  ],
  "model": "gemini-3.1-flash-image-preview"
}
JSON
