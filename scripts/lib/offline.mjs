// What went wrong with a download, in a few words, from the output of the tool that tried it.
const NETWORK = [
  [/getaddrinfo (ENOTFOUND|EAI_AGAIN)\s*(\S*)/, (m) => `no network: the name ${m[2] || 'of the download server'} could not be resolved`],
  [/ECONNREFUSED\s*(\S*)/, (m) => `the download server ${m[1]} refused the connection`],
  [/ETIMEDOUT|ESOCKETTIMEDOUT|timed out/i, () => 'the download timed out'],
  [/ECONNRESET|socket hang up/i, () => 'the connection was cut'],
  // undici's fetch names no cause: offline, or a network that needs a proxy (HTTPS_PROXY)
  [/TypeError: fetch failed/, () => 'no answer from the download server: offline, or a proxy is needed'],
  [/self[- ]signed certificate|unable to get local issuer|CERT_/i, () => 'a proxy or firewall replaced the TLS certificate'],
  [/HTTPError: Response code 404|status code 404|404 Not Found/i, () => 'the mirror has no such file (404)'],
  [/ENOSPC/, () => 'the disk is full'],
  [/EACCES|EPERM/, () => 'no permission to write into node_modules'],
];

/** A short reason for a failed download, or the last line of the output when none is recognised. */
export function describeDownloadFailure(output) {
  for (const [pattern, describe] of NETWORK) {
    const m = pattern.exec(output);
    if (m) return describe(m);
  }
  const last = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  return last ? `it said: ${last.slice(0, 200)}` : 'no reason given';
}

/** True when the output says the network could not be reached at all. */
export function isNetworkFailure(output) {
  return /getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|socket hang up|fetch failed/.test(output);
}
