import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * A box's width in whole pixels, following resizes: charts ask the station for one bucket per
 * pixel, so they need it before they fetch (0 until the box is laid out).
 */
export function useWidth<E extends HTMLElement>(): [RefObject<E | null>, number] {
  const box = useRef<E>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [box, width];
}
