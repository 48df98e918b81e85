// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

// httpOptions.extraBody carries the fields the SDK has no parameter for.
const response = await ai.models.generateContent({
  model: "gemini-2.5-flash",
  contents: [
    { role: "user", parts: [{ text: "Who won the 2022 World Cup?" }] },
  ],
  config: {
    tools: [{ googleSearch: {} }],
    safetySettings: [
      { category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" },
    ],
    temperature: 0.5,
    httpOptions: {
      extraBody: { generationConfig: { enableAffectiveDialog: false } },
    },
  },
});
console.log(response.text);
