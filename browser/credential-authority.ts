/**
 * The credential authority's page (/credential-authority#TOKEN, docs/verifiable.md): the
 * authority makes one private credential per member here, in their browser, with the same
 * core code as `omov credentials generate`, from the roll the server publishes for them
 * (member ids, branches and weights). The private credentials are only offered as a file to
 * save (the `member_id,credential` file that `omov credentials send` and `letters` read); the
 * server receives only the public credentials. Bundled by scripts/bundle-browser.js and
 * served as /assets/app/credential-authority.js.
 */
import { makeCredentials } from '@omov/core/crypto/credential';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { el, scriptedPage } from './page';

type Roll = {
  ballotId: string;
  title: string;
  credentialAuthority: string;
  electionUuid: string;
  group: string;
  uploadedGroup: string | null;
  members: Array<{ memberId: string; branch: string; weight: string }>;
};
type Published = { count?: number; byBranch?: Record<string, number> } & Record<string, unknown>;
type PublicCredentials = { credentials: Array<{ credential: string; weight: string; branch: string }> };

const TOKEN_KEY = 'omov-authority-token';
const { app, problem, say, fail, button } = scriptedPage('credential-authority');

/** The token comes in the link's fragment, never sent by the browser; kept for this tab only and taken out of the address bar. */
function takeToken(): string | null {
  const fromLink = location.hash.slice(1);
  if (/^[A-Za-z0-9_-]{43}$/.test(fromLink)) {
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = takeToken();

async function api<T>(method: 'GET' | 'PUT', path: string, body?: string): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const json = (await res.json()) as T & { detail?: string; errors?: Array<{ path: string; message: string }> };
  if (!res.ok) {
    const detail = json.errors?.length ? `: ${json.errors.map((e) => e.message).join('; ')}` : '';
    throw new Error(`${json.detail ?? `the server answered ${res.status}`}${detail}`);
  }
  return json;
}

/** Offers a file to save; nothing of it goes to the server. */
function download(name: string, text: string, type: string): void {
  const a = el('a', undefined, { download: name, href: URL.createObjectURL(new Blob([text], { type })) });
  document.body.append(a);
  a.click();
  a.remove();
}

function branchCounts(roll: Roll): HTMLElement {
  const counts = new Map<string, number>();
  for (const m of roll.members) counts.set(m.branch, (counts.get(m.branch) ?? 0) + 1);
  const table = el('table');
  const head = el('tr');
  head.append(el('th', 'Branch', { scope: 'col' }), el('th', 'Eligible members', { scope: 'col' }));
  table.append(head);
  for (const [branch, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const row = el('tr');
    row.append(el('td', branch), el('td', String(n)));
    table.append(row);
  }
  const scroll = el('div', undefined, { class: 'scroll' });
  scroll.append(table);
  return scroll;
}

function show(roll: Roll): void {
  const about = el('p');
  about.append(
    'Ballot: ',
    el('strong', roll.title),
    `. You are its credential authority (${roll.credentialAuthority}): ${roll.members.length} eligible members.`,
  );
  // The questions changed group after the upload: the ballot cannot open on those credentials.
  const remake =
    roll.uploadedGroup !== null && roll.uploadedGroup !== roll.group
      ? el(
          'p',
          `The credentials you sent were made for ${roll.uploadedGroup}, and the ballot's questions have changed: ` +
            `they now need ${roll.group}, so the ballot cannot open on them. Make the credentials again below and send ` +
            'them; then deliver the new private credentials (the old ones will not vote).',
          { class: 'problem', id: 'remake' },
        )
      : '';
  const fileName = `credentials-private-${roll.ballotId.slice(0, 8)}.csv`;
  let made: { privateText: string; publicText: string } | undefined;
  const sendStep = el('section', undefined, { 'aria-labelledby': 'send-heading', hidden: '' });
  const sendButton = button('Send the public credentials', async () => {
    say('Sending the public credentials…');
    await api<Published>('PUT', '/credential-authority/public-credentials', made!.publicText);
    app.dataset.step = 'sent';
    say(
      `The server has the ${roll.members.length} public credentials. Deliver each member their private credential ` +
        'from the file you saved: with "omov credentials send" through your own mail server, or as letters.',
    );
  });
  sendStep.append(
    el('h2', 'Step 2: send the public credentials', { id: 'send-heading' }),
    el(
      'p',
      'Only the public credentials go to the server: it can check a ballot is signed by one, and cannot make one.',
    ),
    el('p').appendChild(sendButton).parentElement!,
    el('p').appendChild(
      button('Save the private credentials again', () => download(fileName, made!.privateText, 'text/csv')),
    ).parentElement!,
  );
  app.replaceChildren(
    about,
    remake,
    el('h2', 'The roll'),
    el('p', 'Member ids, branches and weights only: the server gives you no names or emails for this step.'),
    branchCounts(roll),
    el('h2', 'Step 1: make the credentials'),
    el(
      'p',
      'Your browser makes one private credential per member and offers them as a file to save ' +
        '(member_id,credential: the file "omov credentials send" and "omov credentials letters" read). Keep it where ' +
        'only you can reach it: whoever holds a private credential can vote in that member’s name. The server never sees it.',
    ),
    el('p').appendChild(
      button('Make the credentials and save the private ones', () => {
        say('Making the credentials…');
        const credentials = makeCredentials(
          groupNamed(roll.group),
          roll.electionUuid,
          roll.members.map((m) => ({ ...m, weight: BigInt(m.weight) })),
          systemRandom,
        );
        made = {
          privateText: [
            'member_id,credential',
            ...credentials.privateCredentials.map((c) => `${c.memberId},${c.credential}`),
          ].join('\n'),
          publicText: JSON.stringify({
            credentials: credentials.publicCredentials.map((c) => ({
              credential: String(c.credential),
              weight: String(c.weight),
              branch: c.branch,
            })),
          } satisfies PublicCredentials),
        };
        download(fileName, made.privateText, 'text/csv');
        sendStep.hidden = false;
        app.dataset.step = 'made';
        say('The private credentials are offered for saving. Save them, then send the public ones (step 2).');
      }),
    ).parentElement!,
    sendStep,
  );
  app.dataset.step = 'roll';
}

if (!token) {
  say('');
  problem.textContent =
    'This page needs your own credential authority link, from the email or the message the organiser sent you. Open that link.';
} else {
  say('Loading the roll…');
  api<Roll>('GET', '/credential-authority/roll')
    .then((roll) => {
      say('');
      show(roll);
    })
    .catch(fail);
}
