// Loaded from base.html as <script type="module">, so it only runs in browsers that support
// ES modules, which are the browsers GOV.UK Frontend's JavaScript supports. There is no inline
// script anywhere (for the Content Security Policy): this file marks the body as supported,
// which GOV.UK Frontend's CSS and components check, then starts every component on the page.
//
// The import path is relative to this file, so it still resolves after collectstatic's
// manifest hashing (the storage rewrites it to the hashed name of the bundle).
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
