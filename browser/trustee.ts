/**
 * The trustee page (/trustee#TOKEN, docs/verifiable.md): a trustee's three key-generation
 * steps, run here in their browser with the same core code as `omov trustee`, so that the
 * server receives only public messages. The secrets live only in the files the trustee saves
 * and loads again (the same files `omov trustee` reads and writes). Bundled by
 * scripts/bundle-browser.js and served as /assets/app/trustee.js.
 */
import {
  certificateFingerprint,
  certificateOf,
  combineShares,
  makeCertificate,
  makePolynomial,
  parseCertificate,
  parsePolynomial,
  parseTrusteeSecrets,
  positionOf,
  type TrusteeSecrets,
  writePolynomial,
  writeTrusteeSecrets,
} from '@omov/core/crypto/dkg';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { parseElection } from '@omov/core/crypto/election';
import { parseEncryptedTally, partialDecrypt } from '@omov/core/crypto/tally';
import { decryptPools, parseBranchTallies, writeTrusteeDecryption } from '@omov/core/crypto/branch-tally';
import { trusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import { afterShuffles, mergeNonHomomorphic, parseShuffle } from '@omov/core/crypto/shuffle';
import {
  parseTrusteePrivateKey,
  writeSigned,
  writeTrusteePrivateKey,
  writeTrusteePublicKey,
} from '@omov/core/crypto/trustee';
import { el, scriptedPage } from './page';

type Task = {
  ballotId: string;
  title: string;
  position: number;
  name: string;
  trustees: number;
  threshold: number;
  group: string;
  next: 'certificate' | 'polynomial' | 'verification-key' | 'waiting' | 'shuffle' | 'decrypt' | 'done';
  certificates: unknown[] | null;
  polynomials: unknown[] | null;
  publicKey: string | null;
  /** After the close: the election and its encrypted tally, to decrypt. */
  election: string | null;
  encryptedTally: string | null;
  /** The pools of branches and their encrypted sub-tallies, decrypted with the tally. */
  branchTallies: string | null;
  /** After the close, where a question is ranked: every shuffle so far, in order. */
  shuffles: unknown[] | null;
};

/** The election, the encrypted tally, and the ranked questions' ciphertexts after every shuffle so far (each checked). */
function countInputs(t: Task) {
  const election = parseElection(t.election!);
  const tally = parseEncryptedTally(t.encryptedTally!);
  const shuffles = (t.shuffles ?? []).map((x) => parseShuffle(JSON.stringify(x)));
  return { election, tally, current: afterShuffles(election, tally, shuffles) };
}

const TOKEN_KEY = 'omov-trustee-token';
const { app, problem, say, fail, button } = scriptedPage('trustee');

/**
 * The token comes in the link's fragment, which the browser never sends to the server. It is
 * kept for this tab only (sessionStorage) and taken out of the address bar, so that it is not
 * in a screenshot, the history or a bookmark.
 */
function takeToken(): string | null {
  const fromLink = location.hash.slice(1);
  if (/^[A-Za-z0-9_-]{43}$/.test(fromLink)) {
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = takeToken();

async function api(method: 'GET' | 'PUT', path: string, body?: string): Promise<Task> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const json = (await res.json()) as Task & { detail?: string; errors?: Array<{ path: string; message: string }> };
  if (!res.ok) {
    const detail = json.errors?.length ? `: ${json.errors.map((e) => e.message).join('; ')}` : '';
    throw new Error(`${json.detail ?? `the server answered ${res.status}`}${detail}`);
  }
  return json;
}

/** Offers a file to save; nothing of it goes to the server. */
function download(name: string, text: string): void {
  const a = el('a', undefined, {
    download: name,
    href: URL.createObjectURL(new Blob([text], { type: 'application/json' })),
  });
  document.body.append(a);
  a.click();
  a.remove();
}

/** A file input with its label; `onFile` gets the file's text. */
function fileInput(id: string, label: string, onFile: (text: string) => Promise<void>): HTMLElement {
  const p = el('p');
  const input = el('input', undefined, { type: 'file', id, accept: '.json,application/json' });
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void f.text().then(onFile).catch(fail);
  });
  p.append(el('label', label, { for: id }), el('br'), input);
  return p;
}

const fileName = (t: Task, what: string) => `trustee-${t.position}-${what}-${t.ballotId.slice(0, 8)}.json`;

function readSecrets(text: string): TrusteeSecrets {
  return parseTrusteeSecrets(text.trim());
}

function fingerprints(t: Task): HTMLElement {
  const section = el('section', undefined, { 'aria-labelledby': 'fingerprints-heading' });
  section.append(el('h2', 'Certificate fingerprints', { id: 'fingerprints-heading' }));
  if (!t.certificates) {
    section.append(el('p', "They are shown here once every trustee's certificate is in."));
    return section;
  }
  section.append(
    el(
      'p',
      'Before your next step, compare these with the other trustees by a route of your own (by phone, in person): ' +
        'each trustee reads out their own. If one differs, someone stands in for a trustee: stop and tell the others.',
    ),
  );
  const table = el('table');
  const head = el('tr');
  head.append(el('th', 'Trustee', { scope: 'col' }), el('th', 'Fingerprint', { scope: 'col' }));
  table.append(head);
  t.certificates.forEach((c, i) => {
    const row = el('tr');
    const who = i + 1 === t.position ? `${i + 1} (you)` : String(i + 1);
    row.append(el('td', who), el('td', undefined));
    row.lastElementChild!.append(el('code', certificateFingerprint(parseCertificate(JSON.stringify(c)))));
    table.append(row);
  });
  const scroll = el('div', undefined, { class: 'scroll' });
  scroll.append(table);
  section.append(scroll);
  return section;
}

function stepOne(t: Task): HTMLElement[] {
  const G = groupNamed(t.group);
  return [
    el('h2', 'Step 1 of 3: your keys'),
    el(
      'p',
      'Make your keys here, in your browser. Save the secrets file it gives you where only you can reach it ' +
        '(not on a shared computer): you need it for steps 2 and 3. The server never sees it.',
    ),
    el('p').appendChild(
      button('Make my keys and save my secrets file', () => {
        const { secrets } = makeCertificate(G, systemRandom);
        download(fileName(t, 'secrets'), writeTrusteeSecrets(secrets));
        say('Your secrets file is offered for saving. Now load it below: that checks it is saved.');
      }),
    ).parentElement!,
    fileInput(
      'secrets-1',
      'Load your secrets file (the one just saved, or one made with "omov trustee certificate") to send your certificate',
      async (text) => {
        const certificate = certificateOf(G, readSecrets(text), systemRandom);
        say('Sending your certificate…');
        show(await api('PUT', '/trustee/certificate', writeSigned(certificate)));
        say(`Your certificate is in. Its fingerprint: ${certificateFingerprint(certificate)}`);
      },
    ),
  ];
}

function stepTwo(t: Task): HTMLElement[] {
  const G = groupNamed(t.group);
  const certificates = t.certificates!.map((c) => parseCertificate(JSON.stringify(c)));
  return [
    el('h2', 'Step 2 of 3: your polynomial'),
    el(
      'p',
      'Compare the fingerprints below with the other trustees first. Then load your secrets file: your browser ' +
        'makes your polynomial (its commitments, and a share for each trustee, encrypted to them) and sends it.',
    ),
    fileInput('secrets-2', 'Load your secrets file to make and send your polynomial', async (text) => {
      const secrets = readSecrets(text);
      const mine = positionOf(G, certificates, secrets);
      if (mine !== t.position)
        throw new Error(`this secrets file is trustee ${mine}'s, and this page is trustee ${t.position}'s`);
      const polynomial = makePolynomial(G, secrets, certificates, t.threshold, systemRandom);
      say('Sending your polynomial…');
      show(await api('PUT', '/trustee/polynomial', writePolynomial(polynomial)));
      say('Your polynomial is in.');
    }),
  ];
}

function stepThree(t: Task): HTMLElement[] {
  const G = groupNamed(t.group);
  const certificates = t.certificates!.map((c) => parseCertificate(JSON.stringify(c)));
  const polynomials = t.polynomials!.map((p) => parsePolynomial(JSON.stringify(p)));
  return [
    el('h2', 'Step 3 of 3: your key share'),
    el(
      'p',
      'Load your secrets file: your browser checks the share each trustee sent you against their commitments, ' +
        'offers your key share as a file to save (you need it to decrypt the count: keep it until then, where only ' +
        'you can reach it), and sends the server only your verification key.',
    ),
    fileInput('secrets-3', 'Load your secrets file to make your key share', async (text) => {
      const share = combineShares(G, readSecrets(text), certificates, polynomials, t.threshold, systemRandom);
      download(fileName(t, 'key'), writeTrusteePrivateKey(share.privateKey));
      say(
        'Every share sent to you is right. Your key share file is offered for saving; sending your verification key…',
      );
      show(await api('PUT', '/trustee/verification-key', writeTrusteePublicKey(share.verificationKey)));
      say('Your verification key is in. Keep your key share file until the count.');
    }),
  ];
}

/**
 * After the close, where a question is ranked: the trustee's shuffle of its ballots, made here
 * (it needs no key: it re-encrypts and permutes, with a proof), checked by the server.
 */
function shuffleStep(t: Task): HTMLElement[] {
  return [
    el('h2', 'The count: shuffle the ranked ballots'),
    el(
      'p',
      'The ballot has closed. Its ranked ballots are decrypted one by one, so first the trustees each shuffle them: ' +
        'your browser re-encrypts them and puts them in a secret order, with a proof that it changed nothing else ' +
        '(and that each pool of branches’ ballots stayed together, for the figures by branch). ' +
        'No key is needed. It can take a few minutes for a large ballot; keep this page open. ' +
        '(Or run "omov trustee shuffle --server … --token-file …" on your own computer.)',
    ),
    el('p').appendChild(
      button('Shuffle the ranked ballots', async () => {
        say('Checking the shuffles before yours, and shuffling…');
        await new Promise((resolve) => setTimeout(resolve, 0));
        const { election, current } = countInputs(t);
        // Each pool of branches kept together, with a proof per pool, for the ranked questions' branch figures.
        const pools = t.branchTallies ? parseBranchTallies(election, t.branchTallies) : undefined;
        const made = trusteeShuffle(election, current, pools, (t.shuffles ?? []).length, systemRandom);
        show(await api('PUT', '/trustee/shuffle', made.text));
        say('Your shuffle is in, and its proof holds.');
      }),
    ).parentElement!,
  ];
}

/** After the close: the trustee's partial decryption of the encrypted totals, made here with their key share. */
function decryptStep(t: Task): HTMLElement[] {
  return [
    el('h2', 'The count: your partial decryption'),
    el(
      'p',
      'The ballot has closed. Load the key share file you saved at step 3: your browser decrypts its part of the ' +
        "encrypted totals and each pool of branches' totals (never a single vote) and sends the server only that partial decryption with its proof. " +
        'The key share itself never leaves this computer.',
    ),
    fileInput('key-share', 'Load your key share file to decrypt your part of the count', async (text) => {
      const privateKey = parseTrusteePrivateKey(text.trim());
      say('Decrypting your part of the count…');
      const { election, tally, current } = countInputs(t);
      // Ranked questions: the last shuffle's ciphertexts, never the ballots as cast.
      const merged = current.length ? mergeNonHomomorphic(election, tally, current) : tally;
      const pd = partialDecrypt(election, merged, privateKey, systemRandom);
      const pools = t.branchTallies
        ? decryptPools(election, parseBranchTallies(election, t.branchTallies), privateKey, systemRandom)
        : undefined;
      show(await api('PUT', '/trustee/partial-decryption', writeTrusteeDecryption(pd, pools)));
      say('Your partial decryption is in, and its proof holds.');
    }),
  ];
}

let poll: ReturnType<typeof setTimeout> | undefined;

function show(t: Task): void {
  clearTimeout(poll);
  const about = el('p');
  about.append(
    'Ballot: ',
    el('strong', t.title),
    `. You are trustee ${t.position} of ${t.trustees} (${t.name}); any ${t.threshold} of the trustees will be needed to decrypt the count.`,
  );
  const steps: HTMLElement[] =
    t.next === 'certificate'
      ? stepOne(t)
      : t.next === 'polynomial'
        ? stepTwo(t)
        : t.next === 'verification-key'
          ? stepThree(t)
          : t.next === 'decrypt'
            ? decryptStep(t)
            : t.next === 'shuffle'
              ? shuffleStep(t)
              : t.next === 'waiting'
                ? [
                    el(
                      'h2',
                      t.encryptedTally ? 'Waiting for the other trustees’ shuffles' : 'Waiting for the other trustees',
                    ),
                    el(
                      'p',
                      'Your part of this step is in. This page checks every few seconds and shows your next step.',
                    ),
                    el('p').appendChild(button('Check now', async () => show(await api('GET', '/trustee'))))
                      .parentElement!,
                  ]
                : t.encryptedTally
                  ? [
                      el('h2', 'Your part of the count is done'),
                      el(
                        'p',
                        'Your partial decryption is in (or enough trustees have decrypted already). The result is computed ' +
                          'once enough trustees have sent theirs.',
                      ),
                    ]
                  : [
                      el('h2', "The election's key is made"),
                      el(
                        'p',
                        'Every trustee has done their part. Keep your key share file (and your secrets file) until the count: ' +
                          'you will need it then to decrypt, with this page or "omov trustee decrypt".',
                      ),
                    ];
  app.replaceChildren(about, ...steps, fingerprints(t));
  app.dataset.next = t.next;
  if (t.next !== 'done') watch();
}

/**
 * Every few seconds, whether the step has moved on: the other trustees', or this trustee's
 * own step done elsewhere (with `omov trustee --server`). The page is redrawn only when it
 * has, so that a file being chosen is not swept away.
 */
function watch(): void {
  poll = setTimeout(() => {
    api('GET', '/trustee')
      .then((t) => (t.next === app.dataset.next ? watch() : show(t)))
      .catch(fail);
  }, 3000);
}

if (!token) {
  say('');
  problem.textContent =
    'This page needs your own trustee link, from the email or the message the organiser sent you. Open that link.';
} else {
  say('Loading your task…');
  api('GET', '/trustee')
    .then((t) => {
      say('');
      show(t);
    })
    .catch(fail);
}
