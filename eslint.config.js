// ESLint for the browser code (static/js: ES modules loaded by the page, no bundler) and its
// unit tests (tests/js: Node's own test runner). `npm run lint` runs it.

import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**"] },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-shadow": "error",
      "no-implicit-globals": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
      "max-lines": ["error", { max: 400 }],
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // The vendored libraries the page loads before the modules run.
      globals: { ...globals.browser, Plotly: "readonly", htmx: "readonly" },
    },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    // A test file is a list of cases; its `describe` blocks may run long.
    rules: { "max-lines-per-function": "off" },
  },
];
