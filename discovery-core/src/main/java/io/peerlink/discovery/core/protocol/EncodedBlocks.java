package io.peerlink.discovery.core.protocol;

import java.io.IOException;
import java.util.List;

/**
 * The blocks of a range as a master stores them, each its encoded {@code BlockData} message
 * (exactly {@link BlockData#encode()} of the block), known by length before their bytes are read.
 * A {@code get_blocks_range} answer is capped and sized from the lengths, then each block it
 * carries is read straight into the answer at its place ({@link Response.BlocksRange#encodeOf(EncodedBlocks, int)}):
 * a master that reads blocks from files saves an array and a copy per block served.
 *
 * <p>Used and closed by the thread that obtained it; a master may hold what keeps the blocks
 * readable (a read lock on its files) until {@link #close()}.
 */
public interface EncodedBlocks extends AutoCloseable {

  /** How many blocks, in range order. */
  int count();

  /**
   * The encoded length of block {@code index}, in bytes.
   *
   * @param index 0 for the range's first block, up to {@link #count()} - 1
   */
  int length(int index) throws IOException;

  /**
   * Writes the bytes of block {@code index}, exactly {@link #length(int)} of them, into
   * {@code target} from {@code offset}.
   *
   * @throws IOException when the bytes cannot be read (a failing disk, an interrupt)
   */
  void read(int index, byte[] target, int offset) throws IOException;

  /** Releases what keeps the blocks readable; nothing by default. Never throws. */
  @Override
  default void close() {
  }

  /**
   * Blocks already in arrays: each element of {@code encoded} is read once, when first needed, so a
   * list that encodes a block when read (as {@code MasterState}'s default) encodes each block once.
   */
  static EncodedBlocks of(List<byte[]> encoded) {
    byte[][] read = new byte[encoded.size()][];
    return new EncodedBlocks() {
      @Override
      public int count() {
        return read.length;
      }

      @Override
      public int length(int index) {
        return block(index).length;
      }

      @Override
      public void read(int index, byte[] target, int offset) {
        byte[] b = block(index);
        System.arraycopy(b, 0, target, offset, b.length);
      }

      private byte[] block(int index) {
        if (read[index] == null) {
          read[index] = encoded.get(index);
        }
        return read[index];
      }
    };
  }
}
