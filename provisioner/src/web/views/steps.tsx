/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The forms of steps 1-5, each with a few sentences for someone who has never opened Cloudflare's
 * dashboard: what the thing is, what the wizard will do, and what each field means. Defaults come
 * from the state (the names a previous run used) or the shared defaults.
 */
import { ALL_PERMISSIONS, API_TOKENS_URL } from "../../cloudflare/permissions";
import type { ProvisionState } from "../../state/state";
import type { ChecklistItem } from "../../token-checklist";
import { Csrf } from "./layout";
import { Checklist, Field, type FormEcho } from "./fields";

export interface StepFormProps {
  state: ProvisionState;
  csrf: string;
  echo: FormEcho | undefined;
  /** The token checklist of the last verify, or nothing yet. */
  checklist: readonly ChecklistItem[] | undefined;
  /** True when this session already holds a token (the field may stay empty). */
  hasToken: boolean;
  /** The account's workers.dev subdomain, once verified. */
  subdomain: string | undefined;
}

function StepForm(props: { action: string; csrf: string; button: string; children: unknown }) {
  return (
    <form method="post" action={props.action} class="step-form">
      <Csrf token={props.csrf} />
      {props.children}
      <button type="submit" class="primary">
        {props.button}
      </button>
    </form>
  );
}

export function TokenStep(props: StepFormProps) {
  const checklist = props.checklist ?? ALL_PERMISSIONS.map((p): ChecklistItem => ({ kind: "permission", label: p, state: "unchecked" }));
  return (
    <>
      <p>
        The wizard talks to Cloudflare with an API token that you create. Open <a href={API_TOKENS_URL}>your API tokens page</a>, choose{" "}
        <em>Create Token</em> then <em>Create Custom Token</em>, and add the permissions listed below (each is a row: Account, the group,
        the level). Under <em>Account Resources</em> pick the account to use.
      </p>
      <h3>What the token needs</h3>
      <Checklist items={checklist} />
      <StepForm action="/wizard/token" csrf={props.csrf} button={props.checklist ? "Verify again" : "Verify"}>
        <Field
          name="api_token"
          label="API token"
          type="password"
          value=""
          required={!props.hasToken}
          autofocus
          echo={props.echo}
          help={
            props.hasToken
              ? "Leave empty to check the same token again (after you edited its permissions), or paste another one."
              : "Kept in this wizard's memory only while it runs: never saved to disk, never shown again."
          }
        />
      </StepForm>
    </>
  );
}

export function TunnelStep(props: StepFormProps) {
  return (
    <>
      <p>
        A <strong>Cloudflare Tunnel</strong> is a private connection from your computer to Cloudflare. A small program, cloudflared, opens
        it from your side, so nothing on your network is open to the internet. The wizard creates the tunnel without any public address:
        only your Worker will be able to send requests through it.
      </p>
      <StepForm action="/wizard/tunnel" csrf={props.csrf} button="Create the tunnel">
        <Field
          name="tunnel_name"
          label="Tunnel name"
          value={props.state.names.tunnel}
          echo={props.echo}
          autofocus
          help="Any name you will recognise; Cloudflare lists it under Zero Trust › Networks › Tunnels."
        />
      </StepForm>
    </>
  );
}

export function VpcStep(props: StepFormProps) {
  return (
    <>
      <p>
        Next, a private route (a <strong>Workers VPC service</strong>) that lets your Worker reach the gateway through the tunnel. The
        address below is looked up on the computer where cloudflared runs, not on the internet.
      </p>
      <StepForm action="/wizard/vpc" csrf={props.csrf} button="Create the route">
        <Field
          name="gateway_host"
          label="Gateway host"
          value={props.state.gateway.host}
          echo={props.echo}
          autofocus
          help="Keep mcp-gateway if you will start the home side with Docker Compose (that is the gateway's name there); use 127.0.0.1 if cloudflared and the gateway run directly on the same computer (npm run connect)."
        />
        <Field
          name="gateway_port"
          label="Gateway port"
          value={String(props.state.gateway.port)}
          echo={props.echo}
          inputmode="numeric"
          help="The port the gateway listens on; 8002 unless you changed GATEWAY_PORT."
        />
      </StepForm>
    </>
  );
}

export function WorkerStep(props: StepFormProps) {
  const name = props.echo?.values.worker_name ?? props.state.names.worker;
  return (
    <>
      <p>
        The <strong>Worker</strong> is the public front door: a small program of yours that runs on Cloudflare. MCP clients connect to it,
        it makes people sign in, and it passes their requests through the tunnel. The wizard uploads it with a storage space (a KV
        namespace) for sign-in grants, and makes a secret service token that only the Worker and your gateway know.
      </p>
      <StepForm action="/wizard/worker" csrf={props.csrf} button="Deploy the Worker">
        <Field
          name="worker_name"
          label="Worker name"
          value={props.state.names.worker}
          echo={props.echo}
          autofocus
          help={`Lowercase letters, digits and dashes. It becomes part of the address: https://${name}.${props.subdomain ?? "your-subdomain"}.workers.dev`}
        />
      </StepForm>
    </>
  );
}

export function AccessStep(props: StepFormProps) {
  const allow = props.state.allow;
  const echo = props.echo?.values;
  const kind = echo?.allow_kind ?? allow?.kind;
  const emails = echo?.allow_emails ?? (allow?.kind === "emails" ? allow.emails.join("\n") : "");
  const domain = echo?.allow_domain ?? (allow?.kind === "domain" ? allow.domain : "");
  const problem = props.echo?.problems.allow;
  return (
    <>
      <p>
        Before any MCP client can use your server, a person signs in at <strong>Cloudflare Access</strong> with one of your Zero Trust login
        methods (for example a one-time PIN sent by email). Choose who is let in; there is no default. The wizard then creates the sign-in
        application with this rule, gives the same list to the Worker and to your gateway (in the env file) so that they check it too, sets
        the Worker's seven secrets at once, and checks that the Worker answers.
      </p>
      <form method="post" action="/wizard/access" class="step-form">
        <Csrf token={props.csrf} />
        <fieldset aria-describedby={problem ? "allow-problem" : undefined}>
          <legend>Who may sign in?</legend>
          <div class="choice-block">
            <label class="choice">
              <input type="radio" name="allow_kind" value="emails" checked={kind === "emails"} required /> Only these email addresses
            </label>
            <label for="f-allow_emails" class="sub">
              Email addresses, one per line
            </label>
            <textarea id="f-allow_emails" name="allow_emails" rows={3} spellcheck={false}>
              {emails}
            </textarea>
          </div>
          <div class="choice-block">
            <label class="choice">
              <input type="radio" name="allow_kind" value="domain" checked={kind === "domain"} /> Anyone with an email address at this
              domain
            </label>
            <label for="f-allow_domain" class="sub">
              Domain, for example example.com
            </label>
            <input id="f-allow_domain" name="allow_domain" type="text" value={domain} spellcheck={false} autocomplete="off" />
          </div>
          <div class="choice-block">
            <label class="choice">
              <input type="radio" name="allow_kind" value="everyone" checked={kind === "everyone"} /> Everyone who can sign in
            </label>
            <p class="help warn-text">
              With the one-time PIN login method, that is anyone with an email address. Choose this only if your server is meant to be
              public.
            </p>
          </div>
        </fieldset>
        {problem ? (
          <p class="problem" id="allow-problem" role="alert">
            {problem}
          </p>
        ) : undefined}
        <button type="submit" class="primary">
          Set up sign-in
        </button>
      </form>
    </>
  );
}
