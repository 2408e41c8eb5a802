// Loaded from base.html as <script type="module">, so it only runs in browsers that support
// ES modules, which are the browsers GOV.UK Frontend's JavaScript supports. There is no inline
// script anywhere (for the Content Security Policy): this file marks the body as supported,
// which GOV.UK Frontend's CSS and components check, then starts every component on the page.
//
// The import paths are relative to this file, so they still resolve after collectstatic's
// manifest hashing (the storage rewrites them to the hashed names).
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.mjs";

document.body.classList.add("govuk-frontend-supported");
initAll();
initSessionTimeout();
