import { BYTE_ORDERS, isBitFunction, TYPE_WIDTH, type ByteOrder, type ModbusFunction, type Tag } from '../../../shared/field-modbus';

/** One scratch buffer for every decode: a poll decodes hundreds of tags, none needs its own allocation. */
const scratch = Buffer.alloc(8);

/**
 * Register words to numbers. The names say where each byte of the value (A = most significant)
 * travels on the wire: ABCD is big-endian words in big-endian order (the Modbus default), CDAB
 * swaps the words (most PLCs' "float inverse"), BADC swaps the bytes inside each word, DCBA
 * reverses everything. For 64-bit values the same rule applies to all four words. The value's
 * bytes are put into `scratch` most significant first, then read big-endian.
 */
function toBigEndian(words: readonly number[], order: ByteOrder): Buffer {
  const n = words.length;
  for (let i = 0; i < n; i++) {
    const w = words[i]! & 0xffff;
    const hi = w >> 8;
    const lo = w & 0xff;
    // where word i's two wire bytes belong in the big-endian value
    switch (order) {
      case 'ABCD':
        scratch[i * 2] = hi;
        scratch[i * 2 + 1] = lo;
        break;
      case 'CDAB':
        scratch[(n - 1 - i) * 2] = hi;
        scratch[(n - 1 - i) * 2 + 1] = lo;
        break;
      case 'BADC':
        scratch[i * 2] = lo;
        scratch[i * 2 + 1] = hi;
        break;
      case 'DCBA':
        scratch[(n - 1 - i) * 2] = lo;
        scratch[(n - 1 - i) * 2 + 1] = hi;
        break;
    }
  }
  return scratch;
}

/** The raw (unscaled) value of a register-table tag from its words. */
function decodeWords(words: readonly number[], type: Tag['type'], order: ByteOrder): number {
  const b = toBigEndian(words, order);
  switch (type) {
    case 'int16':
      return b.readInt16BE(0);
    case 'uint16':
      return b.readUInt16BE(0);
    case 'int32':
      return b.readInt32BE(0);
    case 'uint32':
      return b.readUInt32BE(0);
    case 'float32':
      return b.readFloatBE(0);
    case 'float64':
      return b.readDoubleBE(0);
    case 'bool':
      return b.readUInt16BE(0) === 0 ? 0 : 1;
  }
}

const scaled = (raw: number, tag: Pick<Tag, 'scale' | 'offset'>) => raw * tag.scale + tag.offset;

/** The tag's value from the words (or bits) it owns. */
export function decodeTag(tag: Tag, raw: readonly number[]): number | boolean {
  if (tag.type === 'bool') return raw[0] === 1;
  return scaled(decodeWords(raw, tag.type, tag.order), tag);
}

/** For 32/64-bit tags: the scaled value in every order, so an engineer can pick the one that makes sense. */
export function allOrders(tag: Tag, raw: readonly number[]): Record<ByteOrder, number> | null {
  if (TYPE_WIDTH[tag.type] < 2) return null;
  return Object.fromEntries(BYTE_ORDERS.map((o) => [o, scaled(decodeWords(raw, tag.type, o), tag)])) as Record<ByteOrder, number>;
}

/** One Modbus request: a run of addresses in one table, and the tags it answers. */
export interface Block {
  function: ModbusFunction;
  start: number;
  count: number;
  tags: Tag[];
}

/** The largest bit read a Modbus request may ask for. */
const MAX_BITS = 2000;

/**
 * Merges tags into as few requests as possible: tags of one table whose addresses touch or
 * overlap join one block while it stays within `maxBlock` registers (2000 bits for coils and
 * discrete inputs). Addresses in between are never read: a device may lack them (exception 2).
 */
export function planBlocks(tags: readonly Tag[], maxBlock: number): Block[] {
  const blocks: Block[] = [];
  const byFunction = new Map<ModbusFunction, Tag[]>();
  for (const t of tags) byFunction.set(t.function, [...(byFunction.get(t.function) ?? []), t]);
  for (const [fn, list] of byFunction) {
    const limit = isBitFunction(fn) ? MAX_BITS : maxBlock;
    const sorted = [...list].sort((a, b) => a.address - b.address);
    let current: Block | undefined;
    for (const tag of sorted) {
      const end = tag.address + TYPE_WIDTH[tag.type];
      if (current && tag.address <= current.start + current.count && Math.max(end, current.start + current.count) - current.start <= limit) {
        current.count = Math.max(end, current.start + current.count) - current.start;
        current.tags.push(tag);
      } else {
        current = { function: fn, start: tag.address, count: TYPE_WIDTH[tag.type], tags: [tag] };
        blocks.push(current);
      }
    }
  }
  return blocks;
}

/** The words (or bits as 0/1) of one tag inside its block's answer. */
export function sliceTag(block: Block, data: readonly (number | boolean)[], tag: Tag): number[] {
  const from = tag.address - block.start;
  return data.slice(from, from + TYPE_WIDTH[tag.type]).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}
