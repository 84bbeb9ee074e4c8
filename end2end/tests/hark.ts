// Starts a real `hark` on a free port with a fresh SQLite file, as a person would run it.
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Hark {
  url: string;
  email: string;
  password: string;
  stop(): Promise<void>;
}

const binary = process.env.HARK_BIN || join(process.env.CARGO_TARGET_DIR || join(__dirname, "../../target"), "debug/hark");

export async function startHark(): Promise<Hark> {
  const dir = mkdtempSync(join(tmpdir(), "hark-e2e-"));
  const env = { ...process.env, HARK_ADDR: "127.0.0.1:0", DATABASE_URL: `sqlite://${dir}/hark.db` };
  delete env.HARK_PUBLIC_URL;
  const child: ChildProcess = spawn(binary, ["serve"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stderr!.on("data", (chunk) => (errors += chunk));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hark did not start:\n${output}\n${errors}`)), 20_000);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Demo shop:")) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.on("exit", (code) => reject(new Error(`hark exited with ${code}:\n${output}\n${errors}`)));
  });
  const field = (name: string) => {
    const match = banner.match(new RegExp(`${name}:\\s+(\\S+)`));
    if (!match) throw new Error(`no ${name} in:\n${banner}`);
    return match[1];
  };
  const admin = field("Admin");
  return {
    url: admin.replace(/\/admin$/, ""),
    email: field("Login"),
    password: field("Password"),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
