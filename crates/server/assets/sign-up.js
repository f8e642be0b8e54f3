// The sign-up page (`/sign-up`), the page the confirmation email links to (`/verify-email`, with
// the emailed token after the `#`, which never reaches the server's logs), through the server's
// JSON API; and the page an invitation links to (`/accept-invitation#sti_…`), which shows the code
// to paste into the app.
'use strict';

const $ = (id) => document.getElementById(id);

function say(text, state) {
  $('status').textContent = text;
  $('status').dataset.state = state || '';
}

async function api(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(reply && reply.error ? reply.error.message : 'the server refused');
  return reply;
}

async function signUp(event) {
  event.preventDefault();
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email.includes('@')) return say('Enter your email address.', 'error');
  if (password !== $('password-again').value) return say('The two passwords differ.', 'error');
  say('Creating your account…');
  await api('/api/v1/accounts', { email, password });
  $('sign-up-form').hidden = true;
  $('sent-to').textContent = email;
  $('sent').hidden = false;
  say('');
}

// A name for the passkey this page adds, to tell it apart in the account's list.
function passkeyName() {
  const platform = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform;
  return platform ? `Passkey on ${platform}`.slice(0, 60) : 'Passkey';
}

// The registration ceremony the confirmation started, when this browser has passkeys.
let ceremony = null;

async function verify(event) {
  event.preventDefault();
  const token = location.hash.slice(1);
  if (!token) return say('This link has no code in it: open the link from the email again.', 'error');
  say('Confirming…');
  const body = { token, password: $('verify-password').value };
  if (window.PublicKeyCredential) body.passkey = passkeyName();
  const reply = await api('/api/v1/accounts/verify', body);
  $('verify-form').hidden = true;
  ceremony = reply.passkey || null;
  if (ceremony) {
    $('passkey-offer').hidden = false;
    say('');
  } else {
    confirmed('Confirmed.');
  }
}

function confirmed(text) {
  $('passkey-offer').hidden = true;
  $('verified').hidden = false;
  say(text, 'signed-in');
}

async function addPasskey() {
  say('Waiting for your passkey…');
  let credential;
  try {
    credential = await createPasskey(ceremony);
  } catch (error) {
    // Cancelled, or no authenticator: the address stays confirmed; a passkey can come later.
    return say('No passkey was added. Try again, or add one later after signing in.', 'error');
  }
  const added = await api('/api/v1/accounts/verify/passkey', { ceremony: ceremony.ceremony, credential });
  confirmed(`Confirmed, with the passkey "${added.name}".`);
}

const guard = (work) => (event) => work(event).catch((error) => say(error.message, 'error'));

document.addEventListener('DOMContentLoaded', () => {
  const page = { '/verify-email': 'verify', '/accept-invitation': 'accept' }[location.pathname] || 'sign-up';
  for (const section of ['sign-up', 'verify', 'accept']) $(section).hidden = section !== page;
  document.title = document.querySelector(`#${page} h1`).textContent;
  $('invitation-code').textContent = location.hash.slice(1);
  $('invitation-copy').addEventListener('click', guard(async () => {
    await navigator.clipboard.writeText($('invitation-code').textContent);
    say('Copied.');
  }));
  $('sign-up-form').addEventListener('submit', guard(signUp));
  $('verify-form').addEventListener('submit', guard(verify));
  $('passkey-add').addEventListener('click', guard(addPasskey));
  $('passkey-skip').addEventListener('click', () => confirmed('Confirmed.'));
});
