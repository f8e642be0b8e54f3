// The sign-in page: passkey (with or without an email), or email + password and a second factor
// (an authenticator's code, or without one a code emailed to the account),
// through the server's JSON API. With a desktop hand-off in the address (RFC 8252), it then asks for
// a single-use code, ends its own short session and sends the browser back to the app.
'use strict';

const params = new URLSearchParams(location.search);
const handoff = params.get('redirect_uri')
  ? {
      redirect_uri: params.get('redirect_uri'),
      state: params.get('state') || '',
      code_challenge: params.get('code_challenge') || '',
      code_challenge_method: params.get('code_challenge_method') || '',
      device: params.get('device') || 'Stint app',
    }
  : null;
const $ = (id) => document.getElementById(id);
let challenge = null;
// Whether the code asked for is the one emailed to the account (no second factor) rather than TOTP.
let emailed = false;

function say(text, state) {
  $('status').textContent = text;
  $('status').dataset.state = state || '';
}

async function api(path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const reply = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(reply && reply.error ? reply.error.message : 'the server refused');
  return reply;
}

async function signedIn(grant) {
  if (!handoff) {
    say('Signed in.', 'signed-in');
    return;
  }
  const { location: next } = await api('/api/v1/authorize', handoff, grant.token);
  // This page's own session was only for the hand-off.
  await fetch('/api/v1/sessions/current', { method: 'DELETE', headers: { authorization: 'Bearer ' + grant.token } });
  say('Signed in. Returning to the app…', 'signed-in');
  window.location.assign(next);
}

async function passkey(email) {
  say('Waiting for your passkey…');
  const start = await api('/api/v1/passkeys/sign-in/start', email ? { email } : {});
  const options = start.options.publicKey;
  options.challenge = toBytes(options.challenge);
  for (const credential of options.allowCredentials || []) credential.id = toBytes(credential.id);
  const credential = await navigator.credentials.get({ publicKey: options });
  const reply = await api('/api/v1/passkeys/sign-in/finish', {
    ceremony: start.ceremony,
    device: handoff ? handoff.device : 'Browser',
    credential: {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toText(credential.response.authenticatorData),
        clientDataJSON: toText(credential.response.clientDataJSON),
        signature: toText(credential.response.signature),
        userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
      },
      extensions: credential.getClientExtensionResults(),
    },
  });
  await signedIn(reply);
}

async function password(event) {
  event.preventDefault();
  say('Signing in…');
  const reply = await api('/api/v1/sessions', {
    email: $('email').value,
    password: $('password').value,
    device: handoff ? handoff.device : 'Browser',
  });
  if (reply.status === 'second_factor' || reply.status === 'email_code') {
    challenge = reply.challenge;
    emailed = reply.status === 'email_code';
    $('code-label').textContent = emailed
      ? 'Code we emailed you'
      : 'Code from your authenticator app (or a recovery code)';
    $('password-form').hidden = true;
    $('code-form').hidden = false;
    $('code').focus();
    say(emailed ? 'We emailed you a sign-in code: enter it here.' : 'Enter the code from your authenticator app.');
    return;
  }
  await signedIn(reply);
}

async function code(event) {
  event.preventDefault();
  const value = $('code').value.trim();
  if (emailed) {
    await signedIn(await api('/api/v1/sessions/email-code', { challenge, email_code: value }));
    return;
  }
  const factor = /^[0-9 ]+$/.test(value) ? { code: value } : { recovery_code: value };
  const reply = await api('/api/v1/sessions/second-factor', { challenge, ...factor });
  await signedIn(reply);
}

const guard = (work) => (event) => work(event).catch((error) => say(error.message, 'error'));

document.addEventListener('DOMContentLoaded', () => {
  if (handoff) {
    $('handoff').hidden = false;
    $('device').textContent = handoff.device;
  }
  $('passkey').addEventListener('click', guard(() => passkey(null)));
  $('passkey-for-email').addEventListener('click', guard(() => passkey($('email').value.trim())));
  $('password-form').addEventListener('submit', guard(password));
  $('code-form').addEventListener('submit', guard(code));
});
