/**
 * A suite whose server or browser is not installed skips with a notice on a developer's machine,
 * but under CI (`.ci/run` sets CI=true and installs every tool) a missing tool is a failure:
 * a green run must never hide suites that did not run.
 */
export function reportMissingTool(binary: string, debianPackage: string): void {
  reportUnavailable(`${binary} is not installed: apt-get install -y ${debianPackage}`, 'CI must install it in .ci/run');
}

/** The same rule for anything else a suite needs from the machine; `ciHint` says what CI must provide. */
export function reportUnavailable(message: string, ciHint: string): void {
  if (process.env.CI) throw new Error(`${message} (${ciHint})`);
  console.warn(`\n[skipped] ${message}\n`);
}
