package io.peerlink.discovery.core.protocol;

import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.util.List;

/**
 * Lays out a {@code get_blocks_range} answer from blocks already encoded, byte for byte as
 * {@link Response.BlocksRange#of} of the decoded blocks encodes: a master that stores blocks as
 * their {@code BlockData} bytes serves them without decoding and encoding each one again. The
 * answer is a frame of its header bytes (all of them in one array) and each block as
 * {@link EncodedBlocks#addTo} puts it in, so a master's stored bytes need not pass through an
 * array of the answer's size.
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
   * as it is, count}} as one array: the frame read whole.
   */
  static byte[] encode(EncodedBlocks blocks, int count) throws IOException {
    try (OutgoingFrame frame = frame(blocks, count)) {
      return frame.toArray();
    }
  }

  /**
   * Blocks shorter than this are read into the answer's own array with the headers; longer ones
   * are added as {@link EncodedBlocks#addTo} puts them (a file range, for a store). A transport
   * makes a system call per file range, so 1,000 small blocks as ranges would cost 2,000 calls
   * where one array costs one; 16 KiB is where a copy starts to cost more than a call.
   */
  static final int INLINE_MAX_BYTES = 16 * 1024;

  /**
   * The answer of {@link #encode} as a frame: the answer's header, each block's field header, the
   * blocks under {@link #INLINE_MAX_BYTES} and the trailing count written into one array sized from
   * the blocks' lengths, sent as pieces of it between the larger blocks. On a failure, what the
   * blocks handed to the frame is closed before the exception leaves.
   */
  static OutgoingFrame frame(EncodedBlocks blocks, int count) throws IOException {
    long body = WireWriter.uint64Size(COUNT, count);
    long inline = body; // the count, then each block's tag and length, and the small blocks
    for (int i = 0; i < count; i++) {
      int length = blocks.length(i);
      body += WireWriter.lenFieldSize(BLOCKS, length);
      inline += WireWriter.tagSize(BLOCKS) + WireWriter.varintSize(length) + (length < INLINE_MAX_BYTES ? length : 0);
    }
    inline += WireWriter.tagSize(MEMBER) + WireWriter.varintSize(body);
    WireWriter w = WireWriter.ofSize(inline);
    OutgoingFrame.Builder frame = OutgoingFrame.builder();
    try {
      w.lenHeader(MEMBER, WireWriter.checkedSize(body));
      int unsent = 0; // where the array's bytes not yet in the frame begin
      for (int i = 0; i < count; i++) {
        int length = blocks.length(i);
        w.lenHeader(BLOCKS, length);
        if (length < INLINE_MAX_BYTES) {
          blocks.read(i, w.array(), w.skip(length));
          continue;
        }
        frame.bytes(w.array(), unsent, w.position() - unsent);
        unsent = w.position();
        blocks.addTo(frame, i);
      }
      w.uint64(COUNT, count);
      frame.bytes(w.array(), unsent, w.position() - unsent);
      w.finish();
    } catch (IOException | RuntimeException | Error e) {
      frame.build().close(); // the channels the blocks opened for it, if any
      throw e;
    }
    return frame.build();
  }
}
