package io.peerlink.transport.api;

/**
 * An endpoint string that cannot be used. The message quotes the input and says what was
 * expected, so it can be shown to an operator as it is.
 */
public final class InvalidEndpointException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String input;

  /**
   * @param input what the user wrote
   * @param expected what would have been accepted
   */
  public InvalidEndpointException(String input, String expected) {
    super("invalid endpoint '" + input + "': expected " + expected);
    this.input = input;
  }

  /** The endpoint string as the user wrote it. */
  public String input() {
    return input;
  }
}
