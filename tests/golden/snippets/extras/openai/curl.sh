# Needs COMETAPI_KEY in the environment.
curl -sS 'https://api.cometapi.com/v1/chat/completions' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $COMETAPI_KEY" \
  --data-binary @- <<'JSON'
{
  "messages": [{"role": "user", "content": "Who won the 2022 World Cup?"}],
  "reasoning_effort": "low",
  "google": {"thinking_config": {"include_thoughts": true}},
  "model": "gemini-2.5-flash"
}
JSON
