import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { STAGES, STATUSES, type BatchStatus, type Stage } from '../../../shared/batches';
import { batchRoutes } from '../../../shared/api/batches';
import { call } from '../api/client';
import { BatchDetail } from '../components/batches/BatchDetail';
import { BatchList } from '../components/batches/BatchList';
import { CreateBatch } from '../components/batches/CreateBatch';
import { statusLabel } from '../components/batches/measure';
import { Empty, ErrorNote, Field, PageHeader, Panel } from '../components/ui';

export function Batches() {
  const qc = useQueryClient();
  const [filters, setFilters] = useState({ current_stage: '', status: '', well: '' });
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['batches', filters],
    queryFn: () =>
      call(batchRoutes.list, {
        // the selects offer only STAGES and STATUSES; empty means no filter
        query: {
          current_stage: (filters.current_stage || undefined) as Stage | undefined,
          status: (filters.status || undefined) as BatchStatus | undefined,
          well: filters.well || undefined,
        },
      }),
    retry: false,
  });
  return (
    <>
      <PageHeader title="Oil batches" />
      <Panel title="New batch">
        <CreateBatch
          onCreated={(b) => {
            void qc.invalidateQueries({ queryKey: ['batches'] });
            setSelected(b.batch_id);
          }}
        />
      </Panel>
      <div className="split">
        <div className="split-main">
          <Panel title="Batches">
            <div className="toolbar">
              <Field label="Stage">
                {(id) => (
                  <select id={id} value={filters.current_stage} onChange={(e) => setFilters({ ...filters, current_stage: e.target.value })}>
                    <option value="">Any stage</option>
                    {STAGES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Status">
                {(id) => (
                  <select id={id} value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
                    <option value="">Any status</option>
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {statusLabel(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Well">{(id) => <input id={id} value={filters.well} onChange={(e) => setFilters({ ...filters, well: e.target.value })} />}</Field>
            </div>
            <ErrorNote error={list.error} title="Batches" />
            {list.data && list.data.items.length === 0 ? (
              <Empty>No batches match. Create one above when oil is produced.</Empty>
            ) : (
              <BatchList batches={list.data?.items ?? []} selected={selected} onSelect={setSelected} />
            )}
          </Panel>
        </div>
        {selected ? <BatchDetail batchId={selected} onClose={() => setSelected(null)} /> : null}
      </div>
    </>
  );
}
