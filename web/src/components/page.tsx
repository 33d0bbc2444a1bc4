import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A page's frame: its title as the one h1, focused when the page opens so keyboard and screen
 * reader users land on it, and its actions beside the title.
 */
export function Page({ title, actions, intro, children }: { title: string; actions?: ReactNode; intro?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Mailroom`;
    heading.current?.focus();
  }, [title]);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1} ref={heading}>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {intro && <p className="intro">{intro}</p>}
      {children}
    </>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
