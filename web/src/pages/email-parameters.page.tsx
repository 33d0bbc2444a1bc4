import { useState, type ReactNode } from 'react';
import type { EmailParameters } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { Page } from '../components/page.tsx';
import { Progress } from '../components/progress.tsx';
import { Tabs } from '../components/tabs.tsx';
import { useApiQuery } from '../lib/query.ts';
import { ConfigurationTab } from './parameters/configuration-tab.tsx';
import { ExchangeTab } from './parameters/exchange-tab.tsx';
import { GraphTab } from './parameters/graph-tab.tsx';
import { SmtpTab } from './parameters/smtp-tab.tsx';
import { TestEmailPanel } from './parameters/test-email-panel.tsx';

/** Email parameters: the environment's email behaviour (Configuration), Microsoft Graph, the SMTP server and Exchange. */
export function EmailParametersPage() {
  const params = useApiQuery<EmailParameters>('/api/parameters');
  const [tab, setTab] = useState('configuration');
  const [testing, setTesting] = useState(false);
  const [saved, setSaved] = useState<EmailParameters | null>(null);
  // The tab with an edit not saved yet: leaving it asks first, since each tab saves only its own fields.
  const [unsaved, setUnsaved] = useState<string | null>(null);
  const current = saved ?? params.data;
  const onSaved = (p: EmailParameters) => { setSaved(p); setUnsaved(null); };
  const TABS = [
    { id: 'configuration', label: 'Configuration' },
    { id: 'smtp', label: 'SMTP settings' },
    { id: 'graph', label: 'Microsoft Graph settings' },
    { id: 'exchange', label: 'Exchange settings' },
  ] as const;
  const select = (next: string) => {
    if (next === tab) return;
    const label = TABS.find((t) => t.id === unsaved)?.label;
    if (label && !window.confirm(`Your changes on ${label} are not saved: Save saves only the tab it is on. Leave them unsaved?`)) return;
    setUnsaved(null);
    setTab(next);
  };
  const track = (id: string, content: ReactNode) => <div data-unsaved={unsaved === id || undefined} onInput={() => setUnsaved(id)} onChange={() => setUnsaved(id)}>{content}</div>;

  return (
    <Page title="Email parameters" actions={
      <button type="button" className="button" aria-expanded={testing} aria-controls="test-email" onClick={() => setTesting(!testing)}>Test email</button>
    }>
      {testing && <TestEmailPanel id="test-email" onClose={() => setTesting(false)} />}
      <ErrorMessage error={params.error} />
      {!current && !params.error && <Progress label="Loading the parameters…" />}
      {current && (
        <Tabs label="Email parameters" selected={tab} onSelect={select} tabs={[
          { ...TABS[0], content: track('configuration', <ConfigurationTab params={current} onSaved={onSaved} />) },
          { ...TABS[1], content: track('smtp', <SmtpTab params={current} onSaved={onSaved} />) },
          { ...TABS[2], content: track('graph', <GraphTab params={current} onSaved={onSaved} />) },
          { ...TABS[3], content: track('exchange', <ExchangeTab params={current} onSaved={onSaved} />) },
        ]} />
      )}
    </Page>
  );
}
