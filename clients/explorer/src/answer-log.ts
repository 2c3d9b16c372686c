/** What the explorer shows about the last answer, besides its body: the request id and the partial-success errors. */
export interface AnswerSummary {
  operationName: string | undefined;
  status: number;
  requestId: string | null;
  /** Set when the operation went by its registered hash. */
  registeredId: string | undefined;
  errors: { message: string; code?: string; service?: string; path?: string; retryable?: boolean; stale?: boolean; affectedCount?: number }[];
  hasData: boolean;
}

type Listener = (summary: AnswerSummary) => void;
const listeners = new Set<Listener>();

export const answerLog = {
  publish(summary: AnswerSummary): void {
    for (const listener of listeners) listener(summary);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
