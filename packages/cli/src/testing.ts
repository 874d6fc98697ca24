/** Helpers for the tests: temp files and an in-process `mmsim` with captured output. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { main } from "./cli.js";
import { bufferIo } from "./io.js";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mmsim ...argv` in-process with `cwd` as the working directory. */
export async function mmsim(argv: readonly string[], cwd: string = process.cwd()): Promise<Result> {
  const io = bufferIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A fresh temp directory holding `files` (name -> text), removed when the calling test ends. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "mmsim-cli-test-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** In the calling describe block, progress bars draw from their first update (MMSIM_PROGRESS_DELAY_MS=0), as restored after it. */
export function barsWithoutDelay(): void {
  const before = process.env.MMSIM_PROGRESS_DELAY_MS;
  beforeAll(() => {
    process.env.MMSIM_PROGRESS_DELAY_MS = "0";
  });
  afterAll(() => {
    if (before === undefined) delete process.env.MMSIM_PROGRESS_DELAY_MS;
    else process.env.MMSIM_PROGRESS_DELAY_MS = before;
  });
}
