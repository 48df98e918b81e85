// npm install openai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.COMETAPI_KEY,
  baseURL: "https://api.cometapi.com/v1",
});

const completion = await client.chat.completions.create({
  model: "gemini-2.5-flash",
  messages: [
    { role: "system", content: "You are a terse geographer." },
    { role: "user", content: "Name three rivers." },
  ],
  temperature: 0.2,
  top_p: 0.9,
  max_tokens: 256,
  stop: ["END"],
  seed: 7,
});
console.log(completion.choices[0].message.content);
