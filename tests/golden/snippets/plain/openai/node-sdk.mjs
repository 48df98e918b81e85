// npm install openai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.COMETAPI_KEY,
  baseURL: "https://api.cometapi.com/v1",
});

const completion = await client.chat.completions.create({
  model: "gemini-2.5-flash",
  messages: [{ role: "user", content: "Explain how AI works in a few words" }],
});
console.log(completion.choices[0].message.content);
