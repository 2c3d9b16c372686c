export interface NoticeState {
  tone: 'info' | 'error';
  text: string;
  requestId?: string | null;
}

/** A message for the shopper, with the request id to quote to support when something failed. */
export function Notice({ notice, children }: { notice?: NoticeState; children?: React.ReactNode }) {
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
      {notice.text}
      {notice.requestId && <small className="request-id"> Reference: {notice.requestId}</small>}
      {children}
    </div>
  );
}
