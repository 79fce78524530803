/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * Step 6, Connect: the MCP URL with a copy button, ready-to-paste configuration for each client
 * (from the library's clientConfigs), and how to start the home side with the env file. The
 * tunnel token and the service token stay in that file: the page names the file, never a token.
 */
import type { ClientConfigs } from "../../connect";
import type { HomeSideWay } from "../../home-side";
import { Copyable } from "./layout";

export interface ConnectModel {
  configs: ClientConfigs;
  homeSide: HomeSideWay[];
  envFile: string;
  gatewayHost: string;
}

export function ConnectDetails(props: ConnectModel) {
  const { configs } = props;
  return (
    <>
      <section aria-labelledby="mcp-url">
        <h2 id="mcp-url">Your MCP server's address</h2>
        <p>Give this URL to your MCP client. The first time, it opens a browser window where you approve the client and sign in.</p>
        <Copyable id="copy-mcp-url" value={configs.mcpUrl} label="MCP URL" />
      </section>
      <section aria-labelledby="home-side">
        <h2 id="home-side">Start the home side</h2>
        <p>
          Requests reach your MCP server only while cloudflared and the gateway run on this side. The wizard wrote the two tokens they need
          to <code>{props.envFile}</code> (readable by you only); they are not shown here. From the repository folder, run one of:
        </p>
        {/* The way that matches step 3's gateway host first. */}
        {[...props.homeSide]
          .sort((a, b) => Number(b.gatewayHost === props.gatewayHost) - Number(a.gatewayHost === props.gatewayHost))
          .map((way) => (
            <div class="way">
              <h3>{way.title}</h3>
              <Copyable
                id={`copy-home-${way.id}`}
                value={way.commands.join("\n")}
                label={way.commands.length === 1 ? (way.commands[0] ?? "") : "these commands"}
                block
              />
              <p class="help">{way.note}</p>
              {way.gatewayHost !== props.gatewayHost ? (
                <p class="help warn-text">{`Note: this way needs the gateway host ${way.gatewayHost}, and step 3 used ${props.gatewayHost}. To use it, change the route first: npm run provision -- setup --gateway-host ${way.gatewayHost}`}</p>
              ) : undefined}
            </div>
          ))}
      </section>
      <section aria-labelledby="clients">
        <h2 id="clients">Add it to your MCP client</h2>
        <dl class="clients">
          <dt>claude.ai</dt>
          <dd>
            <p>{configs.claudeAi}</p>
          </dd>
          <dt>ChatGPT</dt>
          <dd>
            <p>{configs.chatgpt}</p>
          </dd>
          <dt>
            Cursor (<code>~/.cursor/mcp.json</code>)
          </dt>
          <dd>
            <Copyable id="copy-cursor" value={JSON.stringify(configs.cursor, null, 2)} label="Cursor configuration" block />
          </dd>
          <dt>MCP Inspector</dt>
          <dd>
            <Copyable id="copy-inspector" value={configs.inspector} label="Inspector command" block />
            <p class="help">Opens the Inspector in your browser with this server listed; switch it on to sign in.</p>
          </dd>
          <dt>
            Claude Desktop and other clients that start a local command (<code>mcp-remote</code>)
          </dt>
          <dd>
            <Copyable id="copy-mcp-remote" value={JSON.stringify(configs.mcpRemote, null, 2)} label="mcp-remote configuration" block />
          </dd>
        </dl>
      </section>
    </>
  );
}
