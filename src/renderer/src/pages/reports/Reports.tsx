import { useState } from 'react';
import { Link } from 'wouter';
import { DevicePicker } from '../../components/DevicePicker';
import { Field, PageHeader, Panel } from '../../components/ui';

/** Which paper report to open: a well's day, or a batch's run ticket. */
export function Reports() {
  const [device, setDevice] = useState('');
  const [day, setDay] = useState(() => new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10));
  const [batch, setBatch] = useState('');
  return (
    <>
      <PageHeader title="Reports" />
      <Panel title="Daily well report">
        <p className="muted">A well's day on paper: trend, min/max/average, alarms and your notes. Print it or save it as PDF.</p>
        <div className="toolbar">
          <Field label="Well">{(id) => <DevicePicker id={id} value={device} onChange={setDevice} />}</Field>
          <Field label="Day">{(id) => <input id={id} type="date" value={day} onChange={(e) => setDay(e.target.value)} />}</Field>
          {device && day ? (
            <Link className="btn btn-primary" href={`/well-report?device=${encodeURIComponent(device)}&day=${day}`}>
              Open the daily report
            </Link>
          ) : null}
        </div>
      </Panel>
      <Panel title="Batch run ticket">
        <p className="muted">
          Stages, volumes, CTL, net standard volume and losses of one batch. Also from a batch's detail on <Link href="/batches">Batches</Link>.
        </p>
        <div className="toolbar">
          <Field label="Batch id">{(id) => <input id={id} value={batch} onChange={(e) => setBatch(e.target.value.trim())} />}</Field>
          {batch ? (
            <Link className="btn btn-primary" href={`/run-ticket?batch=${encodeURIComponent(batch)}`}>
              Open the run ticket
            </Link>
          ) : null}
        </div>
      </Panel>
    </>
  );
}
