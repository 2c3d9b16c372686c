/**
 * One idempotency key per user action: made when the person acts, reused by every retry of that
 * action (a double click, a network retry, "try again" after a timeout), and dropped once the action
 * has a definite outcome, so the next action gets a fresh key. The gateway then runs it at most once.
 */
export class ActionKey {
  private key: string | undefined;

  /** The key of the action in progress, made on first use. */
  current(): string {
    this.key ??= crypto.randomUUID();
    return this.key;
  }

  /** The action has an outcome (success or a business error): the next one is a new action. */
  settle(): void {
    this.key = undefined;
  }
}
