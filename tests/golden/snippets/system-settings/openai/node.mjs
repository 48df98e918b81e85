// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

const url = "https://api.cometapi.com/v1/chat/completions";
const headers = {
  "Content-Type": "application/json",
  Authorization: `Bearer ${process.env.COMETAPI_KEY}`,
};
const body = {
  messages: [
    { role: "system", content: "You are a terse geographer." },
    { role: "user", content: "Name three rivers." },
  ],
  temperature: 0.2,
  top_p: 0.9,
  max_tokens: 256,
  stop: ["END"],
  seed: 7,
  model: "gemini-2.5-flash",
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
const data = await response.json();
console.log(data.choices[0].message.content);
