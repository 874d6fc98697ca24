/**
 * `conformance --junit`: the report stays well-formed XML 1.0 whatever a plugin
 * puts in its name or a hook's error message. Mutant: xmlEscape() without its
 * second replace leaves the control characters in, and the test fails.
 */
import { describe, expect, it } from "vitest";
import { junitXml, xmlEscape } from "./conformance.js";

/** Characters XML 1.0 does not allow anywhere in a document, even as &#..; references. */
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids are what it looks for
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("--junit XML", () => {
  it("escapes markup and writes the characters XML 1.0 forbids as visible \\uXXXX text", () => {
    expect(xmlEscape(`a<b>&"c"`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;");
    expect(xmlEscape("bell\u0007 nul\u0000 esc\u001b")).toBe("bell\\u0007 nul\\u0000 esc\\u001b");
    expect(xmlEscape("lone \ud800 and \udfff; pair \ud83d\ude00")).toBe("lone \\ud800 and \\udfff; pair \ud83d\ude00");
    // Tab, newline, carriage return and ordinary Unicode are kept as they are.
    expect(xmlEscape("t\tn\nr\r é → PMD")).toBe("t\tn\nr\r é → PMD");
  });

  it("a plugin name and a failure message with control characters give a report with none", () => {
    const xml = junitXml("we\u0001ird", [
      { suite: "races", checks: [{ name: "x\u0002", ms: 1, result: { ok: false, rule: "kernel BUG", message: "plugin 'p': hook h threw: bad \u0001 ]]> <tag>" } }] },
    ]);
    expect(xml).not.toMatch(NOT_XML);
    expect(xml).toContain("bad \\u0001 ]]&gt; &lt;tag&gt;");
    expect(xml).toContain('<testsuites name="mmsim conformance: we\\u0001ird">');
  });
});
