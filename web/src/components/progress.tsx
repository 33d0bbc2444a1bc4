/** A long action under way: a spinner and words, announced to screen readers. */
export function Progress({ label }: { label: string }) {
  return (
    <span className="progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}

/** A button that shows its work while `busy`, and cannot be pressed twice. */
export function BusyButton({ busy, busyLabel, children, className = 'button primary', ...rest }:
  React.ButtonHTMLAttributes<HTMLButtonElement> & { busy: boolean; busyLabel: string }) {
  return (
    <button className={className} disabled={busy || rest.disabled} aria-busy={busy} {...rest}>
      {busy ? <><span className="spinner" aria-hidden="true" />{busyLabel}</> : children}
    </button>
  );
}
