/**
 * Waiting units by age, as bars (uPlot, loaded with this chunk only when the overview shows it).
 * The canvas is hidden from assistive technology; the same figures are in a table beside it.
 */
import 'uplot/dist/uPlot.min.css';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { AGE_BUCKETS } from './ages';

export default function AgeChart({ counts }: { counts: number[] }) {
  const { ref: box, width } = useElementSize();
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!target.current || width === 0) return;
    const xs = AGE_BUCKETS.map((_, i) => i);
    const bars = uPlot.paths.bars?.({ size: [0.6, 80] });
    const plot = new uPlot(
      {
        width: Math.floor(width),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.5, AGE_BUCKETS.length - 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
        },
        axes: [
          {
            values: (_u, splits) =>
              splits.map((i) => (Number.isInteger(i) ? (AGE_BUCKETS[i]?.short ?? '') : '')),
            splits: () => xs,
            size: 40,
            font: '12px system-ui',
          },
          { font: '12px system-ui', size: 50 },
        ],
        series: [
          {},
          {
            label: 'Waiting units',
            stroke: '#1864ab',
            fill: '#1c7ed6cc',
            paths: bars,
            points: { show: false },
          },
        ],
      },
      [xs, counts],
      target.current,
    );
    return () => plot.destroy();
  }, [counts, width]);
  return (
    <div ref={box} style={{ width: '100%', overflow: 'hidden' }}>
      <div ref={target} aria-hidden="true" />
    </div>
  );
}
