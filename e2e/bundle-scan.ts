import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Leak {
  file: string;
  secret: string;
  /** How it was spelled: as is, URL-encoded, base64, or JSON-escaped. */
  form: string;
}

/** Every way a secret could be spelled in a shipped file. */
export function formsOf(secret: string): Array<[string, string]> {
  const forms = new Map<string, string>(); // spelling -> form; a spelling shared by two forms is reported once
  for (const [form, spelled] of [
    ["plain", secret],
    ["url-encoded", encodeURIComponent(secret)],
    ["base64", Buffer.from(secret).toString("base64")],
    ["json-escaped", JSON.stringify(secret).slice(1, -1)],
  ] as const) {
    if (!forms.has(spelled)) forms.set(spelled, form);
  }
  return [...forms].map(([spelled, form]) => [form, spelled]);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Scans every file under `dir` (bytes as latin1, so binary files are read too) for any form of any secret. */
export function scanForSecrets(dir: string, secrets: string[]): { files: number; leaks: Leak[] } {
  const files = filesUnder(dir);
  const leaks: Leak[] = [];
  for (const file of files) {
    const text = readFileSync(file, "latin1");
    for (const secret of secrets) {
      for (const [form, spelled] of formsOf(secret)) if (text.includes(spelled)) leaks.push({ file, secret, form });
    }
  }
  return { files: files.length, leaks };
}
