/**
 * `npm run user -- add NAME --role viewer|operator|admin` (also `passwd NAME`,
 * `role NAME ROLE`, `disable NAME`, `enable NAME`, `list`, `sessions NAME`,
 * `revoke NAME`, `unlock NAME`). Works on Warren's store (DATABASE_URL, else the SQLite file at
 * WARREN_DB_PATH), also while Warren runs. The password is read from stdin when it is not a
 * terminal (`printf '%s' "$PW" | npm run user -- add alice --role operator`),
 * else prompted for without echo.
 */
import { createInterface } from "node:readline";
import { hashPassword } from "../lib/auth/password";
import { SignInLimits } from "../lib/auth/sign-in-limits";
import { passwordSchema, roleSchema, userNameSchema } from "../lib/auth/user-schema";
import { parseEnv } from "../lib/config/env";
import { openStore } from "../lib/store/open";

const USAGE = `usage: npm run user -- <command>
  add NAME --role viewer|operator|admin   add a user (password from stdin or a prompt)
  passwd NAME                             set a new password (ends the user's sessions)
  role NAME viewer|operator|admin         change a role
  disable NAME | enable NAME              a disabled user cannot sign in; their sessions end
  list                                    users, roles and live sessions
  sessions NAME                           a user's live sessions
  revoke NAME                             end all of a user's sessions
  unlock NAME                             clear a name's sign-in lockout (failed-attempt streak and count)`;

function fail(message: string): never {
  console.error(`[user] ${message}`);
  process.exit(1);
}

function parsed<T>(
  schema: {
    safeParse(
      value: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) fail(`${what}: ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, "");
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write("Password: ");
  muted._writeToOutput = () => {};
  const answer = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stdout.write("\n");
  return answer;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const config = parseEnv(process.env);
  const warrenStore = openStore(config);
  const store = warrenStore.accounts;
  const userOf = async (raw: string | undefined) => {
    const name = parsed(userNameSchema, raw ?? "", "name");
    return (await store.userByName(name)) ?? fail(`there is no user named ${name}`);
  };
  try {
    switch (command) {
      case "add": {
        const name = parsed(userNameSchema, args[0] ?? "", "name");
        const at = args.indexOf("--role");
        const role = parsed(roleSchema, at >= 0 ? args[at + 1] : "", "--role");
        if (await store.userByName(name)) fail(`there is already a user named ${name}`);
        const password = parsed(passwordSchema, await readPassword(), "password");
        if (!(await store.addUser(name, role, await hashPassword(password), "cli"))) {
          fail(`there is already a user named ${name}`);
        }
        console.log(`[user] added ${name} (${role})`);
        break;
      }
      case "passwd": {
        const user = await userOf(args[0]);
        const password = parsed(passwordSchema, await readPassword(), "password");
        await store.setPassword(user.id, await hashPassword(password));
        console.log(`[user] new password for ${user.name}; their sessions ended`);
        break;
      }
      case "role": {
        const user = await userOf(args[0]);
        const role = parsed(roleSchema, args[1] ?? "", "role");
        await store.setRole(user.id, role);
        console.log(`[user] ${user.name} is now ${role}`);
        break;
      }
      case "disable":
      case "enable": {
        const user = await userOf(args[0]);
        await store.setDisabled(user.id, command === "disable");
        console.log(`[user] ${user.name} ${command}d`);
        break;
      }
      case "revoke": {
        const user = await userOf(args[0]);
        console.log(`[user] ended ${await store.revokeUserSessions(user.id)} session(s) of ${user.name}`);
        break;
      }
      case "unlock": {
        // Not userOf: a name that does not exist can be locked out too (guesses count for any name).
        const name = parsed(userNameSchema, args[0] ?? "", "name");
        await new SignInLimits({ store: warrenStore.limits }).unlock(name);
        console.log(`[user] ${name} may sign in again (its lockout is cleared on every web process within a minute)`);
        break;
      }
      case "sessions": {
        const user = await userOf(args[0]);
        for (const s of await store.sessionsOf(user.id)) {
          console.log(
            `${s.id.slice(0, 12)}  since ${new Date(s.createdAt).toISOString()}  last ${new Date(s.lastSeenAt).toISOString()}  ${s.client ?? ""}`,
          );
        }
        break;
      }
      case "list": {
        for (const user of await store.users()) {
          const live = (await store.sessionsOf(user.id)).length;
          console.log(`${user.name}\t${user.role}\t${user.disabled ? "disabled" : "enabled"}\t${live} session(s)`);
        }
        break;
      }
      default:
        fail(`unknown command "${command}"\n${USAGE}`);
    }
  } finally {
    await warrenStore.close();
  }
}

main().catch((error) => fail((error as Error).message));
