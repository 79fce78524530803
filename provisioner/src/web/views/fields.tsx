/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * Form fields with their label, help text and problem, wired for assistive technology
 * (aria-describedby, aria-invalid), and the token checklist with ✓ / ✗ marks.
 */
import type { ChecklistItem } from "../../token-checklist";

export interface FormEcho {
  values: Record<string, string>;
  problems: Record<string, string>;
}

export function Field(props: {
  name: string;
  label: string;
  value: string;
  help?: string;
  echo?: FormEcho | undefined;
  type?: "text" | "password" | "number";
  required?: boolean;
  autofocus?: boolean;
  inputmode?: "numeric";
  autocomplete?: string;
}) {
  const id = `f-${props.name}`;
  const problem = props.echo?.problems[props.name];
  const value = props.type === "password" ? "" : (props.echo?.values[props.name] ?? props.value);
  const describedBy = [props.help ? `${id}-help` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.help ? (
        <p class="help" id={`${id}-help`}>
          {props.help}
        </p>
      ) : undefined}
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={value}
        required={props.required ?? true}
        autofocus={props.autofocus}
        inputmode={props.inputmode}
        autocomplete={props.autocomplete ?? "off"}
        spellcheck={false}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {problem ? (
        <p class="problem" id={`${id}-problem`}>
          {problem}
        </p>
      ) : undefined}
    </div>
  );
}

const MARK = { ok: "✓", missing: "✗", unchecked: "·" } as const;
const SPOKEN = { ok: "present", missing: "missing", unchecked: "not checked yet" } as const;

export function Checklist(props: { items: readonly ChecklistItem[] }) {
  const checked = props.items.some((i) => i.state !== "unchecked");
  return (
    <ul class="checklist">
      {props.items.map((item) => (
        <li class={`check-${item.state}`}>
          <span class="mark" aria-hidden="true">
            {MARK[item.state]}
          </span>
          <span class="visually-hidden">{`${SPOKEN[item.state]}: `}</span>
          {item.label}
          {item.detail ? <span class="detail">{` — ${item.detail}`}</span> : undefined}
          {checked && item.state === "unchecked" && !item.detail ? (
            <span class="detail"> — checked once the items above are fixed</span>
          ) : undefined}
        </li>
      ))}
    </ul>
  );
}
