import { useEffect, useState } from 'react';
import { answerLog, type AnswerSummary } from './answer-log.ts';

/** The request id to quote, and each partial-success error with its code, service and path. */
export function AnswerBar({ schemaSource }: { schemaSource: string }) {
  const [last, setLast] = useState<AnswerSummary | undefined>();
  useEffect(() => answerLog.subscribe(setLast), []);
  const partial = last !== undefined && last.hasData && last.errors.length > 0;
  return (
    <section className="answer-bar" aria-label="Last answer" data-testid="answer-bar">
      <span className="answer-schema">schema: {schemaSource}</span>
      {last === undefined ? (
        <span>Run an operation: its request id and any partial-success errors show here.</span>
      ) : (
        <>
          <span>
            <strong>{last.operationName ?? 'anonymous operation'}</strong> · HTTP {last.status}
            {last.registeredId ? ` · registered ${last.registeredId.slice(0, 12)}…` : ' · not registered (plain text)'}
          </span>
          <span>
            request id: <code data-testid="request-id">{last.requestId ?? 'none'}</code>
          </span>
          <span data-testid="answer-outcome">
            {last.errors.length === 0 ? 'complete' : partial ? `partial: ${last.errors.length} error(s)` : `failed: ${last.errors.length} error(s)`}
          </span>
          {last.errors.length > 0 && (
            <ul className="answer-errors">
              {last.errors.map((e, i) => (
                <li key={i}>
                  <code>{e.code ?? 'ERROR'}</code>
                  {e.service && ` from ${e.service}`}
                  {e.path && ` at ${e.path}`}
                  {e.affectedCount !== undefined && ` (${e.affectedCount} values)`}
                  {e.stale && ' · last-known value served, marked stale'}
                  {e.retryable !== undefined && (e.retryable ? ' · retryable' : ' · not retryable')}: {e.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
