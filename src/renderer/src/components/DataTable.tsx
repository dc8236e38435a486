import type { ReactNode } from 'react';

export interface Column<T> {
  /** the header text; also the column's key */
  header: string;
  cell: (row: T) => ReactNode;
  /** right-aligned tabular numbers */
  num?: boolean;
  /** a cell class (e.g. mono, clip, actions) */
  className?: string;
  /** header content when it is more than text (a sort button); the header text stays its name */
  head?: ReactNode;
  /** aria-sort of the header */
  sort?: 'ascending' | 'descending';
  /** hide the header text (action columns) */
  blankHeader?: boolean;
}

export interface DataTableProps<T> {
  /** the table's accessible name */
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  rowClass?: (row: T) => string | undefined;
  /** rows open a detail pane (click, Enter or Space) */
  onRowClick?: (row: T) => void;
  isSelected?: (row: T) => boolean;
  /** wrap modifier: `short` or `tall` caps the height with a scrolling body */
  wrap?: 'short' | 'tall';
  /** a row that says why there are none (shown when `rows` is empty) */
  empty?: ReactNode;
  /** a row under the last (paging, a summary) */
  footer?: ReactNode;
}

/**
 * The one data table: sticky header, tabular numbers, a scroll box so wide tables scroll rather
 * than clip, and rows that may open a detail pane. Pages only say their columns.
 */
export function DataTable<T>(p: DataTableProps<T>) {
  return (
    <div className={`table-wrap${p.wrap ? ` ${p.wrap}` : ''}`}>
      <table className="data" aria-label={p.label}>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th key={c.header} className={c.num ? 'num' : undefined} aria-sort={c.sort} aria-label={c.blankHeader ? c.header : undefined}>
                {c.blankHeader ? null : (c.head ?? c.header)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((row) => (
            <tr
              key={p.rowKey(row)}
              className={
                [p.rowClass?.(row), p.isSelected?.(row) ? 'selected' : undefined, p.onRowClick ? 'clickable' : undefined].filter(Boolean).join(' ') || undefined
              }
              onClick={p.onRowClick ? () => p.onRowClick?.(row) : undefined}
              tabIndex={p.onRowClick ? 0 : undefined}
              aria-selected={p.isSelected ? p.isSelected(row) : undefined}
              onKeyDown={p.onRowClick ? (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), p.onRowClick?.(row)) : undefined}
            >
              {p.columns.map((c) => (
                <td key={c.header} className={[c.num ? 'num' : undefined, c.className].filter(Boolean).join(' ') || undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {p.empty && p.rows.length === 0 ? (
            <tr>
              <td colSpan={p.columns.length} className="empty-cell">
                {p.empty}
              </td>
            </tr>
          ) : null}
        </tbody>
        {p.footer ? (
          <tfoot>
            <tr>
              <td colSpan={p.columns.length}>{p.footer}</td>
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}
