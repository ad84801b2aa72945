/**
 * What the scripted pages (src/http/pages/verifiable.ts) share: the elements the server
 * renders for the script named `name` (its app, its status line, its place for problems),
 * and building elements without innerHTML (nothing the server or a file says is ever parsed
 * as markup).
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export function scriptedPage(name: string) {
  const app = document.getElementById(`${name}-app`)!;
  const status = document.getElementById(`${name}-status`)!;
  const problem = document.getElementById(`${name}-problem`)!;
  /** A step's progress, read out by screen readers (role=status); it clears an earlier problem. */
  const say = (text: string): void => {
    problem.textContent = '';
    status.textContent = text;
  };
  /** A problem, read out at once (role=alert); the progress line it interrupts goes. */
  const fail = (err: unknown): void => {
    status.textContent = '';
    problem.textContent = `Not done: ${err instanceof Error ? err.message : String(err)}`;
  };
  /** A button whose action's failure is shown as a problem. */
  const button = (text: string, onClick: () => Promise<void> | void, attrs: Record<string, string> = {}) => {
    const b = el('button', text, { type: 'button', ...attrs });
    b.addEventListener('click', () => void Promise.resolve().then(onClick).catch(fail));
    return b;
  };
  return { app, status, problem, say, fail, button };
}
