/**
 * Workload-script lexer: a script is a sequence of lines, a line a sequence of
 * whitespace-separated words. Whitespace is spaces and tabs; a word that starts
 * with `#` begins a comment running to the end of the line (a `#` inside a
 * word is part of the word).
 */

/** One word of a line; `col` counts from 1 (a tab is one column). */
export interface Word {
  text: string;
  col: number;
}

/** Splits script text into lines, accepting LF and CRLF (and a leading BOM). */
export function splitLines(text: string): string[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  return body.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

const isBlank = (ch: string): boolean => ch === " " || ch === "\t";

/** The words of one line, comments dropped. A trailing `\r` is ignored. */
export function tokenizeLine(line: string): Word[] {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  const words: Word[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (isBlank(text[pos])) {
      pos++;
      continue;
    }
    if (text[pos] === "#") break;
    const start = pos;
    while (pos < text.length && !isBlank(text[pos])) pos++;
    words.push({ text: text.slice(start, pos), col: start + 1 });
  }
  return words;
}
