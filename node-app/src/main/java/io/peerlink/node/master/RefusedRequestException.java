package io.peerlink.node.master;

/**
 * A request the chain state declines (a lower epoch, pruned blocks, a reversed range). The
 * message says what was asked and what holds; the responder answers with it as an {@code error}.
 * A checked exception so that the responder logs it at debug, not as a fault.
 */
public final class RefusedRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked and what holds */
  public RefusedRequestException(String message) {
    super(message);
  }
}
