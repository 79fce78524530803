/**
 * How to start the home side (the gateway next to your MCP server, and cloudflared) with the
 * tokens setup wrote to the env file: `npm run connect` and `docker compose up -d`, whichever the
 * repository has, else the two commands by hand. Only the file's path is ever shown, never a token.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_GATEWAY_HOSTNAME, ENV_FILE_KEYS } from "@mcpbox/shared";

export interface HomeSideWay {
  id: "npm-connect" | "docker-compose" | "by-hand";
  title: string;
  /** Commands to run from the repository root, one per line. */
  commands: string[];
  /** Which gateway host the VPC service must use for this way. */
  gatewayHost: string;
  note: string;
}

const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/** The ways this repository (at `root`) offers; the by-hand way when it offers neither. */
export function homeSideWays(root: string, envFile: string): HomeSideWay[] {
  const tokens = `${ENV_FILE_KEYS.tunnelToken} and ${ENV_FILE_KEYS.serviceToken}`;
  const ways: HomeSideWay[] = [];
  if (hasNpmScript(root, "connect")) {
    ways.push({
      id: "npm-connect",
      title: "Without Docker",
      commands: ["npm run connect"],
      gatewayHost: "127.0.0.1",
      note: `Runs the gateway and cloudflared (from your PATH, 2025.7.0 or newer) on this machine; both read ${tokens} from ${envFile}.`,
    });
  }
  if (COMPOSE_FILES.some((f) => existsSync(path.join(root, f)))) {
    ways.push({
      id: "docker-compose",
      title: "With Docker",
      commands: ["docker compose up -d"],
      gatewayHost: DEFAULT_GATEWAY_HOSTNAME,
      note: `Runs the gateway and cloudflared in containers; they read ${tokens} from ${envFile}.`,
    });
  }
  if (ways.length > 0) return ways;
  return [
    {
      id: "by-hand",
      title: "By hand",
      commands: [
        `set -a && . ${envFile} && set +a`,
        "MCP_UPSTREAM_URL=http://127.0.0.1:3001/mcp npm run gateway",
        "cloudflared tunnel run",
      ],
      gatewayHost: "127.0.0.1",
      note: `Loads ${tokens} from ${envFile} into the shell, then starts the gateway (point MCP_UPSTREAM_URL or MCP_UPSTREAM_COMMAND at your MCP server) and cloudflared 2025.7.0 or newer.`,
    },
  ];
}

function hasNpmScript(root: string, name: string): boolean {
  const file = path.join(root, "package.json");
  if (!existsSync(file)) return false;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) return false;
    throw error;
  }
  const scripts = typeof json === "object" && json !== null ? (json as { scripts?: unknown }).scripts : undefined;
  return typeof scripts === "object" && scripts !== null && typeof (scripts as Record<string, unknown>)[name] === "string";
}
