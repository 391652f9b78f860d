package io.peerlink.discovery.core.protocol;

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

  /** Response{get_blocks_range_response{blocks = each of {@code blocks} as it is, count}}. */
  static byte[] encode(List<byte[]> blocks) {
    long body = WireWriter.uint64Size(COUNT, blocks.size());
    for (byte[] block : blocks) {
      body += WireWriter.lenFieldSize(BLOCKS, block.length);
    }
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(MEMBER, body));
    w.lenHeader(MEMBER, WireWriter.checkedSize(body));
    for (byte[] block : blocks) {
      w.lenHeader(BLOCKS, block.length);
      w.raw(block);
    }
    w.uint64(COUNT, blocks.size());
    return w.finish();
  }
}
