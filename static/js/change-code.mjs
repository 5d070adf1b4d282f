// change-code.mjs — the change code: the secret rho of the ballot this browser
// cast, written for a person to carry to another device, where "Change my vote"
// replaces that ballot with it (PROTOCOL §5: "replaces": hex(rho)). The same
// format as `conclave vote --change-code` (README): 64 lowercase hex digits in
// 8 groups of 8 joined by '-'; a reader accepts either case and ignores spaces,
// tabs, dashes and line breaks. The code is as sensitive as the ballot: whoever
// has it can change the vote until the close and recognise the ballot on the
// board. Nothing here stores, logs or sends it; the booth (booth.mjs) puts it
// only in the replacement ballot it sends to this server.

/** What a change code looks like, for a person who typed something else. */
export const CHANGE_CODE_FORMAT = 'A change code is 64 hexadecimal digits, in 8 groups of 8.';

/** Files larger than this are not read as a change-code file. */
export const CHANGE_CODE_FILE_MAX = 64 * 1024;

/** The change code of RHO (64 hex digits, either case): "3f9a1c2b-0d4e5f60-…". */
export function formatChangeCode(rho) {
  const hex = parseChangeCode(rho);
  return hex.match(/.{8}/g).join('-');
}

/** The rho (64 lowercase hex digits) that TEXT, a change code as a person typed or
 *  pasted it, stands for. Throws an Error whose message is CHANGE_CODE_FORMAT. */
export function parseChangeCode(text) {
  const hex = String(text).replace(/[ \t\r\n-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(CHANGE_CODE_FORMAT);
  return hex;
}

/** The change code in the text of a saved change-code file: its first line, as the
 *  CLI reads it (a byte-order mark before it is ignored). */
export function changeCodeOfFile(text) {
  return String(text).replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
}

/** The name of the change-code file of poll ID. */
export function changeCodeFileName(id) {
  return `conclave-poll-${String(id).replace(/[^A-Za-z0-9_-]/g, '_')}-change-code.txt`;
}

/** The text of the change-code file: the code alone on line 1 (what a reader takes),
 *  a blank line, then what it is, for the person who finds the file later. */
export function changeCodeFileText({ rho, id, question, fingerprint }) {
  return [
    formatChangeCode(rho),
    '',
    'This is the change code of your ballot in a Conclave poll:',
    `  poll:        ${id}`,
    `  question:    ${question}`,
    `  fingerprint: ${fingerprint}`,
    '',
    'Keep it as safe as your ballot. Whoever has it can change your vote until the',
    'poll closes, and can recognise your ballot on the public board.',
    'To change your vote on another device: open the poll, "Change my vote", and enter',
    'this code (or choose this file). From a terminal:',
    `  conclave vote --server URL ${id} yes|no --change-code-file THIS-FILE`,
    'Once the vote is changed, this code no longer works: save the new one.',
    '',
  ].join('\n');
}
