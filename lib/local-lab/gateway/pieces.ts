/**
 * `buffer-response="true"`: APIM collects the backend's chunks and sends them on in
 * 8 KB pieces, and whatever is left when the stream ends. This is what makes a stream
 * look stalled behind a buffering gateway, so the lab can show it side by side.
 */

export const APIM_PIECE_BYTES = 8 * 1024;

export interface PieceWriter {
  /** Returns false when the writer asked to slow down (backpressure). */
  push(chunk: Buffer): boolean;
  /** Sends the remainder, if any. */
  end(): boolean;
}

export function createPieceWriter(write: (piece: Buffer) => boolean, pieceBytes = APIM_PIECE_BYTES): PieceWriter {
  // Fragments plus a running length, so a long stream is not re-copied on every chunk.
  let fragments: Buffer[] = [];
  let length = 0;
  return {
    push(chunk) {
      fragments.push(chunk); // an IncomingMessage's chunks are never reused: no copy needed
      length += chunk.length;
      let ok = true;
      if (length >= pieceBytes) {
        let all = Buffer.concat(fragments, length);
        while (all.length >= pieceBytes) {
          ok = write(all.subarray(0, pieceBytes)) && ok;
          all = all.subarray(pieceBytes);
        }
        fragments = all.length > 0 ? [all] : [];
        length = all.length;
      }
      return ok;
    },
    end() {
      if (length === 0) return true;
      const rest = Buffer.concat(fragments, length);
      fragments = [];
      length = 0;
      return write(rest);
    },
  };
}
