import crypto from 'node:crypto';
import { type Html, html, raw } from '../html';

/**
 * The page shell. No JavaScript is needed anywhere; the stylesheet is inline and small,
 * so a voting page is one request on a slow phone. Staff pages may add one small script
 * (public/staff.js, served same-origin at /assets/staff.js) that only enhances what already works without it.
 */
const CSS = `
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--accent:#0b5394;--bad:#a30000;--good:#1e6b2a}
*{box-sizing:border-box}
body{font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:44rem;margin:0 auto;padding:1rem}
header.site{background:var(--accent);color:#fff;padding:.5rem 1rem}
header.site a{color:#fff}
main{overflow-wrap:break-word}
h1{font-size:1.5rem;line-height:1.25}
h2{font-size:1.2rem;margin-top:1.5rem}
a{color:var(--accent)}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 1.25rem;padding:.75rem 1rem}
legend{font-weight:700;padding:0 .25rem}
label.choice{display:flex;gap:.6rem;align-items:flex-start;padding:.45rem 0;min-height:44px}
label.choice input{width:1.3rem;height:1.3rem;margin-top:.15rem;flex:none}
.rank{display:flex;gap:.6rem;align-items:center;padding:.3rem 0;min-height:44px}
select,input[type=text],input[type=email],input[type=password],input[type=datetime-local],textarea{font:inherit;padding:.4rem;border:1px solid #767676;border-radius:4px;max-width:100%}
button,.button{font:inherit;font-weight:700;background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.65rem 1.2rem;min-height:44px;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent);border:2px solid var(--accent)}
.hint{color:var(--muted);font-size:.95rem}
.lines{white-space:pre-line}
.error{color:var(--bad);font-weight:700}
.notice{border-left:4px solid var(--accent);padding:.5rem 1rem;background:#f2f6fb}
.problem{border-left:4px solid var(--bad);padding:.5rem 1rem;background:#fbf2f2}
.receipt{font:700 1.4rem/1.3 ui-monospace,monospace;letter-spacing:.05em;padding:.75rem;border:2px dashed var(--good);display:inline-block}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
:focus-visible{outline:3px solid #f9a825;outline-offset:2px}
main.wide{max-width:72rem}
.sides{display:flex;flex-wrap:wrap;gap:1rem}.sides .side{flex:1 1 14rem;border:1px solid var(--line);border-radius:6px;padding:0 1rem}
fieldset{min-width:0}
header.site nav{display:inline}
header.site nav a,header.site nav button{margin:0 .35rem}
header.site nav form{display:inline}
header.site nav button{background:none;border:0;padding:0;min-height:0;color:#fff;font-weight:400;text-decoration:underline}
.skip{position:absolute;left:-999px}
.skip:focus{left:.5rem;top:.5rem;background:#fff;color:var(--accent);padding:.5rem;z-index:1}
input[type=number],input[type=search],input[type=date],input[type=file],input[type=url]{font:inherit;padding:.4rem;border:1px solid #767676;border-radius:4px;max-width:100%}
input[type=number]{width:7rem}
textarea{width:100%}
input.wide,select.wide{width:100%}
[aria-invalid=true]{border:2px solid var(--bad)}
.field{margin:0 0 .9rem}
.field label{font-weight:600}
.field label .hint,.field label.choice span{font-weight:400}
.actions>*{min-width:0;max-width:100%}
.cols>*{min-width:0}
.field-error{display:block;color:var(--bad);font-weight:700}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
[hidden]{display:none!important}
.actions form{margin:0}
button.small{padding:.25rem .6rem;min-height:36px;font-weight:400}
button.danger{background:var(--bad)}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:0 1rem}
.scroll{overflow-x:auto;max-width:100%;position:relative}
.option-row{border-top:1px dashed var(--line);padding:.5rem 0}
.status{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e8eef6;font-weight:700}
progress{width:100%;height:1.3rem}
svg.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5rem}
code{overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dd{margin:0}
.good{color:var(--good);font-weight:700}
.bad{color:var(--bad);font-weight:700}
.swatch{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.3rem;border:1px solid #0003}
@media print{.skip,header.site nav,.actions,.no-print,button,form{display:none!important}body{background:#fff;color:#000}a{color:#000}.receipt{border:2px solid #000}}
`;

/** The stylesheet's hash, so the Content-Security-Policy can allow it and no other style. */
export const STYLE_HASH = `'sha256-${crypto.createHash('sha256').update(CSS).digest('base64')}'`;

/** The one script staff pages may load; the Content-Security-Policy allows it ('self') and nothing inline. */
export const SCRIPT_PATH = '/assets/staff.js';

export type PageOptions = {
  title: string;
  body: Html;
  site?: string;
  lang?: string;
  /** Staff pages: extra elements for <head> (e.g. a <noscript> refresh), navigation, the script, a wider column. */
  head?: Html;
  nav?: Html;
  script?: boolean;
  wide?: boolean;
};

export function page(opts: PageOptions): string {
  return `<!doctype html>${html`<html lang="${opts.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<style>${raw(CSS)}</style>
${opts.head ?? ''}${opts.script ? html`<script src="${SCRIPT_PATH}" defer></script>` : ''}
</head>
<body>
${opts.nav ? html`<a class="skip" href="#main">Skip to content</a>` : ''}<header class="site"><strong>${opts.site ?? 'omov'}</strong>${opts.nav ? html` ${opts.nav}` : ''}</header>
<main id="main"${opts.wide ? html` class="wide"` : ''}>
${opts.body}
</main>
</body>
</html>`}`;
}
