# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent' \
  -H 'Content-Type: application/json' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "contents": [
    {"role": "user", "parts": [{"text": "Who won the 2022 World Cup?"}]}
  ],
  "tools": [{"googleSearch": {}}],
  "safetySettings": [
    {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}
  ],
  "generationConfig": {"temperature": 0.5, "enableAffectiveDialog": false}
}
JSON
