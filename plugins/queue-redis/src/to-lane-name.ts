/**
 * The BullMQ queue that holds one sink's deliveries. Readable in `redis-cli` when the sink's name
 * allows it; hex otherwise, because BullMQ refuses `:` in queue names and the index uses `|`.
 */
export function toLaneName(sink: string): string {
  return /^[A-Za-z0-9_.-]{1,100}$/.test(sink)
    ? `sink.${sink}`
    : `sink.x${Buffer.from(sink, 'utf8').toString('hex')}`;
}

/** The sink a lane belongs to (the inverse of `toLaneName`); undefined for a foreign queue. */
export function toSinkName(lane: string): string | undefined {
  if (!lane.startsWith('sink.')) return undefined;
  const rest = lane.slice('sink.'.length);
  if (/^x([0-9a-f]{2})+$/.test(rest) && !/^[A-Za-z0-9_.-]{1,100}$/.test(decodeHex(rest.slice(1))))
    return decodeHex(rest.slice(1));
  return rest;
}

function decodeHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8');
}
