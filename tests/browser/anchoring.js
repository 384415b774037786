// The annotation libraries the browser tests anchor citations with, bundled for the page by
// esbuild (tests/browser/conftest.py): the W3C text quote and text position selectors as
// the Hypothesis tools implement them, and the text fragment matching of the
// scroll-to-text-fragment specification as Chrome's polyfill implements it.
import * as TextQuote from "dom-anchor-text-quote";
import * as TextPosition from "dom-anchor-text-position";
import {
  getFragmentDirectives,
  parseFragmentDirectives,
  processTextFragmentDirective,
} from "text-fragments-polyfill/text-fragment-utils";

window.AtlasAnchoring = {
  TextQuote,
  TextPosition,
  // Every range the text directives of `hash` match in the page, at most two per directive
  // (the specification's algorithm stops at the second: the directive is then ambiguous).
  textFragmentRanges(hash) {
    const parsed = parseFragmentDirectives(getFragmentDirectives(hash));
    return (parsed.text || []).map((directive) => processTextFragmentDirective(directive));
  },
};
