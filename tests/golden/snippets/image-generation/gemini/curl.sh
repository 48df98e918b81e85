# Needs COMETAPI_KEY in the environment.
CAT_PNG_B64=$(base64 < 'cat.png' | tr -d '\n')
REPLY_IMAGE_1_PNG_B64=$(base64 < 'reply-image-1.png' | tr -d '\n')
curl -sS 'https://api.cometapi.com/v1beta/models/gemini-3.1-flash-image-preview:generateContent' \
  -H 'Content-Type: application/json' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<JSON
{
  "contents": [
    {
      "role": "user",
      "parts": [
        {"text": "A lighthouse in the style of this cat"},
        {
          "inlineData": {
            "mimeType": "image/png",
            "data": "${CAT_PNG_B64}"
          }
        }
      ]
    },
    {
      "role": "model",
      "parts": [
        {"text": "Here it is."},
        {
          "inlineData": {
            "mimeType": "image/png",
            "data": "${REPLY_IMAGE_1_PNG_B64}"
          },
          "thoughtSignature": "c2lnbmF0dXJl"
        }
      ]
    },
    {"role": "user", "parts": [{"text": "Make the sky purple"}]}
  ],
  "generationConfig": {
    "responseModalities": ["TEXT", "IMAGE"],
    "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}
  }
}
JSON
