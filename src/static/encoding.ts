export type ContentEncoding = 'br' | 'gzip' | 'identity';

/** Smallest first: when a client accepts several equally, it gets the smaller body. */
const PREFERENCE: readonly ContentEncoding[] = ['br', 'gzip'];

/**
 * The encoding to send, given the client's `Accept-Encoding` and the variants that exist
 * (RFC 9110 §12.5.3: q-values, `*`, `q=0` refuses). Without the header, or when nothing
 * compressed is acceptable, the plain bytes are sent.
 */
export function chooseEncoding(
  acceptEncoding: string | undefined,
  available: ReadonlySet<ContentEncoding>,
): ContentEncoding {
  if (!acceptEncoding) return 'identity';
  const weights = parseAcceptEncoding(acceptEncoding);
  let best: ContentEncoding = 'identity';
  let bestWeight = 0;
  for (const encoding of PREFERENCE) {
    if (!available.has(encoding)) continue;
    const weight = weights.get(encoding) ?? weights.get('*') ?? 0;
    if (weight > bestWeight) {
      best = encoding;
      bestWeight = weight;
    }
  }
  return best;
}

function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!token) continue;
    let weight = 1;
    for (const param of params) {
      const match = /^q=([01](?:\.\d{0,3})?)$/.exec(param);
      if (match) weight = Number(match[1]);
    }
    // `x-gzip` is the old name of gzip that some clients still send.
    weights.set(token === 'x-gzip' ? 'gzip' : token, weight);
  }
  return weights;
}
