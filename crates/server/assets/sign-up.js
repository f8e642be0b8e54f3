// The sign-up page (`/sign-up`) and the page the confirmation email links to (`/verify-email`,
// with the emailed token after the `#`, which never reaches the server's logs): both through the
// server's JSON API.
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

async function verify(event) {
  event.preventDefault();
  const token = location.hash.slice(1);
  if (!token) return say('This link has no code in it: open the link from the email again.', 'error');
  say('Confirming…');
  await api('/api/v1/accounts/verify', { token, password: $('verify-password').value });
  $('verify-form').hidden = true;
  $('verified').hidden = false;
  say('Confirmed.', 'signed-in');
}

const guard = (work) => (event) => work(event).catch((error) => say(error.message, 'error'));

document.addEventListener('DOMContentLoaded', () => {
  const verifying = location.pathname === '/verify-email';
  $('sign-up').hidden = verifying;
  $('verify').hidden = !verifying;
  $('sign-up-form').addEventListener('submit', guard(signUp));
  $('verify-form').addEventListener('submit', guard(verify));
});
