package io.peerlink.discovery.core.protocol;

/**
 * The answer sizes both ends of the query channel agree on: what a master puts in one answer and
 * what a client reads. They live with the wire types so that the client ({@code MasterClient}) and
 * the server ({@code Responder}) each depend on the protocol, never on each other.
 */
public final class AnswerLimits {

  /** The seed's limit on answers to status calls: 10 MiB. */
  public static final int MAX_STATUS_RESPONSE_BYTES = 10 * 1024 * 1024;

  /** The seed's limit on answers to block-range calls: 100 MiB. Also a client's frame limit. */
  public static final int MAX_BLOCKS_RESPONSE_BYTES = 100 * 1024 * 1024;

  /** Most blocks a master puts in one {@code get_blocks_range} answer. */
  public static final int MAX_BLOCKS_PER_RANGE = 1024;

  /**
   * Most bytes of blocks a master puts in one {@code get_blocks_range} answer (8 MiB), at least one
   * block aside: it fits a listener's default 16 MiB frame limit.
   */
  public static final int MAX_RANGE_RESPONSE_BYTES = 8 * 1024 * 1024;

  /**
   * Over this, a master refuses even a single block: a client would drop the answer
   * ({@link #MAX_BLOCKS_RESPONSE_BYTES} less room for the answer's own fields).
   */
  public static final int MAX_SINGLE_BLOCK_ANSWER_BYTES = MAX_BLOCKS_RESPONSE_BYTES - 1024;

  private AnswerLimits() {
  }
}
