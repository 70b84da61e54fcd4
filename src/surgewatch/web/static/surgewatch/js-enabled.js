/* Tells nhsuk-frontend's styles that JavaScript runs (and whether ES modules do).
   A file, not an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
   Loaded first thing in <body>, as nhsuk-frontend asks. */
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
