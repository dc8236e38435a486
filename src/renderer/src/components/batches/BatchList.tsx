import type { Batch } from '../../../../shared/batches';
import { fmtIso, fmtNum } from '../../lib/format';
import { DataTable, type Column } from '../DataTable';
import { statusLabel } from './measure';

const COLUMNS: Column<Batch>[] = [
  { header: 'Batch', cell: (b) => b.batch_id },
  { header: 'Well', cell: (b) => b.well_id },
  { header: 'Stage', cell: (b) => b.current_stage },
  { header: 'Status', cell: (b) => statusLabel(b.status) },
  { header: 'Since', cell: (b) => fmtIso(b.stage_since) },
  { header: 'Last NSV (bbl)', num: true, cell: (b) => fmtNum(b.last_measurement?.nsv_bbl, 2) },
];

export function BatchList(p: { batches: Batch[]; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <DataTable
      label="Batches"
      rows={p.batches}
      rowKey={(b) => b.batch_id}
      columns={COLUMNS}
      onRowClick={(b) => p.onSelect(b.batch_id)}
      isSelected={(b) => b.batch_id === p.selected}
    />
  );
}
