// Resident set size sampled while a measurement runs, to see whether memory follows the queue.

export interface RssSampler {
  /** The highest RSS (KiB) seen since the last call, then starts a new window. */
  takePeak(): number;
  stop(): void;
}

export function startRssSampler(everyMs = 50): RssSampler {
  let peak = 0;
  const sample = () => { peak = Math.max(peak, Math.round(process.memoryUsage.rss() / 1024)); };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    takePeak() {
      sample();
      const p = peak;
      peak = 0;
      return p;
    },
    stop: () => clearInterval(timer),
  };
}
