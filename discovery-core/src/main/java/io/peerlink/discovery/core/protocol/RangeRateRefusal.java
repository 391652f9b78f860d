package io.peerlink.discovery.core.protocol;

/**
 * The {@code error} text a master answers a {@code get_blocks_range} with when the asker is over a
 * range rate limit: {@code "get_blocks_range refused: <who> asked for more than <n> blocks a second
 * (<key>); ask again later"}. The protocol's {@code error} is text only, with no kind or code, so
 * these words are how a client tells an honest master that is busy (rest, then ask again) from one
 * that fails; the master that writes them and the client that reads them share this one class.
 */
public final class RangeRateRefusal {

  /** The words every such refusal carries, and a client looks for. */
  public static final String MARK = "blocks a second";

  private RangeRateRefusal() {
  }

  /**
   * The refusal's text.
   *
   * @param who whose budget is spent, e.g. an address
   * @param blocksPerSecond the budget
   * @param key the config key that sets it
   */
  public static String text(String who, long blocksPerSecond, String key) {
    return "get_blocks_range refused: " + who + " asked for more than " + blocksPerSecond + " " + MARK + " (" + key
        + "); ask again later";
  }

  /** Whether an {@code error} answer's text is such a refusal. */
  public static boolean is(String errorText) {
    return errorText != null && errorText.contains(MARK);
  }
}
