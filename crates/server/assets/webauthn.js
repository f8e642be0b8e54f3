// What the sign-in and sign-up pages share for passkeys: WebAuthn's buffers travel as base64url
// text in the server's JSON. Loaded before either page's own script.
'use strict';

const toBytes = (text) => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
};
const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// `navigator.credentials.create` with a registration ceremony's options; the answer as the
// server's JSON takes it.
async function createPasskey(start) {
  const options = start.options.publicKey;
  options.challenge = toBytes(options.challenge);
  options.user.id = toBytes(options.user.id);
  for (const credential of options.excludeCredentials || []) credential.id = toBytes(credential.id);
  const credential = await navigator.credentials.create({ publicKey: options });
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toText(credential.response.attestationObject),
      clientDataJSON: toText(credential.response.clientDataJSON),
    },
    extensions: credential.getClientExtensionResults(),
  };
}
