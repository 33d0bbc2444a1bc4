// The outage is said once: the watch takes a report only from work that started after the last
// change of state, so a pass that ended after a cut (its queries done before it) does not say
// "reachable", and a query that was failing as the database came back does not say a second
// "unavailable". This is the ordering the PostgreSQL outage test once saw go wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseWatch } from '../../src/runtime/health.ts';
import type { Logger } from '../../src/runtime/logger.ts';

const fault = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

function recorder(): { logger: Logger; states: string[] } {
  const states: string[] = [];
  const line = (o: object) => { const s = (o as { state?: string }).state; if (s) states.push(s); };
  return { states, logger: { info: line, warn: line, error: line, debug: () => {} } as unknown as Logger };
}

describe('the database watch', () => {
  it('says unavailable once, reachable once, for one outage however the reports interleave', () => {
    const { logger, states } = recorder();
    const watch = new DatabaseWatch(logger);
    const passBeganBeforeCut = watch.now();
    const staleQueryBegan = watch.now();
    watch.failed(fault());
    watch.failed(fault()); // a second loop notices the same outage
    watch.reachable(passBeganBeforeCut); // its queries ran before the cut: no news
    assert.deepEqual(states, ['unavailable']);
    assert.equal(watch.down, true);
    watch.reachable(watch.now()); // a heartbeat begun during the outage got through
    watch.failed(fault(), staleQueryBegan); // began before the database came back: no news
    assert.deepEqual(states, ['unavailable', 'reachable']);
    assert.equal(watch.down, false);
    watch.failed(fault()); // a new outage is a new line
    assert.deepEqual(states, ['unavailable', 'reachable', 'unavailable']);
  });

  it('ignores errors that are not database faults', () => {
    const { logger, states } = recorder();
    const watch = new DatabaseWatch(logger);
    watch.failed(new Error('a template is broken'));
    assert.deepEqual(states, []);
  });
});
