// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}

const url = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent";
const headers = {
  "Content-Type": "application/json",
  "x-goog-api-key": process.env.COMETAPI_KEY,
};
const body = {
  contents: [
    { role: "user", parts: [{ text: "Who won the 2022 World Cup?" }] },
  ],
  tools: [{ googleSearch: {} }],
  safetySettings: [
    { category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" },
  ],
  generationConfig: { temperature: 0.5, enableAffectiveDialog: false },
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
console.log(textOf(await response.json()));
