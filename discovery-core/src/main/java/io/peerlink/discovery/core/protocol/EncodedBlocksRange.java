package io.peerlink.discovery.core.protocol;

import java.io.IOException;
import java.util.List;

/**
 * Writes a {@code get_blocks_range} answer from blocks already encoded, byte for byte as
 * {@link Response.BlocksRange#of} of the decoded blocks encodes: a master that stores blocks as
 * their {@code BlockData} bytes serves them without decoding and encoding each one again.
 */
final class EncodedBlocksRange {

  /** The answer's oneof member, get_blocks_range_response. */
  private static final int MEMBER = new Response.BlocksRange(List.of(), 0, "").fieldNumber();
  /** Fields of GetBlocksRangeResponse, as {@link ResponseSchemas#BLOCKS_RANGE} lists them. */
  private static final int BLOCKS = 1;
  private static final int COUNT = 2;

  private EncodedBlocksRange() {
  }

  /**
   * Response{get_blocks_range_response{blocks = each of the first {@code count} of {@code blocks}
   * as it is, count}}: the answer is sized from their lengths, then each block is read straight
   * into its place in it.
   */
  static byte[] encode(EncodedBlocks blocks, int count) throws IOException {
    long body = WireWriter.uint64Size(COUNT, count);
    for (int i = 0; i < count; i++) {
      body += WireWriter.lenFieldSize(BLOCKS, blocks.length(i));
    }
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(MEMBER, body));
    w.lenHeader(MEMBER, WireWriter.checkedSize(body));
    for (int i = 0; i < count; i++) {
      int length = blocks.length(i);
      w.lenHeader(BLOCKS, length);
      blocks.read(i, w.array(), w.skip(length));
    }
    w.uint64(COUNT, count);
    return w.finish();
  }
}
