// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const catPngBase64 = readFileSync("cat.png", "base64");
const response = await ai.models.generateContent({
  model: "gemini-2.5-flash",
  contents: [
    {
      role: "user",
      parts: [
        { text: "What is in this picture?" },
        { inlineData: { mimeType: "image/png", data: catPngBase64 } },
      ],
    },
  ],
});
console.log(response.text);
