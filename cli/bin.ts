#!/usr/bin/env node
/** Entry point of the `lancet` executable. */
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error("lancet: internal error (please report):", error);
    process.exitCode = 70;
  },
);
