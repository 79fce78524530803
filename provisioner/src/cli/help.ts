/**
 * The --help text: commands, flags with their defaults, and the environment variables.
 */
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_ENV_FILE,
  DEFAULT_GATEWAY_HOSTNAME,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_STATE_FILE,
  LOCAL_STACK_STATE,
  PROVISIONER_ENV,
} from "@mcpbox/shared";
import { ALL_PERMISSIONS, COMBINED_PERMISSIONS_NOTE } from "../cloudflare/permissions";
import { DEFAULT_CLOUDFLARE_API_BASE_URL, DEFAULT_RESOURCE_NAMES, ENV_FILE_NAME } from "../defaults";

export function helpText(program = "mcpbox-remote"): string {
  return `Usage: ${program} <command> [flags]

Sets up MCPbox Remote on your Cloudflare account: tunnel → Workers VPC service → Worker →
Cloudflare Access → connect. Safe to re-run: it finds what exists and changes only what is missing.

Commands:
  setup                    run the six setup steps (resumes where an interrupted run stopped)
  status                   each resource with its id and live state
  doctor                   diagnose: tunnel not connecting, 403 on MCP requests, sign-in loop
  secrets sync             push every secret from the state to the Worker (also: --set-secrets)
  rotate-service-token     new service token with an overlap; --finish ends the overlap
  teardown                 delete everything setup created (asks first, unless --yes)
  grants list              the OAuth grants (one per person and MCP client) in the Worker's OAUTH_KV
  grants revoke            sign a person or client out: --user EMAIL | --client ID | --grant ID | --all

Flags:
  --api-token <token>        API token (prefer the ${PROVISIONER_ENV.apiToken} environment variable)
  --account-id <id>          account to use when the token can use several
  --tunnel-name <name>       default ${DEFAULT_RESOURCE_NAMES.tunnel}
  --vpc-service-name <name>  default ${DEFAULT_RESOURCE_NAMES.vpcService}
  --worker-name <name>       default ${DEFAULT_RESOURCE_NAMES.worker}
  --gateway-host <host>      the gateway as cloudflared reaches it, default ${DEFAULT_GATEWAY_HOSTNAME}
  --gateway-port <port>      default ${DEFAULT_GATEWAY_PORT}
  --gateway-url <url>        doctor, rotate-service-token: check the gateway there; it receives the
                             service token (without it, only 127.0.0.1 is checked)
  --allow <who>              everyone | emails:a@x.com,b@y.com | domain:example.com (also the Worker's
                             ALLOWED_EMAILS and the gateway's MCPBOX_ALLOWED_EMAILS)
  --cors-origins <origins>   extra browser origins for the Worker, e.g. https://app.example.com (kept once given)
  --access-token-ttl <s>     lifetime of the Worker's OAuth access tokens in seconds, default ${DEFAULT_ACCESS_TOKEN_TTL_SECONDS} (kept once given)
  --state <file>             state file (ids and generated secrets, mode 0600), default ${DEFAULT_STATE_FILE}
  --env-file <file>          TUNNEL_TOKEN, MCPBOX_SERVICE_TOKEN and MCPBOX_ALLOWED_EMAILS for cloudflared and the
                             gateway (mode 0600), default ${ENV_FILE_NAME} next to the state file (${DEFAULT_ENV_FILE})
  --adopt                    take over same-named resources the state does not know
  --yes, -y                  no prompts (fail with a message instead of asking)
  --json                     machine-readable result on stdout (progress goes to stderr)
  --no-verify                skip the live check of the Worker after setup
  --help, -h                 this text

Grants flags:
  --user <email|user-id>     grants of one person (an email, or the user id grants list shows)
  --client <id>              grants of one MCP client
  --grant <id>               one grant
  --all                      revoke: every grant (asks first, unless --yes)
  --local                    the local stack's KV (npm start) instead of Cloudflare's; no API token
  --dev-dir <dir>            the local stack's folder (implies --local), default ${LOCAL_STACK_STATE.dirEnv} or ${LOCAL_STACK_STATE.defaultDir}

Environment:
  ${PROVISIONER_ENV.apiToken}       the API token (never written to disk or printed)
  ${PROVISIONER_ENV.apiBaseUrl}    API base, default ${DEFAULT_CLOUDFLARE_API_BASE_URL}

The API token needs these permissions:
${ALL_PERMISSIONS.map((p) => `  ${p}`).join("\n")}
${COMBINED_PERMISSIONS_NOTE}
`;
}
