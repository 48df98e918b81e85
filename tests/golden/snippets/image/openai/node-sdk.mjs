// npm install openai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.COMETAPI_KEY,
  baseURL: "https://api.cometapi.com/v1",
});

const catPngBase64 = readFileSync("cat.png", "base64");
const completion = await client.chat.completions.create({
  model: "gemini-2.5-flash",
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "What is in this picture?" },
        {
          type: "image_url",
          image_url: { url: "data:image/png;base64," + catPngBase64 },
        },
      ],
    },
  ],
});
console.log(completion.choices[0].message.content);
