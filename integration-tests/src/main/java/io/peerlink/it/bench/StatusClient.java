package io.peerlink.it.bench;

import java.util.function.BiConsumer;

/** One client connection asking for the current epoch. */
public interface StatusClient extends AutoCloseable {

  /**
   * Sends one request and waits for its answer: the round-trip path.
   *
   * @return the epoch, checked to be {@link StatusPayload#EPOCH}
   */
  long call() throws Exception;

  /**
   * Sends one request without waiting; requests are pipelined on this connection.
   *
   * @param done receives the checked epoch, or the failure; may run on an I/O thread
   */
  void callAsync(BiConsumer<Long, Throwable> done);

  /** Closes the connection. */
  @Override
  void close();
}
