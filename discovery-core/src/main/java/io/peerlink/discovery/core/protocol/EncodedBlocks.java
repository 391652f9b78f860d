package io.peerlink.discovery.core.protocol;

import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.util.List;

/**
 * The blocks of a range as a master stores them, each its encoded {@code BlockData} message
 * (exactly {@link BlockData#encode()} of the block), known by length before their bytes are read.
 * A {@code get_blocks_range} answer is capped and sized from the lengths, then laid out as an
 * {@link OutgoingFrame} ({@link Response.BlocksRange#frameOf(EncodedBlocks, int)}): the answer's
 * few header bytes, and each block as {@link #addTo} puts it in. A master that reads blocks from
 * files adds each as a range of its file, so a transport that sends file ranges from the kernel
 * never brings the block into the process.
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

  /**
   * Appends the bytes of block {@code index}, exactly {@link #length(int)} of them, to
   * {@code frame}. The default reads them into a new array ({@link #read}) and appends that; a
   * master that stores blocks in files appends a file range instead, opening (or holding) what the
   * frame must read it from and handing that to {@link OutgoingFrame.Builder#closing}: the frame
   * outlives this object, whose {@link #close()} comes once the frame is built.
   *
   * @throws IOException when the bytes cannot be read or located (a failing disk, an interrupt)
   */
  default void addTo(OutgoingFrame.Builder frame, int index) throws IOException {
    byte[] block = new byte[length(index)];
    read(index, block, 0);
    frame.bytes(block, 0, block.length);
  }

  /** Releases what keeps the blocks readable; nothing by default. Never throws. */
  @Override
  default void close() {
  }

  /**
   * Blocks already in arrays: each element of {@code encoded} is read once, when first needed, so a
   * list that encodes a block when read (as {@code MasterState}'s default) encodes each block once.
   * {@link #addTo} appends those arrays as they are, not copied: they must not change afterwards.
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

      @Override
      public void addTo(OutgoingFrame.Builder frame, int index) {
        byte[] b = block(index);
        frame.bytes(b, 0, b.length);
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
