import { useState } from 'react';
import type { EmailParameters } from '../api/types.ts';
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
  const current = saved ?? params.data;

  return (
    <Page title="Email parameters" actions={
      <button type="button" className="button" aria-expanded={testing} aria-controls="test-email" onClick={() => setTesting(!testing)}>Test email</button>
    }>
      {testing && <TestEmailPanel id="test-email" onClose={() => setTesting(false)} />}
      <ErrorMessage error={params.error} />
      {!current && !params.error && <Progress label="Loading the parameters…" />}
      {current && (
        <Tabs label="Email parameters" selected={tab} onSelect={setTab} tabs={[
          { id: 'configuration', label: 'Configuration', content: <ConfigurationTab params={current} onSaved={setSaved} /> },
          { id: 'smtp', label: 'SMTP settings', content: <SmtpTab params={current} onSaved={setSaved} /> },
          { id: 'graph', label: 'Microsoft Graph settings', content: <GraphTab params={current} onSaved={setSaved} /> },
          { id: 'exchange', label: 'Exchange settings', content: <ExchangeTab params={current} onSaved={setSaved} /> },
        ]} />
      )}
    </Page>
  );
}
