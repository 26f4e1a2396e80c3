/**
 * Text written to a file descriptor through one reused block: each string is encoded as UTF-8 straight into the
 * block, which is written out when the next string might not fit. No buffer per string and no concatenation to
 * flatten; strings waiting as strings would outlive young-generation collections and be promoted. Used by the
 * report writer and the finding store's spill file.
 */
import { writeSync } from "node:fs";

const DEFAULT_BLOCK = 1024 * 1024;

function writeAll(fd: number, buf: Buffer, length: number): void {
  let written = 0;
  while (written < length) written += writeSync(fd, buf, written, length - written);
}

export class BlockWriter {
  private readonly block: Buffer;
  private used = 0;

  constructor(
    private readonly fd: number,
    size = DEFAULT_BLOCK,
  ) {
    this.block = Buffer.allocUnsafe(size);
  }

  /**
   * Appends `text` and returns its length in bytes. A string is never cut between two writes, so a surrogate pair
   * split between two calls must be joined by the caller.
   */
  write(text: string): number {
    // At most 3 UTF-8 bytes per UTF-16 unit: a string that fits by that bound is never cut.
    const bound = text.length * 3;
    if (this.used + bound > this.block.length) this.flush();
    if (bound > this.block.length) {
      const buf = Buffer.from(text);
      writeAll(this.fd, buf, buf.length);
      return buf.length;
    }
    const n = this.block.write(text, this.used);
    this.used += n;
    return n;
  }

  /** Writes out what the block holds. */
  flush(): void {
    if (this.used === 0) return;
    writeAll(this.fd, this.block, this.used);
    this.used = 0;
  }
}
