/* Starts nhsuk-frontend's components (header menu, error summary, buttons).
   A module file rather than an inline script, for the Content-Security-Policy. */
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
