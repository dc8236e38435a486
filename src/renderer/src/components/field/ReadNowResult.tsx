import type { ReadNow } from '../../../../shared/field-modbus';
import { BYTE_ORDERS } from '../../../../shared/field-modbus';

const hex = (w: number) => w.toString(16).toUpperCase().padStart(4, '0');
const show = (v: number | boolean | null) => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(Number(v.toPrecision(10))));

/**
 * One read's answer: each tag's raw registers beside its decoded value, and for 32/64-bit values
 * the value in all four byte orders, so the engineer can see which one makes physical sense.
 */
export function ReadNowResult({ result }: { result: ReadNow }) {
  return (
    <div className="stack">
      <p className="muted">
        {result.requests} request{result.requests === 1 ? '' : 's'} · {result.response_ms} ms · {new Date(result.time).toLocaleString()}
      </p>
      <div className="table-wrap short">
        <table className="data">
          <thead>
            <tr>
              <th>Tag</th>
              <th>Address</th>
              <th>Type</th>
              <th>Raw (hex)</th>
              <th className="num">Value</th>
              {BYTE_ORDERS.map((o) => (
                <th key={o} className="num">
                  {o}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.tags.map((t) => (
              <tr key={t.name} className={t.error ? 'row-alarm' : undefined}>
                <td>{t.name}</td>
                <td className="mono">
                  {t.function} {t.address}
                </td>
                <td>
                  {t.type} {t.type === 'bool' ? '' : t.order}
                </td>
                <td className="mono">{t.error ?? (t.type === 'bool' ? t.raw.join(' ') : t.raw.map(hex).join(' '))}</td>
                <td className="num">{show(t.value)}</td>
                {BYTE_ORDERS.map((o) => (
                  <td key={o} className={`num${t.orders && o === t.order ? ' mono' : ''}`}>
                    {t.orders ? show(t.orders[o]) : ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
