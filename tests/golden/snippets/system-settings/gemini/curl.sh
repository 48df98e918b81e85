# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent' \
  -H 'Content-Type: application/json' \
  -H "x-goog-api-key: $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "contents": [{"role": "user", "parts": [{"text": "Name three rivers."}]}],
  "systemInstruction": {"parts": [{"text": "You are a terse geographer."}]},
  "generationConfig": {
    "temperature": 0.2,
    "topP": 0.9,
    "topK": 40,
    "maxOutputTokens": 256,
    "stopSequences": ["END"],
    "thinkingConfig": {"thinkingBudget": 0}
  }
}
JSON
