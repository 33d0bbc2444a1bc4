import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabSpec {
  readonly id: string;
  readonly label: string;
  readonly content: ReactNode;
}

/**
 * Tabs as the WAI-ARIA pattern has them: arrow keys, Home and End move between tabs; Tab goes
 * into the open panel.
 */
export function Tabs({ tabs, selected, onSelect, label }: { tabs: readonly TabSpec[]; selected: string; onSelect(id: string): void; label: string }) {
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const index = Math.max(0, tabs.findIndex((t) => t.id === selected));

  const onKeyDown = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length]!;
    onSelect(next.id);
    refs.current[next.id]?.focus();
  };

  const current = tabs[index]!;
  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" id={`${base}-tab-${t.id}`} aria-controls={`${base}-panel-${t.id}`}
            aria-selected={t.id === current.id} tabIndex={t.id === current.id ? 0 : -1}
            ref={(el) => { refs.current[t.id] = el; }} onClick={() => onSelect(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel-${current.id}`} aria-labelledby={`${base}-tab-${current.id}`} tabIndex={0} className="tab-panel">
        {current.content}
      </div>
    </div>
  );
}
