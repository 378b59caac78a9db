// The dashboard: a client of the public API and nothing else. The API key lives in sessionStorage only
// (never in a URL or a cookie). Every value from the API reaches the page through textContent or an
// attribute, never as HTML; the page's CSP (Trusted Types) would refuse an HTML string anyway.

const KEY_STORAGE = 'urlshortener.apiKey';
const PAGE_SIZE = 20;
const SCOPES = { write: 'links:write', read: 'links:read', stats: 'stats:read' };

const FIELD_NAMES = {
  url: 'The destination URL',
  alias: 'The alias',
  title: 'The title',
  tags: 'Tags',
  expiresAt: 'The expiry',
  maxClicks: 'Max clicks',
  redirectType: 'The redirect type',
  fallbackUrl: 'The fallback URL',
  forwardQuery: 'Passing the query on',
  password: 'The password',
  disabled: 'Disabled',
  'utm.source': 'The UTM source',
  'utm.medium': 'The UTM medium',
  'utm.campaign': 'The UTM campaign',
  'utm.term': 'The UTM term',
  'utm.content': 'The UTM content',
  q: 'The search',
  tag: 'The tag',
  from: 'From',
  to: 'To',
  granularity: 'The granularity',
};

const BREAKDOWNS = [
  ['referrers', 'Referrers'],
  ['browsers', 'Browsers'],
  ['operatingSystems', 'Operating systems'],
  ['devices', 'Devices'],
  ['countries', 'Countries'],
  ['campaigns', 'Campaigns'],
  ['sources', 'Sources (link or QR code)'],
];

const COUNT_TICKS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

const $ = (id) => document.getElementById(id);

const session = { signedIn: false, key: null, owner: null, scopes: [] };
const list = { q: '', tag: '', cursors: [null], page: 0 };
let chart = null;
let firstChartMarked = false;
let statsCode = null;
let noticeTimer = 0;

/** An element with attributes and children; text always as text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

class ApiError extends Error {
  constructor(status, problem, response) {
    super(problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.response = response;
  }
}

/** Calls the API with the session's key; answers the response, or throws an ApiError with the problem. */
async function api(path, { method = 'GET', body, accept = 'application/json', key = session.key } = {}) {
  const headers = { Accept: accept };
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'manual',
    });
  } catch {
    throw new ApiError(0, { title: 'The server could not be reached.', detail: 'Check the connection and try again.' });
  }
  if (response.ok) return response;
  let problem = null;
  if ((response.headers.get('Content-Type') ?? '').includes('json')) {
    try { problem = await response.json(); } catch { problem = null; }
  }
  const error = new ApiError(response.status, problem ?? { title: `The server answered ${response.status}.` }, response);
  // A key that stops working mid-session (revoked, rotated) sends the user back to sign in.
  if (response.status === 401 && session.signedIn && key === session.key) {
    signOut('The API key was refused. Sign in again with a valid key.');
  }
  throw error;
}

/** A sentence for the user from a failed call. */
function describe(error) {
  const problem = error.problem ?? {};
  switch (error.status) {
    case 0: return `${problem.title} ${problem.detail}`;
    case 401: return 'That API key was not accepted. Check that you pasted the whole key.';
    case 403: return 'This API key is not allowed to do that (it lacks the scope for it).';
    case 429: {
      const seconds = error.response?.headers.get('Retry-After');
      return seconds ? `Too many requests. Try again in ${seconds} seconds.` : 'Too many requests. Try again shortly.';
    }
    default: return [problem.title, problem.detail].filter(Boolean).join(' ') || `The server answered ${error.status}.`;
  }
}

function notice(message) {
  const element = $('notice');
  element.textContent = message;
  element.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { element.hidden = true; }, 6000);
}

function showError(element, message) {
  element.textContent = message;
  element.hidden = !message;
}

function can(scope) { return session.scopes.includes(scope); }

// ---- Forms and their errors ----

function clearFieldErrors(form) {
  for (const error of form.querySelectorAll('.field-error')) error.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Puts each of a problem's field errors next to its field; answers the ones no field of the form names. */
function showFieldErrors(form, errors) {
  const unplaced = [];
  let first = null;
  for (const [field, messages] of Object.entries(errors ?? {})) {
    const name = field.replace(/\[\d+\]$/, '');
    const text = messages.map((m) => `${FIELD_NAMES[name] ?? name} ${m}`).join(' ');
    const slot = form.querySelector(`.field-error[data-field="${CSS.escape(name)}"]`);
    if (!slot) {
      unplaced.push(text);
      continue;
    }
    slot.textContent = text;
    const input = form.querySelector(`[aria-describedby~="${CSS.escape(slot.id)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first ??= input;
    }
  }
  first?.focus();
  return unplaced;
}

// ---- Sign-in ----

async function signIn(key) {
  const response = await api('/api/key', { key });
  const identity = await response.json();
  session.signedIn = true;
  session.key = key;
  session.owner = identity.owner;
  session.scopes = identity.scopes;
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  $('who-owner').textContent = key ? `Signed in as ${identity.owner}` : `Open development server (owner ${identity.owner})`;
  $('who').hidden = false;
  $('sign-out').hidden = !key;
  $('new-link').hidden = !can(SCOPES.write);
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  Object.assign(session, { signedIn: false, key: null, owner: null, scopes: [] });
  $('who').hidden = true;
  $('links-body').replaceChildren();
  destroyChart();
  list.cursors = [null];
  list.page = 0;
  if (message) showError($('api-key-error'), message);
  if (location.hash !== '') history.replaceState(null, '', location.pathname);
  route();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('api-key');
  const key = input.value.trim();
  showError($('api-key-error'), '');
  input.removeAttribute('aria-invalid');
  try {
    await signIn(key || null);
    input.value = '';
    route();
  } catch (error) {
    input.setAttribute('aria-invalid', 'true');
    const message = error.status === 401 && !key ? 'Paste an API key: this server needs one.' : describe(error);
    showError($('api-key-error'), message);
    input.focus();
  }
});

$('sign-out').addEventListener('click', () => signOut(''));

// ---- Views ----

const VIEWS = ['sign-in-view', 'links-view', 'editor-view', 'stats-view'];

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
}

function route() {
  if (!session.signedIn) {
    show('sign-in-view');
    $('api-key').focus();
    return;
  }
  const hash = location.hash;
  let match;
  if (hash === '' || hash === '#' || hash === '#/' || hash === '#/links') {
    showLinks();
  } else if (hash === '#/links/new') {
    showEditor(null);
  } else if ((match = /^#\/links\/([A-Za-z0-9_-]{1,64})\/edit$/.exec(hash))) {
    showEditor(match[1]);
  } else if ((match = /^#\/links\/([A-Za-z0-9_-]{1,64})(?:\?(.*))?$/.exec(hash))) {
    showStats(match[1], new URLSearchParams(match[2] ?? ''));
  } else {
    location.hash = '#/links';
  }
}

window.addEventListener('hashchange', route);

// ---- Links ----

function showLinks() {
  show('links-view');
  $('new-link').hidden = !can(SCOPES.write);
  loadLinks();
}

async function loadLinks() {
  const form = $('search-form');
  clearFieldErrors(form);
  showError($('links-error'), '');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (list.q) query.set('q', list.q);
  if (list.tag) query.set('tag', list.tag);
  const cursor = list.cursors[list.page];
  if (cursor) query.set('cursor', cursor);
  try {
    const page = await (await api(`/api/links?${query}`)).json();
    list.cursors[list.page + 1] = page.nextCursor ?? null;
    renderLinks(page.items);
    $('prev-page').disabled = list.page === 0;
    $('next-page').disabled = !page.nextCursor;
    $('page-info').textContent = `Page ${list.page + 1}`;
  } catch (error) {
    if (!session.signedIn) return;
    const unplaced = error.status === 400 ? showFieldErrors(form, error.problem.errors) : [describe(error)];
    if (unplaced.length) showError($('links-error'), unplaced.join(' '));
  }
}

function linkStatus(link) {
  if (link.disabled) return 'Disabled';
  if (link.exhaustedAt) return 'Used up';
  if (link.expiresAt && Date.parse(link.expiresAt) <= Date.now()) return 'Expired';
  return 'Active';
}

function renderLinks(links) {
  const rows = links.map((link) => {
    const status = linkStatus(link);
    const actions = h('div', { class: 'actions' });
    actions.append(h('button', { type: 'button', class: 'small secondary', 'aria-label': `Copy ${link.shortUrl}`, onclick: () => copy(link.shortUrl) }, 'Copy'));
    if (can(SCOPES.stats)) actions.append(h('a', { class: 'button small secondary', href: `#/links/${link.code}`, 'aria-label': `Stats of ${link.code}` }, 'Stats'));
    if (can(SCOPES.read)) actions.append(h('button', { type: 'button', class: 'small secondary', 'aria-label': `Download the QR code of ${link.code}`, onclick: () => downloadQr(link.code) }, 'QR'));
    if (can(SCOPES.write)) {
      actions.append(
        h('a', { class: 'button small secondary', href: `#/links/${link.code}/edit`, 'aria-label': `Edit ${link.code}` }, 'Edit'),
        h('button', { type: 'button', class: 'small secondary', 'aria-label': `${link.disabled ? 'Enable' : 'Disable'} ${link.code}`, onclick: () => setDisabled(link, !link.disabled) }, link.disabled ? 'Enable' : 'Disable'),
        deleteButton(link));
    }
    return h('tr', { 'data-code': link.code },
      h('td', { 'data-label': 'Short link', class: 'code' }, safeLink(link.shortUrl, link.code)),
      h('td', { 'data-label': 'Title', class: 'url' }, link.title ?? ''),
      h('td', { 'data-label': 'Destination', class: 'url' }, link.url),
      h('td', { 'data-label': 'Tags' }, link.tags.map((tag) => h('span', { class: 'tag' }, tag))),
      h('td', { 'data-label': 'Status', class: status === 'Active' ? 'status' : 'status inactive' }, status + (link.passwordProtected ? ' · password' : '')),
      h('td', { 'data-label': 'Actions' }, actions));
  });
  $('links-body').replaceChildren(...rows);
  $('links-empty').hidden = links.length > 0;
}

/** A link to a short URL the API gave, only if it is http(s); otherwise its text. */
function safeLink(url, text) {
  return /^https?:\/\//i.test(url) ? h('a', { href: url, rel: 'noreferrer', target: '_blank' }, text) : h('span', {}, text);
}

function deleteButton(link) {
  let armed = 0;
  const button = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${link.code}` }, 'Delete');
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = 'Confirm delete';
      button.classList.add('armed');
      armed = setTimeout(() => { armed = 0; button.textContent = 'Delete'; button.classList.remove('armed'); }, 5000);
      return;
    }
    clearTimeout(armed);
    try {
      await api(`/api/links/${encodeURIComponent(link.code)}`, { method: 'DELETE' });
      notice(`Deleted ${link.shortUrl}. It answers 410 from now on.`);
      loadLinks();
    } catch (error) {
      showError($('links-error'), describe(error));
    }
  });
  return button;
}

async function setDisabled(link, disabled) {
  try {
    await api(`/api/links/${encodeURIComponent(link.code)}`, { method: 'PATCH', body: { disabled } });
    notice(`${disabled ? 'Disabled' : 'Enabled'} ${link.shortUrl}.`);
    loadLinks();
  } catch (error) {
    showError($('links-error'), describe(error));
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    notice(`Copied ${text}`);
  } catch {
    notice(`Copy it from here: ${text}`);
  }
}

function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const anchor = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

async function downloadQr(code) {
  try {
    const response = await api(`/api/links/${encodeURIComponent(code)}/qr?format=png&size=512`, { accept: 'image/png' });
    download(await response.blob(), `${code}-qr.png`);
  } catch (error) {
    showError($('links-error'), describe(error));
  }
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  list.q = $('search-q').value.trim();
  list.tag = $('search-tag').value.trim();
  list.cursors = [null];
  list.page = 0;
  loadLinks();
});

$('clear-search').addEventListener('click', () => {
  $('search-q').value = '';
  $('search-tag').value = '';
  list.q = '';
  list.tag = '';
  list.cursors = [null];
  list.page = 0;
  loadLinks();
});

$('next-page').addEventListener('click', () => {
  if (!list.cursors[list.page + 1]) return;
  list.page += 1;
  loadLinks();
});

$('prev-page').addEventListener('click', () => {
  if (list.page === 0) return;
  list.page -= 1;
  loadLinks();
});

// ---- Create and edit ----

let editing = null;

function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function showEditor(code) {
  const form = $('link-form');
  form.reset();
  clearFieldErrors(form);
  showError($('form-error'), '');
  editing = null;
  show('editor-view');
  const creating = code === null;
  $('editor-heading').textContent = creating ? 'New link' : `Edit ${code}`;
  $('save-link').textContent = creating ? 'Create link' : 'Save changes';
  $('alias-field').hidden = !creating;
  $('disabled-field').hidden = creating;
  $('remove-password-field').hidden = true;
  $('f-password-label').firstChild.textContent = 'Password visitors must give ';
  if (!can(SCOPES.write)) {
    showError($('form-error'), 'This API key may only read: creating and changing links needs the links:write scope.');
    $('save-link').disabled = true;
    return;
  }
  $('save-link').disabled = false;
  $('f-url').focus();
  if (creating) return;
  try {
    const link = await (await api(`/api/links/${encodeURIComponent(code)}`)).json();
    editing = link;
    $('f-url').value = link.url;
    $('f-title').value = link.title ?? '';
    $('f-tags').value = link.tags.join(', ');
    $('f-expires').value = toLocalInput(link.expiresAt);
    $('f-max-clicks').value = link.maxClicks ?? '';
    $('f-redirect-type').value = String(link.redirectType);
    $('f-fallback').value = link.fallbackUrl ?? '';
    $('f-forward-query').checked = link.forwardQuery;
    for (const name of ['source', 'medium', 'campaign', 'term', 'content']) $(`f-utm-${name}`).value = link.utm?.[name] ?? '';
    $('f-disabled').checked = link.disabled;
    if (link.passwordProtected) {
      $('f-password-label').firstChild.textContent = 'New password (leave empty to keep the current one) ';
      $('remove-password-field').hidden = false;
    }
  } catch (error) {
    showError($('form-error'), describe(error));
    $('save-link').disabled = true;
  }
}

function linkBody(creating) {
  const value = (id) => $(id).value.trim();
  const orNull = (text) => (text === '' ? null : text);
  const body = { url: value('f-url') };
  if (creating && value('f-alias')) body.alias = value('f-alias');
  body.title = orNull(value('f-title'));
  body.tags = value('f-tags') === '' ? [] : value('f-tags').split(',').map((t) => t.trim()).filter(Boolean);
  const expires = value('f-expires');
  body.expiresAt = expires === '' ? null : (Number.isNaN(Date.parse(expires)) ? expires : new Date(expires).toISOString());
  const maxClicks = value('f-max-clicks');
  body.maxClicks = maxClicks === '' ? null : (/^\d+$/.test(maxClicks) ? Number(maxClicks) : maxClicks);
  body.redirectType = Number($('f-redirect-type').value);
  body.fallbackUrl = orNull(value('f-fallback'));
  body.forwardQuery = $('f-forward-query').checked;
  const utm = {};
  for (const name of ['source', 'medium', 'campaign', 'term', 'content']) {
    const text = value(`f-utm-${name}`);
    if (text !== '') utm[name] = text;
  }
  body.utm = Object.keys(utm).length ? utm : null;
  const password = $('f-password').value;
  if (!creating && $('f-remove-password').checked) body.password = null;
  else if (password !== '') body.password = password;
  if (!creating) body.disabled = $('f-disabled').checked;
  if (creating) {
    // A create sends only what was filled in.
    for (const [name, field] of Object.entries(body)) {
      if (field === null || (Array.isArray(field) && field.length === 0)) delete body[name];
    }
    if (body.redirectType === 302) delete body.redirectType;
    if (body.forwardQuery === false) delete body.forwardQuery;
  }
  return body;
}

$('link-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = $('link-form');
  const creating = editing === null;
  clearFieldErrors(form);
  showError($('form-error'), '');
  const save = $('save-link');
  save.disabled = true;
  try {
    const response = creating
      ? await api('/api/links', { method: 'POST', body: linkBody(true) })
      : await api(`/api/links/${encodeURIComponent(editing.code)}`, { method: 'PATCH', body: linkBody(false) });
    const link = await response.json();
    notice(creating ? `Created ${link.shortUrl}` : `Saved ${link.shortUrl}`);
    location.hash = '#/links';
  } catch (error) {
    if (!session.signedIn) return;
    let unplaced;
    if (error.status === 400 && error.problem.errors) {
      unplaced = showFieldErrors(form, error.problem.errors);
    } else if (error.status === 409 && String(error.problem.type).endsWith(':alias-taken')) {
      unplaced = showFieldErrors(form, { alias: ['is taken: choose another.'] });
    } else {
      unplaced = [describe(error)];
    }
    if (unplaced.length) showError($('form-error'), unplaced.join(' '));
  } finally {
    save.disabled = false;
  }
});

// ---- Stats ----

function destroyChart() {
  chart?.destroy();
  chart = null;
}

/** A view of a link's stats can be linked to: #/links/{code}?range=30d&granularity=day&from=…&to=…&bots=1. */
function applyStatsParameters(parameters) {
  const range = parameters.get('range');
  if (['24h', '7d', '30d', 'custom'].includes(range)) {
    $('stats-range').value = range;
    $('stats-granularity').value = range === '24h' || range === '7d' ? 'hour' : 'day';
  }
  const granularity = parameters.get('granularity');
  if (granularity === 'hour' || granularity === 'day') $('stats-granularity').value = granularity;
  const custom = $('stats-range').value === 'custom';
  $('stats-from-field').hidden = !custom;
  $('stats-to-field').hidden = !custom;
  for (const name of ['from', 'to']) {
    const day = parameters.get(name);
    if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) $(`stats-${name}`).value = day;
  }
  if (parameters.has('bots')) $('stats-bots').checked = parameters.get('bots') === '1';
}

async function showStats(code, parameters = new URLSearchParams()) {
  show('stats-view');
  statsCode = code;
  applyStatsParameters(parameters);
  $('stats-heading').textContent = `Stats of ${code}`;
  $('stats-short-url').replaceChildren();
  $('stats-destination').textContent = '';
  if (can(SCOPES.read)) {
    api(`/api/links/${encodeURIComponent(code)}`).then((r) => r.json()).then((link) => {
      if (statsCode !== code) return;
      if (link.title) $('stats-heading').textContent = `Stats of ${code}: ${link.title}`;
      const anchor = $('stats-short-url');
      anchor.textContent = link.shortUrl;
      if (/^https?:\/\//i.test(link.shortUrl)) anchor.href = link.shortUrl;
      $('stats-destination').textContent = link.url;
    }).catch(() => {});
  }
  await loadStats();
}

function statsRange() {
  const range = $('stats-range').value;
  const granularity = $('stats-granularity').value;
  if (range === 'custom') {
    const from = $('stats-from').value;
    const to = $('stats-to').value;
    const end = to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString() : '';
    return { from: from ? `${from}T00:00:00Z` : '', to: end, granularity };
  }
  const hours = { '24h': 24, '7d': 168, '30d': 720 }[range];
  const now = Date.now();
  const to = new Date(Math.ceil(now / 3600000) * 3600000);
  return { from: new Date(to.getTime() - hours * 3600000).toISOString(), to: to.toISOString(), granularity };
}

function statsQuery(extra = {}) {
  const range = statsRange();
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...range, ...extra })) if (value) query.set(name, value);
  return query;
}

async function loadStats() {
  const form = $('stats-form');
  const code = statsCode;
  clearFieldErrors(form);
  showError($('stats-error'), '');
  if (!can(SCOPES.stats)) {
    showError($('stats-error'), 'This API key may not read stats: that needs the stats:read scope.');
    return;
  }
  try {
    const stats = await (await api(`/api/links/${encodeURIComponent(code)}/stats?${statsQuery()}`)).json();
    if (statsCode !== code) return;
    renderStats(stats);
  } catch (error) {
    if (!session.signedIn) return;
    const unplaced = error.status === 400 ? showFieldErrors(form, error.problem.errors) : [describe(error)];
    if (unplaced.length) showError($('stats-error'), unplaced.join(' '));
  }
}

function renderStats(stats) {
  const bots = $('stats-bots').checked;
  const byDay = stats.granularity === 'day';
  $('total-clicks').textContent = stats.total.toLocaleString();
  $('total-unique').textContent = stats.uniqueVisitors.toLocaleString();
  $('total-qr').textContent = stats.qrScans.toLocaleString();
  $('total-bots').textContent = stats.botClicks.toLocaleString();
  $('total-bots-item').hidden = !bots;

  const notes = [`${stats.series.length} ${byDay ? 'days' : 'hours'} from ${new Date(stats.from).toLocaleString()} to ${new Date(stats.to).toLocaleString()} (UTC ${byDay ? 'days' : 'hours'}).`];
  if (!byDay) notes.push('Unique visitors are counted per UTC day: choose By day to chart them.');
  if (bots && !byDay) notes.push('Bot clicks are kept per day: choose By day to chart them.');
  $('chart-caption').textContent = notes.join(' ');

  const data = [stats.series.map((p) => Date.parse(p.start) / 1000), stats.series.map((p) => p.clicks)];
  const series = [{}, { label: 'Human clicks', stroke: '#0b57d0', width: 2, fill: 'rgba(11, 87, 208, 0.08)' }];
  if (byDay) {
    data.push(stats.series.map((p) => p.uniqueVisitors ?? 0));
    series.push({ label: 'Unique visitors', stroke: '#176b3a', width: 2, dash: [6, 4] });
    if (bots) {
      data.push(stats.series.map((p) => p.botClicks ?? 0));
      series.push({ label: 'Bot clicks', stroke: '#b42318', width: 2 });
    }
  }
  drawChart(data, series);
  $('chart').setAttribute('aria-label', `Chart of ${series.slice(1).map((s) => s.label.toLowerCase()).join(', ')}: ${stats.total} human clicks in all.`);

  const sections = BREAKDOWNS.map(([name, title]) => {
    const counts = stats[name] ?? [];
    const largest = counts.reduce((max, c) => Math.max(max, c.clicks), 0);
    const items = counts.slice(0, 10).map((count) => {
      const bar = h('div', { class: 'bar', 'aria-hidden': 'true' });
      bar.style.width = `${largest ? (100 * count.clicks) / largest : 0}%`;
      return h('li', {}, h('span', { class: 'name' }, count.name), h('span', { class: 'count' }, count.clicks.toLocaleString()), bar);
    });
    return h('section', { 'aria-label': title, 'data-breakdown': name },
      h('h3', {}, title),
      items.length ? h('ol', { class: 'bars' }, items) : h('p', { class: 'empty' }, 'No clicks yet.'));
  });
  $('breakdowns').replaceChildren(...sections);
}

function drawChart(data, series) {
  destroyChart();
  const container = $('chart');
  const width = Math.max(container.clientWidth, 280);
  chart = new window.uPlot({
    width,
    height: 300,
    series,
    scales: { x: { time: true } },
    // Clicks are whole numbers: ticks at 1, 2, 5, 10, 20, 50… only.
    axes: [{}, { label: 'Clicks', size: 60, incrs: COUNT_TICKS }],
    legend: { live: true },
  }, data, container);
  if (!firstChartMarked) {
    firstChartMarked = true;
    performance.mark('urlshortener:first-chart');
  }
}

window.addEventListener('resize', () => {
  if (chart) chart.setSize({ width: Math.max($('chart').clientWidth, 280), height: 300 });
});

$('stats-range').addEventListener('change', () => {
  const range = $('stats-range').value;
  const custom = range === 'custom';
  $('stats-from-field').hidden = !custom;
  $('stats-to-field').hidden = !custom;
  $('stats-granularity').value = range === '24h' || range === '7d' ? 'hour' : 'day';
  if (custom) {
    const today = new Date().toISOString().slice(0, 10);
    $('stats-to').value ||= today;
    $('stats-from').value ||= new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
  }
  loadStats();
});

$('stats-granularity').addEventListener('change', loadStats);
$('stats-bots').addEventListener('change', loadStats);
$('stats-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadStats();
});

$('stats-csv').addEventListener('click', async () => {
  showError($('stats-error'), '');
  try {
    const response = await api(`/api/links/${encodeURIComponent(statsCode)}/stats?${statsQuery({ format: 'csv' })}`, { accept: 'text/csv' });
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? `${statsCode}-stats.csv`;
    download(await response.blob(), name);
  } catch (error) {
    showError($('stats-error'), describe(error));
  }
});

// ---- Start ----

async function start() {
  const stored = sessionStorage.getItem(KEY_STORAGE);
  if (stored) {
    try {
      await signIn(stored);
    } catch (error) {
      sessionStorage.removeItem(KEY_STORAGE);
      showError($('api-key-error'), describe(error));
    }
  }
  route();
}

start();
